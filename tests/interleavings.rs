//! Random interleavings of creates, edits, address additions, P-job runs,
//! batch runs and crashes (a job's own task stopped part-way, then a
//! restart). After every step no staged operation is lost and none is
//! applied twice; once the jobs have caught up, every operation is synced.
//! Most crashes must land inside a run, or the test would not test them.

mod common;

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use custsync::domain::customer::ChangedFields;
use custsync::domain::customer::{AddressDraft, CustomerDraft};
use custsync::domain::jobs::Job;
use custsync::domain::records::OperationKind;
use custsync::services::backend::Backend;
use custsync::services::jobs::JobError;
use custsync::services::settings::Settings;
use custsync::storage::channel_db::NewOperation;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use tempfile::TempDir;

/// Customers HQ has before any step: the demo company's.
const DEMO_CUSTOMERS: i64 = 12;

#[derive(Debug, Clone)]
enum Step {
    Create,
    /// Changes the phone of one of the customers created so far.
    Edit(usize),
    AddAddress(usize),
    PJob,
    Batch,
    /// Starts the P-job (or the batch), stops its task after a few
    /// milliseconds, and restarts the backend.
    Crash {
        batch: bool,
        after_us: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Create),
        2 => any::<usize>().prop_map(Step::Edit),
        2 => any::<usize>().prop_map(Step::AddAddress),
        2 => Just(Step::PJob),
        2 => Just(Step::Batch),
        2 => (any::<bool>(), 0_u64..4_000).prop_map(|(batch, after_us)| Step::Crash { batch, after_us }),
    ]
}

/// What the test has staged, in order.
#[derive(Default)]
struct Staged {
    /// Temporary ids of the creates, with the step that made each.
    creates: Vec<(String, usize)>,
    /// Every staged operation: its id, and the create it changes.
    operations: Vec<(String, Option<String>)>,
    /// The phone of the newest edit of each create.
    last_phone: HashMap<String, String>,
}

fn settings(dir: &TempDir) -> Settings {
    Settings {
        data_dir: dir.path().to_path_buf(),
        hq_latency_ms: 0,
        config_cache_ttl_seconds: 0,
        job_lease_seconds: 1,
        upload_batch_size: 3,
        sync_batch_size: 2,
        ..Settings::default()
    }
}

fn customer(n: usize) -> CustomerDraft {
    CustomerDraft {
        first_name: "Prop".into(),
        last_name: format!("Interleaved{n}"),
        email: format!("prop.{n}@example.com"),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        addresses: vec![address(n, "Home")],
        ..CustomerDraft::default()
    }
}

fn address(n: usize, street: &str) -> AddressDraft {
    AddressDraft {
        name: street.into(),
        purpose: "Home".into(),
        street: format!("{n} {street} St"),
        city: "Seattle".into(),
        state: "WA".into(),
        zip: "98101".into(),
        country_region: "USA".into(),
        primary: false,
    }
}

/// Stages an operation; a change names its customer as the POS would: by
/// account once HQ has created it, by temporary id before.
async fn stage(
    backend: &Backend,
    kind: OperationKind,
    target: Option<String>,
    customer: CustomerDraft,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let account = match &target {
        Some(create) => account_of(backend, create).await,
        None => None,
    };
    backend
        .channel
        .stage(NewOperation {
            temporary_id: id.clone(),
            kind,
            channel_id: 2,
            register_number: Some(1),
            customer_temporary_id: target.filter(|_| account.is_none()),
            changed_fields: ChangedFields::ALL,
            customer_account: account,
            customer,
        })
        .await
        .expect("staged");
    id
}

/// The account HQ gave the create `temporary_id`, once it is synced.
async fn account_of(backend: &Backend, temporary_id: &str) -> Option<String> {
    backend
        .hq
        .recent_operations(100_000)
        .await
        .expect("HQ operations")
        .into_iter()
        .find(|op| op.temporary_id == temporary_id)
        .and_then(|op| op.account)
}

