//! The real-time service: the channel's one explicit call into HQ, used
//! when a change cannot or may not be staged. It applies the change in HQ at
//! once, after HQ's latency, and writes the customer back into the channel
//! copy, as the real service's answer would.

use std::time::Duration;

use crate::channel_db::{ChannelDb, ChannelDbError};
use crate::customer::{ValidAddress, ValidCustomer};
use crate::hq_db::{HqDb, HqDbError};

#[derive(Debug, thiserror::Error)]
pub enum RealtimeError {
    #[error("Customer {0} does not exist in HQ.")]
    UnknownCustomer(String),
    #[error(transparent)]
    Hq(#[from] HqDbError),
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
}

#[derive(Debug, Clone)]
pub struct RealtimeService {
    hq: HqDb,
    channel: ChannelDb,
    latency: Duration,
}

impl RealtimeService {
    pub fn new(hq: HqDb, channel: ChannelDb, latency: Duration) -> RealtimeService {
        RealtimeService { hq, channel, latency }
    }

    /// Replaces the customer's own fields in HQ.
    pub async fn update_customer(
        &self,
        account: &str,
        customer: &ValidCustomer,
    ) -> Result<(), RealtimeError> {
        tokio::time::sleep(self.latency).await;
        let mut tx = self.hq.begin_sync().await?;
        if !tx.update_customer(account, customer.get()).await? {
            return Err(RealtimeError::UnknownCustomer(account.to_string()));
        }
        tx.commit().await?;
        tracing::info!(account, "real-time service call: update customer");
        self.send_back(account).await
    }

    /// Adds an address to the customer in HQ.
    pub async fn add_address(&self, account: &str, address: &ValidAddress) -> Result<(), RealtimeError> {
        tokio::time::sleep(self.latency).await;
        let mut tx = self.hq.begin_sync().await?;
        if !tx.customer_exists(account).await? {
            return Err(RealtimeError::UnknownCustomer(account.to_string()));
        }
        tx.add_address(account, address.get()).await?;
        tx.commit().await?;
        tracing::info!(account, "real-time service call: add address");
        self.send_back(account).await
    }

    /// The service answers with the customer as HQ now has it; the channel
    /// keeps that in its copy.
    async fn send_back(&self, account: &str) -> Result<(), RealtimeError> {
        let record = self
            .hq
            .customer_record(account)
            .await?
            .ok_or_else(|| RealtimeError::UnknownCustomer(account.to_string()))?;
        self.channel.save_customers(&[record]).await?;
        Ok(())
    }
}
