//! Add customer in asynchronous mode over HTTP: the real server, the real
//! `create_customer` server function, `clients` keep-alive connections
//! posting creates as fast as the answers come, for a fixed time.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use custsync::api::channel_customers::CreateCustomer;
use custsync::api::sign_in::CurrentUser;
use custsync::domain::operation::OperationId;
use custsync::services::backend::Backend;
use custsync::services::settings::Settings;
use custsync::storage::hq_db::DEMO_PASSWORD;
use leptos::server_fn::ServerFn;
use tempfile::TempDir;

use crate::client::{self, Connection, Reply, get, post};
use crate::report::{Figure, percentile};
use crate::{Options, baseline, data, machine};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
/// The figure the chain of scale units is read against.
pub const CREATES_PER_SECOND: &str = "Add customer over HTTP: creates per second (baseline: the HTTP floor)";

/// One load run: what every client saw.
struct LoadRun {
    answered: usize,
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
    staged_rows: i64,
    /// The CPU time the clients' threads used, as a share of the time the
    /// machine's cores had during the run.
    client_cpu_share: f64,
}

impl LoadRun {
    fn per_second(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64()
    }
}

pub async fn measure(options: &Options) -> Result<Vec<Figure>, String> {
    let mut throughput = Vec::new();
    let mut floor = Vec::new();
    let mut share = Vec::new();
    let mut p99 = Vec::new();
    let mut errors = Vec::new();
    let mut lost = Vec::new();
    let mut client_cpu = Vec::new();
    let mut floor_client_cpu = Vec::new();
    let mut site_files = Vec::new();
    let create = Request::Create {
        register: Some(data::REGISTER_KEY),
    };
    let stylesheet = site_stylesheet();
    for run in 0..options.runs {
        let load = load_run(options, run, create.clone()).await?;
        let bare = load_run(options, run, Request::CurrentUser).await?;
        if let Some(path) = &stylesheet {
            let files = load_run(options, run, Request::SiteFile(path.clone())).await?;
            if files.errors > 0 {
                return Err(format!("{} requests for {path} failed", files.errors));
            }
            site_files.push(files.per_second());
        }
        throughput.push(load.per_second());
        floor.push(bare.per_second());
        client_cpu.push(load.client_cpu_share);
        floor_client_cpu.push(bare.client_cpu_share);
        share.push(load.per_second() / bare.per_second());
        p99.push(percentile(&load.latencies, 0.99).as_secs_f64() * 1000.0);
        errors.push((load.errors + bare.errors) as f64);
        lost.push((load.answered as i64 - load.staged_rows) as f64);
    }
    let single = baseline::single_commits(options).await?;
    let grouped = baseline::group_commits(options).await?;
    let floor_median = crate::report::Summary::of(&floor).median;
    let share_of_grouped = crate::report::Summary::of(&throughput).median / grouped;
    let clients = options.clients;
    Ok(vec![
        Figure::new(
            &format!(
                "HTTP floor: a server function that only reads the session and answers, {clients} clients (requests per second)"
            ),
            "",
            floor,
        ),
        Figure::new(
            &format!(
                "Site file: the stylesheet from the package folder, {clients} clients (requests per second)"
            ),
            "",
            site_files,
        ),
        Figure::new(
            "The load generator's share of the machine's CPU time during Add customer over HTTP",
            "",
            client_cpu,
        ),
        Figure::new(
            "The load generator's share of the machine's CPU time during the HTTP floor",
            "",
            floor_client_cpu,
        ),
        Figure::new(
            &format!(
                "Group-commit floor: the rows of a create (customer, address, contact) by a bare loop, {} creates a transaction (creates per second)",
                baseline::group_size()
            ),
            "",
            vec![grouped],
        ),
        Figure::new(
            "The same rows one create a transaction, bare loop (creates per second)",
            "",
            vec![single.per_second],
        ),
        Figure::new(CREATES_PER_SECOND, ">= 10,000", throughput)
            .higher_is_better(10_000.0)
            .with_baseline(floor_median),
        Figure::new(
            "Add customer over HTTP as a share of the HTTP floor",
            ">= 0.50",
            share,
        )
        .higher_is_better(0.5),
        Figure::new(
            "Add customer over HTTP as a share of the group-commit floor",
            "",
            vec![share_of_grouped],
        ),
        Figure::new(
            "Add customer over HTTP: p99 latency (ms) (baseline: one create a transaction, bare loop)",
            "<= 10",
            p99,
        )
        .lower_is_better(10.0)
        .with_baseline(single.p99_ms),
        Figure::new("Add customer over HTTP: errors", "0", errors).lower_is_better(0.0),
        Figure::new(
            "Add customer over HTTP: answered creates missing from the staging table",
            "0",
            lost,
        )
        .lower_is_better(0.0),
    ])
}

