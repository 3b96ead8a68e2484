//! The download jobs: HQ configuration and customers into the channel copy.

use super::CdxError;
use crate::channel_db::ChannelDb;
use crate::hq_db::HqDb;
use crate::jobs::RunCounts;

/// Job 1110 (Global configuration): feature states.
pub async fn global_configuration(hq: &HqDb, channel: &ChannelDb) -> Result<RunCounts, CdxError> {
    let features = hq.features().await?;
    let rows = channel.save_features(&features).await?;
    Ok(RunCounts::moved(rows as i64))
}

/// Job 1070 (Channel configuration): channels, registers, functionality
/// profiles and customer groups.
pub async fn channel_configuration(hq: &HqDb, channel: &ChannelDb) -> Result<RunCounts, CdxError> {
    let channels = hq.channels().await?;
    let registers = hq.registers().await?;
    let groups = hq.customer_groups().await?;
    let rows = channel
        .save_channel_configuration(&channels, &registers, &groups)
        .await?;
    Ok(RunCounts::moved(rows as i64))
}

/// Job 1010 (Customers): HQ customers, with the accounts created from
/// asynchronous operations.
pub async fn customers(hq: &HqDb, channel: &ChannelDb) -> Result<RunCounts, CdxError> {
    let customers = hq.customers_for_channels().await?;
    let rows = channel.save_customers(&customers).await?;
    Ok(RunCounts::moved(rows as i64))
}
