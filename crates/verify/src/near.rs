//! `archive.near-duplicate`: a text that claims to be the same content as a
//! DKIM-authentic item but differs from it. Forgers start from real
//! documents; the authentic copy shows what the real one said.
//!
//! Only texts that claim to *be* some content are compared: a document, an
//! attachment or a loose file (its whole text), and the body an email
//! forwards. What a reply writes and what it quotes are not: members of one
//! thread repeat each other by nature, and a quote is checked against its
//! parent by `email.thread-quote`. So a reply quoting a signed message is
//! never a "near-copy" of it.

use std::collections::{HashMap, HashSet};

use leakcheck_core::words::count;
use leakcheck_core::{CheckId, EmailMeta, Finding, ItemId, Kind, Verdict};
use leakcheck_store::{Case, Result, TextRow, VerifyCatalog};
use leakcheck_variants::minhash::{Signature, signature, words};
use leakcheck_variants::{Change, diff};
use serde_json::json;

use crate::near_scratch::Scratch;

/// Items read from the catalog at a time (with their texts), and findings
/// written at a time.
const BATCH: usize = 1000;

/// What a text compared with the authentic ones claims to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// A document, attachment or file: all of its text.
    Document,
    /// The message an email forwards.
    Forwarded,
}

impl Claim {
    /// The claim as the scratch database stores it.
    pub(crate) fn code(self) -> i64 {
        match self {
            Claim::Document => 0,
            Claim::Forwarded => 1,
        }
    }

    /// The claim [`Claim::code`] stored.
    pub(crate) fn from_code(code: i64) -> Option<Claim> {
        match code {
            0 => Some(Claim::Document),
            1 => Some(Claim::Forwarded),
            _ => None,
        }
    }
}

/// A text with its MinHash signature; `claim` is `None` for an authentic
/// item's text (what the others are compared with).
pub(crate) struct Unit {
    pub(crate) id: ItemId,
    pub(crate) kind: String,
    pub(crate) path: String,
    pub(crate) claim: Option<Claim>,
    /// For a forwarded body, the sender its header names.
    pub(crate) sender: Option<String>,
    /// For an authentic email, its From addresses.
    pub(crate) from: Vec<String>,
    pub(crate) sig: Signature,
}

/// Lines that open a forwarded message in the clients we know (Gmail,
/// Thunderbird, Apple Mail, Outlook), in English, French and German.
const FORWARD_MARKERS: [&str; 6] = [
    "forwarded message",
    "message transféré",
    "begin forwarded message",
    "début du message réexpédié",
    "début du message transféré",
    "weitergeleitete nachricht",
];
/// Outlook opens replies and forwards alike with these: a forward only
/// when the subject says so.
const ORIGINAL_MARKERS: [&str; 3] = ["original message", "message d'origine", "ursprüngliche"];
/// Subject prefixes of a forward.
const FORWARD_PREFIXES: [&str; 5] = ["fwd:", "fw:", "tr:", "wg:", "transf:"];
/// Header lines a client writes above a forwarded body.
const FORWARD_HEADERS: [&str; 14] = [
    "from", "de", "von", "date", "datum", "sent", "envoyé", "gesendet", "to", "à", "an", "cc",
    "subject", "objet",
];

/// A line that opens a quoted or forwarded message below it, in the
/// clients we know (`-----Original Message-----`, `---------- Forwarded
/// message ---------`...): what follows is another message's text.
pub fn is_separator(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    !l.starts_with('>')
        && l.len() < 80
        && (FORWARD_MARKERS.iter().any(|m| l.contains(m))
            || (l.starts_with('-') && ORIGINAL_MARKERS.iter().any(|m| l.contains(m))))
}

/// The sender a forward's header block names (`From: Anne <a@x>`,
/// `De : Anne [mailto:a@x]`), lower case.
fn claimed_sender(header_block: &str) -> Option<String> {
    header_block.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        if !["from", "de", "von"].contains(&name.trim().to_lowercase().as_str()) {
            return None;
        }
        let start = value.find(['<', ':']).map_or(0, |i| i + 1);
        let addr: String = value[start..]
            .chars()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| !matches!(c, '>' | ']' | ' '))
            .collect();
        addr.contains('@').then(|| addr.to_lowercase())
    })
}

