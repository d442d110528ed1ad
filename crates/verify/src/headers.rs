//! Header forensics of one email: `email.received-chain` (hops whose
//! timestamps run backwards), `email.date-skew` (a Date header far from the
//! first server's receipt) and `email.message-id` (a malformed Message-ID).
//! None of these headers is usually signed: they are anomalies to look at,
//! never proof.

use std::sync::OnceLock;

use leakcheck_core::{CheckId, EmailMeta, Finding, Verdict};
use mail_parser::MessageParser;
use serde_json::json;

/// Clock differences between servers that are not worth a look. Measured on
/// the SpamAssassin ham of 2002: a tenth of genuine mail has a hop running
/// 5 minutes to 2 hours backwards (servers with wrong clocks or zones).
const HOP_TOLERANCE: i64 = 2 * 3600;
/// A Date later than the first receipt by more than this is odd (sender
/// clocks are often off by minutes to an hour).
const DATE_AFTER_RECEIPT: i64 = 2 * 3600;
/// A first receipt later than the Date by more than this is odd.
const RECEIPT_AFTER_DATE: i64 = 7 * 86_400;

/// One Received header: where it says the message went, and when.
struct Hop {
    text: String,
    time: Option<i64>,
}

fn hops(meta: &EmailMeta) -> Vec<Hop> {
    meta.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("received"))
        .map(|(_, v)| {
            let text: String = v.split_whitespace().collect::<Vec<_>>().join(" ");
            // The timestamp follows the last semicolon (RFC 5322 3.6.7).
            let time = text.rsplit_once(';').and_then(|(_, d)| parse_date(d));
            Hop { text, time }
        })
        .collect()
}

/// The timestamps of the Received headers that have one, top (the last
/// server) to bottom (the first).
pub fn receipt_times(meta: &EmailMeta) -> Vec<i64> {
    hops(meta).into_iter().filter_map(|h| h.time).collect()
}

/// Dates in the wild are messy; mail-parser's date parser is lenient.
fn parse_date(s: &str) -> Option<i64> {
    // Built once: a parser holds a table of header handlers.
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    let parser = PARSER.get_or_init(|| MessageParser::new().with_date_headers());
    let mini = format!("Date: {}\r\n\r\n", s.trim());
    let msg = parser.parse(mini.as_bytes())?;
    msg.date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp())
}

fn stamp(t: i64) -> String {
    leakcheck_core::time::rfc3339(t).unwrap_or_else(|| t.to_string())
}

/// The three header checks; each is absent when it has nothing to look at.
pub fn check(meta: &EmailMeta) -> Vec<Finding> {
    let hops = hops(meta);
    let mut out = Vec::new();
    out.extend(received_chain(&hops));
    out.extend(date_skew(meta, &hops));
    out.extend(message_id(meta));
    out
}

fn received_chain(hops: &[Hop]) -> Option<Finding> {
    let timed: Vec<(usize, &Hop, i64)> = hops
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((i, h, h.time?)))
        .collect();
    if timed.len() < 2 {
        return None;
    }
    let evidence_hops: Vec<_> = hops
        .iter()
        .enumerate()
        .map(|(i, h)| json!({"hop": i, "received": h.text.chars().take(200).collect::<String>(), "time": h.time.map(stamp)}))
        .collect();
    // Headers are prepended: hop 0 is the last server, so times must not
    // increase going down the list.
    let backwards: Vec<_> = timed
        .windows(2)
        .filter(|w| w[1].2 > w[0].2 + HOP_TOLERANCE)
        .map(|w| {
            json!({"later_hop": w[0].0, "earlier_hop": w[1].0,
                   "seconds_backwards": w[1].2 - w[0].2})
        })
        .collect();
    Some(if backwards.is_empty() {
        Finding {
            check: CheckId::EmailReceivedChain,
            verdict: Verdict::Consistent,
            summary: format!("{} Received hops, timestamps in order", hops.len()),
            evidence: json!({"hops": evidence_hops}),
        }
    } else {
        Finding {
            check: CheckId::EmailReceivedChain,
            verdict: Verdict::Suspicious,
            summary: format!(
                "Received timestamps run backwards at {} of {} hops (a hop dated after the server that received from it)",
                backwards.len(),
                hops.len()
            ),
            evidence: json!({"hops": evidence_hops, "backwards": backwards}),
        }
    })
}

