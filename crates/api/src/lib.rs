//! The JSON wire types of Hallpass (`shared/API.md`).
//!
//! Both the server and the browser app use these types, so the contract is checked by the
//! compiler on both sides. Names are the wire names: snake_case JSON.

mod error;
mod health;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use health::{Health, HealthStatus};

/// Every path of the API, so that neither side spells one out by hand.
pub mod paths {
    /// Everything the API serves lives under this prefix.
    pub const PREFIX: &str = "/api";
    /// `GET` → [`crate::Health`].
    pub const HEALTH: &str = "/api/health";
}
