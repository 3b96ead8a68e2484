//! Scale units: a process serves one, with its own channel database and the
//! channels it is given; many of them share one HQ. HQ keeps which scale
//! unit serves each channel, and job 1070 tells each unit its own.

/// The scale unit of a process whose settings name none: the one-process
/// setup of `make run`.
pub const DEFAULT_SCALE_UNIT: &str = "Main";

/// The longest scale unit name the settings take.
pub const MAX_SCALE_UNIT_NAME: usize = 40;

/// Why a scale unit name cannot be used, or None when it can.
pub fn scale_unit_name_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if name.trim().is_empty() || name.trim() != name {
        return Some("must be a name without spaces around it".to_string());
    }
    if length > MAX_SCALE_UNIT_NAME || name.chars().any(char::is_control) {
        return Some(format!(
            "must have at most {MAX_SCALE_UNIT_NAME} characters, none of them control characters"
        ));
    }
    None
}

/// The session cookie of a scale unit. Browsers keep cookies per host, not
/// per port, so units served on one host (`make chain`) each need a cookie
/// of their own, or signing in on one would sign out of the others. The
/// name's letters and digits make it readable, a hash of the whole name
/// keeps "Houston" and "houston" apart.
pub fn session_cookie_name(scale_unit: &str) -> String {
    let readable: String = scale_unit
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let hash = scale_unit.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("custsync_session_{readable}_{hash:08x}")
}

/// The channel names of the `channels` setting, "Houston, Seattle"; empty
/// when the setting is blank.
pub fn channel_names(setting: &str) -> Vec<String> {
    setting
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// A channel as HQ has it assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChannelAssignment {
    pub channel_id: i64,
    pub name: String,
    pub scale_unit: Option<String>,
}

/// What a scale unit starting with its settings does to HQ's assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claim {
    /// Every channel the unit serves from now on.
    pub own: Vec<i64>,
    /// Channels it takes from another unit: (channel, that unit).
    pub taken_over: Vec<(String, String)>,
    /// Channels it served and no longer lists.
    pub released: Vec<i64>,
}

/// The `channels` setting names a channel HQ does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the channels setting names {unknown}, which HQ does not have; HQ's channels are {known}")]
pub struct UnknownChannels {
    pub unknown: String,
    pub known: String,
}

/// The channels `unit` serves given `wanted`, the names of its setting: with
/// names, those channels (taken from whichever unit served them, as the
/// latest setting wins); without, every channel no other unit serves, which
/// is every channel of a one-process setup.
pub fn claim(current: &[ChannelAssignment], unit: &str, wanted: &[String]) -> Result<Claim, UnknownChannels> {
    let unknown: Vec<&str> = wanted
        .iter()
        .filter(|name| !current.iter().any(|channel| same_name(&channel.name, name)))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(UnknownChannels {
            unknown: unknown.join(", "),
            known: current
                .iter()
                .map(|channel| channel.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let is_wanted = |channel: &ChannelAssignment| {
        if wanted.is_empty() {
            channel.scale_unit.as_deref().is_none_or(|owner| owner == unit)
        } else {
            wanted.iter().any(|name| same_name(&channel.name, name))
        }
    };
    let mut claim = Claim::default();
    for channel in current {
        match (is_wanted(channel), channel.scale_unit.as_deref()) {
            (true, Some(owner)) if owner == unit => claim.own.push(channel.channel_id),
            (true, Some(owner)) => {
                claim.own.push(channel.channel_id);
                claim.taken_over.push((channel.name.clone(), owner.to_string()));
            }
            (true, None) => claim.own.push(channel.channel_id),
            (false, Some(owner)) if owner == unit => claim.released.push(channel.channel_id),
            (false, _) => {}
        }
    }
    Ok(claim)
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(owners: [Option<&str>; 3]) -> Vec<ChannelAssignment> {
        ["Houston", "Seattle", "Fabrikam online store"]
            .into_iter()
            .zip(owners)
            .enumerate()
            .map(|(i, (name, owner))| ChannelAssignment {
                channel_id: i as i64 + 1,
                name: name.to_string(),
                scale_unit: owner.map(str::to_string),
            })
            .collect()
    }

    fn names(setting: &str) -> Vec<String> {
        channel_names(setting)
    }

    #[test]
    fn a_unit_without_a_channels_setting_serves_every_channel_no_other_unit_serves() {
        let claim = claim(&chain([None, None, None]), "Main", &[]).unwrap();
        assert_eq!(claim.own, [1, 2, 3]);

        let claim = super::claim(&chain([Some("Main"), Some("Seattle"), None]), "Main", &[]).unwrap();
        assert_eq!(claim.own, [1, 3]);
        assert!(claim.taken_over.is_empty() && claim.released.is_empty());
    }

    #[test]
    fn named_channels_are_taken_from_the_unit_that_served_them_and_others_released() {
        let current = chain([Some("Main"), Some("Main"), Some("Main")]);
        let claim = claim(&current, "Seattle", &names("seattle")).unwrap();
        assert_eq!(claim.own, [2]);
        assert_eq!(claim.taken_over, [("Seattle".to_string(), "Main".to_string())]);

        let claim = super::claim(&current, "Main", &names("Houston, Fabrikam online store")).unwrap();
        assert_eq!(claim.own, [1, 3]);
        assert_eq!(claim.released, [2]);
        assert!(claim.taken_over.is_empty());
    }

    #[test]
    fn a_unit_that_starts_again_with_the_same_channels_changes_nothing() {
        let current = chain([Some("Houston"), Some("Seattle"), Some("Online")]);
        let claim = claim(&current, "Seattle", &names("Seattle")).unwrap();
        assert_eq!(claim.own, [2]);
        assert!(claim.taken_over.is_empty() && claim.released.is_empty());
    }

    #[test]
    fn an_unknown_channel_is_named_with_the_channels_hq_has() {
        let error = claim(&chain([None, None, None]), "Main", &names("Huston, Seattle")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the channels setting names Huston, which HQ does not have; \
             HQ's channels are Houston, Seattle, Fabrikam online store"
        );
    }

    #[test]
    fn each_scale_unit_has_a_session_cookie_of_its_own() {
        let main = session_cookie_name("Main");
        assert!(main.starts_with("custsync_session_main_"), "{main}");
        assert!(
            session_cookie_name("Online store é").starts_with("custsync_session_online_store___"),
            "only letters, digits and _ in a cookie's name"
        );
        assert_ne!(session_cookie_name("Houston"), session_cookie_name("Seattle"));
        assert_ne!(session_cookie_name("Houston"), session_cookie_name("houston"));
        assert_ne!(session_cookie_name("A-B"), session_cookie_name("A_B"));
    }

    #[test]
    fn scale_unit_names_are_checked() {
        assert_eq!(scale_unit_name_problem("Houston"), None);
        assert!(scale_unit_name_problem("").is_some());
        assert!(scale_unit_name_problem(" Houston").is_some());
        assert!(scale_unit_name_problem(&"x".repeat(41)).is_some());
        assert_eq!(channel_names(" Houston ,, Seattle "), ["Houston", "Seattle"]);
        assert!(channel_names("  ").is_empty());
    }
}
