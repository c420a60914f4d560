//! Parts shared by pages, one component per file.

mod dialog;
mod field;
mod link;
mod load_error;
mod page_heading;
mod signed_in;
mod site_header;
mod skip_link;

pub use dialog::Dialog;
pub use field::Field;
pub use link::Link;
pub use load_error::LoadError;
pub use page_heading::PageHeading;
pub use signed_in::SignedIn;
pub use site_header::SiteHeader;
pub use skip_link::SkipLink;
