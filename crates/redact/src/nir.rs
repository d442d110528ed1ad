//! French social security numbers (NIR, « numéro de sécurité sociale »):
//! sex, year, month, department, commune, order number and a two-digit key,
//! compact or spaced as on the carte Vitale (`1 85 05 78 006 084 36`).

use regex::Regex;

use crate::{Error, Kind, Span, compile, embedded};

#[derive(Debug)]
pub(crate) struct Finder {
    re: Regex,
}

/// Sex 1/2 (3/4 and 7/8 for provisional numbers), year, month, department
/// (2A/2B for Corsica), commune, order, key; one optional separator between
/// the fields.
const PATTERN: &str = r"(?-u:\b)([1-478])[ \x{a0}.\-]?([0-9]{2})[ \x{a0}.\-]?([0-9]{2})[ \x{a0}.\-]?([0-9]{2}|2[AaBb])[ \x{a0}.\-]?([0-9]{3})[ \x{a0}.\-]?([0-9]{3})[ \x{a0}.\-]?([0-9]{2})(?-u:\b)";

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        Ok(Finder {
            re: compile(PATTERN)?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        for c in self.re.captures_iter(text) {
            let field = |i: usize| c.get(i).map_or("", |m| m.as_str());
            let month: u32 = field(3).parse().unwrap_or(0);
            // INSEE: 01–12, or 20–42 and 50–99 for unknown months and
            // provisional numbers.
            let month_ok = matches!(month, 1..=12 | 20..=42 | 50..=99);
            let department = field(4).to_ascii_uppercase();
            if !month_ok || department == "00" {
                continue;
            }
            // For the key, Corsica's 2A counts as 19 and 2B as 18.
            let department = match department.as_str() {
                "2A" => "19",
                "2B" => "18",
                d => d,
            };
            let number = [field(1), field(2), field(3), department, field(5), field(6)].concat();
            let (Ok(number), Ok(key)) = (number.parse::<u64>(), field(7).parse::<u64>()) else {
                continue;
            };
            let m = c.get(0).map_or(0..0, |m| m.range());
            // The key is 97 minus the 13-digit number mod 97.
            if key == 97 - number % 97 && !embedded(text, m.start, m.end) {
                out.push(Span::new(text, m.start, m.end, Kind::Nir));
            }
        }
    }
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
    fn numbers() {
        for nir in [
            "1 85 05 78 006 084 91",
            "185057800608491",
            "2 55 08 2A 004 123 69",
            "1 69 12 2B 117 052 85",
            "2\u{a0}85\u{a0}05\u{a0}78\u{a0}006\u{a0}084\u{a0}41",
        ] {
            assert_eq!(found(&format!("NIR : {nir}.")), [nir], "{nir}");
        }
    }

    #[test]
    fn not_numbers() {
        for s in [
            "1 85 05 78 006 084 90",
            "5 85 05 78 006 084 91",
            "1 85 13 78 006 084 91",
            "1 85 05 78 006 084 9112",
        ] {
            assert!(found(s).is_empty(), "{s}");
        }
    }
}
