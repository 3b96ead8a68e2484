//! What a cashier's search at the POS matches, made from what was typed.

use super::rules::SHORTEST_PHONE;

/// A POS search: the term anywhere in a name, an email, a phone, an account
/// or a temporary id, whatever the case of its letters in any alphabet
/// ("åsa" finds "Åsa", not A to Z only); and a phone number typed with or
/// without its spaces, dashes and brackets, by its digits ("7135550100"
/// finds "+1 (713) 555-0100").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSearch {
    /// A regular expression (SQLite's `REGEXP`, the `regex` crate's syntax)
    /// that finds the term literally, ignoring case.
    pub pattern: String,
    /// The term's digits, when it reads as a phone number or a part of one.
    pub phone_digits: Option<String>,
}

/// What a phone number is written with besides its digits.
const PHONE_PUNCTUATION: [char; 6] = [' ', '+', '-', '(', ')', '.'];

/// Fewer digits than this would find nearly every phone.
const PHONE_DIGITS_AT_LEAST: usize = 3;

/// The characters the `regex` crate reads as more than themselves.
const REGEX_META: &str = r"\.+*?()|[]{}^$#&-~";

impl CustomerSearch {
    pub fn new(term: &str) -> Self {
        let term = term.trim();
        let digits: String = term.chars().filter(char::is_ascii_digit).collect();
        let phone_like = term
            .chars()
            .all(|c| c.is_ascii_digit() || PHONE_PUNCTUATION.contains(&c));
        Self {
            pattern: format!("(?i){}", regex_literal(term)),
            phone_digits: (phone_like && digits.len() >= PHONE_DIGITS_AT_LEAST).then_some(digits),
        }
    }
}

/// A phone number's key for a search by its last digits, however it was
/// written: its digits in reverse order, so that the phones ending with the
/// digits typed are a range of an index ("+1 (713) 555-0150" is
/// "05105553171", found by "555 0150" or "7135550150").
pub fn phone_key(phone: &str) -> String {
    phone.chars().rev().filter(char::is_ascii_digit).collect()
}

/// The phone numbers that the number typed (its `digits`) ends with,
/// shorter than it by a country code at most (one to three digits) and a
/// phone number still: a number typed with its country code finds the
/// phone stored without it ("+1 713 555 0150" finds "713 555 0150").
pub fn numbers_it_ends_with(digits: &str) -> Vec<String> {
    const LONGEST_COUNTRY_CODE: usize = 3;
    (SHORTEST_PHONE.max(digits.len().saturating_sub(LONGEST_COUNTRY_CODE))..digits.len())
        .filter_map(|length| digits.get(digits.len() - length..))
        .map(str::to_string)
        .collect()
}

/// A regular expression (SQLite's `REGEXP`) that finds the text starting
/// with `term`, whatever the case of its letters.
pub fn prefix_pattern(term: &str) -> String {
    format!("(?i)^{}", regex_literal(term))
}

/// `text` folded for a search that ignores the case of letters in any
/// alphabet, as a text index can read it (SQLite's `lower()`, and
/// PostgreSQL's under the byte order HQ's columns use, change A to Z only):
/// each letter as its lower case, the final sigma as any sigma. A letter
/// whose lower case is two letters (İ) stays as it is, as the POS's search
/// leaves it (`(?i)` is simple case folding).
pub fn fold_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some('ς'), None) => 'σ',
                (Some(one), None) => one,
                _ => c,
            }
        })
        .collect()
}

/// `text` as a regular expression that finds it as it is.
fn regex_literal(text: &str) -> String {
    let mut literal = String::with_capacity(text.len());
    for c in text.chars() {
        if REGEX_META.contains(c) {
            literal.push('\\');
        }
        literal.push(c);
    }
    literal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_found_literally_whatever_its_case() {
        assert_eq!(CustomerSearch::new("  åsa ").pattern, "(?i)åsa");
        assert_eq!(CustomerSearch::new("a.b+c@x(1)").pattern, r"(?i)a\.b\+c@x\(1\)");
    }

    #[test]
    fn folding_lowers_letters_of_any_alphabet_and_every_sigma() {
        assert_eq!(fold_case("Åsa ÖBERG"), "åsa öberg");
        assert_eq!(fold_case("ΣΟΦΊΑ Νικολάου"), "σοφία νικολάου");
        assert_eq!(
            fold_case("Παπαδόπουλος"),
            fold_case("ΠΑΠΑΔΌΠΟΥΛΟΣ"),
            "final sigma"
        );
        assert_eq!(fold_case("İlker"), "İlker", "two letters in lower case");
        assert_eq!(fold_case("C000123-ab"), "c000123-ab");
    }

    #[test]
    fn a_phone_key_is_its_digits_from_the_last() {
        assert_eq!(phone_key("+1 (713) 555-0150"), "05105553171");
        assert!(phone_key("+1 (713) 555-0150").starts_with(&phone_key("555 0150")));
        assert_eq!(phone_key(""), "");
    }

    #[test]
    fn a_number_typed_with_its_country_code_finds_the_phones_it_ends_with() {
        assert_eq!(
            numbers_it_ends_with("17135550150"),
            ["35550150", "135550150", "7135550150"]
        );
        assert_eq!(
            numbers_it_ends_with("35550150"),
            ["5550150"],
            "the shortest phone"
        );
        assert!(numbers_it_ends_with("5550150").is_empty());
    }

    #[test]
    fn a_prefix_pattern_anchors_the_term_and_reads_it_literally() {
        assert_eq!(prefix_pattern("ö.b"), r"(?i)^ö\.b");
    }

    #[test]
    fn a_term_written_as_a_phone_number_is_searched_by_its_digits() {
        let digits = |term: &str| CustomerSearch::new(term).phone_digits;
        assert_eq!(digits("7135550100").as_deref(), Some("7135550100"));
        assert_eq!(digits("+1 (713) 555-0100").as_deref(), Some("17135550100"));
        assert_eq!(digits("555.01").as_deref(), Some("55501"));
        assert_eq!(digits("12"), None, "too few digits");
        assert_eq!(digits("C000123"), None, "an account");
        assert_eq!(digits("Suite 100"), None);
    }
}
