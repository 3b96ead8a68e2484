//! A chain of scale units on one HQ: each serves the channels HQ gives it,
//! runs its own downloads and P-job, and the batch job syncs them all.
//! Runs on SQLite and, under `make test`, on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::http::{FORM, WebApp};
use custsync::api::hq::users::SignOutEverywhere;
use custsync::api::sign_in::CurrentUser;
use custsync::domain::customer::{CreatedCustomer, CustomerDraft};
use custsync::domain::features::Feature;
use custsync::domain::jobs::Job;
use custsync::domain::operation::{OperationId, OperationStatus};
use custsync::domain::registers::Origin;
use custsync::domain::status_page::StatusView;
use custsync::services::backend::Backend;
use custsync::services::cdx;
use custsync::services::channel_customers::{
    CustomerError, create_customer, edit_customer, find_customer, search_customers,
};
use custsync::services::feature_management::change_feature;
use custsync::services::settings::Settings;
use leptos::server_fn::ServerFn;
use tempfile::TempDir;

const HOUSTON_REGISTER_1: Origin = Origin::Register {
    channel_id: 1,
    register_number: 1,
};
const SEATTLE_REGISTER_1: Origin = Origin::Register {
    channel_id: 2,
    register_number: 1,
};

async fn add(
    backend: &Backend,
    origin: Origin,
    first: &str,
    last: &str,
) -> Result<CreatedCustomer, CustomerError> {
    let draft = CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
        ..CustomerDraft::default()
    };
    create_customer(&backend.channel_side(), origin, &OperationId::random(), &draft).await
}

async fn run(backend: &Backend, job: Job) {
    let run = backend.jobs.run(job, "test").await.expect("the job runs");
    assert_eq!(
        run.outcome,
        "Succeeded",
        "{} in {:?}: {:?}",
        job.code(),
        run.scale_unit,
        run.message
    );
}

/// Houston's and Seattle's scale units on the HQ of `hq`, with every
/// asynchronous feature on and in both channel copies.
async fn houston_and_seattle_editing_asynchronously(
    hq: &TempDir,
) -> (common::TestBackend, common::TestBackend) {
    let houston = common::start_scale_unit(hq, "Houston", "Houston").await;
    let seattle = common::start_scale_unit(hq, "Seattle", "Seattle").await;
    for feature in Feature::ALL {
        change_feature(&houston.backend.hq, feature, true, "test")
            .await
            .unwrap();
    }
    for unit in [&houston.backend, &seattle.backend] {
        run(unit, Job::GlobalConfiguration).await;
        run(unit, Job::Customers).await;
    }
    (houston, seattle)
}

async fn register_captions(backend: &Backend) -> Vec<String> {
    let registers = backend.channel.register_options().await.unwrap();
    registers.iter().map(|register| register.caption()).collect()
}

#[tokio::test]
async fn each_scale_unit_serves_the_channels_hq_gives_it_and_names_the_unit_of_the_others() {
    let hq = TempDir::new().unwrap();
    let houston = common::start_scale_unit(&hq, "Houston", "Houston").await;
    let seattle = common::start_scale_unit(&hq, "Seattle", "seattle").await;
    let online = common::start_scale_unit(&hq, "Online", "Fabrikam online store").await;

    assert_eq!(
        register_captions(&houston.backend).await,
        ["Houston, register 1", "Houston, register 2"]
    );
    assert_eq!(register_captions(&seattle.backend).await, ["Seattle, register 1"]);
    assert!(register_captions(&online.backend).await.is_empty());
    assert_eq!(
        houston.backend.hq.scale_units().await.unwrap(),
        ["Houston", "Online", "Seattle"]
    );

    // Houston started first, when Seattle and the online store were
    // nobody's: it knows they are not its own, and its next 1070 tells it
    // who serves them now.
    let refused = add(&houston.backend, SEATTLE_REGISTER_1, "Ana", "Silva")
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Seattle is not served by this scale unit, Houston: its customers are added on the scale unit that serves it."
    );
    run(&houston.backend, Job::ChannelConfiguration).await;
    let refused = add(&houston.backend, SEATTLE_REGISTER_1, "Ana", "Silva")
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Seattle is served by the scale unit Seattle, not by this one: its customers are added on Seattle's server."
    );
    let refused = add(&houston.backend, Origin::OnlineStore, "Ana", "Silva")
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("The online store is served by the scale unit Online"),
        "{refused}"
    );
    assert!(
        add(&online.backend, Origin::OnlineStore, "Ana", "Silva")
            .await
            .is_ok()
    );
    assert_eq!(
        houston.backend.channel.count_not_uploaded().await.unwrap(),
        0,
        "nothing refused was staged"
    );
}

