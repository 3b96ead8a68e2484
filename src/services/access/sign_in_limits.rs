//! How many sign-ins the server takes: per client address, per user name
//! (failed ones), and how many may wait for a password check at all. A
//! flood from one address is refused with 429 before it costs an argon2
//! hash, so that it cannot queue ahead of a cashier signing in elsewhere.
//!
//! The limits are kept in this process's memory: each scale unit counts
//! its own clients.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A client address may start this many sign-ins at once, then one more
/// every `ADDRESS_REFILL`: a register signs in a few times a shift.
const ADDRESS_BURST: f64 = 5.0;
const ADDRESS_REFILL: Duration = Duration::from_secs(3);
/// A user name may fail this many times at once, then once more every
/// `USER_REFILL`.
const USER_BURST: f64 = 5.0;
const USER_REFILL: Duration = Duration::from_secs(30);
/// Sign-ins waiting for a password check beyond those being checked; more
/// are refused at once rather than queued. More than one address's burst,
/// so that one address alone cannot fill the queue.
const MAX_WAITING: usize = 12;
/// Entries kept before the full ones are forgotten.
const MAX_ENTRIES: usize = 10_000;

/// Why a sign-in is refused before its password is checked, and when to
/// try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Address { retry_after: Duration },
    UserName { retry_after: Duration },
    Busy,
}

impl Refusal {
    pub fn retry_after(self) -> Duration {
        match self {
            Refusal::Address { retry_after } | Refusal::UserName { retry_after } => retry_after,
            Refusal::Busy => Duration::from_secs(1),
        }
    }

    pub fn message(self) -> String {
        let seconds = self.retry_after().as_secs().max(1);
        match self {
            Refusal::Address { .. } => {
                format!("Too many sign-ins from this device. Try again in {seconds} s.")
            }
            Refusal::UserName { .. } => {
                format!("Too many failed sign-ins for this user name. Try again in {seconds} s.")
            }
            Refusal::Busy => "Sign-in is busy. Try again in a second.".to_string(),
        }
    }
}

#[derive(Debug, Default)]
pub struct SignInLimits {
    by_address: Mutex<HashMap<IpAddr, Bucket>>,
    failures_by_user: Mutex<HashMap<String, Bucket>>,
    waiting: AtomicUsize,
}

/// A place in the queue for a password check; leaving it frees the place.
#[derive(Debug)]
pub struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SignInLimits {
    /// Admits a sign-in from `address` (none when the server does not know
    /// it) for `user_name`, or says why not; the admitted one holds its
    /// place in the queue until dropped.
    pub fn admit(&self, address: Option<IpAddr>, user_name: &str) -> Result<Waiting<'_>, Refusal> {
        self.admit_at(address, user_name, Instant::now())
    }

    /// Counts a failed sign-in against its user name.
    pub fn failed(&self, user_name: &str) {
        let mut failures = lock(&self.failures_by_user);
        forget_full(&mut failures, USER_BURST, USER_REFILL, Instant::now());

        let now = Instant::now();
        failures
            .entry(user_name.to_lowercase())
            .or_insert_with(|| Bucket::full(USER_BURST, now))
            .spend(USER_BURST, USER_REFILL, now);
    }

    fn admit_at(
        &self,
        address: Option<IpAddr>,
        user_name: &str,
        now: Instant,
    ) -> Result<Waiting<'_>, Refusal> {
        if let Some(bucket) = lock(&self.failures_by_user).get_mut(&user_name.to_lowercase())
            && let Err(retry_after) = bucket.peek(USER_BURST, USER_REFILL, now)
        {
            return Err(Refusal::UserName { retry_after });
        }
        if let Some(address) = address {
            let mut by_address = lock(&self.by_address);
            forget_full(&mut by_address, ADDRESS_BURST, ADDRESS_REFILL, now);
            by_address
                .entry(address)
                .or_insert_with(|| Bucket::full(ADDRESS_BURST, now))
                .take(ADDRESS_BURST, ADDRESS_REFILL, now)
                .map_err(|retry_after| Refusal::Address { retry_after })?;
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING + CHECKED_AT_ONCE {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::Busy);
        }
        Ok(Waiting(&self.waiting))
    }
}

