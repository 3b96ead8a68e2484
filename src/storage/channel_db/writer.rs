//! The single writer of staged operations: concurrent requests queue here
//! and are committed together, so many cashiers share one durable fsync
//! instead of each paying for their own.

use sqlx::pool::PoolConnection;
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{ChannelDb, ChannelDbError};
use crate::domain::customer::{ChangedFields, CustomerDraft};
use crate::domain::records::OperationKind;
use crate::storage::sqlite::begin_immediate;
use crate::storage::staging_tables::{
    CUSTOMER_COLUMNS, OPERATION_COLUMNS, STAGED_CHILD_TABLES, execute_batch, push_children_inserts,
    push_customer, push_multi_row_inserts,
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
    /// The fields of `customer` an update changes.
    pub changed_fields: ChangedFields,
}

impl NewOperation {
    /// The create of `customer` in the channel `channel_id`, at the register
    /// `register_number` (none for the online store).
    pub fn create(
        temporary_id: String,
        channel_id: i64,
        register_number: Option<i64>,
        customer: CustomerDraft,
    ) -> NewOperation {
        NewOperation {
            temporary_id,
            kind: OperationKind::Create,
            channel_id,
            register_number,
            customer_account: None,
            customer_temporary_id: None,
            customer,
            changed_fields: ChangedFields::ALL,
        }
    }
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
    /// Starts the writer; refused when its thread cannot be made.
    pub(super) fn start(pool: SqlitePool, group_size: usize) -> std::io::Result<StagingWriter> {
        let (queue, requests) = mpsc::channel(group_size.max(1) * 4);
        run_on_a_thread_of_its_own(write_groups(pool, requests, group_size.max(1)))?;
        Ok(StagingWriter { queue })
    }
}

