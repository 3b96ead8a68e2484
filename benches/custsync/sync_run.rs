//! The P-job and "Synchronize customers and channel requests" for many
//! pending creates, with HQ on SQLite and, when the bench has a PostgreSQL
//! server, on PostgreSQL. Each run stages its creates in a fresh data
//! directory (and a fresh HQ database), then a child process (the server's
//! own backend, nothing else) runs both jobs, then job 1010, which brings
//! the new accounts back to the channel, and reports their times and its
//! peak memory.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use custsync::domain::customer::ChangedFields;
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
pub struct ChildReport {
    pub upload: Duration,
    pub sync: Duration,
    pub download: Duration,
    pub peak_rss_mb: f64,
    pub synced: i64,
}

pub fn measure(options: &Options, runtime: &Runtime) -> Result<Vec<Figure>, String> {
    let mut figures = measure_on_sqlite(options, runtime)?;
    let count = options.operations;
    let on_postgres = [
        format!("P-job + sync of {count} pending creates, HQ on PostgreSQL (s)"),
        format!("P-job alone, {count} creates, HQ on PostgreSQL (s)"),
        format!("Sync alone, {count} creates, HQ on PostgreSQL (s)"),
    ];
    let samples = match &options.postgres {
        Some(server) => {
            let runs = (0..options.runs)
                .map(|run| {
                    let hq =
                        runtime.block_on(new_postgres_database(server, &format!("custsync_bench_{run}")))?;
                    measure_once(options, runtime, run, &hq)
                })
                .collect::<Result<Vec<_>, String>>()?;
            times(&runs)
        }
        None => [Vec::new(), Vec::new(), Vec::new()],
    };
    figures.extend(
        on_postgres
            .iter()
            .zip(samples)
            .map(|(name, samples)| Figure::new(name, "", samples)),
    );
    Ok(figures)
}

fn measure_on_sqlite(options: &Options, runtime: &Runtime) -> Result<Vec<Figure>, String> {
    let mut runs = Vec::new();
    let mut raw = Vec::new();
    for run in 0..options.runs {
        runs.push(measure_once(options, runtime, run, SQLITE_HQ)?);
        let batch = Settings::default().sync_batch_size as usize;
        raw.push(
            runtime
                .block_on(baseline::sync_writes(options.operations, batch))?
                .as_secs_f64(),
        );
    }
    let [together, upload, sync] = times(&runs);
    let multiples = together
        .iter()
        .zip(&raw)
        .map(|(app, floor)| app / floor)
        .collect();
    let rss = runs.iter().map(|report| report.peak_rss_mb).collect();
    let download = runs.iter().map(|report| report.download.as_secs_f64()).collect();
    let count = options.operations;
    Ok(vec![
        Figure::new(
            &format!(
                "Bulk floor of the P-job + sync: the rows they write for {count} creates by a bare loop, {} operations a transaction (s)",
                Settings::default().sync_batch_size
            ),
            "",
            raw.clone(),
        ),
        Figure::new(
            &format!("P-job + sync of {count} pending creates (s)"),
            "<= 5",
            together,
        )
        .lower_is_better(5.0)
        .with_baseline(median(&raw)),
        Figure::new(
            "P-job + sync as a multiple of its bulk floor",
            "<= 1.5",
            multiples,
        )
        .lower_is_better(1.5),
        Figure::new(&format!("P-job alone, {count} creates (s)"), "", upload),
        Figure::new(&format!("Sync alone, {count} creates (s)"), "", sync),
        Figure::new(
            &format!("Job 1010 after the sync: the {count} new accounts to the channel (s)"),
            "",
            download,
        ),
        Figure::new(
            &format!("Server peak RSS while moving {count} creates to HQ and their accounts back (P-job, sync, 1010) (MiB)"),
            "<= 150",
            rss,
        )
        .lower_is_better(150.0),
    ])
}

/// What the child is told for HQ in the data directory (SQLite).
pub const SQLITE_HQ: &str = "-";

/// One run: stages the creates, then has the child move them to HQ at
/// `hq` (a PostgreSQL URL, or `SQLITE_HQ`).
fn measure_once(options: &Options, runtime: &Runtime, run: usize, hq: &str) -> Result<ChildReport, String> {
    let dir = TempDir::new().map_err(text)?;
    runtime.block_on(stage_creates(&dir, hq, run, options.operations))?;
    let report = run_child(&dir, hq, Job::SyncCustomers)?;
    if report.synced != options.operations as i64 {
        return Err(format!(
            "the sync completed {} of {} creates",
            report.synced, options.operations
        ));
    }
    Ok(report)
}

