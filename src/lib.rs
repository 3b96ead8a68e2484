//! custsync: the asynchronous customer mode of a retail HQ/store system.
//!
//! The code stands on floors, each importing only from those below it
//! (README, "Code map"; `tests/architecture.rs` checks it): `domain` (plain
//! types and rules, shared by server and browser, with `error` and `wire`,
//! what crosses the wire), `storage` (every SQL statement), `services` (the
//! channel, CDX, the sync, the jobs, sign-in), `api` (the server functions),
//! `views` (the pages, which reach the rest through the server functions)
//! and `server` (the start-up).

// The release WASM build computes the layout of the deepest page views
// (the customer editor) past the default limit of 128.
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
pub mod views;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod storage;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let document = leptos::prelude::document();
    let Some(body) = document.body() else {
        return;
    };
    // Pages are lazily loaded chunks, so hydration waits for the page's chunk
    // before it can attach the page's event handlers.
    wasm_bindgen_futures::spawn_local(async move {
        let search = leptos::prelude::window().location().search().unwrap_or_default();
        if !views::opened_forms::download_their_code(&search).await {
            // Hydrating the form without its code would stop the page's code
            // anyway: the page goes on as without JavaScript, its forms
            // posting themselves.
            leptos::logging::warn!("the code of the form this page opens could not be downloaded");
            return;
        }
        let typed_early = views::typed_early::TypedEarly::read(&document);
        let app = leptos::mount::hydrate_from_async(body.clone(), views::app::App).await;
        app.forget();
        // After the page's effects have run once: one that starts a signal
        // over (the status page's selection) would otherwise undo what is
        // given back.
        leptos::task::tick().await;
        typed_early.give_back();
        mark_hydrated(&body);
    });
}

/// Browser tests wait for this attribute before they click: event handlers
/// work only once the whole page, its lazily loaded part included, is
/// hydrated.
#[cfg(feature = "hydrate")]
fn mark_hydrated(body: &web_sys::HtmlElement) {
    let _ = body.set_attribute("data-hydrated", "true");
}
