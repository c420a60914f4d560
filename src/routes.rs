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
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::Page;

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
}