#[tokio::test]
async fn customers_added_in_every_scale_unit_sync_once_and_reach_every_unit_through_1010() {
    let hq = TempDir::new().unwrap();
    let houston = common::start_scale_unit(&hq, "Houston", "Houston").await;
    let seattle = common::start_scale_unit(&hq, "Seattle", "Seattle").await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);

    let mut created = Vec::new();
    for i in 0..5 {
        created.push(
            add(houston, HOUSTON_REGISTER_1, "Hana", &format!("Houston{i}"))
                .await
                .unwrap(),
        );
        created.push(
            add(seattle, SEATTLE_REGISTER_1, "Sam", &format!("Seattle{i}"))
                .await
                .unwrap(),
        );
    }
    assert!(
        search_customers(&houston.channel, "Seattle0")
            .await
            .unwrap()
            .is_empty(),
        "Houston does not see a customer Seattle staged"
    );

    run(houston, Job::Upload).await;
    run(seattle, Job::Upload).await;
    let uploads = houston.hq.job_runs(Job::Upload.code(), 10).await.unwrap();
    let units: Vec<Option<&str>> = uploads.iter().map(|run| run.scale_unit.as_deref()).collect();
    assert_eq!(
        units,
        [Some("Seattle"), Some("Houston")],
        "each P-job run names its unit"
    );

    let seattle_only = StatusView {
        scale_unit: Some("Seattle".to_string()),
        ..StatusView::default()
    };
    let page = cdx::status_page(&houston.channel, &houston.hq, &seattle_only, 50)
        .await
        .unwrap();
    assert_eq!(
        page.rows.len(),
        5,
        "Houston's status page filters Seattle's operations"
    );
    assert!(page.rows.iter().all(|row| row.channel == "Seattle"
        && row.scale_unit.as_deref() == Some("Seattle")
        && row.status == OperationStatus::PendingSync));
    assert_eq!(page.counts.pending_sync, 5);

    run(seattle, Job::SyncCustomers).await;
    let all = cdx::status_page(&houston.channel, &houston.hq, &StatusView::default(), 50)
        .await
        .unwrap();
    assert_eq!(all.counts.synced, 10);
    let mut accounts: Vec<String> = all.rows.iter().filter_map(|row| row.account.clone()).collect();
    accounts.sort();
    accounts.dedup();
    assert_eq!(accounts.len(), 10, "ten creates, ten different accounts");
    assert_eq!(
        houston.hq.count_customers().await.unwrap(),
        12 + 10,
        "each synced once"
    );

    run(houston, Job::Customers).await;
    let found = search_customers(&houston.channel, "Seattle0").await.unwrap();
    assert_eq!(
        found.len(),
        1,
        "Seattle's customer reaches Houston once HQ has it"
    );
    assert!(found[0].account.is_some());
    assert_eq!(created.len(), 10);
}

#[tokio::test]
async fn a_unit_started_with_a_channel_takes_it_over_and_the_other_unit_learns_it_at_its_next_1070() {
    let hq = TempDir::new().unwrap();
    let main = common::start_scale_unit(&hq, "Main", "").await;
    let main = &main.backend;
    assert_eq!(
        register_captions(main).await.len(),
        3,
        "one unit serves every channel"
    );
    let before = add(main, SEATTLE_REGISTER_1, "Early", "Seattleite")
        .await
        .unwrap();

    let seattle = common::start_scale_unit(&hq, "Seattle", "Seattle").await;
    assert_eq!(register_captions(&seattle.backend).await, ["Seattle, register 1"]);

    run(main, Job::ChannelConfiguration).await;
    assert_eq!(
        register_captions(main).await,
        ["Houston, register 1", "Houston, register 2"]
    );
    assert!(matches!(
        add(main, SEATTLE_REGISTER_1, "Late", "Seattleite").await,
        Err(CustomerError::ServedElsewhere { .. })
    ));
    run(main, Job::Upload).await;
    let uploaded = main
        .hq
        .uploaded_operation(before.temporary_id().unwrap())
        .await
        .unwrap();
    assert!(
        uploaded.is_some(),
        "what Main staged for Seattle before is uploaded, not lost"
    );

    let restarted_main = common::start_scale_unit(&hq, "Main", "").await;
    assert_eq!(
        register_captions(&restarted_main.backend).await,
        ["Houston, register 1", "Houston, register 2"],
        "a unit without a channels setting does not take back what another unit serves"
    );
}

