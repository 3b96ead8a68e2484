//! Load over real HTTP: 32 cashiers' clients adding customers for a few
//! seconds; no request fails, and every customer whose create was answered
//! is staged afterwards, once.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::client::{connect, post, sign_in};
use common::http::serve;
use custsync::api::channel_customers::CreateCustomer;
use custsync::domain::customer::{CreatedCustomer, CustomerDraft};
use custsync::domain::operation::OperationId;
use custsync::storage::hq_db::DEMO_PASSWORD;
use leptos::server_fn::ServerFn;

const CLIENTS: usize = 32;
const DURATION: Duration = Duration::from_secs(3);

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
