//! Passwords are kept as argon2 hashes (PHC strings with their own salt).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use password_hash::rand_core::OsRng;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Whether `password` is the one `stored_hash` was made from. A hash that
/// cannot be read matches nothing.
pub fn password_matches(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of no password, with the cost of the real ones: sign-in checks an
/// unknown user's password against it, so that an unknown name takes as
/// long as a known one.
pub const UNKNOWN_USER_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Hashes checked at once, at most: each takes about 19 MiB, and a flood
/// of sign-ins must not take the server's memory.
pub const CHECKED_AT_ONCE: usize = 2;
static CHECKING: Semaphore = Semaphore::const_new(CHECKED_AT_ONCE);

/// `password_matches` off the async threads, a few at a time.
pub async fn check_password(password: String, stored_hash: String) -> Result<bool, HashError> {
    let _permit = CHECKING
        .acquire()
        .await
        .map_err(|error| HashError(error.to_string()))?;
    tokio::task::spawn_blocking(move || password_matches(&password, &stored_hash))
        .await
        .map_err(|error| HashError(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_its_own_hash_only() {
        let hash = hash_password("custsync").expect("hashed");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("custsync", &hash));
        assert!(!password_matches("custsynC", &hash));
        assert!(!password_matches("custsync", "not a hash"));
        assert_ne!(
            hash,
            hash_password("custsync").expect("hashed"),
            "each hash has its own salt"
        );
    }
}
