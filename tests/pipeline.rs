//! The walking skeleton against real databases: create in the channel, the
//! P-job, the batch job, and what each leaves behind.

mod common;

use custsync::domain::customer::ChangedFields;
use custsync::domain::customer::{AddressDraft, CreatedCustomer, CustomerDraft};
use custsync::domain::jobs::Job;
use custsync::domain::operation::OperationId;
use custsync::domain::records::OperationKind;
use custsync::domain::registers::Origin;
use custsync::services::backend::Backend;
use custsync::services::cdx;
use custsync::services::channel_customers::{CustomerError, create_customer, edit_customer, find_customer};
use custsync::services::settings::Settings;
use custsync::storage::channel_db::{CUSTOMERS, ChannelDbError, DownloadRun, NewOperation};
use custsync::storage::hq_db::{CustomersBatch, CustomersReadTo, PreparedUpload, RunStart};
use sqlx::{Connection, SqliteConnection};

const HOUSTON_REGISTER_1: Origin = Origin::Register {
    channel_id: 1,
    register_number: 1,
};

fn draft(first: &str, last: &str) -> CustomerDraft {
    CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
        ..CustomerDraft::default()
    }
}

/// Stages one customer at Houston's register 1, as a cashier would.
async fn stage_ana_silva(backend: &Backend) -> CreatedCustomer {
    create_customer(
        &backend.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        &draft("Ana", "Silva"),
    )
    .await
    .expect("a valid draft is staged")
}

#[tokio::test]
async fn a_new_machine_gets_the_demo_company_in_both_databases() {
    let app = common::start().await;
    let backend = &app.backend;
    assert_eq!(backend.hq.count_customers().await.unwrap(), 12);
    assert_eq!(backend.channel.count_customers().await.unwrap(), 12);
    let registers = backend.channel.register_options().await.unwrap();
    let captions: Vec<String> = registers.iter().map(|r| r.caption()).collect();
    assert_eq!(
        captions,
        [
            "Houston, register 1",
            "Houston, register 2",
            "Seattle, register 1"
        ]
    );
    for job in [
        Job::GlobalConfiguration,
        Job::ChannelConfiguration,
        Job::Customers,
    ] {
        let runs = backend.hq.job_runs(job.code(), 10).await.unwrap();
        assert_eq!(runs.len(), 1, "{} ran once on first start", job.code());
        assert_eq!(runs[0].trigger, "First start");
        assert_eq!(runs[0].outcome, "Succeeded");
    }
}

#[tokio::test]
async fn a_restart_keeps_staged_customers_and_does_not_seed_again() {
    let app = common::start().await;
    let staged = stage_ana_silva(&app.backend).await;
    drop(app.backend);

    let restarted = common::start_in(&app.dir).await;
    let waiting = restarted.channel.not_uploaded(10).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].temporary_id, staged.key());
    assert_eq!(restarted.hq.count_customers().await.unwrap(), 12);
    let runs = restarted.hq.job_runs(Job::Customers.code(), 10).await.unwrap();
    assert_eq!(runs.len(), 1, "job 1010 is not run again on restart");
}

/// The channel database in `dir` as a first start killed before job 1010
/// stored anything leaves it.
async fn forget_the_customers_copy(dir: &tempfile::TempDir) {
    let url = format!("sqlite://{}", dir.path().join("channel.db").display());
    let mut channel_db = SqliteConnection::connect(&url).await.unwrap();
    for statement in [
        "DELETE FROM customer_addresses",
        "DELETE FROM customers",
        "DELETE FROM cdx_download_state WHERE job = '1010'",
    ] {
        sqlx::query(statement).execute(&mut channel_db).await.unwrap();
    }
    channel_db.close().await.unwrap();
}

