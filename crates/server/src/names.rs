//! Names people give things (profiles, device nicknames): one form to store, and a way to tell
//! when two names would look the same on screen.
//!
//! `hallpass_api::validate` already refuses control, direction and invisible characters (the
//! app checks the same rule as it is typed); here names get the work that needs Unicode's
//! tables, which the browser app shouldn't carry.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// Trimmed and in NFC, so "Zoé" typed with a combining accent and "Zoé" typed precomposed are
/// stored, compared and shown as the same name.
pub fn normalise(name: &str) -> String {
    name.trim().nfc().collect()
}

/// Whether `a` and `b` could be taken for one another: equal ignoring case after Unicode TR 39's
/// confusable mapping ("Ѕam" with a Cyrillic Ѕ, "Sam", "SAM", "5am"? no: only look-alikes
/// listed by Unicode, such as Latin "l" and digit "1").
pub fn look_alike(a: &str, b: &str) -> bool {
    key(a) == key(b)
}

/// Case is folded before and after the mapping: the table maps some capitals to lowercase
/// look-alikes and the other way round.
fn key(name: &str) -> String {
    skeleton(&name.to_lowercase())
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stored_in_one_form() {
        assert_eq!(normalise("  Zoe\u{301} "), "Zo\u{e9}");
    }

    #[test]
    fn look_alikes_are_the_same_name() {
        assert!(look_alike("Sam", "\u{405}am"), "Cyrillic capital DZE");
        assert!(look_alike("sam", "SAM"));
        assert!(look_alike("Zo\u{e9}", "Zoe\u{301}"));
        assert!(look_alike("Paypal", "PayPa1"));
        assert!(!look_alike("Sam", "Pam"));
        assert!(!look_alike("Alex", "Alexa"));
    }
}
