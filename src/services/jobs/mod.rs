//! Running the jobs: `runner` starts them, one run of each at a time across
//! every process sharing HQ, and `scheduler` starts them on their
//! recurrence.

mod runner;
mod scheduler;

pub use runner::{JobError, JobRunner, Progress};
pub use scheduler::{SCHEDULE, run_schedules, scheduler_tick};

/// Reads a job's next batch on a task of its own while the job writes the
/// current one. Parsing a batch takes milliseconds of CPU; on the job's own
/// task it would hold up the writer's next statement meanwhile.
pub async fn read_ahead<T: Send + 'static>(read: impl Future<Output = T> + Send + 'static) -> T {
    match tokio::spawn(read).await {
        Ok(batch) => batch,
        // The task is never aborted, and the runtime only cancels it when
        // it shuts down, with this task; what remains is a panic to pass on.
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}
