//! Feature management, functionality profiles, the CDX download jobs, the
//! channel's configuration cache, real-time calls and the automatic fallback.

mod common;

use std::time::Duration;

use custsync::domain::customer::{CreatedHow, CustomerDraft};
use custsync::domain::features::Feature;
use custsync::domain::jobs::Job;
use custsync::domain::operation::OperationId;
use custsync::domain::realtime_calls::CallFilter;
use custsync::domain::records::FeatureRecord;
use custsync::domain::registers::Origin;
use custsync::services::backend::Backend;
use custsync::services::channel_config::ChannelConfigCache;
use custsync::services::channel_customers::{CustomerError, create_customer, edit_customer, find_customer};
use custsync::services::feature_management::{FeatureChangeError, change_feature};
use custsync::storage::channel_db::{CHANNEL_CONFIGURATION, ChannelDb, ChannelDbError, GLOBAL_CONFIGURATION};
use custsync::storage::hq_db::{Changed, ChannelConfiguration};

const HOUSTON: Origin = Origin::Register {
    channel_id: 1,
    register_number: 1,
};

fn person(first: &str, last: &str) -> CustomerDraft {
    CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        ..CustomerDraft::default()
    }
}

async fn run(backend: &Backend, job: Job) -> i64 {
    let run = backend.jobs.run(job, "Run now").await.unwrap();
    assert_eq!(run.outcome, "Succeeded", "{run:?}");
    run.rows_total
}

/// Houston in synchronous mode, in HQ and in the channel copy.
async fn houston_synchronous(backend: &Backend) {
    backend
        .hq
        .set_async_customer_mode(1, false, "test")
        .await
        .unwrap();
    run(backend, Job::ChannelConfiguration).await;
}

#[tokio::test]
async fn editing_cannot_be_enabled_before_its_prerequisites_and_nothing_changes() {
    let app = common::start().await;
    let hq = &app.backend.hq;
    let Err(FeatureChangeError::Refused(refusal)) =
        change_feature(hq, Feature::AsyncEditing, true, "admin").await
    else {
        panic!("enabling editing first must be refused");
    };
    for missing in Feature::AsyncEditing.prerequisites() {
        assert!(refusal.to_string().contains(missing.name()), "{refusal}");
    }
    assert!(hq.feature_rows().await.unwrap().iter().all(|f| !f.enabled));
    assert!(hq.feature_changes(10).await.unwrap().is_empty());

    for feature in [
        Feature::PerformanceImprovements,
        Feature::EnhancedAsyncCreation,
        Feature::AsyncAddresses,
        Feature::AsyncEditing,
    ] {
        assert!(change_feature(hq, feature, true, "admin").await.unwrap());
    }
    let Err(FeatureChangeError::Refused(refusal)) =
        change_feature(hq, Feature::AsyncAddresses, false, "admin").await
    else {
        panic!("disabling a prerequisite of an enabled feature must be refused");
    };
    assert!(
        refusal
            .to_string()
            .contains("Enable editing customers in asynchronous mode")
    );

    let changes = hq.feature_changes(10).await.unwrap();
    assert_eq!(changes.len(), 4);
    assert_eq!(changes[0].subject, Feature::AsyncEditing.name());
    assert_eq!(
        (
            changes[0].old_value,
            changes[0].new_value,
            changes[0].changed_by.as_str()
        ),
        (false, true, "admin")
    );
}

#[tokio::test]
async fn profile_changes_are_recorded() {
    let app = common::start().await;
    let hq = &app.backend.hq;
    assert_eq!(
        hq.set_async_customer_mode(1, false, "admin").await.unwrap(),
        Some(true)
    );
    assert_eq!(
        hq.set_async_customer_mode(1, false, "admin").await.unwrap(),
        Some(false)
    );
    assert_eq!(hq.set_async_customer_mode(99, true, "admin").await.unwrap(), None);
    let changes = hq.profile_changes(10).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].subject.as_str(), changes[0].option.as_str()),
        ("Houston", "Create customer in async mode")
    );
}

