//! The header on every page: the way to each page the user's role may open,
//! and who is signed in.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::domain::access::{Role, SignedInUser, may_open, saves_go_through_as, sign_in_url};
use crate::error::AppError;
use crate::views::outbox::WaitingCount;
use crate::views::sign_in::SessionControls;

pub type UserResource = Resource<Result<Option<SignedInUser>, AppError>>;

/// Who is signed in, loaded once for the header and the pages that need it.
#[derive(Clone, Copy)]
pub struct SignedIn(pub UserResource);

/// A page of HQ: its path and its name.
pub type HqPage = (&'static str, &'static str);

/// HQ's pages, in the groups the header shows them in.
pub const HQ_MENUS: [(&str, &[HqPage]); 3] = [
    (
        "Jobs",
        &[
            ("/hq/distribution-schedule", "Distribution schedule"),
            ("/hq/batch-jobs", "Batch jobs"),
        ],
    ),
    (
        "Synchronization",
        &[
            ("/hq/customers", "Customers"),
            ("/hq/sales-orders", "Sales orders"),
            (
                "/hq/customer-synchronization-status",
                "Customer synchronization status",
            ),
            ("/hq/troubleshoot", "Troubleshoot"),
        ],
    ),
    (
        "Configuration",
        &[
            ("/hq/feature-management", "Feature management"),
            ("/hq/functionality-profiles", "Functionality profiles"),
            ("/hq/real-time-service-calls", "Real-time service calls"),
            ("/hq/users", "Users"),
        ],
    ),
];

/// The links the signed-in user's role may follow, and Sign in / Sign out.
#[component]
pub fn Navigation(user: UserResource) -> impl IntoView {
    send_away_from_forbidden_pages(user);
    let now_signed_in = RwSignal::new(None::<Option<SignedInUser>>);
    view! {
        <header class="top">
            <A href="/" attr:class="brand">
                "custsync"
            </A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let user = user.await.ok().flatten();
                    let role = user.as_ref().map(|user| user.role);
                    view! {
                        {(role == Some(Role::Cashier)).then(|| view! {
                            <nav aria-label="Channel">
                                <span class="nav-section">"Channel"</span>
                                // A whole page load, which the register's service
                                // worker answers from its copies when the store
                                // server is down; the app's own navigation would
                                // ask the server for the registers, and fail.
                                <A href="/pos" attr:rel="external">"POS"</A>
                                <WaitingBadge />
                            </nav>
                        })}
                        {(role == Some(Role::Shopper)).then(|| view! {
                            <nav aria-label="Channel">
                                <span class="nav-section">"Fabrikam online store"</span>
                                <A href="/ecommerce/my-profile">"My profile"</A>
                                <A href="/ecommerce/sign-up">"Sign up"</A>
                            </nav>
                        })}
                        {(role == Some(Role::Admin)).then(|| view! { <HqNavigation /> })}
                        <SessionNow opened_for=user now_signed_in />
                    }
                })}
            </Transition>
            <SignedInElsewhere user now_signed_in />
        </header>
    }
}

/// Who is signed in, with Sign in or Sign out: the user the page was opened
/// for, until the browser's session is found to belong to someone else, or
/// to no one (`SignedInElsewhere` says so beside it). A page whose session
/// ended offers to sign in in another tab, as its note says, so that it
/// stays as it is.
#[component]
fn SessionNow(
    opened_for: Option<SignedInUser>,
    now_signed_in: RwSignal<Option<Option<SignedInUser>>>,
) -> impl IntoView {
    let opened_signed_in = opened_for.is_some();
    let shown = Memo::new(move |_| now_signed_in.get().unwrap_or_else(|| opened_for.clone()));
    let location = use_location();
    move || match shown.get() {
        None if opened_signed_in => {
            let here = page_address(location.pathname.get_untracked(), location.search.get_untracked());
            view! {
                <div class="session">
                    <a href=sign_in_url(&here) target="_blank" rel="noopener">"Sign in in another tab"</a>
                </div>
            }
            .into_any()
        }
        user => view! { <SessionControls user /> }.into_any(),
    }
}

