//! Parts shared by pages, one component per file.

mod avatar;
mod confirm_dialog;
mod device_finder;
mod device_list;
mod dialog;
mod field;
mod form;
mod link;
mod live_region;
mod load_error;
mod manager_only;
mod new_password;
mod page_heading;
mod pin_lock_dialog;
mod profile_form;
mod rename_dialog;
mod sign_in_notice;
mod sign_out_all;
mod sign_out_device;
mod signed_in;
mod site_header;
mod skip_link;
mod step_up_dialog;
mod summary;

pub use avatar::{Avatar, AvatarSize};
pub use confirm_dialog::ConfirmDialog;
pub use device_finder::{DeviceFinder, Entry, SortBy, find, grouped, labelled, shared};
pub use device_list::{
    DEVICES_CAPTION, DeviceList, SIGN_OUT_HERE, ThisDevice, device_name, kind_label, place,
    rename_button_id, sign_out_button_id,
};
pub use dialog::Dialog;
pub use field::Field;
pub use form::{FieldSlot, FormError, Submit, element, focus, focus_when_drawn};
pub use link::{Link, in_app_click};
pub use live_region::{Announcer, LiveRegion, provide_announcer, use_announcer};
pub use load_error::LoadError;
pub use manager_only::{KidsBlocked, ManagerOnly};
pub use new_password::{NewPassword, NewPasswordFields};
pub use page_heading::PageHeading;
pub use pin_lock_dialog::PinLockDialog;
pub use profile_form::{ProfileForm, language_label, rating_label};
pub use rename_dialog::RenameDialog;
pub use sign_in_notice::SignInNotice;
pub use sign_out_all::{SignOutAll, SignOutAllDialog, devices_word};
pub use sign_out_device::{DeviceToSignOut, SignOutDeviceDialog};
pub use signed_in::SignedIn;
pub use site_header::SiteHeader;
pub use skip_link::SkipLink;
pub use step_up_dialog::{StepUp, StepUpDialog, provide_step_up, use_step_up};
pub use summary::{PartError, Row, RowAnchor, RowLink, SkeletonCard, SummaryCard, section_id};