#[tokio::test]
async fn each_download_job_moves_exactly_what_changed() {
    let app = common::start().await;
    let backend = &app.backend;
    for job in [
        Job::GlobalConfiguration,
        Job::ChannelConfiguration,
        Job::Customers,
    ] {
        assert_eq!(
            run(backend, job).await,
            0,
            "{} has nothing new after the first start",
            job.code()
        );
    }

    change_feature(&backend.hq, Feature::PerformanceImprovements, true, "admin")
        .await
        .unwrap();
    assert_eq!(run(backend, Job::GlobalConfiguration).await, 1);
    assert!(
        backend
            .channel
            .configuration_copy()
            .await
            .unwrap()
            .features
            .iter()
            .any(|f| f.enabled)
    );

    backend
        .hq
        .set_async_customer_mode(2, false, "admin")
        .await
        .unwrap();
    assert_eq!(run(backend, Job::ChannelConfiguration).await, 1);
    assert!(
        !backend
            .channel
            .channel(2)
            .await
            .unwrap()
            .unwrap()
            .create_customer_async_mode
    );

    create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &person("Ana", "Silva"),
    )
    .await
    .unwrap();
    run(backend, Job::Upload).await;
    run(backend, Job::SyncCustomers).await;
    assert_eq!(run(backend, Job::Customers).await, 1, "only the new account");
    assert_eq!(run(backend, Job::Customers).await, 0);
}

#[tokio::test]
async fn customers_synced_together_are_each_downloaded_once_and_later_ones_too() {
    let app = common::start().await;
    let backend = &app.backend;
    run(backend, Job::Customers).await;
    for first in ["Ana", "Ben", "Cleo"] {
        create_customer(
            &backend.channel_side(),
            HOUSTON,
            &OperationId::random(),
            &person(first, "Silva"),
        )
        .await
        .unwrap();
    }
    run(backend, Job::Upload).await;
    assert_eq!(run(backend, Job::SyncCustomers).await, 3);
    assert_eq!(run(backend, Job::Customers).await, 3, "one row each");
    assert_eq!(run(backend, Job::Customers).await, 0);

    // A customer created in real time afterwards is versioned by the
    // triggers again, once the sync's own numbering is over.
    houston_synchronous(backend).await;
    let created = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &person("Dora", "Silva"),
    )
    .await
    .unwrap();
    let CreatedHow::InHq { account } = created.how else {
        panic!("expected a create in HQ, got {:?}", created.how);
    };
    assert_eq!(run(backend, Job::Customers).await, 1, "only {account}");
    assert!(find_customer(&backend.channel, &account).await.unwrap().is_some());
}

#[tokio::test]
async fn the_configuration_cache_serves_its_copy_until_it_expires() {
    let app = common::start().await;
    let backend = &app.backend;
    let cache = ChannelConfigCache::new(backend.channel.clone(), Duration::from_millis(300));
    assert!(cache.get().await.unwrap().async_mode(1));

    houston_synchronous(backend).await;
    let cached = cache.get().await.unwrap();
    assert!(cached.async_mode(1), "the cache still serves the old copy");
    assert!(cached.age < Duration::from_millis(300));

    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        !cache.get().await.unwrap().async_mode(1),
        "read again once expired"
    );

    backend
        .hq
        .set_async_customer_mode(1, true, "admin")
        .await
        .unwrap();
    run(backend, Job::ChannelConfiguration).await;
    assert!(!cache.get().await.unwrap().async_mode(1));
    cache.flush().await;
    assert!(
        cache.get().await.unwrap().async_mode(1),
        "a flush reads the copy at once"
    );
}

#[tokio::test]
async fn in_synchronous_mode_a_create_is_a_logged_real_time_call() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    backend
        .hq
        .set_async_customer_mode(1, true, "admin")
        .await
        .unwrap();

    let created = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &person("Ana", "Silva"),
    )
    .await
    .unwrap();
    assert_eq!(
        created.how,
        CreatedHow::InHq {
            account: "C000013".into()
        }
    );
    assert_eq!(
        backend.channel.count_not_uploaded().await.unwrap(),
        0,
        "nothing staged"
    );
    assert!(
        find_customer(&backend.channel, "C000013")
            .await
            .unwrap()
            .is_some(),
        "the channel copy has it at once"
    );

    let calls = backend
        .hq
        .realtime_calls(&CallFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        (call.operation.as_str(), call.outcome.as_str()),
        ("Create customer", "Succeeded")
    );
    assert_eq!(
        (call.channel.as_deref(), call.register_number),
        (Some("Houston"), Some(1))
    );
    assert!(
        call.reason.starts_with(
            "Create customer in async mode is off for Houston in the channel copy (job 1070 last ran "
        ),
        "{}",
        call.reason
    );
    assert!(call.reason.contains("before the change at"), "{}", call.reason);

    run(backend, Job::ChannelConfiguration).await;
    let created = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &person("Ben", "Silva"),
    )
    .await
    .unwrap();
    assert!(
        matches!(created.how, CreatedHow::Staged { .. }),
        "async once 1070 ran"
    );
}

