//! Input rules, shared: the server enforces them (422 `invalid_fields`) and the app checks
//! them before sending, so both say the same thing in the same words.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    AVATARS, ChangeEmail, ChangePassword, ChangePhone, ChangeRecovery, CompletePasswordReset,
    ConfirmTotp, MAX_NICKNAME_CHARS, NewProfile, ProfileLock, ProfilePatch, Reauthenticate,
    RenameDevice, RequestPasswordReset, SelectProfile, SignIn, SignOutAll, TwoFactorSignIn,
    VerifyCode, VerifyPasswordReset,
};

/// Field name → what is wrong with it, for people. The `fields` of an error body, a JSON
/// object.
///
/// A list in name order, not a `BTreeMap`: the app decodes error bodies in the shell every
/// page loads, where a B-tree's insert, search, clone and drop were 1.7 KB brotli; an error
/// names a field or two.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Says `message` about `field`, in place of what was said about it before.
    pub fn insert(&mut self, field: String, message: String) {
        match self
            .0
            .binary_search_by(|(name, _)| name.as_str().cmp(&field))
        {
            Ok(at) => self.0[at].1 = message,
            Err(at) => self.0.insert(at, (field, message)),
        }
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, m)| m)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each field and its message, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(name, m)| (name.as_str(), m.as_str()))
    }
}

impl<const N: usize> From<[(String, String); N]> for FieldErrors {
    fn from(pairs: [(String, String); N]) -> Self {
        let mut fields = FieldErrors::new();
        for (field, message) in pairs {
            fields.insert(field, message);
        }
        fields
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for FieldErrors {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = FieldErrors;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of field names and messages")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldErrors, A::Error> {
                let mut fields = FieldErrors::new();
                while let Some((field, message)) = map.next_entry()? {
                    fields.insert(field, message);
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_PROFILE_NAME_CHARS: usize = 30;
/// Longer than any recovery code, in characters (as JSON Schema's `maxLength` counts).
pub const MAX_RECOVERY_CODE_CHARS: usize = 64;

type Rule = Result<(), &'static str>;

/// A request body whose fields can be checked without the database.
pub trait Validate {
    fn validate(&self) -> Result<(), FieldErrors>;
}

#[derive(Default)]
struct Problems(FieldErrors);

impl Problems {
    fn check(&mut self, field: &str, rule: Rule) -> &mut Self {
        // The first problem found with a field is the one it shows.
        if let Err(message) = rule
            && !self.0.contains_key(field)
        {
            self.0.insert(field.to_owned(), message.to_owned());
        }
        self
    }

    /// Checks an optional field only when it is there.
    fn check_if_present(
        &mut self,
        field: &str,
        value: Option<&String>,
        rule: fn(&str) -> Rule,
    ) -> &mut Self {
        match value {
            Some(value) => self.check(field, rule(value)),
            None => self,
        }
    }

    fn finish(&mut self) -> Result<(), FieldErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(std::mem::take(&mut self.0))
        }
    }
}

fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// Characters that change how a name reads without being seen: text-direction controls
/// (`\u{202E}Sam` shows as "maS") and zero-width characters ("Sa\u{200B}m" looks like "Sam").
/// The two joiners that writing needs stay allowed where they do their work, as IDNA's
/// CONTEXTJ rules allow them: U+200C between letters of scripts that use it (Arabic, Persian,
/// the Indic scripts), U+200D between emoji (family and flag sequences).
fn has_hidden_chars(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let around = |ok: fn(char) -> bool| {
            i > 0 && ok(chars[i - 1]) && chars.get(i + 1).is_some_and(|&next| ok(next))
        };
        match c {
            '\u{200C}' => !around(joins_with_zwnj),
            '\u{200D}' => !around(is_pictograph),
            '\u{061C}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{180E}'
            | '\u{00AD}' => true,
            _ => false,
        }
    })
}

fn joins_with_zwnj(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{08FF}' | '\u{0900}'..='\u{0DFF}' | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFC}')
}

