//! Who may do what: the three roles, the signed-in user a session carries,
//! and the rules every server function and page checks before anything else.
//! Plain functions, shared by the server and the browser.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};

/// The longest user name and password sign-in takes.
pub const MAX_USER_NAME: usize = 64;
pub const MAX_PASSWORD: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// HQ: every HQ page and HQ server function.
    Admin,
    /// The POS of one store.
    Cashier,
    /// The online store, and their own profile only.
    Shopper,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Cashier, Role::Shopper];

    /// The name stored in HQ's users table.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Cashier => "cashier",
            Role::Shopper => "shopper",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    /// "an admin", "a cashier", "a shopper": for sentences.
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Admin => "an admin",
            Role::Cashier => "a cashier",
            Role::Shopper => "a shopper",
        }
    }

    /// Where the user lands after signing in when no page asked for it.
    pub fn home(self) -> &'static str {
        match self {
            Role::Admin => "/hq/customer-synchronization-status",
            Role::Cashier => "/pos",
            Role::Shopper => "/ecommerce/my-profile",
        }
    }
}

/// The user a session belongs to, as sign-in found them in HQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub user_name: String,
    pub display_name: String,
    pub role: Role,
    /// The store a cashier works at.
    pub channel_id: Option<i64>,
    /// The shopper's own customer: their account, or their temporary id
    /// until HQ has created the account.
    pub profile_key: Option<String>,
}

/// What a request needs of the user who makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access<'a> {
    Admin,
    /// A cashier of any store (customers are shared by every store).
    Cashier,
    /// A cashier of this store.
    Store(i64),
    Shopper,
    /// The shopper whose profile this customer key is.
    Profile(&'a str),
}

impl Access<'_> {
    fn role(self) -> Role {
        match self {
            Access::Admin => Role::Admin,
            Access::Cashier | Access::Store(_) => Role::Cashier,
            Access::Shopper | Access::Profile(_) => Role::Shopper,
        }
    }
}

/// Why a request was refused; each is a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Nobody is signed in: to a page that is open, its session has ended
    /// (signed out in another tab, or expired), and signing in elsewhere
    /// keeps what the page holds.
    #[error(
        "You are not signed in, or your session has ended: sign in as {} in another tab, to keep this page as it is, then try again.",
        .0.with_article()
    )]
    SignedOut(Role),
    #[error("Sign in as {} to do this.", .0.with_article())]
    WrongRole(Role),
    #[error("You are a cashier of another store: use the registers of your own store.")]
    OtherStore,
    #[error("You can only see and change your own profile.")]
    OtherProfile,
}

/// Whether `user` (None: nobody signed in) may make a request needing `access`.
pub fn check<'u>(user: Option<&'u SignedInUser>, access: Access<'_>) -> Result<&'u SignedInUser, Denied> {
    let user = user.ok_or(Denied::SignedOut(access.role()))?;
    if user.role != access.role() {
        return Err(Denied::WrongRole(access.role()));
    }
    match access {
        Access::Store(channel_id) if user.channel_id != Some(channel_id) => Err(Denied::OtherStore),
        Access::Profile(key) if user.profile_key.as_deref() != Some(key) => Err(Denied::OtherProfile),
        _ => Ok(user),
    }
}

/// The store a user of `role` works at: a cashier's must be one of
/// `stores`; the other roles work at none, and a store chosen for them is
/// refused rather than dropped unsaid.
pub fn store_for_role(role: Role, chosen: Option<i64>, stores: &[i64]) -> Result<Option<i64>, String> {
    match (role, chosen) {
        (Role::Cashier, Some(store)) if stores.contains(&store) => Ok(Some(store)),
        (Role::Cashier, Some(store)) => Err(format!("There is no store {store}.")),
        (Role::Cashier, None) => Err("Choose the store this cashier works at.".to_string()),
        (Role::Admin | Role::Shopper, Some(_)) => Err(format!(
            "Only a cashier works at a store: choose \"No store\" for {}.",
            role.with_article()
        )),
        (Role::Admin | Role::Shopper, None) => Ok(None),
    }
}

/// The role a page is for, from its path; None for the pages anyone sees.
pub fn page_role(path: &str) -> Option<Role> {
    let path = resolved_path(path);
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '.', '?']))
    };
    if under("/hq") {
        Some(Role::Admin)
    } else if under("/pos") {
        Some(Role::Cashier)
    } else if under("/ecommerce") {
        Some(Role::Shopper)
    } else {
        None
    }
}