/// Runs a job; a job whose lease a dropped run still holds is simply not
/// run this time, as for a user who clicks Run now during another run.
async fn run(backend: &Backend, job: Job) {
    match backend.jobs.run(job, "Run now").await {
        Ok(_) | Err(JobError::AlreadyRunning(_)) => {}
        Err(error) => panic!("{job:?} failed: {error}"),
    }
}

/// How many crashes hit a job with work to do, and how many of those
/// stopped its run part-way.
#[derive(Default)]
struct Crashes {
    made: Cell<usize>,
    part_way: Cell<usize>,
}

/// Whether `job` has operations to carry.
async fn has_work(backend: &Backend, job: Job) -> bool {
    let waiting = match job {
        Job::SyncCustomers => backend.hq.count_pending_operations(100).await.expect("count"),
        _ => backend.channel.count_not_uploaded().await.expect("count"),
    };
    waiting > 0
}

/// Starts `job` and stops its own task after `after_us`; whether it was
/// still running then (a run another one holds the lease of is not started).
async fn crash(backend: &Backend, job: Job, after_us: u64) -> bool {
    let running = match backend.jobs.start(job, "Run now").await {
        Ok((_, task)) => task,
        Err(JobError::AlreadyRunning(_)) => return false,
        Err(error) => panic!("{job:?} could not start: {error}"),
    };
    tokio::time::sleep(Duration::from_micros(after_us)).await;
    let part_way = !running.is_finished();
    running.abort();
    let _ = running.await;
    part_way
}

async fn apply(
    backend: Backend,
    dir: &TempDir,
    staged: &mut Staged,
    step: &Step,
    n: usize,
    crashes: &Crashes,
) -> Backend {
    match *step {
        Step::Create => {
            let id = stage(&backend, OperationKind::Create, None, customer(n)).await;
            staged.creates.push((id.clone(), n));
            staged.operations.push((id, None));
        }
        Step::Edit(pick) if !staged.creates.is_empty() => {
            let (target, created_at_step) = staged.creates[pick % staged.creates.len()].clone();
            let phone = format!("+1 555 {n:04}");
            let edit = CustomerDraft {
                phone: phone.clone(),
                addresses: Vec::new(),
                ..customer(created_at_step)
            };
            let id = stage(&backend, OperationKind::Update, Some(target.clone()), edit).await;
            staged.last_phone.insert(target.clone(), phone);
            staged.operations.push((id, Some(target)));
        }
        Step::AddAddress(pick) if !staged.creates.is_empty() => {
            let (target, _) = staged.creates[pick % staged.creates.len()].clone();
            let extra = CustomerDraft {
                addresses: vec![address(n, "Extra")],
                ..CustomerDraft::default()
            };
            let id = stage(&backend, OperationKind::AddAddress, Some(target.clone()), extra).await;
            staged.operations.push((id, Some(target)));
        }
        Step::Edit(_) | Step::AddAddress(_) => {}
        Step::PJob => run(&backend, Job::Upload).await,
        Step::Batch => run(&backend, Job::SyncCustomers).await,
        Step::Crash { batch, after_us } => {
            let job = if batch { Job::SyncCustomers } else { Job::Upload };
            let with_work = has_work(&backend, job).await;
            let part_way = crash(&backend, job, after_us).await;
            if with_work {
                crashes.made.set(crashes.made.get() + 1);
                crashes
                    .part_way
                    .set(crashes.part_way.get() + usize::from(part_way));
            }
            drop(backend);
            return common::start_in_with(dir, settings(dir)).await;
        }
    }
    backend
}

