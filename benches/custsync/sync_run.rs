//! The P-job and "Synchronize customers and channel requests" for many
//! pending creates. Each run stages its creates in a fresh data directory,
//! then a child process (the server's own backend, nothing else) runs both
//! jobs and reports their times and its peak memory.

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use custsync::domain::jobs::Job;
use custsync::domain::records::OperationKind;
use custsync::services::backend::Backend;
use custsync::services::settings::Settings;
use custsync::storage::channel_db::NewOperation;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::baseline::{self, text};
use crate::report::Figure;
use crate::{Options, data};

pub const CHILD_FLAG: &str = "--child-sync";

/// What the child measured, one line on its standard output.
struct ChildReport {
    upload: Duration,
    sync: Duration,
    peak_rss_mb: f64,
    synced: i64,
}

pub fn measure(options: &Options, runtime: &Runtime) -> Result<Vec<Figure>, String> {
    let mut together = Vec::new();
    let mut upload = Vec::new();
    let mut sync = Vec::new();
    let mut rss = Vec::new();
    let mut raw = Vec::new();
    for run in 0..options.runs {
        let dir = TempDir::new().map_err(text)?;
        runtime.block_on(stage_creates(&dir, run, options.operations))?;
        let report = run_child(&dir)?;
        if report.synced != options.operations as i64 {
            return Err(format!(
                "the sync completed {} of {} creates",
                report.synced, options.operations
            ));
        }
        together.push((report.upload + report.sync).as_secs_f64());
        upload.push(report.upload.as_secs_f64());
        sync.push(report.sync.as_secs_f64());
        rss.push(report.peak_rss_mb);
        let batch = Settings::default().sync_batch_size as usize;
        raw.push(
            runtime
                .block_on(baseline::sync_writes(options.operations, batch))?
                .as_secs_f64(),
        );
    }
    let count = options.operations;
    Ok(vec![
        Figure::new(
            &format!("P-job + sync of {count} pending creates (s)"),
            "<= 5",
            together,
        )
        .lower_is_better(5.0)
        .with_baseline(median(&raw)),
        Figure::new(&format!("P-job alone, {count} creates (s)"), "", upload),
        Figure::new(&format!("Sync alone, {count} creates (s)"), "", sync),
        Figure::new(
            &format!("Server peak RSS while moving {count} creates (MiB)"),
            "<= 150",
            rss,
        )
        .lower_is_better(150.0),
    ])
}

fn median(values: &[f64]) -> f64 {
    crate::report::Summary::of(values).median
}

/// A fresh data directory with the demo company and `count` creates
/// waiting in the channel for the P-job.
async fn stage_creates(dir: &TempDir, run: usize, count: usize) -> Result<(), String> {
    let backend = Backend::start(settings(dir)).await.map_err(text)?;
    let writers = 64;
    let tasks: Vec<_> = (0..writers)
        .map(|writer| {
            let channel = backend.channel.clone();
            tokio::spawn(async move {
                for n in (writer..count).step_by(writers) {
                    channel
                        .stage(NewOperation {
                            temporary_id: data::temporary_id(run, n),
                            kind: OperationKind::Create,
                            channel_id: data::CHANNEL_ID,
                            register_number: Some(data::REGISTER_NUMBER),
                            customer_account: None,
                            customer_temporary_id: None,
                            customer: data::customer(&run.to_string(), n),
                        })
                        .await
                        .map_err(text)?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(text)??;
    }
    // As a server stopping: the staging load's WAL is copied into the
    // database file before the child opens it.
    backend.close().await;
    Ok(())
}

fn settings(dir: &TempDir) -> Settings {
    Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    }
}

fn run_child(dir: &TempDir) -> Result<ChildReport, String> {
    let exe = std::env::current_exe().map_err(text)?;
    let output = Command::new(exe)
        .arg(CHILD_FLAG)
        .arg(dir.path())
        .stderr(Stdio::inherit())
        .output()
        .map_err(text)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("the sync child failed with {}", output.status));
    }
    let fields: Vec<f64> = stdout
        .split_whitespace()
        .filter_map(|field| field.parse().ok())
        .collect();
    let [upload_s, sync_s, peak_rss_mb, synced] = fields[..] else {
        return Err(format!("the sync child answered {stdout:?}"));
    };
    Ok(ChildReport {
        upload: Duration::from_secs_f64(upload_s),
        sync: Duration::from_secs_f64(sync_s),
        peak_rss_mb,
        synced: synced as i64,
    })
}

/// The child: opens the data directory as the server would, runs the
/// P-job then the sync, and prints `upload_s sync_s peak_rss_mb synced`.
pub fn child(dir: &str) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(child_jobs(dir)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn child_jobs(dir: &str) -> Result<String, String> {
    let backend = Backend::start(Settings {
        data_dir: dir.into(),
        ..Settings::default()
    })
    .await
    .map_err(text)?;
    let started = Instant::now();
    backend.jobs.run(Job::Upload, "Run now").await.map_err(text)?;
    let upload = started.elapsed();
    let started = Instant::now();
    let run = backend
        .jobs
        .run(Job::SyncCustomers, "Run now")
        .await
        .map_err(text)?;
    let sync = started.elapsed();
    Ok(format!(
        "{} {} {} {}",
        upload.as_secs_f64(),
        sync.as_secs_f64(),
        crate::machine::process_memory_mb("VmHWM")?,
        run.succeeded
    ))
}
