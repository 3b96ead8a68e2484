//! The single writer of staged operations: concurrent requests queue here
//! and are committed together, so many cashiers share one durable fsync
//! instead of each paying for their own.

use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{ChannelDb, ChannelDbError};
use crate::customer::CustomerDraft;
use crate::records::OperationKind;
use crate::staging_tables::{CUSTOMER_COLUMNS, bind_customer, insert_children};

/// An operation to stage: its header and all its rows, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOperation {
    pub temporary_id: String,
    pub kind: OperationKind,
    pub channel_id: i64,
    pub register_number: Option<i64>,
    pub customer_account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub customer: CustomerDraft,
}

struct StageRequest {
    operation: NewOperation,
    reply: oneshot::Sender<Result<(), ChannelDbError>>,
}

#[derive(Debug, Clone)]
pub(super) struct StagingWriter {
    queue: mpsc::Sender<StageRequest>,
}

impl StagingWriter {
    pub(super) fn start(pool: SqlitePool, group_size: usize) -> StagingWriter {
        let (queue, requests) = mpsc::channel(group_size.max(1) * 4);
        tokio::spawn(write_groups(pool, requests, group_size.max(1)));
        StagingWriter { queue }
    }
}

impl ChannelDb {
    /// Stages an operation with all its rows and returns once it is durably
    /// committed.
    pub async fn stage(&self, operation: NewOperation) -> Result<(), ChannelDbError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .queue
            .send(StageRequest { operation, reply })
            .await
            .map_err(|_| ChannelDbError::WriterStopped)?;
        answer.await.map_err(|_| ChannelDbError::WriterStopped)?
    }
}

async fn write_groups(pool: SqlitePool, mut requests: mpsc::Receiver<StageRequest>, group_size: usize) {
    while let Some(first) = requests.recv().await {
        let mut group = vec![first];
        while group.len() < group_size {
            match requests.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        write_group(&pool, group).await;
    }
}

/// Writes each operation under its own savepoint, so one bad operation does
/// not fail the others, then commits the group once and answers every caller.
async fn write_group(pool: &SqlitePool, group: Vec<StageRequest>) {
    let mut tx = match pool.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(error) => {
            let message = error.to_string();
            for request in group {
                let _ = request
                    .reply
                    .send(Err(ChannelDbError::GroupCommit(message.clone())));
            }
            return;
        }
    };
    let mut outcomes = Vec::with_capacity(group.len());
    for request in &group {
        outcomes.push(insert_under_savepoint(&mut tx, &request.operation).await);
    }
    let committed = tx.commit().await;
    for (request, outcome) in group.into_iter().zip(outcomes) {
        let answer = match &committed {
            Ok(()) => outcome,
            Err(error) => Err(ChannelDbError::GroupCommit(error.to_string())),
        };
        // A caller that gave up waiting has nothing to be told; its rows are
        // committed all the same and will be uploaded.
        let _ = request.reply.send(answer);
    }
}

async fn insert_under_savepoint(
    tx: &mut Transaction<'static, Sqlite>,
    operation: &NewOperation,
) -> Result<(), ChannelDbError> {
    let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
    match insert_operation(&mut savepoint, operation).await {
        Ok(()) => {
            savepoint.commit().await?;
            Ok(())
        }
        Err(error) => {
            savepoint.rollback().await?;
            Err(error.into())
        }
    }
}

async fn insert_operation(
    tx: &mut Transaction<'_, Sqlite>,
    operation: &NewOperation,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO RETAILASYNCCUSTOMERV2
            (temporary_id, operation, channel_id, register_number, customer_account, customer_temporary_id,
             created_at, {CUSTOMER_COLUMNS})
         VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let query = sqlx::query(&sql)
        .bind(&operation.temporary_id)
        .bind(operation.kind.code())
        .bind(operation.channel_id)
        .bind(operation.register_number)
        .bind(&operation.customer_account)
        .bind(&operation.customer_temporary_id);
    bind_customer(query, &operation.customer)
        .execute(&mut **tx)
        .await?;
    insert_children(tx, &operation.temporary_id, &operation.customer).await
}
