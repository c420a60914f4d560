//! One file per page.

mod account;
mod activity;
mod activity_event;
mod change_password;
mod contact;
mod devices;
mod forgot_password;
mod home;
mod manage_profiles;
mod not_found;
mod profiles;
mod recovery;
mod security;
mod sign_in;
mod signed_out;
mod two_step;
mod two_step_setup;

pub use account::{Account, UnlinkDialog};
pub use activity::Activity;
pub use change_password::ChangePassword;
pub use contact::{ChangeEmail, ChangePhone};
pub use devices::{DeviceDialogs, Devices};
pub use forgot_password::ForgotPassword;
pub use home::Home;
pub use manage_profiles::ManageProfiles;
pub use not_found::NotFound;
pub use profiles::{PinDialog, PinRequest, Profiles};
pub use recovery::Recovery;
pub use security::Security;
pub use sign_in::{CodeStep, SignIn};
pub use signed_out::SignedOut;
pub use two_step::TwoStep;
