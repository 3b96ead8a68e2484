//! Starts job runs: one run of each job at a time, in this process (a lock)
//! and across processes sharing the HQ database (a lease in HQ that the
//! running task renews: per scale unit for the downloads and the P-job,
//! chain-wide for the batch job); each run recorded in the run history with
//! its progress and scale unit, each on its own tokio task so that it
//! finishes even when the browser that asked for it goes away.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::task::JoinHandle;
use tokio_util::task::AbortOnDropHandle;

use crate::domain::backlog::BACKLOG_JOBS;
use crate::domain::jobs::{Job, JobRun, RunCounts, RunOutcome, due_jobs};
use crate::services::cdx;
use crate::services::settings::Settings;
use crate::services::sync;
use crate::storage::channel_db::{ChannelDb, ChannelDbError};
use crate::storage::hq_db::{HqDb, HqDbError, LeaseHeld, RunStart};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0} is already running. Wait for that run to finish.")]
    AlreadyRunning(&'static str),
    #[error("the run history could not be written: {0}")]
    History(#[from] HqDbError),
    #[error("the job's task stopped unexpectedly: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Debug, Clone)]
pub struct JobRunner {
    channel: ChannelDb,
    hq: HqDb,
    settings: Arc<Settings>,
    /// Names this process's leases.
    holder: Arc<str>,
    running: Arc<HashMap<Job, Arc<Mutex<()>>>>,
}

/// Where a running job reports how far it has come. Jobs report after each
/// batch they commit, so the last report is what a run that stops early has
/// done.
#[derive(Debug, Clone)]
pub struct Progress {
    hq: HqDb,
    run_id: i64,
    committed: Arc<std::sync::Mutex<RunCounts>>,
}

impl Progress {
    /// Records progress; a failure to record it is logged, not fatal.
    pub async fn report(&self, total: i64, counts: RunCounts) {
        self.note_committed(counts);
        if let Err(error) = self.hq.report_job_progress(self.run_id, total, counts).await {
            tracing::warn!(run_id = self.run_id, %error, "could not record job progress");
        }
    }

    /// Notes what the run has committed, for its end should it fail, without
    /// recording it as progress.
    pub fn note_committed(&self, counts: RunCounts) {
        if let Ok(mut committed) = self.committed.lock() {
            *committed = counts;
        }
    }

    /// What the run has committed, as last reported or noted.
    pub fn committed(&self) -> RunCounts {
        self.committed.lock().map(|counts| *counts).unwrap_or_default()
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }
}

impl JobRunner {
    pub fn new(channel: ChannelDb, hq: HqDb, settings: Arc<Settings>) -> JobRunner {
        let running = Job::ALL
            .into_iter()
            .map(|job| (job, Arc::new(Mutex::new(()))))
            .collect();
        JobRunner {
            channel,
            hq,
            settings,
            holder: uuid::Uuid::new_v4().to_string().into(),
            running: Arc::new(running),
        }
    }

    /// The lease a run of `job` by this process's scale unit takes.
    fn lease_key(&self, job: Job) -> String {
        job.lease_key(self.channel.scale_unit())
    }

    /// The jobs this scale unit should start now on their recurrence.
    pub async fn due_jobs(&self) -> Result<Vec<Job>, HqDbError> {
        let states = self.hq.schedule_states(self.channel.scale_unit()).await?;
        Ok(due_jobs(&states))
    }

    /// Closes the runs left "Running" by a process that stopped, in any
    /// scale unit, once their leases have lapsed; how many.
    pub async fn close_interrupted_runs(&self) -> Result<u64, HqDbError> {
        self.hq.close_interrupted_runs().await
    }

    /// Runs `job` now and returns its finished run.
    pub async fn run(&self, job: Job, trigger: &str) -> Result<JobRun, JobError> {
        let (_, task) = self.start(job, trigger).await?;
        task.await?
    }

    /// Starts `job` and returns its run number at once, with the task that
    /// finishes it; refused while another run of the same job is under way.
    pub async fn start(
        &self,
        job: Job,
        trigger: &str,
    ) -> Result<(i64, JoinHandle<Result<JobRun, JobError>>), JobError> {
        let guard = self.running[&job]
            .clone()
            .try_lock_owned()
            .map_err(|_| JobError::AlreadyRunning(job.name()))?;
        let lease = self.settings.job_lease_seconds;
        let run = RunStart {
            job_code: job.code(),
            lease_key: &self.lease_key(job),
            scale_unit: self.channel.scale_unit(),
            scheduled: trigger == super::scheduler::SCHEDULE,
        };
        let run_id = self
            .hq
            .start_job_run(run, trigger, &self.holder, lease)
            .await?
            .ok_or(JobError::AlreadyRunning(job.name()))?;
        let runner = self.clone();
        let task = tokio::spawn(async move { runner.run_holding_lease(job, run_id, guard).await });
        Ok((run_id, task))
    }

    async fn run_holding_lease(
        &self,
        job: Job,
        run_id: i64,
        _running: OwnedMutexGuard<()>,
    ) -> Result<JobRun, JobError> {
        let progress = Progress {
            hq: self.hq.clone(),
            run_id,
            committed: Arc::default(),
        };
        // Released below once the run has done its work; released by its drop
        // when the run panics or its task is stopped.
        let run = RunGuard {
            job,
            lease_key: self.lease_key(job),
            holder: self.holder.clone(),
            progress: progress.clone(),
            released: false,
        };
        let lease = Lease {
            hq: self.hq.clone(),
            key: self.lease_key(job),
            holder: self.holder.clone(),
            seconds: self.settings.job_lease_seconds,
        };
        let worked = lease
            .work_while_held(async {
                self.sample_backlog(job, run_id).await;
                let worked = self.work(job, &progress).await;
                self.sample_backlog(job, run_id).await;
                worked
            })
            .await;
        let Some(worked) = worked else {
            // Another run has the job now: this one's end is not its to
            // write over, nor its lease to release.
            tracing::error!(job = job.code(), run_id, "the run lost its lease and stopped");
            let closed = self
                .hq
                .close_lost_job_run(run_id, progress.committed(), LEASE_LOST)
                .await;
            run.ended();
            closed?;
            return Ok(self.hq.job_run(run_id).await?);
        };
        // The run's end is its last write, with its lease's release: once
        // the history shows it ended, nothing of the run is left to write,
        // and the job can start again at once. An end that cannot be
        // written leaves the run and its lease to the guard.
        let ended = self.record_end(job, &progress, worked).await;
        if ended.is_ok() {
            run.ended();
        }
        ended
    }

    /// For the status page's plot: the backlog as a run of a job that works
    /// it down starts and ends. A sample that cannot be taken costs the plot
    /// a point, never the run.
    async fn sample_backlog(&self, job: Job, run_id: i64) {
        if !BACKLOG_JOBS.contains(&job) {
            return;
        }
        if let Err(error) = cdx::record_backlog(&self.channel, &self.hq, run_id).await {
            tracing::warn!(job = job.code(), run_id, %error, "could not record the backlog");
        }
    }

    async fn record_end(
        &self,
        job: Job,
        progress: &Progress,
        worked: Result<RunCounts, cdx::CdxError>,
    ) -> Result<JobRun, JobError> {
        let run_id = progress.run_id;
        let lease_key = self.lease_key(job);
        let lease = LeaseHeld {
            key: &lease_key,
            holder: &self.holder,
        };
        match worked {
            Ok(counts) => Ok(self
                .hq
                .finish_job_run(
                    run_id,
                    lease,
                    RunOutcome::of(counts),
                    counts,
                    // Only the customer sync leaves rows waiting.
                    (job == Job::SyncCustomers)
                        .then(|| counts.waiting_note())
                        .flatten()
                        .as_deref(),
                )
                .await?),
            Err(error) => {
                tracing::error!(job = job.code(), run_id, %error, "job run failed");
                let message = match error {
                    cdx::CdxError::Channel(ChannelDbError::DownloadOvertaken(_)) => OVERTAKEN,
                    _ => {
                        "The run stopped because a database could not be read or written; the server log has \
                         the details. Work committed before the failure is kept."
                    }
                };
                Ok(self
                    .hq
                    .finish_job_run(
                        run_id,
                        lease,
                        RunOutcome::Failed,
                        progress.committed(),
                        Some(message),
                    )
                    .await?)
            }
        }
    }

    async fn work(&self, job: Job, progress: &Progress) -> Result<RunCounts, cdx::CdxError> {
        let counts = match job {
            Job::GlobalConfiguration => cdx::global_configuration(&self.hq, &self.channel).await?,
            Job::ChannelConfiguration => cdx::channel_configuration(&self.hq, &self.channel).await?,
            Job::Customers => {
                let stored = |counts| progress.note_committed(counts);
                cdx::customers(&self.hq, &self.channel, self.settings.download_batch_size, stored).await?
            }
            Job::Upload => {
                cdx::run_p_job(&self.channel, &self.hq, progress, self.settings.upload_batch_size).await?
            }
            Job::SyncCustomers => {
                sync::synchronize_customers(&self.hq, self.settings.sync_options(), progress).await?
            }
            Job::SyncOrders => {
                sync::synchronize_orders(&self.hq, self.settings.sync_options(), progress).await?
            }
            Job::PostStatements => {
                sync::post_statements(&self.hq, self.settings.sync_options(), progress).await?
            }
        };
        Ok(counts)
    }
}

/// The lease a run holds while it works.
struct Lease {
    hq: HqDb,
    key: String,
    holder: Arc<str>,
    seconds: u32,
}

impl Lease {
    /// Carries out `work` while the lease is held, renewing it every third
    /// of its length; `None` once the lease was lost: it lapsed (this
    /// process was paused, or HQ answered too slowly) and another run took
    /// the job over. The work then stops at its next wait, as a killed
    /// process would, and what it committed is kept: the two runs overlap
    /// by at most a renewal's beat.
    async fn work_while_held<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        // Renewed beside the work, not inside its loop: a renewal waits for
        // the write connection the work may be holding. Stopped when the work
        // ends, also when it panics, so a lease is never renewed for a run
        // that is no more.
        let renewing = AbortOnDropHandle::new(tokio::spawn(self.renew_until_lost()));
        let mut work = std::pin::pin!(work);
        tokio::select! {
            // Work that is done is done, whatever the renewal found.
            biased;
            done = &mut work => Some(done),
            renewed = renewing => match renewed {
                Ok(()) => None,
                // The renewal itself stopped (it panicked): the work goes on,
                // unrenewed, as before a lost lease was noticed.
                Err(error) => {
                    tracing::error!(lease = %self.key, %error, "the job's lease renewal stopped");
                    Some(work.await)
                }
            },
        }
    }

    /// Returns once the lease is found lost; a renewal that fails is tried
    /// again on the next beat.
    fn renew_until_lost(&self) -> impl Future<Output = ()> + Send + 'static {
        let (hq, key, holder, seconds) = (
            self.hq.clone(),
            self.key.clone(),
            self.holder.clone(),
            self.seconds,
        );
        async move {
            let mut renew = tokio::time::interval(Duration::from_secs(u64::from(seconds)) / 3);
            renew.tick().await;
            loop {
                renew.tick().await;
                match hq.renew_job_lease(&key, &holder, seconds).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(error) => tracing::warn!(lease = %key, %error, "could not renew the job's lease"),
                }
            }
        }
    }
}

