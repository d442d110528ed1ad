//! Payment card numbers: 13 to 19 digits, compact or in groups, with a
//! known issuer prefix and length and a valid Luhn check digit. French CB
//! cards are Visa or Mastercard numbers.

use regex::Regex;

use crate::{Error, Kind, Span, compile, embedded};

#[derive(Debug)]
pub(crate) struct Finder {
    re: Regex,
}

/// A run of digit groups separated by one space or dash; the card is looked
/// for inside it, group by group.
const PATTERN: &str = r"(?-u:\b)[0-9]+(?:[ \-\x{a0}][0-9]+)*(?-u:\b)";

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        Ok(Finder {
            re: compile(PATTERN)?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        for m in self.re.find_iter(text) {
            if m.len() < 13 {
                continue;
            }
            let runs: Vec<(usize, usize)> = digit_runs(m.as_str());
            // Longest window of whole groups first, from each group on: the
            // run may carry a date or a reference before or after the card.
            let mut i = 0;
            while i < runs.len() {
                // No card spans more than 19 digits, so at most 19 groups.
                let mut last = i;
                let mut count = runs[i].1 - runs[i].0;
                while last + 1 < runs.len() && count + runs[last + 1].1 - runs[last + 1].0 <= 19 {
                    last += 1;
                    count += runs[last].1 - runs[last].0;
                }
                let found = (i..=last).rev().find(|&j| {
                    let window = &runs[i..=j];
                    let digits: String = window.iter().map(|&(s, e)| &m.as_str()[s..e]).collect();
                    let (start, end) = (m.start() + runs[i].0, m.start() + runs[j].1);
                    grouped_like_a_card(window) && valid(&digits) && !embedded(text, start, end)
                });
                match found {
                    Some(j) => {
                        let (start, end) = (m.start() + runs[i].0, m.start() + runs[j].1);
                        out.push(Span::new(text, start, end, Kind::Card));
                        i = j + 1;
                    }
                    None => i += 1,
                }
            }
        }
    }
}

/// Cards are printed in fours (the last group shorter for 13 or 19 digits)
/// or 4-6-5 for American Express; order numbers such as `402-1234567-1234567`
/// are not.
fn grouped_like_a_card(groups: &[(usize, usize)]) -> bool {
    let sizes: Vec<usize> = groups.iter().map(|&(s, e)| e - s).collect();
    match sizes[..] {
        [_] | [4, 6, 5] => true,
        [ref fours @ .., last] => fours.iter().all(|&n| n == 4) && (1..=4).contains(&last),
        [] => false,
    }
}

/// Byte ranges of the digit groups of `s`.
fn digit_runs(s: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                runs.push((st, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        runs.push((st, s.len()));
    }
    runs
}

/// An issuer's prefix and length, and the Luhn check (ISO/IEC 7812-1).
fn valid(digits: &str) -> bool {
    let n = digits.len();
    if !(13..=19).contains(&n) {
        return false;
    }
    let prefix = |k: usize| digits[..k].parse::<u32>().unwrap_or(0);
    let issuer = match digits.as_bytes()[0] {
        b'4' => matches!(n, 13 | 16 | 19),                     // Visa
        b'5' => (51..=55).contains(&prefix(2)) && n == 16,     // Mastercard
        b'2' => (2221..=2720).contains(&prefix(4)) && n == 16, // Mastercard 2-series
        b'3' => matches!(prefix(2), 34 | 37) && n == 15,       // American Express
        b'6' => {
            (prefix(4) == 6011 || prefix(2) == 65 || (644..=649).contains(&prefix(3))) && n >= 16 // Discover
        }
        _ => false,
    };
    issuer && luhn(digits)
}

/// Luhn mod 10: from the right, every second digit doubled (minus 9 if over
/// 9); the sum ends in 0.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = u32::from(c - b'0');
            if i % 2 == 1 {
                if d > 4 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
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
    fn cards() {
        for card in [
            "4970 1012 3456 7893",
            "4111111111111111",
            "4111-1111-1111-1111",
            "5555 5555 5555 4444",
            "2223 0031 2200 3222",
            "3782 822463 10005",
            "6011 1111 1111 1117",
            "4222222222222",
        ] {
            assert_eq!(
                found(&format!("carte n° {card} exp 12/27")),
                [card],
                "{card}"
            );
        }
        // A reference before the card and a code after it.
        assert_eq!(
            found("ref 2024 4111 1111 1111 1111 12"),
            ["4111 1111 1111 1111"]
        );
    }

    #[test]
    fn not_cards() {
        for s in [
            "4111 1111 1111 1112",
            "1234 5678 9012 3456",
            "41111111111111111111111",
            "552 100 554 00013",
            "06 12 34 56 78",
            "5555 5555 5555 444",
            "653-1304148-8833152",
            "4111111111111111.42",
        ] {
            assert!(found(s).is_empty(), "{s}");
        }
    }
}