#[tokio::test]
async fn a_channels_setting_naming_a_channel_hq_lacks_stops_the_start_with_the_channels_it_has() {
    let hq = TempDir::new().unwrap();
    let _main = common::start_scale_unit(&hq, "Main", "").await;
    let unit = TempDir::new().unwrap();
    let settings = Settings {
        data_dir: unit.path().to_path_buf(),
        hq_database_url: Some(common::shared_hq_url(&hq).await),
        scale_unit: "Portland".into(),
        channels: "Portland".into(),
        ..Settings::default()
    };
    let error = Backend::start(settings).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "scale unit Portland: the channels setting names Portland, which HQ does not have; \
         HQ's channels are Houston, Seattle, Fabrikam online store"
    );
}

/// A store whose channel database was filled from one HQ, started against
/// another (HQ made anew under the kept channel database, or another one
/// named): it refuses to start and says why and what to do, rather than
/// serving a copy whose downloads would move nothing for good. Started
/// against its own HQ again, it starts; a channel database that records no
/// HQ (made before the record) takes the HQ it starts with.
#[tokio::test]
async fn a_store_started_against_another_hq_than_its_channel_database_was_filled_from_refuses_to_start() {
    let first_hq = TempDir::new().unwrap();
    let unit = TempDir::new().unwrap();
    let store = common::start_scale_unit_in(&first_hq, &unit, "Main", "").await;
    store.close().await;
    drop(store);

    let other_hq = TempDir::new().unwrap();
    let settings = Settings {
        data_dir: unit.path().to_path_buf(),
        hq_database_url: Some(common::shared_hq_url(&other_hq).await),
        ..Settings::default()
    };
    let error = Backend::start(settings).await.unwrap_err().to_string();
    let channel_db = unit.path().join("channel.db");
    assert!(
        error.starts_with(&format!(
            "the channel database {} cannot be used with this HQ: it was filled from another HQ (HQ id ",
            channel_db.display()
        )),
        "{error}"
    );
    assert!(
        error.ends_with(
            "Point the HQ settings (hq_database_url, or data_dir for the embedded HQ) at the HQ it was filled from, \
             or move the channel database away to fill a new one from this HQ"
        ),
        "{error}"
    );

    let store = common::start_scale_unit_in(&first_hq, &unit, "Main", "").await;
    store.close().await;
    drop(store);

    forget_the_hq_filled_from(&channel_db).await;
    let adopted = common::start_scale_unit_in(&other_hq, &unit, "Main", "").await;
    adopted.close().await;
}

/// A channel database as it was before it recorded its HQ.
async fn forget_the_hq_filled_from(channel_db: &std::path::Path) {
    let url = format!("sqlite://{}", channel_db.display());
    let mut channel = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("the channel database");
    sqlx::query("DELETE FROM filled_from_hq")
        .execute(&mut channel)
        .await
        .expect("deleted");
}

#[tokio::test]
async fn scale_units_starting_at_once_on_a_new_hq_share_one_demo_company() {
    let hq = TempDir::new().unwrap();
    // The test's own step, not the units': an empty PostgreSQL database for
    // them to share (an SQLite HQ is a new file they all create).
    common::shared_hq_url(&hq).await;
    let (houston, seattle, online) = tokio::join!(
        common::start_scale_unit(&hq, "Houston", "Houston"),
        common::start_scale_unit(&hq, "Seattle", "Seattle"),
        common::start_scale_unit(&hq, "Online", "Fabrikam online store"),
    );
    let hq_db = &houston.backend.hq;
    assert_eq!(
        hq_db.count_customers().await.unwrap(),
        12,
        "the demo company once"
    );
    assert_eq!(hq_db.users().await.unwrap().len(), 4, "the demo users once");
    for (unit, registers) in [(&houston, 2), (&seattle, 1), (&online, 0)] {
        assert_eq!(register_captions(&unit.backend).await.len(), registers);
    }
}

