//! Scale units and the channels each serves.

use super::{HqDb, HqDbError};
use crate::domain::scale_units::{ChannelAssignment, Claim, UnknownChannels, claim};

impl HqDb {
    /// Records that `unit` is starting and gives it the channels its
    /// setting names (`wanted`; none: every channel no other unit serves),
    /// read and changed in one transaction, so two units starting at once
    /// each see the other's claim.
    pub async fn claim_channels(
        &self,
        unit: &str,
        wanted: &[String],
    ) -> Result<Result<Claim, UnknownChannels>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            sqlx::query(&format!(
                "INSERT INTO scale_units (name, started_at) VALUES ($1, {now})
                 ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at",
                now = sql.now()
            ))
            .bind(unit)
            .execute(&mut *tx)
            .await?;
            let current: Vec<ChannelAssignment> =
                sqlx::query_as("SELECT channel_id, name, scale_unit FROM channels ORDER BY channel_id")
                    .fetch_all(&mut *tx)
                    .await?;
            let claim = match claim(&current, unit, wanted) {
                Ok(claim) => claim,
                Err(unknown) => return Ok(Err(unknown)),
            };
            let taken = current
                .iter()
                .filter(|channel| claim.own.contains(&channel.channel_id))
                .filter(|channel| channel.scale_unit.as_deref() != Some(unit))
                .map(|channel| (channel.channel_id, Some(unit)));
            let released = claim.released.iter().map(|channel_id| (*channel_id, None));
            for (channel_id, owner) in taken.chain(released) {
                sqlx::query(&format!(
                    "UPDATE channels SET scale_unit = $1, changed_at = {now} WHERE channel_id = $2",
                    now = sql.now()
                ))
                .bind(owner)
                .bind(channel_id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Ok(claim))
        })
    }

    /// Every scale unit that has started against this HQ, by name.
    pub async fn scale_units(&self) -> Result<Vec<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT name FROM scale_units ORDER BY name"
        )
        .fetch_all(&pools.read)
        .await?))
    }
}
