//! Why `/signed-out` was loaded: written by [`super::ended`] and [`super::sign_out`], read by
//! the signed-out page. The query string's spelling is here and nowhere else, so writer and
//! reader can't drift apart.

use hallpass_api::ErrorCode;

use crate::api::ApiError;
use crate::routes::Page;

/// Why this browser is signed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignedOutReason {
    /// The person signed out here. `pending`: Hallpass couldn't be reached, so the page
    /// finishes the server's side when the connection returns.
    Here { pending: bool },
    /// Another device (or a password reset) ended this session; the server says from which
    /// device and when, when it knows.
    Remote { by: Option<(String, String)> },
    /// The session ran out.
    Expired,
    /// Any other ending, or no reason given at all.
    Ended,
}

impl SignedOutReason {
    /// What the server's 401 says about how the session ended.
    pub fn from_error(error: &ApiError) -> Self {
        let ApiError::Server { detail, .. } = error else {
            return Self::Ended;
        };
        match detail.code {
            ErrorCode::SignedOutRemotely => Self::Remote {
                by: detail.details.as_ref().map(|d| {
                    (
                        d.signed_out_by.device_name.clone(),
                        d.signed_out_at.as_str().to_owned(),
                    )
                }),
            },
            ErrorCode::SessionExpired => Self::Expired,
            _ => Self::Ended,
        }
    }

    /// The query's pairs, not yet encoded.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("reason", self.word().to_owned())];
        match self {
            Self::Here { pending: true } => pairs.push(("pending", "1".to_owned())),
            Self::Remote { by: Some((by, at)) } => {
                pairs.push(("by", by.clone()));
                pairs.push(("at", at.clone()));
            }
            _ => {}
        }
        pairs
    }

    fn word(&self) -> &'static str {
        match self {
            Self::Here { .. } => "here",
            Self::Remote { .. } => "remote",
            Self::Expired => "expired",
            Self::Ended => "ended",
        }
    }

    /// Reads what [`Self::query`] wrote, given the query's (decoded) parameters. Anything it
    /// doesn't know, including no reason at all, is [`Self::Ended`].
    pub fn from_query(param: impl Fn(&str) -> Option<String>) -> Self {
        match param("reason").as_deref() {
            Some("here") => Self::Here {
                pending: param("pending").is_some(),
            },
            Some("remote") => Self::Remote {
                by: param("by").zip(param("at")),
            },
            Some("expired") => Self::Expired,
            _ => Self::Ended,
        }
    }

    /// `/signed-out?reason=…`, each value encoded.
    pub fn href(&self) -> String {
        let query: Vec<String> = self
            .query()
            .into_iter()
            .map(|(key, value)| {
                let value: String = js_sys::encode_uri_component(&value).into();
                format!("{key}={value}")
            })
            .collect();
        format!("{}?{}", Page::SignedOut.href(), query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(reason: &SignedOutReason) -> SignedOutReason {
        let pairs = reason.query();
        SignedOutReason::from_query(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn every_reason_reads_back_as_it_was_written() {
        for reason in [
            SignedOutReason::Here { pending: false },
            SignedOutReason::Here { pending: true },
            SignedOutReason::Remote { by: None },
            SignedOutReason::Remote {
                by: Some((
                    "Living room TV & co".to_owned(),
                    "2026-11-22T09:14:03Z".to_owned(),
                )),
            },
            SignedOutReason::Expired,
            SignedOutReason::Ended,
        ] {
            assert_eq!(round_trip(&reason), reason);
        }
    }

    #[test]
    fn an_address_without_a_known_reason_is_just_signed_out() {
        assert_eq!(
            SignedOutReason::from_query(|_| None),
            SignedOutReason::Ended
        );
        let odd = SignedOutReason::from_query(|k| (k == "reason").then(|| "nonsense".to_owned()));
        assert_eq!(odd, SignedOutReason::Ended);
    }
}
