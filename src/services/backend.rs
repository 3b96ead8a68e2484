//! The application without its web layer: both databases, the job runner
//! and the settings. The server, the integration tests and the benchmarks
//! start it the same way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::access::{Role, SignedInUser};
use crate::domain::jobs::{Job, JobRun, RunOutcome};
use crate::domain::scale_units::{Claim, UnknownChannels};
use crate::services::access::passwords::{HashError, hash_password};
use crate::services::access::session_stores::SessionStores;
use crate::services::access::sign_in_limits::SignInLimits;
use crate::services::cdx::{CdxError, FilledFromAnotherHq, check_filled_from};
use crate::services::channel_config::ChannelConfigCache;
use crate::services::channel_customers::ChannelSide;
use crate::services::jobs::{JobError, JobRunner};
use crate::services::realtime::RealtimeService;
use crate::services::settings::{Password, Settings};
use crate::storage::channel_db::{CUSTOMERS, ChannelDb, ChannelDbError};
use crate::storage::hq_db::{DEMO_PASSWORD, HqDb, HqDbError, StoredUser, demo_users};

/// The application's parts, shared: every request clones the backend
/// (the web layer hands each server function its own copy, several times),
/// so a copy is one reference count rather than one per pool and cache,
/// counts both cores otherwise contend on.
#[derive(Debug, Clone)]
pub struct Backend(Arc<Parts>);

impl std::ops::Deref for Backend {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

#[derive(Debug)]
pub struct Parts {
    pub channel: ChannelDb,
    pub hq: HqDb,
    pub jobs: JobRunner,
    pub realtime: RealtimeService,
    pub config: ChannelConfigCache,
    pub sessions: SessionStores,
    pub sign_in_limits: Arc<SignInLimits>,
    pub settings: Arc<Settings>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
    #[error(transparent)]
    Hq(#[from] HqDbError),
    #[error("the first CDX download failed: {0}")]
    FirstDownload(#[from] JobError),
    #[error("job {job}, run at start, failed: {message}")]
    DownloadFailed { job: &'static str, message: String },
    #[error(transparent)]
    FirstUsers(#[from] HashError),
    #[error("scale unit {unit}: {source}")]
    Channels { unit: String, source: UnknownChannels },
    #[error(transparent)]
    Cdx(#[from] CdxError),
    #[error(
        "the channel database {channel_db} cannot be used with this HQ: {source}. Its download versions, \
         session ends and customer accounts belong to that HQ, so this store would download nothing from this one. \
         Point the HQ settings (hq_database_url, or data_dir for the embedded HQ) at the HQ it was filled from, \
         or move the channel database away to fill a new one from this HQ"
    )]
    AnotherHq {
        channel_db: String,
        source: FilledFromAnotherHq,
    },
}

/// The demo users with their password hashed.
fn hashed_demo_users() -> Result<Vec<StoredUser>, HashError> {
    demo_users()
        .into_iter()
        .map(|user| {
            Ok(StoredUser {
                user,
                password_hash: hash_password(DEMO_PASSWORD)?,
            })
        })
        .collect()
}

/// The user name of the one admin a new HQ without demo users gets.
pub const FIRST_ADMIN: &str = "admin";

/// The first admin of a new HQ, with the password of the setting, or a new
/// random one, returned to be told once.
fn first_admin(setting: Option<&Password>) -> Result<(StoredUser, Option<String>), HashError> {
    let generated = setting
        .is_none()
        .then(|| uuid::Uuid::new_v4().simple().to_string());
    let password = setting.map_or_else(
        || generated.clone().unwrap_or_default(),
        |p| p.expose().to_string(),
    );
    let user = SignedInUser {
        user_name: FIRST_ADMIN.to_string(),
        display_name: "Administrator".to_string(),
        role: Role::Admin,
        channel_id: None,
        profile_key: None,
    };
    let stored = StoredUser {
        user,
        password_hash: hash_password(&password)?,
    };
    Ok((stored, generated))
}

/// The trigger recorded for the downloads that fill a new channel database.
pub const FIRST_START: &str = "First start";
/// How often a start looks again whether a dead run's lease has lapsed.
const LEASE_WAIT_STEP: Duration = Duration::from_secs(1);

/// The trigger recorded for job 1070 run because a scale unit starting
/// changed which channels it serves.
pub const CHANNELS_CHANGED: &str = "Scale unit's channels changed";

impl Backend {
    /// Opens (creating, migrating and seeding when new) both databases.
    pub async fn start(settings: Settings) -> Result<Backend, StartError> {
        let settings = Arc::new(settings);
        let hq = HqDb::open_at(&settings.hq_location()).await?;
        tracing::info!(engine = hq.engine_name(), "HQ database open");
        let channel = ChannelDb::open(
            &settings.channel_db_path(),
            settings.staging_group_size as usize,
            &settings.scale_unit,
        )
        .await?;
        check_filled_from(&hq, &channel)
            .await?
            .map_err(|source| StartError::AnotherHq {
                channel_db: settings.channel_db_path().display().to_string(),
                source,
            })?;
        let interrupted = hq.close_interrupted_runs().await?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "closed job runs left running by a stopped server");
        }
        let jobs = JobRunner::new(channel.clone(), hq.clone(), settings.clone());
        let latency = Duration::from_millis(u64::from(settings.hq_latency_ms));
        let realtime = RealtimeService::new(
            hq.clone(),
            channel.clone(),
            latency,
            settings.require_unique_email,
        );
        let ttl = Duration::from_secs(u64::from(settings.config_cache_ttl_seconds));
        let config = ChannelConfigCache::new(channel.clone(), ttl);
        hq.seed_job_schedules(&settings.default_schedules()).await?;
        let sessions = SessionStores::new(&channel);
        let backend = Backend(Arc::new(Parts {
            sessions,
            sign_in_limits: Arc::default(),
            channel,
            hq,
            jobs,
            realtime,
            config,
            settings,
        }));
        backend.seed_demo_data().await?;
        backend.take_channels().await?;
        Ok(backend)
    }

    /// Closes both databases cleanly, as the server does when it stops:
    /// what was committed is copied from the WAL into the database files.
    pub async fn close(&self) {
        self.channel.close().await;
        self.hq.close().await;
    }

    /// The channel side's database, configuration cache and real-time service.
    pub fn channel_side(&self) -> ChannelSide<'_> {
        ChannelSide {
            db: &self.channel,
            config: &self.config,
            realtime: &self.realtime,
        }
    }

