//! A short load run over real HTTP: 32 cashiers' clients adding customers
//! for a few seconds. No request fails, and every customer whose create was
//! answered is staged afterwards, once.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use custsync::customer::{CreatedCustomer, CustomerDraft};
use custsync::customer_page::CreateCustomer;
use custsync::hq_db::DEMO_PASSWORD;
use custsync::operation::OperationId;
use custsync::sign_in::SignIn;
use leptos::server_fn::ServerFn;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const CLIENTS: usize = 32;
const DURATION: Duration = Duration::from_secs(3);

/// Serves the app on a free local port, over real TCP.
async fn serve(backend: custsync::backend::Backend) -> SocketAddr {
    let app = common::http::router(backend);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
    addr
}

/// One answer on a keep-alive connection: status, session cookie, body.
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    path: &str,
    content_type: &str,
    cookie: &str,
    body: &str,
) -> (u16, Option<String>, String) {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nAccept: application/json\r\n\
         Cookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .expect("sent");
    let mut line = String::new();
    stream.read_line(&mut line).await.expect("a status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    let mut length = 0;
    let mut cookie = None;
    loop {
        line.clear();
        stream.read_line(&mut line).await.expect("a header");
        if line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header line");
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().expect("a length");
        } else if name.eq_ignore_ascii_case("set-cookie") {
            cookie = value.trim().split(';').next().map(str::to_string);
        }
        assert!(
            !name.eq_ignore_ascii_case("transfer-encoding"),
            "server functions answer with a length"
        );
    }
    let mut answer = vec![0; length];
    stream.read_exact(&mut answer).await.expect("the body");
    (status, cookie, String::from_utf8_lossy(&answer).into_owned())
}

async fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    BufReader::new(TcpStream::connect(addr).await.expect("connected"))
}

fn customer(client: usize, n: usize) -> CustomerDraft {
    CustomerDraft {
        first_name: "Load".into(),
        last_name: format!("Client{client}No{n}"),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        ..CustomerDraft::default()
    }
}

/// Adds customers until the time is up; returns the temporary ids the
/// server answered with, and how many requests failed.
async fn client(addr: SocketAddr, cookie: String, client: usize, until: Instant) -> (Vec<String>, usize) {
    let mut stream = connect(addr).await;
    let mut created = Vec::new();
    let mut failures = 0;
    let mut n = 0;
    while Instant::now() < until {
        let body = serde_json::json!({"register": "2-1", "operation_id": OperationId::random(), "draft": customer(client, n)}).to_string();
        n += 1;
        let (status, _, answer) = exchange(
            &mut stream,
            CreateCustomer::PATH,
            "application/json",
            &cookie,
            &body,
        )
        .await;
        if status != 200 {
            failures += 1;
            continue;
        }
        let answer: CreatedCustomer = serde_json::from_str(&answer).expect("a created customer");
        created.push(
            answer
                .temporary_id()
                .expect("staged in asynchronous mode")
                .to_string(),
        );
    }
    (created, failures)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_clients_add_customers_without_an_error_and_all_are_staged() {
    let test = common::start().await;
    let addr = serve(test.backend.clone()).await;
    let mut stream = connect(addr).await;
    let (status, cookie, _) = exchange(
        &mut stream,
        SignIn::PATH,
        "application/x-www-form-urlencoded",
        "",
        &format!("user_name=seattle&password={DEMO_PASSWORD}"),
    )
    .await;
    assert_eq!(status, 200);
    let cookie = cookie.expect("a session cookie");

    let until = Instant::now() + DURATION;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| tokio::spawn(client(addr, cookie.clone(), n, until)))
        .collect();
    let mut created = Vec::new();
    let mut failures = 0;
    for handle in clients {
        let (ids, failed) = handle.await.expect("a client");
        created.extend(ids);
        failures += failed;
    }

    assert_eq!(failures, 0, "no request failed");
    assert!(
        created.len() >= CLIENTS,
        "every client added customers ({})",
        created.len()
    );
    let unique: HashSet<&String> = created.iter().collect();
    assert_eq!(unique.len(), created.len(), "each answer names its own customer");
    let staged = test.backend.channel.count_not_uploaded().await.expect("count");
    assert_eq!(
        staged,
        created.len() as i64,
        "every answered create is staged once"
    );
    for id in &created {
        assert!(
            test.backend
                .channel
                .staged_create(id)
                .await
                .expect("read")
                .is_some(),
            "{id} is staged"
        );
    }
}
