//! Names of private persons from the user's reviewed list, as whole words,
//! whatever the case, accents counting.

use regex::Regex;

use crate::{Error, Kind, Span, char_after, char_before, compile, is_word};

#[derive(Debug)]
pub(crate) struct Finder {
    re: Regex,
}

impl Finder {
    /// `None` for an empty list, which then costs nothing in `find`.
    pub(crate) fn new(names: &[String]) -> Result<Option<Finder>, Error> {
        let mut patterns = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let words: Vec<String> = name
                .split_whitespace()
                .map(|w| regex::escape(w).replace(['\'', '’'], "['’]"))
                .collect();
            if words.is_empty() {
                return Err(Error::EmptyName(i));
            }
            patterns.push((name.chars().count(), words.join(r"\s+")));
            // French forms write the surname first: `DUPONT Jean`, `Dupont, Jean`.
            if let [first, last] = &words[..] {
                patterns.push((name.chars().count(), format!(r"{last},?\s+{first}")));
            }
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        // Longest first: of two names starting at the same place (`Jean`,
        // `Jean Dupont`) the alternation takes the first that matches.
        patterns.sort_by_key(|p| std::cmp::Reverse(p.0));
        let alternation: Vec<String> = patterns.into_iter().map(|(_, p)| p).collect();
        let re = compile(&format!("(?i)(?:{})", alternation.join("|")))?;
        Ok(Some(Finder { re }))
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        let mut from = 0;
        while let Some(m) = self.re.find_at(text, from) {
            if is_word(char_before(text, m.start())) || is_word(char_after(text, m.end())) {
                // Part of a longer word (`Marianne` for `Anne`): a name may
                // still start inside this match, one char on.
                from = m.start() + char_after(text, m.start()).map_or(1, char::len_utf8);
                continue;
            }
            out.push(Span::new(text, m.start(), m.end(), Kind::Name));
            from = m.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(names: &[&str], text: &str) -> Vec<String> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut out = Vec::new();
        Finder::new(&names).unwrap().unwrap().find(text, &mut out);
        out.into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn whole_words_any_case() {
        let names = ["Hélène Dupré", "Anne", "Jean Dupont", "Yann O'Neil"];
        assert_eq!(
            found(&names, "HÉLÈNE DUPRÉ et hélène  dupré"),
            ["HÉLÈNE DUPRÉ", "hélène  dupré"]
        );
        assert!(found(&names, "Helene Dupre").is_empty());
        assert_eq!(found(&names, "Marianne, Anne, Annette"), ["Anne"]);
        assert_eq!(found(&names, "jean\ndupont"), ["jean\ndupont"]);
        assert_eq!(found(&names, "Marie-Anne Dupont"), ["Anne"]);
        assert_eq!(found(&names, "yann o’neil"), ["yann o’neil"]);
        assert_eq!(
            found(&["Anne Dupont", "Dupont"], "Marianne Dupont"),
            ["Dupont"]
        );
    }

    #[test]
    fn surname_first() {
        let names = ["Jean Dupont", "Jean-Pierre Le Gall"];
        assert_eq!(
            found(&names, "M. DUPONT Jean, Dupont, jean, LE GALL Jean-Pierre"),
            ["DUPONT Jean", "Dupont, jean"]
        );
    }

    #[test]
    fn empty_names() {
        assert!(Finder::new(&[]).unwrap().is_none());
        assert!(matches!(
            Finder::new(&["A".into(), " \t".into()]),
            Err(Error::EmptyName(1))
        ));
    }
}