    /// An HQ without users gets the demo users when the settings ask for
    /// them, otherwise one admin.
    async fn add_first_users(&self) -> Result<(), StartError> {
        if self.settings.seed_demo_users {
            if self.hq.add_first_users(&hashed_demo_users()?).await? {
                tracing::info!("seeded the demo users into HQ");
            }
            return Ok(());
        }
        let (admin, generated) = first_admin(self.settings.admin_password.as_ref())?;
        if !self.hq.add_first_users(&[admin]).await? {
            return Ok(());
        }
        match generated {
            Some(password) => tracing::warn!(
                "HQ had no users: created the admin \"{FIRST_ADMIN}\" with the password {password} \
                 (shown this once; set CUSTSYNC_ADMIN_PASSWORD to choose it instead)"
            ),
            None => tracing::info!(
                "HQ had no users: created the admin \"{FIRST_ADMIN}\" with the password of the admin_password setting"
            ),
        }
        Ok(())
    }

    /// A new HQ gets the demo company.
    async fn seed_demo_data(&self) -> Result<(), StartError> {
        if self.hq.seed_demo_data_if_empty().await? {
            tracing::info!("seeded the demo company into HQ");
        }
        if !self.hq.has_users().await? {
            self.add_first_users().await?;
        }
        Ok(())
    }

    /// Gives this scale unit the channels of its settings in HQ; a new
    /// channel database gets its data the way a real store does, from the
    /// CDX download jobs, and one whose copy names other channels as its
    /// own (its claim changed them, or another unit took one while it was
    /// stopped) gets job 1070.
    async fn take_channels(&self) -> Result<(), StartError> {
        let unit = &self.settings.scale_unit;
        let claim = self
            .hq
            .claim_channels(unit, &self.settings.channel_names())
            .await?
            .map_err(|source| StartError::Channels {
                unit: unit.clone(),
                source,
            })?;
        self.log_claim(&claim).await?;
        if !self.channel_copy_filled().await? {
            for job in [
                Job::GlobalConfiguration,
                Job::ChannelConfiguration,
                Job::Customers,
            ] {
                self.download_at_start(job, FIRST_START).await?;
            }
            tracing::info!("filled the channel database from jobs 1110, 1070 and 1010");
        } else if self.channel.served_channel_ids().await? != claim.own {
            self.download_at_start(Job::ChannelConfiguration, CHANNELS_CHANGED)
                .await?;
        }
        Ok(())
    }

    /// Whether the first start's downloads have all ended: a unit killed
    /// during them (1070 committed, 1010 not yet) runs them again.
    async fn channel_copy_filled(&self) -> Result<bool, StartError> {
        Ok(self.channel.has_channel_configuration().await?
            && self.channel.downloaded_at(CUSTOMERS).await?.is_some())
    }

    /// Runs a download the unit cannot serve without; a run that fails
    /// stops the start, rather than serving a copy it did not fill.
    async fn download_at_start(&self, job: Job, trigger: &str) -> Result<(), StartError> {
        let run = self.run_once_free(job, trigger).await?;
        if run.outcome == RunOutcome::Failed.caption() {
            return Err(StartError::DownloadFailed {
                job: job.code(),
                message: run.message.unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// Runs `job` as soon as no other run holds its lease: one of this
    /// unit's own that died with a process killed a moment ago holds it
    /// until it lapses.
    async fn run_once_free(&self, job: Job, trigger: &str) -> Result<JobRun, JobError> {
        let lease = Duration::from_secs(u64::from(self.settings.job_lease_seconds));
        let give_up = Instant::now() + lease + LEASE_WAIT_STEP;
        loop {
            match self.jobs.run(job, trigger).await {
                Err(JobError::AlreadyRunning(_)) if Instant::now() < give_up => {
                    tracing::info!(job = job.code(), "waiting for a run's lease to lapse");
                    tokio::time::sleep(LEASE_WAIT_STEP).await;
                }
                answer => return answer,
            }
        }
    }

    async fn log_claim(&self, claim: &Claim) -> Result<(), StartError> {
        let channels = self.hq.channels().await?;
        let names: Vec<&str> = channels
            .iter()
            .filter(|channel| claim.own.contains(&channel.channel_id))
            .map(|channel| channel.name.as_str())
            .collect();
        tracing::info!(
            scale_unit = %self.settings.scale_unit,
            channels = %names.join(", "),
            "serving as a scale unit"
        );
        for (channel, previous) in &claim.taken_over {
            tracing::warn!(
                %channel,
                %previous,
                "took the channel over from another scale unit, which stops serving it at its next job 1070"
            );
        }
        Ok(())
    }
}
