//! The download jobs: HQ configuration and customers into the channel copy.
//! Each asks HQ only for the rows changed since the version the channel
//! already has, and stores them with that new version in one channel
//! transaction, so a run killed half-way or run twice moves nothing twice.

use super::CdxError;
use crate::domain::jobs::RunCounts;
use crate::storage::channel_db::{CHANNEL_CONFIGURATION, CUSTOMERS, ChannelDb, GLOBAL_CONFIGURATION};
use crate::storage::hq_db::HqDb;

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
/// asynchronous operations.
pub async fn customers(hq: &HqDb, channel: &ChannelDb) -> Result<RunCounts, CdxError> {
    let after = channel.downloaded_version(CUSTOMERS).await?;
    let changed = hq.customers_changed_since(after).await?;
    let rows = channel
        .save_customers(&changed.rows, Some(changed.row_version))
        .await?;
    Ok(RunCounts::moved(rows as i64))
}
