//! `email.duplicate-message-id`: copies of one message (same Message-ID)
//! whose bytes differ. When what a reader sees differs (From, To, Cc,
//! Subject, Date, text), one copy was altered; when only transport or
//! folder headers differ, the copies are consistent.

use leakcheck_core::{Address, CheckId, EmailMeta, Finding, ItemId, MessageIndex, Verdict};
use serde_json::{Value, json};

/// Findings for every email that shares its Message-ID with another item.
pub fn check(emails: &[(ItemId, EmailMeta)]) -> Vec<(ItemId, Finding)> {
    let mut out = Vec::new();
    for (mid, group) in MessageIndex::new(emails).duplicated() {
        for (i, (id, meta)) in group.iter().map(|e| (&e.0, &e.1)).enumerate() {
            // Compare with the first other copy that differs in what a reader
            // sees; else with the first other copy.
            let others: Vec<_> = group
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, e)| e)
                .collect();
            let conflicting = others
                .iter()
                .map(|o| (o, visible_differences(meta, &o.1)))
                .find(|(_, d)| !d.is_empty());
            let finding = match conflicting {
                Some((other, differences)) => Finding {
                    check: CheckId::EmailDuplicateMessageId,
                    verdict: Verdict::Altered,
                    summary: format!(
                        "another copy with Message-ID <{mid}> ({}) differs in {}",
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
                },
                None => {
                    let other = others[0];
                    Finding {
                        check: CheckId::EmailDuplicateMessageId,
                        verdict: Verdict::Consistent,
                        summary: format!(
                            "{} copies with Message-ID <{mid}> agree on what a reader sees; other headers differ",
                            group.len()
                        ),
                        evidence: json!({
                            "message_id": mid,
                            "other": other.0.as_str(),
                            "copies": group.len(),
                            "differing_headers": header_differences(meta, &other.1),
                        }),
                    }
                }
            };
            out.push((id.clone(), finding));
        }
    }
    out
}

fn visible_differences(a: &EmailMeta, b: &EmailMeta) -> Vec<Value> {
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
    if a.date_unix != b.date_unix {
        out.push(json!({"field": "date", "this": a.date, "other": b.date}));
    }
    let lines = |m: &EmailMeta| -> Vec<String> {
        m.text
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect()
    };
    let (la, lb) = (lines(a), lines(b));
    if la != lb {
        let at = la
            .iter()
            .zip(&lb)
            .position(|(x, y)| x != y)
            .unwrap_or(la.len().min(lb.len()));
        out.push(json!({
            "field": "text",
            "first_difference_at_line": at + 1,
            "this": la.get(at),
            "other": lb.get(at),
            "this_lines": la.len(),
            "other_lines": lb.len(),
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

    #[test]
    fn altered_copy_and_folder_copy() {
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
        let found = check(&[a, b, c, d, e]);
        assert_eq!(found.len(), 4);
        let by = |x: &[u8]| {
            found
                .iter()
                .find(|(id, _)| *id == ItemId::of(x))
                .unwrap()
                .1
                .clone()
        };
        let fa = by(b"a");
        assert_eq!(fa.verdict, Verdict::Altered);
        assert_eq!(fa.evidence["differences"][0]["field"], "text");
        assert_eq!(fa.evidence["differences"][0]["this"], "total 12000");
        assert_eq!(fa.evidence["differences"][0]["other"], "total 19000");
        let fc = by(b"c");
        assert_eq!(fc.verdict, Verdict::Consistent);
        assert_eq!(fc.evidence["differing_headers"], json!(["x-folder"]));
    }
}
