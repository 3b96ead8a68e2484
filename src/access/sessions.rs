//! Sessions on the server: the cookie and its store, the signed-in user of
//! a request, and the two guards in front of every route (cross-site
//! requests, and pages a user may not open).

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::str::FromStr;

use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time;
use tower_sessions::session::Id;
use tower_sessions::session_store::{ExpiredDeletion, SessionStore};
use tower_sessions::{CachingSessionStore, Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use super::session_cache::SessionCache;
use super::{Access, SignedInUser, check, may_open, sign_in_url};
use crate::channel_db::ChannelDb;
use crate::error::AppError;

const COOKIE_NAME: &str = "custsync_session";
const USER_KEY: &str = "user";
/// A session ends this long after sign-in (or a shopper's sign-up): a shift.
/// Use does not extend it, so that requests only read the session store.
const SESSION_HOURS: i64 = 8;
const EXPIRED_SWEEP: Duration = Duration::from_secs(15 * 60);

/// The session store: sessions in memory, written through to the
/// `tower_sessions` table of the channel database.
#[derive(Debug, Clone)]
pub struct SessionStores {
    cache: SessionCache,
    table: SqliteStore,
    channel: ChannelDb,
}

pub type SessionLayer = SessionManagerLayer<CachingSessionStore<SessionCache, SqliteStore>>;

impl SessionStores {
    /// The stores over the `tower_sessions` table of the channel database.
    pub fn new(channel: &ChannelDb) -> SessionStores {
        SessionStores {
            cache: SessionCache::default(),
            table: SqliteStore::new(channel.session_pool()),
            channel: channel.clone(),
        }
    }

    /// The session cookie over these stores. It is HttpOnly and
    /// SameSite=Lax: no script reads it, and other sites' forms do not
    /// carry it; `secure` where the site is served over HTTPS, so that the
    /// browser never sends it in clear.
    pub fn layer(&self, secure: bool) -> SessionLayer {
        SessionManagerLayer::new(CachingSessionStore::new(self.cache.clone(), self.table.clone()))
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(time::Duration::hours(SESSION_HOURS)))
    }

    /// Ends every session `user_name` signed in with on this channel
    /// database; how many there were.
    pub async fn end_sessions_of(&self, channel: &ChannelDb, user_name: &str) -> Result<usize, AppError> {
        let ids = channel
            .user_session_ids(user_name)
            .await
            .map_err(crate::error::internal)?;
        for id in ids.iter().filter_map(|id| Id::from_str(id).ok()) {
            self.cache.delete(&id).await.map_err(crate::error::internal)?;
            self.table.delete(&id).await.map_err(crate::error::internal)?;
        }
        channel
            .forget_user_sessions(user_name)
            .await
            .map_err(crate::error::internal)?;
        Ok(ids.len())
    }

    /// Deletes expired sessions now and then, for as long as the server runs.
    pub async fn sweep_expired(self) {
        let mut interval = tokio::time::interval(EXPIRED_SWEEP);
        loop {
            interval.tick().await;
            for result in [
                self.cache.delete_expired().await,
                self.table.delete_expired().await,
            ] {
                if let Err(error) = result {
                    tracing::warn!(%error, "expired sessions could not be deleted");
                }
            }
            if let Err(error) = self.channel.forget_ended_sessions().await {
                tracing::warn!(%error, "ended sessions could not be forgotten");
            }
        }
    }
}

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
/// sign-in is worth nothing after it, recorded as theirs so that it can be
/// ended from HQ.
pub async fn start_session(
    session: &Session,
    user: &SignedInUser,
    channel: &ChannelDb,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(crate::error::internal)?;
    remember_user(session, user).await?;
    session.save().await.map_err(crate::error::internal)?;
    let id = session
        .id()
        .ok_or_else(|| crate::error::internal("a saved session has no id"))?;
    channel
        .record_user_session(&id.to_string(), &user.user_name)
        .await
        .map_err(crate::error::internal)
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
    let user = signed_in_user(&current_session().await?).await?;
    Ok(check(user.as_ref(), access).cloned()?)
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
    super::same_site_request(
        text(header::ORIGIN.as_str()),
        text(header::HOST.as_str()),
        text("sec-fetch-site"),
    )
}

/// Sends a user who may not open a page to Sign in, which brings them back.
/// Every method is guarded: a HEAD answers with the length a GET would have.
pub async fn guard_pages(session: Session, request: Request, next: Next) -> Response {
    if super::page_role(request.uri().path()).is_some() {
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