/// Nothing lost, nothing applied twice: every staged operation is in HQ or
/// still waiting in the channel; each synced create made one customer,
/// with its address and exactly one more per synced address addition.
async fn check(backend: &Backend, staged: &Staged) {
    let in_hq = backend
        .hq
        .recent_operations(100_000)
        .await
        .expect("HQ operations");
    let hq_ids: HashSet<&str> = in_hq.iter().map(|op| op.temporary_id.as_str()).collect();
    let waiting: HashSet<String> = backend
        .channel
        .not_uploaded(100_000)
        .await
        .expect("channel operations")
        .into_iter()
        .map(|op| op.temporary_id)
        .collect();
    for (id, _) in &staged.operations {
        assert!(
            hq_ids.contains(id.as_str()) || waiting.contains(id),
            "operation {id} was lost"
        );
    }
    assert!(
        hq_ids.len() <= staged.operations.len(),
        "HQ has operations nobody staged"
    );

    let synced: HashSet<&str> = in_hq
        .iter()
        .filter(|op| op.online_operation_completed)
        .map(|op| op.temporary_id.as_str())
        .collect();
    let mut created = 0;
    for op in in_hq
        .iter()
        .filter(|op| op.operation == "create" && op.online_operation_completed)
    {
        created += 1;
        let account = op.account.as_deref().expect("a synced create has its account");
        let record = backend
            .hq
            .customer_record(account)
            .await
            .expect("read")
            .expect("the account exists");
        let additions = staged
            .operations
            .iter()
            .filter(|(id, target)| {
                target.as_deref() == Some(op.temporary_id.as_str())
                    && synced.contains(id.as_str())
                    && in_hq
                        .iter()
                        .any(|o| o.temporary_id == *id && o.operation == "add_address")
            })
            .count();
        assert_eq!(
            record.customer.addresses.len(),
            1 + additions,
            "customer {account} has its addresses once each"
        );
    }
    assert_eq!(
        backend.hq.count_customers().await.expect("count"),
        DEMO_CUSTOMERS + created,
        "one customer per synced create"
    );
}

/// Runs both jobs until every operation is uploaded and synced.
async fn catch_up(backend: &Backend) {
    for _ in 0..50 {
        run(backend, Job::Upload).await;
        run(backend, Job::SyncCustomers).await;
        let waiting = backend.channel.count_not_uploaded().await.expect("count");
        let pending = backend.hq.count_pending_operations(100).await.expect("count");
        if waiting == 0 && pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let open: Vec<_> = backend
        .hq
        .recent_operations(100_000)
        .await
        .expect("HQ operations")
        .into_iter()
        .filter(|op| !op.online_operation_completed)
        .map(|op| (op.operation, op.error))
        .collect();
    let waiting = backend.channel.count_not_uploaded().await.expect("count");
    panic!("the jobs did not catch up: {waiting} not uploaded; open in HQ: {open:?}");
}

async fn interleave(steps: Vec<Step>, crashes: &Crashes) {
    let dir = TempDir::new().expect("a temporary directory");
    let mut backend = common::start_in_with(&dir, settings(&dir)).await;
    let mut staged = Staged::default();
    for (n, step) in steps.iter().enumerate() {
        backend = apply(backend, &dir, &mut staged, step, n, crashes).await;
        check(&backend, &staged).await;
    }
    catch_up(&backend).await;
    check(&backend, &staged).await;
    let in_hq = backend
        .hq
        .recent_operations(100_000)
        .await
        .expect("HQ operations");
    assert_eq!(in_hq.len(), staged.operations.len(), "every operation reached HQ");
    for op in &in_hq {
        assert!(
            op.online_operation_completed,
            "{} is synced: {:?}",
            op.temporary_id, op.error
        );
    }
    for (create, phone) in &staged.last_phone {
        let account = in_hq
            .iter()
            .find(|op| op.temporary_id == *create)
            .and_then(|op| op.account.clone())
            .expect("synced");
        let record = backend
            .hq
            .customer_record(&account)
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(&record.customer.phone, phone, "the newest edit of {account} wins");
    }
}

#[test]
fn no_interleaving_loses_or_repeats_an_operation() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let crashes = Crashes::default();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let outcome = runner.run(&prop::collection::vec(step(), 1..14), |steps| {
        runtime.block_on(interleave(steps, &crashes));
        Ok(())
    });
    if let Err(error) = outcome {
        panic!("{error}");
    }
    let (made, part_way) = (crashes.made.get(), crashes.part_way.get());
    assert!(
        made > 0 && part_way * 2 > made,
        "most crashes of a job with work to do must stop its run part-way: {part_way} of {made}"
    );
}