/// A unit killed during its first start, after job 1070 and before job
/// 1010 had brought the customers, fills its copy of them when it starts
/// again, rather than serving a POS without customers.
#[tokio::test]
async fn a_first_start_killed_before_the_customers_arrived_downloads_them_at_the_next_start() {
    let app = common::start().await;
    app.backend.close().await;
    drop(app.backend);
    forget_the_customers_copy(&app.dir).await;

    let restarted = common::start_in(&app.dir).await;
    assert!(
        custsync::services::channel_customers::find_customer(&restarted.channel, "C000001")
            .await
            .unwrap()
            .is_some(),
        "Karen is in the copy again"
    );
    let runs = restarted.hq.job_runs(Job::Customers.code(), 10).await.unwrap();
    assert_eq!(runs.len(), 2, "job 1010 ran again at the start");
}

/// A unit killed in its first start's job 1110 and started again at once
/// finds its dead run's lease still alive: it waits for the lease to lapse
/// and downloads, rather than refusing to start.
#[tokio::test]
async fn a_first_start_killed_in_a_download_starts_again_once_the_dead_runs_lease_lapses() {
    let app = common::start().await;
    let lease_key = Job::GlobalConfiguration.lease_key("Main");
    let dead_run = RunStart {
        job_code: Job::GlobalConfiguration.code(),
        lease_key: &lease_key,
        scale_unit: "Main",
        scheduled: false,
    };
    app.backend
        .hq
        .start_job_run(dead_run, "First start", "a killed process", 2)
        .await
        .unwrap()
        .expect("leased");
    app.backend.close().await;
    drop(app.backend);
    forget_the_customers_copy(&app.dir).await;

    let restarted = common::start_in(&app.dir).await;
    let runs = restarted
        .hq
        .job_runs(Job::GlobalConfiguration.code(), 10)
        .await
        .unwrap();
    assert_eq!(runs[0].outcome, "Succeeded", "{runs:?}");
}

/// The Customers page lists the newest customers first, also once account
/// numbers outgrow their six digits: C1000000 comes after C999999.
#[tokio::test]
async fn the_newest_customers_come_first_once_accounts_pass_a_million() {
    let app = common::start().await;
    let backend = &app.backend;
    common::execute_on_hq(
        backend,
        "UPDATE number_sequences SET next_number = 999999 WHERE name = 'Customer account'",
    )
    .await;
    for last_name in ["Nine", "Million"] {
        create_customer(
            &backend.channel_side(),
            HOUSTON_REGISTER_1,
            &OperationId::random(),
            &draft("Ana", last_name),
        )
        .await
        .unwrap();
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();

    let newest: Vec<String> = backend
        .hq
        .customer_list(None, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.account)
        .collect();
    assert_eq!(newest, ["C1000000", "C999999"]);
}

#[tokio::test]
async fn a_clean_stop_leaves_each_database_whole_in_its_file() {
    let app = common::start().await;
    let staged = stage_ana_silva(&app.backend).await;
    app.backend.close().await;
    drop(app.backend);

    // HQ on PostgreSQL is no file of the data folder's.
    let files: &[&str] = if common::hq_on_postgres() {
        &["channel.db"]
    } else {
        &["channel.db", "hq.db"]
    };
    for database in files {
        let wal = app.dir.path().join(format!("{database}-wal"));
        assert!(!wal.exists(), "{} is left after a clean stop", wal.display());
    }
    let restarted = common::start_in(&app.dir).await;
    let waiting = restarted.channel.not_uploaded(10).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].temporary_id, staged.key());
}

#[tokio::test]
async fn a_create_stages_one_row_with_a_temporary_id_and_the_channel_defaults() {
    let app = common::start().await;
    let untrimmed = CustomerDraft {
        first_name: " Ana ".into(),
        last_name: "Silva ".into(),
        email: " Ana.Silva@Example.com".into(),
        ..CustomerDraft::default()
    };
    let staged = create_customer(
        &app.backend.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        &untrimmed,
    )
    .await
    .unwrap();
    assert_eq!(staged.full_name, "Ana Silva");
    assert_eq!(staged.channel_name, "Houston");
    assert!(uuid_like(&staged.key()), "{}", staged.key());

    let waiting = app.backend.channel.not_uploaded(10).await.unwrap();
    assert_eq!(waiting.len(), 1);
    let row = &waiting[0];
    assert_eq!(row.temporary_id, staged.key());
    assert_eq!(row.kind, OperationKind::Create);
    assert_eq!((row.channel_id, row.register_number), (1, Some(1)));
    let customer = &row.customer;
    assert_eq!(
        (customer.first_name.as_str(), customer.last_name.as_str()),
        ("Ana", "Silva")
    );
    assert_eq!(customer.email, "ana.silva@example.com");
    assert_eq!(customer.customer_group, "30", "Houston's default customer group");
    assert_eq!(
        (customer.language.as_str(), customer.currency.as_str()),
        ("en-us", "USD")
    );
}