/// Password checks that run at once (see `passwords::check_password`).
const CHECKED_AT_ONCE: usize = super::passwords::CHECKED_AT_ONCE;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while counting leaves counts that are still counts.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Forgets the keys whose bucket has filled up again, once there are many:
/// they would behave as new ones anyway.
fn forget_full<K>(buckets: &mut HashMap<K, Bucket>, burst: f64, refill: Duration, now: Instant) {
    if buckets.len() >= MAX_ENTRIES {
        buckets.retain(|_, bucket| bucket.tokens_at(burst, refill, now) < burst);
    }
}

/// A token bucket: `burst` tokens, one more every `refill`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: burst,
            at: now,
        }
    }

    fn tokens_at(&self, burst: f64, refill: Duration, now: Instant) -> f64 {
        let earned = now.saturating_duration_since(self.at).as_secs_f64() / refill.as_secs_f64();
        (self.tokens + earned).min(burst)
    }

    /// Whether a token is there, or how long until one is.
    fn peek(&self, burst: f64, refill: Duration, now: Instant) -> Result<(), Duration> {
        let tokens = self.tokens_at(burst, refill, now);
        if tokens >= 1.0 {
            Ok(())
        } else {
            Err(refill.mul_f64(1.0 - tokens))
        }
    }

    /// Takes a token when one is there.
    fn take(&mut self, burst: f64, refill: Duration, now: Instant) -> Result<(), Duration> {
        self.peek(burst, refill, now)?;
        self.spend(burst, refill, now);
        Ok(())
    }

    /// Takes a token, or what is left of one.
    fn spend(&mut self, burst: f64, refill: Duration, now: Instant) {
        self.tokens = (self.tokens_at(burst, refill, now) - 1.0).max(0.0);
        self.at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
    const OTHER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)));

    #[test]
    fn an_address_gets_its_burst_then_one_sign_in_per_refill() {
        let limits = SignInLimits::default();
        let start = Instant::now();
        for _ in 0..5 {
            drop(limits.admit_at(HOME, "admin", start).unwrap());
        }
        let refused = limits.admit_at(HOME, "admin", start).unwrap_err();
        assert_eq!(
            refused,
            Refusal::Address {
                retry_after: ADDRESS_REFILL
            }
        );
        assert!(
            limits.admit_at(OTHER, "admin", start).is_ok(),
            "another address is not held up"
        );
        let later = start + ADDRESS_REFILL;
        assert!(limits.admit_at(HOME, "admin", later).is_ok());
        assert!(limits.admit_at(HOME, "admin", later).is_err());
    }

    #[test]
    fn a_user_name_that_keeps_failing_is_refused_for_a_while_whatever_the_address() {
        let limits = SignInLimits::default();
        for _ in 0..5 {
            limits.failed("Houston");
        }
        let refused = limits.admit(OTHER, "houston").unwrap_err();
        assert!(matches!(refused, Refusal::UserName { .. }));
        assert!(refused.message().contains("this user name"));
        assert!(limits.admit(OTHER, "seattle").is_ok());
    }

    #[test]
    fn the_queue_is_bounded_and_a_place_is_freed_when_its_sign_in_ends() {
        let limits = SignInLimits::default();
        let now = Instant::now();
        let addresses = (0..=255).map(|n| Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 0, n))));
        let queue: Vec<_> = addresses
            .take(MAX_WAITING + CHECKED_AT_ONCE)
            .map(|address| limits.admit_at(address, "admin", now).unwrap())
            .collect();
        assert_eq!(limits.admit_at(OTHER, "admin", now).unwrap_err(), Refusal::Busy);
        drop(queue);
        assert!(limits.admit_at(OTHER, "admin", now).is_ok());
    }
}
