//! Runtime settings: defaults in code, then `Leptos.toml` (or the file named
//! by `CUSTSYNC_CONFIG`), then `CUSTSYNC_*` environment variables, layered by
//! the `config` crate. Every field can be overridden from the environment by
//! construction: the variables looked for are named after the fields the
//! defaults serialize.

use std::fmt;
use std::path::PathBuf;

use config::{Config, ConfigError, File, FileFormat};
use serde::{Deserialize, Serialize, Serializer};

use crate::domain::access::MAX_PASSWORD;
use crate::domain::scale_units::{DEFAULT_SCALE_UNIT, channel_names, scale_unit_name_problem};
use crate::storage::hq_db::HqLocation;

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

impl Serialize for Password {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Password(hidden)")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Folder holding `channel.db` and `hq.db`; created on first start.
    pub data_dir: PathBuf,
    /// Where HQ's database is, when not `hq.db` in `data_dir`: an SQLite
    /// file (`sqlite:/var/lib/custsync/hq.db`) or a PostgreSQL database
    /// (`postgres://user:password@host/database`), which several scale
    /// units can share.
    pub hq_database_url: Option<String>,
    /// The scale unit this process is: its name, shown on the pages and in
    /// the job history. Processes sharing one HQ each need their own name
    /// and `data_dir`.
    pub scale_unit: String,
    /// The channels this scale unit serves, by name, "Houston, Seattle"
    /// (taken from the unit that served them before); empty: every channel
    /// no other scale unit serves.
    pub channels: String,
    /// Staging rows the P-job moves to HQ per transaction.
    pub upload_batch_size: u32,
    /// Operations "Synchronize customers and channel requests" completes per
    /// HQ transaction.
    pub sync_batch_size: u32,
    /// Customers job 1010 reads from HQ and stores in the channel per
    /// transaction.
    pub download_batch_size: u32,
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
    pub schedule_sync_orders_minutes: u32,
    pub schedule_post_statements_minutes: u32,
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
            hq_database_url: None,
            scale_unit: DEFAULT_SCALE_UNIT.to_string(),
            channels: String::new(),
            upload_batch_size: 2_500,
            sync_batch_size: 2_500,
            download_batch_size: 2_500,
            max_sync_retries: 3,
            staging_group_size: 256,
            hq_latency_ms: 400,
            config_cache_ttl_seconds: 60,
            schedule_1110_minutes: 0,
            schedule_1070_minutes: 0,
            schedule_1010_minutes: 0,
            schedule_p_job_minutes: 0,
            schedule_sync_minutes: 0,
            schedule_sync_orders_minutes: 0,
            schedule_post_statements_minutes: 0,
            require_unique_email: true,
            seed_demo_users: false,
            admin_password: None,
            secure_cookies: false,
            job_lease_seconds: 30,
        }
    }
}