/// Runs the writer on a thread of its own, with a runtime of its own. On
/// the web workers' runtime, each step of a group (the hand-over to
/// SQLite's thread, its answer, the connection given back to the pool) was
/// queued behind the requests those workers were busy with, while SQLite
/// sat idle; on its own thread the writer runs as soon as it is woken. The
/// thread ends with the writer, once every sender of requests is gone.
fn run_on_a_thread_of_its_own(writes: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("staging-writer".to_string())
        .spawn(move || runtime.block_on(writes))?;
    Ok(())
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

/// Writes the whole group and commits it once, then answers every caller.
/// When the group is refused, each operation is written again under its own
/// savepoint, so one bad operation does not fail the others.
async fn write_group(pool: &SqlitePool, group: Vec<StageRequest>) {
    let operations: Vec<&NewOperation> = group.iter().map(|request| &request.operation).collect();
    let outcomes = match write_at_once(pool, &operations).await {
        Ok(()) => group.iter().map(|_| Ok(())).collect(),
        Err(error) => {
            tracing::debug!(%error, "a group of operations is written again one by one");
            write_one_by_one(pool, &operations).await
        }
    };
    for (request, outcome) in group.into_iter().zip(outcomes) {
        // A caller that gave up waiting has nothing to be told; its rows are
        // committed all the same and will be uploaded.
        let _ = request.reply.send(outcome);
    }
}

/// The group's transaction, from `BEGIN IMMEDIATE` to `COMMIT`, as one batch
/// of statements that the connection's SQLite thread runs in one go. Sent
/// one by one, each statement waited for that thread to be woken and
/// scheduled beside the busy web workers, and under load those waits made
/// most of a group's time. The writer's task is never dropped part-way (it
/// ends with the server), so the batch always runs to its end or its error.
async fn write_at_once(pool: &SqlitePool, operations: &[&NewOperation]) -> Result<(), sqlx::Error> {
    let mut batch = QueryBuilder::new("BEGIN IMMEDIATE; ");
    push_operations(&mut batch, operations);
    batch.push("COMMIT");
    let mut connection = pool.acquire().await?;
    let written = batch.build().execute(&mut *connection).await;
    if written.is_err() {
        roll_back_what_was_begun(connection).await;
    }
    written.map(|_| ())
}

/// After a batch that stopped part-way, rolls back what it began. When that
/// fails too (nothing was begun, or the connection is broken), the
/// connection is closed, which also ends any transaction: the pool never
/// hands out a connection inside a transaction nothing would end.
async fn roll_back_what_was_begun(mut connection: PoolConnection<Sqlite>) {
    if sqlx::query("ROLLBACK").execute(&mut *connection).await.is_err() {
        let _ = connection.close().await;
    }
}

/// Each operation under its own savepoint in one transaction: those that
/// can be written are, and each refused one gets its own reason.
async fn write_one_by_one(
    pool: &SqlitePool,
    operations: &[&NewOperation],
) -> Vec<Result<(), ChannelDbError>> {
    let mut tx = match begin_immediate(pool).await {
        Ok(tx) => tx,
        Err(error) => return refuse_all(operations, &error),
    };
    let mut outcomes = Vec::with_capacity(operations.len());
    for operation in operations {
        outcomes.push(under_savepoint(&mut tx, operation).await);
    }
    match tx.commit().await {
        Ok(()) => outcomes,
        Err(error) => refuse_all(operations, &error),
    }
}

fn refuse_all(operations: &[&NewOperation], error: &sqlx::Error) -> Vec<Result<(), ChannelDbError>> {
    let message = error.to_string();
    operations
        .iter()
        .map(|_| Err(ChannelDbError::GroupCommit(message.clone())))
        .collect()
}

async fn under_savepoint(
    tx: &mut Transaction<'static, Sqlite>,
    operation: &NewOperation,
) -> Result<(), ChannelDbError> {
    let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
    let mut batch = QueryBuilder::new("");
    push_operations(&mut batch, &[operation]);
    match execute_batch(&mut savepoint, batch).await {
        Ok(()) => {
            savepoint.commit().await?;
            Ok(())
        }
        Err(error) => {
            savepoint.rollback().await?;
            Err(already_staged(error, operation))
        }
    }
}

/// The header row is written before its children, so a unique violation of
/// one operation alone is its temporary id, staged already.
fn already_staged(error: sqlx::Error, operation: &NewOperation) -> ChannelDbError {
    let unique = matches!(&error, sqlx::Error::Database(db) if db.is_unique_violation());
    if unique {
        ChannelDbError::AlreadyStaged(operation.temporary_id.clone())
    } else {
        error.into()
    }
}

/// Appends the multi-row inserts of the operations' headers, then of their
/// child rows, to `batch`.
fn push_operations<'args>(batch: &mut QueryBuilder<'args, Sqlite>, operations: &[&'args NewOperation]) {
    let head =
        format!("INSERT INTO RETAILASYNCCUSTOMERV2 ({OPERATION_COLUMNS}, created_at, {CUSTOMER_COLUMNS}) ");
    push_multi_row_inserts(batch, &head, operations, 18, |mut row, op| {
        row.push_bind(&op.temporary_id)
            .push_bind(op.kind.code())
            .push_bind(op.channel_id)
            .push_bind(op.register_number)
            .push_bind(&op.customer_account)
            .push_bind(&op.customer_temporary_id)
            .push_bind(op.changed_fields.code())
            .push("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
        push_customer(&mut row, &op.customer);
    });
    let children: Vec<(&str, &CustomerDraft)> = operations
        .iter()
        .map(|op| (op.temporary_id.as_str(), &op.customer))
        .collect();
    push_children_inserts(batch, &STAGED_CHILD_TABLES, &children);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::{AddressDraft, ContactDraft};

    fn create(temporary_id: &str, last_name: &str) -> NewOperation {
        NewOperation::create(
            temporary_id.to_string(),
            1,
            Some(1),
            CustomerDraft {
                first_name: "Ann".into(),
                last_name: last_name.into(),
                addresses: vec![AddressDraft {
                    street: format!("{last_name} St"),
                    primary: true,
                    ..AddressDraft::default()
                }],
                contacts: vec![ContactDraft {
                    kind: "email".into(),
                    value: format!("{last_name}@example.com"),
                    primary: true,
                }],
                ..CustomerDraft::default()
            },
        )
    }

    async fn write(db: &ChannelDb, operations: Vec<NewOperation>) -> Vec<Result<(), ChannelDbError>> {
        let mut answers = Vec::new();
        let group = operations
            .into_iter()
            .map(|operation| {
                let (reply, answer) = oneshot::channel();
                answers.push(answer);
                StageRequest { operation, reply }
            })
            .collect();
        write_group(&db.pools.write, group).await;
        let mut outcomes = Vec::new();
        for answer in answers {
            outcomes.push(answer.await.expect("every caller is answered"));
        }
        outcomes
    }

    async fn count(db: &ChannelDb, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&db.pools.read)
            .await
            .expect("a count")
    }

    #[tokio::test]
    async fn a_group_with_an_operation_staged_already_stages_the_others_and_leaves_the_writer_usable() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let db = ChannelDb::open(&dir.path().join("channel.db"), 8, "default")
            .await
            .expect("the channel database");
        let staged = "00000000-0000-7000-8000-000000000001";
        assert!(write(&db, vec![create(staged, "First")]).await[0].is_ok());

        let outcomes = write(
            &db,
            vec![
                create("00000000-0000-7000-8000-000000000002", "Second"),
                create(staged, "Again"),
                create("00000000-0000-7000-8000-000000000003", "Third"),
            ],
        )
        .await;

        assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
        assert!(
            matches!(&outcomes[1], Err(ChannelDbError::AlreadyStaged(id)) if id == staged),
            "{:?}",
            outcomes[1]
        );
        assert!(outcomes[2].is_ok(), "{:?}", outcomes[2]);
        for table in [
            "RETAILASYNCCUSTOMERV2",
            "RETAILASYNCADDRESSV2",
            "RETAILASYNCCUSTOMERCONTACT",
        ] {
            assert_eq!(
                count(&db, table).await,
                3,
                "{table}: the first, second and third, once each"
            );
        }
        let last_names: Vec<String> =
            sqlx::query_scalar("SELECT last_name FROM RETAILASYNCCUSTOMERV2 ORDER BY id")
                .fetch_all(&db.pools.read)
                .await
                .expect("the staged names");
        assert_eq!(last_names, ["First", "Second", "Third"]);

        let mut job = db
            .pools
            .begin_write()
            .await
            .expect("a job's write begins after the refused group");
        sqlx::query("UPDATE RETAILASYNCCUSTOMERV2 SET uploaded = 1")
            .execute(&mut *job)
            .await
            .expect("the job writes");
        job.commit().await.expect("the job commits");
        let outcomes = write(
            &db,
            vec![create("00000000-0000-7000-8000-000000000004", "Fourth")],
        )
        .await;
        assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
        assert_eq!(count(&db, "RETAILASYNCCUSTOMERV2").await, 4);
    }
}
