//! Load over real HTTP: 32 cashiers' clients adding customers for a few
//! seconds (no request fails, and every customer whose create was answered
//! is staged afterwards, once), and a flood of sign-ins from one address,
//! refused before it can hold up a cashier signing in elsewhere.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::tcp::{connect, connect_from, post, sign_in};
use custsync::customer_page::CreateCustomer;
use custsync::domain::customer::{CreatedCustomer, CustomerDraft};
use custsync::domain::operation::OperationId;
use custsync::hq_db::DEMO_PASSWORD;
use leptos::server_fn::ServerFn;

const CLIENTS: usize = 32;
const DURATION: Duration = Duration::from_secs(3);

/// Serves the app on a free local port, over real TCP.
async fn serve(backend: custsync::backend::Backend) -> SocketAddr {
    let app = common::http::router(backend);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("its address");
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
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
    let mut stream = connect(addr).await.expect("connected");
    let mut created = Vec::new();
    let mut failures = 0;
    let mut n = 0;
    while Instant::now() < until {
        let body = serde_json::json!({"register": "2-1", "operation_id": OperationId::random(), "draft": customer(client, n)}).to_string();
        n += 1;
        let reply = post(
            &mut stream,
            CreateCustomer::PATH,
            "application/json",
            &cookie,
            &body,
        )
        .await
        .expect("an answer");
        if reply.status != 200 {
            failures += 1;
            continue;
        }
        let answer: CreatedCustomer = serde_json::from_str(&reply.body).expect("a created customer");
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
    let mut stream = connect(addr).await.expect("connected");
    let reply = sign_in(&mut stream, "seattle", DEMO_PASSWORD)
        .await
        .expect("an answer");
    assert_eq!(reply.status, 200);
    let cookie = reply.cookie.expect("a session cookie");

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

/// Tries to sign in as `user_name` from `from`; the reply, if any.
async fn sign_in_from(
    addr: SocketAddr,
    from: [u8; 4],
    user_name: &str,
    password: &str,
) -> Option<common::tcp::Reply> {
    let mut connection = connect_from(from.into(), addr).await.ok()?;
    sign_in(&mut connection, user_name, password).await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_from_one_address_is_refused_and_a_cashier_elsewhere_signs_in_within_a_second() {
    let test = common::start().await;
    let addr = serve(test.backend.clone()).await;
    let flood: Vec<_> = (0..200)
        .map(|n| {
            tokio::spawn(
                async move { sign_in_from(addr, [127, 0, 0, 1], "admin", &format!("guess{n}")).await },
            )
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;

    let started = Instant::now();
    let cashier = sign_in_from(addr, [127, 0, 0, 2], "seattle", DEMO_PASSWORD)
        .await
        .expect("an answer");
    let took = started.elapsed();
    assert_eq!(cashier.status, 200, "{}", cashier.body);
    assert!(took < Duration::from_secs(1), "the cashier waited {took:?}");

    let mut refused = 0;
    for attempt in flood {
        let reply = attempt.await.expect("a flood task").expect("an answer");
        assert!(
            matches!(reply.status, 422 | 429),
            "{}: {}",
            reply.status,
            reply.body
        );
        if reply.status == 429 {
            refused += 1;
            assert!(
                reply.retry_after.is_some_and(|seconds| seconds >= 1),
                "{}",
                reply.body
            );
            assert!(reply.body.contains("Try again"), "{}", reply.body);
        }
    }
    assert!(
        refused >= 180,
        "most of the flood is refused before a hash: {refused}"
    );
    let again = sign_in_from(addr, [127, 0, 0, 1], "admin", DEMO_PASSWORD)
        .await
        .expect("an answer");
    assert_eq!(again.status, 429, "even the right password waits: {}", again.body);
}
