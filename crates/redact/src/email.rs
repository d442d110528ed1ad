//! E-mail addresses, bare, in angle brackets or after `mailto:`; not the
//! Message-IDs and Content-IDs that have the same shape.

use regex::Regex;

use crate::{Error, Kind, Span, char_after, compile, is_word};

#[derive(Debug)]
pub(crate) struct Finder {
    re: Regex,
}

/// Local part as people write it (RFC 6531 allows letters of any script),
/// then dot-separated labels ending in a letters-only top-level domain.
const PATTERN: &str =
    r"[\p{L}\p{N}._%+'\-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}";

/// Headers and URL schemes whose `<x@y>` values are message or part ids.
const ID_CUES: &[&str] = &[
    "message-id",
    "message id",
    "msg-id",
    "in-reply-to",
    "references",
    "content-id",
    "cid",
    "mid",
];

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        Ok(Finder {
            re: compile(PATTERN)?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        for m in self.re.find_iter(text) {
            // A local part does not start with a dot or a quote.
            let start =
                m.start() + (m.as_str().len() - m.as_str().trim_start_matches(['.', '\'']).len());
            let after = char_after(text, m.end());
            // `x@y.com2` or `x@y.commerce_`: the domain goes on, not an address.
            if is_word(after) || after == Some('-') || text[start..].starts_with('@') {
                continue;
            }
            if is_message_id(text, start) {
                continue;
            }
            out.push(Span::new(text, start, m.end(), Kind::Email));
        }
    }
}

/// Whether the address at `start` is the value of a Message-ID-like header
/// or cue: walks back over `<id>` tokens, `<`, `:` and spaces (and over
/// folded header lines) and looks at the word before.
fn is_message_id(text: &str, start: usize) -> bool {
    // Ids have characters that addresses rarely do (`CAH7=k2@…`): walk back
    // from the start of the whole token.
    let mut end = text[..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '<' | ':' | ',' | '"' | '(' | ';'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    loop {
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let mut prefix = text[line_start..end].trim_end_matches(['<', ':', ' ', '\t', '\u{a0}']);
        while prefix.ends_with('>') {
            match prefix.rfind('<') {
                Some(i) => prefix = prefix[..i].trim_end_matches([' ', '\t', ',', ':']),
                None => break,
            }
        }
        let lower = prefix.to_lowercase();
        if let Some(cue) = ID_CUES.iter().find(|c| lower.ends_with(*c)) {
            let before = lower[..lower.len() - cue.len()].chars().next_back();
            return !is_word(before);
        }
        // An empty, indented line continues the header above it.
        let folded = prefix.is_empty() && text[line_start..].starts_with([' ', '\t']);
        if !folded || line_start == 0 {
            return false;
        }
        end = line_start - 1;
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
    fn addresses() {
        assert_eq!(
            found("écrire à jean.dupont@orange.fr."),
            ["jean.dupont@orange.fr"]
        );
        assert_eq!(
            found("<Marie-Claire_2@mairie-lyon.gouv.fr>"),
            ["Marie-Claire_2@mairie-lyon.gouv.fr"]
        );
        assert_eq!(
            found("mailto:a+b@exemple.co.uk?subject=x"),
            ["a+b@exemple.co.uk"]
        );
        assert_eq!(
            found("jérôme.lefèvre@société.fr"),
            ["jérôme.lefèvre@société.fr"]
        );
        assert_eq!(found("From: \"X\" <.x@y.org>"), ["x@y.org"]);
    }

    #[test]
    fn not_addresses() {
        assert!(found("x@y.com2 a@b @c.fr user@localhost").is_empty());
        assert!(found("Message-ID: <20240312.GA12@mail.example.org>").is_empty());
        assert!(found("In-Reply-To: <CAH7=k2@mail.gmail.com>").is_empty());
        assert!(found("References: <a1@x.org>\n <b2@x.org>\n\t<c3@x.org>").is_empty());
        assert!(found("voir le message-id <abc.1@host.example.net> du fil").is_empty());
        assert!(found("<img src=\"cid:image001.png@01D9.ABCDEF\">").is_empty());
        assert!(found("src=\"cid:logo@exemple.fr\"").is_empty());
    }

    #[test]
    fn address_after_a_message_id() {
        assert_eq!(
            found("Message-ID: <a@b.org>\nFrom: jean@exemple.fr"),
            ["jean@exemple.fr"]
        );
        assert_eq!(
            found("Message-ID: <a@b.org> de jean@exemple.fr"),
            ["jean@exemple.fr"]
        );
    }
}
