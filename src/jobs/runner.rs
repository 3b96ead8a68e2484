//! Starts job runs: one run of each job at a time, each recorded in the
//! run history, each on its own tokio task so that it finishes even when
//! the browser that asked for it goes away.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;

use super::{Job, JobRun, RunCounts, RunOutcome};
use crate::cdx;
use crate::channel_db::ChannelDb;
use crate::hq_db::{HqDb, HqDbError};
use crate::settings::Settings;
use crate::sync::{self, SyncOptions};

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
    running: Arc<HashMap<Job, Arc<Mutex<()>>>>,
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
            running: Arc::new(running),
        }
    }

    /// Runs `job` now and returns its finished run; refused while another
    /// run of the same job is under way.
    pub async fn run(&self, job: Job, trigger: &str) -> Result<JobRun, JobError> {
        let guard = self.running[&job]
            .clone()
            .try_lock_owned()
            .map_err(|_| JobError::AlreadyRunning(job.name()))?;
        let run_id = self.hq.start_job_run(job.code(), trigger).await?;
        let runner = self.clone();
        let task = tokio::spawn(async move {
            let _running = guard;
            runner.execute(job, run_id).await
        });
        task.await?
    }

    async fn execute(&self, job: Job, run_id: i64) -> Result<JobRun, JobError> {
        match self.work(job, run_id).await {
            Ok(counts) => Ok(self
                .hq
                .finish_job_run(run_id, RunOutcome::of(counts), counts, None)
                .await?),
            Err(error) => {
                tracing::error!(job = job.code(), run_id, %error, "job run failed");
                let message = "The run stopped because a database could not be read or written; \
                               the server log has the details. Work committed before the failure is kept.";
                Ok(self
                    .hq
                    .finish_job_run(run_id, RunOutcome::Failed, RunCounts::default(), Some(message))
                    .await?)
            }
        }
    }

    async fn work(&self, job: Job, run_id: i64) -> Result<RunCounts, cdx::CdxError> {
        let counts = match job {
            Job::GlobalConfiguration => cdx::global_configuration(&self.hq, &self.channel).await?,
            Job::ChannelConfiguration => cdx::channel_configuration(&self.hq, &self.channel).await?,
            Job::Customers => cdx::customers(&self.hq, &self.channel).await?,
            Job::Upload => {
                cdx::run_p_job(&self.channel, &self.hq, run_id, self.settings.upload_batch_size).await?
            }
            Job::SyncCustomers => {
                let options = SyncOptions {
                    batch_size: self.settings.sync_batch_size,
                    max_retries: self.settings.max_sync_retries,
                };
                sync::synchronize_customers(&self.hq, options).await?
            }
        };
        Ok(counts)
    }
}
