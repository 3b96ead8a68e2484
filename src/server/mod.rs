//! The web server: settings, backend, routes, and serving until Ctrl-C.

pub mod allocator;
mod site_files;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::handler::Handler;
use axum::middleware;
use axum::serve::{ListenerExt, TapIo};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;

use self::site_files::{ContentHashedFiles, set_cache_control};
use crate::api::app_state::AppState;
use crate::api::sessions::{guard_pages, refuse_cross_site_requests};
use crate::services::backend::{Backend, StartError};
use crate::services::settings::{Settings, SettingsError};
use crate::views::app::{App, shell};

/// Request bodies larger than this are refused (413) before any handler
/// reads them.
const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("the Leptos options (LEPTOS_* variables) are not valid: {0}")]
    Leptos(String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: String, source: std::io::Error },
}

pub async fn serve() -> Result<(), ServeError> {
    allocator::return_freed_memory_soon();
    let settings = Settings::load()?;
    tracing::info!(data_dir = %settings.data_dir.display(), "starting custsync");
    let leptos_options = get_configuration(None)
        .map_err(|error| ServeError::Leptos(error.to_string()))?
        .leptos_options;
    let addr = leptos_options.site_addr;
    let backend = Backend::start(settings).await?;
    tokio::spawn(crate::services::jobs::run_schedules(backend.jobs.clone()));
    tokio::spawn(backend.sessions.clone().sweep_expired());
    tokio::spawn(
        backend
            .sessions
            .clone()
            .follow_chain_sign_outs(backend.hq.clone()),
    );
    let app = router(leptos_options, backend.clone());
    let listener = listen(addr).map_err(|source| ServeError::Listen {
        addr: addr.to_string(),
        source,
    })?;
    tracing::info!("listening on http://{addr}");
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(without_nagle(listener), app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServeError::Listen {
            addr: addr.to_string(),
            source,
        })?;
    backend.close().await;
    tracing::info!("stopped; the databases are closed");
    Ok(())
}

/// The app's routes, listed once per process. Listing them renders the app
/// with resources suppressed by a flag Leptos keeps for the whole process,
/// so a page rendered at the same moment (another test's router, in one
/// test binary) could wait for a resource that never loads
/// (leptos-rs/leptos#4773).
fn route_list() -> &'static [AxumRouteListing] {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App))
}

/// The pages, the server functions and the site's files (with how long
/// browsers may keep each), for `backend`, behind the session and the guards
/// every request passes.
pub fn router(leptos_options: LeptosOptions, backend: Backend) -> Router {
    let state = AppState::new(site_files::with_hashed_names_if_built(leptos_options), backend);
    let content_hashed = Arc::new(ContentHashedFiles::find(&state.leptos_options));
    let routes = route_list().to_vec();
    let sessions = state
        .backend
        .sessions
        .layer(state.backend.settings.secure_cookies);
    let pages = Router::new()
        .route(
            &format!("{}.csv", crate::views::hq::sync_status::PATH),
            axum::routing::get(crate::api::hq::sync_status_export::export_csv),
        )
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        });
    with_site_files(pages, &state)
        .layer(middleware::from_fn_with_state(content_hashed, set_cache_control))
        .layer(middleware::from_fn(guard_pages))
        .layer(sessions)
        .layer(middleware::from_fn(refuse_cross_site_requests))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(state)
}

/// The site's files (WASM, JS, CSS), each with its precompressed copy when
/// the browser takes it; anything else is the app's "Page not found".
///
/// Files are served here, before Leptos: its own file handler applied the
/// status of whatever page was rendered on the same thread at that moment,
/// so a page's script now and then arrived as a 404 beside another page's
/// "Page not found", and that page never hydrated.
fn with_site_files(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let not_found = leptos_axum::file_and_error_handler::<AppState, _>(shell);
    let files = ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_gzip()
        .precompressed_br()
        .fallback(not_found.with_state(state.clone()));
    router.fallback_service(files)
}

/// Connections the kernel completes and keeps for the server to accept.
/// A burst beyond the queue (registers reconnecting together after a
/// network outage, a flood) has its connection requests dropped, and each
/// client retries only a second later. The standard library's and tokio's
/// `bind` keep 128; the kernel caps this at `net.core.somaxconn`.
pub const ACCEPT_QUEUE: u32 = 1024;

/// Listens on `addr` with a queue of `ACCEPT_QUEUE` connections.
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_QUEUE)
}

/// Answers leave at once: a server-rendered page streams in several writes,
/// which Nagle's algorithm would hold back for the client's delayed
/// acknowledgement (about 40 ms a page).
pub fn without_nagle(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(set_nodelay)
}

fn set_nodelay(stream: &mut TcpStream) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "TCP_NODELAY could not be set");
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A burst larger than the standard 128 connects at once even while
    /// the server accepts none of it; a dropped connection request would
    /// be retried by the client only after a second.
    #[tokio::test]
    async fn a_burst_of_connections_is_queued_not_dropped() {
        const BURST: usize = 512;
        let listener = listen("127.0.0.1:0".parse().expect("an address")).expect("a listener");
        let addr = listener.local_addr().expect("its address");
        let attempts: Vec<_> = (0..BURST)
            .map(|_| {
                tokio::spawn(tokio::time::timeout(
                    Duration::from_millis(500),
                    TcpStream::connect(addr),
                ))
            })
            .collect();
        let mut connected = Vec::new();
        for attempt in attempts {
            if let Ok(Ok(Ok(stream))) = attempt.await {
                connected.push(stream);
            }
        }
        assert_eq!(
            connected.len(),
            BURST,
            "connections completed without an accept (net.core.somaxconn: {:?})",
            std::fs::read_to_string("/proc/sys/net/core/somaxconn").map(|text| text.trim().to_string())
        );
    }
}