fn date_skew(meta: &EmailMeta, hops: &[Hop]) -> Option<Finding> {
    let date = meta.date_unix?;
    // The bottom-most timed hop is the first server that took the message.
    let (index, first) = hops
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, h)| Some((i, h.time?)))?;
    let skew = first - date;
    let evidence = json!({"date": meta.date_raw, "first_received": stamp(first), "hop": index,
                          "seconds_from_date_to_first_receipt": skew});
    let (verdict, summary) = if skew < -DATE_AFTER_RECEIPT {
        (
            Verdict::Suspicious,
            format!(
                "the Date header is {} minutes after the first server received the message",
                -skew / 60
            ),
        )
    } else if skew > RECEIPT_AFTER_DATE {
        (
            Verdict::Suspicious,
            format!(
                "first received {} days after its Date header",
                skew / 86_400
            ),
        )
    } else {
        (
            Verdict::Consistent,
            "Date agrees with the first Received timestamp".to_string(),
        )
    };
    Some(Finding {
        check: CheckId::EmailDateSkew,
        verdict,
        summary,
        evidence,
    })
}

fn message_id(meta: &EmailMeta) -> Option<Finding> {
    let raw = meta
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("message-id"))
        .map(|(_, v)| v.trim().to_string())?;
    let inner = raw.trim_start_matches('<').trim_end_matches('>');
    let well_formed = raw.starts_with('<')
        && raw.ends_with('>')
        && inner.split_once('@').is_some_and(|(l, r)| {
            !l.is_empty()
                && !r.is_empty()
                && !inner.contains(char::is_whitespace)
                && !r.contains('@')
        });
    let id_domain = inner
        .rsplit_once('@')
        .map(|(_, d)| d.trim_matches(['[', ']']).to_ascii_lowercase());
    let sender_domain = meta
        .from
        .first()
        .and_then(|a| a.address.as_deref())
        .and_then(|a| a.rsplit_once('@'))
        .map(|(_, d)| d.to_ascii_lowercase());
    let evidence =
        json!({"message_id": raw, "id_domain": id_domain, "sender_domain": sender_domain});
    Some(if well_formed {
        Finding {
            check: CheckId::EmailMessageId,
            verdict: Verdict::Consistent,
            summary: "Message-ID is well formed".into(),
            evidence,
        }
    } else {
        Finding {
            check: CheckId::EmailMessageId,
            verdict: Verdict::Suspicious,
            summary: format!("malformed Message-ID {raw:?} (expected <left@right>)"),
            evidence,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(headers: &[(&str, &str)], date: Option<i64>) -> EmailMeta {
        EmailMeta {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            date_unix: date,
            ..EmailMeta::default()
        }
    }

    const T0: i64 = 1_491_807_600; // Mon, 10 Apr 2017 07:00:00 +0000

    #[test]
    fn chain_in_order_and_backwards() {
        let ok = meta(
            &[
                ("Received", "from b by c; Mon, 10 Apr 2017 07:02:00 +0000"),
                (
                    "Received",
                    "from a by b;\r\n\tMon, 10 Apr 2017 09:01:00 +0200 (CEST)",
                ),
            ],
            Some(T0),
        );
        let f = check(&ok);
        assert_eq!(f[0].check, "email.received-chain");
        assert_eq!(f[0].verdict, Verdict::Consistent);
        assert_eq!(f[1].check, "email.date-skew");
        assert_eq!(f[1].verdict, Verdict::Consistent);
        let bad = meta(
            &[
                ("Received", "from b by c; Mon, 10 Apr 2017 07:02:00 +0000"),
                ("Received", "from a by b; Mon, 10 Apr 2017 10:00:00 +0000"),
            ],
            Some(T0),
        );
        let f = check(&bad);
        assert_eq!(f[0].verdict, Verdict::Suspicious);
        assert_eq!(f[0].evidence["backwards"][0]["seconds_backwards"], 10680);
        assert_eq!(
            f[1].verdict,
            Verdict::Consistent,
            "first receipt three hours after Date: plausible"
        );
    }

    #[test]
    fn date_far_from_receipt() {
        let received = [("Received", "from a by b; Mon, 10 Apr 2017 07:00:00 +0000")];
        let f = check(&meta(&received, Some(T0 + 3 * 3600)));
        assert_eq!(f.len(), 1, "one hop: no chain finding");
        assert_eq!(f[0].verdict, Verdict::Suspicious);
        assert!(f[0].summary.contains("180 minutes after"));
        assert_eq!(
            check(&meta(&received, Some(T0 + 3600)))[0].verdict,
            Verdict::Consistent
        );
        let f = check(&meta(&received, Some(T0 - 9 * 86_400)));
        assert_eq!(f[0].verdict, Verdict::Suspicious);
        assert!(f[0].summary.contains("9 days after"));
    }

    #[test]
    fn message_ids() {
        let good = meta(&[("Message-ID", "<abc.123@mail.example.org>")], None);
        assert_eq!(check(&good)[0].verdict, Verdict::Consistent);
        let bad = meta(&[("Message-ID", "not an id")], None);
        assert_eq!(check(&bad)[0].verdict, Verdict::Suspicious);
        assert!(check(&meta(&[], None)).is_empty());
    }
}
