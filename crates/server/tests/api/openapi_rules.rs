//! The OpenAPI document states the input rules `hallpass_api::validate` enforces, so a client
//! (or schemathesis, `cargo xtask test api-fuzz`) knows what the server will refuse. Each
//! pattern is checked against the Rust rule over every short string of an alphabet chosen
//! from the rule's edge cases, so document and code can't drift apart.

use hallpass_api::validate;
use regex::Regex;
use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(hallpass_server::openapi()).expect("serialises")
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no schema {name}");
    schema
}

/// The non-null branch of a nullable field, or the field itself.
fn field<'a>(schema: &'a Value, name: &str) -> &'a Value {
    let field = &schema["properties"][name];
    assert!(field.is_object(), "no field {name}");
    field["oneOf"]
        .as_array()
        .and_then(|branches| branches.iter().find(|b| b["type"] != "null"))
        .unwrap_or(field)
}

fn pattern(field: &Value) -> Regex {
    let pattern = field["pattern"].as_str().expect("a pattern");
    Regex::new(pattern).unwrap_or_else(|err| panic!("{pattern}: {err}"))
}

/// Every string of `alphabet` up to `max_len` characters.
fn strings(alphabet: &[char], max_len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..max_len {
        last = last
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        all.extend(last.iter().cloned());
    }
    all
}

/// The document accepts exactly what `rule` accepts, over `samples`.
fn agrees(
    what: &str,
    field: &Value,
    samples: &[String],
    rule: impl Fn(&str) -> Result<(), &'static str>,
) {
    let pattern = pattern(field);
    let min = field["minLength"].as_u64().unwrap_or(0) as usize;
    let max = field["maxLength"]
        .as_u64()
        .map_or(usize::MAX, |m| m as usize);
    for s in samples {
        let n = s.chars().count();
        let documented = pattern.is_match(s) && (min..=max).contains(&n);
        assert_eq!(
            documented,
            rule(s).is_ok(),
            "{what}: the document and the server disagree on {s:?} ({:x?})",
            s.chars().map(u32::from).collect::<Vec<_>>()
        );
    }
}

/// Characters at the edges of the name rules: controls, spaces, hidden characters, the two
/// joiners and what they may join (Arabic and Devanagari letters, emoji).
const NAME_EDGES: &[char] = &[
    'a',
    ' ',
    '\t',
    '\u{0}',
    '\u{7F}',
    '\u{85}',
    '\u{A0}',
    '\u{AD}',
    '\u{61C}',
    '\u{628}',
    '\u{915}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{200E}',
    '\u{202E}',
    '\u{2066}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{180E}',
    '\u{3000}',
    '\u{1F600}',
    '\u{2764}',
    '\u{FE0F}',
    'é',
];

#[test]
fn profile_names_and_nicknames_are_documented_as_the_server_checks_them() {
    let doc = document();
    let mut samples = strings(NAME_EDGES, 3);
    samples.push("x".repeat(30));
    samples.push("x".repeat(31));
    samples.push("x".repeat(40));
    samples.push("x".repeat(41));
    let name = field(schema(&doc, "NewProfile"), "name");
    agrees("NewProfile.name", name, &samples, validate::profile_name);
    assert_eq!(
        field(schema(&doc, "ProfilePatch"), "name"),
        name,
        "a new name and a changed one follow the same rule"
    );
    let nickname = field(schema(&doc, "RenameDevice"), "nickname");
    agrees(
        "RenameDevice.nickname",
        nickname,
        &samples,
        validate::nickname,
    );
}

#[test]
fn email_addresses_are_documented_as_the_server_checks_them() {
    let doc = document();
    let mut samples = strings(&['a', '@', '.', ' ', '\u{0}', '\u{85}', '\u{A0}', 'é'], 5);
    samples.push(format!("a@{}.test", "b".repeat(248)));
    samples.push(format!("a@{}.test", "b".repeat(249)));
    let email = field(schema(&doc, "ChangeEmail"), "email");
    assert!(
        email["format"].is_null(),
        "the server checks the pattern, no more"
    );
    agrees("ChangeEmail.email", email, &samples, validate::email);
    let recovery = &schema(&doc, "ChangeRecovery")["properties"]["recovery_email"]["oneOf"][0];
    assert_eq!(recovery, email, "a recovery address follows the same rule");
}