/// `path` as the router matches it: its `.` and `..` segments (also
/// percent-encoded) resolved and empty ones dropped, so that `/./hq` or
/// `/pos/../hq` names the HQ page it opens. The query is kept as it is.
fn resolved_path(path: &str) -> String {
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match percent_decode_str(segment).decode_utf8_lossy().as_ref() {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    let resolved = format!("/{}", segments.join("/"));
    match query {
        Some(query) => format!("{resolved}?{query}"),
        None => resolved,
    }
}

/// Whether `user` may open the page at `path`.
pub fn may_open(user: Option<&SignedInUser>, path: &str) -> bool {
    match page_role(path) {
        Some(role) => user.is_some_and(|user| user.role == role),
        None => true,
    }
}

/// Whether what a page opened for a user of the store `opened_at` (none for
/// other roles) saves now goes through as `now`: the page is for `now`'s
/// role, and a POS page's register, of the store it was opened for, is
/// one of `now`'s store.
pub fn saves_go_through_as(now: &SignedInUser, path: &str, opened_at: Option<i64>) -> bool {
    may_open(Some(now), path) && (page_role(path) != Some(Role::Cashier) || now.channel_id == opened_at)
}

pub const SIGN_IN_PATH: &str = "/sign-in";

/// The Sign in page, asked to come back to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    format!("{SIGN_IN_PATH}?next={}", encode_query_value(next))
}

/// Where to go after signing in: `next` when it is a page of this site the
/// user's role may open, otherwise the role's home page, so that a link
/// cannot send a user to another site or back to Sign in.
pub fn landing_page(next: Option<&str>, role: Role) -> String {
    match next {
        Some(next) if is_local_path(next) && page_role(next) == Some(role) => next.to_string(),
        _ => role.home().to_string(),
    }
}

