//! A fresh backend on its own temporary data directory, as `make run` would
//! start it on a new machine.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

pub mod calls;
pub mod client;
pub mod http;

use custsync::services::backend::Backend;
use custsync::services::settings::Settings;
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
    Backend::start(settings).await.expect("the backend starts")
}