/// The body an email forwards, when it forwards one outside any `>` quote:
/// the text after the forward line and the header lines the client wrote.
pub fn forwarded_body<'a>(text: &'a str, subject: Option<&str>) -> Option<&'a str> {
    forwarded(text, subject).map(|(_, body)| body)
}

/// [`forwarded_body`], with the sender its header block names.
fn forwarded<'a>(text: &'a str, subject: Option<&str>) -> Option<(Option<String>, &'a str)> {
    let is_forward = subject.is_some_and(|s| {
        let s = s.trim_start().to_lowercase();
        FORWARD_PREFIXES.iter().any(|p| s.starts_with(p))
    });
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    for line in lines.by_ref() {
        offset += line.len();
        let l = line.trim().to_lowercase();
        if l.starts_with('>') {
            continue;
        }
        let marker = FORWARD_MARKERS.iter().any(|m| l.contains(m))
            || (is_forward && l.starts_with('-') && ORIGINAL_MARKERS.iter().any(|m| l.contains(m)));
        if marker && l.len() < 80 {
            break;
        }
    }
    if offset >= text.len() {
        return None;
    }
    // The header block: "From: …", "Date : …" lines, blank lines around them.
    let head = offset;
    for line in lines {
        let l = line.trim().to_lowercase();
        let header = l.split_once(':').is_some_and(|(name, _)| {
            FORWARD_HEADERS.contains(&name.trim()) || name.trim() == "reply-to"
        });
        if !l.is_empty() && !header {
            break;
        }
        offset += line.len();
    }
    let body = &text[offset..];
    (!body.trim().is_empty()).then(|| (claimed_sender(&text[head..offset]), body))
}

