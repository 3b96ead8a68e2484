//! custsync: the asynchronous customer mode of a retail HQ/store system.
//!
//! Shared by server and browser: the domain rules (`domain`, `jobs`), the
//! error that crosses the wire (`error`) and the pages (`pos`, `ecommerce`,
//! `hq`). The README's code map names the floors the modules stand on. Server only: the two databases (`channel_db`,
//! `hq_db`), the data exchange between them (`cdx`), the batch job (`sync`)
//! and the start-up (`backend`, `settings`).

// The release WASM build computes the layout of the deepest page views
// (the customer editor) past the default limit of 128.
#![recursion_limit = "256"]

pub mod access;
pub mod app;
pub mod customer_display;
pub mod customer_form;
pub mod customer_page;
pub mod domain;
pub mod ecommerce;
pub mod error;
pub mod hq;
pub mod jobs;
pub mod outbox;
pub mod pos;
pub mod sign_in;
pub mod ui;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod app_state;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod cdx;
#[cfg(feature = "ssr")]
pub mod channel_config;
#[cfg(feature = "ssr")]
pub mod channel_customers;
#[cfg(feature = "ssr")]
pub mod channel_db;
#[cfg(feature = "ssr")]
pub mod feature_management;
#[cfg(feature = "ssr")]
pub mod hq_db;
#[cfg(feature = "ssr")]
pub mod realtime;
#[cfg(feature = "ssr")]
pub mod respond;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod sqlite;
#[cfg(feature = "ssr")]
pub mod staging_tables;
#[cfg(feature = "ssr")]
pub mod sync;
#[cfg(feature = "ssr")]
pub mod troubleshoot;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = leptos::prelude::document().body() else {
        return;
    };
    // Pages are lazily loaded chunks, so hydration waits for the page's chunk
    // before it can attach the page's event handlers.
    wasm_bindgen_futures::spawn_local(async move {
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
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
