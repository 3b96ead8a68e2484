//! Sessions on the server, the request's side: the signed-in user of a
//! request, and the two guards in front of every route (cross-site
//! requests, and pages a user may not open). Where sessions are kept is in
//! `session_stores`.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::domain::access::{
    Access, Role, SignedInUser, check, may_open, page_role, same_site_request, sign_in_url,
};
use crate::error::AppError;
use crate::services::backend::Backend;

const USER_KEY: &str = "user";

/// The session of the request a server function answers.
pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(crate::error::internal)
}

pub async fn signed_in_user(session: &Session) -> Result<Option<SignedInUser>, AppError> {
    session.get(USER_KEY).await.map_err(crate::error::internal)
}

/// Starts a new session for `user`: a new id, so an id planted before
/// sign-in is worth nothing after it, recorded as theirs, with the last of
/// HQ's session ends it began after, so that it can be ended from HQ.
pub async fn start_session(
    session: &Session,
    user: &SignedInUser,
    backend: &Backend,
    last_end_seen: i64,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(crate::error::internal)?;
    remember_user(session, user).await?;
    session.save().await.map_err(crate::error::internal)?;
    let id = session
        .id()
        .ok_or_else(|| crate::error::internal("a saved session has no id"))?;
    let kept = backend
        .sessions
        .record_sign_in(&backend.hq, &id.to_string(), &user.user_name, last_end_seen)
        .await
        .map_err(crate::error::internal)?;
    if kept {
        Ok(())
    } else {
        end_session(session).await?;
        Err(AppError::Refused(
            "You were signed out on every scale unit while signing in: sign in again.".to_string(),
        ))
    }
}

pub async fn remember_user(session: &Session, user: &SignedInUser) -> Result<(), AppError> {
    session
        .insert(USER_KEY, user)
        .await
        .map_err(crate::error::internal)
}

pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(crate::error::internal)
}

/// The signed-in user of this request when they may make it, otherwise a
/// 403 with the reason.
pub async fn require(access: Access<'_>) -> Result<SignedInUser, AppError> {
    let user = match signed_in_user(&current_session().await?).await? {
        Some(user) if user.role == Role::Shopper && user.profile_key.is_none() => {
            Some(with_profile_made_since(user).await)
        }
        other => other,
    };
    Ok(check(user.as_ref(), access).cloned()?)
}

/// A shopper whose session began without a profile, with the one HQ
/// records now: made since in another of their sessions (on another
/// device), it is theirs here too. Read again at each request rather than
/// written to the session, which a write would make last longer. When HQ
/// cannot say, the shopper goes on without one (signing up works while HQ
/// is out of reach); My profile asks `profile_in_hq` itself.
async fn with_profile_made_since(mut user: SignedInUser) -> SignedInUser {
    if let Ok(Some(key)) = profile_in_hq(&user.user_name).await {
        user.profile_key = Some(key);
    }
    user
}

/// The profile HQ records for the shopper `user_name`; a 503 when HQ cannot
/// be read, since "no profile, sign up first" would lead a shopper who has
/// one to make a second.
pub async fn profile_in_hq(user_name: &str) -> Result<Option<String>, AppError> {
    let Some(state) = leptos::prelude::use_context::<crate::api::app_state::AppState>() else {
        return Ok(None);
    };
    match state.backend.hq.find_user(user_name).await {
        Ok(stored) => Ok(stored.and_then(|stored| stored.user.profile_key)),
        Err(error) => {
            tracing::error!(%error, user = %user_name, "HQ did not say whether the shopper has a profile");
            Err(AppError::Unavailable(
                "Your profile cannot be read from HQ now. Try again in a moment.".to_string(),
            ))
        }
    }
}

/// Refuses a state-changing request that another site's page made.
pub async fn refuse_cross_site_requests(request: Request, next: Next) -> Response {
    if changes_state(request.method()) && !from_this_site(request.headers()) {
        return (StatusCode::FORBIDDEN, "Requests from other sites are refused.").into_response();
    }
    next.run(request).await
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn from_this_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    same_site_request(
        text(header::ORIGIN.as_str()),
        text(header::HOST.as_str()),
        text("sec-fetch-site"),
    )
}

/// Sends a user who may not open a page to Sign in, which brings them back.
/// Every method is guarded: a HEAD answers with the length a GET would have.
pub async fn guard_pages(session: Session, request: Request, next: Next) -> Response {
    if page_role(request.uri().path()).is_some() {
        let user = match signed_in_user(&session).await {
            Ok(user) => user,
            Err(error) => return (error.status(), error.to_string()).into_response(),
        };
        if !may_open(user.as_ref(), request.uri().path()) {
            let wanted = request
                .uri()
                .path_and_query()
                .map_or_else(|| request.uri().path().to_string(), ToString::to_string);
            return Redirect::to(&sign_in_url(&wanted)).into_response();
        }
    }
    next.run(request).await
}

/// The admin behind a request to a route outside the server functions (the
/// CSV export), checked again where the data is read.
pub async fn require_admin(session: &Session) -> Result<SignedInUser, AppError> {
    let user = signed_in_user(session).await?;
    Ok(check(user.as_ref(), Access::Admin).cloned()?)
}
