//! Add customer over HTTP on a chain: three scale-unit processes (the
//! server binary this bench was built with) sharing one HQ, Houston,
//! Seattle and the online store, with the same clients as the one-process
//! figure split between them, for the same time. HQ is on PostgreSQL when
//! the bench has a server, in an SQLite file otherwise; a create touches
//! only its unit's channel database either way.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;
use tempfile::TempDir;

use crate::Options;
use crate::http_load::{ClientSeen, Request, client_loop, sign_in};
use crate::report::{Figure, percentile};
use crate::unit_process::UnitProcess;

/// (scale unit, the channels it serves, who adds customers there, where).
const UNITS: [(&str, &str, &str, Option<&str>); 3] = [
    ("Houston", "Houston", "houston", Some("1-1")),
    ("Seattle", "Seattle", "seattle", Some("2-1")),
    ("Online", "Fabrikam online store", "shopper", None),
];

pub async fn measure(options: &Options, one_process: Option<f64>) -> Result<Vec<Figure>, String> {
    let mut throughput = Vec::new();
    let mut p99 = Vec::new();
    let mut errors = Vec::new();
    let mut lost = Vec::new();
    for run in 0..options.runs {
        let (seen, elapsed, staged) = chain_run(options, run).await?;
        throughput.push(seen.answered as f64 / elapsed.as_secs_f64());
        p99.push(percentile(&seen.latencies, 0.99).as_secs_f64() * 1000.0);
        errors.push(seen.errors as f64);
        lost.push((seen.answered as i64 - staged) as f64);
    }
    let mut creates = Figure::new(
        "Add customer over HTTP, three scale-unit processes: creates per second",
        "measured beside one process",
        throughput,
    );
    if let Some(one_process) = one_process {
        creates = creates.with_baseline(one_process);
    }
    Ok(vec![
        creates,
        Figure::new("Add customer over HTTP, three scale-unit processes: p99 latency (ms)", "", p99),
        Figure::new("Add customer over HTTP, three scale-unit processes: errors", "0", errors).lower_is_better(0.0),
        Figure::new(
            "Add customer over HTTP, three scale-unit processes: answered creates missing from the staging tables",
            "0",
            lost,
        )
        .lower_is_better(0.0),
    ])
}

/// One run: what the clients saw, how long they ran, and how many creates
/// the three channel databases hold afterwards.
async fn chain_run(options: &Options, run: usize) -> Result<(ClientSeen, Duration, i64), String> {
    let (hq, _sqlite_folder) = hq_url(options, run).await?;
    let units = UNITS
        .iter()
        .map(|(name, channels, ..)| UnitProcess::start(name, channels, &hq))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("starting a scale unit: {error}"))?;
    let mut cookies = Vec::new();
    for (unit, (_, _, user, _)) in units.iter().zip(UNITS) {
        cookies.push(Arc::new(signed_in_when_up(unit, user).await?));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let clients: Vec<_> = (0..options.clients)
        .map(|client| {
            let at = client % UNITS.len();
            tokio::spawn(client_loop(
                units[at].addr,
                cookies[at].clone(),
                Request::Create {
                    register: UNITS[at].3,
                },
                format!("chain{run}c{client}"),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(options.load_duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = ClientSeen::default();
    for client in clients {
        let client = client.await.map_err(|error| error.to_string())?;
        seen.answered += client.answered;
        seen.errors += client.errors;
        seen.latencies.extend(client.latencies);
    }
    let elapsed = started.elapsed();
    let mut staged = 0;
    for unit in &units {
        staged += staged_creates(unit.dir.path()).await?;
    }
    Ok((seen, elapsed, staged))
}

/// HQ for run `run`: a new PostgreSQL database, or an SQLite file in a
/// folder that lasts as long as the run holds it.
async fn hq_url(options: &Options, run: usize) -> Result<(String, Option<TempDir>), String> {
    match &options.postgres {
        Some(server) => {
            let name = format!("custsync_bench_chain_{run}");
            Ok((crate::sync_run::new_postgres_database(server, &name).await?, None))
        }
        None => {
            let dir = TempDir::new().map_err(|error| error.to_string())?;
            let url = format!("sqlite:{}", dir.path().join("hq.db").display());
            Ok((url, Some(dir)))
        }
    }
}

async fn signed_in_when_up(unit: &UnitProcess, user: &str) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..600 {
        match sign_in(unit.addr, user).await {
            Ok(cookie) => return Ok(cookie),
            Err(error) => last = error,
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!(
        "scale unit {} did not answer within 30 s ({last}); its log:\n{}",
        unit.name,
        unit.log()
    ))
}

/// The creates staged in a unit's channel database.
async fn staged_creates(data_dir: &Path) -> Result<i64, String> {
    let url = format!("sqlite://{}?mode=ro", data_dir.join("channel.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url)
        .await
        .map_err(|error| error.to_string())?;
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2 WHERE operation = 'create'")
        .fetch_one(&mut db)
        .await
        .map_err(|error| error.to_string())?;
    db.close().await.map_err(|error| error.to_string())?;
    Ok(count)
}
