//! OpenAPI schemas for the input rules that utoipa's attributes can't say with a literal: the
//! avatar list (made from [`AVATARS`], so it can't drift), the patterns built from
//! [`crate::validate`]'s character classes, and `code` *or* `recovery_code`.
//!
//! Only with the `openapi` feature: the browser app never compiles this.
//!
//! The patterns use only what ECMA-262 (with the `u` flag, as JSON Schema asks), Python's `re`
//! (which schemathesis uses) and Rust's `regex` (the server's tests) read alike: `\uXXXX`
//! escapes, classes and alternation, no lookaround. The one range beyond the BMP (emoji) is
//! written as the characters themselves, since the three spell astral escapes differently.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};

use crate::validate::{MAX_EMAIL_CHARS, MAX_PROFILE_NAME_CHARS};
use crate::{AVATARS, MAX_NICKNAME_CHARS};

/// `char::is_control`: the C0 and C1 controls and DEL.
const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";
/// `char::is_whitespace` outside [`CONTROL`] (which holds the rest: tab, newlines, U+0085).
const SPACE: &str = r"\u0020\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// `has_hidden_chars`'s list, with both joiners (U+200C, U+200D), which are allowed only in
/// the runs below.
const HIDDEN: &str =
    r"\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF";
/// `joins_with_zwnj`, less U+061C, which is hidden wherever it stands.
const ZWNJ_LETTER: &str = r"[\u0600-\u061B\u061D-\u08FF\u0900-\u0DFF\uFB50-\uFDFF\uFE70-\uFEFC]";
/// `is_pictograph`.
const PICTOGRAPH: &str = "[\\u2600-\\u27BF\\uFE0F\u{1F000}-\u{1FAFF}]";

/// A name's characters: any visible character, or a joiner between two characters it joins.
fn name_element() -> String {
    format!(
        r"[^{CONTROL}{HIDDEN}]|{ZWNJ_LETTER}(?:\u200C{ZWNJ_LETTER})+|{PICTOGRAPH}(?:\u200D{PICTOGRAPH})+"
    )
}

/// `validate::profile_name` (with `minLength`/`maxLength`): no control or hidden characters,
/// and not only spaces.
pub fn profile_name_pattern() -> String {
    let element = name_element();
    format!(
        r"^(?:{element})*(?:[^{CONTROL}{HIDDEN}{SPACE}]|{ZWNJ_LETTER}(?:\u200C{ZWNJ_LETTER})+|{PICTOGRAPH}(?:\u200D{PICTOGRAPH})+)(?:{element})*$"
    )
}

/// `validate::nickname`: no control or hidden characters; empty clears the nickname.
pub fn nickname_pattern() -> String {
    format!("^(?:{})*$", name_element())
}

/// `validate::email`: one `@` with something before it and a dotted domain after it, no
/// spaces or control characters.
pub fn email_pattern() -> String {
    let local = format!("[^@{CONTROL}{SPACE}]");
    let label = format!("[^@.{CONTROL}{SPACE}]");
    format!(r"^{local}+@{label}+(?:\.{label}+)+$")
}

/// `validate::language`: a BCP 47 tag in its common shape (`en`, `pt-BR`, `zh-Hant`).
pub const LANGUAGE_PATTERN: &str = "^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$";
/// `validate::phone`: E.164.
pub const PHONE_PATTERN: &str = r"^\+[1-9][0-9]{6,14}$";
/// `TwoFactorSignIn`'s recovery code: a character that `str::trim` keeps (not `White_Space`),
/// anywhere.
fn not_blank_pattern() -> String {
    format!(r"[^\u0009-\u000D\u0085{SPACE}]")
}

/// A `oneOf` as a field's schema.
trait IntoSchema {
    fn into_schema(self) -> RefOr<Schema>;
}

impl IntoSchema for utoipa::openapi::OneOf {
    fn into_schema(self) -> RefOr<Schema> {
        RefOr::T(Schema::OneOf(self))
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A field that may also be `null` (serde reads it as absent).
fn or_null(schema: ObjectBuilder) -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(schema)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into_schema()
}

fn avatar_schema() -> ObjectBuilder {
    string()
        .enum_values(Some(AVATARS.iter().copied()))
        .description(Some("One of the app's built-in avatars"))
}

pub fn avatar() -> RefOr<Schema> {
    avatar_schema().into()
}

pub fn avatar_or_null() -> RefOr<Schema> {
    or_null(avatar_schema())
}

fn profile_name_schema() -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_PROFILE_NAME_CHARS))
        .pattern(Some(profile_name_pattern()))
        .description(Some(
            "No control characters, text-direction marks or invisible characters (U+200C \
             only between letters of the scripts that use it, U+200D only between emoji), \
             and not only spaces. A name that reads like another profile's is refused too.",
        ))
}

pub fn profile_name() -> RefOr<Schema> {
    profile_name_schema().into()
}

pub fn profile_name_or_null() -> RefOr<Schema> {
    or_null(profile_name_schema())
}

fn language_schema() -> ObjectBuilder {
    string()
        .pattern(Some(LANGUAGE_PATTERN))
        .max_length(Some(35))
}

pub fn language() -> RefOr<Schema> {
    language_schema().into()
}

pub fn language_or_null() -> RefOr<Schema> {
    or_null(language_schema())
}