const LEASE_LOST: &str = "The run stopped: it could not renew the job's lease in time (the server was paused, or \
                          the HQ database answered too slowly), and another run took the job over. Work committed \
                          before it stopped is kept.";

/// Ends a run whichever way it ends: a run still recorded as running (its
/// task panicked or was stopped) is closed as failed with what it had
/// committed, and the job's lease is released, so the job can run again at
/// once instead of after a restart.
struct RunGuard {
    job: Job,
    lease_key: String,
    holder: Arc<str>,
    progress: Progress,
    released: bool,
}

impl RunGuard {
    /// The run's end is recorded, and its lease released with it.
    fn ended(mut self) {
        self.released = true;
    }
}

async fn release_lease(hq: &HqDb, job: Job, lease_key: &str, holder: &str) {
    if let Err(error) = hq.release_job_lease(lease_key, holder).await {
        tracing::warn!(job = job.code(), %error, "could not release the job's lease; it expires by itself");
    }
}

const OVERTAKEN: &str = "A newer run of this job began meanwhile, so this run stopped; that run brings the \
                         channel's copy up to date. What this run stored before is kept.";

const STOPPED_UNEXPECTEDLY: &str = "The run stopped unexpectedly; the server log has the details. \
                                    Work committed before it stopped is kept; run the job again to finish the rest.";

