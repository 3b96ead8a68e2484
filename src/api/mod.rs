//! The server functions, one file per area of the product (the POS, the
//! channel's customers, sign-in, each HQ page), and what every one of them
//! does around its work: check the session (`sessions`), authorize and find
//! the backend, map a service's error to `AppError` and set the status
//! (`respond`); the axum state they are given. Each server function is thin:
//! it checks who asks, calls a service and maps its error. In the browser
//! only their callers are compiled.

pub mod channel_customers;
pub mod hq;
pub mod pos;
pub mod refused_posts;
pub mod sign_in;

#[cfg(feature = "ssr")]
pub mod app_state;
#[cfg(feature = "ssr")]
pub mod respond;
#[cfg(feature = "ssr")]
pub mod sessions;
