//! The document shell, the router and the navigation.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::api::sign_in::SignIn;
use crate::api::sign_in::current_user;
use crate::domain::access::Role;
use crate::views::header::{Navigation, SignedIn};
use crate::views::home::HomePage;
use crate::views::outbox::{WaitingCount, forget_register_copies, stored_count};
use crate::views::sign_in::SignInPage;
use crate::views::ui::PostedRefusal;
use leptos::server_fn::ServerFn;

use crate::views::ecommerce::{MyProfilePage, SignUpPage};
use crate::views::hq::batch_jobs::BatchJobsPage;
use crate::views::hq::customers::{CustomersPage, HqCustomerPage};
use crate::views::hq::distribution_schedule::DistributionSchedulePage;
use crate::views::hq::feature_management::FeatureManagementPage;
use crate::views::hq::functionality_profiles::FunctionalityProfilesPage;
use crate::views::hq::realtime_calls::RealtimeCallsPage;
use crate::views::hq::sales_orders::SalesOrdersPage;
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
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                // No icon: browsers would ask for /favicon.ico on every page.
                <link rel="icon" href="data:," />
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
    provide_context(SignedIn(user));
    // The operations the register keeps in this browser, counted in the
    // header on every page; the POS pages keep it up to date.
    let waiting = RwSignal::new(0);
    provide_context(WaitingCount(waiting));
    Effect::new(move |_| waiting.set(stored_count()));
    Effect::new(move |_| {
        if let Some(Ok(user)) = user.get()
            && user.is_none_or(|user| user.role != Role::Cashier)
        {
            forget_register_copies();
        }
    });

    view! {
        <Title text="custsync" />
        <Router>
            <Navigation user />
            <main>
                <PostedRefusal except=SignIn::PATH />
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
                    <Route path=path!("/hq/customers/:account") view={Lazy::<HqCustomerRoute>::new()} ssr=IN_ORDER />
                    <Route path=path!("/hq/sales-orders") view={Lazy::<SalesOrdersRoute>::new()} ssr=IN_ORDER />
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
    HqCustomerRoute => HqCustomerPage,
    SalesOrdersRoute => SalesOrdersPage,
    SyncStatusRoute => SyncStatusPage,
    OperationDetailRoute => OperationDetailPage,
    FeatureManagementRoute => FeatureManagementPage,
    FunctionalityProfilesRoute => FunctionalityProfilesPage,
    RealtimeCallsRoute => RealtimeCallsPage,
    TroubleshootRoute => TroubleshootPage,
    UsersRoute => UsersPage,
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
