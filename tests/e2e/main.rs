//! The end-to-end suite: the release app and the real server, driven in Chromium, Firefox ESR
//! and WebKitGTK over WebDriver. Every test runs once per engine, each against a server of
//! its own on a fresh database.
//!
//! `cargo xtask test e2e` builds what it needs and runs it. Run directly, it expects
//! `HALLPASS_DIST`, `HALLPASS_SERVER_BIN` and `HALLPASS_NODE_MODULES` (see `env.rs`).
//! Filters work as with libtest: `cargo test --test e2e -- firefox::skip`.

#[cfg(not(target_arch = "wasm32"))]
mod activity;
#[cfg(not(target_arch = "wasm32"))]
mod audit;
#[cfg(not(target_arch = "wasm32"))]
mod browser;
#[cfg(not(target_arch = "wasm32"))]
mod contact;
#[cfg(not(target_arch = "wasm32"))]
mod device_edit;
#[cfg(not(target_arch = "wasm32"))]
mod devices;
#[cfg(not(target_arch = "wasm32"))]
mod driver;
#[cfg(not(target_arch = "wasm32"))]
mod env;
#[cfg(not(target_arch = "wasm32"))]
mod find_devices;
#[cfg(not(target_arch = "wasm32"))]
mod forgot;
#[cfg(not(target_arch = "wasm32"))]
mod front_door;
#[cfg(not(target_arch = "wasm32"))]
mod instances;
#[cfg(not(target_arch = "wasm32"))]
mod keyboard;
#[cfg(not(target_arch = "wasm32"))]
mod live;
#[cfg(not(target_arch = "wasm32"))]
mod parts;
#[cfg(not(target_arch = "wasm32"))]
mod password;
#[cfg(not(target_arch = "wasm32"))]
mod profiles;
#[cfg(not(target_arch = "wasm32"))]
mod queries;
#[cfg(not(target_arch = "wasm32"))]
mod runner;
#[cfg(not(target_arch = "wasm32"))]
mod security;
#[cfg(not(target_arch = "wasm32"))]
mod shell;
#[cfg(not(target_arch = "wasm32"))]
mod signin;
#[cfg(not(target_arch = "wasm32"))]
mod signout;
#[cfg(not(target_arch = "wasm32"))]
mod steps;
#[cfg(not(target_arch = "wasm32"))]
mod stepup;
#[cfg(not(target_arch = "wasm32"))]
mod two_step;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    runner::main(&[
        case!(shell::loads_with_landmarks_and_passes_axe),
        case!(shell::skip_link_moves_focus_to_main),
        case!(shell::deep_link_to_a_missing_page),
        case!(shell::offers_retry_when_the_server_is_down),
        // Only Chromium can switch prefers-color-scheme within a session; the CSS is the same
        // in every engine, so its contrast is checked once.
        case!(shell::dark_theme_passes_axe, [browser::Engine::Chromium]),
        case!(front_door::sends_each_visitor_where_they_belong),
        case!(front_door::returns_to_the_address_asked_for_after_signing_in),
        case!(front_door::never_returns_to_another_site),
        case!(front_door::shows_and_hides_the_password),
        case!(front_door::header_stays_one_row_and_marks_where_you_are),
        case!(signin::signs_in_and_unlocks_a_profile_with_its_pin),
        case!(signin::kids_profile_cannot_manage_the_account),
        case!(signout::signing_out_clears_this_browser_and_back_shows_nothing),
        case!(signout::signed_out_page_says_why),
        case!(security::security_page_and_account_activity),
        // Only Chromium can block a request from WebDriver (DevTools); see the case.
        case!(
            security::a_failed_secondary_request_takes_down_only_its_part,
            [browser::Engine::Chromium]
        ),
        case!(devices::signs_out_another_browser_which_learns_it_by_itself),
        case!(live::tabs_share_one_stream_and_hear_new_sign_ins),
        case!(live::signing_out_in_one_tab_signs_out_every_tab),
        // Only Chromium can block a request from WebDriver (DevTools); see the case.
        case!(
            live::signing_out_in_one_tab_without_the_server_signs_out_every_tab,
            [browser::Engine::Chromium]
        ),
        case!(devices::signs_out_of_all_devices_keeping_this_one_or_not),
        case!(instances::a_browser_signed_out_through_another_instance_learns_why),
        case!(find_devices::finds_a_device_among_many_and_tells_same_names_apart),
        case!(stepup::asks_for_the_password_when_sign_in_was_long_ago),
        case!(stepup::asks_for_a_code_too_when_two_step_is_on),
        case!(keyboard::signs_out_a_device_with_the_keyboard_alone),
        case!(audit::every_page_passes_axe_at_desktop_and_phone_widths),
        case!(audit::every_dialog_passes_axe),
        case!(password::changes_the_password_and_signs_out_other_devices),
        case!(contact::changes_the_email_and_phone_with_codes),
        case!(contact::sets_recovery_contacts_and_unlinks_an_account),
        case!(device_edit::renames_a_device_and_signs_out_a_sign_in_that_was_not_you),
        case!(two_step::turns_on_two_step_verification_and_signs_in_with_codes),
        case!(two_step::turning_two_step_on_or_off_can_sign_out_other_devices),
        case!(profiles::adds_edits_and_deletes_profiles_within_the_limits),
        case!(profiles::locks_a_profile_with_a_pin_from_whos_watching),
        case!(forgot::resets_the_password_and_signs_out_every_device),
        case!(forgot::with_two_step_on_asks_for_a_code_or_a_recovery_code),
        case!(forgot::an_unknown_address_gets_the_same_screen),
        case!(activity::groups_by_day_and_filters_by_kind),
        case!(activity::wasnt_you_on_a_failed_sign_in_from_a_new_place),
        case!(stepup::replaces_the_dialog_it_interrupts),
        case!(parts::signin_first_load_stays_within_its_ceiling),
        case!(parts::an_account_address_fetches_the_bundle_of_the_page_it_shows),
        // Only Chromium can block a request from WebDriver (DevTools); see the case.
        case!(
            parts::a_page_whose_part_fails_to_load_offers_retry,
            [browser::Engine::Chromium]
        ),
        case!(
            parts::a_code_step_that_cant_be_fetched_keeps_the_password,
            [browser::Engine::Chromium]
        ),
        case!(
            parts::whos_watching_says_when_a_choice_cant_go_through,
            [browser::Engine::Chromium]
        ),
        case!(
            parts::a_confirmation_that_cant_be_fetched_says_so,
            [browser::Engine::Chromium]
        ),
        case!(
            parts::a_rows_dialog_that_cant_be_fetched_says_so,
            [browser::Engine::Chromium]
        ),
    ])
}

/// The suite is native; this keeps `cargo clippy --target wasm32-unknown-unknown` building.
#[cfg(target_arch = "wasm32")]
fn main() {}