/// A create at Houston, in synchronous mode, that cannot reach HQ: it is
/// staged asynchronously instead, and says so.
async fn create_falls_back_as_hq_is_unreachable(backend: &Backend) {
    let created = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &person("Ana", "Silva"),
    )
    .await
    .unwrap();
    let CreatedHow::FellBack { temporary_id, why } = &created.how else {
        panic!("expected a fallback, got {:?}", created.how);
    };
    assert_eq!(why, "HQ unreachable, staged asynchronously");
    assert_eq!(
        backend.channel.not_uploaded(10).await.unwrap()[0].temporary_id,
        *temporary_id
    );
}

/// An edit of Karen's phone at Houston that cannot reach HQ: refused whole,
/// with what was typed kept, and nothing staged (the one staged operation
/// is the fallen-back create).
async fn edit_is_refused_as_hq_is_unreachable(backend: &Backend) {
    let mut karen = find_customer(&backend.channel, "C000001")
        .await
        .unwrap()
        .unwrap()
        .customer;
    karen.phone = "+1 713 555 0199".into();
    let error = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, CustomerError::HqUnreachable(_)), "{error:?}");
    assert!(error.to_string().contains("What you typed is kept"));
    assert_eq!(
        backend.channel.count_not_uploaded().await.unwrap(),
        1,
        "no update staged"
    );
}

#[tokio::test]
async fn with_hq_unreachable_a_create_falls_back_and_an_edit_is_refused_whole() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    backend.hq.set_realtime_unreachable(true).await.unwrap();

    create_falls_back_as_hq_is_unreachable(backend).await;
    let calls = backend
        .hq
        .realtime_calls(&CallFilter::default(), 10)
        .await
        .unwrap();
    let outcomes: Vec<&str> = calls.iter().map(|c| c.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "Staged asynchronously: HQ unreachable",
            "Failed: HQ could not be reached (communication error)."
        ]
    );
    assert_eq!(backend.hq.fallback_creates_waiting().await.unwrap(), 1);

    edit_is_refused_as_hq_is_unreachable(backend).await;
    let hq = common::customer_in_hq(backend, "C000001").await;
    assert_eq!(hq.phone, "+1 555 010 0001", "HQ unchanged");

    run(backend, Job::Upload).await;
    run(backend, Job::SyncCustomers).await;
    assert_eq!(backend.hq.fallback_creates_waiting().await.unwrap(), 0);
}

/// HQ's database itself out of reach, not the simulated switch: a create
/// falls back to asynchronous mode and an edit is refused with what was
/// typed kept, as for a communication error, where both were answered
/// with an internal error.
#[tokio::test]
async fn with_hqs_database_out_of_reach_a_create_falls_back_and_an_edit_is_refused_whole() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    backend.hq.close().await;

    create_falls_back_as_hq_is_unreachable(backend).await;
    edit_is_refused_as_hq_is_unreachable(backend).await;
}

/// Troubleshoot counts the fallback creates that still wait for the P-job
/// and the sync: one that the sync has failed since waits for an admin
/// (question 4) instead, and a create logged twice counts once.
#[tokio::test]
async fn a_fallback_create_the_sync_failed_no_longer_waits_for_the_jobs() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    backend.hq.set_realtime_unreachable(true).await.unwrap();
    let mut taken = person("Jodi", "Again");
    taken.email = "jodi.christiansen@contoso.com".into();
    // Sent twice at once (two tabs), it falls back once or twice, and is
    // staged once.
    let (id, side) = (OperationId::random(), backend.channel_side());
    let (first, second) = tokio::join!(
        create_customer(&side, HOUSTON, &id, &taken),
        create_customer(&side, HOUSTON, &id, &taken),
    );
    assert!(matches!(first.unwrap().how, CreatedHow::FellBack { .. }));
    second.unwrap();
    assert_eq!(backend.hq.fallback_creates_waiting().await.unwrap(), 1);

    backend.hq.set_realtime_unreachable(false).await.unwrap();
    run(backend, Job::Upload).await;
    let sync = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(sync.failed, 1, "another customer has the email");
    assert_eq!(backend.hq.fallback_creates_waiting().await.unwrap(), 0);
}