/// Who the session `cookie` is signed in as on `app`, as its header asks.
async fn signed_in_as(app: &WebApp, cookie: &str) -> String {
    let answer = app.post(CurrentUser::PATH, FORM, "", cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn a_user_signed_out_everywhere_on_one_scale_unit_is_signed_out_on_the_others() {
    let hq = TempDir::new().unwrap();
    let houston = WebApp::over(common::start_scale_unit(&hq, "Houston", "Houston").await);
    let seattle = WebApp::over(common::start_scale_unit(&hq, "Seattle", "Seattle").await);
    let cashier = seattle.sign_in("seattle").await;
    let admin = houston.sign_in("admin").await;
    assert!(cashier.starts_with("custsync_session_seattle_"), "{cashier}");
    assert!(
        admin.starts_with("custsync_session_houston_"),
        "units on one host keep apart cookies: {admin}"
    );
    assert!(signed_in_as(&seattle, &cashier).await.contains("Terry Adams"));

    let answer = houston
        .post(SignOutEverywhere::PATH, FORM, "user_name=seattle", &admin)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Signed in again before Seattle looked in HQ: that session began
    // after the sign-out and stays.
    let again = seattle.sign_in("seattle").await;
    let backend = &seattle.test.backend;
    let ended = backend.sessions.apply_chain_sign_outs(&backend.hq).await.unwrap();
    assert_eq!(ended, 1, "Seattle ends the session it kept from before");
    assert_eq!(signed_in_as(&seattle, &cashier).await, "null");
    assert!(signed_in_as(&seattle, &again).await.contains("Terry Adams"));
    assert_eq!(
        backend.sessions.apply_chain_sign_outs(&backend.hq).await.unwrap(),
        0,
        "an end is applied once"
    );
}

/// A sign-in that overlaps "Sign out everywhere": it read HQ's last session
/// end before the sign-out, the unit applied the sign-out before the
/// session was recorded (finding none of the user's), then the session was
/// recorded. It must not outlive the sign-out.
#[tokio::test]
async fn a_sign_in_overlapping_a_sign_out_everywhere_does_not_outlive_it() {
    let hq = TempDir::new().unwrap();
    let seattle = common::start_scale_unit(&hq, "Seattle", "Seattle").await;
    let backend = &seattle.backend;
    let seen = backend.hq.last_session_end().await.unwrap();
    backend.hq.end_sessions_everywhere("seattle").await.unwrap();
    assert_eq!(
        backend.sessions.apply_chain_sign_outs(&backend.hq).await.unwrap(),
        0
    );

    let kept = backend
        .sessions
        .record_sign_in(&backend.hq, "s1", "seattle", seen)
        .await
        .unwrap();
    backend.sessions.apply_chain_sign_outs(&backend.hq).await.unwrap();

    assert!(!kept, "the sign-in is told it was signed out meanwhile");
    assert!(
        backend
            .channel
            .user_session_ids("seattle", i64::MAX)
            .await
            .unwrap()
            .is_empty(),
        "the session ended"
    );
}

#[tokio::test]
async fn a_unit_restarted_after_another_took_one_of_its_channels_no_longer_serves_it() {
    let hq = TempDir::new().unwrap();
    let common::TestBackend { backend, dir } = common::start_scale_unit(&hq, "Main", "").await;
    assert_eq!(register_captions(&backend).await.len(), 3);
    backend.close().await;
    drop(backend);

    let _seattle = common::start_scale_unit(&hq, "Seattle", "Seattle").await;
    let main = common::start_scale_unit_in(&hq, &dir, "Main", "").await;
    assert_eq!(
        register_captions(&main).await,
        ["Houston, register 1", "Houston, register 2"],
        "Main learns at its start that Seattle is no longer its own"
    );
}

/// A customer's phone as each store staged it, and what HQ keeps: the
/// newer edit, whichever store's P-job uploads first.
#[tokio::test]
async fn an_older_staged_edit_uploaded_after_a_newer_one_from_another_unit_fails_instead_of_undoing_it() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);
    let karen = common::customer_in_hq(houston, "C000001").await;
    let edit = |phone: &str| CustomerDraft {
        phone: phone.into(),
        ..karen.clone()
    };

    let older = OperationId::random();
    edit_customer(
        &houston.channel_side(),
        HOUSTON_REGISTER_1,
        &older,
        "C000001",
        &edit("+1 713 555 0111"),
        None,
    )
    .await
    .unwrap();
    // Made later, at the other store.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    edit_customer(
        &seattle.channel_side(),
        SEATTLE_REGISTER_1,
        &OperationId::random(),
        "C000001",
        &edit("+1 206 555 0122"),
        None,
    )
    .await
    .unwrap();

    // Seattle's P-job runs first, and the batch syncs its edit; then
    // Houston's uploads the older one.
    run(seattle, Job::Upload).await;
    run(seattle, Job::SyncCustomers).await;
    run(houston, Job::Upload).await;
    let sync = houston.jobs.run(Job::SyncCustomers, "test").await.unwrap();
    assert_eq!(sync.outcome, "Completed with errors", "{:?}", sync.message);

    let in_hq = houston.hq.customer_record("C000001").await.unwrap().unwrap();
    assert_eq!(in_hq.customer.phone, "+1 206 555 0122", "the newer edit stays");
    let failed = StatusView {
        status: Some(OperationStatus::Failed),
        ..StatusView::default()
    };
    let page = cdx::status_page(&houston.channel, &houston.hq, &failed, 50)
        .await
        .unwrap();
    let row = page
        .rows
        .iter()
        .find(|row| row.temporary_id == older.as_str())
        .expect("the older edit failed");
    assert!(
        row.error
            .as_deref()
            .is_some_and(|error| error.contains("after this update was made")),
        "{row:?}"
    );
}