/// The prefix of the environment variable of every setting: `data_dir` is
/// `CUSTSYNC_DATA_DIR`.
const ENV_PREFIX: &str = "CUSTSYNC_";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("settings from {origin} are not valid: {source}")]
    Parse { origin: String, source: ConfigError },
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
        let file = if path.exists() {
            std::fs::read_to_string(&path).map_err(|source| SettingsError::Read {
                path: path.clone(),
                source,
            })?
        } else {
            String::new()
        };
        Settings::layered(&file, &path.display().to_string(), |name| {
            std::env::var(name).ok()
        })
    }

    /// The defaults, then `file` (TOML, named `origin` in errors), then each
    /// setting whose `CUSTSYNC_<NAME>` variable `var` finds, checked.
    pub fn layered(
        file: &str,
        origin: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        let parse = |source| SettingsError::Parse {
            origin: format!("{origin} and the {ENV_PREFIX}* environment variables"),
            source,
        };
        let mut layers = Config::builder()
            .add_source(Config::try_from(&Settings::default()).map_err(parse)?)
            .add_source(File::from_str(file, FileFormat::Toml));
        for name in Settings::names() {
            if let Some(value) = var(&format!("{ENV_PREFIX}{}", name.to_uppercase())) {
                layers = layers.set_override(name.as_str(), value).map_err(parse)?;
            }
        }
        let settings: Settings = layers.build().and_then(Config::try_deserialize).map_err(parse)?;
        settings.validate()?;
        Ok(settings)
    }

    /// The name of every setting, as the file and the environment spell it.
    pub fn names() -> Vec<String> {
        match serde_json::to_value(Settings::default()) {
            Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Settings that would stop the jobs from doing anything are refused.
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (name, value) in [
            ("upload_batch_size", self.upload_batch_size),
            ("sync_batch_size", self.sync_batch_size),
            ("download_batch_size", self.download_batch_size),
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
        if let Some(reason) = scale_unit_name_problem(&self.scale_unit) {
            return Err(SettingsError::Invalid {
                name: "scale_unit".to_string(),
                reason,
            });
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

    /// The channel names of the `channels` setting.
    pub fn channel_names(&self) -> Vec<String> {
        channel_names(&self.channels)
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

    /// Where HQ's database is: `hq_database_url` when set, `hq.db` in
    /// `data_dir` otherwise.
    pub fn hq_location(&self) -> HqLocation {
        match self.hq_database_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => HqLocation::parse(url),
            _ => HqLocation::Sqlite(self.hq_db_path()),
        }
    }
}

impl Settings {
    /// The default recurrence of each job, by job code.
    pub fn default_schedules(&self) -> [(&'static str, u32); 7] {
        [
            ("1110", self.schedule_1110_minutes),
            ("1070", self.schedule_1070_minutes),
            ("1010", self.schedule_1010_minutes),
            ("P-0001", self.schedule_p_job_minutes),
            ("SYNCCUST", self.schedule_sync_minutes),
            ("SYNCORD", self.schedule_sync_orders_minutes),
            ("POSTSTMT", self.schedule_post_statements_minutes),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_env(file: &str, variables: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        Settings::layered(file, "test.toml", |name| {
            variables
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn hq_is_in_the_data_folder_unless_a_database_url_names_it() {
        let settings = with_env("data_dir = \"/srv/x\"\n", &[]).unwrap();
        assert_eq!(
            settings.hq_location(),
            HqLocation::Sqlite(PathBuf::from("/srv/x/hq.db"))
        );
        let settings = with_env("", &[("CUSTSYNC_HQ_DATABASE_URL", "postgres://hq@db/chain")]).unwrap();
        assert_eq!(
            settings.hq_location(),
            HqLocation::Postgres("postgres://hq@db/chain".to_string())
        );
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let settings = with_env("data_dir = \"/tmp/x\"\nmax_sync_retries = 5\n", &[]).unwrap();
        assert_eq!(settings.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(settings.max_sync_retries, 5);
        assert_eq!(settings.sync_batch_size, Settings::default().sync_batch_size);

        let settings = with_env("max_sync_retries = 5\n", &[("CUSTSYNC_MAX_SYNC_RETRIES", "7")]).unwrap();
        assert_eq!(settings.max_sync_retries, 7);
    }

    /// A field added to `Settings` can be set from the environment without
    /// anyone listing it: each field is set here to a value of its own kind
    /// that differs from its default.
    #[test]
    fn every_setting_can_be_overridden_from_the_environment() {
        let defaults = serde_json::to_value(Settings::default()).unwrap();
        let names = Settings::names();
        assert!(
            names.len() >= 17 && names.contains(&"admin_password".to_string()),
            "{names:?}"
        );
        for name in names {
            let (text, expected) = match &defaults[&name] {
                serde_json::Value::Bool(on) => ((!on).to_string(), serde_json::json!(!on)),
                serde_json::Value::Number(number) => {
                    let other = number.as_u64().unwrap_or(0) + 7;
                    (other.to_string(), serde_json::json!(other))
                }
                _ => (
                    "a long enough value 0042".to_string(),
                    serde_json::json!("a long enough value 0042"),
                ),
            };
            let variable = format!("CUSTSYNC_{}", name.to_uppercase());
            let settings =
                with_env("", &[(&variable, &text)]).unwrap_or_else(|error| panic!("{variable}: {error}"));
            let got = serde_json::to_value(&settings).unwrap();
            assert_eq!(got[&name], expected, "{variable}={text}");
        }
    }

    #[test]
    fn unknown_settings_and_bad_numbers_are_reported() {
        let error = with_env("data_dri = \"x\"", &[]).unwrap_err();
        assert!(error.to_string().contains("data_dri"), "{error}");
        let error = with_env("", &[("CUSTSYNC_SYNC_BATCH_SIZE", "many")]).unwrap_err();
        assert!(error.to_string().contains("sync_batch_size"), "{error}");
    }

    #[test]
    fn settings_that_would_stop_the_jobs_are_refused() {
        let error = with_env("", &[("CUSTSYNC_JOB_LEASE_SECONDS", "0")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "setting job_lease_seconds is not valid: must be at least 1"
        );
        assert!(with_env("sync_batch_size = 0", &[]).is_err());
    }

    #[test]
    fn a_scale_unit_has_a_name_and_the_channels_it_lists() {
        let settings = with_env("", &[]).unwrap();
        assert_eq!(settings.scale_unit, "Main");
        assert!(settings.channel_names().is_empty());
        let settings = with_env(
            "scale_unit = \"Seattle\"\n",
            &[("CUSTSYNC_CHANNELS", "Seattle, Fabrikam online store")],
        )
        .unwrap();
        assert_eq!(settings.channel_names(), ["Seattle", "Fabrikam online store"]);
        let error = with_env("scale_unit = \"\"", &[]).unwrap_err();
        assert!(error.to_string().contains("scale_unit"), "{error}");
    }

    #[test]
    fn booleans_come_from_the_environment_too() {
        let settings = with_env("", &[("CUSTSYNC_REQUIRE_UNIQUE_EMAIL", "false")]).unwrap();
        assert!(!settings.require_unique_email);
        assert!(with_env("", &[("CUSTSYNC_REQUIRE_UNIQUE_EMAIL", "maybe")]).is_err());
    }

    #[test]
    fn the_admin_password_setting_is_checked_kept_as_typed_and_never_shown() {
        let settings = with_env("", &[("CUSTSYNC_ADMIN_PASSWORD", "a long secret phrase")]).unwrap();
        assert_eq!(
            settings.admin_password.as_ref().map(Password::expose),
            Some("a long secret phrase")
        );
        assert!(!format!("{settings:?}").contains("secret"));
        let digits = with_env("", &[("CUSTSYNC_ADMIN_PASSWORD", "000123456789")]).unwrap();
        assert_eq!(
            digits.admin_password.as_ref().map(Password::expose),
            Some("000123456789"),
            "a password of digits keeps its leading zeros"
        );
        let error = with_env("", &[("CUSTSYNC_ADMIN_PASSWORD", "short")]).unwrap_err();
        assert!(error.to_string().contains("admin_password"));
    }

    #[test]
    fn other_custsync_variables_are_not_settings() {
        let settings = with_env("", &[("CUSTSYNC_CONFIG", "other.toml"), ("CUSTSYNC_KILLS", "10")]).unwrap();
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn the_shipped_leptos_toml_is_valid() {
        let text = include_str!("../../Leptos.toml");
        assert!(with_env(text, &[]).is_ok());
    }
}
