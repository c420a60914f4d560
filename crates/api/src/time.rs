use serde::{Deserialize, Serialize};

/// An RFC 3339 timestamp in UTC, as the server wrote it (`"2026-11-22T09:14:03Z"`).
///
/// Kept as text: this crate is serde-only (it ships in the wasm), the server formats with its
/// own time library, and the app shows times through the browser's `Intl`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Timestamp {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
