//! Add customer in asynchronous mode over HTTP: the real server, the real
//! `create_customer` server function, `clients` keep-alive connections
//! posting creates as fast as the answers come, for a fixed time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use custsync::api::app_state::AppState;
use custsync::api::channel_customers::CreateCustomer;
use custsync::domain::operation::OperationId;
use custsync::services::backend::Backend;
use custsync::services::settings::Settings;
use custsync::storage::hq_db::DEMO_PASSWORD;
use leptos::server_fn::ServerFn;
use tempfile::TempDir;

use crate::client::{self, post};
use crate::report::{Figure, percentile};
use crate::{Options, baseline, data};

const JSON: &str = "application/json";

/// One load run: what every client saw.
struct LoadRun {
    created: usize,
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
    staged_rows: i64,
}

pub async fn measure(options: &Options) -> Result<Vec<Figure>, String> {
    let mut throughput = Vec::new();
    let mut p99 = Vec::new();
    let mut errors = Vec::new();
    let mut lost = Vec::new();
    for run in 0..options.runs {
        let load = load_run(options, run).await?;
        throughput.push(load.created as f64 / load.elapsed.as_secs_f64());
        p99.push(percentile(&load.latencies, 0.99).as_secs_f64() * 1000.0);
        errors.push(load.errors as f64);
        lost.push((load.created as i64 - load.staged_rows) as f64);
    }
    let raw = baseline::single_commits(options).await?;
    Ok(vec![
        Figure::new(
            "Add customer over HTTP: creates per second",
            ">= 3,000",
            throughput,
        )
        .higher_is_better(3000.0)
        .with_baseline(raw.per_second),
        Figure::new("Add customer over HTTP: p99 latency (ms)", "<= 15", p99)
            .lower_is_better(15.0)
            .with_baseline(raw.p99_ms),
        Figure::new("Add customer over HTTP: errors", "0", errors).lower_is_better(0.0),
        Figure::new(
            "Add customer over HTTP: answered creates missing from the staging table",
            "0",
            lost,
        )
        .lower_is_better(0.0),
    ])
}

async fn load_run(options: &Options, run: usize) -> Result<LoadRun, String> {
    let dir = TempDir::new().map_err(|error| error.to_string())?;
    let backend = Backend::start(Settings {
        data_dir: dir.path().to_path_buf(),
        seed_demo_users: true,
        ..Settings::default()
    })
    .await
    .map_err(|error| error.to_string())?;
    let addr = serve(backend.clone()).await?;
    let cookie = Arc::new(sign_in(addr, data::CASHIER).await?);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let clients: Vec<_> = (0..options.clients)
        .map(|client| {
            tokio::spawn(client_loop(
                addr,
                cookie.clone(),
                Some(data::REGISTER_KEY),
                format!("{run}c{client}"),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(options.load_duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut load = LoadRun {
        created: 0,
        errors: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
        staged_rows: 0,
    };
    for client in clients {
        let seen = client.await.map_err(|error| error.to_string())?;
        load.created += seen.created;
        load.errors += seen.errors;
        load.latencies.extend(seen.latencies);
    }
    load.elapsed = started.elapsed();
    load.staged_rows = backend
        .channel
        .count_not_uploaded()
        .await
        .map_err(|error| error.to_string())?;
    Ok(load)
}

/// Serves the app on a free local port, as `make run` serves it.
pub async fn serve(backend: Backend) -> Result<SocketAddr, String> {
    let leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
        .map_err(|error| error.to_string())?
        .leptos_options;
    let app = custsync::server::router(AppState {
        leptos_options,
        backend,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| error.to_string())?;
    let addr = listener.local_addr().map_err(|error| error.to_string())?;
    let listener = custsync::server::without_nagle(listener);
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
    Ok(addr)
}

/// What one client saw: creates answered 200, other answers and failed
/// requests, and how long each took.
#[derive(Default)]
pub struct ClientSeen {
    pub created: usize,
    pub errors: usize,
    pub latencies: Vec<Duration>,
}

/// Posts creates at `register` (None: the online store, as a shopper) on
/// one keep-alive connection until `stop`.
pub async fn client_loop(
    addr: SocketAddr,
    cookie: Arc<String>,
    register: Option<&'static str>,
    tag: String,
    stop: Arc<AtomicBool>,
) -> ClientSeen {
    let mut seen = ClientSeen::default();
    let mut connection = None;
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let body = serde_json::json!({
            "register": register,
            "operation_id": OperationId::random(),
            "draft": data::customer(&tag, n),
        })
        .to_string();
        n += 1;
        let started = Instant::now();
        let reply = match connection.as_mut() {
            Some(open) => post(open, CreateCustomer::PATH, JSON, &cookie, &body).await,
            None => match client::connect(addr).await {
                Ok(open) => {
                    let open = connection.insert(open);
                    post(open, CreateCustomer::PATH, JSON, &cookie, &body).await
                }
                Err(error) => Err(error),
            },
        };
        seen.latencies.push(started.elapsed());
        match reply.map(|reply| reply.status) {
            Ok(200) => seen.created += 1,
            Ok(_) => seen.errors += 1,
            Err(_) => {
                seen.errors += 1;
                connection = None;
            }
        }
    }
    seen
}

/// Signs in as one of the demo users; returns the session cookie to send.
pub async fn sign_in(addr: SocketAddr, user_name: &str) -> Result<String, String> {
    let text = |error: std::io::Error| error.to_string();
    let mut connection = client::connect(addr).await.map_err(text)?;
    let reply = client::sign_in(&mut connection, user_name, DEMO_PASSWORD)
        .await
        .map_err(text)?;
    match (reply.status, reply.cookie) {
        (200, Some(cookie)) => Ok(cookie),
        (status, _) => Err(format!("signing in as {user_name} answered {status}")),
    }
}
