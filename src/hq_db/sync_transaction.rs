//! One HQ transaction of "Synchronize customers and channel requests": the
//! statements that complete or fail a group of operations together.

use sqlx::{Sqlite, Transaction};

use super::{HqDb, HqDbError, UploadedOperation};

const CUSTOMER_ACCOUNT_SEQUENCE: &str = "Customer account";
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

pub struct SyncTransaction {
    tx: Transaction<'static, Sqlite>,
}

impl HqDb {
    pub async fn begin_sync(&self) -> Result<SyncTransaction, HqDbError> {
        Ok(SyncTransaction {
            tx: self.pools.write.begin().await?,
        })
    }

    pub async fn customer_group_ids(&self) -> Result<Vec<String>, HqDbError> {
        Ok(sqlx::query_scalar("SELECT group_id FROM customer_groups")
            .fetch_all(&self.pools.read)
            .await?)
    }
}

impl SyncTransaction {
    /// Takes the next customer account number from its number sequence.
    pub async fn next_customer_account(&mut self) -> Result<String, HqDbError> {
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "UPDATE number_sequences SET next_number = next_number + 1 WHERE name = ?
             RETURNING prefix, digits, next_number - 1",
        )
        .bind(CUSTOMER_ACCOUNT_SEQUENCE)
        .fetch_optional(&mut *self.tx)
        .await?;
        let (prefix, digits, number) =
            row.ok_or_else(|| HqDbError::MissingNumberSequence(CUSTOMER_ACCOUNT_SEQUENCE.to_string()))?;
        Ok(format_account(&prefix, digits, number))
    }

    /// Creates the HQ customer of a create operation, mapped to its temporary id.
    pub async fn create_customer(&mut self, op: &UploadedOperation, account: &str) -> Result<(), HqDbError> {
        let sql = format!(
            "INSERT INTO customers (account, first_name, last_name, email, customer_group, created_at,
                                    source_channel_id, async_customer_id)
             VALUES (?, ?, ?, ?, ?, {NOW}, ?, ?)"
        );
        sqlx::query(&sql)
            .bind(account)
            .bind(&op.first_name)
            .bind(&op.last_name)
            .bind(&op.email)
            .bind(&op.customer_group)
            .bind(op.channel_id)
            .bind(&op.temporary_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn mark_synced(&mut self, operation_id: i64, account: &str) -> Result<(), HqDbError> {
        let sql = format!(
            "UPDATE RETAILASYNCCUSTOMERV2
             SET OnlineOperationCompleted = 1, account = ?, error = NULL, last_attempt_at = {NOW}
             WHERE id = ?"
        );
        sqlx::query(&sql)
            .bind(account)
            .bind(operation_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn mark_failed(&mut self, operation_id: i64, error: &str) -> Result<(), HqDbError> {
        let sql = format!(
            "UPDATE RETAILASYNCCUSTOMERV2
             SET error = ?, retry_count = retry_count + 1, last_attempt_at = {NOW}
             WHERE id = ?"
        );
        sqlx::query(&sql)
            .bind(error)
            .bind(operation_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), HqDbError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// `C` and 6 digits of 13 give `C000013`.
fn format_account(prefix: &str, digits: i64, number: i64) -> String {
    let width = usize::try_from(digits).unwrap_or(0);
    format!("{prefix}{number:0width$}")
}

#[cfg(test)]
mod tests {
    use super::format_account;

    #[test]
    fn accounts_are_padded_to_the_sequence_width() {
        assert_eq!(format_account("C", 6, 13), "C000013");
        assert_eq!(format_account("", 3, 1234), "1234");
    }
}