#[tokio::test]
async fn an_offline_register_stages_creates_and_refuses_real_time_edits() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    backend.channel.set_register_offline(1, 1, true).await.unwrap();

    let created = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &person("Ana", "Silva"),
    )
    .await
    .unwrap();
    assert!(
        matches!(&created.how, CreatedHow::FellBack { why, .. } if why == "the register is offline, staged asynchronously")
    );
    let karen = find_customer(&backend.channel, "C000001")
        .await
        .unwrap()
        .unwrap()
        .customer;
    let error = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("the register is offline"), "{error}");

    let register_2 = Origin::Register {
        channel_id: 1,
        register_number: 2,
    };
    let created = create_customer(
        &backend.channel_side(),
        register_2,
        &OperationId::random(),
        &person("Ben", "Silva"),
    )
    .await
    .unwrap();
    assert!(
        matches!(created.how, CreatedHow::InHq { .. }),
        "another register is still online"
    );
}

#[tokio::test]
async fn scheduled_jobs_are_due_until_they_run() {
    let app = common::start().await;
    let backend = &app.backend;
    assert!(
        backend.jobs.due_jobs().await.unwrap().is_empty(),
        "nothing is scheduled by default"
    );
    backend.hq.set_job_schedule("P-0001", 5).await.unwrap();
    assert_eq!(backend.jobs.due_jobs().await.unwrap(), [Job::Upload]);
    run(backend, Job::Upload).await;
    assert!(backend.jobs.due_jobs().await.unwrap().is_empty());
    assert_eq!(backend.hq.job_schedule("P-0001").await.unwrap(), 5);
}

/// Add customer keeps the channels, registers and customer groups in memory;
/// a download of them is seen by the very next create, not a while later.
#[tokio::test]
async fn a_register_and_a_customer_group_downloaded_by_1070_are_usable_at_once() {
    use custsync::domain::records::{CustomerGroupRecord, RegisterRecord};
    let app = common::start().await;
    let channel = &app.backend.channel;
    let register_3 = Origin::Register {
        channel_id: 1,
        register_number: 3,
    };
    let refused = create_customer(
        &app.backend.channel_side(),
        register_3,
        &OperationId::random(),
        &person("Ana", "Silva"),
    )
    .await;
    assert!(matches!(refused, Err(CustomerError::UnknownRegister { .. })));

    let houston = channel.channel(1).await.unwrap().unwrap();
    channel
        .save_channel_configuration(
            &[houston],
            &[RegisterRecord {
                channel_id: 1,
                register_number: 3,
            }],
            &[CustomerGroupRecord {
                group_id: "90".into(),
                description: "Wholesale".into(),
            }],
            1_000_000,
        )
        .await
        .unwrap();

    let mut draft = person("Ana", "Silva");
    draft.customer_group = "90".into();
    create_customer(
        &app.backend.channel_side(),
        register_3,
        &OperationId::random(),
        &draft,
    )
    .await
    .unwrap();
    assert!(
        channel
            .customer_groups()
            .await
            .unwrap()
            .contains(&("90".to_string(), "Wholesale".to_string()))
    );
}

