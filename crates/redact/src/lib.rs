//! Finds personal data in text and redacts it.
//!
//! A [`Detector`] looks for e-mail addresses, phone numbers, IBANs, card
//! numbers, French social security numbers (NIR), dates of birth, French
//! postal addresses and the names of listed private persons. Every
//! structured value is checked the way its issuer checks it (mod-97, Luhn,
//! the NIR key, libphonenumber's ranges), so that dates, amounts and
//! reference numbers are left alone. [`redact`] then replaces each span
//! with its kind, e.g. `[EMAIL]`.
//!
//! ```
//! use leakcheck_redact::{redact, Detector, Rules};
//!
//! let rules = Rules { names: vec!["Jeanne Martin".into()], keep: vec![] };
//! let detector = Detector::new(&rules).unwrap();
//! let text = "Jeanne Martin, 06 12 34 56 78, jeanne@exemple.fr";
//! let spans = detector.find(text);
//! assert_eq!(redact(text, &spans), "[NAME], [PHONE], [EMAIL]");
//! ```
#![deny(missing_docs)]

mod address;
mod birth;
mod card;
mod email;
mod iban;
mod keep;
mod names;
mod nir;
mod phone;

use std::collections::BTreeMap;
use std::fmt;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// What kind of personal data a span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// A phone number that libphonenumber deems valid.
    Phone,
    /// An IBAN with a valid mod-97 check and its country's length.
    Iban,
    /// A payment card number with a known issuer prefix and a valid Luhn digit.
    Card,
    /// A French social security number (NIR) with a valid key.
    Nir,
    /// A date that follows a birth cue such as `né le` or `DOB`.
    BirthDate,
    /// A French postal address: number, street and, when present, postcode and city.
    PostalAddress,
    /// A name from [`Rules::names`].
    Name,
}

impl Kind {
    /// Every kind, in the order of the README's table.
    pub const ALL: [Kind; 8] = [
        Kind::Email,
        Kind::Phone,
        Kind::Iban,
        Kind::Card,
        Kind::Nir,
        Kind::BirthDate,
        Kind::PostalAddress,
        Kind::Name,
    ];

    /// The kind whose [`Kind::as_str`] is `id`.
    pub fn parse(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == id)
    }

    /// The stable lower-case id: `email`, `phone`, `iban`, `card`, `nir`,
    /// `birth-date`, `postal-address` or `name` (the same as in serde).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Iban => "iban",
            Kind::Card => "card",
            Kind::Nir => "nir",
            Kind::BirthDate => "birth-date",
            Kind::PostalAddress => "postal-address",
            Kind::Name => "name",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A piece of personal data found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte, on a char boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a char boundary.
    pub end: usize,
    /// What the span holds.
    pub kind: Kind,
    /// The text of the span, `&text[start..end]`.
    pub text: String,
}

impl Span {
    fn new(text: &str, start: usize, end: usize, kind: Kind) -> Span {
        Span {
            start,
            end,
            kind,
            text: text[start..end].to_string(),
        }
    }
}

/// What the user decides: who to redact and what never to redact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Private persons to redact, a reviewed list. Matched case-insensitively
    /// as whole words; accents count (`Hélène` does not match `Helene`); any
    /// run of white space in a name matches any run in the text; a name of
    /// two words also matches inverted, as forms write it (`DUPONT Jean`,
    /// `Dupont, Jean`).
    pub names: Vec<String>,
    /// Strings never to redact, e.g. a public figure's office address or a
    /// press office phone. A span that overlaps an exact occurrence of one is
    /// dropped, and so is a span equal to one up to case, spacing and
    /// punctuation (or, for phones, the same number in another format).
    pub keep: Vec<String>,
}

/// Why a [`Detector`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The name at this index of [`Rules::names`] is empty or only white space.
    #[error("name {0} of the rules is empty")]
    EmptyName(usize),
    /// A pattern could not be compiled, e.g. a names or keep list too large
    /// for the regex engine.
    #[error("pattern does not compile: {0}")]
    Pattern(String),
}

/// Finds personal data in text. Build it once; [`Detector::find`] is cheap
/// to call many times and can be shared between threads.
#[derive(Debug)]
pub struct Detector {
    email: email::Finder,
    phone: phone::Finder,
    iban: iban::Finder,
    card: card::Finder,
    nir: nir::Finder,
    birth: birth::Finder,
    address: address::Finder,
    names: Option<names::Finder>,
    keep: keep::Keep,
}

impl Detector {
    /// Compiles the patterns and the rules' lists.
    pub fn new(rules: &Rules) -> Result<Detector, Error> {
        Ok(Detector {
            email: email::Finder::new()?,
            phone: phone::Finder::new()?,
            iban: iban::Finder::new()?,
            card: card::Finder::new()?,
            nir: nir::Finder::new()?,
            birth: birth::Finder::new()?,
            address: address::Finder::new()?,
            names: names::Finder::new(&rules.names)?,
            keep: keep::Keep::new(&rules.keep)?,
        })
    }

