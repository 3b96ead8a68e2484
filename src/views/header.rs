//! The header on every page: the way to each page the user's role may open,
//! and who is signed in.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::domain::access::{Role, SignedInUser, may_open, sign_in_url};
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
                        <SessionControls user />
                    }
                })}
            </Transition>
        </header>
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
            let search = location.search.get();
            let wanted = if search.is_empty() {
                path
            } else {
                format!("{path}?{search}")
            };
            if let Err(error) = window().location().assign(&sign_in_url(&wanted)) {
                leptos::logging::error!("could not open Sign in: {error:?}");
            }
        }
    });
}