#[test]
fn languages_phones_pins_and_codes_are_documented_as_the_server_checks_them() {
    let doc = document();
    let mut languages = strings(&['a', 'B', '1', '-'], 5);
    languages.extend(
        [
            "en",
            "pt-BR",
            "zh-Hant",
            "abcd",
            "en-",
            "en-abcdefghi",
            "en-abcdefgh",
        ]
        .map(String::from),
    );
    languages.push(format!("en{}", "-abcdefgh".repeat(4)));
    languages.push(format!("en{}", "-abcdefgh".repeat(3)));
    for schema_name in ["NewProfile", "ProfilePatch"] {
        let language = field(schema(&doc, schema_name), "language");
        agrees(schema_name, language, &languages, validate::language);
    }

    let mut phones = strings(&['+', '0', '1', 'a'], 4);
    for n in 5..=17 {
        phones.push(format!("+1{}", "5".repeat(n)));
        phones.push(format!("+0{}", "5".repeat(n)));
    }
    let phone = field(schema(&doc, "ChangePhone"), "phone");
    agrees("ChangePhone.phone", phone, &phones, validate::phone);
    let recovery = &schema(&doc, "ChangeRecovery")["properties"]["recovery_phone"]["oneOf"][0];
    agrees(
        "ChangeRecovery.recovery_phone",
        recovery,
        &phones,
        validate::phone,
    );

    let digits = strings(&['1', '0', 'a', '\u{661}'], 7);
    let lock = field(schema(&doc, "ProfileLock"), "pin");
    agrees("ProfileLock.pin", lock, &digits, validate::pin);
    let select = field(schema(&doc, "SelectProfile"), "pin");
    agrees("SelectProfile.pin", select, &digits, validate::pin);
    let code = field(schema(&doc, "VerifyCode"), "code");
    agrees("VerifyCode.code", code, &digits, validate::six_digit_code);
    let two_step = &schema(&doc, "TwoFactorSignIn")["oneOf"];
    let with_code = field(&two_step[0], "code");
    agrees(
        "TwoFactorSignIn.code",
        with_code,
        &digits,
        validate::six_digit_code,
    );

    let recovery_code = field(&two_step[1], "recovery_code");
    let spaces = strings(
        &[
            'a', ' ', '\t', '\u{0}', '\u{85}', '\u{A0}', '\u{FEFF}', '\u{3000}',
        ],
        3,
    );
    agrees(
        "TwoFactorSignIn.recovery_code",
        recovery_code,
        &spaces,
        |s| {
            (!s.trim().is_empty() && s.chars().count() <= validate::MAX_RECOVERY_CODE_CHARS)
                .then_some(())
                .ok_or("blank")
        },
    );
}

#[test]
fn the_avatar_list_and_the_password_lengths_are_the_codes() {
    let doc = document();
    let avatars: Vec<&str> = hallpass_api::AVATARS.to_vec();
    for schema_name in ["NewProfile", "ProfilePatch"] {
        let listed: Vec<&str> = field(schema(&doc, schema_name), "avatar")["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(|v| v.as_str().expect("a string"))
            .collect();
        assert_eq!(listed, avatars, "{schema_name}.avatar");
    }
    let lengths = |schema_name: &str, field_name: &str| {
        let f = field(schema(&doc, schema_name), field_name);
        (f["minLength"].as_u64(), f["maxLength"].as_u64())
    };
    let max = Some(validate::MAX_PASSWORD_CHARS as u64);
    let min_new = Some(validate::MIN_PASSWORD_CHARS as u64);
    assert_eq!(lengths("ChangePassword", "new_password"), (min_new, max));
    for (schema_name, field_name) in [
        ("ChangePassword", "current_password"),
        ("SignIn", "password"),
    ] {
        assert_eq!(
            lengths(schema_name, field_name),
            (Some(1), max),
            "{schema_name}"
        );
    }
    // Step-up's body is a `oneOf` (no code, a code, or a recovery code): the password is the
    // same in each.
    let step_up = schema(&doc, "Reauthenticate")["oneOf"]
        .as_array()
        .expect("oneOf");
    assert_eq!(step_up.len(), 3);
    for branch in step_up {
        let password = field(branch, "password");
        assert_eq!(
            (
                password["minLength"].as_u64(),
                password["maxLength"].as_u64()
            ),
            (Some(1), max)
        );
    }
    let email = Some(validate::MAX_EMAIL_CHARS as u64);
    assert_eq!(lengths("SignIn", "email"), (Some(1), email));
}

#[test]
fn two_step_sign_in_takes_a_code_or_a_recovery_code_never_both() {
    let doc = document();
    let branches = schema(&doc, "TwoFactorSignIn")["oneOf"]
        .as_array()
        .expect("oneOf");
    let required: Vec<Vec<&str>> = branches
        .iter()
        .map(|b| {
            assert_eq!(b["additionalProperties"], false);
            b["required"]
                .as_array()
                .expect("required")
                .iter()
                .map(|v| v.as_str().expect("a name"))
                .collect()
        })
        .collect();
    assert_eq!(
        required,
        [
            vec!["challenge", "code"],
            vec!["challenge", "recovery_code"]
        ]
    );
    assert_eq!(branches[0]["properties"]["recovery_code"]["type"], "null");
    assert_eq!(branches[1]["properties"]["code"]["type"], "null");
}
