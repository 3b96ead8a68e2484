//! Sales in HQ: the catalogue, the sales the P-job uploads, what
//! Synchronize orders and Post statements make of them, the Sales orders
//! page, and loyalty cards. A sale needs its customer's operations made
//! before it (the create, an address added for the order): the statements
//! that find them are here, beside the ones that settle the sale.

// `on_tx!` names `Tx` and `Dialect` where it is used.
use super::async_operations::failed_change_before_o;
use super::sync_transaction::{SyncTransaction, Tx};
use super::{HqDb, HqDbError};
use crate::domain::sales::{OrderStatus, Product, SaleKind, SaleRecord, SalesOrderRow, waiting_reason};
use crate::storage::dialect::Dialect;

const SALES_ORDER_SEQUENCE: &str = "Sales order";
const LOYALTY_CARD_SEQUENCE: &str = "Loyalty card";

/// The sales Synchronize orders has still to settle, of the kind the
/// parameter `kind` names, or of both when it is NULL.
fn open(kind: &str) -> String {
    format!("s.status IN ('uploaded', 'waiting_for_customer') AND ({kind} IS NULL OR s.kind = {kind})")
}

/// The operations of sale `s`'s customer made before the sale and not yet
/// completed, whether the sale names the customer by temporary id or by
/// account (changes staged while the customer was pending name it by its
/// temporary id); not one HQ refused for good, which nothing will complete.
/// The jobs that settle sales sync them first, updates too: an address
/// added after an update waits for it.
const OPERATIONS_BEFORE_SALE: &str = "o.OnlineOperationCompleted = FALSE AND o.failed_for_good = FALSE
     AND o.created_at <= s.created_at
     AND (o.temporary_id = s.customer_temporary_id
          OR o.customer_temporary_id = s.customer_temporary_id
          OR o.customer_account = s.customer_account
          OR o.customer_temporary_id = (SELECT c.async_customer_id FROM customers c
                                        WHERE c.account = s.customer_account))";

/// Of those, the ones that hold the sale until they are completed: the
/// customer's create, and the addresses added before the sale (a customer
/// order may go to one of them). A pending update does not hold it: the
/// customer exists without it.
const HOLDING_OPERATIONS: &str = "o.operation IN ('create', 'add_address')";

/// A sale Synchronize orders has still to settle.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenSale {
    pub id: i64,
    pub receipt_number: String,
}

/// What HQ knows of a sale's customer when the sale is settled.
#[derive(sqlx::FromRow)]
struct SaleToSettle {
    id: i64,
    kind: String,
    customer_account: Option<String>,
    customer_temporary_id: Option<String>,
    account: Option<String>,
    blocking_operation: Option<String>,
    blocking_error: Option<String>,
}

/// What settling a batch of sales did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettledSales {
    pub created: i64,
    pub waiting: i64,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    receipt_number: String,
    channel: Option<String>,
    kind: String,
    sales_order: Option<String>,
    account: Option<String>,
    customer_account: Option<String>,
    customer_temporary_id: Option<String>,
    total_cents: i64,
    status: String,
    reason: Option<String>,
    created_at: String,
    customer_synced_account: Option<String>,
}

