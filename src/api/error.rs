//! What a failed request says: [`ApiError`], made from a non-2xx answer once, here.

use hallpass_api::{ErrorBody, ErrorCode, ErrorDetail};

use super::decode;

/// Why a request did not give the answer the page wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer at all: offline, server down, connection dropped.
    Network,
    /// The server answered with the shared error body.
    // Boxed: the body is large, and every `Result<_, ApiError>` would carry its size.
    Server {
        status: u16,
        detail: Box<ErrorDetail>,
    },
    /// An answer outside the contract, such as an HTML error page from a proxy.
    Unexpected { status: u16 },
    /// The person dismissed "Confirm it's you": not a failure, so its message is empty and
    /// forms and dialogs show nothing (see `StepUp::run`).
    Cancelled,
}

impl ApiError {
    /// 401: this browser is not signed in (any more). The app then clears what it holds.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }

    /// A 401 that means this browser's session is over (`not_signed_in`, `session_expired`,
    /// `signed_out_remotely`, or a code this build doesn't know), as opposed to the 401s that
    /// only say a credential typed into a form was wrong: a sign-in's password or code. Those
    /// stay with the form.
    pub fn ends_session(&self) -> bool {
        self.is_unauthorized()
            && !matches!(
                self.code(),
                Some(ErrorCode::InvalidCredentials | ErrorCode::InvalidCode)
            )
    }

    /// What the server says is wrong with each field, for the form to show beside them.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Server { detail, .. } => detail.fields.as_ref()?.get(name).cloned(),
            _ => None,
        }
    }

    /// 403 `reauthentication_required`: the action needs a recent password check.
    pub fn needs_step_up(&self) -> bool {
        self.code() == Some(ErrorCode::ReauthenticationRequired)
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server { detail, .. } => Some(detail.code),
            _ => None,
        }
    }

    /// A short heading for the problem, for people.
    pub fn title(&self) -> &'static str {
        match self {
            ApiError::Network => "Can't reach Hallpass",
            ApiError::Server { status, .. } if *status >= 500 => "Something went wrong",
            ApiError::Server { .. } => "That didn't work",
            ApiError::Unexpected { .. } => "Unexpected answer",
            ApiError::Cancelled => "Cancelled",
        }
    }

    /// What happened and what to do about it, for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => "Check your internet connection, then try again.".to_owned(),
            ApiError::Server { detail, .. } => match &detail.request_id {
                Some(id) => format!("{} (Request id: {id})", detail.message),
                None => detail.message.clone(),
            },
            ApiError::Unexpected { status } => format!(
                "Hallpass answered in a way this page doesn't understand (HTTP {status}). \
                 Try again; if it keeps happening, reload the page."
            ),
            ApiError::Cancelled => String::new(),
        }
    }
}

/// Turns a non-2xx answer into an [`ApiError`]. Pure, so it is tested without a server.
pub fn error_from_response(status: u16, body: &str) -> ApiError {
    match decode::<ErrorBody>(body) {
        Some(body) => ApiError::Server {
            status,
            detail: Box::new(body.error),
        },
        None => ApiError::Unexpected { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: ErrorCode) -> ApiError {
        ApiError::Server {
            status,
            detail: Box::new(ErrorBody::new(code, "").error),
        }
    }

    #[test]
    fn a_401_ends_the_session_unless_it_only_says_a_credential_was_wrong() {
        for code in [
            ErrorCode::NotSignedIn,
            ErrorCode::SessionExpired,
            ErrorCode::SignedOutRemotely,
            ErrorCode::Unknown,
        ] {
            assert!(refused(401, code).ends_session(), "{code:?}");
        }
        // Sign-in's wrong password and wrong code; step-up's and the PIN's are 403s.
        for code in [ErrorCode::InvalidCredentials, ErrorCode::InvalidCode] {
            assert!(!refused(401, code).ends_session(), "{code:?}");
        }
        for (status, code) in [
            (403, ErrorCode::WrongPassword),
            (403, ErrorCode::WrongPin),
            (403, ErrorCode::InvalidCode),
            (403, ErrorCode::ReauthenticationRequired),
        ] {
            assert!(!refused(status, code).ends_session(), "{code:?}");
        }
        assert!(!ApiError::Network.ends_session());
        assert!(!ApiError::Unexpected { status: 401 }.ends_session());
    }
}

// JSON.parse is the browser's, so these run in the browser suites, not natively.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_shared_error_body_becomes_a_server_error() {
        let err = error_from_response(
            404,
            r#"{"error":{"code":"not_found","message":"There is nothing at this address."}}"#,
        );
        assert_eq!(err.code(), Some(ErrorCode::NotFound));
        assert_eq!(err.message(), "There is nothing at this address.");
        assert_eq!(err.title(), "That didn't work");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_5xx_names_its_request_id_so_people_can_quote_it() {
        let err = error_from_response(
            500,
            r#"{"error":{"code":"internal_error","message":"Oops.","request_id":"r-1"}}"#,
        );
        assert_eq!(err.title(), "Something went wrong");
        assert_eq!(err.message(), "Oops. (Request id: r-1)");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_proxy_error_page_is_unexpected_not_a_crash() {
        let err = error_from_response(502, "<html><body>Bad gateway</body></html>");
        assert_eq!(err, ApiError::Unexpected { status: 502 });
        assert!(err.message().contains("HTTP 502"));
    }
}