/// The runs' times in seconds: both jobs together, the P-job, the sync.
pub fn times(runs: &[ChildReport]) -> [Vec<f64>; 3] {
    let seconds = |time: fn(&ChildReport) -> Duration| runs.iter().map(|r| time(r).as_secs_f64()).collect();
    [
        seconds(|r| r.upload + r.sync),
        seconds(|r| r.upload),
        seconds(|r| r.sync),
    ]
}

/// A new, empty database `name` on the PostgreSQL `server`.
pub async fn new_postgres_database(server: &str, name: &str) -> Result<String, String> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .map_err(text)?;
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(&statement).execute(&mut admin).await.map_err(text)?;
    }
    Ok(format!("{server}/{name}"))
}

fn median(values: &[f64]) -> f64 {
    crate::report::Summary::of(values).median
}

/// A fresh data directory with the demo company and `count` creates
/// waiting in the channel for the P-job.
pub async fn stage_creates(dir: &TempDir, hq: &str, run: usize, count: usize) -> Result<(), String> {
    let backend = Backend::start(settings(dir.path(), hq)).await.map_err(text)?;
    stage_on(&backend, run, count).await?;
    // As a server stopping: the staging load's WAL is copied into the
    // database file before the child opens it.
    backend.close().await;
    Ok(())
}

/// Stages `count` creates on `backend`'s channel, 64 writers at once.
pub async fn stage_on(backend: &Backend, run: usize, count: usize) -> Result<(), String> {
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
                            changed_fields: ChangedFields::ALL,
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
    Ok(())
}

/// The server's settings on `dir`, with HQ at `hq` (see `measure_once`).
pub fn settings(dir: &Path, hq: &str) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        hq_database_url: (hq != SQLITE_HQ).then(|| hq.to_string()),
        ..Settings::default()
    }
}

/// Runs the P-job, `batch` and job 1010 in a child process on `dir` and HQ
/// at `hq`.
pub fn run_child(dir: &TempDir, hq: &str, batch: Job) -> Result<ChildReport, String> {
    let exe = std::env::current_exe().map_err(text)?;
    let output = Command::new(exe)
        .arg(CHILD_FLAG)
        .arg(dir.path())
        .arg(hq)
        .arg(batch.code())
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
    let [upload_s, sync_s, download_s, peak_rss_mb, synced] = fields[..] else {
        return Err(format!("the sync child answered {stdout:?}"));
    };
    Ok(ChildReport {
        upload: Duration::from_secs_f64(upload_s),
        sync: Duration::from_secs_f64(sync_s),
        download: Duration::from_secs_f64(download_s),
        peak_rss_mb,
        synced: synced as i64,
    })
}

/// The child: opens the data directory (and HQ at `hq`) as the server
/// would, runs the P-job, the batch job `batch` (by its code) and job 1010,
/// and prints `upload_s sync_s download_s peak_rss_mb succeeded`.
pub fn child(dir: &str, hq: &str, batch: &str) -> ExitCode {
    custsync::server::allocator::return_freed_memory_soon();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let Some(batch) = Job::from_code(batch) else {
        eprintln!("no job {batch}");
        return ExitCode::FAILURE;
    };
    match runtime.block_on(child_jobs(dir, hq, batch)) {
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

async fn child_jobs(dir: &str, hq: &str, batch: Job) -> Result<String, String> {
    let backend = Backend::start(settings(Path::new(dir), hq)).await.map_err(text)?;
    let started = Instant::now();
    backend.jobs.run(Job::Upload, "Run now").await.map_err(text)?;
    let upload = started.elapsed();
    let started = Instant::now();
    let run = backend.jobs.run(batch, "Run now").await.map_err(text)?;
    let sync = started.elapsed();
    let started = Instant::now();
    let downloaded = backend.jobs.run(Job::Customers, "Run now").await.map_err(text)?;
    let download = started.elapsed();
    if downloaded.outcome != "Succeeded" {
        return Err(format!(
            "job 1010 ended {:?}: {:?}",
            downloaded.outcome, downloaded.message
        ));
    }
    Ok(format!(
        "{} {} {} {} {}",
        upload.as_secs_f64(),
        sync.as_secs_f64(),
        download.as_secs_f64(),
        crate::machine::process_memory_mb("VmHWM")?,
        run.succeeded
    ))
}