impl HqDb {
    /// The catalogue, as job 1070 sends it.
    pub async fn products(&self) -> Result<Vec<Product>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT item_id, name, price_cents FROM products ORDER BY item_id"
        )
        .fetch_all(&pools.read)
        .await?))
    }

    /// Stores uploaded sales with their lines in one transaction, with two
    /// set-based statements; a sale uploaded already (same transaction id)
    /// is left as it is, so a P-job that runs again duplicates nothing.
    /// Returns how many were new.
    pub async fn save_uploaded_sales(&self, sales: &[SaleRecord], run_id: i64) -> Result<u64, HqDbError> {
        if sales.is_empty() {
            return Ok(0);
        }
        let (headers, lines) = sales_documents(sales)?;
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let rows = sql.json_rows();
            let new = sqlx::query(&format!(
                "INSERT INTO sales_transactions (transaction_id, receipt_number, channel_id, register_number, kind,
                     customer_account, customer_temporary_id, delivery_address, total_cents, created_at,
                     uploaded_at, upload_run_id)
                 SELECT j.value ->> 'transaction_id', j.value ->> 'receipt_number',
                        CAST(j.value ->> 'channel_id' AS BIGINT), CAST(j.value ->> 'register_number' AS BIGINT),
                        j.value ->> 'kind', j.value ->> 'customer_account', j.value ->> 'customer_temporary_id',
                        j.value ->> 'delivery_address', CAST(j.value ->> 'total_cents' AS BIGINT),
                        j.value ->> 'created_at', {now}, $2
                 FROM {rows} WHERE TRUE
                 ON CONFLICT (transaction_id) DO NOTHING",
                now = sql.now()
            ))
            .bind(headers)
            .bind(run_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // A sale and its lines are written together, so a sale without
            // lines is one this statement's transaction has just added.
            sqlx::query(&format!(
                "INSERT INTO sales_lines (sale_id, line, item_id, name, quantity, price_cents)
                 SELECT s.id, CAST(j.value ->> 'line' AS BIGINT), j.value ->> 'item_id', j.value ->> 'name',
                        CAST(j.value ->> 'quantity' AS BIGINT), CAST(j.value ->> 'price_cents' AS BIGINT)
                 FROM {rows} JOIN sales_transactions s ON s.transaction_id = j.value ->> 'transaction_id'
                 WHERE NOT EXISTS (SELECT 1 FROM sales_lines x WHERE x.sale_id = s.id)"
            ))
            .bind(lines)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(new)
        })
    }

    /// The next sales after `after_id` that Synchronize orders has still to
    /// settle, of one kind or of both.
    pub async fn open_sales(
        &self,
        after_id: i64,
        limit: u32,
        kind: Option<SaleKind>,
    ) -> Result<Vec<OpenSale>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&format!(
            "SELECT s.id, s.receipt_number FROM sales_transactions s
             WHERE s.id > $1 AND {open} ORDER BY s.id LIMIT $2",
            open = open("$3")
        ))
        .bind(after_id)
        .bind(i64::from(limit))
        .bind(kind.map(SaleKind::code))
        .fetch_all(&pools.read)
        .await?))
    }

    pub async fn count_open_sales(&self, kind: Option<SaleKind>) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM sales_transactions s WHERE {open}",
            open = open("$1")
        ))
        .bind(kind.map(SaleKind::code))
        .fetch_one(&pools.read)
        .await?))
    }

    /// The customer operations to sync before the open sales with ids from
    /// `first_id` to `last_id` (those of their customers made before them),
    /// each with the receipt of the first sale that needs it; only those
    /// that have not failed `max_retries` times (one that has waits for an
    /// admin, and its sales wait with it).
    pub async fn operations_needed_by_sales(
        &self,
        first_id: i64,
        last_id: i64,
        kind: Option<SaleKind>,
        max_retries: u32,
    ) -> Result<Vec<(String, String)>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&format!(
            "SELECT o.temporary_id, MIN(s.receipt_number)
             FROM sales_transactions s JOIN RETAILASYNCCUSTOMERV2 o ON {OPERATIONS_BEFORE_SALE}
             WHERE s.id BETWEEN $1 AND $2 AND {open} AND o.retry_count < $4
             GROUP BY o.temporary_id",
            open = open("$3")
        ))
        .bind(first_id)
        .bind(last_id)
        .bind(kind.map(SaleKind::code))
        .bind(i64::from(max_retries))
        .fetch_all(&pools.read)
        .await?))
    }

    /// Sales waiting for their customer, newest first, for Troubleshoot.
    pub async fn sales_waiting_for_customer(&self, limit: u32) -> Result<Vec<SalesOrderRow>, HqDbError> {
        self.sales_orders_where("s.status = 'waiting_for_customer'", limit)
            .await
    }

    /// The Sales orders page: the newest `limit` sales.
    pub async fn sales_orders(&self, limit: u32) -> Result<Vec<SalesOrderRow>, HqDbError> {
        self.sales_orders_where("TRUE", limit).await
    }

    /// One sale by its receipt number, for "Why is this order not in HQ?".
    pub async fn sale_by_receipt(&self, receipt_number: &str) -> Result<Option<SalesOrderRow>, HqDbError> {
        let rows: Vec<OrderRow> = on_engine!(self, |pools, sql| sqlx::query_as(&format!(
            "{ORDER_ROWS} WHERE s.receipt_number = $1"
        ))
        .bind(receipt_number)
        .fetch_all(&pools.read)
        .await?);
        Ok(rows.into_iter().next().map(order_row))
    }

    async fn sales_orders_where(&self, condition: &str, limit: u32) -> Result<Vec<SalesOrderRow>, HqDbError> {
        let rows: Vec<OrderRow> = on_engine!(self, |pools, sql| sqlx::query_as(&format!(
            "{ORDER_ROWS} WHERE {condition} ORDER BY s.id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?);
        Ok(rows.into_iter().map(order_row).collect())
    }

    /// End of day: one statement per store of the cash-and-carry
    /// transactions HQ has created and not yet posted; they are posted in
    /// it. Returns how many transactions were posted.
    pub async fn post_statements(&self, run_id: i64) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            // PostgreSQL sums BIGINTs as NUMERIC: cast back.
            let stores: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT channel_id, COUNT(*), CAST(SUM(total_cents) AS BIGINT) FROM sales_transactions
                 WHERE status = 'invoiced' GROUP BY channel_id ORDER BY channel_id",
            )
            .fetch_all(&mut *tx)
            .await?;
            let mut posted = 0;
            for (channel_id, transactions, total_cents) in stores {
                let statement_id: i64 = sqlx::query_scalar(&format!(
                    "INSERT INTO statements (channel_id, posted_at, run_id, transactions, total_cents)
                     VALUES ($1, {now}, $2, $3, $4) RETURNING statement_id",
                    now = sql.now()
                ))
                .bind(channel_id)
                .bind(run_id)
                .bind(transactions)
                .bind(total_cents)
                .fetch_one(&mut *tx)
                .await?;
                posted += sqlx::query(
                    "UPDATE sales_transactions SET status = 'posted', statement_id = $1
                     WHERE status = 'invoiced' AND channel_id = $2",
                )
                .bind(statement_id)
                .bind(channel_id)
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64;
            }
            tx.commit().await?;
            Ok(posted)
        })
    }

    /// The customer's loyalty card number, if it has one.
    pub async fn loyalty_card(&self, account: &str) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT card_number FROM loyalty_cards WHERE account = $1"
        )
        .bind(account)
        .fetch_optional(&pools.read)
        .await?))
    }

    /// Issues the customer a loyalty card, or answers the one it has; none
    /// when HQ has no such customer.
    pub async fn issue_loyalty_card(
        &self,
        account: &str,
        channel_id: i64,
    ) -> Result<Option<String>, HqDbError> {
        let mut tx = self.begin_sync().await?;
        if !tx.customer_exists(account).await? {
            return Ok(None);
        }
        let existing: Option<String> = on_tx!(tx, |conn, sql| sqlx::query_scalar(
            "SELECT card_number FROM loyalty_cards WHERE account = $1"
        )
        .bind(account)
        .fetch_optional(conn)
        .await?);
        if let Some(card) = existing {
            return Ok(Some(card));
        }
        let card = tx.reserve_numbers(LOYALTY_CARD_SEQUENCE, 1).await?.remove(0);
        on_tx!(tx, |conn, sql| {
            sqlx::query(&format!(
            "INSERT INTO loyalty_cards (card_number, account, issued_at, channel_id) VALUES ($1, $2, {now}, $3)",
            now = sql.now()
        ))
        .bind(&card)
        .bind(account)
        .bind(channel_id)
        .execute(conn)
        .await
        .map(|_| ())?
        });
        tx.commit().await?;
        Ok(Some(card))
    }
}

