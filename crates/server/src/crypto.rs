//! Random tokens, ids and codes from the operating system's CSPRNG; hashes for storing them.
//!
//! Tokens, ids and recovery codes carry enough entropy that a plain SHA-256 is the right way
//! to store them (nothing to brute-force). Passwords and 4-digit PINs carry little, so they
//! get argon2id, in `hashing.rs`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Fills `buf` from the OS. Failing to read randomness is not something to limp on with.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

/// A session cookie or challenge token: 256 bits, URL-safe base64.
pub fn token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A public id (account, profile, session): 128 bits, URL-safe base64 (never `.` or `..`).
pub fn id() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<16>())
}

pub fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// A 6-digit code for email and SMS verification, uniformly distributed.
pub fn six_digits() -> String {
    // Rejection sampling: 4_294_000_000 is the largest multiple of 1_000_000 below 2^32.
    loop {
        let n = u32::from_le_bytes(random_bytes::<4>());
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// A recovery code: 80 bits as `xxxx-xxxx-xxxx-xxxx` in lowercase Crockford-style base32
/// (no `i`, `l`, `o`, `u`: nothing to misread when copied from paper).
pub fn recovery_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let bytes = random_bytes::<10>();
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let index = ((bits >> (75 - 5 * i)) & 31) as usize;
        out.push(char::from(ALPHABET[index]));
    }
    out
}

/// How people type a recovery code back: any case, with or without dashes and spaces.
pub fn normalise_recovery_code(code: &str) -> String {
    let compact: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    compact
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A TOTP secret: 160 bits, as RFC 4226 recommends for HMAC-SHA1.
pub fn totp_secret() -> Vec<u8> {
    random_bytes::<20>().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_ids_are_long_random_and_url_safe() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64");
        assert_eq!(id().len(), 22, "128 bits in unpadded base64");
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn six_digit_codes_keep_their_leading_zeros() {
        for _ in 0..200 {
            let code = six_digits();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn recovery_codes_survive_how_people_type_them_back() {
        let code = recovery_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let typed = code.to_uppercase().replace('-', " ");
        assert_eq!(normalise_recovery_code(&typed), code);
    }
}
