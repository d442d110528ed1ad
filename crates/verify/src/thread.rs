//! `email.thread-order`: a reply dated before the message it replies to,
//! when both are in the dump (the parent as [`MessageIndex::parent`] finds it).

use leakcheck_core::{CheckId, EmailMeta, Finding, ItemId, MessageIndex, Verdict};
use serde_json::json;

/// Clocks differ between senders; a reply this much "earlier" is still fine.
const TOLERANCE: i64 = 5 * 60;

/// Findings for replies whose parent is in the dump.
pub fn check(emails: &[(ItemId, EmailMeta)]) -> Vec<(ItemId, Finding)> {
    let index = MessageIndex::new(emails);
    let mut out = Vec::new();
    for (id, meta) in emails {
        let Some(date) = meta.date_unix else {
            continue;
        };
        let Some((parent_mid, parents)) = index.parent(meta) else {
            continue;
        };
        // The first copy of the parent with a date.
        let Some((pid, pdate, pdate_text)) = parents
            .iter()
            .find_map(|p| Some((&p.0, p.1.date_unix?, &p.1.date)))
        else {
            continue;
        };
        let evidence = json!({"in_reply_to": parent_mid, "parent": pid.as_str(),
                              "date": meta.date, "parent_date": pdate_text,
                              "seconds_after_parent": date - pdate});
        let finding = if date + TOLERANCE < pdate {
            Finding {
                check: CheckId::EmailThreadOrder,
                verdict: Verdict::Suspicious,
                summary: format!(
                    "dated {} minutes before the message it replies to ({})",
                    (pdate - date) / 60,
                    &pid.as_str()[..12]
                ),
                evidence,
            }
        } else {
            Finding {
                check: CheckId::EmailThreadOrder,
                verdict: Verdict::Consistent,
                summary: format!(
                    "dated after the message it replies to ({})",
                    &pid.as_str()[..12]
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

    fn m(mid: &str, reply_to: Option<&str>, date: i64) -> EmailMeta {
        EmailMeta {
            message_id: Some(mid.into()),
            in_reply_to: reply_to.map(|r| vec![r.to_string()]).unwrap_or_default(),
            date_unix: Some(date),
            ..EmailMeta::default()
        }
    }

    #[test]
    fn reply_before_parent() {
        let e = vec![
            (ItemId::of(b"p"), m("p@x", None, 1000)),
            (ItemId::of(b"ok"), m("r1@x", Some("p@x"), 2000)),
            (ItemId::of(b"bad"), m("r2@x", Some("p@x"), 1000 - 3600)),
            (ItemId::of(b"orphan"), m("r3@x", Some("missing@x"), 5)),
        ];
        let f = check(&e);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].1.verdict, Verdict::Consistent);
        assert_eq!(f[1].0, ItemId::of(b"bad"));
        assert_eq!(f[1].1.verdict, Verdict::Suspicious);
        assert!(f[1].1.summary.contains("60 minutes before"));
    }
}
