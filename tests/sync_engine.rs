//! The sync engine under stress: HQ rules, progress, one run at a time
//! across processes, and jobs killed with SIGKILL at many points, after
//! which nothing is lost and nothing is applied twice.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use custsync::domain::customer::ChangedFields;
use custsync::domain::customer::{AddressDraft, CustomerDraft};
use custsync::domain::jobs::{Job, JobRun, RunCounts, RunOutcome};
use custsync::domain::operation::OperationId;
use custsync::domain::records::OperationKind;
use custsync::domain::registers::Origin;
use custsync::services::backend::Backend;
use custsync::services::channel_customers::create_customer;
use custsync::services::jobs::{JobError, SCHEDULE, scheduler_tick};
use custsync::services::settings::Settings;
use custsync::storage::channel_db::NewOperation;
use custsync::storage::hq_db::{HqDb, LeaseHeld, RunStart, UploadedOperationRow};
use tempfile::TempDir;

const SEATTLE: Origin = Origin::Register {
    channel_id: 2,
    register_number: 1,
};

fn customer(n: usize) -> CustomerDraft {
    CustomerDraft {
        first_name: "Crash".into(),
        last_name: format!("Test{n}"),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        addresses: vec![address(n)],
        ..CustomerDraft::default()
    }
}

fn address(n: usize) -> AddressDraft {
    AddressDraft {
        name: "Home".into(),
        purpose: "Home".into(),
        street: format!("{n} Pine St"),
        city: "Seattle".into(),
        state: "WA".into(),
        zip: "98101".into(),
        country_region: "USA".into(),
        primary: true,
    }
}

fn temporary_id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