/// A path on this site: one leading `/`, and nothing a browser would strip
/// or read as a second slash (`//host`, `/\host`, `/<tab>/host`).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// What a `next` path keeps as it is: RFC 3986's unreserved characters and
/// the path's slashes.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `value` as one value of a URL's query: all but letters, digits, `-_.~`
/// and `/` percent-encoded.
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Whether a state-changing request comes from this site: its `Origin`
/// names the host it was sent to, or, without an Origin, the browser's
/// `Sec-Fetch-Site` does not call it cross-site. A request with neither is
/// not from a browser, so no other site can have made it.
pub fn same_site_request(origin: Option<&str>, host: Option<&str>, fetch_site: Option<&str>) -> bool {
    match (origin, fetch_site) {
        (Some(origin), _) => host.is_some_and(|host| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host))
        }),
        (None, Some(site)) => matches!(site, "same-origin" | "none"),
        (None, None) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, channel_id: Option<i64>, profile_key: Option<&str>) -> SignedInUser {
        SignedInUser {
            user_name: "someone".into(),
            display_name: "Someone".into(),
            role,
            channel_id,
            profile_key: profile_key.map(str::to_string),
        }
    }

    #[test]
    fn each_role_reaches_its_own_requests_only() {
        let admin = user(Role::Admin, None, None);
        let houston = user(Role::Cashier, Some(1), None);
        let shopper = user(Role::Shopper, None, Some("C000004"));
        let cases = [
            (Access::Admin, [true, false, false]),
            (Access::Cashier, [false, true, false]),
            (Access::Store(1), [false, true, false]),
            (Access::Shopper, [false, false, true]),
            (Access::Profile("C000004"), [false, false, true]),
        ];
        for (access, allowed) in cases {
            for (user, allowed) in [&admin, &houston, &shopper].into_iter().zip(allowed) {
                assert_eq!(
                    check(Some(user), access).is_ok(),
                    allowed,
                    "{:?} for {access:?}",
                    user.role
                );
            }
            assert_eq!(check(None, access), Err(Denied::SignedOut(access.role())));
        }
    }

    #[test]
    fn a_page_saves_as_the_user_signed_in_since_only_at_their_role_and_store() {
        let seattle = user(Role::Cashier, Some(2), None);
        let admin = user(Role::Admin, None, None);
        assert!(saves_go_through_as(&seattle, "/pos", Some(2)));
        assert!(!saves_go_through_as(&seattle, "/pos/customers/C000001", Some(1)));
        assert!(!saves_go_through_as(&seattle, "/hq/users", None));
        assert!(saves_go_through_as(&admin, "/hq/users", None));
        assert!(saves_go_through_as(&seattle, "/", Some(1)));
    }

    #[test]
    fn a_cashier_is_refused_another_store_and_a_shopper_another_profile() {
        let houston = user(Role::Cashier, Some(1), None);
        assert_eq!(check(Some(&houston), Access::Store(2)), Err(Denied::OtherStore));
        let shopper = user(Role::Shopper, None, Some("C000004"));
        assert_eq!(
            check(Some(&shopper), Access::Profile("C000001")),
            Err(Denied::OtherProfile)
        );
        let without_profile = user(Role::Shopper, None, None);
        assert_eq!(
            check(Some(&without_profile), Access::Profile("")),
            Err(Denied::OtherProfile)
        );
    }

    #[test]
    fn refusals_read_as_sentences() {
        assert_eq!(
            Denied::WrongRole(Role::Admin).to_string(),
            "Sign in as an admin to do this."
        );
        assert_eq!(
            Denied::SignedOut(Role::Cashier).to_string(),
            "You are not signed in, or your session has ended: sign in as a cashier in another tab, \
             to keep this page as it is, then try again."
        );
    }

    #[test]
    fn pages_belong_to_roles_by_their_path() {
        assert_eq!(
            page_role("/hq/customer-synchronization-status"),
            Some(Role::Admin)
        );
        assert_eq!(
            page_role("/hq/customer-synchronization-status.csv"),
            Some(Role::Admin)
        );
        assert_eq!(page_role("/pos"), Some(Role::Cashier));
        assert_eq!(page_role("/pos/customers/C000001"), Some(Role::Cashier));
        assert_eq!(page_role("/ecommerce/sign-up"), Some(Role::Shopper));
        assert_eq!(page_role("/"), None);
        assert_eq!(page_role("/sign-in"), None);
        assert_eq!(page_role("/hqx"), None);
        assert_eq!(page_role("/possible"), None);
        // Paths the router resolves to a page before it matches them.
        assert_eq!(page_role("/./hq/batch-jobs"), Some(Role::Admin));
        assert_eq!(page_role("/pos/../hq/batch-jobs"), Some(Role::Admin));
        assert_eq!(page_role("/%2e/hq/batch-jobs"), Some(Role::Admin));
        assert_eq!(page_role("//hq/batch-jobs"), Some(Role::Admin));
        assert_eq!(page_role("/hq/../sign-in"), None);
        assert_eq!(page_role("/pos?next=/a/../b"), Some(Role::Cashier));
        assert!(may_open(None, "/"));
        assert!(!may_open(
            Some(&user(Role::Cashier, Some(1), None)),
            "/hq/batch-jobs"
        ));
    }

    #[test]
    fn sign_in_comes_back_to_pages_of_this_site_only() {
        assert_eq!(
            sign_in_url("/pos?register=1-2&q=Ana Silva"),
            "/sign-in?next=/pos%3Fregister%3D1-2%26q%3DAna%20Silva"
        );
        assert_eq!(
            landing_page(Some("/hq/batch-jobs"), Role::Admin),
            "/hq/batch-jobs"
        );
        assert_eq!(
            landing_page(Some("/pos?register=1-2"), Role::Cashier),
            "/pos?register=1-2"
        );
        assert_eq!(landing_page(None, Role::Cashier), "/pos");
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            "",
        ] {
            assert_eq!(
                landing_page(Some(outside), Role::Admin),
                Role::Admin.home(),
                "{outside:?}"
            );
        }
        assert_eq!(
            landing_page(Some("/hq/batch-jobs"), Role::Cashier),
            "/pos",
            "not a cashier's page"
        );
        assert_eq!(
            landing_page(Some("/sign-in"), Role::Shopper),
            "/ecommerce/my-profile"
        );
    }

    #[test]
    fn cross_site_requests_are_told_apart() {
        let host = Some("127.0.0.1:3000");
        assert!(same_site_request(
            Some("http://127.0.0.1:3000"),
            host,
            Some("same-origin")
        ));
        assert!(!same_site_request(
            Some("http://evil.example"),
            host,
            Some("cross-site")
        ));
        assert!(!same_site_request(Some("null"), host, None));
        assert!(!same_site_request(Some("http://127.0.0.1:3000"), None, None));
        assert!(!same_site_request(None, host, Some("cross-site")));
        assert!(same_site_request(None, host, Some("same-origin")));
        assert!(same_site_request(None, host, None));
    }

    #[test]
    fn a_cashier_needs_a_known_store_and_the_other_roles_have_none() {
        let stores = [1, 2];
        assert_eq!(store_for_role(Role::Cashier, Some(2), &stores), Ok(Some(2)));
        assert!(store_for_role(Role::Cashier, Some(3), &stores).is_err());
        assert!(store_for_role(Role::Cashier, None, &stores).is_err());
        assert_eq!(store_for_role(Role::Admin, None, &stores), Ok(None));
        assert_eq!(store_for_role(Role::Shopper, None, &stores), Ok(None));
        assert_eq!(
            store_for_role(Role::Shopper, Some(1), &stores),
            Err("Only a cashier works at a store: choose \"No store\" for a shopper.".to_string())
        );
    }
}
