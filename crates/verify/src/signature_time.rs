//! `email.signature-time`: when each DKIM signature says it was made (`t=`)
//! against when the message says it was written (Date) and when the first
//! server received it (the lowest Received header). A signer signs as the
//! message leaves; a 2017 mail signed in 2026 was signed long after it
//! claims to have been sent, by whoever held the key then (and keys are
//! published or leaked once retired). Explained when a server on the
//! message's path received it at that time (a list or relay that signed
//! it on the way); otherwise suspicious.

use leakcheck_core::{CheckId, EmailMeta, Finding, Verdict};
use serde_json::json;

use crate::headers;

/// Senders' and servers' clocks and queues: a signature this far from the
/// Date and the first receipt is not a matter of clocks (the same bound
/// `email.date-skew` allows a first receipt after the Date).
pub const TOLERANCE: i64 = 7 * 86_400;

fn stamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(|| t.to_string(), |d| d.to_rfc3339())
}

fn days(seconds: i64) -> String {
    format!("{:.0} days", seconds.abs() as f64 / 86_400.0)
}

/// The finding for one email, given its `email.dkim` finding; none when no
/// signature carries a `t=` or the message has no time to compare it with.
pub fn check(meta: &EmailMeta, dkim: &Finding) -> Option<Finding> {
    let signed: Vec<(String, i64)> = dkim.evidence["signatures"]
        .as_array()?
        .iter()
        .filter_map(|s| {
            let t = i64::try_from(s["signed_at"].as_u64()?).ok()?;
            Some((s["domain"].as_str().unwrap_or_default().to_string(), t))
        })
        .collect();
    let received = headers::receipt_times(meta);
    let first = received.last().copied();
    if signed.is_empty() || (meta.date_unix.is_none() && first.is_none()) {
        return None;
    }
    let near = |a: i64, b: Option<i64>| b.is_some_and(|b| (a - b).abs() <= TOLERANCE);
    let mut far = Vec::new();
    let mut explained = Vec::new();
    for (domain, t) in &signed {
        if near(*t, meta.date_unix) || near(*t, first) {
            continue;
        }
        let anchor = meta.date_unix.or(first).unwrap_or(*t);
        let what = format!(
            "d={domain} signed at {} ({} {} the Date{})",
            stamp(*t),
            days(t - anchor),
            if *t > anchor { "after" } else { "before" },
            if meta.date_unix.is_none() {
                " (none: the first receipt)"
            } else {
                ""
            }
        );
        // A server on the path received it then: it signed on the way.
        if received.iter().any(|r| (t - r).abs() <= TOLERANCE) {
            explained.push(format!("{what}, when a server on its path received it"));
        } else {
            far.push(what);
        }
    }
    let evidence = json!({
        "signatures": signed.iter().map(|(d, t)| json!({"domain": d, "signed_at": stamp(*t)})).collect::<Vec<_>>(),
        "date": meta.date_unix.map(stamp),
        "first_received": first.map(stamp),
        "tolerance_days": TOLERANCE / 86_400,
        "explained": explained,
    });
    Some(if !far.is_empty() {
        Finding {
            check: CheckId::EmailSignatureTime,
            verdict: Verdict::Suspicious,
            summary: format!(
                "signed long after (or before) it says it was sent, by no server on its path: {}; \
                 the signature proves who held the key then, not that the message was sent so",
                far.join("; ")
            ),
            evidence,
        }
    } else if !explained.is_empty() {
        Finding {
            check: CheckId::EmailSignatureTime,
            verdict: Verdict::Consistent,
            summary: format!("signed on its way: {}", explained.join("; ")),
            evidence,
        }
    } else {
        Finding {
            check: CheckId::EmailSignatureTime,
            verdict: Verdict::Consistent,
            summary: format!(
                "signed when it was sent (within {} days of its Date or first receipt)",
                TOLERANCE / 86_400
            ),
            evidence,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dkim(t: u64) -> Finding {
        Finding {
            check: CheckId::EmailDkim,
            verdict: Verdict::Authentic,
            summary: String::new(),
            evidence: json!({"signatures": [{"domain": "campaign.example", "signed_at": t}]}),
        }
    }

    fn mail(date: i64, received: &[&str]) -> EmailMeta {
        EmailMeta {
            date_unix: Some(date),
            headers: received
                .iter()
                .map(|r| ("Received".to_string(), (*r).to_string()))
                .collect(),
            ..EmailMeta::default()
        }
    }

    // Wed, 19 Apr 2017 17:00:00 +0200
    const SENT: i64 = 1_492_614_000;

    #[test]
    fn a_2017_mail_signed_in_2026_is_suspicious_unless_a_server_signed_it_then() {
        let on_time = check(&mail(SENT, &[]), &dkim(SENT as u64 + 5)).unwrap();
        assert_eq!(on_time.verdict, Verdict::Consistent, "{}", on_time.summary);
        let late = check(&mail(SENT, &[]), &dkim(1_780_000_000)).unwrap();
        assert_eq!(late.verdict, Verdict::Suspicious, "{}", late.summary);
        assert!(
            late.summary.contains("signed at 2026-05-28"),
            "{}",
            late.summary
        );
        assert!(
            late.summary.contains("3326 days after the Date"),
            "{}",
            late.summary
        );
        // A list server that received it in 2026 and signed it then.
        let relayed = mail(
            SENT,
            &[
                "from list.example by mx.example; Thu, 28 May 2026 20:30:00 +0000",
                "from a by list.example; Wed, 19 Apr 2017 17:00:05 +0200",
            ],
        );
        let f = check(&relayed, &dkim(1_780_000_000)).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert!(f.summary.contains("server on its path"), "{}", f.summary);
        // Nothing to compare with.
        let undated = EmailMeta::default();
        assert!(check(&undated, &dkim(SENT as u64)).is_none());
    }
}
