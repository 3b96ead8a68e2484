//! Commerce Data Exchange: the only code that reads one database and writes
//! the other. Download jobs (1110, 1070, 1010) copy HQ data into the channel
//! database; the P-job uploads the channel's staging rows to HQ.

mod download;
mod p_job;
mod sales;
mod status_page;

pub use download::{channel_configuration, customers, global_configuration};
pub use p_job::{count_waiting_for_upload, run_p_job};
pub use sales::find_sale;
pub use status_page::{
    StatusRows, backlog_trend, operation_detail, record_backlog, status_page, status_rows,
};

use crate::storage::channel_db::ChannelDbError;
use crate::storage::hq_db::HqDbError;

#[derive(Debug, thiserror::Error)]
pub enum CdxError {
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
    #[error(transparent)]
    Hq(#[from] HqDbError),
}