/// `options.clients` clients posting `request` to a fresh server for the
/// load's duration.
async fn load_run(options: &Options, run: usize, request: Request) -> Result<LoadRun, String> {
    let dir = TempDir::new().map_err(|error| error.to_string())?;
    let backend = Backend::start(Settings {
        data_dir: dir.path().to_path_buf(),
        seed_demo_users: true,
        ..Settings::default()
    })
    .await
    .map_err(|error| error.to_string())?;
    let served = serve(backend.clone()).await?;
    let addr = served.addr;
    let cookie = Arc::new(sign_in(addr, data::CASHIER).await?);
    let clients_runtime = clients_runtime()?;
    let stop = Arc::new(AtomicBool::new(false));
    let clients_cpu_before = machine::cpu_seconds(CLIENT_THREADS)?;
    let started = Instant::now();
    let clients: Vec<_> = (0..options.clients)
        .map(|client| {
            clients_runtime.spawn(client_loop(
                addr,
                cookie.clone(),
                request.clone(),
                format!("{run}c{client}"),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(options.load_duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut load = LoadRun {
        answered: 0,
        errors: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
        staged_rows: 0,
        client_cpu_share: 0.0,
    };
    for client in clients {
        let seen = client.await.map_err(|error| error.to_string())?;
        load.answered += seen.answered;
        load.errors += seen.errors;
        load.latencies.extend(seen.latencies);
    }
    load.elapsed = started.elapsed();
    let clients_cpu_after = machine::cpu_seconds(CLIENT_THREADS)?;
    clients_runtime.shutdown_background();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    load.client_cpu_share = (clients_cpu_after - clients_cpu_before) / (load.elapsed.as_secs_f64() * cores);
    load.staged_rows = backend
        .channel
        .count_not_uploaded()
        .await
        .map_err(|error| error.to_string())?;
    served.stop().await?;
    Ok(load)
}

/// The name of the clients' threads, whose CPU time is the load
/// generator's.
const CLIENT_THREADS: &str = "bench-client";

/// The clients run on threads of their own, as a separate load generator
/// would, so that their CPU time can be told apart from the server's.
fn clients_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(CLIENT_THREADS)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())
}

/// The path of the site's stylesheet, as pages name it; none before the
/// site is built.
fn site_stylesheet() -> Option<String> {
    let options = leptos::prelude::get_configuration(Some("Cargo.toml"))
        .ok()?
        .leptos_options;
    let folder = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    std::fs::read_dir(&folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(&format!("{}.", options.output_name)) && name.ends_with(".css"))
        .map(|name| format!("/{}/{name}", options.site_pkg_dir))
}

/// The app served on a local port, until `stop`.
pub struct Served {
    pub addr: SocketAddr,
    backend: Backend,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// Stops accepting requests and closes the backend's databases. A run
    /// that left its server up kept a whole backend alive (its pools, its
    /// staging writer's thread) for the rest of the bench. Closing waits for
    /// the requests still running; one that never ends stops the bench
    /// with a message instead of hanging it.
    pub async fn stop(self) -> Result<(), String> {
        self.server.abort();
        let _ = self.server.await;
        tokio::time::timeout(ANSWER_TIMEOUT, self.backend.close())
            .await
            .map_err(|_| "the server's databases did not close: a request never ended".to_string())
    }
}

/// Serves the app on a free local port, as `make run` serves it.
pub async fn serve(backend: Backend) -> Result<Served, String> {
    let leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
        .map_err(|error| error.to_string())?
        .leptos_options;
    let app = custsync::server::router(leptos_options, backend.clone());
    let listener =
        custsync::server::listen(SocketAddr::from(([127, 0, 0, 1], 0))).map_err(|error| error.to_string())?;
    let addr = listener.local_addr().map_err(|error| error.to_string())?;
    let listener = custsync::server::without_nagle(listener);
    let server = tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
    Ok(Served {
        addr,
        backend,
        server,
    })
}

/// What one client saw: requests answered 200, other answers and failed
/// requests, and how long each took.
#[derive(Default)]
pub struct ClientSeen {
    pub answered: usize,
    pub errors: usize,
    pub latencies: Vec<Duration>,
}

/// What a client sends, again and again.
#[derive(Debug, Clone)]
pub enum Request {
    /// Add customer at a register (None: the online store, as a shopper).
    Create { register: Option<&'static str> },
    /// The HTTP floor: a server function that reads the session and
    /// answers who is signed in, nothing else.
    CurrentUser,
    /// A file of the site's package folder at this path, as a browser gets
    /// it.
    SiteFile(String),
}

impl Request {
    /// Sends the `n`-th request of client `tag` on `connection`.
    async fn send(
        &self,
        connection: &mut Connection,
        cookie: &str,
        tag: &str,
        n: usize,
    ) -> std::io::Result<Reply> {
        match self {
            Request::Create { register } => {
                let body = serde_json::json!({
                    "register": register,
                    "operation_id": OperationId::random(),
                    "draft": data::customer(tag, n),
                });
                post(connection, CreateCustomer::PATH, JSON, cookie, &body.to_string()).await
            }
            Request::CurrentUser => post(connection, CurrentUser::PATH, FORM, cookie, "").await,
            Request::SiteFile(path) => get(connection, path, cookie).await,
        }
    }
}

/// A request not answered by then counts as an error, and the client
/// carries on on a new connection: a server that stopped answering shows
/// in the errors row instead of a bench that never ends.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Posts `request` on one keep-alive connection until `stop`.
pub async fn client_loop(
    addr: SocketAddr,
    cookie: Arc<String>,
    request: Request,
    tag: String,
    stop: Arc<AtomicBool>,
) -> ClientSeen {
    let mut seen = ClientSeen::default();
    let mut connection = None;
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let nth = n;
        n += 1;
        let started = Instant::now();
        let answer = async {
            match connection.as_mut() {
                Some(open) => request.send(open, &cookie, &tag, nth).await,
                None => {
                    let open = connection.insert(client::connect(addr).await?);
                    request.send(open, &cookie, &tag, nth).await
                }
            }
        };
        let reply = tokio::time::timeout(ANSWER_TIMEOUT, answer)
            .await
            .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()));
        seen.latencies.push(started.elapsed());
        match reply.map(|reply| reply.status) {
            Ok(200) => seen.answered += 1,
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