/// HQ requires unique emails (`require_unique_email`, on by default): a
/// real-time create or edit that would give a customer another's email is
/// refused beside the Email field, as the batch refuses a staged one, and
/// nothing is written. Accepted, it made two customers with one email, and
/// every later staged edit of either failed on it.
#[tokio::test]
async fn a_real_time_create_or_edit_with_another_customers_email_is_refused_beside_the_email() {
    let app = common::start().await;
    let backend = &app.backend;
    houston_synchronous(backend).await;
    let customers_before = backend.hq.count_customers().await.unwrap();

    let mut jodi_again = person("Jodi", "Again");
    jodi_again.email = "Jodi.Christiansen@contoso.com".into();
    let refused = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &jodi_again,
    )
    .await
    .unwrap_err();
    assert_email_taken(&refused);
    assert_eq!(backend.hq.count_customers().await.unwrap(), customers_before);
    // The admin's call log says why, as the cashier's form does.
    let calls = backend
        .hq
        .realtime_calls(&CallFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(
        calls[0].outcome,
        "Failed: Another customer already has this email, and HQ requires unique emails."
    );

    let mut karen = find_customer(&backend.channel, "C000001")
        .await
        .unwrap()
        .unwrap()
        .customer;
    karen.email = "jodi.christiansen@contoso.com".into();
    karen.addresses.clear();
    let refused = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap_err();
    assert_email_taken(&refused);
    let in_hq = common::customer_in_hq(backend, "C000001").await;
    assert_eq!(in_hq.email, "karen.berg@contoso.com");

    // Her own email, in another case, is hers to keep.
    karen.email = "Karen.Berg@contoso.com".into();
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

    // Two customers given one email before HQ required unique emails: an
    // edit of either that keeps it is not refused for the other's.
    common::execute_on_hq(
        backend,
        "UPDATE customers SET email = 'karen.berg@contoso.com' WHERE account = 'C000002'",
    )
    .await;
    run(backend, Job::Customers).await;
    let mut second = find_customer(&backend.channel, "C000002")
        .await
        .unwrap()
        .unwrap()
        .customer;
    assert_eq!(second.email, "karen.berg@contoso.com");
    second.phone = "+1 713 555 0160".into();
    second.addresses.clear();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000002",
        &second,
        None,
    )
    .await
    .unwrap();
}

/// A shopper's asynchronous edit of their email to one another customer
/// has, or a create waiting for the P-job or the sync has, is refused
/// beside the Email field, as their sign-up is, and stages nothing: HQ's
/// batch would refuse it, and the shopper's profile would show the change
/// staged for good, its failure on a page only admins see. Before, it was
/// staged and failed at the batch.
#[tokio::test]
async fn a_shoppers_asynchronous_edit_to_an_email_in_use_is_refused_beside_the_email() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let side = backend.channel_side();
    let mut pia = person("Pia", "Profile");
    pia.email = "pia.profile@example.com".into();
    let created = create_customer(&side, Origin::OnlineStore, &OperationId::random(), &pia)
        .await
        .unwrap();
    let CreatedHow::Staged { temporary_id } = created.how else {
        panic!("the online store stages sign-ups: {created:?}");
    };
    let mut other = person("Otto", "Waiting");
    other.email = "otto.waiting@example.com".into();
    create_customer(&side, HOUSTON, &OperationId::random(), &other)
        .await
        .unwrap();
    // Both creates wait in HQ for the sync: HQ's own checks decide.
    run(backend, Job::Upload).await;

    let edit_email = |key: String, email: &'static str| {
        let side = backend.channel_side();
        async move {
            let mut edited = find_customer(&backend.channel, &key)
                .await
                .unwrap()
                .unwrap()
                .customer;
            edited.email = email.into();
            let id = OperationId::random();
            let answer = edit_customer(&side, Origin::OnlineStore, &id, &key, &edited, None).await;
            (id, answer)
        }
    };
    for taken in ["karen.berg@contoso.com", "Otto.Waiting@example.com"] {
        let (id, refused) = edit_email(temporary_id.clone(), taken).await;
        assert_email_taken(&refused.unwrap_err());
        assert_eq!(backend.channel.staged_operation(id.as_str()).await.unwrap(), None);
    }
    // Their own email, in another case, is theirs to keep.
    let (_, own) = edit_email(temporary_id.clone(), "Pia.Profile@example.com").await;
    own.unwrap();

    run(backend, Job::Upload).await;
    run(backend, Job::SyncCustomers).await;
    run(backend, Job::Customers).await;
    let account = find_customer(&backend.channel, &temporary_id)
        .await
        .unwrap()
        .unwrap()
        .account
        .expect("the sign-up synced");
    let (_, refused) = edit_email(account.clone(), "karen.berg@contoso.com").await;
    assert_email_taken(&refused.unwrap_err());
    let (_, free) = edit_email(account, "pia.new@example.com").await;
    free.unwrap();
}

