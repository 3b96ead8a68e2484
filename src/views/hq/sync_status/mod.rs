//! HQ Customer synchronization status (Retail and Commerce > Customers):
//! every asynchronous operation, from the channel's staging table to its HQ
//! account. Counts per status, filters and search carried by the URL, keyset
//! pages, Synchronize for the chosen or all failed operations, CSV export,
//! a list that follows a running batch on its own, and the plots of the
//! backlog and of the runs' throughput (`trend`), which the server draws
//! (`plots`).

pub mod detail_page;
pub mod page;
#[cfg(feature = "ssr")]
mod plots;
pub mod trend;

pub use crate::domain::status_page::PATH;
