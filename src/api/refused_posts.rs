//! What a customer form the browser posted itself (before the page's code
//! arrived, or with JavaScript off: Add customer, Sign up, Edit, Add address,
//! an operation's correction on the status page) carried, when the server refused it for
//! its fields. server_fn sends such a post back to its page with the refusal
//! in the address, and nothing of what was typed; the session keeps the
//! values for that page, which shows them in the form again, each message
//! beside its field.

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

#[cfg(feature = "ssr")]
const SESSION_KEY: &str = "refused_post";

/// After a customer form's own post to the server function at `path`: a
/// refusal for its fields keeps `values` for the page it goes back to; a
/// success forgets earlier ones. A call from the page's code keeps nothing:
/// its form still holds them.
#[cfg(feature = "ssr")]
pub async fn keep_when_refused<T>(
    result: &Result<T, crate::error::AppError>,
    path: &str,
    values: PostedValues,
) {
    use crate::api::respond::is_plain_form_post;
    use crate::api::sessions::current_session;
    use crate::error::AppError;
    if !is_plain_form_post() {
        return;
    }
    let Ok(session) = current_session().await else {
        return;
    };
    let kept = match result {
        Err(AppError::Invalid(_)) => session.insert(SESSION_KEY, (path, values)).await,
        Err(_) => return,
        Ok(_) => session.remove_value(SESSION_KEY).await.map(|_| ()),
    };
    if let Err(error) = kept {
        tracing::warn!(%error, "what a refused form carried could not be kept for its page");
    }
}

/// The values the last refused customer form of this session carried,
/// when it posted to the server function at `path`.
#[cfg(feature = "ssr")]
pub async fn refused_values(path: &str) -> Option<PostedValues> {
    use crate::api::sessions::current_session;
    let session = current_session().await.ok()?;
    match session.get::<(String, PostedValues)>(SESSION_KEY).await {
        Ok(kept) => kept
            .filter(|(posted_to, _)| posted_to == path)
            .map(|(_, values)| values),
        Err(error) => {
            tracing::warn!(%error, "what a refused form carried could not be read");
            None
        }
    }
}
