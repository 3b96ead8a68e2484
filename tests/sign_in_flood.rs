//! A flood of sign-ins from one address is refused before it can hold up a
//! cashier signing in elsewhere. A test binary of its own: its time bound
//! must not share the machine with the load of `tests/load.rs`.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::client::{connect_from, sign_in};
use common::http::serve;
use custsync::storage::hq_db::DEMO_PASSWORD;

/// Tries to sign in as `user_name` from `from`; the reply, if any.
async fn sign_in_from(
    addr: SocketAddr,
    from: [u8; 4],
    user_name: &str,
    password: &str,
) -> Option<common::client::Reply> {
    let mut connection = connect_from(from.into(), addr).await.ok()?;
    sign_in(&mut connection, user_name, password).await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_from_one_address_is_refused_and_a_cashier_elsewhere_is_not_queued_behind_it() {
    let test = common::start().await;
    let addr = serve(test.backend.clone()).await;
    // One sign-in first, so that the one timed below is not the server's
    // first (its session table and files are warm, as on a running store),
    // and so that the bound below is counted in this machine's own sign-ins:
    // a fixed second failed on a slower CI machine.
    let started = Instant::now();
    let warm_up = sign_in_from(addr, [127, 0, 0, 3], "houston", DEMO_PASSWORD)
        .await
        .expect("an answer");
    let one_sign_in = started.elapsed();
    assert_eq!(warm_up.status, 200, "{}", warm_up.body);
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
    // At most one address's burst of checks can be ahead of the cashier,
    // two at a time: about four sign-ins' time. Queued behind the whole
    // flood it would be a hundred.
    assert!(
        took < one_sign_in * 10,
        "the cashier waited {took:?}, one sign-in takes {one_sign_in:?}"
    );

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
