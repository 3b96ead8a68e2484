//! How custsync opens an SQLite database: WAL with `synchronous=FULL`, so a
//! commit the user saw survives a power cut, and two pools, because SQLite
//! has one writer at a time: many readers, and one connection that writes.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Under a sustained load the WAL cannot start over while readers still use
/// it, and grows. Once it starts over, SQLite cuts the file back to this
/// size; and once it holds more than this, the checkpointer makes it start
/// over (`checkpoint_now_and_then`).
const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// What SQLite writes before each page in the WAL.
const WAL_FRAME_HEADER_BYTES: u64 = 24;

/// A database's two pools: `read` for queries, `write` (one connection) for
/// every transaction that changes something; and the connection that
/// checkpoints the WAL now and then.
#[derive(Debug, Clone)]
pub struct Pools {
    pub read: SqlitePool,
    pub write: SqlitePool,
    checkpointer: SqlitePool,
    /// Stops the checkpointer's task once the last copy of these pools is
    /// dropped without being closed (a crash in the tests), so that the
    /// task does not keep the writer's connection open after them.
    _checkpoints: Arc<StopOnDrop>,
}

#[derive(Debug)]
struct StopOnDrop(tokio::task::AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Pools {
    /// A write transaction that takes SQLite's write lock at once, so that
    /// processes sharing the file wait for each other instead of failing to
    /// upgrade a read.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        begin_immediate(&self.write).await
    }

    /// A read transaction whose statements all see the database as it was at
    /// its first one (WAL gives each read transaction its snapshot).
    pub async fn begin_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.read.begin().await
    }

    /// Closes every connection once its work is done. The last one to
    /// close copies the WAL into the database file and removes it: a
    /// stopped server leaves whole database files behind.
    pub async fn close(&self) {
        close_every_connection(&self.read).await;
        close_every_connection(&self.write).await;
        close_every_connection(&self.checkpointer).await;
    }
}

/// `BEGIN IMMEDIATE` on a connection of `pool`, carried out on a task of
/// its own. sqlx checks a custom `BEGIN` after SQLite has run it, and a
/// caller dropped at that moment (a job stopped, a request whose browser
/// went away) leaves the connection inside a transaction that nothing ends:
/// for the writer's one connection, every later write refused until the
/// server restarts. On its own task the begin runs to its end, and a
/// transaction whose caller is gone is dropped there, which rolls it back.
pub async fn begin_immediate(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
        .await
        .map_err(|error| sqlx::Error::Io(std::io::Error::other(error)))?
}

/// Closes `pool` with every connection it has. sqlx's `close` can return
/// while a connection given back a moment before is still being checked on
/// its way back; it then waits among the idle ones, open, and keeps the WAL
/// beside the file. Closing again closes it.
pub async fn close_every_connection(pool: &SqlitePool) {
    loop {
        pool.close().await;
        if pool.size() == 0 {
            return;
        }
    }
}

/// How long `open` keeps trying while other processes set up the same new
/// file.
const SET_UP_PATIENCE: Duration = Duration::from_secs(10);

/// Opens (creating and migrating when needed) the database at `path`. A
/// new file takes pages of `page_size` bytes; an existing one keeps its own,
/// as SQLite cannot change them in WAL mode.
///
/// Several processes may open one new file at once (scale units sharing an
/// SQLite HQ). Turning a new file to WAL needs it to themselves, and SQLite
/// answers "busy" at once rather than waiting, so a busy open is tried
/// again for a while.
pub async fn open(path: &Path, migrator: &Migrator, page_size: u32) -> Result<Pools, sqlx::Error> {
    open_with_wal_limit(path, migrator, page_size, WAL_SIZE_LIMIT_BYTES).await
}

