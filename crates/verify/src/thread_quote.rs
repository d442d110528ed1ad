//! `email.thread-quote`: a reply quotes its parent (`> ` lines); when the
//! parent is in the dump, the quote must be words the parent has. A quote
//! may leave parts out and be re-wrapped; words the parent never had mean
//! one of the two was changed.

use leakcheck_core::words::count;
use leakcheck_core::{CheckId, EmailMeta, Finding, ItemId, MessageIndex, Verdict};
use leakcheck_variants::minhash::words;
use leakcheck_variants::{Change, diff};
use serde_json::json;

/// Quotes shorter than this many words are not compared ("> ok").
const MIN_QUOTED_WORDS: usize = 5;

/// The text a reply quotes: its `>` lines with the markers removed, above
/// any `-----Original Message-----` or forward line (what follows such a
/// line is the other message's own text, with that message's quotes).
pub fn quoted(text: &str) -> String {
    text.lines()
        .take_while(|l| !crate::near::is_separator(l))
        .map(str::trim_start)
        .filter(|l| l.starts_with('>'))
        .map(|l| l.trim_start_matches(|c: char| c == '>' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What clients write where they cut a quote short.
const CUT_MARKERS: [&str; 4] = [
    "message clipped",
    "message tronqué",
    "view entire message",
    "afficher l intégralité du message",
];

/// A change that only drops or replaces letters outside ASCII ("œuvre"
/// quoted as "uvre" or "?uvre"): a client writing in a charset that lacks
/// those letters, not a change of words.
pub fn charset_loss(c: &Change) -> bool {
    let ascii = |s: &str| -> String { s.chars().filter(char::is_ascii_alphanumeric).collect() };
    let letters_lost = !c.removed.is_ascii() || !c.added.is_ascii();
    letters_lost
        && !c.removed.is_empty()
        && !c.added.is_empty()
        && ascii(&c.removed) == ascii(&c.added)
}

/// Changes with nothing but a space between them, as one change: a letter
/// a charset lacks, written as a break, cuts one word in two ("cœur" quoted
/// as "c ur"), and only the two halves together show the loss.
fn adjacent_joined(changes: Vec<Change>) -> Vec<Change> {
    let join = |a: &str, b: &str| {
        [a, b]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out: Vec<Change> = Vec::with_capacity(changes.len());
    for c in changes {
        match out.last_mut() {
            Some(prev) if prev.after.is_empty() && c.before.is_empty() => {
                prev.removed = join(&prev.removed, &c.removed);
                prev.added = join(&prev.added, &c.added);
                prev.after = c.after;
            }
            _ => out.push(c),
        }
    }
    out
}

/// The words `quote` has that `parent` does not, as changes. Only words the
/// quote adds count: leaving parts out is quoting, and so is a quote cut
/// short at its end, even in the middle of a word ("l" for "loop"), or
/// with the note a client writes there ("[Message clipped]").
pub fn added_words(parent: &str, quote: &str) -> Vec<Change> {
    let norm = |t: &str| words(t).join(" ");
    let mut quote = norm(quote);
    if let Some(m) = CUT_MARKERS.iter().find(|m| quote.ends_with(*m)) {
        quote.truncate(quote.len() - m.len());
    }
    let d = diff(&norm(parent), &quote);
    let listed = d.changes.len() == d.total;
    let mut added: Vec<Change> = adjacent_joined(d.changes)
        .into_iter()
        .filter(|c| !c.added.is_empty() && !charset_loss(c))
        .collect();
    if listed
        && let Some(last) = added.last()
        && last.after.is_empty()
    {
        let first_removed = last.removed.split_whitespace().next().unwrap_or_default();
        if !last.added.contains(' ') && first_removed.starts_with(last.added.as_str()) {
            added.pop();
        }
    }
    added
}

/// A finding for every reply that quotes a parent present in the dump.
pub fn check(emails: &[(ItemId, EmailMeta)]) -> Vec<(ItemId, Finding)> {
    let index = MessageIndex::new(emails);
    let mut out = Vec::new();
    for (id, meta) in emails {
        let Some((parent_id, parents)) = index.parent(meta) else {
            continue;
        };
        let quote = quoted(meta.text.as_deref().unwrap_or_default());
        if quote.split_whitespace().count() < MIN_QUOTED_WORDS {
            continue;
        }
        // Compared as words (letters and digits, lower case): quoting
        // artefacts such as an mbox's `>From` or changed punctuation are not
        // words the parent lacks. Each copy of the parent is tried; the
        // closest one answers.
        let best = parents
            .iter()
            .map(|(pid, p)| {
                (
                    pid,
                    added_words(p.text.as_deref().unwrap_or_default(), &quote),
                )
            })
            .min_by_key(|(_, added)| added.len());
        let Some((parent, added)) = best else {
            continue;
        };
        let evidence = json!({
            "parent": parent.as_str(),
            "parent_message_id": parent_id,
            "quoted_words": quote.split_whitespace().count(),
            "not_in_parent": added,
        });
        let finding = if added.is_empty() {
            Finding {
                check: CheckId::EmailThreadQuote,
                verdict: Verdict::Consistent,
                summary: format!(
                    "its quote of {} matches the parent's text",
                    &parent.as_str()[..12]
                ),
                evidence,
            }
        } else {
            let first: Vec<String> = added.iter().take(3).map(|c| c.render()).collect();
            Finding {
                check: CheckId::EmailThreadQuote,
                verdict: Verdict::Suspicious,
                summary: format!(
                    "it quotes words its parent {} does not have ({}): {}",
                    &parent.as_str()[..12],
                    count(added.len(), "place", "places"),
                    first.join(" ")
                ),
                evidence,
            }
        };
        out.push((id.clone(), finding));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(n: u8, mid: &str, reply_to: Option<&str>, text: &str) -> (ItemId, EmailMeta) {
        (
            ItemId::of(&[n]),
            EmailMeta {
                message_id: Some(mid.into()),
                in_reply_to: reply_to.map(String::from).into_iter().collect(),
                text: Some(text.into()),
                ..EmailMeta::default()
            },
        )
    }

    #[test]
    fn only_the_reply_s_own_quote_counts_and_charset_losses_are_quoting() {
        let outlook =
            "Oui.\n\n-----Original Message-----\nFrom: Bo\n\nHi\n> an older quote of five words\n";
        assert_eq!(quoted(outlook), "");
        let parent = "Une œuvre de vingt bénévoles pour la boucle du samedi";
        assert!(
            added_words(
                parent,
                "Une uvre de vingt bénévoles pour la boucle du samedi"
            )
            .is_empty()
        );
        // The lost letter written as a break: one word cut in two.
        let heart = "Merci du fond du cœur d avoir tenu la boucle du samedi";
        for quote in [
            "Merci du fond du c ur d avoir tenu la boucle du samedi",
            "Merci du fond du c?ur d avoir tenu la boucle du samedi",
        ] {
            assert!(added_words(heart, quote).is_empty(), "{quote}");
        }
        assert_eq!(
            added_words(
                heart,
                "Merci du fond du c ur d avoir tenu la fête du samedi"
            )
            .len(),
            1
        );
        assert_eq!(
            added_words(
                parent,
                "Une pièce de vingt bénévoles pour la boucle du samedi"
            )
            .len(),
            1
        );
    }

    #[test]
    fn a_quote_cut_short_is_quoting() {
        let parent = "Nous avons besoin de vingt bénévoles pour la boucle du samedi matin";
        assert!(added_words(parent, "Nous avons besoin de vingt bénévoles pour la b").is_empty());
        assert!(
            added_words(
                parent,
                "Nous avons besoin de vingt bénévoles\n[Message clipped]"
            )
            .is_empty()
        );
        let changed = added_words(parent, "Nous avons besoin de trente bénévoles pour la b");
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!(changed[0].added, "trente");
        let appended = added_words(
            parent,
            "Nous avons besoin de vingt bénévoles et de 5000 euros",
        );
        assert!(
            appended.iter().any(|c| c.added.ends_with("euros")),
            "words added at the end are not a cut: {appended:?}"
        );
    }

    #[test]
    fn quotes_that_match_omit_or_rewrap_are_consistent() {
        let parent = mail(
            1,
            "p@x",
            None,
            "Hello,\n\nThe transfer of 12000 euros leaves on Monday for the printer in Lyon.\n\nAnne",
        );
        let rewrapped = mail(
            2,
            "r@x",
            Some("p@x"),
            "Fine.\n\nOn Monday Anne wrote:\n> The transfer of 12000 euros leaves on\n> Monday for the printer in Lyon.\n",
        );
        let changed = mail(
            3,
            "s@x",
            Some("p@x"),
            "Fine.\n\n> The transfer of 120000 euros leaves on Monday for the printer in Lyon.\n",
        );
        let short = mail(4, "t@x", Some("p@x"), "> Hello,\nok");
        let found = check(&[parent, rewrapped, changed, short]);
        assert_eq!(found.len(), 2, "a two-word quote is not compared");
        assert_eq!(
            found[0].1.verdict,
            Verdict::Consistent,
            "{}",
            found[0].1.summary
        );
        assert_eq!(found[1].1.verdict, Verdict::Suspicious);
        assert!(
            found[1].1.summary.contains("[-12000-]{+120000+}"),
            "{}",
            found[1].1.summary
        );
    }
}
