//! The pages and what they share. They call the server functions of
//! `crate::api`, and reach nothing below them.

pub mod app;
pub mod code_on_demand;
pub mod customer_display;
pub mod customer_form;
pub mod customer_page;
pub mod ecommerce;
pub mod header;
pub mod home;
pub mod hq;
pub mod hydration;
pub mod opened_forms;
pub mod outbox;
pub mod pos;
pub mod sign_in;
#[cfg(feature = "hydrate")]
pub mod typed_early;
pub mod ui;