async fn open_with_wal_limit(
    path: &Path,
    migrator: &Migrator,
    page_size: u32,
    wal_limit_bytes: u64,
) -> Result<Pools, sqlx::Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let started = std::time::Instant::now();
    loop {
        match open_once(path, migrator, page_size, wal_limit_bytes).await {
            Err(error) if is_busy(&error) && started.elapsed() < SET_UP_PATIENCE => {
                tracing::debug!(%error, "the database is being set up by another process; trying again");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            opened => return opened,
        }
    }
}

/// SQLite's SQLITE_BUSY, in any of its extended forms.
fn is_busy(error: &sqlx::Error) -> bool {
    const SQLITE_BUSY: i64 = 5;
    error
        .as_database_error()
        .and_then(|error| error.code())
        .and_then(|code| code.parse::<i64>().ok())
        .is_some_and(|code| code & 0xff == SQLITE_BUSY)
}

async fn open_once(
    path: &Path,
    migrator: &Migrator,
    page_size: u32,
    wal_limit_bytes: u64,
) -> Result<Pools, sqlx::Error> {
    let options = connect_options(path, wal_limit_bytes)?.page_size(page_size);
    let write = pool_of(1)
        .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
        .await?;
    migrate_beside_others(migrator, &write).await?;
    let checkpointer = pool_of(1).connect_with(options.clone()).await?;
    let checkpoints = tokio::spawn(checkpoint_now_and_then(
        checkpointer.clone(),
        write.clone(),
        wal_limit_bytes,
    ));
    let read = pool_of(8).connect_with(options.read_only(true)).await?;
    Ok(Pools {
        read,
        write,
        checkpointer,
        _checkpoints: Arc::new(StopOnDrop(checkpoints.abort_handle())),
    })
}

/// Runs the migrations not applied yet. Processes opening one new file at
/// once (scale units sharing an SQLite HQ) each run them, and SQLite has no
/// lock for that: a migration another process applied a moment before fails
/// here (its tables exist) and rolls back. Such a failure comes with the
/// other process's progress, so the run starts again while the applied
/// migrations grow; any other failure is reported.
async fn migrate_beside_others(migrator: &Migrator, pool: &SqlitePool) -> Result<(), sqlx::Error> {
    loop {
        let before = applied_migrations(pool).await;
        match migrator.run(pool).await {
            Ok(()) => return Ok(()),
            Err(error) if applied_migrations(pool).await > before => {
                tracing::debug!(%error, "another process applied a migration first; running them again");
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// How many migrations have been applied to the database (0 for a new one).
async fn applied_migrations(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .unwrap_or(0)
}

/// The writer does not checkpoint the WAL into the database itself: a commit
/// that did would make its caller wait for the database file's own sync. A
/// connection of its own copies committed pages now and then instead,
/// without blocking the writer (PASSIVE), until the pools are closed.
///
/// That alone lets the WAL grow without end while commits come back to back
/// (a P-job's backlog, a rush of creates): the WAL starts over only when a
/// write transaction begins after a checkpoint has copied all of it, and a
/// checkpoint beside the writer always ends behind the writer's latest
/// commit. So once the WAL holds more than `wal_limit_bytes`, the rest is
/// copied through the writer's own connection, between two of its
/// transactions, and the next transaction starts the WAL over. The writer
/// waits only for what the last PASSIVE run left; a reader that still reads
/// an older snapshot is not waited for (its frames are copied later).
async fn checkpoint_now_and_then(checkpointer: SqlitePool, writer: SqlitePool, wal_limit_bytes: u64) {
    let mut interval = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        interval.tick().await;
        if checkpointer.is_closed() || writer.is_closed() {
            return;
        }
        let wal_bytes = match checkpoint(&checkpointer).await {
            Ok(wal_bytes) => wal_bytes,
            Err(error) => {
                tracing::warn!(%error, "the WAL could not be checkpointed");
                continue;
            }
        };
        if wal_bytes > wal_limit_bytes
            && let Err(error) = checkpoint(&writer).await
        {
            tracing::warn!(%error, wal_bytes, "the WAL could not be checkpointed between two writes");
        }
    }
}

/// Copies what it can of the WAL into the database file without waiting
/// for anyone, and answers the WAL's size in bytes.
async fn checkpoint(pool: &SqlitePool) -> Result<u64, sqlx::Error> {
    let mut connection = pool.acquire().await?;
    let (_busy, wal_frames, _copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *connection)
        .await?;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut *connection)
        .await?;
    let frame_bytes = u64::try_from(page_size).unwrap_or(0) + WAL_FRAME_HEADER_BYTES;
    Ok(u64::try_from(wal_frames).unwrap_or(0) * frame_bytes)
}

/// A small pool that both reads and writes, for a library that brings its
/// own statements (the session store); it waits for the writer like any
/// other connection.
pub async fn open_shared(path: &Path, connections: u32) -> Result<SqlitePool, sqlx::Error> {
    pool_of(connections)
        .connect_with(connect_options(path, WAL_SIZE_LIMIT_BYTES)?)
        .await
}

/// A pool of at most `connections` that hands out its idle connections
/// without pinging them first. A ping finds a server that hung up; an
/// SQLite connection is a thread of this process, and each ping was one
/// more round trip to that thread, waiting to be scheduled beside the busy
/// web workers: for the writer, once per group of creates.
///
/// Its connections are kept for good: an SQLite connection does not go
/// stale, and the task sqlx starts to close idle or old connections can
/// spin forever under churn (launchbadge/sqlx#3645).
fn pool_of(connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .idle_timeout(None)
        .max_lifetime(None)
}

fn connect_options(path: &Path, wal_limit_bytes: u64) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .pragma("journal_size_limit", wal_limit_bytes.to_string())
        .foreign_keys(true)
        // The POS's search finds names in any alphabet whatever their case
        // (SQLite's own LIKE and lower() fold A to Z only).
        .with_regexp()
        .busy_timeout(Duration::from_secs(10)))
}