async fn stage(
    backend: &Backend,
    id: String,
    kind: OperationKind,
    target: Option<String>,
    customer: CustomerDraft,
) {
    backend
        .channel
        .stage(NewOperation {
            temporary_id: id,
            kind,
            channel_id: 2,
            register_number: Some(1),
            customer_account: None,
            customer_temporary_id: target,
            changed_fields: ChangedFields::ALL,
            customer,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_customer_whose_email_another_has_fails_with_both_named() {
    let app = common::start().await;
    let backend = &app.backend;
    let draft = CustomerDraft {
        email: "KAREN.BERG@contoso.com".into(),
        ..customer(1)
    };
    create_customer(&backend.channel_side(), SEATTLE, &OperationId::random(), &draft)
        .await
        .unwrap();
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let run = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!((run.outcome.as_str(), run.failed), ("Completed with errors", 1));
    let op = &backend.hq.recent_operations(1).await.unwrap()[0];
    assert_eq!(
        op.error.as_deref(),
        Some(
            "Customer C000001 already has the email karen.berg@contoso.com, and HQ requires unique emails. \
             Change the email and synchronize again."
        )
    );
}

#[tokio::test]
async fn two_creates_in_one_run_with_one_email_make_one_customer() {
    let app = common::start().await;
    let backend = &app.backend;
    for (n, email) in [(1, "twin@contoso.com"), (2, "Twin@Contoso.com")] {
        let draft = CustomerDraft {
            email: email.into(),
            ..customer(n)
        };
        create_customer(&backend.channel_side(), SEATTLE, &OperationId::random(), &draft)
            .await
            .unwrap();
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let run = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!((run.succeeded, run.failed), (1, 1));
    let operations = backend.hq.recent_operations(2).await.unwrap();
    let (second, first) = (&operations[0], &operations[1]);
    assert_eq!(first.account.as_deref(), Some("C000013"));
    assert_eq!(
        second.error.as_deref(),
        Some(
            "Customer C000013 already has the email twin@contoso.com, and HQ requires unique emails. \
             Change the email and synchronize again."
        )
    );
    assert!(!second.online_operation_completed);
}

#[tokio::test]
async fn a_run_records_its_progress() {
    let app = common::start().await;
    let backend = &app.backend;
    for n in 0..30 {
        create_customer(
            &backend.channel_side(),
            SEATTLE,
            &OperationId::random(),
            &customer(n),
        )
        .await
        .unwrap();
    }
    let upload = backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    assert_eq!((upload.rows_done, upload.rows_total), (30, 30));
    let sync = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!((sync.rows_done, sync.rows_total, sync.succeeded), (30, 30, 30));
    assert!(!sync.is_running());
    assert_eq!(
        sync.summary(),
        format!(
            "Run {} finished: Succeeded, 30 rows (30 succeeded, 0 failed).",
            sync.run_id
        )
    );
}

/// What another scale unit's process starting `job` takes in HQ.
fn started_in_seattle(job: Job, lease_key: &str) -> RunStart<'_> {
    RunStart {
        job_code: job.code(),
        lease_key,
        scale_unit: "Seattle",
        scheduled: false,
    }
}

#[tokio::test]
async fn a_job_leased_by_another_process_is_refused_until_released() {
    let app = common::start().await;
    let backend = &app.backend;
    let lease_key = Job::SyncCustomers.lease_key("Seattle");
    let other = backend
        .hq
        .start_job_run(
            started_in_seattle(Job::SyncCustomers, &lease_key),
            "Run now",
            "another process",
            30,
        )
        .await
        .unwrap();
    assert!(other.is_some(), "the batch job is one run at a time chain-wide");
    let refused = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap_err();
    assert!(matches!(refused, JobError::AlreadyRunning(_)));
    assert_eq!(
        refused.to_string(),
        "Synchronize customers and channel requests is already running. Wait for that run to finish."
    );
    backend
        .hq
        .release_job_lease("SYNCCUST", "another process")
        .await
        .unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
}

/// Two scale units' schedulers both find a job due; the second starts it
/// after the first one's run has ended. The batch job runs once a
/// recurrence chain-wide, a scale unit's own job once in each unit.
#[tokio::test]
async fn a_scheduled_run_does_not_start_once_its_job_ran_in_the_recurrence_since_the_scheduler_looked() {
    let app = common::start().await;
    let backend = &app.backend;
    for job in [Job::SyncCustomers, Job::Upload] {
        backend.hq.set_job_schedule(job.code(), 5).await.unwrap();
    }
    let due = backend.jobs.due_jobs().await.unwrap();
    assert!(
        due.contains(&Job::SyncCustomers) && due.contains(&Job::Upload),
        "{due:?}"
    );
    for job in [Job::SyncCustomers, Job::Upload] {
        let lease_key = job.lease_key("Seattle");
        let run = started_in_seattle(job, &lease_key);
        let run_id = backend
            .hq
            .start_job_run(run, SCHEDULE, "Seattle's process", 30)
            .await
            .unwrap()
            .expect("Seattle's scheduler starts it");
        let lease = LeaseHeld {
            key: &lease_key,
            holder: "Seattle's process",
        };
        backend
            .hq
            .finish_job_run(run_id, lease, RunOutcome::Succeeded, RunCounts::default(), None)
            .await
            .unwrap();
    }

    let batch_again = backend.jobs.run(Job::SyncCustomers, SCHEDULE).await;
    assert!(batch_again.is_err(), "{batch_again:?}");
    let runs = backend.hq.job_runs("SYNCCUST", 10).await.unwrap();
    assert_eq!(
        runs.len(),
        1,
        "one run of the batch job this recurrence: {runs:?}"
    );
    let own_p_job = backend.jobs.run(Job::Upload, SCHEDULE).await.unwrap();
    assert_eq!(own_p_job.scale_unit.as_deref(), Some("Main"), "{own_p_job:?}");
}

/// A run of the batch job that a Seattle process started, with a lease of
/// `lease_seconds`, and then died in: nothing renews or ends it.
async fn run_of_a_process_that_died(backend: &Backend, lease_seconds: u32) -> i64 {
    let lease_key = Job::SyncCustomers.lease_key("Seattle");
    backend
        .hq
        .start_job_run(
            started_in_seattle(Job::SyncCustomers, &lease_key),
            "Run now",
            "a process that died",
            lease_seconds,
        )
        .await
        .unwrap()
        .expect("started")
}

fn assert_closed_as_interrupted(runs: &[JobRun], dead: i64) {
    let closed = runs.iter().find(|run| run.run_id == dead).expect("listed");
    assert_eq!(closed.outcome, "Failed", "{closed:?}");
    assert!(
        closed
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("Interrupted")),
        "{closed:?}"
    );
}

/// A process that died in a run (or a Run now whose request was dropped
/// once the run was recorded) leaves the run "Running" with a lease that
/// lapses; the run that takes the lapsed lease over closes it, also when no
/// server restarts after the lease lapsed.
#[tokio::test]
async fn the_run_that_takes_over_a_lapsed_lease_closes_the_run_that_held_it() {
    let app = common::start().await;
    let backend = &app.backend;
    let dead = run_of_a_process_that_died(backend, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;

    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    let runs = backend.hq.job_runs("SYNCCUST", 10).await.unwrap();
    assert!(runs.iter().all(|run| !run.is_running()), "{runs:?}");
    assert_closed_as_interrupted(&runs, dead);
}

/// A run whose process was paused past its lease, and which another run
/// took over (closing it as interrupted, without its counts), then finds
/// its lease lost: its row says why it stopped and what it committed, and
/// the taker's row is left alone.
#[tokio::test]
async fn a_run_that_lost_its_lease_says_why_it_stopped_with_what_it_committed() {
    let app = common::start().await;
    let backend = &app.backend;
    let paused = run_of_a_process_that_died(backend, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let taker = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();

    let why = "The run stopped: another run took the job over.";
    backend
        .hq
        .close_lost_job_run(paused, RunCounts::moved(2500), why)
        .await
        .unwrap();
    let closed = backend.hq.job_run(paused).await.unwrap();
    assert_eq!(
        (
            closed.outcome.as_str(),
            closed.rows_done,
            closed.message.as_deref()
        ),
        ("Failed", 2500, Some(why))
    );
    assert!(closed.ended_at.is_some(), "{closed:?}");
    let taker_now = backend.hq.job_run(taker.run_id).await.unwrap();
    assert_eq!(taker_now, taker, "the taker's row is its own");
}

/// A run left "Running" by a process that died, and that no later run of
/// its job takes over, is closed by the scheduler's next look once its
/// lease has lapsed: the history and Troubleshoot never go on claiming it.
#[tokio::test]
async fn the_scheduler_closes_a_run_whose_process_died_once_its_lease_lapses() {
    let app = common::start().await;
    let backend = &app.backend;
    let dead = run_of_a_process_that_died(backend, 3).await;
    scheduler_tick(&backend.jobs).await;
    let runs = backend.hq.job_runs("SYNCCUST", 10).await.unwrap();
    assert!(
        runs.iter().any(|run| run.run_id == dead && run.is_running()),
        "its lease is alive: {runs:?}"
    );

    tokio::time::sleep(Duration::from_millis(3_200)).await;
    scheduler_tick(&backend.jobs).await;
    let runs = backend.hq.job_runs("SYNCCUST", 10).await.unwrap();
    assert_closed_as_interrupted(&runs, dead);
}

/// A run's end and the release of its lease are one write: once the
/// history shows the run ended, the job starts again at once, in any
/// process; a run whose lease another process took over releases nothing.
#[tokio::test]
async fn a_runs_end_releases_its_lease_and_no_other() {
    let app = common::start().await;
    let hq = &app.backend.hq;
    let lease_key = Job::SyncCustomers.lease_key("Seattle");
    let start = |holder: &'static str| {
        hq.start_job_run(
            started_in_seattle(Job::SyncCustomers, &lease_key),
            "Run now",
            holder,
            30,
        )
    };
    let finish = |run_id, holder| {
        let lease = LeaseHeld {
            key: &lease_key,
            holder,
        };
        hq.finish_job_run(run_id, lease, RunOutcome::Succeeded, RunCounts::default(), None)
    };
    let first = start("one process").await.unwrap().expect("started");
    finish(first, "one process").await.unwrap();
    let second = start("another process").await.unwrap();
    assert!(second.is_some(), "the lease went with the run's end");

    finish(first, "one process").await.unwrap();
    assert_eq!(
        start("a third process").await.unwrap(),
        None,
        "another holder's lease is left alone"
    );
}

#[tokio::test]
async fn another_scale_units_p_job_does_not_hold_up_this_ones() {
    let app = common::start().await;
    let backend = &app.backend;
    let lease_key = Job::Upload.lease_key("Seattle");
    let seattle = backend
        .hq
        .start_job_run(
            started_in_seattle(Job::Upload, &lease_key),
            "Run now",
            "another process",
            30,
        )
        .await
        .unwrap();
    assert!(seattle.is_some());
    let here = backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    assert_eq!(here.outcome, "Succeeded");
    assert_eq!(
        here.scale_unit.as_deref(),
        Some("Main"),
        "each run names its scale unit"
    );
    let refused = backend
        .hq
        .start_job_run(
            started_in_seattle(Job::Upload, &lease_key),
            "Run now",
            "a third process",
            30,
        )
        .await
        .unwrap();
    assert!(refused.is_none(), "Seattle's P-job is still one run at a time");
}

/// Stages and uploads `count` creates; their temporary ids.
async fn uploaded_creates(backend: &Backend, count: usize) -> Vec<String> {
    for n in 0..count {
        stage(backend, temporary_id(n), OperationKind::Create, None, customer(n)).await;
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    (0..count).map(temporary_id).collect()
}

/// Each operation completed with an account of its own, and one customer each.
async fn each_create_made_one_customer(backend: &Backend, count: usize) {
    let operations = backend.hq.recent_operations(10_000).await.unwrap();
    let accounts: std::collections::HashSet<&str> = operations
        .iter()
        .filter(|op| op.online_operation_completed)
        .filter_map(|op| op.account.as_deref())
        .collect();
    assert_eq!(
        accounts.len(),
        count,
        "each operation completed, with its own account"
    );
    assert_eq!(backend.hq.count_customers().await.unwrap(), 12 + count as i64);
}

#[tokio::test]
async fn two_processes_starting_the_sync_at_once_run_it_once() {
    let app = common::start().await;
    uploaded_creates(&app.backend, 600).await;
    let second_process = common::start_in(&app.dir).await;

    let (first, second) = tokio::join!(
        app.backend.jobs.run(Job::SyncCustomers, "Run now"),
        second_process.jobs.run(Job::SyncCustomers, "Run now"),
    );
    let mut synced = 0;
    for result in [first, second] {
        match result {
            Ok(run) => synced += run.succeeded,
            Err(JobError::AlreadyRunning(_)) => {}
            Err(other) => panic!("a run failed instead of being refused: {other}"),
        }
    }
    assert_eq!(synced, 600, "each operation is completed by exactly one run");
    each_create_made_one_customer(&app.backend, 600).await;
}

#[tokio::test]
async fn synchronize_on_the_status_page_beside_a_running_batch_completes_each_operation_once() {
    let dir = tempfile::tempdir().unwrap();
    let backend = common::start_in_with(&dir, settings(dir.path().to_str().unwrap())).await;
    let ids = uploaded_creates(&backend, 600).await;

    let (_, batch) = backend.jobs.start(Job::SyncCustomers, "Run now").await.unwrap();
    // Every other operation, so that both work through the same batches.
    let chosen: Vec<String> = ids.iter().step_by(2).cloned().collect();
    let selected = custsync::services::sync::synchronize_selected(
        &backend.hq,
        &chosen,
        backend.settings.sync_options(),
        "HQ admin",
    )
    .await
    .unwrap();
    let run = batch.await.unwrap().unwrap();

    assert!(
        run.succeeded > 0 && selected.succeeded > 0,
        "both made progress side by side: batch {}, Synchronize {}",
        run.succeeded,
        selected.succeeded
    );
    assert_eq!(run.succeeded + selected.succeeded, 600, "none completed twice");
    assert_eq!(run.failed + selected.failed, 0);
    each_create_made_one_customer(&backend, 600).await;
}

/// Set by `killed_jobs_lose_nothing_and_apply_nothing_twice` for the child
/// processes it kills: the data directory to run the jobs on.
const WORKER_DIR: &str = "CUSTSYNC_CRASH_WORKER_DIR";

/// The HQ customer that the create `temporary_id(n)` became.
async fn customer_created_by(
    backend: &Backend,
    operations: &[UploadedOperationRow],
    n: usize,
) -> CustomerDraft {
    let account = operations
        .iter()
        .find(|op| op.temporary_id == temporary_id(n))
        .and_then(|op| op.account.clone())
        .expect("the create is synced");
    common::customer_in_hq(backend, &account).await
}

/// The newest run of the P-job or the sync, if any.
async fn newest_run(hq: &HqDb) -> Option<JobRun> {
    let mut newest: Option<JobRun> = None;
    for job in [Job::Upload, Job::SyncCustomers] {
        if let Some(run) = hq.job_runs(job.code(), 1).await.unwrap().pop()
            && newest.as_ref().is_none_or(|n| run.run_id > n.run_id)
        {
            newest = Some(run);
        }
    }
    newest
}

/// Whether a run newer than `after` is under way and has committed part of
/// its work.
async fn run_in_progress(hq: &HqDb, after: i64) -> bool {
    newest_run(hq)
        .await
        .is_some_and(|run| run.run_id > after && run.is_running() && run.rows_done > 0)
}

fn settings(dir: &str) -> Settings {
    Settings {
        data_dir: dir.into(),
        hq_latency_ms: 0,
        config_cache_ttl_seconds: 0,
        job_lease_seconds: 1,
        upload_batch_size: 11,
        sync_batch_size: 7,
        ..Settings::default()
    }
}

/// The child process of the crash test: runs the P-job and the sync in a
/// loop until it is killed. Without its variable it does nothing.
#[tokio::test]
async fn crash_worker() {
    let Ok(dir) = std::env::var(WORKER_DIR) else {
        return;
    };
    let backend = Backend::start(common::with_test_hq(settings(&dir)).await)
        .await
        .unwrap();
    loop {
        for job in [Job::Upload, Job::SyncCustomers] {
            if let Err(error) = backend.jobs.run(job, "Run now").await {
                assert!(matches!(error, JobError::AlreadyRunning(_)), "{error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

#[tokio::test]
async fn killed_jobs_lose_nothing_and_apply_nothing_twice() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().to_str().unwrap().to_string();
    let creates = 1_500;
    {
        let backend = Backend::start(common::with_test_hq(settings(&path)).await)
            .await
            .unwrap();
        for n in 0..creates {
            stage(
                &backend,
                temporary_id(n),
                OperationKind::Create,
                None,
                customer(n),
            )
            .await;
        }
        for n in 0..100 {
            let renamed = CustomerDraft {
                phone: format!("+1 555 777 {n:04}"),
                ..customer(n)
            };
            let update = CustomerDraft {
                addresses: Vec::new(),
                ..renamed
            };
            stage(
                &backend,
                temporary_id(10_000 + n),
                OperationKind::Update,
                Some(temporary_id(n)),
                update,
            )
            .await;
            let extra = CustomerDraft {
                addresses: vec![AddressDraft {
                    street: format!("{n} Second St"),
                    primary: false,
                    ..address(n)
                }],
                ..CustomerDraft::default()
            };
            stage(
                &backend,
                temporary_id(20_000 + n),
                OperationKind::AddAddress,
                Some(temporary_id(100 + n)),
                extra,
            )
            .await;
        }
    }

    let test_binary = std::env::current_exe().unwrap();
    let hq = HqDb::open_at(&common::with_test_hq(settings(&path)).await.hq_location())
        .await
        .unwrap();
    for delay_ms in [0, 3, 6, 9, 12, 15, 18, 21, 24, 27] {
        let before = newest_run(&hq).await.map_or(0, |run| run.run_id);
        let mut child = Command::new(&test_binary)
            .args(["crash_worker", "--exact", "--nocapture", "--test-threads", "1"])
            .env(WORKER_DIR, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill it once a run has committed part of its work, so that the
        // kill lands inside the jobs' work and not between two runs.
        for _ in 0..500 {
            if run_in_progress(&hq, before).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // Restart after the last kill, once its lease has expired, and finish.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let backend = Backend::start(common::with_test_hq(settings(&path)).await)
        .await
        .unwrap();
    let mut interrupted = 0;
    for job in [Job::Upload, Job::SyncCustomers] {
        let runs = backend.hq.job_runs(job.code(), 1_000).await.unwrap();
        interrupted += runs
            .iter()
            .filter(|run| {
                run.message
                    .as_deref()
                    .is_some_and(|m| m.starts_with("Interrupted"))
            })
            .count();
    }
    assert!(
        interrupted >= 3,
        "the kills must land in the middle of runs, not between them ({interrupted})"
    );
    let synced_before = backend
        .hq
        .recent_operations(10_000)
        .await
        .unwrap()
        .iter()
        .filter(|op| op.online_operation_completed)
        .count();
    assert!(
        synced_before > 0,
        "the killed workers made progress before the restart"
    );
    for job in [Job::Upload, Job::SyncCustomers, Job::Upload, Job::SyncCustomers] {
        let run = backend.jobs.run(job, "Run now").await.unwrap();
        assert_eq!(run.failed, 0, "{run:?}");
    }

    assert_eq!(
        backend.channel.count_not_uploaded().await.unwrap(),
        0,
        "every operation uploaded"
    );
    assert_eq!(
        backend.hq.count_pending_operations(3).await.unwrap(),
        0,
        "every operation synced"
    );
    let operations = backend.hq.recent_operations(10_000).await.unwrap();
    assert_eq!(operations.len(), creates + 200, "each operation uploaded once");
    assert!(
        operations
            .iter()
            .all(|op| op.online_operation_completed && op.account.is_some())
    );
    assert_eq!(
        backend.hq.count_customers().await.unwrap(),
        12 + creates as i64,
        "each create made exactly one customer"
    );
    for n in [0, 57, 99] {
        let hq = customer_created_by(&backend, &operations, n).await;
        assert_eq!(hq.phone, format!("+1 555 777 {n:04}"), "the update was applied");
        assert_eq!(hq.addresses.len(), 1);
    }
    for n in [100, 150, 199] {
        let hq = customer_created_by(&backend, &operations, n).await;
        assert_eq!(
            hq.addresses.len(),
            2,
            "the address addition was applied exactly once"
        );
    }
}
