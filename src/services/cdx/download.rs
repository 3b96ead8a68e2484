//! The download jobs: HQ configuration and customers into the channel copy.
//! Each asks HQ only for the rows changed since the version the channel
//! already has, and stores them with that new version in one channel
//! transaction (customers in batches, the version with the last), so a run
//! killed half-way or run twice doubles nothing.

use super::CdxError;
use crate::domain::jobs::RunCounts;
use crate::storage::channel_db::{CHANNEL_CONFIGURATION, CUSTOMERS, ChannelDb, GLOBAL_CONFIGURATION};
use crate::storage::hq_db::{CustomersReadTo, HqDb};

/// Job 1110 (Global configuration): feature states.
pub async fn global_configuration(hq: &HqDb, channel: &ChannelDb) -> Result<RunCounts, CdxError> {
    let after = channel.downloaded_version(GLOBAL_CONFIGURATION).await?;
    let changed = hq.features_changed_since(after).await?;
    let rows = channel.save_features(&changed.rows, changed.row_version).await?;
    Ok(RunCounts::moved(rows as i64))
}

/// Job 1070 (Channel configuration): channels, registers, functionality
/// profiles, customer groups and the product catalogue. The catalogue is a
/// short list, sent whole and kept as HQ has it.
pub async fn channel_configuration(hq: &HqDb, channel: &ChannelDb) -> Result<RunCounts, CdxError> {
    let after = channel.downloaded_version(CHANNEL_CONFIGURATION).await?;
    let changed = hq.channel_configuration_changed_since(after).await?;
    let (channels, registers, groups) = &changed.rows;
    let rows = channel
        .save_channel_configuration(channels, registers, groups, changed.row_version)
        .await?;
    let products = channel.replace_products(&hq.products().await?).await?;
    Ok(RunCounts::moved(rows as i64 + products as i64))
}

/// Job 1010 (Customers): HQ customers, with the accounts created from
/// asynchronous operations, in batches of `batch` customers, each read from
/// HQ in one snapshot and stored in one channel transaction: after a sync of a
/// hundred thousand, the server holds one batch at a time, and a cashier's
/// create waits for one batch's transaction at most, not for the whole
/// download. The channel's version moves with the last batch only: a run
/// stopped part-way stores its first batches again next time (the same
/// rows, replaced whole), and what HQ commits meanwhile waits for the next
/// run. `stored` hears what the run has stored after each batch, which a
/// run that fails later keeps.
pub async fn customers(
    hq: &HqDb,
    channel: &ChannelDb,
    batch: u32,
    stored: impl Fn(RunCounts),
) -> Result<RunCounts, CdxError> {
    let run = channel.begin_download(CUSTOMERS).await?;
    let after = channel.downloaded_version(CUSTOMERS).await?;
    let through = hq.customers_version(after).await?;
    let mut read_to = CustomersReadTo::after(after);
    let mut moved = 0;
    loop {
        let read = hq.customers_changed(&read_to, through, batch).await?;
        let last = read.rows.len() < batch as usize;
        moved += channel
            .save_downloaded_customers(run, &read.rows, last.then_some(through))
            .await?;
        stored(RunCounts::moved(moved as i64));
        if last {
            return Ok(RunCounts::moved(moved as i64));
        }
        read_to = read.read_to;
    }
}

/// The customers HQ created or changed since this scale unit's last run
/// of job 1010: accounts the registers of its stores do not show yet.
pub async fn customers_not_downloaded(hq: &HqDb, channel: &ChannelDb) -> Result<i64, CdxError> {
    let after = channel.downloaded_version(CUSTOMERS).await?;
    Ok(hq.count_customers_changed_since(after).await?)
}
