//! IBANs (ISO 13616): country code, two check digits and the BBAN, written
//! compact or in groups of four, checked for the country's length and mod 97.

use regex::Regex;

use crate::{Error, Kind, Span, compile};

#[derive(Debug)]
pub(crate) struct Finder {
    start: Regex,
}

/// Where an IBAN may begin; the rest is read by hand because its length
/// depends on the country.
const START: &str = r"(?-u:\b)[A-Za-z]{2} ?[0-9]{2}";

/// IBAN lengths from the SWIFT IBAN registry (ISO 13616), by country code.
#[rustfmt::skip]
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16), ("BG", 22),
    ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22), ("CY", 28), ("CZ", 24),
    ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20), ("EG", 29), ("ES", 24), ("FI", 18),
    ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22), ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27),
    ("GT", 28), ("HN", 28), ("HR", 21), ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26),
    ("IT", 27), ("JO", 30), ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20),
    ("LU", 20), ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23), ("PK", 24),
    ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22), ("RU", 33), ("SA", 24),
    ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24), ("SM", 27), ("SO", 23), ("ST", 25),
    ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26), ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20),
    ("YE", 30),
];

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        Ok(Finder {
            start: compile(START)?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        let mut from = 0;
        while let Some(m) = self.start.find_at(text, from) {
            from = m.end();
            let country = m.as_str()[..2].to_ascii_uppercase();
            let Some(&(_, len)) = LENGTHS.iter().find(|(c, _)| *c == country) else {
                continue;
            };
            if let Some((end, iban)) = read(text, m.start(), len)
                && valid(&iban)
            {
                out.push(Span::new(text, m.start(), end, Kind::Iban));
                from = end;
            }
        }
    }
}

/// Reads `len` letters and digits from `start`, allowing one separator
/// after each group of four and after the country code (`FR 76 3000…`); returns the end and the compact IBAN, if the
/// IBAN ends there as a word.
fn read(text: &str, start: usize, len: usize) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let mut iban = String::with_capacity(len);
    let mut i = start;
    while iban.len() < len {
        let c = *b.get(i)?;
        if c.is_ascii_alphanumeric() {
            iban.push(char::from(c.to_ascii_uppercase()));
            i += 1;
            continue;
        }
        let width = match c {
            b' ' | b'-' => 1,
            _ if text[i..].starts_with('\u{a0}') => 2,
            _ => return None,
        };
        if (!iban.len().is_multiple_of(4) && iban.len() != 2)
            || !b.get(i + width).is_some_and(u8::is_ascii_alphanumeric)
        {
            return None;
        }
        i += width;
    }
    let word_goes_on = b.get(i).is_some_and(u8::is_ascii_alphanumeric);
    (!word_goes_on).then_some((i, iban))
}

/// ISO 13616 / ISO 7064 MOD 97-10: the first four characters moved to the
/// end, letters as 10–35, the number mod 97 is 1. The BBAN's own check
/// digits, when the country has any, are left to the bank.
fn valid(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !bytes[2..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut rest = 0u32;
    for &c in rearranged {
        let value = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rest = if value < 10 {
            (rest * 10 + value) % 97
        } else {
            (rest * 100 + value) % 97
        };
    }
    rest == 1
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
    fn ibans() {
        for iban in [
            "FR76 3000 6000 0112 3456 7890 189",
            "FR7630006000011234567890189",
            "DE89 3704 0044 0532 0130 00",
            "GB29 NWBK 6016 1331 9268 19",
            "ES91 2100 0418 4502 0005 1332",
            "IT60 X054 2811 1010 0000 0123 456",
            "BE68 5390 0754 7034",
            "CH93 0076 2011 6238 5295 7",
            "LU28 0019 4006 4475 0000",
            "NL91 ABNA 0417 1643 00",
            "PT50 0002 0123 1234 5678 9015 4",
            "MC58 1122 2000 0101 2345 6789 030",
            "gb29 nwbk 6016 1331 9268 19",
            "FR76-3000-6000-0112-3456-7890-189",
            "FR 76 3000 6000 0112 3456 7890 189",
            "FR76\u{a0}3000\u{a0}6000\u{a0}0112\u{a0}3456\u{a0}7890\u{a0}189",
        ] {
            assert_eq!(found(&format!("IBAN : {iban}. Merci")), [iban], "{iban}");
        }
    }

    #[test]
    fn not_ibans() {
        for s in [
            "FR76 3000 6000 0112 3456 7890 188",
            "FR76 3000 6000 0112 3456 7890 18",
            "FR76 3000 6000 0112 3456 7890 1890",
            "FR763 000 6000 0112 3456 7890 189",
            "XX76 3000 6000 0112 3456 7890 189",
            "AB12",
            "ré76 3000",
        ] {
            assert!(found(s).is_empty(), "{s}");
        }
    }
}
