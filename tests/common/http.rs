//! The whole web app in the test process: the real router over a fresh
//! backend, called as a browser or a script would, one request at a time.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custsync::api::sign_in::SignIn;
use custsync::services::backend::Backend;
use custsync::storage::hq_db::DEMO_PASSWORD;
use custsync::storage::hq_db::HqLocation;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use sqlx::{Connection, PgConnection, SqliteConnection};
use tower::ServiceExt;

use super::TestBackend;

pub const JSON: &str = "application/json";
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The app's router over `backend`, as the server builds it.
pub fn router(backend: Backend) -> Router {
    let leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
        .expect("the Leptos options in Cargo.toml")
        .leptos_options;
    custsync::server::router(leptos_options, backend)
}

pub struct WebApp {
    pub test: TestBackend,
    router: Router,
}

/// An answer: its status, its `Location`, its body as text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    /// The whole `Set-Cookie` header, and its `name=value` part.
    pub set_cookie: Option<String>,
    pub session_cookie: Option<String>,
}

impl WebApp {
    pub async fn start() -> WebApp {
        WebApp::over(super::start().await)
    }

    /// The same data directory served by a new process, as after a restart.
    pub async fn restart(self) -> WebApp {
        let WebApp { test, .. } = self;
        let backend = super::start_in(&test.dir).await;
        WebApp::over(TestBackend {
            backend,
            dir: test.dir,
        })
    }

    /// The app served over a backend the test started.
    pub fn over(test: TestBackend) -> WebApp {
        let router = router(test.backend.clone());
        WebApp { test, router }
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let location = text(header::LOCATION);
        let set_cookie = text(header::SET_COOKIE);
        let session_cookie = set_cookie
            .as_deref()
            .and_then(|cookie| cookie.split(';').next())
            .map(str::to_string);
        let bytes = response.into_body().collect().await.expect("the body").to_bytes();
        Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            set_cookie,
            session_cookie,
        }
    }

    /// POSTs `body` to `path` with `cookie` (empty: none).
    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
        cookie: &str,
    ) -> Answer {
        let body: Vec<u8> = body.into();
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::ACCEPT, JSON);
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).expect("a request"))
            .await
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Answer {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).expect("a request")).await
    }

    /// POSTs form fields as a browser posts a form by itself, before the
    /// page's code runs: asking for a page back, from the page at `from`.
    pub async fn post_form_from_page(&self, path: &str, from: &str, fields: &str, cookie: &str) -> Answer {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, FORM)
            .header(header::CONTENT_LENGTH, fields.len())
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("http://127.0.0.1{from}"));
        if !cookie.is_empty() {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(fields.to_string())).expect("a request"))
            .await
    }

    /// Signs in as a demo user; returns the session cookie.
    pub async fn sign_in(&self, user_name: &str) -> String {
        let body = format!("user_name={user_name}&password={DEMO_PASSWORD}");
        let answer = self.post(SignIn::PATH, FORM, body, "").await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "signing in as {user_name}: {}",
            answer.body
        );
        answer.session_cookie.expect("a session cookie")
    }

    /// Watches both databases for commits made by anyone else.
    pub async fn write_watch(&self) -> WriteWatch {
        let sqlite = |path: std::path::PathBuf| async move {
            SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .expect("a watching connection")
        };
        let hq = match self.test.backend.settings.hq_location() {
            HqLocation::Sqlite(path) => HqWatch::Sqlite(sqlite(path).await),
            HqLocation::Postgres(url) => {
                HqWatch::Postgres(PgConnection::connect(&url).await.expect("a watching connection"))
            }
        };
        WriteWatch {
            hq,
            channel: sqlite(self.test.dir.path().join("channel.db")).await,
        }
    }
}

/// Two connections that see whether any other connection has committed a
/// change to either database since the last look.
pub struct WriteWatch {
    hq: HqWatch,
    channel: SqliteConnection,
}

enum HqWatch {
    /// SQLite's `data_version` changes with every other connection's commit.
    Sqlite(SqliteConnection),
    /// PostgreSQL gives a transaction id only to a transaction that writes:
    /// the next one to be given moves with every write in the cluster,
    /// which the HQ tests on PostgreSQL run one at a time (`make test`).
    Postgres(PgConnection),
}

impl WriteWatch {
    pub async fn versions(&mut self) -> (i64, i64) {
        let hq = match &mut self.hq {
            HqWatch::Sqlite(connection) => data_version(connection).await,
            HqWatch::Postgres(connection) => sqlx::query_scalar(
                "SELECT CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS text) AS bigint)",
            )
            .fetch_one(connection)
            .await
            .expect("the next transaction id"),
        };
        (hq, data_version(&mut self.channel).await)
    }
}

async fn data_version(connection: &mut SqliteConnection) -> i64 {
    sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(connection)
        .await
        .expect("data_version")
}

/// Serves the app on a free local port, over real TCP.
pub async fn serve(backend: custsync::services::backend::Backend) -> SocketAddr {
    let app = router(backend);
    let listener = custsync::server::listen(SocketAddr::from(([127, 0, 0, 1], 0))).expect("a port");
    let addr = listener.local_addr().expect("its address");
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}
