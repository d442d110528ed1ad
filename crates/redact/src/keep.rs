//! The user's keep list: strings never to redact, e.g. a public figure's
//! office address or a press office phone.

use std::collections::HashSet;

use regex::Regex;

use crate::{Error, Kind, Span, compile, phone};

#[derive(Debug)]
pub(crate) struct Keep {
    /// Exact occurrences; any span overlapping one is dropped, so a kept
    /// street stays whole even when a longer address span would cover it.
    exact: Option<Regex>,
    /// The same values written otherwise: letters and digits only, lower
    /// case, and phones in E.164.
    canonical: HashSet<String>,
}

impl Keep {
    pub(crate) fn new(keep: &[String]) -> Result<Keep, Error> {
        let mut strings: Vec<&str> = keep
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        // Longest first, so that the longer of two kept strings at one place wins.
        strings.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let exact = if strings.is_empty() {
            None
        } else {
            let escaped: Vec<String> = strings.iter().map(|s| regex::escape(s)).collect();
            Some(compile(&escaped.join("|"))?)
        };
        let mut canonical = HashSet::new();
        for s in strings {
            canonical.insert(canonical_form(s));
            canonical.extend(phone::e164(s));
        }
        canonical.remove("");
        Ok(Keep { exact, canonical })
    }

    /// Drops the spans that the keep list covers.
    pub(crate) fn filter(&self, text: &str, spans: &mut Vec<Span>) {
        let Some(exact) = &self.exact else {
            return;
        };
        let kept: Vec<(usize, usize)> = exact
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect();
        spans.retain(|s| {
            let overlaps = kept
                .iter()
                .any(|&(start, end)| start < s.end && s.start < end);
            let same = self.canonical.contains(&canonical_form(&s.text))
                || (s.kind == Kind::Phone
                    && phone::e164(&s.text).is_some_and(|n| self.canonical.contains(&n)));
            !overlaps && !same
        });
    }
}

fn canonical_form(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, needle: &str, kind: Kind) -> Span {
        let start = text.find(needle).unwrap();
        Span::new(text, start, start + needle.len(), kind)
    }

    #[test]
    fn kept_values() {
        let keep = Keep::new(&[
            "55 rue du Faubourg Saint-Honoré".into(),
            "01 42 92 81 00".into(),
            "presse@elysee.fr".into(),
            String::new(),
        ])
        .unwrap();
        let text = "55 rue du Faubourg Saint-Honoré, 75008 Paris ; +33 1 42 92 81 00 ; \
                    PRESSE@ELYSEE.FR ; 12 rue de la Paix ; 06 12 34 56 78";
        let mut spans = vec![
            span(
                text,
                "55 rue du Faubourg Saint-Honoré, 75008 Paris",
                Kind::PostalAddress,
            ),
            span(text, "+33 1 42 92 81 00", Kind::Phone),
            span(text, "PRESSE@ELYSEE.FR", Kind::Email),
            span(text, "12 rue de la Paix", Kind::PostalAddress),
            span(text, "06 12 34 56 78", Kind::Phone),
        ];
        keep.filter(text, &mut spans);
        let left: Vec<_> = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(left, ["12 rue de la Paix", "06 12 34 56 78"]);
    }
}