pub fn nickname() -> RefOr<Schema> {
    string()
        .max_length(Some(MAX_NICKNAME_CHARS))
        .pattern(Some(nickname_pattern()))
        .description(Some(
            "Empty clears the nickname. No control characters, text-direction marks or \
             invisible characters.",
        ))
        .into()
}

/// No `format: email`: the server checks the shape above and accepts what RFC 5321 (and even
/// RFC 6531) would not, such as `é@´.test`; whether mail arrives is the verification code's
/// job. schemathesis's negative_data_rejection showed the format claimed more than the server
/// refuses.
fn email_schema() -> ObjectBuilder {
    string()
        .max_length(Some(MAX_EMAIL_CHARS))
        .pattern(Some(email_pattern()))
        .description(Some(
            "An email address: one `@` with something before it and a dotted domain after it, \
             no spaces or control characters. Only its shape is checked; the verification \
             code finds out whether it receives mail.",
        ))
}

pub fn email() -> RefOr<Schema> {
    email_schema().into()
}

/// `ChangeRecovery`: left out or `null` keeps the address, empty clears it.
pub fn recovery_email() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(email_schema())
        .item(string().max_length(Some(0)))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into_schema()
}

/// `ChangeRecovery`: left out or `null` keeps the number, empty clears it.
pub fn recovery_phone() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(string().pattern(Some(PHONE_PATTERN)))
        .item(string().max_length(Some(0)))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build()
        .into_schema()
}

/// A required property: its name and its schema.
type Property = (&'static str, fn() -> ObjectBuilder);

/// An object with the `first` fields (required) and exactly one of `code` and `recovery_code` (the other
/// left out or `null`); with `optional`, also neither. As `validate`'s `second_factor` says.
fn with_second_factor(first: &[Property], optional: bool, description: &str) -> RefOr<Schema> {
    let null = || ObjectBuilder::new().schema_type(Type::Null);
    let variant = |code: ObjectBuilder, recovery_code: ObjectBuilder, given: Option<&str>| {
        let mut object = ObjectBuilder::new().schema_type(SchemaType::new(Type::Object));
        for (name, schema) in first {
            object = object.property(*name, schema()).required(*name);
        }
        let object = object
            .property("code", code)
            .property("recovery_code", recovery_code)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        match given {
            Some(field) => object.required(field),
            None => object,
        }
    };
    let code = string().pattern(Some("^[0-9]{6}$"));
    let recovery_code = string()
        .min_length(Some(1))
        .max_length(Some(crate::validate::MAX_RECOVERY_CODE_CHARS))
        .pattern(Some(not_blank_pattern()));
    let mut variants = OneOfBuilder::new()
        .item(
            variant(code, null(), Some("code"))
                .description(Some("A 6-digit code from the authenticator app")),
        )
        .item(
            variant(null(), recovery_code, Some("recovery_code"))
                .description(Some("One of the account's recovery codes")),
        );
    if optional {
        variants = variants.item(
            variant(null(), null(), None)
                .description(Some("No code (enough while two-step verification is off)")),
        );
    }
    variants
        .description(Some(description))
        .build()
        .into_schema()
}

/// `TwoFactorSignIn`: the challenge and exactly one of `code` and `recovery_code`.
pub(crate) fn two_factor_sign_in() -> RefOr<Schema> {
    with_second_factor(
        &[("challenge", || string().min_length(Some(1)))],
        false,
        "`POST /api/session/two-factor`: the challenge and exactly one of `code` and \
         `recovery_code`.",
    )
}

/// `Reauthenticate`: the password and at most one of `code` and `recovery_code`.
pub(crate) fn reauthenticate() -> RefOr<Schema> {
    with_second_factor(
        &[("password", || {
            string()
                .min_length(Some(1))
                .max_length(Some(crate::validate::MAX_PASSWORD_CHARS))
        })],
        true,
        "`POST /api/session/reauthenticate`: the password and at most one of `code` and \
         `recovery_code`. With two-step verification on, one of them is needed (else 403 \
         `code_required`); a recovery code used here is spent.",
    )
}

/// `CompletePasswordReset`: the token, the new password and at most one of `code` and
/// `recovery_code`.
pub(crate) fn complete_password_reset() -> RefOr<Schema> {
    with_second_factor(
        &[
            ("reset_token", || string().min_length(Some(1))),
            ("new_password", || {
                string()
                    .min_length(Some(crate::validate::MIN_PASSWORD_CHARS))
                    .max_length(Some(crate::validate::MAX_PASSWORD_CHARS))
            }),
        ],
        true,
        "`POST /api/password-reset/complete`: the token from `/verify`, the new password and \
         at most one of `code` and `recovery_code`. With two-step verification on, one of \
         them is needed (else 403 `code_required`); a recovery code used here is spent.",
    )
}

impl utoipa::PartialSchema for crate::CompletePasswordReset {
    fn schema() -> RefOr<Schema> {
        complete_password_reset()
    }
}

impl utoipa::ToSchema for crate::CompletePasswordReset {}

impl utoipa::PartialSchema for crate::Reauthenticate {
    fn schema() -> RefOr<Schema> {
        reauthenticate()
    }
}

impl utoipa::ToSchema for crate::Reauthenticate {}

impl utoipa::PartialSchema for crate::TwoFactorSignIn {
    fn schema() -> RefOr<Schema> {
        two_factor_sign_in()
    }
}

impl utoipa::ToSchema for crate::TwoFactorSignIn {}
