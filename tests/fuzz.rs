//! Random and malformed requests to every server function, as every user:
//! none may end in a server error, and none that is refused may write.

mod common;

use axum::http::StatusCode;
use common::calls::{USERS, calls, cookies};
use common::http::{FORM, JSON, WebApp};
use custsync::api::hq::jobs::RunJob;
use custsync::api::hq::sync_status::{LoadOperationDetail, LoadStatusPage};
use custsync::api::hq::troubleshoot::FindSale;
use custsync::api::hq::users::SignOutEverywhere;
use custsync::api::sign_in::SignIn;
use custsync::domain::jobs::Job;
use custsync::domain::status_page::StatusView;
use leptos::server_fn::ServerFn;

/// Payloads per server function; with about forty functions, a few thousand.
const PAYLOADS_PER_FUNCTION: usize = 100;

/// A small deterministic generator (xorshift64*), so a failure repeats.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const AWKWARD_TEXT: &[&str] = &[
    "",
    " ",
    "'; DROP TABLE customers; --",
    "<script>alert(1)</script>",
    "%00",
    "\u{0}",
    "\u{202e}gnp.exe",
    "😀😀😀",
    "null",
    "-1",
    "99999999999999999999999",
    "1-1",
    "2-1",
    "C000001",
    "1010",
];

fn random_text(random: &mut Random) -> String {
    match random.below(4) {
        0 => random.pick(AWKWARD_TEXT).to_string(),
        1 => "x".repeat(random.below(20_000)),
        2 => (0..random.below(40))
            .map(|_| char::from_u32(random.below(0x3000) as u32).unwrap_or('?'))
            .collect(),
        _ => (0..random.below(12))
            .map(|_| char::from(b'a' + random.below(26) as u8))
            .collect(),
    }
}

fn random_json(random: &mut Random, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    match random.below(if depth == 0 { 4 } else { 6 }) {
        0 => Value::Null,
        1 => Value::Bool(random.below(2) == 1),
        2 => serde_json::json!(random.next() as i64),
        3 => Value::String(random_text(random)),
        4 => Value::Array(
            (0..random.below(4))
                .map(|_| random_json(random, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..random.below(5))
                .map(|_| {
                    let key = random
                        .pick(&[
                            "register",
                            "draft",
                            "key",
                            "address",
                            "view",
                            "operation_ids",
                            "operation_id",
                            "first_name",
                            "x",
                        ])
                        .to_string();
                    (key, random_json(random, depth - 1))
                })
                .collect(),
        ),
    }
}

/// A valid body with one JSON string or number replaced, or its text mangled.
fn mutated(random: &mut Random, valid: &str) -> String {
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(valid) {
        replace_one_leaf(random, &mut value);
        return value.to_string();
    }
    let mut text: Vec<char> = valid.chars().collect();
    for _ in 0..=random.below(4) {
        let at = random.below(text.len() + 1);
        match random.below(3) {
            0 if at < text.len() => {
                text.remove(at);
            }
            1 => text.insert(at, *random.pick(&['=', '&', '%', '+', '\u{0}', 'é'])),
            _ => text
                .splice(at..at, random_text(random).chars().take(5_000))
                .for_each(drop),
        }
    }
    text.into_iter().collect()
}

fn replace_one_leaf(random: &mut Random, value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) if !map.is_empty() => {
            let index = random.below(map.len());
            if let Some((_, child)) = map.iter_mut().nth(index) {
                replace_one_leaf(random, child);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let index = random.below(items.len());
            replace_one_leaf(random, &mut items[index]);
        }
        leaf => *leaf = random_json(random, 2),
    }
}

fn random_bytes(random: &mut Random) -> Vec<u8> {
    (0..random.below(600)).map(|_| random.next() as u8).collect()
}

/// One payload for a function whose valid body is `valid`, with its
/// content type.
fn payload(random: &mut Random, valid: &str, content_type: &'static str) -> (&'static str, Vec<u8>) {
    let body = match random.below(6) {
        0 => random_bytes(random),
        1 => random_json(random, 4).to_string().into_bytes(),
        2 => format!("{}={}", random_text(random), random_text(random)).into_bytes(),
        // Larger than any request may be.
        3 if random.below(10) == 0 => vec![b'a'; 70 * 1024],
        _ => mutated(random, valid).into_bytes(),
    };
    let content_type = match random.below(8) {
        0 => "text/plain",
        1 => {
            if content_type == JSON {
                FORM
            } else {
                JSON
            }
        }
        _ => content_type,
    };
    (content_type, body)
}

/// Mostly a user the function allows, so that most payloads reach its
/// checks of the arguments; now and then anyone, or nobody.
fn caller(random: &mut Random, allowed: &[&str]) -> usize {
    if allowed.is_empty() || random.below(5) == 0 {
        return random.below(USERS.len());
    }
    let user = random.pick(allowed);
    USERS.iter().position(|u| u == user).unwrap_or_default()
}