    /// The personal data in `text`, sorted by position and non-overlapping:
    /// of two overlapping candidates the longer is kept.
    pub fn find(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        self.email.find(text, &mut spans);
        self.phone.find(text, &mut spans);
        self.iban.find(text, &mut spans);
        self.card.find(text, &mut spans);
        self.nir.find(text, &mut spans);
        self.birth.find(text, &mut spans);
        self.address.find(text, &mut spans);
        if let Some(names) = &self.names {
            names.find(text, &mut spans);
        }
        self.keep.filter(text, &mut spans);
        longest_first(spans)
    }
}

/// Keeps the longest of overlapping spans (ties: the earlier, then the
/// kind declared first), returned in text order.
fn longest_first(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.start.cmp(&b.start))
            .then(a.kind.cmp(&b.kind))
    });
    let mut kept: BTreeMap<usize, Span> = BTreeMap::new();
    for span in spans {
        let before = kept.range(..span.end).next_back();
        if before.is_some_and(|(_, k)| k.end > span.start) {
            continue;
        }
        kept.insert(span.start, span);
    }
    kept.into_values().collect()
}

/// `text` with each span replaced by its kind in brackets, e.g. `[EMAIL]`,
/// `[BIRTH-DATE]`. Spans that are out of range, not on char boundaries or
/// overlap an earlier one are ignored, so any slice of spans is accepted.
pub fn redact(text: &str, spans: &[Span]) -> String {
    let mut sorted: Vec<&Span> = spans
        .iter()
        .filter(|s| {
            s.start < s.end && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
        })
        .collect();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in sorted {
        if span.start < at {
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push('[');
        out.push_str(&span.kind.as_str().to_uppercase());
        out.push(']');
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Compiles a built-in pattern or a list. Big lists need more than the
/// default size limit; and the Unicode classes of the address and e-mail
/// patterns made the lazy DFA's default 2 MB cache thrash (measured: 20
/// times slower on French text).
fn compile(pattern: &str) -> Result<Regex, Error> {
    RegexBuilder::new(pattern)
        .size_limit(64 << 20)
        .dfa_size_limit(16 << 20)
        .build()
        .map_err(|e| Error::Pattern(e.to_string()))
}

/// The char at byte `at` and the one ending there, for boundary checks.
fn char_after(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|s| s.chars().next())
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|s| s.chars().next_back())
}

/// Whether the number at `start..end` is only part of a longer token: a
/// dotted or dashed number (`0612345678.1234`) or the local part of an
/// address or a Message-ID.
fn embedded(text: &str, start: usize, end: usize) -> bool {
    let mut after = text[end..].chars();
    let mut before = text[..start].chars().rev();
    let (a1, a2) = (after.next(), after.next());
    let (b1, b2) = (before.next(), before.next());
    let joins = |c: Option<char>| matches!(c, Some('.' | '-'));
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    a1 == Some('@') || b1 == Some('@') || (joins(a1) && digit(a2)) || (joins(b1) && digit(b2))
}

/// Whether `c` continues a word, so that a match next to it is only part of one.
fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_ids() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("Phone"), None);
    }

    fn span(start: usize, end: usize, kind: Kind) -> Span {
        Span {
            start,
            end,
            kind,
            text: String::new(),
        }
    }

    #[test]
    fn kind_ids_match_serde() {
        for kind in [
            Kind::Email,
            Kind::Phone,
            Kind::Iban,
            Kind::Card,
            Kind::Nir,
            Kind::BirthDate,
            Kind::PostalAddress,
            Kind::Name,
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), kind);
        }
    }

    #[test]
    fn detector_is_shareable() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Detector>();
    }

    #[test]
    fn longer_span_wins() {
        let spans = longest_first(vec![
            span(0, 5, Kind::Phone),
            span(3, 20, Kind::Iban),
            span(18, 25, Kind::Card),
            span(30, 32, Kind::Name),
        ]);
        let got: Vec<_> = spans.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(got, [(3, 20), (30, 32)]);
    }

    #[test]
    fn redact_ignores_bad_spans() {
        let text = "é mail";
        let spans = [
            span(2, 6, Kind::Email),
            span(1, 3, Kind::Name),
            span(3, 5, Kind::Name),
            span(4, 99, Kind::Name),
        ];
        assert_eq!(redact(text, &spans), "é[EMAIL]l");
    }

    #[test]
    fn end_to_end() {
        let rules = Rules {
            names: vec!["Hélène Dupré".into()],
            keep: vec!["01 42 92 81 00".into()],
        };
        let d = Detector::new(&rules).unwrap();
        let text = "HÉLÈNE DUPRÉ (née le 3 mars 1961) : helene.dupre@orange.fr, \
                    tél. +33 (0)6 12 34 56 78, presse 01.42.92.81.00, \
                    IBAN FR76 3000 6000 0112 3456 7890 189, \
                    12 bis rue de la Paix, 75002 Paris.";
        assert_eq!(
            redact(text, &d.find(text)),
            "[NAME] (née le [BIRTH-DATE]) : [EMAIL], tél. [PHONE], presse 01.42.92.81.00, \
             IBAN [IBAN], [POSTAL-ADDRESS]."
        );
        assert!(
            Detector::new(&Rules {
                names: vec![" ".into()],
                keep: vec![]
            })
            .is_err()
        );
    }
}
