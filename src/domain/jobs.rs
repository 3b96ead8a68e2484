//! The jobs HQ runs: the CDX distribution jobs and the batch job, their
//! identities and their run history. `services::jobs` runs them.

use serde::{Deserialize, Serialize};

use crate::domain::operation::stored_time_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Job {
    /// CDX download 1110: feature states to the channels.
    GlobalConfiguration,
    /// CDX download 1070: channels and functionality profiles to the channels.
    ChannelConfiguration,
    /// CDX download 1010: HQ customers to the channels.
    Customers,
    /// CDX upload P-job: the channels' staging rows to HQ.
    Upload,
    /// Batch job "Synchronize customers and channel requests".
    SyncCustomers,
    /// Batch job "Synchronize orders": the uploaded sales into HQ, each
    /// with its pending customer first.
    SyncOrders,
    /// Batch job "Post statements": end-of-day posting of the cash-and-carry
    /// transactions per store.
    PostStatements,
}

impl Job {
    pub const ALL: [Job; 7] = [
        Job::GlobalConfiguration,
        Job::ChannelConfiguration,
        Job::Customers,
        Job::Upload,
        Job::SyncCustomers,
        Job::SyncOrders,
        Job::PostStatements,
    ];

    /// The Batch jobs page's jobs, in the order it lists them.
    pub const BATCH_JOBS: [Job; 3] = [Job::SyncCustomers, Job::SyncOrders, Job::PostStatements];

    /// The distribution schedule's jobs, in the order the page lists them.
    pub const DISTRIBUTION_SCHEDULE: [Job; 4] = [
        Job::GlobalConfiguration,
        Job::ChannelConfiguration,
        Job::Customers,
        Job::Upload,
    ];

    /// The job's number as the distribution schedule shows it; the key of its
    /// run history.
    pub fn code(self) -> &'static str {
        match self {
            Job::GlobalConfiguration => "1110",
            Job::ChannelConfiguration => "1070",
            Job::Customers => "1010",
            Job::Upload => "P-0001",
            Job::SyncCustomers => "SYNCCUST",
            Job::SyncOrders => "SYNCORD",
            Job::PostStatements => "POSTSTMT",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Job::GlobalConfiguration => "Global configuration",
            Job::ChannelConfiguration => "Channel configuration",
            Job::Customers => "Customers",
            Job::Upload => "P-job (upload channel transactions)",
            Job::SyncCustomers => "Synchronize customers and channel requests",
            Job::SyncOrders => "Synchronize orders",
            Job::PostStatements => "Post statements",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Job::GlobalConfiguration => "Sends HQ feature states to the channel databases.",
            Job::ChannelConfiguration => {
                "Sends channels, registers, functionality profiles and customer groups to the channel databases."
            }
            Job::Customers => {
                "Sends HQ customers, including accounts created from asynchronous operations, to the channel databases."
            }
            Job::Upload => "Uploads the channels' staged asynchronous customer operations and sales to HQ.",
            Job::SyncCustomers => {
                "Creates HQ customers from uploaded asynchronous operations and sets OnlineOperationCompleted."
            }
            Job::SyncOrders => {
                "Creates HQ sales orders and cash-and-carry transactions from uploaded sales, syncing a customer \
                 that is still pending sync first."
            }
            Job::PostStatements => {
                "Posts the cash-and-carry transactions in one statement per store, syncing their pending \
                 customers first."
            }
        }
    }

    pub fn from_code(code: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|job| job.code() == code)
    }

    /// Whether each scale unit runs the job for its own channel database
    /// (the downloads and the P-job), rather than one run for the whole
    /// chain (the batch jobs, which work in HQ alone).
    pub fn per_scale_unit(self) -> bool {
        !Job::BATCH_JOBS.contains(&self)
    }

    /// What a run holds so that no other run of the same work starts: the
    /// job in one scale unit, or the job chain-wide.
    pub fn lease_key(self, scale_unit: &str) -> String {
        if self.per_scale_unit() {
            format!("{} @ {scale_unit}", self.code())
        } else {
            self.code().to_string()
        }
    }
}

/// A scheduled job's recurrence against its latest runs, as HQ records them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ScheduleState {
    pub job: String,
    /// A run of it started within its recurrence, by any scale unit.
    pub ran_in_chain: bool,
    /// A run of it started within its recurrence, by the asking scale unit.
    pub ran_here: bool,
}

/// The jobs a scale unit should start now: a job of its own when it has
/// not run it within the recurrence, a chain-wide job when no unit has.
pub fn due_jobs(states: &[ScheduleState]) -> Vec<Job> {
    states
        .iter()
        .filter_map(|state| {
            let job = Job::from_code(&state.job)?;
            let ran = if job.per_scale_unit() {
                state.ran_here
            } else {
                state.ran_in_chain
            };
            (!ran).then_some(job)
        })
        .collect()
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Succeeded,
    CompletedWithErrors,
    Failed,
}

impl RunOutcome {
    pub fn caption(self) -> &'static str {
        match self {
            RunOutcome::Succeeded => "Succeeded",
            RunOutcome::CompletedWithErrors => "Completed with errors",
            RunOutcome::Failed => "Failed",
        }
    }

    pub fn of(counts: RunCounts) -> RunOutcome {
        if counts.failed > 0 {
            RunOutcome::CompletedWithErrors
        } else {
            RunOutcome::Succeeded
        }
    }
}

/// What a run moved or processed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub rows: i64,
    pub succeeded: i64,
    pub failed: i64,
}

impl RunCounts {
    /// A run that moved `rows` rows, all of them successfully.
    pub fn moved(rows: i64) -> RunCounts {
        RunCounts {
            rows,
            succeeded: rows,
            failed: 0,
        }
    }

