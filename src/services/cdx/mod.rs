//! Commerce Data Exchange: the only code that reads one database and writes
//! the other. Download jobs (1110, 1070, 1010) copy HQ data into the channel
//! database; the P-job uploads the channel's staging rows to HQ.

mod download;
mod p_job;
mod sales;
mod status_page;

pub use download::{channel_configuration, customers, customers_not_downloaded, global_configuration};
pub use p_job::{count_waiting_for_upload, run_p_job};
pub use sales::find_sale;
pub use status_page::{
    StatusRows, backlog_trend, operation_detail, record_backlog, status_page, status_rows,
};

use crate::storage::channel_db::{ChannelDb, ChannelDbError};
use crate::storage::hq_db::{HqDb, HqDbError};

#[derive(Debug, thiserror::Error)]
pub enum CdxError {
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
    #[error(transparent)]
    Hq(#[from] HqDbError),
}

/// A channel database filled from one HQ, started against another.
#[derive(Debug, thiserror::Error)]
#[error("it was filled from another HQ (HQ id {recorded}), not from this one (HQ id {current})")]
pub struct FilledFromAnotherHq {
    pub recorded: String,
    pub current: String,
}

/// Whether the channel database belongs to `hq`: filled from it, or new to
/// any HQ (it records `hq` from now on). A channel copy of another HQ holds
/// that HQ's download versions, session ends and customer accounts: the
/// downloads would move nothing, and its staged changes name accounts this
/// HQ gave to other customers.
pub async fn check_filled_from(
    hq: &HqDb,
    channel: &ChannelDb,
) -> Result<Result<(), FilledFromAnotherHq>, CdxError> {
    let current = hq.identity().await?;
    let recorded = channel.filled_from_hq(&current).await?;
    if recorded == current {
        Ok(Ok(()))
    } else {
        Ok(Err(FilledFromAnotherHq { recorded, current }))
    }
}
