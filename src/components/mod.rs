//! Parts shared by pages, one component per file.

mod link;
mod load_error;
mod page_heading;
mod site_header;
mod skip_link;

pub use link::Link;
pub use load_error::LoadError;
pub use page_heading::PageHeading;
pub use site_header::SiteHeader;
pub use skip_link::SkipLink;
