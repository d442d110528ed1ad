//! Phone numbers: French national numbers and international numbers with
//! `+` or `00`, found by shape and kept only if libphonenumber's ranges say
//! the number exists (so dates, times and reference numbers fall out).

use phonenumber::{Mode, PhoneNumber, country};
use regex::Regex;

use crate::{Error, Kind, Span, compile, embedded};

#[derive(Debug)]
pub(crate) struct Finder {
    national: Regex,
    international: Regex,
}

/// `06 12 34 56 78`, `06.12.34.56.78`, `06-12-34-56-78`, `0612345678`
/// (the space may be a no-break space, as French typography has it).
const NATIONAL: &str = r"(?-u:\b)0[1-9](?:[ \x{a0}\x{202f}.\-]?[0-9]{2}){4}(?-u:\b)";

/// `+33 6 12 34 56 78`, `(+33) 6…`, `+33 (0)6…`, `0033 6…`, `+1 (415) 555-2671`:
/// a country code, then digits and parenthesised groups with separators.
const INTERNATIONAL: &str = r"(?:\(\+[1-9][0-9]{0,2}\)|\+[1-9][0-9]{0,2}|(?-u:\b)00[1-9][0-9]{0,2})(?:[ \x{a0}\x{202f}.\-/]?(?:\([0-9]{1,4}\)|[0-9])){4,17}";

/// Room for the patterns of about a hundred countries.
const PATTERNS_CACHED: usize = 1000;

/// E.164 allows 15 digits; the shortest numbers (e.g. Niue) have 7 with the code.
const DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        // libphonenumber compiles its metadata patterns lazily into one LRU
        // cache of 100 for the process; the North American plan alone has
        // more, so numbers from a few countries kept evicting and recompiling
        // each other (measured: twice as slow on mixed text).
        if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock()
            && cache.capacity() < PATTERNS_CACHED
        {
            cache.set_capacity(PATTERNS_CACHED);
        }
        Ok(Finder {
            national: compile(NATIONAL)?,
            international: compile(INTERNATIONAL)?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        for m in self.national.find_iter(text) {
            let s = m.as_str();
            let separators: Vec<char> = s.chars().filter(|c| !c.is_ascii_digit()).collect();
            // Pairs separated alike, or not at all: `01.02.2023 10` is a date
            // and a time, `0532 0130 00` the tail of an IBAN.
            let even = separators.is_empty()
                || (separators.len() == 4 && separators.iter().all(|&c| c == separators[0]));
            // Nor a stretch of a longer run of pairs, `09 99 99 99 99 99`.
            let longer = separators.first().is_some_and(|&sep| {
                let mut after = text[m.end()..].chars();
                let mut before = text[..m.start()].chars().rev();
                (after.next() == Some(sep) && after.next().is_some_and(|c| c.is_ascii_digit()))
                    || (before.next() == Some(sep)
                        && before.next().is_some_and(|c| c.is_ascii_digit()))
            });
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if even && !longer && !embedded(text, m.start(), m.end()) && national(&digits).is_some()
            {
                out.push(Span::new(text, m.start(), m.end(), Kind::Phone));
            }
        }
        for m in self.international.find_iter(text) {
            // The pattern runs on over any digits that follow (a postcode, a
            // second number): try the longest prefix that ends a group first.
            let found = groups(m.as_str())
                .into_iter()
                .rev()
                .filter(|(_, digits)| DIGITS.contains(&digits.len()))
                .find(|(_, digits)| parse(None, &format!("+{digits}")).is_some());
            if let Some((end, _)) = found {
                out.push(Span::new(text, m.start(), m.start() + end, Kind::Phone));
            }
        }
    }
}

/// The byte offsets where a group of an international candidate ends, each
/// with the digits up to there, country code included, without the `+`/`00`
/// and without a `(0)` trunk prefix.
fn groups(s: &str) -> Vec<(usize, String)> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'('));
    i += if b.get(i) == Some(&b'+') { 1 } else { 2 };
    let mut digits = String::new();
    let mut ends = Vec::new();
    while i < b.len() {
        match b[i] {
            b'(' => {
                let close = s[i..].find(')').map_or(b.len(), |j| i + j);
                let inner = &s[i + 1..close];
                if !inner.bytes().all(|c| c == b'0') {
                    digits.push_str(inner);
                }
                i = (close + 1).min(b.len());
                ends.push((i, digits.clone()));
            }
            c if c.is_ascii_digit() => {
                digits.push(char::from(c));
                i += 1;
                if !b.get(i).is_some_and(u8::is_ascii_digit) {
                    ends.push((i, digits.clone()));
                }
            }
            _ => i += 1,
        }
    }
    ends
}