/// Each row's texts to compare, with signatures, computed on every core.
fn units(
    case: &Case,
    rows: &[TextRow],
    emails: &HashMap<&ItemId, &EmailMeta>,
    authentic: &HashSet<ItemId>,
) -> Vec<Unit> {
    let of_row = |row: &TextRow| -> Option<Unit> {
        if row.kind.parse::<Kind>().is_ok_and(Kind::is_image) {
            return None;
        }
        let authentic = authentic.contains(&row.id);
        let mut sender = None;
        let mut from = Vec::new();
        let (text, claim) = match emails.get(&row.id) {
            Some(meta) => {
                let text = meta.text.as_deref()?;
                if authentic {
                    from = meta.from.iter().filter_map(|a| a.address.clone()).collect();
                    (text.to_string(), None)
                } else {
                    let (from, body) = forwarded(text, meta.subject.as_deref())?;
                    sender = from;
                    (body.to_string(), Some(Claim::Forwarded))
                }
            }
            // A stored row that no longer parses is reported by the catalog's
            // own readers (`variants`, `search`); here it has no text to compare.
            None => (
                row.text(case.blobs()).ok().flatten()?,
                (!authentic).then_some(Claim::Document),
            ),
        };
        Some(Unit {
            id: row.id.clone(),
            kind: row.kind.clone(),
            path: row.path.clone(),
            claim,
            sender,
            from,
            sig: signature(&text)?,
        })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = rows.len().div_ceil(threads).max(64);
    std::thread::scope(|s| {
        let parts: Vec<_> = rows
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().filter_map(of_row).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// What a forward leaves out or adds at either end is how forwarding
/// works (a header line the client added, a body cut short, even in the
/// middle of its last word); only what it changes inside counts.
fn inner_changes(mut changes: Vec<Change>, total: usize) -> (Vec<Change>, bool) {
    let mut cut = false;
    // The last change is only known to be last when every change is listed.
    let complete = changes.len() == total;
    let one_sided = |c: &Change| c.removed.is_empty() || c.added.is_empty();
    if changes
        .first()
        .is_some_and(|c| c.before.is_empty() && one_sided(c))
    {
        changes.remove(0);
    }
    if complete
        && let Some(c) = changes.last()
        && c.after.is_empty()
    {
        let truncated_word = !c.added.contains(' ')
            && c.removed
                .split_whitespace()
                .next()
                .is_some_and(|w| w.starts_with(c.added.as_str()));
        // The authentic text itself stops mid-word where the forward goes on.
        let reference_cut = !c.removed.is_empty()
            && !c.removed.contains(' ')
            && c.added
                .split_whitespace()
                .next()
                .is_some_and(|w| w.starts_with(c.removed.as_str()));
        if c.added.is_empty() || truncated_word {
            cut = true;
            changes.pop();
        } else if c.removed.is_empty() || reference_cut {
            changes.pop();
        }
    }
    (changes, cut)
}

/// Writes a finding for every document and forwarded body that resembles
/// an authentic item's text, given the items proven authentic so far, and
/// says how many it wrote. Texts are read a page at a time and only their
/// signatures kept, on disk ([`Scratch`]); the two texts of a pair found
/// are read again to compare them.
pub fn check(case: &Case, catalog: &mut impl VerifyCatalog) -> Result<usize> {
    let mut scratch = Scratch::new()?;
    let mut after = None;
    loop {
        let rows = catalog.text_rows(after.as_ref(), BATCH)?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            break;
        };
        let authentic = catalog.with_verdict_between(Verdict::Authentic, &first.id, &last.id)?;
        after = Some(last.id.clone());
        let ids: Vec<ItemId> = rows.iter().map(|r| r.id.clone()).collect();
        let emails = catalog.emails_of(&ids)?;
        let by_id: HashMap<&ItemId, &EmailMeta> = emails.iter().map(|(i, m)| (i, m)).collect();
        scratch.add(&units(case, &rows, &by_id, &authentic))?;
    }
    // A forward claims to be the message its header names: only an
    // authentic message from that sender can say what it said (another
    // message of the thread shares its quoted history, not its text).
    scratch.compare(|questioned, reference| {
        questioned.sender.as_ref().is_none_or(|sender| {
            reference
                .from
                .iter()
                .any(|x| x.eq_ignore_ascii_case(sender))
        })
    })?;
    let mut written = 0;
    let mut after = -1;
    loop {
        let page = scratch.best(after, BATCH)?;
        let Some(&(last, _, _)) = page.last() else {
            break;
        };
        after = last;
        let mut found = Vec::with_capacity(page.len());
        for (q, r, resemblance) in page {
            let (unit, reference) = (scratch.unit(q)?, scratch.unit(r)?);
            let f = finding(case, catalog, &unit, &reference, resemblance)?;
            found.push((unit.id.clone(), f));
        }
        catalog.add_findings(&found)?;
        written += found.len();
    }
    Ok(written)
}

/// The text of a unit as it was compared, read again.
fn text(case: &Case, catalog: &mut impl VerifyCatalog, u: &Unit) -> Result<String> {
    Ok(match catalog.email(&u.id)? {
        Some(m) => {
            let t = m.text.as_deref().unwrap_or_default();
            match u.claim {
                Some(Claim::Forwarded) => forwarded_body(t, m.subject.as_deref())
                    .unwrap_or_default()
                    .to_string(),
                _ => t.to_string(),
            }
        }
        None => catalog
            .item_text(case.blobs(), &u.id, &u.kind)?
            .unwrap_or_default(),
    })
}

/// The finding for a questioned text and the authentic text it resembles.
fn finding(
    case: &Case,
    catalog: &mut impl VerifyCatalog,
    unit: &Unit,
    reference: &Unit,
    resemblance: f64,
) -> Result<Finding> {
    let (theirs, ours) = (text(case, catalog, reference)?, text(case, catalog, unit)?);
    let claim = unit.claim.unwrap_or(Claim::Document);
    let (changes, total, cut) = match claim {
        Claim::Document => {
            let d = diff(&theirs, &ours);
            (d.changes, d.total, false)
        }
        // Compared as words: quote markers and punctuation a client
        // rewrites are not changes.
        Claim::Forwarded => {
            let norm = |t: &str| words(t).join(" ");
            let d = diff(&norm(&theirs), &norm(&ours));
            let listed = d.changes.len();
            let (mut changes, cut) = inner_changes(d.changes, d.total);
            changes.retain(|c| !crate::thread_quote::charset_loss(c));
            let total = d.total - (listed - changes.len());
            (changes, total, cut)
        }
    };
    let short = &reference.id.as_str()[..12];
    let what = match claim {
        Claim::Document => "its text",
        Claim::Forwarded => "the message it forwards",
    };
    let evidence = json!({
        "claim": match claim { Claim::Document => "document", Claim::Forwarded => "forwarded" },
        "authentic_item": reference.id.as_str(),
        "authentic_path": reference.path,
        "resemblance": resemblance,
        "changes": changes,
        "total_changes": total,
        "cut_short": cut,
    });
    Ok(if total == 0 {
        let cut = if cut { ", cut short at the end" } else { "" };
        Finding {
            check: CheckId::ArchiveNearDuplicate,
            verdict: Verdict::Consistent,
            summary: format!(
                "{what} is the text of DKIM-authentic {short} ({}){cut}",
                reference.path
            ),
            evidence,
        }
    } else {
        let first: Vec<String> = changes.iter().take(3).map(Change::render).collect();
        Finding {
            check: CheckId::ArchiveNearDuplicate,
            verdict: Verdict::Suspicious,
            summary: format!(
                "{what} nearly repeats DKIM-authentic {short} ({}, {:.0} % alike) but differs in {}: {}",
                reference.path,
                resemblance * 100.0,
                count(total, "place", "places"),
                first.join(" ")
            ),
            evidence,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_bodies_are_found_below_the_client_headers() {
        let gmail = "FYI\n\n---------- Forwarded message ---------\nFrom: Anne <a@x.example>\nDate: Mon, 3 Apr 2017\nSubject: Budget\nTo: Bo <b@x.example>\n\nThe transfer of 12000 euros leaves on Monday.\n";
        assert_eq!(
            forwarded_body(gmail, Some("Fwd: Budget")),
            Some("The transfer of 12000 euros leaves on Monday.\n")
        );
        let french = "Pour info\n\n---------- Message transféré ----------\nDe : Anne <a@x.example>\nDate : 3 avril 2017\nObjet : Budget\n\nLe virement part lundi.\n";
        assert_eq!(
            forwarded_body(french, Some("TR: Budget")),
            Some("Le virement part lundi.\n")
        );
        assert_eq!(
            forwarded(gmail, Some("Fwd: Budget")).unwrap().0.as_deref(),
            Some("a@x.example")
        );
        // Outlook's separator is a forward only when the subject says so.
        let outlook = "Oui.\n\n-----Message d'origine-----\nDe : Anne [mailto:a@x.example]\nEnvoyé : lundi\nÀ : Bo\nObjet : Budget\n\nLe virement part lundi.\n";
        assert_eq!(forwarded_body(outlook, Some("RE: Budget")), None);
        assert_eq!(
            forwarded_body(outlook, Some("TR: Budget")),
            Some("Le virement part lundi.\n")
        );
        // Inside a quote it belongs to the quote; a plain reply has none.
        let quoted = "Ok\n> ---------- Forwarded message ---------\n> From: A\n> text\n";
        assert_eq!(forwarded_body(quoted, Some("Re: x")), None);
        assert_eq!(forwarded_body("Hello\nthere", None), None);
    }

    fn change(before: &str, removed: &str, added: &str, after: &str) -> Change {
        Change {
            before: before.into(),
            removed: removed.into(),
            added: added.into(),
            after: after.into(),
        }
    }

    #[test]
    fn a_forward_cut_short_or_headed_is_not_changed_but_an_edit_inside_is() {
        let cut = vec![change("the money for the ", "loop and more", "l", "")];
        assert_eq!(inner_changes(cut, 1), (vec![], true));
        let head = vec![change("", "", "envoyé de mon iphone", "the")];
        assert_eq!(inner_changes(head, 1).0, vec![]);
        let both = vec![
            change("", "", "fyi", "the"),
            change("the money for the ", "loop", "lo", ""),
        ];
        assert_eq!(inner_changes(both, 2), (vec![], true));
        let figure = vec![change("transfer of ", "12000", "19000", " euros")];
        assert_eq!(inner_changes(figure.clone(), 1).0, figure);
        let longer = vec![change("our ", "obje", "objectif for the year", "")];
        assert_eq!(
            inner_changes(longer, 1).0,
            vec![],
            "the authentic text cut short"
        );
        let ending = vec![change("signed by ", "anne", "boris", "")];
        assert_eq!(
            inner_changes(ending.clone(), 1).0,
            ending,
            "a changed last word"
        );
    }
}