/// The sales' headers and their lines as two JSON arrays, each line with
/// its sale's transaction id and its number.
fn sales_documents(sales: &[SaleRecord]) -> Result<(String, String), HqDbError> {
    let headers: Vec<serde_json::Value> = sales
        .iter()
        .map(|sale| {
            serde_json::json!({
                "transaction_id": sale.transaction_id,
                "receipt_number": sale.receipt_number,
                "channel_id": sale.channel_id,
                "register_number": sale.register_number,
                "kind": sale.kind.code(),
                "customer_account": sale.customer_account,
                "customer_temporary_id": sale.customer_temporary_id,
                "delivery_address": sale.delivery_address,
                "total_cents": sale.total_cents,
                "created_at": sale.created_at,
            })
        })
        .collect();
    let lines: Vec<serde_json::Value> = sales
        .iter()
        .flat_map(|sale| {
            sale.lines.iter().enumerate().map(|(index, line)| {
                serde_json::json!({
                    "transaction_id": sale.transaction_id,
                    "line": index + 1,
                    "item_id": line.item_id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "price_cents": line.price_cents,
                })
            })
        })
        .collect();
    let text = |value: &Vec<serde_json::Value>| {
        serde_json::to_string(value).map_err(|error| HqDbError::from(sqlx::Error::Encode(error.into())))
    };
    Ok((text(&headers)?, text(&lines)?))
}

