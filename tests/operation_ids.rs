//! The operation id the browser makes when a customer, an edit or an
//! address is first saved: the same operation sent twice (in turn, or at
//! once from two tabs) is carried out once and answered alike, staged or
//! real-time; the same id with other values is refused and writes nothing.

mod common;

use axum::http::StatusCode;
use common::http::{JSON, WebApp};
use custsync::api::channel_customers::{AddCustomerAddress, CreateCustomer, EditCustomer};
use custsync::domain::customer::{AddressDraft, ChangeOutcome, CreatedHow, CustomerDraft};
use custsync::domain::features::Feature;
use custsync::domain::jobs::Job;
use custsync::domain::operation::OperationId;
use custsync::domain::registers::Origin;
use custsync::services::backend::Backend;
use custsync::services::channel_customers::{
    CustomerError, add_address, create_customer, edit_customer, find_customer,
};
use custsync::services::feature_management::change_feature;
use leptos::server_fn::ServerFn;
use serde_json::json;

const HOUSTON: Origin = Origin::Register {
    channel_id: 1,
    register_number: 1,
};

fn person(first: &str) -> CustomerDraft {
    CustomerDraft {
        first_name: first.into(),
        last_name: "Once".into(),
        email: format!("{}.once@example.com", first.to_lowercase()),
        ..CustomerDraft::default()
    }
}

fn address(street: &str) -> AddressDraft {
    AddressDraft {
        name: "Home".into(),
        purpose: "Home".into(),
        street: street.into(),
        city: "Houston".into(),
        state: "TX".into(),
        zip: "77002".into(),
        country_region: "USA".into(),
        primary: false,
    }
}

async fn staged_count(backend: &Backend) -> i64 {
    backend.channel.count_not_uploaded().await.unwrap()
}

async fn run(backend: &Backend, job: Job) {
    backend.jobs.run(job, "test").await.unwrap();
}

/// Houston's registers call HQ in real time: the option is off in HQ and
/// job 1070 has brought that to the channel.
async fn houston_synchronous(backend: &Backend) {
    backend
        .hq
        .set_async_customer_mode(1, false, "test")
        .await
        .unwrap();
    run(backend, Job::ChannelConfiguration).await;
}

async fn features_on(backend: &Backend, features: &[Feature]) {
    for feature in features {
        change_feature(&backend.hq, *feature, true, "test").await.unwrap();
    }
    run(backend, Job::GlobalConfiguration).await;
}

#[tokio::test]
async fn a_create_sent_twice_in_turn_is_staged_once_and_answered_alike() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let id = OperationId::random();
    let body = json!({"register": "1-1", "operation_id": id, "draft": person("Ana")}).to_string();

    let first = app.post(CreateCustomer::PATH, JSON, body.clone(), &houston).await;
    let again = app.post(CreateCustomer::PATH, JSON, body, &houston).await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!((again.status, &again.body), (first.status, &first.body));
    assert!(
        first.body.contains(id.as_str()),
        "the id is the temporary id: {}",
        first.body
    );
    assert_eq!(staged_count(&app.test.backend).await, 1);
}

#[tokio::test]
async fn a_create_sent_twice_at_once_is_staged_once_and_answered_alike() {
    let app = common::start().await;
    let side = app.backend.channel_side();
    let id = OperationId::random();
    let draft = person("Ben");

    let (first, second) = tokio::join!(
        create_customer(&side, HOUSTON, &id, &draft),
        create_customer(&side, HOUSTON, &id, &draft),
    );

    let first = first.expect("the first is staged");
    assert_eq!(second.expect("the second is answered alike"), first);
    assert_eq!(first.temporary_id(), Some(id.as_str()));
    assert_eq!(staged_count(&app.backend).await, 1);

    run(&app.backend, Job::Upload).await;
    run(&app.backend, Job::SyncCustomers).await;
    let customers = app.backend.hq.count_customers().await.unwrap();
    assert_eq!(customers, 13, "the twelve demo customers and Ben, once");
}

#[tokio::test]
async fn the_same_id_with_other_values_is_refused_and_writes_nothing() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let id = OperationId::random();
    let body =
        |first: &str| json!({"register": "1-1", "operation_id": id, "draft": person(first)}).to_string();
    let staged = app.post(CreateCustomer::PATH, JSON, body("Cleo"), &houston).await;
    assert_eq!(staged.status, StatusCode::OK, "{}", staged.body);

    let mut watch = app.write_watch().await;
    let before = watch.versions().await;
    let other = app.post(CreateCustomer::PATH, JSON, body("Dora"), &houston).await;

    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.body);
    assert!(
        other.body.contains("operation id was used already"),
        "{}",
        other.body
    );
    assert_eq!(
        watch.versions().await,
        before,
        "nothing written to either database"
    );
    assert_eq!(staged_count(&app.test.backend).await, 1);
}

