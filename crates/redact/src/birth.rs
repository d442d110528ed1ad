//! Dates of birth: a date is personal only when the text says it is a
//! birth date, so dates are taken only shortly after a cue (`né le`,
//! `date de naissance`, `DOB`, `born`…). The span is the date alone.

use regex::Regex;

use crate::{Error, Kind, Span, char_after, char_before, compile, is_word};

#[derive(Debug)]
pub(crate) struct Finder {
    cue: Regex,
    date: Regex,
}

/// Birth cues; whole words are checked by hand (Unicode word boundaries
/// would slow the search on accented text), so `naissance` covers
/// `date de naissance` and `birth` covers `date of birth`.
const CUE: &str = r"(?i)né(?:e|\(e\)|e?s)?|naissance|ddn|born|birth(?:day|date)?|dob|d\.o\.b\.?";

const FR_MONTHS: &str = r"janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|ao[ûu]t|septembre|sept\.?|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?";
const EN_MONTHS: &str = r"january|february|march|april|may|june|july|august|september|october|november|december|jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?";

/// How far after the cue the date may start, e.g. after `née Dupont à
/// Saint-Germain-en-Laye (Yvelines) le`.
const MAX_GAP: usize = 64;

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        let day = r"(?:[0-9]{1,2}|1er)(?:st|nd|rd|th)?";
        let date = [
            // 12/03/1985, 12 / 03 / 1985 on forms, 12.03.85, 12-03-1985 (and
            // American 03/12/1985)
            r"[0-9]{1,2} ?/ ?[0-9]{1,2} ?/ ?(?:[0-9]{4}|[0-9]{2})".to_string(),
            r"[0-9]{1,2}\.[0-9]{1,2}\.(?:[0-9]{4}|[0-9]{2})".to_string(),
            r"[0-9]{1,2}-[0-9]{1,2}-(?:[0-9]{4}|[0-9]{2})".to_string(),
            // 1985-03-12, 1985/03/12
            r"[0-9]{4}[\-/][0-9]{1,2}[\-/][0-9]{1,2}".to_string(),
            // 12 mars 1985, 1er janv. 1985, 12 March 1985, 12th of March, 1985
            format!(r"{day}\s+(?:of\s+)?(?:{FR_MONTHS}|{EN_MONTHS}),?\s+[0-9]{{4}}"),
            // March 12, 1985
            format!(r"(?:{EN_MONTHS})\s+{day},?\s+[0-9]{{4}}"),
        ]
        .join("|");
        Ok(Finder {
            cue: compile(CUE)?,
            date: compile(&format!(r"(?i)(?-u:\b)(?:{date})(?-u:\b)"))?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        for cue in self.cue.find_iter(text) {
            // `date_naissance`, `birth_date`: column names count as cues.
            let letter = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            if letter(char_before(text, cue.start())) || letter(char_after(text, cue.end())) {
                continue;
            }
            // Look only a little way on; dates cut at the window's end are
            // caught by the word check below.
            let mut window = (cue.end() + MAX_GAP + 32).min(text.len());
            while !text.is_char_boundary(window) {
                window -= 1;
            }
            let Some(date) = self.date.find_at(&text[..window], cue.end()) else {
                continue;
            };
            let gap = &text[cue.end()..date.start()];
            // The date belongs to the cue: near, and no other number or
            // sentence end between them.
            let near = gap.chars().count() <= MAX_GAP
                && !gap.contains(|c: char| c.is_ascii_digit())
                && !gap.contains(". ")
                && !gap.contains(['!', '?']);
            // A birthday is also a party: only `birthday: <date>` or
            // `birthday is <date>` give the date of birth.
            let labelled = !cue.as_str().to_lowercase().starts_with("birthday")
                || gap
                    .split(|c: char| !c.is_alphanumeric())
                    .all(|w| matches!(w.to_lowercase().as_str(), "" | "is" | "was"));
            if near
                && labelled
                && !is_word(char_before(text, date.start()))
                && !is_word(char_after(text, date.end()))
                && plausible(date.as_str())
            {
                out.push(Span::new(text, date.start(), date.end(), Kind::BirthDate));
            }
        }
    }
}

/// Numbers that can be a day, a month and a year, in either day/month order.
fn plausible(date: &str) -> bool {
    let numbers: Vec<u32> = date
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let day = |d: u32| (1..=31).contains(&d);
    let month = |m: u32| (1..=12).contains(&m);
    match numbers[..] {
        [y, m, d] if y >= 1000 => month(m) && day(d),
        [a, b, _] => (day(a) && month(b)) || (month(a) && day(b)),
        // A written month: the day and the year.
        [d, _] => day(d),
        _ => false,
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
    fn dates_after_cues() {
        for (text, date) in [
            ("né le 12/03/1985 à Lyon", "12/03/1985"),
            ("Née le 1er janvier 1970", "1er janvier 1970"),
            ("né(e) le : 12.03.85", "12.03.85"),
            ("Date de naissance :\n1985-03-12", "1985-03-12"),
            ("naissance : 3 févr. 1990", "3 févr. 1990"),
            ("DDN 12-03-1985", "12-03-1985"),
            ("born on March 12, 1985 in Leeds", "March 12, 1985"),
            ("Date of birth: 12th of March 1985", "12th of March 1985"),
            ("DOB: 03/12/1985", "03/12/1985"),
            ("D.O.B. 12 Mar 1985", "12 Mar 1985"),
            ("birthday: 12 August 1985", "12 August 1985"),
            ("her birthday is 12/08/1985", "12/08/1985"),
            (
                "Marie, née Dupont à Saint-Germain-en-Laye (Yvelines) le 3 mars 1950",
                "3 mars 1950",
            ),
            ("NÉ LE 12 MARS 1985", "12 MARS 1985"),
            ("Date de naissance : 12 / 03 / 1985", "12 / 03 / 1985"),
            ("nom;date_naissance\nDupont;12/03/1985", "12/03/1985"),
        ] {
            assert_eq!(found(text), [date], "{text}");
        }
    }

    #[test]
    fn other_dates() {
        for text in [
            "réunion le 12/03/2024 à 10h",
            "la connaissance du 12/03/2024",
            "né en 1985, arrivé le 12/03/2004",
            "né le premier. Le 12/03/2024 nous",
            "born 13/13/1985",
            "DOB 1985",
            "néanmoins le 12/03/2024",
            "birthday party on 12/06/2024",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
