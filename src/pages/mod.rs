//! One file per page.

mod account;
mod home;
mod not_found;
mod profiles;
mod sign_in;
mod signed_out;

pub use account::{Account, KidsBlocked};
pub use home::Home;
pub use not_found::NotFound;
pub use profiles::Profiles;
pub use sign_in::SignIn;
pub use signed_out::SignedOut;
