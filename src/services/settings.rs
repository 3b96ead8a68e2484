//! Runtime settings: defaults in code, then `Leptos.toml` (or the file named
//! by `CUSTSYNC_CONFIG`), then `CUSTSYNC_*` environment variables.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::access::MAX_PASSWORD;

/// The fewest characters the first admin's password setting may have.
pub const MIN_ADMIN_PASSWORD: usize = 12;

/// A password kept in the settings; `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Password(hidden)")
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Folder holding `channel.db` and `hq.db`; created on first start.
    pub data_dir: PathBuf,
    /// Staging rows the P-job moves to HQ per transaction.
    pub upload_batch_size: u32,
    /// Operations "Synchronize customers and channel requests" completes per
    /// HQ transaction.
    pub sync_batch_size: u32,
    /// Failed attempts after which an operation waits for an admin.
    pub max_sync_retries: u32,
    /// Customer creates the channel writer groups into one commit at most.
    pub staging_group_size: u32,
    /// Simulated time a real-time service call to HQ takes, in milliseconds.
    pub hq_latency_ms: u32,
    /// How long the channel's configuration cache serves its copy of the
    /// features and functionality profiles before reading them again.
    pub config_cache_ttl_seconds: u32,
    /// Default recurrence of each job in minutes (0: not scheduled), given
    /// to HQ on first start; admins change it on the job's page.
    pub schedule_1110_minutes: u32,
    pub schedule_1070_minutes: u32,
    pub schedule_1010_minutes: u32,
    pub schedule_p_job_minutes: u32,
    pub schedule_sync_minutes: u32,
    /// Whether HQ refuses a customer whose email another customer has.
    pub require_unique_email: bool,
    /// Whether an HQ without users gets the demo users (README), all with
    /// the published password `custsync`: only where asked (`make run`, the
    /// tests, the journeys), never by default.
    pub seed_demo_users: bool,
    /// The password of the one admin (`admin`) an HQ without users gets when
    /// it gets no demo users; when not set, one is generated and written
    /// once to the log.
    pub admin_password: Option<Password>,
    /// Whether the session cookie is marked `Secure`: on where the site is
    /// served over HTTPS (directly or behind a proxy), off for plain HTTP.
    pub secure_cookies: bool,
    /// Seconds a running job's lease lasts without renewal; a process killed
    /// during a run blocks that job for at most this long.
    pub job_lease_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("data"),
            upload_batch_size: 2_500,
            sync_batch_size: 2_500,
            max_sync_retries: 3,
            staging_group_size: 256,
            hq_latency_ms: 400,
            config_cache_ttl_seconds: 60,
            schedule_1110_minutes: 0,
            schedule_1070_minutes: 0,
            schedule_1010_minutes: 0,
            schedule_p_job_minutes: 0,
            schedule_sync_minutes: 0,
            require_unique_email: true,
            seed_demo_users: false,
            admin_password: None,
            secure_cookies: false,
            job_lease_seconds: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("settings file {path} is not valid: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("environment variable {name}={value:?} is not valid: {reason}")]
    Env {
        name: String,
        value: String,
        reason: String,
    },
    #[error("setting {name} is not valid: {reason}")]
    Invalid { name: String, reason: String },
}

impl Settings {
    /// The settings for this process: file named by `CUSTSYNC_CONFIG` (or
    /// `Leptos.toml` when it exists), then the environment.
    pub fn load() -> Result<Settings, SettingsError> {
        let path = std::env::var_os("CUSTSYNC_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("Leptos.toml"));
        let mut settings = if path.exists() {
            Settings::from_file(&path)?
        } else {
            Settings::default()
        };
        settings.apply_env(|name| std::env::var(name).ok())?;
        Ok(settings)
    }

    pub fn from_file(path: &Path) -> Result<Settings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Settings::from_toml(&text).map_err(|source| SettingsError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn from_toml(text: &str) -> Result<Settings, toml::de::Error> {
        toml::from_str(text)
    }

    /// Overrides each setting whose `CUSTSYNC_<NAME>` variable is set, then
    /// checks that every value can work.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        if let Some(value) = var("CUSTSYNC_DATA_DIR") {
            self.data_dir = PathBuf::from(value);
        }
        if let Some(value) = var("CUSTSYNC_ADMIN_PASSWORD") {
            self.admin_password = Some(Password::new(value));
        }
        for (name, target) in [
            ("CUSTSYNC_UPLOAD_BATCH_SIZE", &mut self.upload_batch_size),
            ("CUSTSYNC_SYNC_BATCH_SIZE", &mut self.sync_batch_size),
            ("CUSTSYNC_MAX_SYNC_RETRIES", &mut self.max_sync_retries),
            ("CUSTSYNC_STAGING_GROUP_SIZE", &mut self.staging_group_size),
            ("CUSTSYNC_HQ_LATENCY_MS", &mut self.hq_latency_ms),
            (
                "CUSTSYNC_CONFIG_CACHE_TTL_SECONDS",
                &mut self.config_cache_ttl_seconds,
            ),
            ("CUSTSYNC_SCHEDULE_1110_MINUTES", &mut self.schedule_1110_minutes),
            ("CUSTSYNC_SCHEDULE_1070_MINUTES", &mut self.schedule_1070_minutes),
            ("CUSTSYNC_SCHEDULE_1010_MINUTES", &mut self.schedule_1010_minutes),
            (
                "CUSTSYNC_SCHEDULE_P_JOB_MINUTES",
                &mut self.schedule_p_job_minutes,
            ),
            ("CUSTSYNC_SCHEDULE_SYNC_MINUTES", &mut self.schedule_sync_minutes),
            ("CUSTSYNC_JOB_LEASE_SECONDS", &mut self.job_lease_seconds),
        ] {
            if let Some(value) = var(name) {
                *target = value.trim().parse().map_err(|_| SettingsError::Env {
                    name: name.to_string(),
                    value: value.clone(),
                    reason: "expected a whole number".to_string(),
                })?;
            }
        }
        for (name, target) in [
            ("CUSTSYNC_REQUIRE_UNIQUE_EMAIL", &mut self.require_unique_email),
            ("CUSTSYNC_SEED_DEMO_USERS", &mut self.seed_demo_users),
            ("CUSTSYNC_SECURE_COOKIES", &mut self.secure_cookies),
        ] {
            if let Some(value) = var(name) {
                *target = match value.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(SettingsError::Env {
                            name: name.to_string(),
                            value,
                            reason: "expected true or false".to_string(),
                        });
                    }
                };
            }
        }
        self.validate()
    }

    /// Settings that would stop the jobs from doing anything are refused.
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (name, value) in [
            ("upload_batch_size", self.upload_batch_size),
            ("sync_batch_size", self.sync_batch_size),
            ("max_sync_retries", self.max_sync_retries),
            ("staging_group_size", self.staging_group_size),
            ("job_lease_seconds", self.job_lease_seconds),
        ] {
            if value == 0 {
                return Err(SettingsError::Invalid {
                    name: name.to_string(),
                    reason: "must be at least 1".to_string(),
                });
            }
        }
        let admin_password = self.admin_password.as_ref().map(|p| p.expose().chars().count());
        if admin_password.is_some_and(|length| !(MIN_ADMIN_PASSWORD..=MAX_PASSWORD).contains(&length)) {
            return Err(SettingsError::Invalid {
                name: "admin_password".to_string(),
                reason: format!("must have {MIN_ADMIN_PASSWORD} to {MAX_PASSWORD} characters"),
            });
        }
        Ok(())
    }

    pub fn channel_db_path(&self) -> PathBuf {
        self.data_dir.join("channel.db")
    }

    /// How "Synchronize customers and channel requests" and the status
    /// page's Synchronize process operations.
    pub fn sync_options(&self) -> crate::services::sync::SyncOptions {
        crate::services::sync::SyncOptions {
            batch_size: self.sync_batch_size,
            max_retries: self.max_sync_retries,
            unique_emails: self.require_unique_email,
        }
    }

    pub fn hq_db_path(&self) -> PathBuf {
        self.data_dir.join("hq.db")
    }
}

