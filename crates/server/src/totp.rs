//! Two-step verification with authenticator apps (RFC 6238 TOTP through totp-rs): set-up
//! material, and code checks that never accept the same code twice.

use hallpass_api::TotpSetup;
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Secret, TOTP};

const ISSUER: &str = "Hallpass";
const STEP: u64 = 30;

fn totp(secret: Vec<u8>, account: &str) -> TOTP {
    // SHA-1, 6 digits, 30 s: the only combination every authenticator app supports.
    // Skew 1 accepts the codes of the neighbouring steps, for clocks that drift.
    // Unchecked because `TOTP::new` refuses a `:` in the account name, and an email address
    // may hold one (`riley:tv@example.test`). The label is still unambiguous: the issuer has
    // no `:`, and `get_url` percent-encodes the account (`:` → `%3A`, Google's Key URI
    // Format), so an authenticator splits `Hallpass:riley%3Atv%40example.test` at the first
    // colon and shows the address as typed. The other checks of `new` (6 digits, a secret of
    // at least 128 bits) hold for every secret this server makes.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        secret,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
}

/// What the set-up screen shows: the secret in base32, the `otpauth://` URI and its QR code.
pub fn setup(secret: Vec<u8>, account: &str) -> Option<TotpSetup> {
    let totp = totp(secret, account);
    let uri = totp.get_url();
    let qr_svg = QrCode::new(uri.as_bytes())
        .ok()?
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(TotpSetup {
        secret: totp.get_secret_base32(),
        otpauth_uri: uri,
        qr_svg,
    })
}

/// The step whose code `code` is, if it is a valid code at `now` and its step is later than
/// `last_step` (a code already used, or an older one, is refused: no replay).
pub fn check(
    secret_base32: &str,
    account: &str,
    code: &str,
    last_step: Option<i64>,
    now: i64,
) -> Option<i64> {
    let secret = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    let totp = totp(secret, account);
    let now = u64::try_from(now).ok()?;
    let current = now / STEP;
    (current.saturating_sub(1)..=current + 1)
        .filter_map(|step| i64::try_from(step).ok().map(|s| (step, s)))
        .filter(|(_, s)| last_step.is_none_or(|last| *s > last))
        .find(|(step, _)| constant_time_eq(totp.generate(step * STEP).as_bytes(), code.as_bytes()))
        .map(|(_, s)| s)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The current code for `secret_base32`: for the demo and the tests, which play the
/// authenticator app.
pub fn code_at(secret_base32: &str, now: i64) -> Option<String> {
    let secret = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    Some(totp(secret, "x").generate(u64::try_from(now).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_338_843;

    #[test]
    fn set_up_gives_a_uri_and_an_svg_qr_code() {
        let setup = setup(vec![7; 20], "demo@hallpass.test").unwrap_or_else(|| unreachable!());
        assert!(
            setup
                .otpauth_uri
                .starts_with("otpauth://totp/Hallpass:demo%40hallpass.test?"),
            "{}",
            setup.otpauth_uri
        );
        assert!(
            setup
                .otpauth_uri
                .contains(&format!("secret={}", setup.secret))
        );
        assert!(setup.qr_svg.contains("<svg"));
    }

    #[test]
    fn an_address_with_a_colon_is_percent_encoded_in_the_label() {
        let setup = setup(vec![5; 20], "riley:tv@example.test").unwrap_or_else(|| unreachable!());
        assert!(
            setup
                .otpauth_uri
                .starts_with("otpauth://totp/Hallpass:riley%3Atv%40example.test?"),
            "{}",
            setup.otpauth_uri
        );
        let code = code_at(&setup.secret, NOW).unwrap_or_default();
        let step = check(&setup.secret, "riley:tv@example.test", &code, None, NOW);
        assert_eq!(step, Some(NOW / 30));
    }

    #[test]
    fn a_code_is_accepted_once_and_never_again() {
        let secret = setup(vec![9; 20], "a@b.test")
            .map(|s| s.secret)
            .unwrap_or_default();
        let code = code_at(&secret, NOW).unwrap_or_default();
        let step = check(&secret, "a@b.test", &code, None, NOW);
        assert_eq!(step, Some(NOW / 30));
        assert_eq!(
            check(&secret, "a@b.test", &code, step, NOW),
            None,
            "replayed"
        );
        assert_eq!(
            check(&secret, "a@b.test", "000000", None, NOW).is_some(),
            code == "000000"
        );
    }

    #[test]
    fn codes_from_the_neighbouring_steps_are_accepted_for_clock_drift() {
        let secret = setup(vec![3; 20], "a@b.test")
            .map(|s| s.secret)
            .unwrap_or_default();
        let previous = code_at(&secret, NOW - 30).unwrap_or_default();
        let stale = code_at(&secret, NOW - 90).unwrap_or_default();
        assert!(check(&secret, "a@b.test", &previous, None, NOW).is_some());
        assert_eq!(
            check(&secret, "a@b.test", &stale, None, NOW).is_some(),
            stale == previous
        );
    }
}