#[cfg(test)]
mod tests {
    use std::task::Poll;

    use super::*;

    static CHANNEL_MIGRATOR: Migrator = sqlx::migrate!("migrations/channel");

    /// The value of a pragma on a connection of `pool`.
    async fn pragma<T>(pool: &SqlitePool, name: &str) -> T
    where
        T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        sqlx::query_scalar(&format!("PRAGMA {name}"))
            .fetch_one(pool)
            .await
            .expect("read")
    }

    #[tokio::test]
    async fn a_new_database_is_durable_with_a_bounded_wal_and_takes_the_page_size_asked_for() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let pools = open(&dir.path().join("new.db"), &CHANNEL_MIGRATOR, 16 * 1024)
            .await
            .expect("opened");
        assert_eq!(pragma::<i64>(&pools.write, "page_size").await, 16 * 1024);
        assert_eq!(pragma::<String>(&pools.read, "journal_mode").await, "wal");
        assert_eq!(
            pragma::<i64>(&pools.write, "synchronous").await,
            2,
            "synchronous = FULL"
        );
        assert_eq!(
            pragma::<i64>(&pools.write, "journal_size_limit").await,
            64 * 1024 * 1024
        );
    }

    /// sqlx's pool reaper (started when a pool has an idle timeout or a
    /// maximum lifetime, which sqlx sets by default) can spin a worker
    /// thread forever once its idle count wraps below zero under churn
    /// (launchbadge/sqlx#3645): seen as a bench that hung at 100% of a core.
    /// An SQLite connection never goes stale, so no pool has either limit.
    #[tokio::test]
    async fn no_pool_starts_the_idle_connection_reaper() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let pools = open(&dir.path().join("new.db"), &CHANNEL_MIGRATOR, 4096)
            .await
            .expect("opened");
        let shared = open_shared(&dir.path().join("new.db"), 2).await.expect("opened");
        for pool in [&pools.write, &pools.read, &pools.checkpointer, &shared] {
            assert_eq!(pool.options().get_idle_timeout(), None);
            assert_eq!(pool.options().get_max_lifetime(), None);
        }
    }

    /// Commits back to back leave a checkpoint beside the writer always one
    /// commit behind, so the WAL would never start over and would grow with
    /// everything written (a P-job's backlog, a rush of creates) until the
    /// disk is full.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_while_commits_come_back_to_back() {
        const WAL_LIMIT: u64 = 1024 * 1024;
        const ROW_BYTES: u64 = 16 * 1024;
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let path = dir.path().join("busy.db");
        let pools = open_with_wal_limit(&path, &CHANNEL_MIGRATOR, 4096, WAL_LIMIT)
            .await
            .expect("opened");
        sqlx::query("CREATE TABLE written (id INTEGER PRIMARY KEY, body BLOB)")
            .execute(&pools.write)
            .await
            .expect("created");
        let started = std::time::Instant::now();
        let mut written = 0;
        let mut commits: i64 = 0;
        while written < 32 * WAL_LIMIT || started.elapsed() < Duration::from_secs(2) {
            let mut tx = pools.begin_write().await.expect("a write transaction");
            sqlx::query("INSERT OR REPLACE INTO written (id, body) VALUES (?, zeroblob(?))")
                .bind(commits % 16)
                .bind(ROW_BYTES as i64)
                .execute(&mut *tx)
                .await
                .expect("written");
            tx.commit().await.expect("committed");
            written += ROW_BYTES;
            commits += 1;
        }
        let wal = std::fs::metadata(dir.path().join("busy.db-wal"))
            .expect("the WAL")
            .len();
        assert!(
            wal < written / 2,
            "the WAL holds {wal} bytes after {commits} commits of {written} bytes in all"
        );
        pools.close().await;
    }

    /// A write whose caller is dropped while it begins (a job stopped, a
    /// request whose browser went away) must not leave the one writer
    /// connection inside a transaction: every later write would be refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_dropped_while_it_begins_leaves_the_writer_usable() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let pools = open(&dir.path().join("dropped.db"), &CHANNEL_MIGRATOR, 4096)
            .await
            .expect("opened");
        // Dropped after each of its first polls, with the worker thread
        // given more or less time between them: one of them lands between
        // SQLite's BEGIN and sqlx's check of it.
        for pause_us in [0, 100, 500, 2_000, 5_000] {
            for polls in 1..=6 {
                {
                    let mut begin = std::pin::pin!(pools.begin_write());
                    for _ in 0..polls {
                        let poll = std::future::poll_fn(|cx| Poll::Ready(begin.as_mut().poll(cx))).await;
                        if poll.is_ready() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_micros(pause_us)).await;
                    }
                }
                let next = tokio::time::timeout(Duration::from_secs(5), pools.begin_write())
                    .await
                    .expect("the next write begins");
                let tx = next.unwrap_or_else(|error| {
                    panic!("after {polls} polls {pause_us} µs apart of a dropped begin: {error}")
                });
                tx.commit().await.expect("committed");
            }
        }
        pools.close().await;
    }

    /// A connection given back just before the pools close must be closed
    /// too: left open, it keeps the WAL beside the database file.
    #[tokio::test]
    async fn closing_right_after_a_read_and_a_write_leaves_no_wal() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let path = dir.path().join("closed.db");
        let pools = open(&path, &CHANNEL_MIGRATOR, 4096).await.expect("opened");
        let mut tx = pools.begin_write().await.expect("a write transaction");
        sqlx::query("CREATE TABLE written (id INTEGER)")
            .execute(&mut *tx)
            .await
            .expect("written");
        tx.commit().await.expect("committed");
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM written")
            .fetch_one(&pools.read)
            .await
            .expect("read");
        // Lets the pool start taking the connections back (it pings them
        // first), so that the close below meets them on their way.
        tokio::task::yield_now().await;
        pools.close().await;
        assert!(
            !dir.path().join("closed.db-wal").exists(),
            "the WAL is left after closing"
        );
    }
}
