//! Sign in and Sign out, and who is signed in. Users live in HQ; the
//! session that remembers them lives in the channel database.

use crate::domain::access::{MAX_PASSWORD, MAX_USER_NAME, SignedInUser};
use crate::error::{AppError, FieldErrors};
use leptos::prelude::*;

/// Checks the user name and password against HQ's users and starts a new
/// session. A wrong name and a wrong password get the same answer, after
/// the same work, so the answer does not tell which names exist. Posted by
/// the form itself, before the page has hydrated, it sends the browser on
/// to `next` (or the role's home page).
#[server(output = crate::wire::JsonText)]
pub async fn sign_in(
    user_name: String,
    password: String,
    next: Option<String>,
) -> Result<SignedInUser, AppError> {
    use crate::api::respond::{backend_for_sign_in, client_address, redirect_form_post, respond};
    use crate::api::sessions::{current_session, start_session};
    use crate::domain::access::landing_page;
    use crate::error::internal;
    use crate::services::access::passwords::{UNKNOWN_USER_HASH, check_password};
    let result = async {
        let user_name = user_name.trim().to_string();
        check_credentials_shape(&user_name, &password)?;
        let backend = backend_for_sign_in()?;
        let limits = &backend.sign_in_limits;
        let _waiting = limits
            .admit(client_address().await, &user_name)
            .map_err(|refusal| AppError::TooMany {
                message: refusal.message(),
                retry_after_seconds: refusal.retry_after().as_secs().max(1),
            })?;
        // Read before the user: a sign-out recorded after this number, on
        // any scale unit, ends the session this sign-in begins.
        let last_end_seen = backend.hq.last_session_end().await.map_err(internal)?;
        let stored = backend.hq.find_user(&user_name).await.map_err(internal)?;
        let hash = stored
            .as_ref()
            .map_or(UNKNOWN_USER_HASH, |stored| stored.password_hash.as_str())
            .to_string();
        let matches = check_password(password, hash).await.map_err(internal)?;
        let user = match stored {
            Some(stored) if matches => stored.user,
            _ => {
                limits.failed(&user_name);
                let mut errors = FieldErrors::default();
                errors.add("password", "The user name or the password is not right.");
                return Err(AppError::Invalid(errors));
            }
        };
        start_session(&current_session().await?, &user, &backend, last_end_seen).await?;
        tracing::info!(user = %user.user_name, role = user.role.name(), "signed in");
        redirect_form_post(&landing_page(next.as_deref(), user.role));
        Ok(user)
    };
    respond(result.await)
}

/// Each field filled, and no longer than it can be.
pub fn check_credentials_shape(user_name: &str, password: &str) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if user_name.is_empty() {
        errors.add("user_name", "Enter your user name.");
    } else if user_name.chars().count() > MAX_USER_NAME {
        errors.add(
            "user_name",
            format!("A user name has at most {MAX_USER_NAME} characters."),
        );
    } else if user_name.chars().any(char::is_control) {
        errors.add("user_name", "A user name cannot contain control characters.");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password.");
    } else if password.chars().count() > MAX_PASSWORD {
        errors.add(
            "password",
            format!("A password has at most {MAX_PASSWORD} characters."),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Ends this browser's session; posted by the form itself, before the page
/// has hydrated, it sends the browser to Sign in.
#[server(output = crate::wire::JsonText)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::api::respond::{redirect_form_post, respond};
    use crate::api::sessions::{current_session, end_session};
    use crate::domain::access::SIGN_IN_PATH;
    let result = async {
        end_session(&current_session().await?).await?;
        redirect_form_post(SIGN_IN_PATH);
        Ok(())
    };
    respond(result.await)
}

/// Who is signed in on this browser, if anyone.
#[server(output = crate::wire::JsonText)]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    use crate::api::respond::respond;
    use crate::api::sessions::{current_session, signed_in_user};
    let result = async { signed_in_user(&current_session().await?).await };
    respond(result.await)
}