impl Settings {
    /// The default recurrence of each job, by job code.
    pub fn default_schedules(&self) -> [(&'static str, u32); 5] {
        [
            ("1110", self.schedule_1110_minutes),
            ("1070", self.schedule_1070_minutes),
            ("1010", self.schedule_1010_minutes),
            ("P-0001", self.schedule_p_job_minutes),
            ("SYNCCUST", self.schedule_sync_minutes),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let mut settings = Settings::from_toml("data_dir = \"/tmp/x\"\nmax_sync_retries = 5\n").unwrap();
        assert_eq!(settings.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(settings.max_sync_retries, 5);
        assert_eq!(settings.sync_batch_size, Settings::default().sync_batch_size);

        settings
            .apply_env(|name| (name == "CUSTSYNC_MAX_SYNC_RETRIES").then(|| "7".to_string()))
            .unwrap();
        assert_eq!(settings.max_sync_retries, 7);
    }

    #[test]
    fn unknown_settings_and_bad_numbers_are_reported() {
        assert!(Settings::from_toml("data_dri = \"x\"").is_err());
        let error = Settings::default()
            .apply_env(|name| (name == "CUSTSYNC_SYNC_BATCH_SIZE").then(|| "many".to_string()))
            .unwrap_err();
        assert!(error.to_string().contains("CUSTSYNC_SYNC_BATCH_SIZE"));
    }

    #[test]
    fn settings_that_would_stop_the_jobs_are_refused() {
        let error = Settings::default()
            .apply_env(|name| (name == "CUSTSYNC_JOB_LEASE_SECONDS").then(|| "0".to_string()))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "setting job_lease_seconds is not valid: must be at least 1"
        );
        let from_file = Settings::from_toml("sync_batch_size = 0").unwrap();
        assert!(from_file.validate().is_err());
    }

    #[test]
    fn booleans_come_from_the_environment_too() {
        let mut settings = Settings::default();
        settings
            .apply_env(|name| (name == "CUSTSYNC_REQUIRE_UNIQUE_EMAIL").then(|| "false".to_string()))
            .unwrap();
        assert!(!settings.require_unique_email);
        assert!(
            settings
                .apply_env(|name| (name == "CUSTSYNC_REQUIRE_UNIQUE_EMAIL").then(|| "maybe".to_string()))
                .is_err()
        );
    }

    #[test]
    fn the_admin_password_setting_is_checked_and_never_shown() {
        let mut settings = Settings::default();
        settings
            .apply_env(|name| (name == "CUSTSYNC_ADMIN_PASSWORD").then(|| "a long secret phrase".to_string()))
            .unwrap();
        assert_eq!(
            settings.admin_password.as_ref().map(Password::expose),
            Some("a long secret phrase")
        );
        assert!(!format!("{settings:?}").contains("secret"));
        let error = Settings::default()
            .apply_env(|name| (name == "CUSTSYNC_ADMIN_PASSWORD").then(|| "short".to_string()))
            .unwrap_err();
        assert!(error.to_string().contains("admin_password"));
    }

    #[test]
    fn the_shipped_leptos_toml_is_valid() {
        let text = include_str!("../../Leptos.toml");
        assert!(Settings::from_toml(text).is_ok());
    }
}