/// Where each page notes who it found signed in, so that the other tabs of
/// the browser (which share the session cookie) hear of a change.
#[cfg(feature = "hydrate")]
const SIGNED_IN_KEY: &str = "custsync.signed-in";

/// Says so when another tab of this browser signed in as someone else, or
/// this browser is no longer signed in (signed out in another tab, or the
/// session ended, found when the user comes back to the tab): this page
/// was opened for the user before, and what it saves now goes as the other
/// one, or is refused. The page stays as it is, with what was typed in it;
/// Reload opens it for whoever is signed in now.
#[component]
fn SignedInElsewhere(
    user: UserResource,
    now_signed_in: RwSignal<Option<Option<SignedInUser>>>,
) -> impl IntoView {
    // Who the page was opened for (its user's name and store, or none); who
    // is signed in now is what the last question since another tab's change
    // answered.
    let opened_for = RwSignal::new(None::<Option<(String, Option<i64>)>>);
    Effect::new(move |_| {
        let Some(Ok(found)) = user.get() else {
            return;
        };
        let opened = found.map(|user| (user.user_name, user.channel_id));
        note_signed_in(opened.as_ref().map(|(name, _)| name.as_str()));
        opened_for.set(Some(opened));
    });
    let location = use_location();
    #[cfg(feature = "hydrate")]
    {
        // Only the last question's answer counts: answers may come back in
        // another order than they were asked.
        let asked = StoredValue::new(0_u32);
        let ask_who_is_signed_in = move || {
            let Some(question) = asked.try_update_value(|asked| {
                *asked += 1;
                *asked
            }) else {
                return;
            };
            leptos::task::spawn_local(async move {
                let answer = crate::api::sign_in::current_user().await;
                if let Ok(now) = answer
                    && asked.try_get_value() == Some(question)
                {
                    now_signed_in.try_set(Some(now));
                }
            });
        };
        let other_tab = window_event_listener(leptos::ev::storage, move |ev| {
            if ev.key().as_deref() == Some(SIGNED_IN_KEY) {
                ask_who_is_signed_in();
            }
        });
        // A session may also end with no page of this browser loaded (an
        // admin's Sign out everywhere, its time running out): asked again
        // when the user comes back to the tab.
        let back_to_the_tab = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if !document().hidden() {
                ask_who_is_signed_in();
            }
        });
        on_cleanup(move || {
            other_tab.remove();
            back_to_the_tab.remove();
        });
    }
    let changed = move || {
        let now = now_signed_in.get()?;
        let opened_for = opened_for.get()?;
        (now.as_ref().map(|user| &user.user_name) != opened_for.as_ref().map(|(name, _)| name))
            .then_some((opened_for, now))
    };
    move || {
        changed().map(|(opened_for, now)| {
            let path = location.pathname.get_untracked();
            let message = match (opened_for, now) {
                (Some((_, store)), Some(user)) if saves_go_through_as(&user, &path, store) => format!(
                    "Another tab signed in as {name} ({role}): this page was opened for another user, and what it \
                     saves now is saved as {name}. Reload it to go on as {name}.",
                    name = user.display_name,
                    role = user.role.name(),
                ),
                (Some(_), Some(user)) if may_open(Some(&user), &path) => format!(
                    "Another tab signed in as {name} ({role}): this page is at another store's register, so what it \
                     saves now is refused. Reload it to go on as {name}.",
                    name = user.display_name,
                    role = user.role.name(),
                ),
                (Some(_), Some(user)) => format!(
                    "Another tab signed in as {name} ({role}): this page is not for {with_article}, so what it \
                     does now is refused. Reload it to go on as {name}.",
                    name = user.display_name,
                    role = user.role.name(),
                    with_article = user.role.with_article(),
                ),
                (None, Some(user)) => format!(
                    "Another tab signed in as {name} ({role}): reload this page to go on as {name}.",
                    name = user.display_name,
                    role = user.role.name(),
                ),
                (_, None) => "This browser is no longer signed in (signed out in another tab, or the session \
                              ended): sign in again in another tab to go on with this page as it is, or reload it \
                              to sign in here."
                    .to_string(),
            };
            view! {
                <div class="session-changed" role="alert">
                    <p>{message}</p>
                    <button type="button" on:click=|_| reload_the_page()>"Reload"</button>
                </div>
            }
        })
    }
}

