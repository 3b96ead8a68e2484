//! The single writer of staged operations: concurrent requests queue here
//! and are committed together, so many cashiers share one durable fsync
//! instead of each paying for their own.

use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{ChannelDb, ChannelDbError};
use crate::domain::customer::CustomerDraft;
use crate::domain::records::OperationKind;
use crate::storage::sqlite::begin_immediate;
use crate::storage::staging_tables::{
    CUSTOMER_COLUMNS, OPERATION_COLUMNS, insert_children, push_customer, rows_per_insert,
};

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

/// Writes the whole group with one set of statements and commits it once,
/// then answers every caller. When the group is refused, each operation is
/// written again under its own savepoint, so one bad operation does not fail
/// the others.
async fn write_group(pool: &SqlitePool, group: Vec<StageRequest>) {
    let mut tx = match begin_immediate(pool).await {
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
    let operations: Vec<&NewOperation> = group.iter().map(|request| &request.operation).collect();
    let outcomes = match under_savepoint(&mut tx, &operations).await {
        Ok(()) => group.iter().map(|_| Ok(())).collect(),
        Err(_) => one_by_one(&mut tx, &operations).await,
    };
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

async fn one_by_one(
    tx: &mut Transaction<'static, Sqlite>,
    operations: &[&NewOperation],
) -> Vec<Result<(), ChannelDbError>> {
    let mut outcomes = Vec::with_capacity(operations.len());
    for operation in operations {
        outcomes.push(under_savepoint(tx, &[operation]).await);
    }
    outcomes
}

async fn under_savepoint(
    tx: &mut Transaction<'static, Sqlite>,
    operations: &[&NewOperation],
) -> Result<(), ChannelDbError> {
    let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
    match insert_operations(&mut savepoint, operations).await {
        Ok(()) => {
            savepoint.commit().await?;
            Ok(())
        }
        Err(error) => {
            savepoint.rollback().await?;
            Err(already_staged(error, operations))
        }
    }
}

/// The header row is written before its children, so a unique violation of
/// one operation alone is its temporary id, staged already.
fn already_staged(error: sqlx::Error, operations: &[&NewOperation]) -> ChannelDbError {
    let unique = matches!(&error, sqlx::Error::Database(db) if db.is_unique_violation());
    match operations {
        [operation] if unique => ChannelDbError::AlreadyStaged(operation.temporary_id.clone()),
        _ => error.into(),
    }
}

async fn insert_operations(
    tx: &mut Transaction<'_, Sqlite>,
    operations: &[&NewOperation],
) -> Result<(), sqlx::Error> {
    for chunk in operations.chunks(rows_per_insert(17)) {
        let mut query = QueryBuilder::new(format!(
            "INSERT INTO RETAILASYNCCUSTOMERV2 ({OPERATION_COLUMNS}, created_at, {CUSTOMER_COLUMNS}) "
        ));
        query.push_values(chunk, |mut row, op| {
            row.push_bind(&op.temporary_id)
                .push_bind(op.kind.code())
                .push_bind(op.channel_id)
                .push_bind(op.register_number)
                .push_bind(&op.customer_account)
                .push_bind(&op.customer_temporary_id)
                .push("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
            push_customer(&mut row, &op.customer);
        });
        query.build().execute(&mut **tx).await?;
    }
    let children: Vec<(&str, &CustomerDraft)> = operations
        .iter()
        .map(|op| (op.temporary_id.as_str(), &op.customer))
        .collect();
    insert_children(tx, &children).await
}
