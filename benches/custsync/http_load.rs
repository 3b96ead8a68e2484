//! Add customer in asynchronous mode over HTTP: the real server, the real
//! `create_customer` server function, `clients` keep-alive connections
//! posting creates as fast as the answers come, for a fixed time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use custsync::api::app_state::AppState;
use custsync::domain::operation::OperationId;
use custsync::services::backend::Backend;
use custsync::services::settings::Settings;
use custsync::storage::hq_db::DEMO_PASSWORD;
use custsync::views::customer_page::CreateCustomer;
use custsync::views::sign_in::SignIn;
use leptos::server_fn::ServerFn;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::report::{Figure, percentile};
use crate::{Options, baseline, data};

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

#[derive(Default)]
struct ClientSeen {
    created: usize,
    errors: usize,
    latencies: Vec<Duration>,
}

async fn client_loop(
    addr: SocketAddr,
    cookie: Arc<String>,
    tag: String,
    stop: Arc<AtomicBool>,
) -> ClientSeen {
    let mut seen = ClientSeen::default();
    let mut connection = None;
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let body = serde_json::json!({
            "register": data::REGISTER_KEY,
            "operation_id": OperationId::random(),
            "draft": data::customer(&tag, n),
        })
        .to_string();
        n += 1;
        let started = Instant::now();
        let status = match connection.as_mut() {
            Some(stream) => post(stream, CreateCustomer::PATH, &body, &cookie).await,
            None => match TcpStream::connect(addr).await {
                Ok(stream) => {
                    let stream = connection.insert(BufReader::new(stream));
                    post(stream, CreateCustomer::PATH, &body, &cookie).await
                }
                Err(error) => Err(error),
            },
        };
        seen.latencies.push(started.elapsed());
        match status.map(|answer| answer.status) {
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
    let mut stream = BufReader::new(TcpStream::connect(addr).await.map_err(text)?);
    let body = format!("user_name={user_name}&password={DEMO_PASSWORD}");
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Accept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        SignIn::PATH,
        body.len()
    );
    let answer = exchange(&mut stream, &request).await.map_err(text)?;
    match (answer.status, answer.session_cookie) {
        (200, Some(cookie)) => Ok(cookie),
        (status, _) => Err(format!("signing in as {user_name} answered {status}")),
    }
}

/// Posts a JSON body over a keep-alive HTTP/1.1 connection and reads the
/// whole answer.
async fn post(
    stream: &mut BufReader<TcpStream>,
    path: &str,
    body: &str,
    cookie: &str,
) -> std::io::Result<Answer> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(stream, &request).await
}

/// Gets a page as a browser would, on `connection` (opened when none), and
/// reads the whole streamed answer; returns its status.
pub async fn get(
    addr: SocketAddr,
    connection: &mut Option<BufReader<TcpStream>>,
    path: &str,
    cookie: &str,
) -> std::io::Result<u16> {
    let stream = match connection {
        Some(stream) => stream,
        None => connection.insert(BufReader::new(TcpStream::connect(addr).await?)),
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n");
    exchange(stream, &request).await.map(|answer| answer.status)
}

/// What an exchange read of an answer: its status, and the session cookie
/// it set, if any.
struct Answer {
    status: u16,
    session_cookie: Option<String>,
}

async fn exchange(stream: &mut BufReader<TcpStream>, request: &str) -> std::io::Result<Answer> {
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(format!("no status line in {line:?}")))?;
    let mut length = 0;
    let mut chunked = false;
    let mut session_cookie = None;
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(invalid("connection closed in the headers".to_string()));
        }
        if line == "\r\n" {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .trim()
                .parse()
                .map_err(|_| invalid(format!("bad length {value:?}")))?;
        } else if name.eq_ignore_ascii_case("set-cookie") {
            session_cookie = value.trim().split(';').next().map(str::to_string);
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            && value.trim().eq_ignore_ascii_case("chunked")
        {
            chunked = true;
        }
    }
    if chunked {
        read_chunks(stream).await?;
    } else {
        let mut answer = vec![0; length];
        stream.read_exact(&mut answer).await?;
    }
    Ok(Answer {
        status,
        session_cookie,
    })
}

/// Reads a chunked body to its last, empty chunk.
async fn read_chunks(stream: &mut BufReader<TcpStream>) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
        let mut chunk = vec![0; size + 2];
        stream.read_exact(&mut chunk).await?;
        if size == 0 {
            return Ok(());
        }
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}
