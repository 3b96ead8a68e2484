//! The real-time service's state and the log of every call.

use super::{HqDb, HqDbError, RealtimeOperation};
use crate::domain::realtime_calls::{CallFilter, RealtimeCallRow};

/// One call to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRealtimeCall<'a> {
    pub channel_id: i64,
    pub register_number: Option<i64>,
    pub operation: &'a str,
    pub customer: &'a str,
    pub reason: &'a str,
    pub outcome: &'a str,
    pub duration_ms: i64,
}

impl HqDb {
    pub async fn realtime_unreachable(&self) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT unreachable FROM realtime_service WHERE id = 1"
        )
        .fetch_one(&pools.read)
        .await?))
    }

    /// The change HQ made in real time under `operation_id`, if any.
    pub async fn realtime_operation(
        &self,
        operation_id: &str,
    ) -> Result<Option<RealtimeOperation>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT operation, request, account FROM realtime_operations WHERE operation_id = $1"
        )
        .bind(operation_id)
        .fetch_optional(&pools.read)
        .await?))
    }

    pub async fn set_realtime_unreachable(&self, unreachable: bool) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query(&format!(
                "UPDATE realtime_service SET unreachable = $1, changed_at = {now} WHERE id = 1",
                now = sql.now()
            ))
            .bind(unreachable)
            .execute(&pools.write)
            .await?;
        });
        Ok(())
    }

    pub async fn log_realtime_call(&self, call: NewRealtimeCall<'_>) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query(&format!(
                "INSERT INTO realtime_calls
                (called_at, channel_id, register_number, operation, customer, reason, outcome, duration_ms)
             VALUES ({now}, $1, $2, $3, $4, $5, $6, $7)",
                now = sql.now()
            ))
            .bind(call.channel_id)
            .bind(call.register_number)
            .bind(call.operation)
            .bind(call.customer)
            .bind(call.reason)
            .bind(call.outcome)
            .bind(call.duration_ms)
            .execute(&pools.write)
            .await?;
        });
        Ok(())
    }

    /// The newest calls matching the filter.
    pub async fn realtime_calls(
        &self,
        filter: &CallFilter,
        limit: u32,
    ) -> Result<Vec<RealtimeCallRow>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT r.call_id, r.called_at, c.name AS channel, r.register_number, r.operation, r.customer,
                    r.reason, r.outcome, r.duration_ms
             FROM realtime_calls r LEFT JOIN channels c ON c.channel_id = r.channel_id
             WHERE ($1 IS NULL OR r.channel_id = $1)
               AND ($2 IS NULL OR r.operation = $2)
               AND ($3 IS NULL OR r.outcome LIKE $3 || '%')
             ORDER BY r.call_id DESC LIMIT $4",
        )
        .bind(filter.channel_id)
        .bind(&filter.operation)
        .bind(&filter.outcome)
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?))
    }

    /// Creates logged as staged because HQ or the register could not be
    /// reached, that HQ has not synchronized yet and whose sync has not
    /// failed (one that has waits for an admin); each create once, however
    /// often it was logged.
    pub async fn fallback_creates_waiting(&self) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT COUNT(DISTINCT r.customer) FROM realtime_calls r
             WHERE r.outcome LIKE 'Staged asynchronously%'
               AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.async_customer_id = r.customer)
               AND NOT EXISTS (SELECT 1 FROM RETAILASYNCCUSTOMERV2 o
                               WHERE o.temporary_id = r.customer AND o.error IS NOT NULL)",
        )
        .fetch_one(&pools.read)
        .await?))
    }
}