/// The columns of the Sales orders page, with the store's name, and the
/// account HQ made for a customer sold to while pending, before
/// Synchronize orders has given it to the sale.
const ORDER_ROWS: &str = "SELECT s.receipt_number, ch.name AS channel, s.kind, s.sales_order, s.account,
            s.customer_account, s.customer_temporary_id, s.total_cents, s.status, s.reason, s.created_at,
            (SELECT c.account FROM customers c WHERE c.async_customer_id = s.customer_temporary_id)
                AS customer_synced_account
     FROM sales_transactions s LEFT JOIN channels ch ON ch.channel_id = s.channel_id";

fn order_row(row: OrderRow) -> SalesOrderRow {
    SalesOrderRow {
        receipt_number: row.receipt_number,
        channel: row.channel.unwrap_or_default(),
        kind: SaleKind::from_code(&row.kind),
        sales_order: row.sales_order,
        account: row
            .account
            .or(row.customer_account)
            .or(row.customer_synced_account),
        customer_temporary_id: row.customer_temporary_id,
        total_cents: row.total_cents,
        status: OrderStatus::from_code(&row.status).unwrap_or(OrderStatus::Uploaded),
        reason: row.reason,
        created_at: row.created_at,
    }
}

impl SyncTransaction {
    /// Records on the attempt by `attempted_by` of each (operation id,
    /// receipt) pair's operation the receipt of the sale it was synced for.
    pub async fn note_receipts(
        &mut self,
        attempted_by: &str,
        receipts: &[(i64, String)],
    ) -> Result<(), HqDbError> {
        if receipts.is_empty() {
            return Ok(());
        }
        let statement = |_: Dialect, rows: &str| {
            format!(
                "UPDATE sync_attempts SET for_receipt = m.outcome
                 FROM {rows} WHERE sync_attempts.operation_id = m.id AND attempted_by = $1 AND for_receipt IS NULL"
            )
        };
        self.execute_with_pairs(statement, &[attempted_by], receipts)
            .await
    }

