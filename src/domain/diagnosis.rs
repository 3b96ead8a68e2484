//! Why the channel is not in asynchronous mode for an operation, told from
//! the evidence in HQ, in the channel copy and in its configuration cache.
//! The real-time call log and the Troubleshoot page use the same words.

use serde::{Deserialize, Serialize};

use crate::domain::operation::display_time;

/// What each place says about one option or feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeEvidence {
    /// "Create customer in async mode" or a feature's name.
    pub option: String,
    /// The channel, for a functionality profile option.
    pub channel: Option<String>,
    /// The download job that carries the option: "1070" or "1110".
    pub job: String,
    pub on_in_hq: bool,
    pub changed_in_hq_at: Option<String>,
    pub on_in_channel_copy: bool,
    pub job_last_ran_at: Option<String>,
    pub on_in_cache: bool,
    pub cache_age_seconds: u64,
    pub cache_ttl_seconds: u64,
}

/// Where the option stops being on, on its way from HQ to the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Blocker {
    OffInHq,
    JobNotRunSinceChange,
    CacheNotExpired,
    None,
}

impl ModeEvidence {
    pub fn blocker(&self) -> Blocker {
        if !self.on_in_hq {
            Blocker::OffInHq
        } else if !self.on_in_channel_copy {
            Blocker::JobNotRunSinceChange
        } else if !self.on_in_cache {
            Blocker::CacheNotExpired
        } else {
            Blocker::None
        }
    }

    /// The reason, as one sentence.
    pub fn explain(&self) -> String {
        let option = &self.option;
        let scope = self
            .channel
            .as_ref()
            .map(|c| format!(" for {c}"))
            .unwrap_or_default();
        match self.blocker() {
            Blocker::OffInHq => format!("{option} is off{scope} in HQ."),
            Blocker::JobNotRunSinceChange => {
                let change = self
                    .changed_in_hq_at
                    .as_deref()
                    .map(|at| format!(" at {}", display_time(at)))
                    .unwrap_or_default();
                match &self.job_last_ran_at {
                    Some(ran) => format!(
                        "{option} is off{scope} in the channel copy (job {} last ran {}, before the change{change}).",
                        self.job,
                        display_time(ran)
                    ),
                    None => format!(
                        "{option} is off{scope} in the channel copy (job {} has never run).",
                        self.job
                    ),
                }
            }
            Blocker::CacheNotExpired => format!(
                "The channel's configuration cache is {} s old and still says {option} is off{scope}; it is read again after {} s.",
                self.cache_age_seconds, self.cache_ttl_seconds
            ),
            Blocker::None => format!("{option} is on{scope} everywhere."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence() -> ModeEvidence {
        ModeEvidence {
            option: "Create customer in async mode".into(),
            channel: Some("Houston".into()),
            job: "1070".into(),
            on_in_hq: true,
            changed_in_hq_at: Some("2026-11-25T09:30:00.000Z".into()),
            on_in_channel_copy: true,
            job_last_ran_at: Some("2026-11-25T09:12:00.000Z".into()),
            on_in_cache: true,
            cache_age_seconds: 12,
            cache_ttl_seconds: 60,
        }
    }

    #[test]
    fn off_in_hq_comes_first() {
        let e = ModeEvidence {
            on_in_hq: false,
            on_in_channel_copy: false,
            ..evidence()
        };
        assert_eq!(
            e.explain(),
            "Create customer in async mode is off for Houston in HQ."
        );
    }

    #[test]
    fn a_job_not_run_since_the_change_names_both_times() {
        let e = ModeEvidence {
            on_in_channel_copy: false,
            on_in_cache: false,
            ..evidence()
        };
        assert_eq!(
            e.explain(),
            "Create customer in async mode is off for Houston in the channel copy (job 1070 last ran 2026-11-25 09:12:00 UTC, before the change at 2026-11-25 09:30:00 UTC)."
        );
        let never = ModeEvidence {
            job_last_ran_at: None,
            ..e
        };
        assert!(never.explain().ends_with("(job 1070 has never run)."));
    }

    #[test]
    fn a_stale_cache_says_its_age_and_time_to_live() {
        let e = ModeEvidence {
            on_in_cache: false,
            ..evidence()
        };
        assert_eq!(e.blocker(), Blocker::CacheNotExpired);
        assert!(e.explain().contains("12 s old"));
        assert!(e.explain().contains("after 60 s"));
    }

    #[test]
    fn on_everywhere_has_no_blocker() {
        assert_eq!(evidence().blocker(), Blocker::None);
    }
}
