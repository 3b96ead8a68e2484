//! The one error type that crosses the wire: what a server function answers
//! when it cannot do what was asked. Each variant is a sentence a user can
//! read; internal causes are logged on the server and never sent.

use std::collections::BTreeMap;

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Messages for the fields of a form, keyed by the field's input name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Some fields are wrong; each message belongs beside its field.
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    /// The request was understood but cannot be carried out now.
    #[error("{0}")]
    Refused(String),
    /// The request was understood, but what it needs beyond the store
    /// server (HQ, for a real-time call) cannot be reached now: the same
    /// request may pass later.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    NotFound(String),
    /// The signed-in user (or nobody) may not do this; nothing was done.
    #[error("{0}")]
    Forbidden(String),
    /// The request itself was malformed (missing or unreadable arguments).
    #[error("The request could not be read: {0}")]
    BadRequest(String),
    #[error("Something went wrong on the server; it has been logged. Please try again.")]
    Internal,
    /// Too many requests of this kind for now; try again after the delay.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after_seconds: u64,
    },
    /// The browser could not reach the server or read its answer. The
    /// detail (the browser's own words, such as "TypeError: Failed to
    /// fetch") goes to the browser's console, not to the user.
    #[error(
        "The server could not be reached, or its answer was lost. What you entered is still here: try again \
         once the connection is back."
    )]
    Unreachable(String),
}

impl AppError {
    /// The whole reason, for where no field sits beside it (a kept
    /// operation the server refused): a refusal of fields names each field
    /// with its message.
    pub fn in_full(&self) -> String {
        match self {
            AppError::Invalid(errors) => errors
                .0
                .iter()
                .map(|(field, message)| format!("{}: {message}", field_caption(field)))
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }
    }

    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors.get(name).map(str::to_string),
            _ => None,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal | AppError::Unreachable(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The longest key (a customer account, a temporary id, an operation id)
/// any request may name.
pub const MAX_KEY: usize = 64;

/// Refuses a key argument longer than `max` characters, or with a control
/// character inside it: no key has one, and PostgreSQL's text cannot hold
/// NUL. What surrounds it is trimmed where keys are looked up.
pub fn check_key(what: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        return Err(AppError::BadRequest(format!(
            "{what} can have at most {max} characters."
        )));
    }
    if value.trim().chars().any(char::is_control) {
        return Err(AppError::BadRequest(format!(
            "{what} cannot contain control characters."
        )));
    }
    Ok(())
}

impl From<crate::domain::access::Denied> for AppError {
    fn from(denied: crate::domain::access::Denied) -> Self {
        AppError::Forbidden(denied.to_string())
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::wire::JsonTextEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest(message)
            }
            // On the server, a body that cannot be decoded is the request's fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => AppError::BadRequest(message),
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(message) => unreachable_server(message),
            ServerFnErrorErr::Request(message) => unreachable_server(message),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                leptos::logging::error!("server function failed: {other}");
                AppError::Internal
            }
        };
        // On the server this runs inside the request, so a malformed request
        // answers 400 instead of the framework's 500.
        #[cfg(feature = "ssr")]
        set_status(&error);
        error
    }
}

/// The server was not reached, or its answer not read: the browser's
/// reason is logged where a developer looks for it.
fn unreachable_server(reason: String) -> AppError {
    leptos::logging::warn!("the server could not be reached: {reason}");
    AppError::Unreachable(reason)
}

/// Sets the status of the current response from the error it answers, and
/// when to try again after a 429.
#[cfg(feature = "ssr")]
pub fn set_status(error: &AppError) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
        if let AppError::TooMany {
            retry_after_seconds, ..
        } = error
        {
            response.insert_header(axum::http::header::RETRY_AFTER, (*retry_after_seconds).into());
        }
    }
}

/// An internal failure: logged with its cause, answered as a plain sentence.
#[cfg(feature = "ssr")]
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}

/// A field's input name as a user reads it: `customer_group` is "Customer
/// group", `address.zip` "Address zip".
fn field_caption(field: &str) -> String {
    let words = field.replace(['_', '.'], " ");
    let mut letters = words.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreached_server_is_told_in_a_plain_sentence_without_the_browsers_own_words() {
        let message = AppError::Unreachable("TypeError: Failed to fetch".to_string()).to_string();
        assert!(
            message.starts_with("The server could not be reached"),
            "{message}"
        );
        assert!(!message.contains("TypeError"), "{message}");
    }

    #[test]
    fn a_refusal_of_fields_in_full_names_each_field_with_its_message() {
        let mut errors = FieldErrors::default();
        errors.add("customer_group", "Choose a customer group from the list.");
        errors.add("address.zip", "Enter a ZIP/postal code like 98052.");
        assert_eq!(
            AppError::Invalid(errors).in_full(),
            "Address zip: Enter a ZIP/postal code like 98052. Customer group: Choose a customer group from the list."
        );
        assert_eq!(AppError::Refused("No.".into()).in_full(), "No.");
    }
}
