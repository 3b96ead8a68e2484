//! What a cashier's search at the POS matches, made from what was typed.

use super::rules::SHORTEST_PHONE;

/// A POS search: the term anywhere in a name, an email, a phone, an account
/// or a temporary id, whatever the case of its letters in any alphabet
/// ("åsa" finds "Åsa", not A to Z only) and with or without their marks
/// (`MARKED_LETTERS`: "muller" finds "Müller"); and a phone number typed with or
/// without its spaces, dashes and brackets, by its digits ("7135550100"
/// finds "+1 (713) 555-0100").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSearch {
    /// A regular expression (SQLite's `REGEXP`, the `regex` crate's syntax)
    /// that finds the term literally, ignoring case and marks.
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
            pattern: format!("(?i){}", regex_of(term)),
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
/// with `term`, whatever the case of its letters and their marks.
pub fn prefix_pattern(term: &str) -> String {
    format!("(?i)^{}", regex_of(term))
}

/// The Latin letters written with a mark in the languages of the stores'
/// customers (Western, Central and Northern Europe, Turkey), in lower case,
/// each beside the letter a search reads it as: a name is found typed with
/// or without its marks ("muller" finds "Müller", "mùller" too), and
/// Turkish dotless ı as i ("YILMAZ" finds "Yılmaz"). Letters that are not
/// a marked form of one letter (æ, œ, ß) are left as they are.
const MARKED_LETTERS: [(char, &str); 19] = [
    ('a', "àáâãäåāăą"),
    ('c', "çćĉċč"),
    ('d', "ďđ"),
    ('e', "èéêëēĕėęě"),
    ('g', "ĝğġģ"),
    ('h', "ĥħ"),
    ('i', "ìíîïĩīĭįı"),
    ('j', "ĵ"),
    ('k', "ķ"),
    ('l', "ĺļľŀł"),
    ('n', "ñńņň"),
    ('o', "òóôõöøōŏő"),
    ('r', "ŕŗř"),
    ('s', "śŝşšș"),
    ('t', "ţťŧț"),
    ('u', "ùúûüũūŭůűų"),
    ('w', "ŵ"),
    ('y', "ýÿŷ"),
    ('z', "źżž"),
];

/// A letter folded: its lower case (the final sigma as any sigma, Turkish
/// İ as i), without its mark. A letter whose lower case is two letters
/// stays as it is.
fn fold_letter(c: char) -> char {
    // Most of what the P-job keys is A to Z: no table to read.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    let lower = match (c, lower.next(), lower.next()) {
        ('İ', ..) => 'i',
        (_, Some('ς'), None) => 'σ',
        (_, Some(one), None) => one,
        _ => c,
    };
    MARKED_LETTERS
        .iter()
        .find(|(_, marked)| marked.contains(lower))
        .map_or(lower, |(letter, _)| *letter)
}

/// `text` folded for a search that ignores the case of letters in any
/// alphabet and their marks (`fold_letter`), as a text index can read it
/// (SQLite's `lower()`, and PostgreSQL's under the byte order HQ's columns
/// use, change A to Z only): "Müller" and "MULLER" are both "muller".
pub fn fold_case(text: &str) -> String {
    text.chars().map(fold_letter).collect()
}

/// `text` as a regular expression that finds it as it is, whatever the
/// marks of its letters: each letter that has marked forms as a class of
/// them all ("ü" is `[uùúûüũūŭůűų]`), read with `(?i)` for their upper case
/// (and Turkish İ, which has no simple case folding, named in i's class).
fn regex_of(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len());
    for c in text.chars() {
        let folded = fold_letter(c);
        match MARKED_LETTERS.iter().find(|(letter, _)| *letter == folded) {
            Some((letter, marked)) => {
                pattern.push('[');
                pattern.push(*letter);
                pattern.push_str(marked);
                if *letter == 'i' {
                    pattern.push('İ');
                }
                pattern.push(']');
            }
            None => {
                if REGEX_META.contains(c) {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
        }
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_found_literally_whatever_its_case_and_marks() {
        assert_eq!(CustomerSearch::new("  sö ").pattern, "(?i)[sśŝşšș][oòóôõöøōŏő]");
        assert_eq!(CustomerSearch::new("b.+@x(1)").pattern, r"(?i)b\.\+@x\(1\)");
        assert_eq!(CustomerSearch::new("ΣΩ").pattern, "(?i)ΣΩ");
    }

    #[test]
    fn a_pattern_finds_a_name_typed_with_or_without_its_marks() {
        let finds = |term: &str, text: &str| {
            regex::Regex::new(&CustomerSearch::new(term).pattern)
                .expect("a pattern the regex crate reads")
                .is_match(text)
        };
        assert!(finds("muller", "Müller"));
        assert!(finds("MÜLLER", "Muller"));
        assert!(finds("mùller", "Müller"));
        assert!(finds("yilmaz", "Yılmaz"));
        assert!(finds("YILMAZ", "Yılmaz"));
        assert!(finds("ilker", "İlker"));
        assert!(finds("dvorak", "Dvořák"));
        assert!(!finds("muler", "Müller"));
    }

    #[test]
    fn folding_lowers_letters_of_any_alphabet_and_every_sigma() {
        assert_eq!(fold_case("ΣΟΦΊΑ Νικολάου"), "σοφία νικολάου");
        assert_eq!(
            fold_case("Παπαδόπουλος"),
            fold_case("ΠΑΠΑΔΌΠΟΥΛΟΣ"),
            "final sigma"
        );
        assert_eq!(fold_case("C000123-ab"), "c000123-ab");
    }

    #[test]
    fn folding_reads_marked_letters_and_turkish_i_as_their_letter() {
        assert_eq!(fold_case("Åsa ÖBERG"), "asa oberg");
        assert_eq!(fold_case("Müller"), fold_case("MULLER"));
        assert_eq!(fold_case("İlker Yılmaz"), "ilker yilmaz");
        assert_eq!(fold_case("Dvořák Łukasz Şahin"), "dvorak lukasz sahin");
        assert_eq!(fold_case("Straße Æsir"), "straße æsir", "not a marked letter");
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
        assert_eq!(prefix_pattern("ö.b"), r"(?i)^[oòóôõöøōŏő]\.b");
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
