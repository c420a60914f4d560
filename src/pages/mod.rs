//! One file per page.

mod account;
mod activity;
mod devices;
mod home;
mod not_found;
mod profiles;
mod security;
mod sign_in;
mod signed_out;

pub use account::Account;
pub use activity::Activity;
pub use devices::Devices;
pub use home::Home;
pub use not_found::NotFound;
pub use profiles::Profiles;
pub use security::Security;
pub use sign_in::SignIn;
pub use signed_out::SignedOut;