/// Waits until a job started in the background has finished writing.
async fn until_jobs_finish(app: &WebApp) {
    for _ in 0..400 {
        let mut running = false;
        for job in Job::ALL {
            let runs = app
                .test
                .backend
                .hq
                .job_runs(job.code(), 1)
                .await
                .expect("job runs");
            running |= runs.first().is_some_and(|run| run.is_running());
        }
        if !running {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("a job started by the fuzz run did not finish");
}

/// A run whose end the history shows writes nothing more (the backlog's
/// closing sample, its lease): the fuzz run below waits for that end, then
/// checks that a refused request wrote nothing, and once saw the run's last
/// writes land in the middle.
#[tokio::test]
async fn a_run_writes_nothing_once_its_end_shows() {
    let app = WebApp::start().await;
    let backend = &app.test.backend;
    let (run_id, task) = backend.jobs.start(Job::SyncCustomers, "test").await.unwrap();
    let mut watch = app.write_watch().await;
    let ended = loop {
        let runs = backend.hq.job_runs(Job::SyncCustomers.code(), 1).await.unwrap();
        if runs
            .first()
            .is_some_and(|run| run.run_id == run_id && !run.is_running())
        {
            break watch.versions().await;
        }
        tokio::task::yield_now().await;
    };
    task.await.unwrap().unwrap();
    assert_eq!(watch.versions().await, ended);
}

#[tokio::test]
async fn random_and_malformed_payloads_never_fail_the_server_and_refusals_write_nothing() {
    let app = WebApp::start().await;
    let cookies = cookies(&app).await;
    let mut watch = app.write_watch().await;
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let mut sent = 0;
    let mut calls = calls("00000000-0000-4000-8000-000000000001");
    calls.push(common::calls::Call {
        name: "sign_in",
        path: SignIn::PATH,
        content_type: FORM,
        body: "user_name=admin&password=custsync".into(),
        allowed: &[],
        shows: "",
        writes: &[],
    });
    for call in &calls {
        for _ in 0..PAYLOADS_PER_FUNCTION {
            let who = caller(&mut random, call.allowed);
            let (content_type, body) = payload(&mut random, &call.body, call.content_type);
            let shown = String::from_utf8_lossy(&body)
                .chars()
                .take(300)
                .collect::<String>();
            let before = watch.versions().await;
            let answer = app.post(call.path, content_type, body, &cookies[who]).await;
            sent += 1;
            assert!(
                !answer.status.is_server_error(),
                "{} as {:?} answered {} to {content_type} {shown:?}: {}",
                call.name,
                USERS[who],
                answer.status,
                answer.body
            );
            if answer.status.is_success() {
                if call.path == RunJob::PATH {
                    until_jobs_finish(&app).await;
                }
            } else {
                assert!(
                    answer.status.is_client_error(),
                    "{} answered {}",
                    call.name,
                    answer.status
                );
                assert_eq!(
                    watch.versions().await,
                    before,
                    "{} as {:?} was refused ({}) but wrote, for {shown:?}",
                    call.name,
                    USERS[who],
                    answer.status
                );
            }
        }
    }
    assert!(sent >= 3_000, "{sent} payloads");
    // As a user the fuzz never signs in as: its mutated sign-ins for admin
    // may have spent admin's allowance of failures, as they should.
    assert_eq!(
        app.post(SignIn::PATH, FORM, "user_name=seattle&password=custsync", "")
            .await
            .status,
        StatusCode::OK,
        "the server still answers"
    );
}

/// A NUL, which no key, name or search holds and PostgreSQL's text cannot
/// store, is refused beside the field or as a bad request on every engine,
/// before HQ is asked; on PostgreSQL it once made each of these a 500.
#[tokio::test]
async fn a_nul_in_a_key_a_user_name_or_a_search_is_refused_as_the_clients_mistake() {
    let app = WebApp::start().await;
    let admin = app.sign_in("admin").await;
    let nul_key = "C%00";
    let requests = [
        (SignIn::PATH, FORM, "user_name=a%00&password=x".to_string(), ""),
        (FindSale::PATH, FORM, format!("receipt={nul_key}"), admin.as_str()),
        (
            LoadOperationDetail::PATH,
            FORM,
            format!("operation_id={nul_key}"),
            admin.as_str(),
        ),
        (
            SignOutEverywhere::PATH,
            FORM,
            format!("user_name={nul_key}"),
            admin.as_str(),
        ),
        (
            LoadStatusPage::PATH,
            JSON,
            serde_json::json!({"view": StatusView { search: "\u{0}".into(), ..StatusView::default() }})
                .to_string(),
            admin.as_str(),
        ),
    ];
    for (path, content_type, body, cookie) in requests {
        let answer = app.post(path, content_type, body.clone(), cookie).await;
        assert!(
            answer.status.is_client_error(),
            "{path} {body:?}: {} {}",
            answer.status,
            answer.body
        );
        assert!(
            answer.body.contains("control characters"),
            "{path}: {}",
            answer.body
        );
    }
    let export = app
        .get("/hq/customer-synchronization-status.csv?q=%00", &admin)
        .await;
    assert_eq!(export.status, StatusCode::BAD_REQUEST, "{}", export.body);
}
