//! Sales in the channel database: the catalogue copy (job 1070), the sales
//! a register stages, what the P-job uploads, and a customer's sales.

use std::collections::HashMap;

use sqlx::{Sqlite, Transaction};

use super::{ChannelDb, ChannelDbError, to_json};
use crate::domain::sales::{ChannelSale, Product, SaleKind, SaleLine, SaleRecord, receipt_number};

/// A sale to stage: priced and checked, its customer known to the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSale {
    pub transaction_id: String,
    pub channel_id: i64,
    pub register_number: i64,
    pub kind: SaleKind,
    pub customer_account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub delivery_address: String,
    pub lines: Vec<SaleLine>,
    pub total_cents: i64,
}

/// What staging a sale did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StagedSale {
    Staged(ChannelSale),
    /// The same sale was staged already (its Save sent again): its receipt.
    AlreadyStaged(ChannelSale),
    /// The transaction id was used already for another sale.
    IdReused,
}

#[derive(sqlx::FromRow)]
struct SaleRow {
    id: i64,
    transaction_id: String,
    receipt_number: String,
    channel_id: i64,
    register_number: i64,
    kind: String,
    customer_account: Option<String>,
    customer_temporary_id: Option<String>,
    delivery_address: String,
    total_cents: i64,
    created_at: String,
    uploaded: bool,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    sale_id: i64,
    #[sqlx(flatten)]
    line: SaleLine,
}

const SALE_COLUMNS: &str = "id, transaction_id, receipt_number, channel_id, register_number, kind, customer_account, \
                            customer_temporary_id, delivery_address, total_cents, created_at, uploaded";