/// A number written the French national way (`0X XX XX XX XX`). The
/// overseas departments and collectivities share France's ten-digit plan
/// and its `0` prefix, but libphonenumber files their ranges under their
/// own regions: `06 92…` is a Réunion mobile, invalid "in FR".
fn national(digits: &str) -> Option<PhoneNumber> {
    use country::Id::{BL, FR, GF, GP, MF, MQ, PM, RE, YT};
    [FR, GP, MQ, GF, RE, YT, BL, MF, PM]
        .into_iter()
        .find_map(|region| parse(Some(region), digits))
}

/// The number if libphonenumber knows it as valid; `region` applies to
/// numbers written without a country code.
fn parse(region: Option<country::Id>, number: &str) -> Option<PhoneNumber> {
    phonenumber::parse(region, number)
        .ok()
        .filter(phonenumber::is_valid)
}

/// A phone number written any way, in E.164 (`+33612345678`), to compare
/// numbers whatever their format; `None` if it is not a valid number.
pub(crate) fn e164(s: &str) -> Option<String> {
    let s = s.trim().replace("(0)", "");
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let number = if s.starts_with(['+', '(']) {
        parse(None, &format!("+{digits}"))
    } else if let Some(rest) = digits.strip_prefix("00") {
        parse(None, &format!("+{rest}"))
    } else {
        national(&digits)
    }?;
    Some(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        Finder::new().unwrap().find(text, &mut out);
        out.into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn french_numbers() {
        for n in [
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "0612345678",
            "01\u{a0}42\u{a0}92\u{a0}81\u{a0}00",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "+33(0)612345678",
            "(+33) 6 12 34 56 78",
            "0033 6 12 34 56 78",
            "+33612345678",
            "+33 1 42 92 81 00",
            // Overseas departments, written the national way: Réunion,
            // Guadeloupe, Martinique, Guyane and Mayotte mobiles.
            "06 92 12 34 56",
            "06 90 12 34 56",
            "06 96 12 34 56",
            "06 94 12 34 56",
            "06 39 12 34 56",
        ] {
            assert_eq!(found(&format!("Tél. : {n}, merci")), [n], "{n}");
        }
    }

    #[test]
    fn international_numbers() {
        for n in [
            "+44 20 7946 0958",
            "+1 (415) 555-2671",
            "+49 30 12345678",
            "+49 (0)30 1234 5678",
            "+41 44 668 18 00",
            "+32 2 555 12 34",
            "+352 26 12 34 56",
            "+34 912 34 56 78",
            "+39 06 1234 5678",
        ] {
            assert_eq!(found(&format!("call {n} now")), [n], "{n}");
        }
        // The candidate runs into the postcode; the number is found anyway.
        assert_eq!(
            found("+33 6 12 34 56 78 75011 Paris"),
            ["+33 6 12 34 56 78"]
        );
    }

    #[test]
    fn not_numbers() {
        for s in [
            "le 01.02.2023 10:30",
            "DE89 3704 0044 0532 0130 00",
            "1 234,56 €",
            "75011",
            "commande 2024-000123",
            "06 12 34 56",
            "09 99 99 99 99 99",
            "+33 1 23",
            "version 1.2.3.4567",
            "0000000000",
            "<0148718824.9545@smtp.example.net>",
            "<0148718824@smtp.example.net>",
        ] {
            assert!(found(s).is_empty(), "{s}: {:?}", found(s));
        }
    }

    #[test]
    fn same_number_in_e164() {
        assert_eq!(e164("06 12 34 56 78").as_deref(), Some("+33612345678"));
        assert_eq!(
            e164("+33 (0)6.12.34.56.78").as_deref(),
            Some("+33612345678")
        );
        assert_eq!(e164("0033612345678").as_deref(), Some("+33612345678"));
        assert_eq!(e164("12 rue de la Paix"), None);
    }
}