/// An operation's page says its customer was sent back by job 1010 once
/// the 1010 of its own scale unit has run, not another unit's, whose
/// channels do not have it.
#[tokio::test]
async fn an_operations_page_names_the_1010_run_of_its_own_scale_unit() {
    let hq = TempDir::new().unwrap();
    let houston = common::start_scale_unit(&hq, "Houston", "Houston").await;
    let seattle = common::start_scale_unit(&hq, "Seattle", "Seattle").await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);
    let temporary_id = add(seattle, SEATTLE_REGISTER_1, "Sven", "Olsen")
        .await
        .unwrap()
        .key();
    run(seattle, Job::Upload).await;
    run(seattle, Job::SyncCustomers).await;

    run(houston, Job::Customers).await;
    assert!(
        !sent_back(houston, &temporary_id).await,
        "Houston's 1010 does not serve Seattle"
    );
    run(seattle, Job::Customers).await;
    assert!(sent_back(houston, &temporary_id).await);
}

/// Whether the operation's page, as `unit` shows it, says its customer was
/// sent back to the channels.
async fn sent_back(unit: &Backend, temporary_id: &str) -> bool {
    cdx::operation_detail(&unit.channel, &unit.hq, temporary_id)
        .await
        .unwrap()
        .unwrap()
        .timeline
        .iter()
        .any(|entry| entry.text.starts_with("Sent back to the channels"))
}

/// An edit made from a store's copy that job 1010 has not yet brought up
/// to date with a change made at another store: HQ takes the fields the
/// edit changed, and keeps the other store's change to the rest.
#[tokio::test]
async fn a_staged_edit_made_from_a_copy_behind_hq_keeps_the_other_stores_change() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);

    edit_karen_at(seattle, SEATTLE_REGISTER_1, |karen| {
        karen.email = "karen.new@example.com".into()
    })
    .await;
    run(seattle, Job::Upload).await;
    run(seattle, Job::SyncCustomers).await;

    // Houston's copy still has the old email: its 1010 has not run.
    let mut at_houston = in_the_copy_of(houston, "C000001").await;
    assert_ne!(at_houston.email, "karen.new@example.com");
    at_houston.phone = "+1 713 555 0133".into();
    edit_customer(
        &houston.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        "C000001",
        &at_houston,
        None,
    )
    .await
    .unwrap();
    run(houston, Job::Upload).await;
    run(houston, Job::SyncCustomers).await;

    let in_hq = common::customer_in_hq(houston, "C000001").await;
    assert_eq!(
        (in_hq.phone.as_str(), in_hq.email.as_str()),
        ("+1 713 555 0133", "karen.new@example.com"),
        "Houston's phone, and Seattle's email kept"
    );
}