impl ChannelDb {
    /// Keeps HQ's catalogue: products HQ no longer sells go, changed ones
    /// are updated. Returns how many rows changed.
    pub async fn replace_products(&self, products: &[Product]) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        let item_ids = to_json(&products.iter().map(|p| p.item_id.as_str()).collect::<Vec<_>>())?;
        let mut changed =
            sqlx::query("DELETE FROM products WHERE item_id NOT IN (SELECT value FROM json_each(?))")
                .bind(item_ids)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        for product in products {
            changed += sqlx::query(
                "INSERT INTO products (item_id, name, price_cents, downloaded_at)
                 VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 ON CONFLICT (item_id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents,
                                                     downloaded_at = excluded.downloaded_at
                 WHERE name <> excluded.name OR price_cents <> excluded.price_cents",
            )
            .bind(&product.item_id)
            .bind(&product.name)
            .bind(product.price_cents)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The catalogue the registers sell from.
    pub async fn products(&self) -> Result<Vec<Product>, ChannelDbError> {
        Ok(
            sqlx::query_as("SELECT item_id, name, price_cents FROM products ORDER BY item_id")
                .fetch_all(&self.pools.read)
                .await?,
        )
    }

    /// Stages a sale, durably, numbering its receipt from the register's
    /// own count. The same transaction id sent again with the same sale
    /// answers the receipt it already has; with another sale it is refused.
    pub async fn stage_sale(&self, sale: &NewSale) -> Result<StagedSale, ChannelDbError> {
        let mut staged = self.stage_sales(std::slice::from_ref(sale)).await?;
        staged.pop().ok_or(ChannelDbError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// Stages sales in one durable transaction, each as `stage_sale` does.
    pub async fn stage_sales(&self, sales: &[NewSale]) -> Result<Vec<StagedSale>, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        let mut staged = Vec::with_capacity(sales.len());
        for sale in sales {
            staged.push(stage_in(&mut tx, sale).await?);
        }
        tx.commit().await?;
        Ok(staged)
    }

    /// A customer's sales, newest first: by account, or by the temporary id
    /// of its create (sales made while it was pending sync).
    pub async fn sales_of_customer(
        &self,
        account: Option<&str>,
        temporary_id: Option<&str>,
    ) -> Result<Vec<ChannelSale>, ChannelDbError> {
        let rows: Vec<SaleRow> = sqlx::query_as(&format!(
            "SELECT {SALE_COLUMNS} FROM sales
             WHERE customer_account = ?1 OR customer_temporary_id = ?2
             ORDER BY id DESC LIMIT 50"
        ))
        .bind(account)
        .bind(temporary_id)
        .fetch_all(&self.pools.read)
        .await?;
        let records = with_lines(&self.pools.read, rows).await?;
        Ok(records.into_iter().map(channel_sale).collect())
    }

    /// The oldest sales after `after_id` the P-job has not uploaded yet.
    pub async fn sales_not_uploaded_after(
        &self,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<SaleRecord>, ChannelDbError> {
        let rows: Vec<SaleRow> = sqlx::query_as(&format!(
            "SELECT {SALE_COLUMNS} FROM sales WHERE uploaded = 0 AND id > ? ORDER BY id LIMIT ?"
        ))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?;
        Ok(with_lines(&self.pools.read, rows)
            .await?
            .into_iter()
            .map(|(record, _)| record)
            .collect())
    }

    /// Marks sales as uploaded, once HQ holds them.
    pub async fn mark_sales_uploaded(&self, ids: &[i64]) -> Result<(), ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        sqlx::query("UPDATE sales SET uploaded = 1 WHERE id IN (SELECT value FROM json_each(?))")
            .bind(to_json(&ids)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the P-job has uploaded the sale with this receipt; none when
    /// this channel database has no such sale.
    pub async fn sale_uploaded(&self, receipt_number: &str) -> Result<Option<bool>, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT uploaded FROM sales WHERE receipt_number = ?")
                .bind(receipt_number)
                .fetch_optional(&self.pools.read)
                .await?,
        )
    }

    /// The id of the latest sale staged; 0 when there is none.
    pub async fn last_sale_id(&self) -> Result<i64, ChannelDbError> {
        Ok(sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM sales")
            .fetch_one(&self.pools.read)
            .await?)
    }

    pub async fn count_sales_not_uploaded(&self) -> Result<i64, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM sales WHERE uploaded = 0")
                .fetch_one(&self.pools.read)
                .await?,
        )
    }
}

async fn stage_in(
    tx: &mut Transaction<'static, Sqlite>,
    sale: &NewSale,
) -> Result<StagedSale, ChannelDbError> {
    if let Some(staged) = sale_by_transaction_id(tx, &sale.transaction_id).await? {
        return Ok(if same_sale(&staged, sale) {
            StagedSale::AlreadyStaged(channel_sale(staged))
        } else {
            StagedSale::IdReused
        });
    }
    let sequence: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(register_sequence), 0) + 1 FROM sales WHERE channel_id = ? AND register_number = ?",
    )
    .bind(sale.channel_id)
    .bind(sale.register_number)
    .fetch_one(&mut **tx)
    .await?;
    let sale_id: i64 = sqlx::query_scalar(
        "INSERT INTO sales (transaction_id, receipt_number, channel_id, register_number, register_sequence, kind,
                            customer_account, customer_temporary_id, delivery_address, total_cents, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         RETURNING id",
    )
    .bind(&sale.transaction_id)
    .bind(receipt_number(sale.channel_id, sale.register_number, sequence))
    .bind(sale.channel_id)
    .bind(sale.register_number)
    .bind(sequence)
    .bind(sale.kind.code())
    .bind(&sale.customer_account)
    .bind(&sale.customer_temporary_id)
    .bind(&sale.delivery_address)
    .bind(sale.total_cents)
    .fetch_one(&mut **tx)
    .await?;
    for (line_number, line) in sale.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO sale_lines (sale_id, line, item_id, name, quantity, price_cents) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(sale_id)
        .bind(line_number as i64 + 1)
        .bind(&line.item_id)
        .bind(&line.name)
        .bind(line.quantity)
        .bind(line.price_cents)
        .execute(&mut **tx)
        .await?;
    }
    let staged = sale_by_transaction_id(tx, &sale.transaction_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(StagedSale::Staged(channel_sale(staged)))
}