impl Drop for RunGuard {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (job, holder, progress) = (self.job, self.holder.clone(), self.progress.clone());
        let lease_key = std::mem::take(&mut self.lease_key);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let hq = &progress.hq;
            let closed = hq
                .close_job_run_if_running(progress.run_id, progress.committed(), STOPPED_UNEXPECTEDLY)
                .await;
            if let Err(error) = closed {
                tracing::warn!(job = job.code(), %error, "could not close the run; a restart closes it");
            }
            release_lease(hq, job, &lease_key, &holder).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of the batch job by the scale unit Main, under `lease_key`.
    fn batch_job_run(lease_key: &str) -> RunStart<'_> {
        RunStart {
            job_code: Job::SyncCustomers.code(),
            lease_key,
            scale_unit: "Main",
            scheduled: false,
        }
    }

    #[tokio::test]
    async fn a_run_that_panics_is_closed_with_what_it_committed_and_its_lease_released() {
        let dir = tempfile::tempdir().expect("a folder");
        let hq = HqDb::open(&dir.path().join("hq.db")).await.expect("HQ opens");
        let job = Job::SyncCustomers;
        let lease_key = job.lease_key("Main");
        let start = batch_job_run(&lease_key);
        let run_id = hq
            .start_job_run(start, "test", "this process", 30)
            .await
            .expect("a run")
            .expect("the lease is free");
        let progress = Progress {
            hq: hq.clone(),
            run_id,
            committed: Arc::default(),
        };
        let guard = RunGuard {
            job,
            lease_key: lease_key.clone(),
            holder: "this process".into(),
            progress: progress.clone(),
            released: false,
        };
        let run = tokio::spawn(async move {
            let _run = guard;
            progress.report(5000, RunCounts::moved(2500)).await;
            panic!("a bug in the middle of a batch");
        });
        assert!(run.await.expect_err("the run panicked").is_panic());

        let hq = &hq;
        let closed = within_two_seconds(|| async move {
            let last = hq.job_runs(job.code(), 1).await.expect("history").remove(0);
            (last.outcome != "Running").then_some(last)
        })
        .await
        .expect("the run is closed without a restart");
        assert_eq!(closed.outcome, RunOutcome::Failed.caption());
        assert_eq!(closed.rows_done, 2500, "what it committed, not 0");
        assert!(
            closed
                .message
                .as_deref()
                .is_some_and(|m| m.contains("stopped unexpectedly"))
        );
        // The guard closes the run, then releases the lease: a moment apart.
        let next = within_two_seconds(|| async move {
            hq.start_job_run(start, "test", "another process", 30)
                .await
                .expect("a run")
        })
        .await;
        assert!(next.is_some(), "the lease is free again");
    }

    async fn hq_with_a_run(holder: &str, lease_seconds: u32) -> (tempfile::TempDir, HqDb, String, i64) {
        let dir = tempfile::tempdir().expect("a folder");
        let hq = HqDb::open(&dir.path().join("hq.db")).await.expect("HQ opens");
        let key = Job::SyncCustomers.lease_key("Main");
        let run_id = hq
            .start_job_run(batch_job_run(&key), "test", holder, lease_seconds)
            .await
            .expect("a run")
            .expect("the lease is free");
        (dir, hq, key, run_id)
    }

    fn lease(hq: &HqDb, key: &str, holder: &str, seconds: u32) -> Lease {
        Lease {
            hq: hq.clone(),
            key: key.to_string(),
            holder: holder.into(),
            seconds,
        }
    }

    /// A run whose process was paused past its lease, which another run
    /// then took over, stops at its next renewal: the two never go on side
    /// by side.
    #[tokio::test]
    async fn work_whose_lapsed_lease_another_run_took_over_stops() {
        let (_dir, hq, key, paused_run) = hq_with_a_run("a paused process", 1).await;
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let taken_over = hq
            .start_job_run(batch_job_run(&key), "test", "another process", 30)
            .await;
        assert!(matches!(taken_over, Ok(Some(_))), "{taken_over:?}");

        let paused = lease(&hq, &key, "a paused process", 1);
        let worked = tokio::time::timeout(
            Duration::from_secs(5),
            paused.work_while_held(std::future::pending::<()>()),
        )
        .await;
        assert_eq!(worked, Ok(None), "stopped at its next renewal");

        // The run that took over closed it as interrupted, without its
        // counts; it says why it stopped, and what it committed.
        hq.close_lost_job_run(paused_run, RunCounts::moved(2500), LEASE_LOST)
            .await
            .expect("closed");
        let closed = hq.job_run(paused_run).await.expect("the run");
        assert_eq!((closed.outcome.as_str(), closed.rows_done), ("Failed", 2500));
        assert_eq!(closed.message.as_deref(), Some(LEASE_LOST));
        let taker = hq
            .job_runs(Job::SyncCustomers.code(), 1)
            .await
            .expect("history")
            .remove(0);
        assert!(taker.is_running(), "{taker:?}");
    }

    /// Work that outlasts its lease keeps it by renewing it, and ends as it
    /// would.
    #[tokio::test]
    async fn work_that_outlasts_its_lease_renews_it_and_ends() {
        let (_dir, hq, key, _) = hq_with_a_run("this process", 1).await;
        let held = lease(&hq, &key, "this process", 1);
        let work = async {
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            let taken_over = hq
                .start_job_run(batch_job_run(&key), "test", "another process", 30)
                .await;
            assert!(
                matches!(taken_over, Ok(None)),
                "the lease was renewed: {taken_over:?}"
            );
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            7
        };
        assert_eq!(held.work_while_held(work).await, Some(7));
    }

    /// What `look` finds, asked every 10 ms for up to two seconds.
    async fn within_two_seconds<T, Look, Found>(mut look: Look) -> Option<T>
    where
        Look: FnMut() -> Found,
        Found: Future<Output = Option<T>>,
    {
        for _ in 0..200 {
            if let Some(found) = look().await {
                return Some(found);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        None
    }
}
