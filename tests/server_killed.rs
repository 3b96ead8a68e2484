//! The server itself killed under load: the real custsync binary serving
//! 32 cashiers' clients that add customers over HTTP, killed with SIGKILL
//! at a random moment, then started again on the same files, round after
//! round. After each restart, every create that was answered 200 is staged
//! exactly once, with its address: a customer the cashier saw saved
//! survives the crash.
//!
//! `make test` kills the server 3 times; `make soak` 10 times
//! (`CUSTSYNC_KILLS`).

mod common;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::client::{Connection, connect, post, sign_in};
use custsync::api::channel_customers::CreateCustomer;
use custsync::domain::customer::{CreatedCustomer, CustomerDraft};
use custsync::domain::operation::OperationId;
use custsync::storage::hq_db::DEMO_PASSWORD;
use leptos::server_fn::ServerFn;
use sqlx::{Connection as _, SqliteConnection};

const CLIENTS: usize = 32;

fn kills() -> usize {
    std::env::var("CUSTSYNC_KILLS")
        .ok()
        .and_then(|kills| kills.parse().ok())
        .unwrap_or(3)
}

fn free_address() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address")
}

/// A new server process on `data_dir`, with the defaults of a fresh
/// install (no settings file) and no simulated HQ latency.
fn start_server(data_dir: &Path, addr: SocketAddr) -> Child {
    Command::new(env!("CARGO_BIN_EXE_custsync"))
        .current_dir(data_dir)
        .env("LEPTOS_OUTPUT_NAME", "custsync")
        .env("LEPTOS_SITE_ROOT", data_dir)
        .env("LEPTOS_SITE_ADDR", addr.to_string())
        .env("CUSTSYNC_DATA_DIR", data_dir)
        .env("CUSTSYNC_HQ_LATENCY_MS", "0")
        .env("CUSTSYNC_SEED_DEMO_USERS", "true")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

/// Signs the Seattle cashier in once the server answers; its session cookie.
async fn sign_in_when_up(addr: SocketAddr) -> String {
    for _ in 0..600 {
        if let Ok(mut connection) = connect(addr).await
            && let Ok(reply) = sign_in(&mut connection, "seattle", DEMO_PASSWORD).await
        {
            assert_eq!(reply.status, 200, "{}", reply.body);
            return reply.cookie.expect("a session cookie");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not answer within 30 s");
}

/// What one cashier saw until the server died: the creates answered 200.
async fn cashier(addr: SocketAddr, cookie: String, round: usize, client: usize) -> Vec<String> {
    let mut saved = Vec::new();
    let Ok(mut connection) = connect(addr).await else {
        return saved;
    };
    for n in 0.. {
        match add_customer(&mut connection, &cookie, round, client, n).await {
            Ok(temporary_id) => saved.push(temporary_id),
            Err(_) => return saved,
        }
    }
    saved
}

async fn add_customer(
    connection: &mut Connection,
    cookie: &str,
    round: usize,
    client: usize,
    n: usize,
) -> std::io::Result<String> {
    let draft = CustomerDraft {
        first_name: "Killed".into(),
        last_name: format!("Round{round}Client{client}No{n}"),
        addresses: vec![common::calls::address()],
        ..CustomerDraft::default()
    };
    let body = serde_json::json!({"register": "2-1", "operation_id": OperationId::random(), "draft": draft});
    let reply = post(
        connection,
        CreateCustomer::PATH,
        "application/json",
        cookie,
        &body.to_string(),
    )
    .await?;
    assert_eq!(
        reply.status, 200,
        "a create is answered 200 or not at all: {}",
        reply.body
    );
    let created: CreatedCustomer = serde_json::from_str(&reply.body).expect("a created customer");
    Ok(created
        .temporary_id()
        .expect("staged in asynchronous mode")
        .to_string())
}

/// A random pause of 150 to 900 ms, so the kill lands anywhere in the
/// writer's groups.
fn random_moment() -> Duration {
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    Duration::from_millis(150 + random % 750)
}

/// How many of `temporary_ids` are staged as creates, and how many of
/// them have their address row.
async fn staged_whole(data_dir: &Path, temporary_ids: &[String]) -> (i64, i64) {
    let url = format!("sqlite://{}", data_dir.join("channel.db").display());
    let mut db = SqliteConnection::connect(&url)
        .await
        .expect("the channel database");
    let ids = serde_json::to_string(temporary_ids).expect("ids");
    let creates = sqlx::query_scalar(
        "SELECT COUNT(*) FROM json_each(?) j
         JOIN RETAILASYNCCUSTOMERV2 o ON o.temporary_id = j.value AND o.operation = 'create'",
    )
    .bind(&ids)
    .fetch_one(&mut db)
    .await
    .expect("counted");
    let addresses = sqlx::query_scalar(
        "SELECT COUNT(*) FROM json_each(?) j JOIN RETAILASYNCADDRESSV2 a ON a.temporary_id = j.value",
    )
    .bind(&ids)
    .fetch_one(&mut db)
    .await
    .expect("counted");
    db.close().await.expect("closed");
    (creates, addresses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_create_answered_before_a_sigkill_is_staged_once_after_the_restart() {
    let dir = tempfile::tempdir().expect("a data directory");
    let mut saved: Vec<String> = Vec::new();
    for round in 0..=kills() {
        let addr = free_address();
        let mut server = start_server(dir.path(), addr);
        let cookie = sign_in_when_up(addr).await;
        assert_eq!(
            staged_whole(dir.path(), &saved).await,
            (saved.len() as i64, saved.len() as i64),
            "after restart {round}, every create answered before a kill is staged once, whole"
        );
        if round == kills() {
            server.kill().expect("stopped");
            server.wait().expect("gone");
            break;
        }

        let cashiers: Vec<_> = (0..CLIENTS)
            .map(|client| tokio::spawn(cashier(addr, cookie.clone(), round, client)))
            .collect();
        let moment = random_moment();
        tokio::time::sleep(moment).await;
        server.kill().expect("killed");
        server.wait().expect("gone");
        let mut answered = 0;
        for handle in cashiers {
            let ids = handle.await.expect("a cashier");
            answered += ids.len();
            saved.extend(ids);
        }
        assert!(
            answered > 0,
            "round {round}: creates were answered before the kill at {moment:?}"
        );
    }
}