fn assert_email_taken(refused: &CustomerError) {
    let CustomerError::Invalid(fields) = refused else {
        panic!("expected a refusal beside the field, got {refused:?}");
    };
    let message = fields.get("email").unwrap_or_default();
    assert!(message.contains("already has this email"), "{message}");
}

/// Two admins turn the same option on: the second is told it was on
/// already, not that it is now on and 1070 should send it.
#[tokio::test]
async fn turning_on_an_option_another_admin_turned_on_says_it_was_on_already() {
    use axum::http::StatusCode;
    use common::http::{FORM, WebApp};
    use custsync::api::hq::functionality_profiles::SetAsyncCustomerMode;
    use leptos::server_fn::ServerFn;
    let app = WebApp::start().await;
    let admin = app.sign_in("admin").await;
    houston_synchronous(&app.test.backend).await;

    let first = app
        .post(SetAsyncCustomerMode::PATH, FORM, "channel_id=1&on=true", &admin)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains("is now on for this channel"),
        "{}",
        first.body
    );
    let second = app
        .post(SetAsyncCustomerMode::PATH, FORM, "channel_id=1&on=true", &admin)
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(
        second.body.contains("was already on for this channel"),
        "{}",
        second.body
    );
}

/// Two runs of 1110 and of 1070 at once (a run whose lease lapsed goes on
/// beside the next): the older run read HQ before a change, the newer one
/// after it and stored first. The older run's rows are not stored over the
/// newer copy, nor its version over the newer version. Before, they were,
/// until the next run brought the change again.
#[tokio::test]
async fn a_configuration_download_overtaken_by_a_newer_run_stores_nothing_older() {
    let app = common::start().await;
    let (hq, channel) = (&app.backend.hq, &app.backend.channel);

    // Both runs read every row, as on a channel's first download.
    let older = hq.features_changed_since(0).await.unwrap();
    assert!(
        change_feature(hq, Feature::PerformanceImprovements, true, "admin")
            .await
            .unwrap()
    );
    let newer = hq.features_changed_since(0).await.unwrap();
    let performance_off =
        |feature: &FeatureRecord| feature.name == Feature::PerformanceImprovements.name() && !feature.enabled;
    assert!(older.rows.iter().any(performance_off), "{older:?}");
    channel
        .save_features(&newer.rows, newer.row_version)
        .await
        .unwrap();
    let stopped = channel.save_features(&older.rows, older.row_version).await;
    assert!(
        matches!(
            stopped,
            Err(ChannelDbError::DownloadOvertaken(GLOBAL_CONFIGURATION))
        ),
        "{stopped:?}"
    );
    let copy = channel.configuration_copy().await.unwrap();
    let performance = copy
        .features
        .iter()
        .find(|feature| feature.name == Feature::PerformanceImprovements.name())
        .expect("copied");
    assert!(performance.enabled, "the copy holds HQ's newer state");
    assert_eq!(
        channel.downloaded_version(GLOBAL_CONFIGURATION).await.unwrap(),
        newer.row_version
    );

    let older = hq.channel_configuration_changed_since(0).await.unwrap();
    let (channels, _, _) = &older.rows;
    assert!(
        channels
            .iter()
            .any(|read| read.channel_id == 1 && read.create_customer_async_mode)
    );
    hq.set_async_customer_mode(1, false, "test").await.unwrap();
    let newer = hq.channel_configuration_changed_since(0).await.unwrap();
    save_channel_configuration(channel, &newer).await.unwrap();
    let stopped = save_channel_configuration(channel, &older).await;
    assert!(
        matches!(
            stopped,
            Err(ChannelDbError::DownloadOvertaken(CHANNEL_CONFIGURATION))
        ),
        "{stopped:?}"
    );
    let copy = channel.configuration_copy().await.unwrap();
    let houston = copy
        .channels
        .iter()
        .find(|copied| copied.channel_id == 1)
        .expect("copied");
    assert!(
        !houston.create_customer_async_mode,
        "the copy holds HQ's newer mode"
    );
}

async fn save_channel_configuration(
    channel: &ChannelDb,
    changed: &Changed<ChannelConfiguration>,
) -> Result<u64, ChannelDbError> {
    let (channels, registers, groups) = &changed.rows;
    channel
        .save_channel_configuration(channels, registers, groups, changed.row_version)
        .await
}