/// Notes who this page found signed in, for the other tabs: written only
/// when it changed, as a write is what they hear.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn note_signed_in(user_name: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(storage)) = window().local_storage() {
        let name = user_name.unwrap_or_default();
        if storage.get_item(SIGNED_IN_KEY).ok().flatten().as_deref() != Some(name) {
            let _ = storage.set_item(SIGNED_IN_KEY, name);
        }
    }
}

fn reload_the_page() {
    if let Err(error) = window().location().reload() {
        leptos::logging::error!("could not reload the page: {error:?}");
    }
}

/// How many operations the register keeps in this browser, when any.
#[component]
fn WaitingBadge() -> impl IntoView {
    let count = use_context::<WaitingCount>().map(|WaitingCount(count)| count);
    move || {
        let count = count.map(|count| count.get()).unwrap_or(0);
        (count > 0).then(
            || view! { <span class="badge pending-upload waiting-count">{format!("{count} waiting")}</span> },
        )
    }
}

#[component]
fn HqNavigation() -> impl IntoView {
    view! {
        <nav aria-label="HQ">
            <span class="nav-section">"HQ"</span>
            {HQ_MENUS
                .into_iter()
                .map(|(caption, pages)| view! { <NavMenu caption pages /> })
                .collect_view()}
        </nav>
    }
}

/// One group of HQ's pages: a `<details>` menu, which opens and closes with
/// the keyboard and without the page's code. Opening one closes the others
/// (they share a `name`); a page opening, Escape, or a click elsewhere closes
/// it.
#[component]
fn NavMenu(caption: &'static str, pages: &'static [HqPage]) -> impl IntoView {
    let location = use_location();
    let menu = NodeRef::<leptos::html::Details>::new();
    let close = move || {
        if let Some(menu) = menu.get_untracked() {
            menu.set_open(false);
        }
    };
    Effect::new(move |_| {
        location.pathname.track();
        close();
    });
    let click_elsewhere = window_event_listener(leptos::ev::click, move |ev| {
        let target = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Node>().ok());
        if let Some(menu) = menu.get_untracked()
            && !menu.contains(target.as_ref())
        {
            menu.set_open(false);
        }
    });
    on_cleanup(move || click_elsewhere.remove());
    let on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape"
            && let Some(menu) = menu.get_untracked()
            && menu.open()
        {
            menu.set_open(false);
            if let Some(summary) = menu
                .first_element_child()
                .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = summary.focus();
            }
        }
    };
    let holds_current_page = move || {
        let path = location.pathname.get();
        pages
            .iter()
            .any(|(page, _)| path == *page || path.starts_with(&format!("{page}/")))
    };
    view! {
        <details class="menu" name="hq-menu" node_ref=menu on:keydown=on_escape>
            <summary class:current=holds_current_page>{caption}</summary>
            <ul>
                {pages
                    .iter()
                    .map(|(path, name)| view! { <li><A href=*path>{*name}</A></li> })
                    .collect_view()}
            </ul>
        </details>
    }
}

/// The server sends a page load the user may not see to Sign in; this does
/// the same for a link followed inside the app.
fn send_away_from_forbidden_pages(user: UserResource) {
    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        if let Some(Ok(user)) = user.get()
            && !may_open(user.as_ref(), &path)
        {
            let wanted = page_address(path, location.search.get());
            if let Err(error) = window().location().assign(&sign_in_url(&wanted)) {
                leptos::logging::error!("could not open Sign in: {error:?}");
            }
        }
    });
}

/// A page's path with its query, as the router's location gives them.
fn page_address(path: String, search: String) -> String {
    if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    }
}
