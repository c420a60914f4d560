//! The input rules of `validate.rs`, each at and around its edges.

use crate::validate::*;
use crate::*;

#[test]
fn emails() {
    for ok in ["a@b.co", "first.last+tag@example.com", "x@sub.domain.org"] {
        assert_eq!(email(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a@.com",
        "a@com.",
        "a@b..com",
        "a b@c.com",
        "a@b@c.com",
        "a\u{0}@b.com",
    ] {
        assert!(email(bad).is_err(), "{bad:?} should be refused");
    }
    let long = format!("{}@example.com", "a".repeat(250));
    assert_eq!(email(&long), Err("That email address is too long."));
}

#[test]
fn phones_are_e164() {
    for ok in ["+15550100123", "+442071838750", "+1234567"] {
        assert_eq!(phone(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "15550100123",
        "+0123456789",
        "+1 555 010 0123",
        "+123456",
        "+1234567890123456",
        "+1555abc0123",
    ] {
        assert!(phone(bad).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn pins_and_codes() {
    assert_eq!(pin("2468"), Ok(()));
    for bad in ["", "246", "24680", "24a8", "２４６８"] {
        assert!(pin(bad).is_err(), "{bad:?}");
    }
    assert_eq!(six_digit_code("012345"), Ok(()));
    for bad in ["12345", "1234567", "12345a", " 12345"] {
        assert!(six_digit_code(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn password_lengths_count_characters_not_bytes() {
    assert!(new_password("1234567").is_err());
    assert_eq!(new_password("12345678"), Ok(()));
    assert_eq!(
        new_password(&"é".repeat(128)),
        Ok(()),
        "256 bytes, 128 characters"
    );
    assert!(new_password(&"a".repeat(129)).is_err());
    assert!(given_password("").is_err());
    assert!(given_password(&"a".repeat(129)).is_err());
}

#[test]
fn profile_fields() {
    assert_eq!(profile_name("Alex"), Ok(()));
    assert!(profile_name("   ").is_err());
    assert!(profile_name(&"x".repeat(31)).is_err());
    assert!(profile_name("tab\there").is_err());
    assert_eq!(avatar(AVATARS[0]), Ok(()));
    assert!(avatar("../../etc/passwd").is_err());
    for ok in ["en", "pt-BR", "zh-Hant", "es-419"] {
        assert_eq!(language(ok), Ok(()), "{ok}");
    }
    for bad in ["", "EN", "e", "english", "en_US", "en-", "-en"] {
        assert!(language(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn nicknames_may_be_empty_but_not_long() {
    assert_eq!(nickname(""), Ok(()));
    assert_eq!(nickname(&"ü".repeat(40)), Ok(()));
    assert!(nickname(&"a".repeat(41)).is_err());
    assert!(nickname("new\nline").is_err());
}

#[test]
fn requests_report_every_bad_field_by_name() {
    let change = ChangePassword {
        current_password: String::new(),
        new_password: "short".into(),
        sign_out_other_devices: true,
    };
    let fields = change.validate().err().unwrap_or_default();
    assert_eq!(
        fields.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        ["current_password", "new_password"]
    );
}

#[test]
fn two_factor_sign_in_takes_exactly_one_kind_of_code() {
    let base = TwoFactorSignIn {
        challenge: "c".into(),
        code: None,
        recovery_code: None,
    };
    assert!(base.validate().is_err(), "neither");
    let both = TwoFactorSignIn {
        code: Some("123456".into()),
        recovery_code: Some("abcd-efgh".into()),
        ..base.clone()
    };
    assert!(both.validate().is_err(), "both");
    let code = TwoFactorSignIn {
        code: Some("123456".into()),
        ..base.clone()
    };
    assert_eq!(code.validate(), Ok(()));
    let recovery = TwoFactorSignIn {
        recovery_code: Some("abcd-efgh".into()),
        ..base.clone()
    };
    assert_eq!(recovery.validate(), Ok(()));
    // Counted in characters, as the OpenAPI document's `maxLength` counts: 64 `é` (128 bytes)
    // pass, 65 don't.
    let with = |code: String| TwoFactorSignIn {
        recovery_code: Some(code),
        ..base.clone()
    };
    assert_eq!(with("é".repeat(64)).validate(), Ok(()));
    assert!(with("é".repeat(65)).validate().is_err());
}

#[test]
fn step_up_takes_at_most_one_kind_of_code() {
    let password = Reauthenticate {
        password: "correct-horse".into(),
        ..Reauthenticate::default()
    };
    // Whether a code is needed is the account's business: the server answers `code_required`.
    assert_eq!(password.validate(), Ok(()));
    let both = Reauthenticate {
        code: Some("123456".into()),
        recovery_code: Some("abcd-efgh".into()),
        ..password.clone()
    };
    assert!(both.validate().is_err(), "both");
    let short = Reauthenticate {
        code: Some("12345".into()),
        ..password.clone()
    };
    assert!(
        short
            .validate()
            .is_err_and(|fields| fields.contains_key("code"))
    );
    let recovery = Reauthenticate {
        recovery_code: Some("abcd-efgh".into()),
        ..password
    };
    assert_eq!(recovery.validate(), Ok(()));
}

#[test]
fn recovery_fields_may_be_cleared_with_empty_strings() {
    let clear = ChangeRecovery {
        recovery_email: Some(String::new()),
        recovery_phone: Some(String::new()),
    };
    assert_eq!(clear.validate(), Ok(()));
    let bad = ChangeRecovery {
        recovery_email: Some("nope".into()),
        recovery_phone: None,
    };
    assert!(
        bad.validate()
            .err()
            .unwrap_or_default()
            .contains_key("recovery_email")
    );
}

#[test]
fn names_refuse_direction_controls_and_invisible_characters() {
    for name in [
        "\u{202e}Sam",
        "Sa\u{200b}m",
        "Sam\u{2066}",
        "\u{feff}Sam",
        "Sa\u{ad}m",
    ] {
        assert!(profile_name(name).is_err(), "{name:?}");
        assert!(nickname(name).is_err(), "{name:?}");
    }
    // A joiner alone between Latin letters does nothing a reader can see: refused too.
    assert!(profile_name("Sa\u{200d}m").is_err());
    assert!(profile_name("Sa\u{200c}m").is_err());
    // Where writing needs them, the joiners stay: Persian's ZWNJ, emoji sequences.
    assert_eq!(
        profile_name("\u{0645}\u{06CC}\u{200c}\u{0634}\u{0648}\u{062F}"),
        Ok(())
    );
    assert_eq!(
        profile_name("Family \u{1F468}\u{200d}\u{1F469}\u{200d}\u{1F467}"),
        Ok(())
    );
    assert_eq!(nickname("Léa's iPad"), Ok(()));
}

#[test]
fn field_errors_are_a_json_object_in_name_order() -> Result<(), serde_json::Error> {
    let mut fields = FieldErrors::new();
    fields.insert("password".to_owned(), "Too short.".to_owned());
    fields.insert("email".to_owned(), "Not an address.".to_owned());
    fields.insert("password".to_owned(), "Too common.".to_owned());
    let json = serde_json::to_string(&fields)?;
    assert_eq!(
        json,
        r#"{"email":"Not an address.","password":"Too common."}"#
    );
    let back: FieldErrors = serde_json::from_str(&json)?;
    assert_eq!(back, fields);
    assert_eq!(
        back.get("email").map(String::as_str),
        Some("Not an address.")
    );
    assert!(!back.contains_key("name"));
    assert!(serde_json::from_str::<FieldErrors>(r#"["email"]"#).is_err());
    Ok(())
}
