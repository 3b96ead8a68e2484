//! What every server function does around its work: check that the
//! signed-in user may make the call, find the backend, and turn a failure
//! into the right HTTP status.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use leptos::prelude::use_context;

use crate::domain::access::{Access, SignedInUser};
use crate::error::{AppError, internal, set_status};
use crate::services::backend::Backend;
use crate::services::channel_customers::CustomerError;
use crate::services::pos_sales::SaleError;
use crate::services::realtime::RealtimeError;

/// The backend, for a user who may make a request needing `access`; a 403
/// before anything is read or written otherwise.
pub async fn authorize(access: Access<'_>) -> Result<Backend, AppError> {
    authorize_user(access).await.map(|(backend, _)| backend)
}

/// As `authorize`, with the user, for the calls that act on their behalf.
pub async fn authorize_user(access: Access<'_>) -> Result<(Backend, SignedInUser), AppError> {
    let user = crate::api::sessions::require(access).await?;
    Ok((backend()?, user))
}

/// The backend without a role check: only for signing in, which checks the
/// password instead.
pub fn backend_for_sign_in() -> Result<Backend, AppError> {
    backend()
}

fn backend() -> Result<Backend, AppError> {
    use_context::<crate::api::app_state::AppState>()
        .map(|state| state.backend.clone())
        .ok_or_else(|| {
            tracing::error!("server function called without the application state");
            AppError::Internal
        })
}

/// The address the request came from; none when the server was not given
/// connection addresses (the in-process tests' router).
pub async fn client_address() -> Option<IpAddr> {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(address)| address.ip())
}

/// Whether the current request is a browser's own form post, which wants a
/// page back, rather than a call from the page's code, which wants data.
pub fn is_plain_form_post() -> bool {
    // A page the server renders calls server functions too, with the page's
    // request (a GET asking for HTML): its refusal keeps its status.
    use_context::<axum::http::request::Parts>().is_some_and(|request| {
        request.method == axum::http::Method::POST
            && request
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Sends a browser's own form post on to `path` once it has succeeded; a
/// call from the page's code gets its answer and moves on by itself.
pub fn redirect_form_post(path: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// The answer of a server function, with the status of its error if any.
/// A browser's own form post (made before the page's code has loaded, or
/// without JavaScript) that is refused goes back to its page instead, with
/// the error in the URL (server_fn's form redirects), where the page shows
/// it (`views::ui::PostedRefusal`, and Sign in beside its fields).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result
        && !is_plain_form_post()
    {
        set_status(error);
    }
    result
}

/// How a refused or failed customer change is answered.
impl From<CustomerError> for AppError {
    fn from(error: CustomerError) -> Self {
        match error {
            CustomerError::Invalid(fields) => AppError::Invalid(fields),
            CustomerError::UnknownCustomer(_) => AppError::NotFound(error.to_string()),
            CustomerError::UnknownRegister { .. }
            | CustomerError::NoOnlineStore
            | CustomerError::ServedElsewhere { .. }
            | CustomerError::NotServedHere { .. }
            | CustomerError::PendingCustomer(_)
            | CustomerError::OperationIdReused => AppError::Refused(error.to_string()),
            CustomerError::HqUnreachable(_) => AppError::Unavailable(error.to_string()),
            CustomerError::Realtime(RealtimeError::UnknownCustomer(_)) => {
                AppError::Refused(error.to_string())
            }
            CustomerError::Realtime(RealtimeError::OperationIdReused) => {
                AppError::Refused(CustomerError::OperationIdReused.to_string())
            }
            CustomerError::Realtime(other) => internal(other),
            CustomerError::Storage(storage) => internal(storage),
        }
    }
}

impl From<SaleError> for AppError {
    fn from(error: SaleError) -> Self {
        match error {
            SaleError::Invalid(fields) => AppError::Invalid(fields),
            SaleError::UnknownCustomer(_) => AppError::NotFound(error.to_string()),
            SaleError::NoCatalogue
            | SaleError::TransactionIdReused
            | SaleError::PendingCustomer
            | SaleError::Realtime(RealtimeError::UnknownCustomer(_)) => AppError::Refused(error.to_string()),
            SaleError::HqUnreachable => AppError::Unavailable(error.to_string()),
            SaleError::Customer(customer) => customer.into(),
            SaleError::Realtime(other) => internal(other),
            SaleError::Storage(storage) => internal(storage),
        }
    }
}
