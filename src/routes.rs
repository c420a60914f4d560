//! Every page's path, in one place: links use [`Page::href`], and [`Page::from_path`] is the
//! route table, so the two can't disagree.

/// The pages of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    SignIn,
    ForgotPassword,
    Profiles,
    ManageProfiles,
    Account,
    ChangePassword,
    ChangeEmail,
    ChangePhone,
    Recovery,
    Security,
    TwoStep,
    Devices,
    Activity,
    SignedOut,
}

impl Page {
    pub const ALL: [Page; 15] = [
        Page::Home,
        Page::SignIn,
        Page::ForgotPassword,
        Page::Profiles,
        Page::ManageProfiles,
        Page::Account,
        Page::ChangePassword,
        Page::ChangeEmail,
        Page::ChangePhone,
        Page::Recovery,
        Page::Security,
        Page::TwoStep,
        Page::Devices,
        Page::Activity,
        Page::SignedOut,
    ];

    pub const fn href(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::SignIn => "/signin",
            Page::ForgotPassword => "/signin/forgot",
            Page::Profiles => "/profiles",
            Page::ManageProfiles => "/profiles/manage",
            Page::Account => "/account",
            Page::ChangePassword => "/account/password",
            Page::ChangeEmail => "/account/email",
            Page::ChangePhone => "/account/phone",
            Page::Recovery => "/account/recovery",
            Page::Security => "/security",
            Page::TwoStep => "/security/two-step",
            Page::Devices => "/security/devices",
            Page::Activity => "/security/activity",
            Page::SignedOut => "/signed-out",
        }
    }

    /// The page at `path` (without query or fragment), if there is one. A trailing slash is
    /// ignored, so `/security/` finds the same page as `/security`.
    pub fn from_path(path: &str) -> Option<Page> {
        let path = match path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() && !trimmed.ends_with('/') => trimmed,
            _ => path,
        };
        Page::ALL.into_iter().find(|page| page.href() == path)
    }

    /// A page of the account (behind sign-in): the only pages a sign-in may return to.
    pub const fn is_account_page(self) -> bool {
        !matches!(
            self,
            Page::Home | Page::SignIn | Page::ForgotPassword | Page::Profiles | Page::SignedOut
        )
    }

    /// The page a sub-page's back link leads to ("‹ Account" above "Change password"), and
    /// its name. Manage profiles has two (Account, or Who's watching? before a profile is
    /// chosen): `profile_chosen` says which.
    pub const fn parent(self, profile_chosen: bool) -> Option<(Page, &'static str)> {
        match self {
            Page::ChangePassword | Page::ChangeEmail | Page::ChangePhone | Page::Recovery => {
                Some((Page::Account, "Account"))
            }
            Page::TwoStep | Page::Devices | Page::Activity => Some((Page::Security, "Security")),
            Page::ManageProfiles if profile_chosen => Some((Page::Account, "Account")),
            Page::ManageProfiles => Some((Page::Profiles, "Who's watching?")),
            _ => None,
        }
    }
}

/// The longest return-to address kept; a longer one is dropped, not cut.
const MAX_RETURN_TO: usize = 1024;

/// The address to go back to after signing in, from a `?next=` value (already percent-decoded
/// once, as `URLSearchParams` gives it): a path and query of one of this app's account pages,
/// or `None`.
///
/// This is what keeps the return-to address from being an open redirect, so it only accepts
/// and never repairs: the path must be exactly one of [`Page`]'s (so `//evil.example`,
/// `/\evil.example`, `https://…`, `/%2F/…` and every other spelling of another origin has no
/// page), and nothing that a browser would drop or reinterpret may appear anywhere —
/// backslashes, whitespace and control characters (`/\t/evil` is `//evil` to a URL parser).
/// A fragment is dropped: the address is path and query only.
pub fn return_to(next: &str) -> Option<String> {
    let next = next.split('#').next().unwrap_or_default();
    if next.len() > MAX_RETURN_TO
        || !next.starts_with('/')
        || next
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let path = next.split('?').next().unwrap_or_default();
    Page::from_path(path)
        .filter(|page| page.is_account_page())
        .map(|_| next.to_owned())
}

/// The element id of an activity event's row: the fragment of its address
/// (`/security/activity#event-…`), and where focus goes to show it.
pub fn activity_event_id(id: &str) -> String {
    format!("event-{id}")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{Page, return_to};

    #[test]
    fn every_page_is_found_at_its_own_href() {
        for page in Page::ALL {
            assert_eq!(Page::from_path(page.href()), Some(page));
        }
    }

    #[test]
    fn unknown_paths_have_no_page() {
        assert_eq!(Page::from_path("/no/such/page"), None);
        assert_eq!(Page::from_path(""), None);
        assert_eq!(Page::from_path("//"), None);
    }

    #[test]
    fn one_trailing_slash_is_ignored() {
        assert_eq!(Page::from_path("/"), Some(Page::Home));
        assert_eq!(Page::from_path("/nope/"), None);
    }

    #[test]
    fn returns_to_account_pages_with_their_query() {
        assert_eq!(
            return_to("/security/devices").as_deref(),
            Some("/security/devices")
        );
        assert_eq!(
            return_to("/account?tab=1").as_deref(),
            Some("/account?tab=1")
        );
        assert_eq!(return_to("/security/").as_deref(), Some("/security/"));
        assert_eq!(return_to("/account#top").as_deref(), Some("/account"));
        assert_eq!(
            return_to("/profiles/manage").as_deref(),
            Some("/profiles/manage")
        );
    }

    #[test]
    fn never_returns_to_another_origin() {
        for next in [
            "//example.com",
            "//example.com/account",
            "///example.com",
            "https://example.com",
            "https://example.com/account",
            "http:/example.com",
            "/\\example.com",
            "\\/example.com",
            "/\\/example.com",
            "/account\\..\\..\\example.com",
            "/%2F/example.com",
            "/%2f%2fexample.com",
            "%2F%2Fexample.com",
            "/\t/example.com",
            "/\n/example.com",
            " /account",
            "/account /x",
            "javascript:alert(1)",
            "data:text/html,hi",
            "account",
            "",
            "?next=/account",
        ] {
            assert_eq!(return_to(next), None, "{next:?} was accepted");
        }
    }

    #[test]
    fn never_returns_to_pages_outside_the_account() {
        for page in [
            Page::Home,
            Page::SignIn,
            Page::ForgotPassword,
            Page::Profiles,
            Page::SignedOut,
        ] {
            assert_eq!(return_to(page.href()), None, "{page:?}");
        }
        assert_eq!(return_to("/no/such/page"), None);
        assert_eq!(return_to(&format!("/account?{}", "a".repeat(2000))), None);
    }
}
