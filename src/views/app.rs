//! The document shell, the router and the navigation.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::api::sign_in::current_user;
use crate::domain::access::{Role, SignedInUser, may_open, sign_in_url};
use crate::error::AppError;
use crate::views::outbox::{WaitingCount, stored_count};
use crate::views::sign_in::{SessionControls, SignInPage};

use crate::views::ecommerce::{MyProfilePage, SignUpPage};
use crate::views::hq::batch_jobs::BatchJobsPage;
use crate::views::hq::customers::CustomersPage;
use crate::views::hq::distribution_schedule::DistributionSchedulePage;
use crate::views::hq::feature_management::FeatureManagementPage;
use crate::views::hq::functionality_profiles::FunctionalityProfilesPage;
use crate::views::hq::realtime_calls::RealtimeCallsPage;
use crate::views::hq::sync_status::detail_page::OperationDetailPage;
use crate::views::hq::sync_status::page::SyncStatusPage;
use crate::views::hq::troubleshoot::TroubleshootPage;
use crate::views::hq::users::UsersPage;
use crate::views::pos::{PosCustomerPage, PosPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every page is streamed in order: what it loads under `<Suspense>` is
/// written in place as it resolves. Out of order, it would arrive as a
/// `<template>` that a script moves into the page, and a browser without
/// JavaScript would show the header and forms without their content.
const IN_ORDER: SsrMode = SsrMode::InOrder;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let user = Resource::new(|| (), |_| current_user());
    // The operations the register keeps in this browser, counted in the
    // header on every page; the POS pages keep it up to date.
    let waiting = RwSignal::new(0);
    provide_context(WaitingCount(waiting));
    Effect::new(move |_| waiting.set(stored_count()));

    view! {
        <Stylesheet id="leptos" href="/pkg/custsync.css" />
        <Title text="custsync" />
        <Router>
            <Navigation user />
            <main>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/pos") view={Lazy::<PosRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/pos/customers/:key") view={Lazy::<PosCustomerRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/ecommerce/sign-up") view={Lazy::<SignUpRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/ecommerce/my-profile") view={Lazy::<MyProfileRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/distribution-schedule") view={Lazy::<DistributionScheduleRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/batch-jobs") view={Lazy::<BatchJobsRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/customers") view={Lazy::<CustomersRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/customer-synchronization-status") view={Lazy::<SyncStatusRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/customer-synchronization-status/:operation") view={Lazy::<OperationDetailRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/feature-management") view={Lazy::<FeatureManagementRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/functionality-profiles") view={Lazy::<FunctionalityProfilesRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/real-time-service-calls") view={Lazy::<RealtimeCallsRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/troubleshoot") view={Lazy::<TroubleshootRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/users") view={Lazy::<UsersRoute>::new()} ssr=IN_ORDER />
                </Routes>
            </main>
        </Router>
    }
}

/// Each page is a lazily loaded WASM chunk (`cargo leptos build --split`):
/// the browser downloads the shell once, then only the pages it opens.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    HomeRoute => HomePage,
    SignInRoute => SignInPage,
    PosRoute => PosPage,
    PosCustomerRoute => PosCustomerPage,
    SignUpRoute => SignUpPage,
    MyProfileRoute => MyProfilePage,
    DistributionScheduleRoute => DistributionSchedulePage,
    BatchJobsRoute => BatchJobsPage,
    CustomersRoute => CustomersPage,
    SyncStatusRoute => SyncStatusPage,
    OperationDetailRoute => OperationDetailPage,
    FeatureManagementRoute => FeatureManagementPage,
    FunctionalityProfilesRoute => FunctionalityProfilesPage,
    RealtimeCallsRoute => RealtimeCallsPage,
    TroubleshootRoute => TroubleshootPage,
    UsersRoute => UsersPage,
}

type UserResource = Resource<Result<Option<SignedInUser>, AppError>>;

/// The links the signed-in user's role may follow, and Sign in / Sign out.
#[component]
fn Navigation(user: UserResource) -> impl IntoView {
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
                                <A href="/pos">"POS"</A>
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
            <A href="/hq/distribution-schedule">"Distribution schedule"</A>
            <A href="/hq/batch-jobs">"Batch jobs"</A>
            <A href="/hq/customers">"Customers"</A>
            <A href="/hq/customer-synchronization-status">"Customer synchronization status"</A>
            <A href="/hq/feature-management">"Feature management"</A>
            <A href="/hq/functionality-profiles">"Functionality profiles"</A>
            <A href="/hq/real-time-service-calls">"Real-time service calls"</A>
            <A href="/hq/troubleshoot">"Troubleshoot"</A>
            <A href="/hq/users">"Users"</A>
        </nav>
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

#[component]
fn HomePage() -> impl IntoView {
    view! {
        <Title text="custsync" />
        <h1>"Asynchronous customer mode"</h1>
        <p>
            "Cashiers and shoppers create customers in the channel; the store stages them and answers at once. "
            "The P-job carries them to HQ, where \"Synchronize customers and channel requests\" creates the accounts, "
            "and job 1010 brings the accounts back to the channel."
        </p>
        <ol class="walkthrough">
            <li>
                <a href="/sign-in?next=/pos">"Sign in"</a>
                " as houston (a cashier of the Houston store), open the "
                <a href="/pos">"POS"</a>
                ", add a customer and note its temporary id."
            </li>
            <li>
                "Sign out, sign in as admin, and run the P-job on "
                <a href="/hq/distribution-schedule">"Distribution schedule"</a>
                " to upload it to HQ."
            </li>
            <li>
                <a href="/hq/batch-jobs">"Batch jobs"</a>
                ": run \"Synchronize customers and channel requests\" to create the account."
            </li>
            <li>
                <a href="/hq/customer-synchronization-status">"Customer synchronization status"</a>
                " and "
                <a href="/hq/customers">"Customers"</a>
                ": see it Synced with its account number."
            </li>
        </ol>
        <p>"The demo users (admin, houston, seattle, shopper) and their password are listed in the README."</p>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found - custsync" />
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. Use the navigation above."</p>
    }
}
