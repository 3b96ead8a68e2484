//! The P-job and "Synchronize orders" for many cash-and-carry sales whose
//! customers are all still pending sync: each sale's customer is synced by
//! Synchronize orders, in the sale's transaction. Staged as the registers
//! would (a create and a sale per customer), moved by the server's own
//! backend in a child process, as `sync_run` does for the customers alone.

use custsync::domain::jobs::Job;
use custsync::domain::sales::{SaleKind, SaleLine};
use custsync::services::backend::Backend;
use custsync::storage::channel_db::NewSale;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::baseline::text;
use crate::report::Figure;
use crate::sync_run::{SQLITE_HQ, run_child, settings, stage_on, times};
use crate::{Options, data};

/// Sales staged per channel transaction while the data is made.
const STAGED_AT_ONCE: usize = 1_000;

pub fn measure(options: &Options, runtime: &Runtime) -> Result<Vec<Figure>, String> {
    let count = options.operations;
    let runs = (0..options.runs)
        .map(|run| measure_once(options, runtime, run))
        .collect::<Result<Vec<_>, String>>()?;
    let [together, upload, orders] = times(&runs);
    Ok(vec![
        Figure::new(
            &format!("P-job + Synchronize orders of {count} sales whose customers are all pending (s)"),
            "",
            together,
        ),
        Figure::new(
            &format!("P-job alone, {count} creates and {count} sales (s)"),
            "",
            upload,
        ),
        Figure::new(
            &format!("Synchronize orders alone, {count} sales and their customers (s)"),
            "",
            orders,
        ),
    ])
}

fn measure_once(
    options: &Options,
    runtime: &Runtime,
    run: usize,
) -> Result<crate::sync_run::ChildReport, String> {
    let dir = TempDir::new().map_err(text)?;
    runtime.block_on(stage_customers_and_sales(&dir, run, options.operations))?;
    let report = run_child(&dir, SQLITE_HQ, Job::SyncOrders)?;
    if report.synced != options.operations as i64 {
        return Err(format!(
            "Synchronize orders created {} of {} sales",
            report.synced, options.operations
        ));
    }
    Ok(report)
}

/// A fresh data directory with `count` pending creates and one
/// cash-and-carry sale to each waiting for the P-job.
async fn stage_customers_and_sales(dir: &TempDir, run: usize, count: usize) -> Result<(), String> {
    let backend = Backend::start(settings(dir.path(), SQLITE_HQ))
        .await
        .map_err(text)?;
    stage_on(&backend, run, count).await?;
    let indexes: Vec<usize> = (0..count).collect();
    for chunk in indexes.chunks(STAGED_AT_ONCE) {
        let sales: Vec<NewSale> = chunk.iter().map(|n| sale(run, *n)).collect();
        backend.channel.stage_sales(&sales).await.map_err(text)?;
    }
    backend.close().await;
    Ok(())
}

/// Two bags of coffee for the `n`-th customer of run `run`.
fn sale(run: usize, n: usize) -> NewSale {
    let line = SaleLine {
        item_id: "0001".into(),
        name: "Coffee beans, 1 kg".into(),
        quantity: 2,
        price_cents: 1850,
    };
    NewSale {
        transaction_id: format!("00000000-{run:04}-4000-9000-{n:012}"),
        channel_id: data::CHANNEL_ID,
        register_number: data::REGISTER_NUMBER,
        kind: SaleKind::CashAndCarry,
        customer_account: None,
        customer_temporary_id: Some(data::temporary_id(run, n)),
        delivery_address: String::new(),
        total_cents: line.quantity * line.price_cents,
        lines: vec![line],
    }
}
