//! What every server function does around its work: check that the
//! signed-in user may make the call, find the backend, and turn a failure
//! into the right HTTP status.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::access::{Access, SignedInUser};
use crate::backend::Backend;
use crate::error::AppError;

/// The backend, for a user who may make a request needing `access`; a 403
/// before anything is read or written otherwise.
pub async fn authorize(access: Access<'_>) -> Result<Backend, AppError> {
    authorize_user(access).await.map(|(backend, _)| backend)
}

/// As `authorize`, with the user, for the calls that act on their behalf.
pub async fn authorize_user(access: Access<'_>) -> Result<(Backend, SignedInUser), AppError> {
    let user = crate::access::sessions::require(access).await?;
    Ok((backend()?, user))
}

/// The backend without a role check: only for signing in, which checks the
/// password instead.
pub fn backend_for_sign_in() -> Result<Backend, AppError> {
    backend()
}

fn backend() -> Result<Backend, AppError> {
    use_context::<crate::app_state::AppState>()
        .map(|state| state.backend)
        .ok_or_else(|| {
            tracing::error!("server function called without the application state");
            AppError::Internal
        })
}

/// Sets the status of the current response from the error it answers, and
/// when to try again after a 429.
pub fn set_status(error: &AppError) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(error.status());
        if let AppError::TooMany {
            retry_after_seconds, ..
        } = error
        {
            response.insert_header(axum::http::header::RETRY_AFTER, (*retry_after_seconds).into());
        }
    }
}

/// The address the request came from; none when the server was not given
/// connection addresses (the in-process tests' router).
pub async fn client_address() -> Option<IpAddr> {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(address)| address.ip())
}

/// The answer of a server function, with the status of its error if any.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(error);
    }
    result
}

/// An internal failure: logged with its cause, answered as a plain sentence.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}