/// A shopper saving My profile on the online store's unit, whose copy has
/// not yet received a cashier's real-time change made at a store: the
/// shopper's fields change, the cashier's customer group stays.
#[tokio::test]
async fn a_shoppers_edit_in_real_time_keeps_a_change_the_online_stores_copy_has_not_received() {
    let hq = TempDir::new().unwrap();
    let houston = common::start_scale_unit(&hq, "Houston", "Houston").await;
    let online = common::start_scale_unit(&hq, "Online", "Fabrikam online store").await;
    let (houston, online) = (&houston.backend, &online.backend);

    let mut at_the_register = in_the_copy_of(houston, "C000004").await;
    assert_ne!(at_the_register.customer_group, "20");
    at_the_register.customer_group = "20".into();
    edit_customer(
        &houston.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        "C000004",
        &at_the_register,
        None,
    )
    .await
    .unwrap();

    let mut profile = in_the_copy_of(online, "C000004").await;
    profile.phone = "+1 425 555 0166".into();
    edit_customer(
        &online.channel_side(),
        Origin::OnlineStore,
        &OperationId::random(),
        "C000004",
        &profile,
        None,
    )
    .await
    .unwrap();

    let in_hq = common::customer_in_hq(online, "C000004").await;
    assert_eq!(
        (in_hq.phone.as_str(), in_hq.customer_group.as_str()),
        ("+1 425 555 0166", "20"),
        "the shopper's phone, and the cashier's customer group kept"
    );
}

/// A customer as `unit`'s channel copy shows it, with its staged changes.
async fn in_the_copy_of(unit: &Backend, key: &str) -> CustomerDraft {
    CustomerDraft {
        addresses: Vec::new(),
        ..find_customer(&unit.channel, key).await.unwrap().unwrap().customer
    }
}

/// Two stores change different fields of one customer; the older change
/// reaches HQ after the newer one has synced. Neither undoes the other, so
/// HQ applies both.
#[tokio::test]
async fn an_older_staged_edit_of_another_field_uploaded_after_a_newer_one_is_applied_beside_it() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);

    edit_karen_at(houston, HOUSTON_REGISTER_1, |karen| {
        karen.phone = "+1 713 555 0144".into()
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    edit_karen_at(seattle, SEATTLE_REGISTER_1, |karen| {
        karen.email = "karen.newer@example.com".into()
    })
    .await;

    run(seattle, Job::Upload).await;
    run(seattle, Job::SyncCustomers).await;
    run(houston, Job::Upload).await;
    run(houston, Job::SyncCustomers).await;

    let in_hq = common::customer_in_hq(houston, "C000001").await;
    assert_eq!(
        (in_hq.phone.as_str(), in_hq.email.as_str()),
        ("+1 713 555 0144", "karen.newer@example.com"),
        "Houston's older phone and Seattle's newer email"
    );
    run(houston, Job::Customers).await;
    let shown = find_customer(&houston.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0144", 0)
    );
}

/// A store's own edit its P-job has not uploaded yet stays on the POS as on
/// its way when job 1010 brings a newer change another store made to the
/// customer, and is applied beside it.
#[tokio::test]
async fn an_edit_not_yet_uploaded_stays_shown_when_1010_brings_another_stores_newer_change() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);

    edit_karen_at(houston, HOUSTON_REGISTER_1, |karen| {
        karen.phone = "+1 713 555 0155".into()
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    edit_karen_at(seattle, SEATTLE_REGISTER_1, |karen| {
        karen.email = "karen.seattle@example.com".into()
    })
    .await;
    run(seattle, Job::Upload).await;
    run(seattle, Job::SyncCustomers).await;
    run(houston, Job::Customers).await;

    assert_eq!(
        karen_shown_at(houston).await,
        ("+1 713 555 0155".into(), "karen.seattle@example.com".into(), 1),
        "Houston's edit on its way, over Seattle's change"
    );

    for job in [Job::Upload, Job::SyncCustomers, Job::Customers] {
        run(houston, job).await;
    }
    assert_eq!(
        karen_shown_at(houston).await,
        ("+1 713 555 0155".into(), "karen.seattle@example.com".into(), 0),
        "both in HQ"
    );
}

/// A store's own edit its P-job uploaded but the sync has not applied yet
/// stays on the POS as on its way when job 1010 brings a newer change
/// another store made to the customer: HQ tells each store which of its own
/// changes it has settled, whatever other stores changed since.
#[tokio::test]
async fn an_edit_uploaded_but_not_synced_stays_shown_when_1010_brings_another_stores_newer_change() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);

    houstons_older_edit_uploaded_after_seattles_synced(houston, seattle, |karen| {
        karen.email = "karen.seattle@example.com".into()
    })
    .await;

    assert_eq!(
        karen_shown_at(houston).await,
        ("+1 713 555 0155".into(), "karen.seattle@example.com".into(), 1),
        "Houston's uploaded edit on its way, over Seattle's change"
    );

    for job in [Job::SyncCustomers, Job::Customers] {
        run(houston, job).await;
    }
    assert_eq!(
        karen_shown_at(houston).await,
        ("+1 713 555 0155".into(), "karen.seattle@example.com".into(), 0),
        "both in HQ"
    );
}