fn is_pictograph(c: char) -> bool {
    // Emoji, their modifiers and variation selectors: none is a letter that could pass for
    // another name.
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{FE0F}' | '\u{1F000}'..='\u{1FAFF}')
}

const HIDDEN_CHARS: &str = "Remove invisible characters and text-direction marks.";

/// A plausible address: one `@`, something before it, a dotted domain after it, no spaces.
/// Whether it receives mail is what the verification code finds out.
pub fn email(s: &str) -> Rule {
    let invalid = "Enter an email address like name@example.com.";
    if s.chars().count() > MAX_EMAIL_CHARS {
        return Err("That email address is too long.");
    }
    let (local, domain) = s.split_once('@').ok_or(invalid)?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok || s.chars().any(char::is_whitespace) || has_control_chars(s)
    {
        return Err(invalid);
    }
    Ok(())
}

/// E.164: `+`, a country code that doesn't start with 0, at most 15 digits in all.
pub fn phone(s: &str) -> Rule {
    let digits = s.strip_prefix('+').unwrap_or_default();
    let ok = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err("Enter the number with its country code, like +1 555 010 0123, without spaces.")
    }
}

pub fn pin(s: &str) -> Rule {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("The PIN is 4 digits.")
    }
}

/// The 6-digit codes sent by email or SMS and shown by authenticator apps.
pub fn six_digit_code(s: &str) -> Rule {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("The code is 6 digits.")
    }
}

/// Length only; strength is the server's check (`weak_password`).
pub fn new_password(s: &str) -> Rule {
    let n = s.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err("Use at least 8 characters.")
    } else if n > MAX_PASSWORD_CHARS {
        Err("Use at most 128 characters.")
    } else {
        Ok(())
    }
}

/// A password being checked, not chosen: present and not absurdly long.
pub fn given_password(s: &str) -> Rule {
    if s.is_empty() {
        Err("Enter your password.")
    } else if s.chars().count() > MAX_PASSWORD_CHARS {
        Err("That password is too long.")
    } else {
        Ok(())
    }
}

pub fn profile_name(s: &str) -> Rule {
    if s.trim().is_empty() {
        Err("Give the profile a name.")
    } else if s.chars().count() > MAX_PROFILE_NAME_CHARS {
        Err("Use at most 30 characters.")
    } else if has_control_chars(s) {
        Err("Use letters, digits, spaces and punctuation only.")
    } else if has_hidden_chars(s) {
        Err(HIDDEN_CHARS)
    } else {
        Ok(())
    }
}

pub fn avatar(s: &str) -> Rule {
    if AVATARS.contains(&s) {
        Ok(())
    } else {
        Err("Choose one of the avatars.")
    }
}

/// A BCP 47 tag in its common shape: `en`, `pt-BR`, `zh-Hant`.
pub fn language(s: &str) -> Rule {
    let mut parts = s.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok && s.len() <= 35 {
        Ok(())
    } else {
        Err("Choose a language from the list.")
    }
}

/// Empty is allowed: it clears the nickname.
pub fn nickname(s: &str) -> Rule {
    if s.chars().count() > MAX_NICKNAME_CHARS {
        Err("Use at most 40 characters.")
    } else if has_control_chars(s) {
        Err("Use letters, digits, spaces and punctuation only.")
    } else if has_hidden_chars(s) {
        Err(HIDDEN_CHARS)
    } else {
        Ok(())
    }
}

fn required(s: &str, message: &'static str) -> Rule {
    if s.is_empty() { Err(message) } else { Ok(()) }
}

impl Validate for SignIn {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("email", required(&self.email, "Enter your email address."))
            .check(
                "email",
                (self.email.chars().count() <= MAX_EMAIL_CHARS)
                    .then_some(())
                    .ok_or("That email address is too long."),
            )
            .check("password", given_password(&self.password))
            .finish()
    }
}

