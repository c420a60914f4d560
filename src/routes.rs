//! Every page's path, in one place: links use [`Page::href`], the route table in
//! [`crate::app`] matches the same strings.

/// The pages of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
}

impl Page {
    pub const fn href(self) -> &'static str {
        match self {
            Page::Home => "/",
        }
    }
}
