//! Feature management, functionality profiles and their change history.

use sqlx::FromRow;

use super::{HqDb, HqDbError};
use crate::domain::configuration::{ConfigChange, FeatureRow, ProfileRow};

#[derive(FromRow)]
struct State {
    name: String,
    enabled: bool,
}

impl HqDb {
    pub async fn feature_rows(&self) -> Result<Vec<FeatureRow>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT name, enabled, changed_at FROM features ORDER BY sort_order"
        )
        .fetch_all(&pools.read)
        .await?))
    }

    /// Sets a feature's state if `check` accepts the change given every
    /// feature's current state, read and written in one transaction, and
    /// records it. Answers whether the state changed.
    pub async fn change_feature<E>(
        &self,
        name: &str,
        enabled: bool,
        changed_by: &str,
        check: impl FnOnce(&[(String, bool)]) -> Result<(), E>,
    ) -> Result<Result<bool, E>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let states: Vec<State> = sqlx::query_as("SELECT name, enabled FROM features")
                .fetch_all(&mut *tx)
                .await?;
            let states: Vec<(String, bool)> = states.into_iter().map(|s| (s.name, s.enabled)).collect();
            if let Err(refusal) = check(&states) {
                return Ok(Err(refusal));
            }
            let old = states.iter().find(|(n, _)| n == name).map(|(_, e)| *e);
            if old == Some(enabled) || old.is_none() {
                return Ok(Ok(false));
            }
            sqlx::query(&format!(
                "UPDATE features SET enabled = $1, changed_at = {now} WHERE name = $2",
                now = sql.now()
            ))
            .bind(enabled)
            .bind(name)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO feature_changes (feature, old_value, new_value, changed_by, changed_at)
                 VALUES ($1, $2, $3, $4, {now})",
                now = sql.now()
            ))
            .bind(name)
            .bind(!enabled)
            .bind(enabled)
            .bind(changed_by)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Ok(true))
        })
    }

    pub async fn feature_changes(&self, limit: u32) -> Result<Vec<ConfigChange>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT changed_at, feature AS subject, 'Enabled' AS option, old_value, new_value, changed_by
             FROM feature_changes ORDER BY change_id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?))
    }

    pub async fn profile_rows(&self) -> Result<Vec<ProfileRow>, HqDbError> {
        on_engine!(self, |pools, sql| {
            Ok(sqlx::query_as(
            "SELECT channel_id, name, kind, create_customer_async_mode, changed_at FROM channels ORDER BY channel_id",
        )
        .fetch_all(&pools.read)
        .await?)
        })
    }

    /// Sets a channel's "Create customer in async mode" and records the
    /// change; answers whether it changed, or None for an unknown channel.
    pub async fn set_async_customer_mode(
        &self,
        channel_id: i64,
        on: bool,
        changed_by: &str,
    ) -> Result<Option<bool>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let old: Option<bool> =
                sqlx::query_scalar("SELECT create_customer_async_mode FROM channels WHERE channel_id = $1")
                    .bind(channel_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(old) = old else {
                return Ok(None);
            };
            if old == on {
                return Ok(Some(false));
            }
            sqlx::query(&format!(
                "UPDATE channels SET create_customer_async_mode = $1, changed_at = {now} WHERE channel_id = $2",
                now = sql.now()
            ))
            .bind(on)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO profile_changes (channel_id, option, old_value, new_value, changed_by, changed_at)
                 VALUES ($1, 'Create customer in async mode', $2, $3, $4, {now})",
                now = sql.now()
            ))
            .bind(channel_id)
            .bind(old)
            .bind(on)
            .bind(changed_by)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(true))
        })
    }

    /// When a channel's functionality profile last changed in HQ.
    pub async fn profile_changed_at(&self, channel_id: i64) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT changed_at FROM channels WHERE channel_id = $1"
        )
        .bind(channel_id)
        .fetch_optional(&pools.read)
        .await?))
    }

    pub async fn profile_changes(&self, limit: u32) -> Result<Vec<ConfigChange>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT p.changed_at, c.name AS subject, p.option, p.old_value, p.new_value, p.changed_by
             FROM profile_changes p JOIN channels c ON c.channel_id = p.channel_id
             ORDER BY p.change_id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?))
    }
}