impl Validate for TwoFactorSignIn {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut p = Problems::default();
        p.check("challenge", required(&self.challenge, "Sign in again."));
        second_factor(&mut p, &self.code, &self.recovery_code, true);
        p.finish()
    }
}

/// One of a TOTP code and a recovery code; `required` says whether neither is a problem.
fn second_factor(
    p: &mut Problems,
    code: &Option<String>,
    recovery_code: &Option<String>,
    required: bool,
) {
    match (code, recovery_code) {
        (Some(code), None) => p.check("code", six_digit_code(code)),
        (None, Some(code)) => p.check(
            "recovery_code",
            (!code.trim().is_empty() && code.chars().count() <= MAX_RECOVERY_CODE_CHARS)
                .then_some(())
                .ok_or("Enter one of your recovery codes."),
        ),
        (None, None) if !required => p,
        _ => p.check(
            "code",
            Err("Enter the code from your authenticator app, or a recovery code."),
        ),
    };
}

impl Validate for Reauthenticate {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut p = Problems::default();
        p.check("password", given_password(&self.password));
        // Whether a code is needed depends on the account: the handler says so (403).
        second_factor(&mut p, &self.code, &self.recovery_code, false);
        p.finish()
    }
}

impl Validate for NewProfile {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("name", profile_name(&self.name))
            .check("avatar", avatar(&self.avatar))
            .check("language", language(&self.language))
            .finish()
    }
}

impl Validate for ProfilePatch {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check_if_present("name", self.name.as_ref(), profile_name)
            .check_if_present("avatar", self.avatar.as_ref(), avatar)
            .check_if_present("language", self.language.as_ref(), language)
            .finish()
    }
}

impl Validate for SelectProfile {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check_if_present("pin", self.pin.as_ref(), pin)
            .finish()
    }
}

impl Validate for ProfileLock {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default().check("pin", pin(&self.pin)).finish()
    }
}

impl Validate for ChangePassword {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("current_password", given_password(&self.current_password))
            .check("new_password", new_password(&self.new_password))
            .finish()
    }
}

impl Validate for RequestPasswordReset {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("email", email(&self.email))
            .finish()
    }
}

impl Validate for VerifyPasswordReset {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("email", email(&self.email))
            .check("code", six_digit_code(&self.code))
            .finish()
    }
}

impl Validate for CompletePasswordReset {
    fn validate(&self) -> Result<(), FieldErrors> {
        let mut p = Problems::default();
        p.check(
            "reset_token",
            required(&self.reset_token, "Ask for a new code."),
        );
        p.check("new_password", new_password(&self.new_password));
        // Whether a code is needed depends on the account: the handler says so (403).
        second_factor(&mut p, &self.code, &self.recovery_code, false);
        p.finish()
    }
}

impl Validate for ChangeEmail {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("email", email(&self.email))
            .finish()
    }
}

impl Validate for ChangePhone {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("phone", phone(&self.phone))
            .finish()
    }
}

impl Validate for ConfirmTotp {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("code", six_digit_code(&self.code))
            .finish()
    }
}

impl Validate for VerifyCode {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("code", six_digit_code(&self.code))
            .finish()
    }
}

impl Validate for ChangeRecovery {
    fn validate(&self) -> Result<(), FieldErrors> {
        // An empty string clears the field, so only a non-empty one is checked.
        fn given(field: &Option<String>) -> Option<&String> {
            field.as_ref().filter(|v| !v.is_empty())
        }
        Problems::default()
            .check_if_present("recovery_email", given(&self.recovery_email), email)
            .check_if_present("recovery_phone", given(&self.recovery_phone), phone)
            .finish()
    }
}

impl Validate for RenameDevice {
    fn validate(&self) -> Result<(), FieldErrors> {
        Problems::default()
            .check("nickname", nickname(&self.nickname))
            .finish()
    }
}

impl Validate for SignOutAll {
    /// A lone boolean: serde has checked all there is.
    fn validate(&self) -> Result<(), FieldErrors> {
        Ok(())
    }
}
