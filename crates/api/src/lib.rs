//! The JSON wire types of Hallpass: the executable form of `docs/API.md`.
//!
//! Both the server and the browser app use these types, so the contract is checked by the
//! compiler on both sides. Names are the wire names: snake_case JSON. Request bodies refuse
//! unknown fields (the server answers 422 `invalid_fields`); answers accept them, so an
//! older app keeps working against a newer server.

mod account;
mod device;
mod error;
pub mod events;
mod health;
pub mod paths;
mod profile;
mod reset;
#[cfg(feature = "openapi")]
pub mod schema;
mod session;
mod time;
pub mod validate;

pub use account::*;
pub use device::*;
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use health::{Health, HealthStatus};
pub use profile::*;
pub use reset::*;
pub use session::*;
pub use time::Timestamp;
pub use validate::{FieldErrors, Validate};

#[cfg(test)]
mod validate_tests;
#[cfg(test)]
mod wire_tests;