    /// Settles the open sales with ids from `first_id` to `last_id`, of
    /// `kind` or both, as HQ holds them now: a sale whose customer (and the
    /// changes made before it) has synced is created on that account, a
    /// customer order with the next sales order number; any other waits for
    /// its customer, with the reason.
    pub async fn settle_sales(
        &mut self,
        first_id: i64,
        last_id: i64,
        kind: Option<SaleKind>,
        synced_by: &str,
    ) -> Result<SettledSales, HqDbError> {
        let sales: Vec<SaleToSettle> = on_tx!(self, |conn, sql| {
            sqlx::query_as(&format!(
            "SELECT s.id, s.kind, s.customer_account, s.customer_temporary_id,
                    COALESCE((SELECT c.account FROM customers c WHERE c.account = s.customer_account),
                             (SELECT c.account FROM customers c WHERE c.async_customer_id = s.customer_temporary_id))
                        AS account,
                    (SELECT CASE WHEN o.error IS NULL THEN COALESCE({failed_before_id}, o.temporary_id)
                                 ELSE o.temporary_id END
                     FROM RETAILASYNCCUSTOMERV2 o WHERE {OPERATIONS_BEFORE_SALE} AND {HOLDING_OPERATIONS}
                     ORDER BY o.id LIMIT 1) AS blocking_operation,
                    (SELECT COALESCE(o.error, {failed_before_error})
                     FROM RETAILASYNCCUSTOMERV2 o WHERE {OPERATIONS_BEFORE_SALE} AND {HOLDING_OPERATIONS}
                     ORDER BY o.id LIMIT 1) AS blocking_error
             FROM sales_transactions s
             WHERE s.id BETWEEN $1 AND $2 AND {open}
             ORDER BY s.id",
            open = open("$3"),
            // A needed operation that waits for a failed one (an address
            // behind a refused update) holds the sale for that one's reason.
            failed_before_id = failed_change_before_o!("temporary_id"),
            failed_before_error = failed_change_before_o!("error"),
        ))
        .bind(first_id)
        .bind(last_id)
        .bind(kind.map(SaleKind::code))
        .fetch_all(conn)
        .await?
        });
        let orders = sales
            .iter()
            .filter(|sale| sale.account.is_some() && sale.blocking_operation.is_none())
            .filter(|sale| SaleKind::from_code(&sale.kind) == SaleKind::CustomerOrder)
            .count();
        let mut order_numbers = self
            .reserve_numbers(SALES_ORDER_SEQUENCE, orders)
            .await?
            .into_iter();
        let mut created = Vec::new();
        let mut numbered = Vec::new();
        let mut waiting = Vec::new();
        for sale in &sales {
            match (&sale.account, &sale.blocking_operation) {
                (Some(account), None) => {
                    created.push((sale.id, account.clone()));
                    if SaleKind::from_code(&sale.kind) == SaleKind::CustomerOrder
                        && let Some(number) = order_numbers.next()
                    {
                        numbered.push((sale.id, number));
                    }
                }
                (_, blocking) => {
                    let customer = blocking
                        .clone()
                        .or_else(|| sale.customer_temporary_id.clone())
                        .or_else(|| sale.customer_account.clone())
                        .unwrap_or_default();
                    waiting.push((sale.id, waiting_reason(&customer, sale.blocking_error.as_deref())));
                }
            }
        }
        self.create_sales(&created, &numbered, synced_by).await?;
        self.hold_sales(&waiting).await?;
        Ok(SettledSales {
            created: created.len() as i64,
            waiting: waiting.len() as i64,
        })
    }

    /// Creates each (sale id, account) pair's sale on that account: a
    /// customer order as an open order, with its (sale id, number) sales
    /// order number from `numbered`, a cash-and-carry sale as invoiced.
    async fn create_sales(
        &mut self,
        created: &[(i64, String)],
        numbered: &[(i64, String)],
        synced_by: &str,
    ) -> Result<(), HqDbError> {
        if created.is_empty() {
            return Ok(());
        }
        let statement = |dialect: Dialect, rows: &str| {
            format!(
                "UPDATE sales_transactions
                 SET status = CASE kind WHEN 'customer_order' THEN '{order}' ELSE '{cash}' END,
                     account = m.outcome, reason = NULL, synced_by = $1, synced_at = {now}
                 FROM {rows}
                 WHERE sales_transactions.id = m.id AND {status} IN ('uploaded', 'waiting_for_customer')",
                order = OrderStatus::Created.code(),
                cash = OrderStatus::Invoiced.code(),
                now = dialect.now(),
                status = dialect.without_index("status")
            )
        };
        self.execute_with_pairs(statement, &[synced_by], created).await?;
        if numbered.is_empty() {
            return Ok(());
        }
        let statement = |_: Dialect, rows: &str| {
            format!(
                "UPDATE sales_transactions SET sales_order = m.outcome
                 FROM {rows} WHERE sales_transactions.id = m.id AND sales_order IS NULL AND synced_by = $1"
            )
        };
        self.execute_with_pairs(statement, &[synced_by], numbered).await
    }

    /// Holds each (sale id, reason) pair's sale until its customer has synced.
    async fn hold_sales(&mut self, waiting: &[(i64, String)]) -> Result<(), HqDbError> {
        if waiting.is_empty() {
            return Ok(());
        }
        let statement = |dialect: Dialect, rows: &str| {
            format!(
                "UPDATE sales_transactions SET status = 'waiting_for_customer', reason = m.outcome
                 FROM {rows} WHERE sales_transactions.id = m.id AND {status} IN ('uploaded', 'waiting_for_customer')",
                status = dialect.without_index("status")
            )
        };
        self.execute_with_pairs(statement, &[], waiting).await
    }
}
