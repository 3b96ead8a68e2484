//! A fresh backend on its own temporary data directory, as `make run` would
//! start it on a new machine.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

pub mod calls;
pub mod client;
pub mod http;
pub mod unit_process;

use custsync::domain::customer::CustomerDraft;
use custsync::services::backend::Backend;
use custsync::services::settings::Settings;
use custsync::storage::hq_db::HqLocation;
use tempfile::TempDir;

pub struct TestBackend {
    pub backend: Backend,
    pub dir: TempDir,
}

pub async fn start() -> TestBackend {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let backend = start_in(&dir).await;
    TestBackend { backend, dir }
}

/// Starts a backend on an existing data directory, as after a restart.
pub async fn start_in(dir: &TempDir) -> Backend {
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        hq_latency_ms: 0,
        config_cache_ttl_seconds: 0,
        seed_demo_users: true,
        ..Settings::default()
    };
    start_in_with(dir, settings).await
}

/// As `start_in`, with settings of the test's own.
pub async fn start_in_with(dir: &TempDir, settings: Settings) -> Backend {
    assert_eq!(settings.data_dir, dir.path(), "the settings name the directory");
    Backend::start(with_test_hq(settings).await)
        .await
        .expect("the backend starts")
}

/// Enables the four features in HQ (prerequisites first) and sends them to
/// the channel with job 1110.
/// The customer `account` as HQ has it now.
pub async fn customer_in_hq(backend: &Backend, account: &str) -> CustomerDraft {
    backend
        .hq
        .customer_record(account)
        .await
        .expect("HQ read")
        .expect("the customer is in HQ")
        .customer
}

pub async fn enable_all_features_in_channel(backend: &Backend) {
    for feature in custsync::domain::features::Feature::ALL {
        custsync::services::feature_management::change_feature(&backend.hq, feature, true, "test")
            .await
            .expect("the feature changes");
    }
    backend
        .jobs
        .run(custsync::domain::jobs::Job::GlobalConfiguration, "Run now")
        .await
        .expect("job 1110 runs");
}

/// Runs `statement` on the HQ database of `backend`, whichever engine it
/// is on: for a test to put HQ in a state its pages cannot.
pub async fn execute_on_hq(backend: &Backend, statement: &str) {
    match backend.settings.hq_location() {
        HqLocation::Sqlite(path) => {
            let url = format!("sqlite://{}", path.display());
            let mut hq = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                .await
                .expect("HQ's database");
            sqlx::query(statement).execute(&mut hq).await.expect("executed");
        }
        HqLocation::Postgres(url) => {
            let mut hq = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
                .await
                .expect("HQ's database");
            sqlx::query(statement).execute(&mut hq).await.expect("executed");
        }
    }
}

/// A scale unit `unit` serving `channels` (the setting's text), with a
/// channel database of its own, on the HQ of the folder `hq`, which other
/// scale units of the test share: `hq.db` there, or under
/// `CUSTSYNC_TEST_POSTGRES_URL` the PostgreSQL database named after it.
pub async fn start_scale_unit(hq: &TempDir, unit: &str, channels: &str) -> TestBackend {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let backend = start_scale_unit_in(hq, &dir, unit, channels).await;
    TestBackend { backend, dir }
}

/// As `start_scale_unit`, on the channel database in `dir`, as after a
/// restart.
pub async fn start_scale_unit_in(hq: &TempDir, dir: &TempDir, unit: &str, channels: &str) -> Backend {
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        hq_database_url: Some(shared_hq_url(hq).await),
        scale_unit: unit.to_string(),
        channels: channels.to_string(),
        hq_latency_ms: 0,
        config_cache_ttl_seconds: 0,
        seed_demo_users: true,
        ..Settings::default()
    };
    Backend::start(settings).await.expect("the scale unit starts")
}

/// The `hq_database_url` of the HQ the scale units on folder `hq` share.
pub async fn shared_hq_url(hq: &TempDir) -> String {
    let shared = with_test_hq(Settings {
        data_dir: hq.path().to_path_buf(),
        ..Settings::default()
    })
    .await;
    let sqlite = format!("sqlite:{}", shared.hq_db_path().display());
    shared.hq_database_url.unwrap_or(sqlite)
}

/// The PostgreSQL server the HQ tests run against a second time (`make
/// test` runs them through `.ci/postgres run`, which sets it).
const TEST_POSTGRES: &str = "CUSTSYNC_TEST_POSTGRES_URL";

/// `settings` with HQ where this run tests it: `hq.db` in the data folder,
/// or, under `CUSTSYNC_TEST_POSTGRES_URL`, a PostgreSQL database of the
/// data folder's own, created on first use, so that a restart on the same
/// folder (or a second process) finds the same HQ.
pub async fn with_test_hq(settings: Settings) -> Settings {
    let Ok(server) = std::env::var(TEST_POSTGRES) else {
        return settings;
    };
    let name = format!(
        "custsync_{:016x}",
        fnv1a(settings.data_dir.to_string_lossy().as_bytes())
    );
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres"))
        .await
        .expect("the test PostgreSQL server answers");
    let created = sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await;
    if let Err(error) = created {
        let exists = error
            .as_database_error()
            .and_then(|error| error.code())
            .is_some_and(|code| code == "42P04");
        assert!(exists, "creating the test database: {error}");
    }
    Settings {
        hq_database_url: Some(format!("{server}/{name}")),
        ..settings
    }
}

/// FNV-1a: a stable name for a data folder's database.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether this run tests HQ on PostgreSQL.
pub fn hq_on_postgres() -> bool {
    std::env::var_os(TEST_POSTGRES).is_some()
}
