//! Customer synchronization status over ten million operations, every
//! tenth failed: the first page searched, the first page with its counts,
//! one channel's failed operations and page 100, each server-rendered over
//! HTTP; and the CSV export of the list while it holds its first million.

use std::path::Path;
use std::time::Instant;

use custsync::api::hq::sync_status_export::EXPORT_PAGE;
use custsync::domain::customer::ChangedFields;
use custsync::domain::operation::OperationStatus;
use custsync::domain::records::{OperationKind, StagedOperation};
use custsync::domain::status_page::{Cursor, PAGE_SIZE, StatusView};
use custsync::services::backend::Backend;
use custsync::services::cdx;
use custsync::services::settings::Settings;
use custsync::storage::hq_db::PreparedUpload;
use tempfile::TempDir;

use crate::baseline::{self, text};
use crate::client;
use crate::http_load::{serve, sign_in};
use crate::report::{Figure, Summary, percentile};
use crate::{Options, data};

/// Operations written to HQ per transaction while generating.
const GENERATE_BATCH: usize = 5_000;
/// The list the CSV export downloads: its first million operations, before
/// the list grows to the status page's size.
const EXPORTED_ROWS: usize = 1_000_000;
/// Batches written between two checkpoints while generating.
const CHECKPOINT_EVERY_BATCHES: usize = 20;
/// Disk space left free when growing the list.
const DISK_MARGIN_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// One operation in this many is made failed.
const FAILED_EVERY: usize = 10;

/// Matches last names "Customer 4242", "Customer 42420"…: about a hundred
/// operations of a million (a thousand of ten), more than one page; a
/// smaller set is searched for "customer 42".
fn search_term(rows: usize) -> &'static str {
    if rows >= 100_000 {
        "customer 4242"
    } else {
        "customer 42"
    }
}

pub async fn measure(options: &Options) -> Result<Vec<Figure>, String> {
    let dir = TempDir::new().map_err(text)?;
    let backend = Backend::start(Settings {
        data_dir: dir.path().to_path_buf(),
        seed_demo_users: true,
        ..Settings::default()
    })
    .await
    .map_err(text)?;
    let count = options.status_rows;
    let exported = count.min(EXPORTED_ROWS);
    generate(&backend, 0, exported).await?;
    let served = serve(backend.clone()).await?;
    let addr = served.addr;
    let cookie = sign_in(addr, "admin").await?;
    let exports = export_figures(options, addr, &cookie, &backend.settings.hq_db_path(), exported).await?;
    let wanted = count;
    let count = rows_that_fit(&backend.settings.hq_db_path(), exported, wanted)?;
    if count < wanted {
        eprintln!(
            "bench: the disk holds {count} operations, not {wanted}: the status page is measured on {count}"
        );
    }
    generate(&backend, exported, count).await?;
    baseline::mark_failed(&backend.settings.hq_db_path(), FAILED_EVERY)?;
    let term = search_term(count);
    let searched = StatusView {
        search: term.to_string(),
        channel_id: Some(data::CHANNEL_ID),
        ..StatusView::default()
    };
    let failed = StatusView {
        status: Some(OperationStatus::Failed),
        channel_id: Some(data::CHANNEL_ID),
        ..StatusView::default()
    };
    // Page 100, or the last whole page of a smaller set (the smoke run's).
    let far_page = (count / PAGE_SIZE as usize).clamp(1, 100);
    let far = page_after(&backend, StatusView::default(), far_page - 1).await?;
    let far_name = format!("page {far_page} of 50, no filter, by its keyset link");
    let pages = [
        ("first page of 50 with a search term", searched),
        (
            "first page of 50, no filter, with its counts",
            StatusView::default(),
        ),
        ("first page of 50 of one channel's failed operations", failed),
        (far_name.as_str(), far),
    ];
    let requests = if options.smoke { 5 } else { 200 };
    let mut figures = Vec::new();
    for (name, view) in &pages {
        let path = format!("{}{}", custsync::views::hq::sync_status::PATH, view.to_query());
        let mut medians = Vec::new();
        let mut tails = Vec::new();
        let mut floor_medians = Vec::new();
        let mut floor_tails = Vec::new();
        for _ in 0..options.runs {
            let latencies = page_latencies(addr, &path, &cookie, requests).await?;
            medians.push(percentile(&latencies, 0.5).as_secs_f64() * 1000.0);
            tails.push(percentile(&latencies, 0.99).as_secs_f64() * 1000.0);
            let floor = baseline::status_page_queries(&backend.settings.hq_db_path(), view, requests)?;
            floor_medians.push(percentile(&floor, 0.5).as_secs_f64() * 1000.0);
            floor_tails.push(percentile(&floor, 0.99).as_secs_f64() * 1000.0);
        }
        figures.push(
            Figure::new(
                &format!("Status page: {name}, {count} operations, p50 (ms)"),
                "<= 20",
                medians,
            )
            .lower_is_better(20.0)
            .with_baseline(Summary::of(&floor_medians).median),
        );
        figures.push(
            Figure::new(
                &format!("Status page: {name}, {count} operations, p99 (ms)"),
                "<= 50",
                tails,
            )
            .lower_is_better(50.0)
            .with_baseline(Summary::of(&floor_tails).median),
        );
    }
    figures.extend(exports);
    served.stop().await?;
    Ok(figures)
}