    /// The rows that neither synced nor failed: changes that wait for an
    /// earlier operation of their customer that failed.
    pub fn waiting(&self) -> i64 {
        self.rows - self.succeeded - self.failed
    }

    /// What a run's history says of its waiting rows, so that its counts
    /// add up; None when there are none.
    pub fn waiting_note(&self) -> Option<String> {
        match self.waiting() {
            ..=0 => None,
            1 => Some(
                "1 operation waits for an earlier operation of its customer that failed, and is synchronized once \
                 that one has synced."
                    .to_string(),
            ),
            waiting => Some(format!(
                "{waiting} operations wait for earlier operations of their customers that failed, and are \
                 synchronized once those have synced."
            )),
        }
    }
}

/// A duration as seconds to the tenth, "2.5": whole-number arithmetic, as
/// float formatting would add its code to the page's WASM.
pub fn seconds_text(ms: i64) -> String {
    let tenths = (ms.max(0) + 50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A job's latest runs in the whole chain, and the scale unit whose
/// process answers, where Run now runs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobHistory {
    pub scale_unit: String,
    pub runs: Vec<JobRun>,
}

/// One line of a job's run history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct JobRun {
    pub run_id: i64,
    pub job: String,
    pub trigger: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub rows_total: i64,
    pub rows_done: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub outcome: String,
    pub message: Option<String>,
    /// The scale unit whose process ran it (None for runs recorded before
    /// there were scale units).
    pub scale_unit: Option<String>,
}

impl JobRun {
    pub fn is_running(&self) -> bool {
        self.outcome == "Running"
    }

    /// How long the run took; None while it runs.
    pub fn duration_ms(&self) -> Option<i64> {
        let started = stored_time_ms(&self.started_at)?;
        let ended = stored_time_ms(self.ended_at.as_deref()?)?;
        Some((ended - started).max(0))
    }

    /// Rows done per second over the whole run, rounded down; None while it
    /// runs.
    pub fn rows_per_second(&self) -> Option<i64> {
        Some(self.rows_done.saturating_mul(1_000) / self.duration_ms()?.max(1))
    }

    /// "Run 12 finished: Succeeded, 3 rows (3 succeeded, 0 failed)." or,
    /// while it runs, "Run 12 running: 200 of 1000 rows done…".
    pub fn summary(&self) -> String {
        if self.is_running() {
            format!(
                "Run {} running: {} of {} rows done…",
                self.run_id, self.rows_done, self.rows_total
            )
        } else {
            format!(
                "Run {} finished: {}, {} rows ({} succeeded, {} failed).",
                self.run_id, self.outcome, self.rows_total, self.succeeded, self.failed
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_is_found_by_its_code() {
        for job in Job::ALL {
            assert_eq!(Job::from_code(job.code()), Some(job));
        }
        assert_eq!(Job::from_code("9999"), None);
    }

    #[test]
    fn a_finished_run_has_a_duration_and_a_pace() {
        let mut run = JobRun {
            run_id: 1,
            job: "SYNCCUST".into(),
            trigger: "Run now".into(),
            started_at: "2026-12-02T09:30:00.000Z".into(),
            ended_at: None,
            rows_total: 500,
            rows_done: 500,
            succeeded: 500,
            failed: 0,
            outcome: "Running".into(),
            message: None,
            scale_unit: Some("Main".into()),
        };
        assert_eq!(run.duration_ms(), None);
        run.ended_at = Some("2026-12-02T09:30:02.500Z".into());
        assert_eq!(run.duration_ms(), Some(2_500));
        assert_eq!(run.rows_per_second(), Some(200));
        assert_eq!(seconds_text(2_500), "2.5");
        assert_eq!(seconds_text(2_449), "2.4");
        assert_eq!(seconds_text(2_450), "2.5");
        assert_eq!(seconds_text(0), "0.0");
    }

    #[test]
    fn the_downloads_and_the_p_job_are_due_per_scale_unit_the_batch_job_chain_wide() {
        let state = |job: Job, ran_in_chain, ran_here| ScheduleState {
            job: job.code().to_string(),
            ran_in_chain,
            ran_here,
        };
        let states = [
            state(Job::Upload, true, false),
            state(Job::Customers, true, true),
            state(Job::SyncCustomers, true, false),
            state(Job::ChannelConfiguration, false, false),
        ];
        assert_eq!(due_jobs(&states), [Job::Upload, Job::ChannelConfiguration]);
        assert_eq!(Job::Upload.lease_key("Seattle"), "P-0001 @ Seattle");
        assert_eq!(Job::SyncCustomers.lease_key("Seattle"), "SYNCCUST");
    }

    #[test]
    fn a_run_with_failures_completes_with_errors() {
        assert_eq!(RunOutcome::of(RunCounts::moved(3)), RunOutcome::Succeeded);
        let counts = RunCounts {
            rows: 3,
            succeeded: 2,
            failed: 1,
        };
        assert_eq!(RunOutcome::of(counts), RunOutcome::CompletedWithErrors);
    }

    #[test]
    fn a_run_says_how_many_rows_wait_so_that_its_counts_add_up() {
        let counts = |rows, succeeded, failed| RunCounts {
            rows,
            succeeded,
            failed,
        };
        assert_eq!(counts(3, 2, 1).waiting_note(), None);
        assert_eq!(
            counts(2, 0, 1).waiting_note().as_deref(),
            Some(
                "1 operation waits for an earlier operation of its customer that failed, and is synchronized once \
                 that one has synced."
            )
        );
        assert!(
            counts(5, 1, 1)
                .waiting_note()
                .is_some_and(|note| note.starts_with("3 operations wait"))
        );
    }
}