#[tokio::test]
async fn an_invalid_create_is_refused_field_by_field_and_stages_nothing() {
    let app = common::start().await;
    let bad = CustomerDraft {
        first_name: "".into(),
        last_name: "Silva".into(),
        email: "silva-at-example.com".into(),
        ..CustomerDraft::default()
    };
    let Err(CustomerError::Invalid(fields)) = create_customer(
        &app.backend.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        &bad,
    )
    .await
    else {
        panic!("an invalid draft must be refused");
    };
    assert_eq!(fields.get("first_name"), Some("First name is required."));
    assert_eq!(
        fields.get("email"),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(app.backend.channel.count_not_uploaded().await.unwrap(), 0);
}

#[tokio::test]
async fn a_create_at_an_unknown_register_is_refused() {
    let app = common::start().await;
    let nowhere = Origin::Register {
        channel_id: 1,
        register_number: 9,
    };
    let error = create_customer(
        &app.backend.channel_side(),
        nowhere,
        &OperationId::random(),
        &draft("Ana", "Silva"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, CustomerError::UnknownRegister { .. }),
        "{error:?}"
    );
    assert_eq!(app.backend.channel.count_not_uploaded().await.unwrap(), 0);
}

#[tokio::test]
async fn the_online_store_requires_an_email() {
    let app = common::start().await;
    let mut no_email = draft("Lena", "Berg");
    no_email.email.clear();
    let Err(CustomerError::Invalid(fields)) = create_customer(
        &app.backend.channel_side(),
        Origin::OnlineStore,
        &OperationId::random(),
        &no_email,
    )
    .await
    else {
        panic!("a sign-up without email must be refused");
    };
    assert_eq!(fields.get("email"), Some("Email is required."));

    let staged = create_customer(
        &app.backend.channel_side(),
        Origin::OnlineStore,
        &OperationId::random(),
        &draft("Lena", "Berg"),
    )
    .await
    .unwrap();
    assert_eq!(staged.channel_name, "Fabrikam online store");
    let row = &app.backend.channel.not_uploaded(10).await.unwrap()[0];
    assert_eq!(
        (row.register_number, row.customer.customer_group.as_str()),
        (None, "40")
    );
}

#[tokio::test]
async fn concurrent_creates_are_all_staged_once() {
    let app = common::start().await;
    let mut tasks = Vec::new();
    for n in 0..100 {
        let backend = app.backend.clone();
        tasks.push(tokio::spawn(async move {
            create_customer(
                &backend.channel_side(),
                HOUSTON_REGISTER_1,
                &OperationId::random(),
                &draft("Ana", &format!("Silva{n}")),
            )
            .await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().key());
    }
    assert_eq!(ids.len(), 100);
    assert_eq!(app.backend.channel.count_not_uploaded().await.unwrap(), 100);
}

#[tokio::test]
async fn the_whole_pipeline_turns_a_create_into_an_hq_account() {
    let app = common::start().await;
    let backend = &app.backend;
    let staged = stage_ana_silva(backend).await;

    let upload = backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    assert_eq!((upload.outcome.as_str(), upload.rows_total), ("Succeeded", 1));
    assert_eq!(backend.channel.count_not_uploaded().await.unwrap(), 0);
    assert_eq!(backend.hq.count_pending_operations(3).await.unwrap(), 1);

    let sync = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(
        (sync.outcome.as_str(), sync.succeeded, sync.failed),
        ("Succeeded", 1, 0)
    );

    let operations = backend.hq.recent_operations(10).await.unwrap();
    let op = &operations[0];
    assert_eq!(op.temporary_id, staged.key());
    assert!(op.online_operation_completed);
    assert_eq!(op.account.as_deref(), Some("C000013"));
    assert_eq!(op.error, None);

    let customers = backend.hq.customer_list(None, 1).await.unwrap();
    let customer = &customers[0];
    assert_eq!(customer.account, "C000013");
    assert_eq!(customer.name, "Ana Silva");
    assert_eq!(customer.source_channel.as_deref(), Some("Houston"));
    assert_eq!(customer.async_customer_id.as_deref(), Some(staged.key().as_str()));
    assert_eq!(customer.customer_group_caption(), "30 Retail customers");
    assert_eq!(backend.hq.count_customers().await.unwrap(), 13);
}

#[tokio::test]
async fn running_both_jobs_again_changes_nothing() {
    let app = common::start().await;
    let backend = &app.backend;
    stage_ana_silva(backend).await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();

    let upload = backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let sync = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(upload.rows_total, 0);
    assert_eq!(sync.rows_total, 0);
    assert_eq!(backend.hq.count_customers().await.unwrap(), 13);
    assert_eq!(backend.hq.recent_operations(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_upload_interrupted_before_the_channel_was_marked_is_not_duplicated() {
    let app = common::start().await;
    let backend = &app.backend;
    stage_ana_silva(backend).await;
    // The first half of a P-job batch: HQ has the rows, the channel does not
    // know yet, as when the job is killed between the two commits.
    let waiting = backend.channel.not_uploaded(10).await.unwrap();
    backend
        .hq
        .save_uploaded_operations(PreparedUpload::new(waiting, 0))
        .await
        .unwrap();

    let upload = backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    assert_eq!(upload.outcome, "Succeeded");
    assert_eq!(
        upload.rows_done, 0,
        "the run counts what it brought to HQ, not what HQ had (its rows per second, the status page's plot)"
    );
    assert_eq!(backend.channel.count_not_uploaded().await.unwrap(), 0);
    assert_eq!(backend.hq.recent_operations(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_failing_operation_keeps_its_reason_and_stops_after_the_retry_limit() {
    let app = common::start().await;
    let backend = &app.backend;
    backend
        .channel
        .stage(NewOperation::create(
            "00000000-0000-4000-8000-000000000001".into(),
            1,
            Some(1),
            CustomerDraft {
                customer_group: "99".into(),
                ..draft("Ana", "Silva")
            },
        ))
        .await
        .unwrap();
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();

    for attempt in 1..=3 {
        let sync = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
        assert_eq!((sync.outcome.as_str(), sync.failed), ("Completed with errors", 1));
        let op = &backend.hq.recent_operations(1).await.unwrap()[0];
        assert_eq!(op.retry_count, attempt);
        assert!(!op.online_operation_completed);
        assert_eq!(
            op.error.as_deref(),
            Some(
                "Customer group '99' does not exist in HQ. Choose an existing customer group and synchronize again."
            )
        );
    }
    let after_limit = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(
        after_limit.rows_total, 0,
        "past the retry limit it waits for an admin"
    );
    assert_eq!(backend.hq.count_customers().await.unwrap(), 12);
}

fn uuid_like(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && value.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// Stages `count` customers named `first` at Houston's register 1, each
/// with one address, runs the P-job and the batch job, and gives their
/// temporary ids.
async fn sync_new_customers(backend: &Backend, first: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        let mut customer = draft(first, &format!("Customer{n}"));
        customer.addresses = vec![AddressDraft {
            name: "Home".into(),
            purpose: "Home".into(),
            street: format!("{n} Main St"),
            city: "Houston".into(),
            state: "TX".into(),
            zip: "77002".into(),
            country_region: "USA".into(),
            primary: true,
        }];
        let created = create_customer(
            &backend.channel_side(),
            HOUSTON_REGISTER_1,
            &OperationId::random(),
            &customer,
        )
        .await
        .expect("a valid draft is staged");
        ids.push(created.key());
    }
    for job in [Job::Upload, Job::SyncCustomers] {
        let run = backend.jobs.run(job, "Run now").await.unwrap();
        assert_eq!(run.outcome, "Succeeded", "{run:?}");
    }
    ids
}

/// Each customer the channel copies once, under its HQ account, with its
/// one address.
async fn assert_copied_once_with_their_address(backend: &Backend, ids: &[String]) {
    for id in ids {
        let copied = backend.channel.copied_customer(id).await.unwrap();
        let copied = copied.unwrap_or_else(|| panic!("{id} is not in the channel's copy"));
        assert!(copied.account.starts_with('C'), "{copied:?}");
        assert_eq!(copied.customer.addresses.len(), 1, "{id}: {copied:?}");
    }
}

#[tokio::test]
async fn job_1010_in_batches_brings_every_synced_customer_once_with_its_address() {
    let app = common::start().await;
    let backend = &app.backend;
    let ids = sync_new_customers(backend, "Ana", 7).await;

    let run = cdx::customers(&backend.hq, &backend.channel, 3, |_| {})
        .await
        .unwrap();
    assert_eq!(run.rows, 7, "batches of 3, 3 and 1");
    assert_eq!(backend.channel.count_customers().await.unwrap(), 12 + 7);
    assert_copied_once_with_their_address(backend, &ids).await;

    // Batches that end with the download: the empty read after the last
    // full one moves the channel's version.
    let more = sync_new_customers(backend, "Ben", 4).await;
    let run = cdx::customers(&backend.hq, &backend.channel, 2, |_| {})
        .await
        .unwrap();
    assert_eq!(run.rows, 4);
    let again = cdx::customers(&backend.hq, &backend.channel, 2, |_| {})
        .await
        .unwrap();
    assert_eq!(again.rows, 0, "nothing changed since");
    assert_eq!(backend.channel.count_customers().await.unwrap(), 12 + 7 + 4);
    assert_copied_once_with_their_address(backend, &more).await;
}

/// A run of 1010 begun by hand, as `cdx::customers` begins one: its run
/// number, the HQ version it reads to from the channel's `after`, and its
/// first batch of `limit` customers.
async fn begin_1010_run(backend: &Backend, after: i64, limit: u32) -> (DownloadRun, i64, CustomersBatch) {
    let run = backend.channel.begin_download(CUSTOMERS).await.unwrap();
    let through = backend.hq.customers_version(after).await.unwrap();
    let batch = backend
        .hq
        .customers_changed(&CustomersReadTo::after(after), through, limit)
        .await
        .unwrap();
    (run, through, batch)
}

#[tokio::test]
async fn a_1010_run_stopped_after_its_first_batch_leaves_a_whole_copy_after_the_next_run() {
    let app = common::start().await;
    let backend = &app.backend;
    let ids = sync_new_customers(backend, "Cleo", 5).await;

    // The run's first batch is stored, then the run stops: the channel's
    // version is still the one before it.
    let after = backend.channel.downloaded_version(CUSTOMERS).await.unwrap();
    let (stopped, through, first) = begin_1010_run(backend, after, 2).await;
    assert_eq!(first.rows.len(), 2);
    backend
        .channel
        .save_downloaded_customers(stopped, &first.rows, None)
        .await
        .unwrap();
    assert_eq!(
        backend.channel.downloaded_version(CUSTOMERS).await.unwrap(),
        after
    );

    let run = cdx::customers(&backend.hq, &backend.channel, 2, |_| {})
        .await
        .unwrap();
    assert_eq!(
        run.rows, 5,
        "the first batch again, replaced whole, then the rest"
    );
    assert_eq!(backend.channel.count_customers().await.unwrap(), 12 + 5);
    assert_copied_once_with_their_address(backend, &ids).await;
    assert_eq!(
        backend.channel.downloaded_version(CUSTOMERS).await.unwrap(),
        through
    );
}

/// A real-time edit answered while a run of 1010 holds a batch it read
/// before the edit: the edit's customer, written back into the copy at
/// once, is not replaced by the batch's older copy of it (the cashier would
/// see the old values, and an edit from them would write them back to HQ).
#[tokio::test]
async fn a_1010_batch_read_before_a_real_time_edit_does_not_undo_it_in_the_copy() {
    let app = common::start().await;
    let backend = &app.backend;
    let (run, through, batch) = begin_1010_run(backend, 0, 100).await;
    assert!(batch.rows.iter().any(|row| row.account == "C000001"));

    let mut karen = find_customer(&backend.channel, "C000001")
        .await
        .unwrap()
        .unwrap()
        .customer;
    karen.phone = "+1 713 555 0198".into();
    karen.addresses.clear();
    edit_customer(
        &backend.channel_side(),
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    backend
        .channel
        .save_downloaded_customers(run, &batch.rows, Some(through))
        .await
        .unwrap();

    let copy = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(copy.customer.phone, "+1 713 555 0198");
    assert_eq!(copy.customer.addresses.len(), 1, "with its address");
}

/// A 1010 run that a newer one overtakes after some of its batches ends as
/// failed, saying so, with the customers it stored counted in its history.
#[tokio::test]
async fn a_1010_run_overtaken_after_some_batches_counts_what_it_stored_and_says_why_it_stopped() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        hq_latency_ms: 0,
        config_cache_ttl_seconds: 0,
        seed_demo_users: true,
        download_batch_size: 1,
        ..Settings::default()
    };
    let backend = &common::start_in_with(&dir, settings).await;
    sync_new_customers(backend, "Ona", 60).await;
    let before = backend.channel.count_customers().await.unwrap();

    let (_, run) = backend.jobs.start(Job::Customers, "Run now").await.unwrap();
    while backend.channel.count_customers().await.unwrap() == before && !run.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    backend.channel.begin_download(CUSTOMERS).await.unwrap();
    let run = run.await.unwrap().unwrap();

    let stored = backend.channel.count_customers().await.unwrap() - before;
    assert!(
        stored > 0 && stored < 60,
        "{stored} stored before the newer run began"
    );
    assert_eq!(
        (run.outcome.as_str(), run.rows_done),
        ("Failed", stored),
        "{run:?}"
    );
    let message = run.message.unwrap_or_default();
    assert!(message.contains("newer run"), "{message}");
}

/// Two runs of 1010 at once (a run whose lease lapsed goes on beside the
/// next): the older run's batch, read before a customer changed in HQ, must
/// not end up over the newer copy for good.
#[tokio::test]
async fn a_1010_run_overtaken_by_a_newer_one_leaves_no_customer_older_than_hq() {
    let app = common::start().await;
    let backend = &app.backend;
    sync_new_customers(backend, "Dina", 3).await;
    let after = backend.channel.downloaded_version(CUSTOMERS).await.unwrap();

    // The older run reads its batch...
    let (older_run, older_through, older) = begin_1010_run(backend, after, 100).await;
    let changed = older.rows[0].clone();
    // ...HQ changes a customer of it...
    let mut edited = changed.customer.clone();
    edited.phone = "+1 713 555 0199".into();
    let mut tx = backend.hq.begin_sync().await.unwrap();
    assert!(
        tx.update_customer(&changed.account, &edited, ChangedFields::ALL)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    // ...and a newer run reads and stores it, its version with its last batch.
    let (newer_run, newer_through, newer) = begin_1010_run(backend, after, 100).await;
    backend
        .channel
        .save_downloaded_customers(newer_run, &newer.rows, None)
        .await
        .unwrap();
    // The older run would store what it read as its last batch: it is
    // stopped, then the newer run stores its own last.
    let stopped = backend
        .channel
        .save_downloaded_customers(older_run, &older.rows, Some(older_through))
        .await;
    assert!(
        matches!(stopped, Err(ChannelDbError::DownloadOvertaken(CUSTOMERS))),
        "{stopped:?}"
    );
    backend
        .channel
        .save_downloaded_customers(newer_run, &[], Some(newer_through))
        .await
        .unwrap();

    cdx::customers(&backend.hq, &backend.channel, 100, |_| {})
        .await
        .unwrap();
    let copy = backend
        .channel
        .copied_customer(&changed.account)
        .await
        .unwrap()
        .expect("copied");
    assert_eq!(copy.customer.phone, "+1 713 555 0199", "the copy is HQ's");
}
