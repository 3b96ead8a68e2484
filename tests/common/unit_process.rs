//! A scale unit as a server process of its own (the custsync binary this
//! test or bench was built with), on a free port with a data folder of its
//! own and its log there; killed when dropped, so a failing run leaves no
//! server behind. The chain test and the bench start units this way
//! (`benches/custsync/main.rs` takes this file too).

use std::net::SocketAddr;
use std::process::{Child, Command};

use tempfile::TempDir;

pub struct UnitProcess {
    pub name: &'static str,
    pub addr: SocketAddr,
    pub dir: TempDir,
    process: Child,
}

impl UnitProcess {
    /// Starts scale unit `name`, serving `channels`, on the HQ at `hq_url`.
    pub fn start(name: &'static str, channels: &str, hq_url: &str) -> std::io::Result<UnitProcess> {
        let dir = tempfile::tempdir()?;
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let process = Command::new(env!("CARGO_BIN_EXE_custsync"))
            .current_dir(dir.path())
            .env("LEPTOS_OUTPUT_NAME", "custsync")
            .env("LEPTOS_SITE_ROOT", dir.path())
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("CUSTSYNC_DATA_DIR", dir.path())
            .env("CUSTSYNC_HQ_DATABASE_URL", hq_url)
            .env("CUSTSYNC_SCALE_UNIT", name)
            .env("CUSTSYNC_CHANNELS", channels)
            .env("CUSTSYNC_HQ_LATENCY_MS", "0")
            .env("CUSTSYNC_SEED_DEMO_USERS", "true")
            .env("RUST_LOG", "warn")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        Ok(UnitProcess {
            name,
            addr,
            dir,
            process,
        })
    }

    /// What the unit has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for UnitProcess {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