#[tokio::test]
async fn an_operation_id_that_is_not_a_guid_is_a_bad_request() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    for bad in [
        "",
        "C000001",
        "not-a-guid-at-all-but-thirty-six-ch",
        "0f8fad5b-d9cb-469f-a165-70867728950",
    ] {
        let body = json!({"register": "1-1", "operation_id": bad, "draft": person("Eve")}).to_string();
        let answer = app.post(CreateCustomer::PATH, JSON, body, &houston).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad:?}: {}", answer.body);
        assert!(answer.body.contains("must be a GUID"), "{}", answer.body);
    }
    assert_eq!(staged_count(&app.test.backend).await, 0);
}

#[tokio::test]
async fn a_staged_edit_and_a_staged_address_sent_twice_are_staged_once() {
    let app = WebApp::start().await;
    features_on(&app.test.backend, &Feature::ALL).await;
    let houston = app.sign_in("houston").await;
    let mut karen = person("Karen");
    karen.last_name = "Berg".into();
    let edit =
        json!({"register": "1-1", "operation_id": OperationId::random(), "key": "C000001", "draft": karen});
    let add = json!({"register": "1-1", "operation_id": OperationId::random(), "key": "C000001", "address": address("5 Pier Rd")});

    for (path, body) in [(EditCustomer::PATH, edit), (AddCustomerAddress::PATH, add)] {
        let first = app.post(path, JSON, body.to_string(), &houston).await;
        let again = app.post(path, JSON, body.to_string(), &houston).await;
        assert_eq!(first.status, StatusCode::OK, "{path}: {}", first.body);
        assert_eq!(again.body, first.body, "{path}");
    }
    assert_eq!(
        staged_count(&app.test.backend).await,
        2,
        "one update, one address"
    );
}

#[tokio::test]
async fn a_real_time_create_sent_twice_makes_one_hq_customer() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    let id = OperationId::random();

    let first = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Fay"))
        .await
        .unwrap();
    let again = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Fay"))
        .await
        .unwrap();

    assert!(matches!(first.how, CreatedHow::InHq { .. }), "{first:?}");
    assert_eq!(again, first);
    assert_eq!(backend.hq.count_customers().await.unwrap(), 13);
    let refused = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Gus")).await;
    assert!(matches!(refused, Err(CustomerError::Realtime(_))), "{refused:?}");
    assert_eq!(backend.hq.count_customers().await.unwrap(), 13);
}

#[tokio::test]
async fn a_real_time_address_sent_twice_is_added_once() {
    let app = common::start().await;
    let backend = &app.backend;
    let id = OperationId::random();
    let home = address("7 Bay St");

    for _ in 0..2 {
        add_address(&backend.channel_side(), HOUSTON, &id, "C000001", &home)
            .await
            .expect("answered as applied");
    }

    let karen = backend.hq.customer_record("C000001").await.unwrap().unwrap();
    let added = karen
        .customer
        .addresses
        .iter()
        .filter(|a| a.street == "7 Bay St")
        .count();
    assert_eq!(added, 1);
}

/// Two edits of Karen Berg's phone made in real time, 0101 then 0102: the
/// first one's id and values, for a register that lost its answer.
async fn two_real_time_edits(backend: &Backend) -> (OperationId, CustomerDraft) {
    let mut karen = person("Karen");
    karen.last_name = "Berg".into();
    let first_id = OperationId::random();
    karen.phone = "+1 713 555 0101".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &first_id,
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    let older = karen.clone();
    karen.phone = "+1 713 555 0102".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    (first_id, older)
}

#[tokio::test]
async fn a_real_time_edit_sent_again_after_a_newer_one_does_not_undo_it() {
    let app = common::start().await;
    let backend = &app.backend;
    let (first_id, older) = two_real_time_edits(backend).await;

    // The first edit's answer was lost, and the register sends it again.
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &first_id,
        "C000001",
        &older,
        None,
    )
    .await
    .unwrap();

    let in_hq = backend.hq.customer_record("C000001").await.unwrap().unwrap();
    assert_eq!(in_hq.customer.phone, "+1 713 555 0102");
}

#[tokio::test]
async fn a_fallback_create_sent_again_once_hq_answers_is_not_created_twice() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    backend.hq.set_realtime_unreachable(true).await.unwrap();
    let id = OperationId::random();
    let first = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Hal"))
        .await
        .unwrap();
    assert!(matches!(first.how, CreatedHow::FellBack { .. }), "{first:?}");

    backend.hq.set_realtime_unreachable(false).await.unwrap();
    let again = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Hal"))
        .await
        .unwrap();

    assert_eq!(again.temporary_id(), Some(id.as_str()));
    assert_eq!(
        backend.hq.count_customers().await.unwrap(),
        12,
        "no real-time create"
    );
    assert_eq!(staged_count(backend).await, 1);
}