async fn sale_by_transaction_id(
    tx: &mut Transaction<'static, Sqlite>,
    transaction_id: &str,
) -> Result<Option<(SaleRecord, bool)>, sqlx::Error> {
    let row: Option<SaleRow> = sqlx::query_as(&format!(
        "SELECT {SALE_COLUMNS} FROM sales WHERE transaction_id = ?"
    ))
    .bind(transaction_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let lines: Vec<SaleLine> = sqlx::query_as(
        "SELECT item_id, name, quantity, price_cents FROM sale_lines WHERE sale_id = ? ORDER BY line",
    )
    .bind(row.id)
    .fetch_all(&mut **tx)
    .await?;
    let uploaded = row.uploaded;
    Ok(Some((record(row, lines), uploaded)))
}

/// Reads the lines of `rows` in one statement and joins them to their sales.
async fn with_lines(
    pool: &sqlx::SqlitePool,
    rows: Vec<SaleRow>,
) -> Result<Vec<(SaleRecord, bool)>, ChannelDbError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT sale_id, item_id, name, quantity, price_cents FROM sale_lines
         WHERE sale_id IN (SELECT value FROM json_each(?)) ORDER BY sale_id, line",
    )
    .bind(to_json(&ids)?)
    .fetch_all(pool)
    .await?;
    let mut by_sale: HashMap<i64, Vec<SaleLine>> = HashMap::new();
    for row in lines {
        by_sale.entry(row.sale_id).or_default().push(row.line);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let lines = by_sale.remove(&row.id).unwrap_or_default();
            let uploaded = row.uploaded;
            (record(row, lines), uploaded)
        })
        .collect())
}

fn record(row: SaleRow, lines: Vec<SaleLine>) -> SaleRecord {
    SaleRecord {
        id: row.id,
        transaction_id: row.transaction_id,
        receipt_number: row.receipt_number,
        channel_id: row.channel_id,
        register_number: row.register_number,
        kind: SaleKind::from_code(&row.kind),
        customer_account: row.customer_account,
        customer_temporary_id: row.customer_temporary_id,
        delivery_address: row.delivery_address,
        total_cents: row.total_cents,
        created_at: row.created_at,
        lines,
    }
}

fn channel_sale((record, uploaded): (SaleRecord, bool)) -> ChannelSale {
    ChannelSale {
        transaction_id: record.transaction_id,
        receipt_number: record.receipt_number,
        kind: record.kind,
        total_cents: record.total_cents,
        created_at: record.created_at,
        uploaded,
        lines: record.lines,
        delivery_address: record.delivery_address,
    }
}

/// Whether a sale staged already is the one `sale` asks for again.
fn same_sale((staged, _): &(SaleRecord, bool), sale: &NewSale) -> bool {
    staged.channel_id == sale.channel_id
        && staged.register_number == sale.register_number
        && staged.kind == sale.kind
        && same_customer(staged, sale)
        && staged.delivery_address == sale.delivery_address
        && chosen(&staged.lines).eq(chosen(&sale.lines))
}

/// What the cashier chose of each line: the product and how many. Its name
/// and price come from the catalogue, which job 1070 may have changed
/// between two sends of the same sale.
fn chosen(lines: &[SaleLine]) -> impl Iterator<Item = (&str, i64)> {
    lines.iter().map(|line| (line.item_id.as_str(), line.quantity))
}

/// A customer's account may have come back between the two sends: the
/// same customer is the same account or the same temporary id.
fn same_customer(staged: &SaleRecord, sale: &NewSale) -> bool {
    let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
    same(&staged.customer_account, &sale.customer_account)
        || same(&staged.customer_temporary_id, &sale.customer_temporary_id)
}