/// `requests` server renderings of the page at `path`, one after another
/// on one connection.
async fn page_latencies(
    addr: std::net::SocketAddr,
    path: &str,
    cookie: &str,
    requests: usize,
) -> Result<Vec<std::time::Duration>, String> {
    let mut latencies = Vec::with_capacity(requests);
    let mut connection = client::connect(addr).await.map_err(text)?;
    for _ in 0..requests {
        let started = Instant::now();
        let status = client::get(&mut connection, path, cookie)
            .await
            .map_err(text)?
            .status;
        if status != 200 {
            return Err(format!("{path} answered {status}"));
        }
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// The view of the page `pages` pages after the first, reached by its
/// keyset links as a user clicking Next reaches it.
async fn page_after(backend: &Backend, view: StatusView, pages: usize) -> Result<StatusView, String> {
    let mut view = view;
    for _ in 0..pages {
        let rows = cdx::status_rows(&backend.channel, &backend.hq, &view, PAGE_SIZE)
            .await
            .map_err(text)?;
        let next = rows.next.ok_or("the list ended before the page")?;
        view = view.with_cursor(Cursor::After(next));
    }
    Ok(view)
}

/// HQ's operations `from..to` (by number), written as the P-job writes
/// them.
/// Every so many batches the WAL is checkpointed and cut back: written
/// back to back, the batches leave the app's own checkpoints no moment to
/// start the WAL over, and it grew to gigabytes.
async fn generate(backend: &Backend, from: usize, to: usize) -> Result<(), String> {
    if from < to {
        eprintln!("bench: generating operations {from} to {to} in HQ");
    }
    for (number, first) in (from..to).step_by(GENERATE_BATCH).enumerate() {
        let batch: Vec<StagedOperation> = (first..(first + GENERATE_BATCH).min(to)).map(operation).collect();
        backend
            .hq
            .save_uploaded_operations(PreparedUpload::new(batch, 0))
            .await
            .map_err(text)?;
        if number % CHECKPOINT_EVERY_BATCHES == CHECKPOINT_EVERY_BATCHES - 1 {
            baseline::checkpoint(&backend.settings.hq_db_path())?;
        }
    }
    baseline::checkpoint(&backend.settings.hq_db_path())
}

/// How many operations the list can grow to on this machine's free disk:
/// `wanted`, or fewer when the disk would fill (HQ's file, holding `held`
/// operations now, grows by as much again for each as many more), keeping
/// `DISK_MARGIN_BYTES` free.
fn rows_that_fit(hq: &Path, held: usize, wanted: usize) -> Result<usize, String> {
    let file_bytes = std::fs::metadata(hq).map_err(text)?.len();
    let free_bytes = crate::machine::free_disk_bytes(hq)?;
    let per_operation = file_bytes.div_ceil(held.max(1) as u64).max(1);
    let more = free_bytes.saturating_sub(DISK_MARGIN_BYTES) / per_operation;
    Ok(wanted.min(held + more as usize))
}

/// The CSV export of the whole list of `rows` operations, `options.runs`
/// times, beside its reads of HQ done bare.
async fn export_figures(
    options: &Options,
    addr: std::net::SocketAddr,
    cookie: &str,
    hq: &Path,
    rows: usize,
) -> Result<Vec<Figure>, String> {
    let mut export_first_byte = Vec::new();
    let mut export_seconds = Vec::new();
    let mut export_memory = Vec::new();
    let mut floor_first_page = Vec::new();
    let mut floor_seconds = Vec::new();
    for _ in 0..options.runs {
        let export = export_everything(addr, cookie).await?;
        export_first_byte.push(export.first_byte_ms);
        export_seconds.push(export.seconds);
        export_memory.push(export.memory_growth_mb);
        let (first_page, whole) = baseline::export_queries(hq, EXPORT_PAGE)?;
        floor_first_page.push(first_page.as_secs_f64() * 1000.0);
        floor_seconds.push(whole.as_secs_f64());
    }
    Ok(vec![
        Figure::new(
            &format!("CSV export of all {rows} operations, streamed: first byte (ms)"),
            "<= 200",
            export_first_byte,
        )
        .lower_is_better(200.0)
        .with_baseline(Summary::of(&floor_first_page).median),
        Figure::new(
            &format!("CSV export of all {rows} operations, streamed: whole file (s)"),
            "<= 10",
            export_seconds,
        )
        .lower_is_better(10.0)
        .with_baseline(Summary::of(&floor_seconds).median),
        Figure::new(
            &format!("Peak memory the CSV export of {rows} operations adds to the server (MiB)"),
            "<= 32",
            export_memory,
        )
        .lower_is_better(32.0),
    ])
}

/// One CSV export of the whole list over HTTP.
struct Export {
    first_byte_ms: f64,
    seconds: f64,
    /// How far the process's peak resident memory rose above what it held
    /// before.
    memory_growth_mb: f64,
}

async fn export_everything(addr: std::net::SocketAddr, cookie: &str) -> Result<Export, String> {
    let path = format!("{}.csv", custsync::views::hq::sync_status::PATH);
    let before = crate::machine::process_memory_mb("VmRSS")?;
    crate::machine::reset_peak_memory()?;
    let started = Instant::now();
    let mut connection = client::connect(addr).await.map_err(text)?;
    let downloaded = client::download(&mut connection, &path, cookie)
        .await
        .map_err(text)?;
    if downloaded.status != 200 {
        return Err(format!("the CSV export answered {}", downloaded.status));
    }
    let seconds = started.elapsed().as_secs_f64();
    let first_byte = downloaded.first_byte_after.ok_or("the CSV export was empty")?;
    let peak = crate::machine::process_memory_mb("VmHWM")?;
    Ok(Export {
        first_byte_ms: first_byte.as_secs_f64() * 1000.0,
        seconds,
        memory_growth_mb: (peak - before).max(0.0),
    })
}

fn operation(n: usize) -> StagedOperation {
    let seconds = n % 60;
    let minutes = (n / 60) % 60;
    let hours = (n / 3600) % 24;
    let day = 1 + (n / 86_400) % 28;
    StagedOperation {
        id: 0,
        temporary_id: data::temporary_id(9, n),
        kind: OperationKind::Create,
        channel_id: data::CHANNEL_ID,
        register_number: Some(data::REGISTER_NUMBER),
        customer_account: None,
        customer_temporary_id: None,
        changed_fields: ChangedFields::ALL,
        customer: data::customer("status", n),
        created_at: format!("2026-10-{day:02}T{hours:02}:{minutes:02}:{seconds:02}.000Z"),
    }
}
