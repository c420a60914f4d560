//! Values as people read them: phone numbers in groups, prices with their currency sign,
//! names with a capital.
//!
//! Hand-written and small on purpose: a full numbering-plan library (libphonenumber's tables)
//! would cost more of the wasm than the whole Account page. The API stores E.164, so all
//! that is needed is where the country code ends and how to group the rest.

/// Country codes of two digits (ITU-T E.164 assignments); `1` and `7` are the only ones of
/// one digit, and every other code has three.
const TWO_DIGIT_CODES: [u8; 44] = [
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
    57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
];

/// How many digits the country code of `digits` (an E.164 number without its `+`) has.
fn country_code_len(digits: &str) -> usize {
    let first = digits.as_bytes().first().copied().unwrap_or(b'0');
    if first == b'1' || first == b'7' {
        return 1;
    }
    let two: u8 = digits.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
    if TWO_DIGIT_CODES.contains(&two) { 2 } else { 3 }
}

/// An E.164 number (`+351912345678`) as people write it (`+351 912 345 678`).
///
/// North American numbers (`+1`) take their own 3-3-4 pattern; elsewhere the national number
/// is grouped in threes, with a group of four at the end rather than a lone digit, and a group
/// of two at the start rather than one at the end. Anything that isn't E.164 is shown as given.
pub fn phone(e164: &str) -> String {
    let Some(digits) = e164.strip_prefix('+') else {
        return e164.to_owned();
    };
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return e164.to_owned();
    }
    let (code, national) = digits.split_at(country_code_len(digits));
    let sizes: Vec<usize> = if code == "1" && national.len() == 10 {
        vec![3, 3, 4]
    } else {
        let n = national.len();
        match n % 3 {
            _ if n <= 4 => vec![n],
            0 => vec![3; n / 3],
            1 => [vec![3; n / 3 - 1], vec![4]].concat(),
            _ => [vec![2], vec![3; n / 3]].concat(),
        }
    };
    let mut out = format!("+{code}");
    let mut rest = national;
    for size in sizes {
        let (group, tail) = rest.split_at(size.min(rest.len()));
        out.push(' ');
        out.push_str(group);
        rest = tail;
    }
    out
}

/// A plan's price as a price: `("15.49", "USD")` is `$15.49`. Currencies without a sign
/// here keep their ISO code after the amount (`15.49 CHF`), which is never wrong.
pub fn price(amount: &str, currency: &str) -> String {
    let sign = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        "BRL" => "R$",
        "CAD" => "CA$",
        "AUD" => "A$",
        _ => return format!("{amount} {currency}"),
    };
    format!("{sign}{amount}")
}

/// `word` with its first letter in upper case ("google" is "Google"), for our own ASCII
/// words: a provider's wire name, an avatar's. ASCII only on purpose: `char::to_uppercase`
/// carries Unicode's case tables into the wasm (about 5 KB brotli a page); a word that starts
/// with any other letter is left as it is.
pub fn capitalised(word: &str) -> String {
    let mut word = word.to_owned();
    if let Some(first) = word.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    word
}

#[cfg(test)]
mod tests {
    use super::{capitalised, phone, price};

    #[test]
    fn capitalised_raises_an_ascii_first_letter_and_leaves_the_rest() {
        assert_eq!(capitalised("google"), "Google");
        assert_eq!(capitalised("sunrise"), "Sunrise");
        assert_eq!(capitalised(""), "");
        assert_eq!(capitalised("élan"), "élan");
    }

    #[test]
    fn phone_numbers_are_grouped_by_country() {
        for (wire, shown) in [
            ("+351912345678", "+351 912 345 678"),
            ("+13125550142", "+1 312 555 0142"),
            ("+442079460018", "+44 207 946 0018"),
            ("+4915112345678", "+49 15 112 345 678"),
            ("+33612345678", "+33 612 345 678"),
            ("+79161234567", "+7 916 123 4567"),
            ("+8613812345678", "+86 13 812 345 678"),
            ("+3531234567", "+353 123 4567"),
            ("+1234", "+1 234"),
        ] {
            assert_eq!(phone(wire), shown, "{wire}");
        }
    }

    #[test]
    fn anything_else_is_shown_as_given() {
        for odd in ["", "0912345678", "+", "+12", "+35191234567x"] {
            assert_eq!(phone(odd), odd);
        }
    }

    #[test]
    fn prices_carry_their_currency() {
        assert_eq!(price("15.49", "USD"), "$15.49");
        assert_eq!(price("11.99", "EUR"), "€11.99");
        assert_eq!(price("20.00", "CHF"), "20.00 CHF");
    }
}
