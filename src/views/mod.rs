//! The pages, what they share, and the server functions each page calls
//! (beside it, or in its own `api.rs`).

pub mod app;
pub mod customer_display;
pub mod customer_form;
pub mod customer_page;
pub mod ecommerce;
pub mod hq;
pub mod outbox;
pub mod pos;
pub mod sign_in;
pub mod ui;