/// The same, when the uploaded edit changes the field the other store's
/// newer change did: on its way until the sync refuses it, then gone.
#[tokio::test]
async fn an_uploaded_edit_the_sync_refuses_for_good_is_no_longer_shown_after_1010() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);

    houstons_older_edit_uploaded_after_seattles_synced(houston, seattle, |karen| {
        karen.phone = "+1 206 555 0177".into()
    })
    .await;
    let shown = find_customer(&houston.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0155", 1),
        "Houston's uploaded edit on its way"
    );

    let sync = houston.jobs.run(Job::SyncCustomers, "test").await.unwrap();
    assert_eq!(sync.outcome, "Completed with errors", "{:?}", sync.message);
    run(houston, Job::Customers).await;
    let shown = find_customer(&houston.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 206 555 0177", 0),
        "refused as older than Seattle's: HQ's phone, nothing on its way"
    );
}

/// Houston edits Karen's phone to +1 713 555 0155, then Seattle makes its
/// own edit (`at_seattle`), which its P-job uploads and the sync applies
/// first; then Houston's P-job uploads its older edit and its job 1010 runs.
async fn houstons_older_edit_uploaded_after_seattles_synced(
    houston: &Backend,
    seattle: &Backend,
    at_seattle: impl FnOnce(&mut CustomerDraft),
) {
    edit_karen_at(houston, HOUSTON_REGISTER_1, |karen| {
        karen.phone = "+1 713 555 0155".into()
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    edit_karen_at(seattle, SEATTLE_REGISTER_1, at_seattle).await;
    for job in [Job::Upload, Job::SyncCustomers] {
        run(seattle, job).await;
    }
    for job in [Job::Upload, Job::Customers] {
        run(houston, job).await;
    }
}

/// A cashier's Edit form opened before job 1010 brought another store's
/// change, saved after it (left open, or kept by the register while the
/// network was down): the fields the cashier left alone hold the old
/// values, and are not written back over the newer change.
#[tokio::test]
async fn an_edit_sent_after_1010_brought_a_newer_change_keeps_it() {
    let hq = TempDir::new().unwrap();
    let (houston, seattle) = houston_and_seattle_editing_asynchronously(&hq).await;
    let (houston, seattle) = (&houston.backend, &seattle.backend);
    let opened = in_the_copy_of(houston, "C000001").await;

    edit_karen_at(seattle, SEATTLE_REGISTER_1, |karen| {
        karen.email = "karen.meanwhile@example.com".into()
    })
    .await;
    for job in [Job::Upload, Job::SyncCustomers] {
        run(seattle, job).await;
    }
    run(houston, Job::Customers).await;

    let saved = CustomerDraft {
        phone: "+1 713 555 0166".into(),
        ..opened.clone()
    };
    edit_customer(
        &houston.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        "C000001",
        &saved,
        Some(&opened),
    )
    .await
    .unwrap();
    for job in [Job::Upload, Job::SyncCustomers] {
        run(houston, job).await;
    }

    let in_hq = common::customer_in_hq(houston, "C000001").await;
    assert_eq!(
        (in_hq.phone.as_str(), in_hq.email.as_str()),
        ("+1 713 555 0166", "karen.meanwhile@example.com")
    );
}

/// Karen as `unit`'s POS shows her: her phone, her email, and how many of
/// the store's changes are on their way.
async fn karen_shown_at(unit: &Backend) -> (String, String, usize) {
    let shown = find_customer(&unit.channel, "C000001").await.unwrap().unwrap();
    (shown.customer.phone, shown.customer.email, shown.pending_changes)
}

/// Makes at `unit`'s register `origin` an edit of Karen (C000001) from the
/// unit's copy, changed by `change`; its operation id.
async fn edit_karen_at(
    unit: &Backend,
    origin: Origin,
    change: impl FnOnce(&mut CustomerDraft),
) -> OperationId {
    let mut karen = in_the_copy_of(unit, "C000001").await;
    change(&mut karen);
    let id = OperationId::random();
    edit_customer(&unit.channel_side(), origin, &id, "C000001", &karen, None)
        .await
        .unwrap();
    id
}