#[tokio::test]
async fn a_real_time_create_whose_answer_was_lost_and_that_falls_back_when_sent_again_is_one_hq_customer() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    let id = OperationId::random();
    let first = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Ivy"))
        .await
        .unwrap();
    let CreatedHow::InHq { account } = first.how else {
        panic!("created in real time: {first:?}");
    };
    run(backend, Job::Customers).await;

    // Its answer was lost; by the time the register sends it again, HQ
    // cannot be reached, so the store stages it.
    backend.hq.set_realtime_unreachable(true).await.unwrap();
    let again = create_customer(&backend.channel_side(), HOUSTON, &id, &person("Ivy"))
        .await
        .unwrap();
    assert!(matches!(again.how, CreatedHow::FellBack { .. }), "{again:?}");
    backend.hq.set_realtime_unreachable(false).await.unwrap();
    run(backend, Job::Upload).await;
    run(backend, Job::SyncCustomers).await;

    assert_eq!(backend.hq.count_customers().await.unwrap(), 13, "one HQ customer");
    let operations = backend.hq.recent_operations(10).await.unwrap();
    let staged = operations
        .iter()
        .find(|op| op.temporary_id == id.as_str())
        .expect("the staged create reached HQ");
    assert!(staged.online_operation_completed, "{staged:?}");
    assert_eq!(staged.account.as_deref(), Some(account.as_str()));
    let in_hq = backend.hq.customer_record(&account).await.unwrap().unwrap();
    assert_eq!(in_hq.async_customer_id.as_deref(), Some(id.as_str()));

    // The store learns it with its next download: one Ivy at the POS, with
    // her account, no copy left pending.
    run(backend, Job::Customers).await;
    let found = backend.channel.search_customers("Ivy", 10).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].account.as_deref(), Some(account.as_str()));
}

/// The streets of a customer's addresses in HQ.
async fn hq_streets(backend: &Backend, account: &str) -> Vec<String> {
    let in_hq = backend.hq.customer_record(account).await.unwrap().unwrap();
    in_hq.customer.addresses.into_iter().map(|a| a.street).collect()
}

/// Upload and sync, twice: a change staged behind another is synced on
/// the run after the one that synced the other.
async fn upload_and_sync_twice(backend: &Backend) {
    for _ in 0..2 {
        run(backend, Job::Upload).await;
        run(backend, Job::SyncCustomers).await;
    }
}

/// Adds "7 Bay St" to Karen Berg under `id`, at Houston's register 1.
async fn add_bay_st(backend: &Backend, id: &OperationId) -> ChangeOutcome {
    add_address(
        &backend.channel_side(),
        HOUSTON,
        id,
        "C000001",
        &address("7 Bay St"),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_real_time_address_whose_answer_was_lost_and_that_is_staged_when_sent_again_is_added_once() {
    let app = common::start().await;
    let backend = &app.backend;
    let id = OperationId::random();
    let added = add_bay_st(backend, &id).await;
    assert!(matches!(added, ChangeOutcome::AppliedInHq { .. }), "{added:?}");

    // Its answer was lost. Meanwhile the admin turned on asynchronous
    // addresses, so the address sent again is staged.
    features_on(backend, &[Feature::AsyncAddresses]).await;
    let again = add_bay_st(backend, &id).await;
    assert!(matches!(again, ChangeOutcome::Staged { .. }), "{again:?}");
    upload_and_sync_twice(backend).await;

    let streets = hq_streets(backend, "C000001").await;
    assert_eq!(
        streets.iter().filter(|s| *s == "7 Bay St").count(),
        1,
        "{streets:?}"
    );
    let operations = backend.hq.recent_operations(10).await.unwrap();
    let staged = operations
        .iter()
        .find(|op| op.temporary_id == id.as_str())
        .expect("the staged address reached HQ");
    assert!(
        staged.online_operation_completed,
        "synced, not failed: {staged:?}"
    );
}

/// The store learns with job 1010 that HQ settled the staged copy of an
/// address it had already added in real time: the POS shows the address
/// once, with nothing on its way.
#[tokio::test]
async fn a_staged_copy_of_a_real_time_address_is_no_longer_shown_on_its_way_after_1010() {
    let app = common::start().await;
    let backend = &app.backend;
    let id = OperationId::random();
    add_bay_st(backend, &id).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    features_on(backend, &[Feature::AsyncAddresses]).await;
    add_bay_st(backend, &id).await;
    upload_and_sync_twice(backend).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();

    let shown = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    let bay_st = shown
        .customer
        .addresses
        .iter()
        .filter(|address| address.street == "7 Bay St")
        .count();
    assert_eq!((bay_st, shown.pending_changes), (1, 0));
}

#[tokio::test]
async fn a_real_time_edit_whose_answer_was_lost_and_that_is_staged_when_sent_again_does_not_undo_a_newer_one()
{
    let app = common::start().await;
    let backend = &app.backend;
    features_on(backend, &[Feature::AsyncAddresses]).await;
    let (first_id, older) = two_real_time_edits(backend).await;

    // The first edit's answer was lost; by the time the register sends it
    // again, an address of the customer is staged, so it is staged behind.
    add_address(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &address("8 Bay St"),
    )
    .await
    .unwrap();
    let again = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &first_id,
        "C000001",
        &older,
        None,
    )
    .await
    .unwrap();
    assert!(matches!(again, ChangeOutcome::StagedBehind { .. }), "{again:?}");
    upload_and_sync_twice(backend).await;

    let in_hq = backend.hq.customer_record("C000001").await.unwrap().unwrap();
    assert_eq!(in_hq.customer.phone, "+1 713 555 0102");
}
