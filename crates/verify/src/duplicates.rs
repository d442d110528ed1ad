//! `email.duplicate-message-id`: copies of one message (same Message-ID)
//! whose bytes differ. `altered` is proof: when one copy is DKIM-authentic,
//! a copy that differs from it in what the signature covers (signed
//! headers, the text) was altered, and the finding says how. When no copy
//! can be proven, copies that differ in what a reader sees are suspicious:
//! they disagree and none can be proven. Fields a format derives rather
//! than keeps (the Date of a message rebuilt from Outlook properties) are
//! not differences; transport and folder headers are not either.

use std::collections::{HashMap, HashSet};

use leakcheck_core::{Address, CheckId, EmailMeta, Finding, ItemId, MessageIndex, Verdict};
use leakcheck_variants::diff;
use leakcheck_variants::minhash::words;
use serde_json::{Value, json};

/// What is known of each copy beyond its fields.
#[derive(Clone, Debug, Default)]
pub struct Proof {
    /// DKIM-authentic copies and the header names their passing signatures
    /// cover (lower case).
    pub authentic: HashMap<ItemId, HashSet<String>>,
    /// Copies rebuilt from Outlook properties (their Date is derived).
    pub rebuilt: HashSet<ItemId>,
}

/// Findings for every email that shares its Message-ID with another item.
pub fn check(emails: &[(ItemId, EmailMeta)], proof: &Proof) -> Vec<(ItemId, Finding)> {
    let mut out = Vec::new();
    for (mid, group) in MessageIndex::new(emails).duplicated() {
        let proven = group
            .iter()
            .find(|(id, _)| proof.authentic.contains_key(id));
        for (id, meta) in group.iter().map(|e| (&e.0, &e.1)) {
            let differ = |other: &(ItemId, EmailMeta)| {
                let derived = proof.rebuilt.contains(id) || proof.rebuilt.contains(&other.0);
                visible_differences(meta, &other.1, derived)
            };
            let finding = match proven {
                Some(auth) if auth.0 != *id && !proof.authentic.contains_key(id) => {
                    let signed = &proof.authentic[&auth.0];
                    let differences = differ(auth);
                    let (in_signed, unsigned): (Vec<Value>, Vec<Value>) =
                        differences.into_iter().partition(|d| {
                            let f = d["field"].as_str().unwrap_or_default();
                            f == "text" || signed.contains(f)
                        });
                    let names = |d: &[Value]| {
                        d.iter()
                            .map(|x| x["field"].as_str().unwrap_or("?").to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let short = &auth.0.as_str()[..12];
                    let evidence = json!({
                        "message_id": mid, "authentic_copy": auth.0.as_str(), "copies": group.len(),
                        "differences": in_signed, "unsigned_differences": unsigned,
                    });
                    if !in_signed.is_empty() {
                        Finding {
                            check: CheckId::EmailDuplicateMessageId,
                            verdict: Verdict::Altered,
                            summary: format!(
                                "differs from the DKIM-authentic copy {short} of <{mid}> in what its signature covers: {}",
                                names(&in_signed)
                            ),
                            evidence,
                        }
                    } else if !unsigned.is_empty() {
                        Finding {
                            check: CheckId::EmailDuplicateMessageId,
                            verdict: Verdict::Suspicious,
                            summary: format!(
                                "differs from the DKIM-authentic copy {short} of <{mid}> only in fields its signature does not cover: {}",
                                names(&unsigned)
                            ),
                            evidence,
                        }
                    } else {
                        Finding {
                            check: CheckId::EmailDuplicateMessageId,
                            verdict: Verdict::Consistent,
                            summary: format!(
                                "says what the DKIM-authentic copy {short} of <{mid}> says; other headers differ"
                            ),
                            evidence,
                        }
                    }
                }
                _ => {
                    let others: Vec<_> = group.iter().filter(|e| e.0 != *id).collect();
                    let conflicting = others
                        .iter()
                        .map(|o| (o, differ(o)))
                        .find(|(_, d)| !d.is_empty());
                    match conflicting {
                        // The authentic copy itself, or copies none of which is proven.
                        Some((other, differences)) if !proof.authentic.contains_key(id) => {
                            Finding {
                                check: CheckId::EmailDuplicateMessageId,
                                verdict: Verdict::Suspicious,
                                summary: format!(
                                    "the copies of <{mid}> disagree and none can be proven: {} differs in {}",
                                    &other.0.as_str()[..12],
                                    differences
                                        .iter()
                                        .map(|d| d["field"].as_str().unwrap_or("?"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                                evidence: json!({
                                    "message_id": mid,
                                    "other": other.0.as_str(),
                                    "copies": group.len(),
                                    "differences": differences,
                                }),
                            }
                        }
                        _ => {
                            let other = others[0];
                            Finding {
                                check: CheckId::EmailDuplicateMessageId,
                                verdict: Verdict::Consistent,
                                summary: if proof.authentic.contains_key(id) {
                                    format!(
                                        "the DKIM-authentic copy of <{mid}> ({} copies)",
                                        group.len()
                                    )
                                } else {
                                    format!(
                                        "{} copies with Message-ID <{mid}> agree on what a reader sees; other headers differ",
                                        group.len()
                                    )
                                },
                                evidence: json!({
                                    "message_id": mid,
                                    "other": other.0.as_str(),
                                    "copies": group.len(),
                                    "differing_headers": header_differences(meta, &other.1),
                                }),
                            }
                        }
                    }
                }
            };
            out.push((id.clone(), finding));
        }
    }
    out
}

/// What a reader sees that differs: addresses, subject, date (unless one
/// copy's date is derived by its format), and the text compared word by
/// word (white space, wrapping and punctuation are how formats differ).
fn visible_differences(a: &EmailMeta, b: &EmailMeta, derived: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let addrs = |list: &[Address]| -> Vec<String> {
        list.iter()
            .map(|x| x.address.clone().unwrap_or_default().to_ascii_lowercase())
            .collect()
    };
    for (name, x, y) in [
        ("from", &a.from, &b.from),
        ("to", &a.to, &b.to),
        ("cc", &a.cc, &b.cc),
    ] {
        let (x, y) = (addrs(x), addrs(y));
        if x != y {
            out.push(json!({"field": name, "this": x, "other": y}));
        }
    }
    let norm = |s: &Option<String>| {
        s.as_deref()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    if norm(&a.subject) != norm(&b.subject) {
        out.push(json!({"field": "subject", "this": a.subject, "other": b.subject}));
    }
    if a.date_unix != b.date_unix && !derived {
        out.push(json!({"field": "date", "this": a.date, "other": b.date}));
    }
    let text = |m: &EmailMeta| words(m.text.as_deref().unwrap_or_default()).join(" ");
    let (ta, tb) = (text(a), text(b));
    if ta != tb {
        let d = diff(&tb, &ta);
        out.push(json!({
            "field": "text",
            "changes": d.changes.iter().take(10).collect::<Vec<_>>(),
            "total_changes": d.total,
            "first": d.changes.first().map(|c| c.render()),
        }));
    }
    out
}

fn header_differences(a: &EmailMeta, b: &EmailMeta) -> Vec<String> {
    let mut names: Vec<String> = a
        .headers
        .iter()
        .filter(|h| !b.headers.contains(h))
        .chain(b.headers.iter().filter(|h| !a.headers.contains(h)))
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(mid: &str, subject: &str, text: &str, folder: &str) -> EmailMeta {
        EmailMeta {
            message_id: Some(mid.into()),
            subject: Some(subject.into()),
            text: Some(text.into()),
            headers: vec![("X-Folder".into(), folder.into())],
            ..EmailMeta::default()
        }
    }

    fn by(found: &[(ItemId, Finding)], x: &[u8]) -> Finding {
        found
            .iter()
            .find(|(id, _)| *id == ItemId::of(x))
            .unwrap()
            .1
            .clone()
    }

    #[test]
    fn unproven_copies_that_disagree_are_suspicious_and_folder_copies_agree() {
        let a = (
            ItemId::of(b"a"),
            meta("m1", "Budget", "total 12000\nbye", "inbox"),
        );
        let b = (
            ItemId::of(b"b"),
            meta("m1", "Budget", "total 19000\nbye", "inbox"),
        );
        let c = (ItemId::of(b"c"), meta("m2", "Hi", "same", "inbox"));
        let d = (ItemId::of(b"d"), meta("m2", "Hi", "same", "sent"));
        let e = (ItemId::of(b"e"), meta("m3", "Alone", "x", "inbox"));
        let found = check(&[a, b, c, d, e], &Proof::default());
        assert_eq!(found.len(), 4);
        let fa = by(&found, b"a");
        assert_eq!(fa.verdict, Verdict::Suspicious, "{}", fa.summary);
        assert!(
            fa.summary.contains("disagree and none can be proven"),
            "{}",
            fa.summary
        );
        assert_eq!(fa.evidence["differences"][0]["field"], "text");
        assert_eq!(
            fa.evidence["differences"][0]["first"],
            "…total [-19000-]{+12000+} bye…"
        );
        let fc = by(&found, b"c");
        assert_eq!(fc.verdict, Verdict::Consistent);
        assert_eq!(fc.evidence["differing_headers"], json!(["x-folder"]));
    }

    #[test]
    fn a_copy_of_an_authentic_email_that_differs_in_signed_content_is_altered() {
        let signed = (
            ItemId::of(b"s"),
            meta("m1", "Budget", "total 12000", "inbox"),
        );
        let figure = (
            ItemId::of(b"f"),
            meta("m1", "Budget", "total 120000", "sent"),
        );
        let mut to = meta("m1", "Budget", "total 12000", "sent");
        to.to = vec![Address {
            name: None,
            address: Some("press@news.example".into()),
        }];
        let unsigned_to = (ItemId::of(b"t"), to);
        let folder = (
            ItemId::of(b"c"),
            meta("m1", "Budget", "total 12000", "archive"),
        );
        let mut proof = Proof::default();
        proof.authentic.insert(
            ItemId::of(b"s"),
            ["from", "subject", "date"].map(String::from).into(),
        );
        let found = check(&[signed, figure, unsigned_to, folder], &proof);
        let f = by(&found, b"f");
        assert_eq!(f.verdict, Verdict::Altered, "{}", f.summary);
        assert!(f.summary.contains("DKIM-authentic copy"), "{}", f.summary);
        assert_eq!(
            f.evidence["differences"][0]["first"],
            "…total [-12000-]{+120000+}…"
        );
        let t = by(&found, b"t");
        assert_eq!(t.verdict, Verdict::Suspicious, "{}", t.summary);
        assert!(t.summary.contains("does not cover: to"), "{}", t.summary);
        assert_eq!(by(&found, b"c").verdict, Verdict::Consistent);
        assert_eq!(by(&found, b"s").verdict, Verdict::Consistent);
    }

    #[test]
    fn a_date_rebuilt_from_outlook_properties_is_not_a_difference() {
        let mut original = meta("m1", "Budget", "total 12000", "inbox");
        original.date_unix = Some(1_492_000_000);
        let mut rebuilt = original.clone();
        rebuilt.date_unix = Some(1_492_000_000 + 7200);
        let mut proof = Proof::default();
        proof.rebuilt.insert(ItemId::of(b"r"));
        let found = check(
            &[(ItemId::of(b"o"), original), (ItemId::of(b"r"), rebuilt)],
            &proof,
        );
        assert_eq!(by(&found, b"o").verdict, Verdict::Consistent);
        assert_eq!(by(&found, b"r").verdict, Verdict::Consistent);
    }
}
