//! What a customer form the browser posted itself (before the page's code
//! arrived, or with JavaScript off: Add customer, Sign up, Edit, Add
//! address, an operation's correction on the status page) carried, when the
//! server refused it for its fields. server_fn sends such a post back to its
//! page with the refusal in the address, and nothing of what was typed; the
//! server keeps the values for that page, by session and form, for a few
//! minutes, and the page shows them in the form again, each message beside
//! its field.

use serde::{Deserialize, Serialize};

use crate::domain::customer::{AddressDraft, CustomerDraft};

/// The values of one refused customer form, by the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PostedValues {
    /// Add customer, or Sign up.
    NewCustomer(CustomerDraft),
    /// Edit of the customer `key`, with the values the form opened with.
    Edit {
        key: String,
        draft: CustomerDraft,
        started_from: Option<Box<CustomerDraft>>,
    },
    /// Add address to the customer `key`.
    NewAddress { key: String, address: AddressDraft },
    /// An admin's correction of the uploaded operation `operation_id`.
    OperationSave {
        operation_id: String,
        draft: CustomerDraft,
    },
}

/// How long what a refused form carried is kept for its page.
#[cfg(feature = "ssr")]
const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// What refused forms carried, by session id and the server function
/// each posted to (forms refused in two tabs each come back as typed): in
/// memory, not in the session, whose every save would extend it past its 8
/// hours. A new session id at sign-in leaves an earlier user's behind.
#[cfg(feature = "ssr")]
static KEPT: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<(String, String), Kept>>> =
    std::sync::LazyLock::new(Default::default);

#[cfg(feature = "ssr")]
struct Kept {
    values: PostedValues,
    at: std::time::Instant,
}

/// The id of this request's session; none before it has one.
#[cfg(feature = "ssr")]
async fn session_id() -> Option<String> {
    let session = crate::api::sessions::current_session().await.ok()?;
    session.id().map(|id| id.to_string())
}

/// After a customer form's own post to the server function at `path`: a
/// refusal for its fields keeps `values` for the page it goes back to; a
/// success forgets what an earlier post of the same form left. A call from
/// the page's code keeps nothing: its form still holds them.
#[cfg(feature = "ssr")]
pub async fn keep_when_refused<T>(
    result: &Result<T, crate::error::AppError>,
    path: &str,
    values: PostedValues,
) {
    use crate::api::respond::is_plain_form_post;
    use crate::error::AppError;
    if !is_plain_form_post() {
        return;
    }
    let Some(id) = session_id().await else {
        return;
    };
    let Ok(mut kept) = KEPT.lock() else {
        return;
    };
    kept.retain(|_, kept| kept.at.elapsed() < KEPT_FOR);
    let form = (id, path.to_string());
    match result {
        Err(AppError::Invalid(_)) => {
            let at = std::time::Instant::now();
            kept.insert(form, Kept { values, at });
        }
        Err(_) => {}
        Ok(_) => {
            kept.remove(&form);
        }
    }
}

/// The values the last refused customer form of this session that posted
/// to the server function at `path` carried, a short while ago.
#[cfg(feature = "ssr")]
pub async fn refused_values(path: &str) -> Option<PostedValues> {
    let form = (session_id().await?, path.to_string());
    let kept = KEPT.lock().ok()?;
    kept.get(&form)
        .filter(|kept| kept.at.elapsed() < KEPT_FOR)
        .map(|kept| kept.values.clone())
}
