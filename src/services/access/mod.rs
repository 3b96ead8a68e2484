//! Signing in, as a service: password hashes, the session stores in the
//! channel database, and the limits that keep a flood of sign-ins from
//! taking the server down. Who may do what is the domain's
//! (`domain::access`); the request's session is the server functions'
//! (`api::sessions`).

pub mod passwords;
mod session_cache;
pub mod session_stores;
pub mod sign_in_limits;
