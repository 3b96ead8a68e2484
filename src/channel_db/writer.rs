//! The single writer of customer creates: concurrent requests queue here and
//! are committed together, so many cashiers share one durable fsync instead
//! of each paying for their own.

use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{ChannelDb, ChannelDbError};

/// A customer create, validated, with its temporary asynchronous id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStagedCreate {
    pub temporary_id: String,
    pub channel_id: i64,
    pub register_number: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub customer_group: String,
}

struct StageRequest {
    create: NewStagedCreate,
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
    /// Stages a customer create and returns once it is durably committed.
    pub async fn stage_create(&self, create: NewStagedCreate) -> Result<(), ChannelDbError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .queue
            .send(StageRequest { create, reply })
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

/// Writes each create under its own savepoint, so one bad row does not fail
/// the others, then commits the group once and answers every caller.
async fn write_group(pool: &SqlitePool, group: Vec<StageRequest>) {
    let mut tx = match pool.begin().await {
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
        outcomes.push(insert_under_savepoint(&mut tx, &request.create).await);
    }
    let committed = tx.commit().await;
    for (request, outcome) in group.into_iter().zip(outcomes) {
        let answer = match &committed {
            Ok(()) => outcome,
            Err(error) => Err(ChannelDbError::GroupCommit(error.to_string())),
        };
        // A caller that gave up waiting has nothing to be told; its row is
        // committed all the same and will be uploaded.
        let _ = request.reply.send(answer);
    }
}

async fn insert_under_savepoint(
    tx: &mut Transaction<'static, Sqlite>,
    create: &NewStagedCreate,
) -> Result<(), ChannelDbError> {
    let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
    match insert_create(&mut savepoint, create).await {
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

async fn insert_create(
    tx: &mut Transaction<'_, Sqlite>,
    create: &NewStagedCreate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO RETAILASYNCCUSTOMERV2
            (temporary_id, operation, channel_id, register_number, first_name, last_name,
             email, customer_group, created_at)
         VALUES (?, 'create', ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .bind(&create.temporary_id)
    .bind(create.channel_id)
    .bind(create.register_number)
    .bind(&create.first_name)
    .bind(&create.last_name)
    .bind(&create.email)
    .bind(&create.customer_group)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
