//! Messages rebuilt from Outlook properties (a .pst or .msg keeps no
//! original MIME): their bytes are leakcheck's, so a DKIM or ARC signature
//! copied into them from the transport headers can neither pass nor fail
//! meaningfully. They get one `email.dkim` finding saying so; the header
//! checks still read the transport headers Outlook kept.

use leakcheck_core::{CheckId, Finding, Verdict};
use serde_json::{Value, json};

/// The `email.dkim` finding of a rebuilt message. `from` says where it was
/// rebuilt from (source, container, folder, enclosing rebuilt message).
pub fn not_original(raw: &[u8], from: &Value) -> Finding {
    let signatures = signature_headers(raw);
    let mut summary = "not verifiable by DKIM: rebuilt from Outlook properties".to_string();
    if let Some(src) = from["source"].as_str() {
        summary.push_str(&format!(" (.{src}"));
        if let Some(folder) = from["folder"].as_str() {
            summary.push_str(&format!(", folder {folder}"));
        }
        summary.push(')');
    }
    if signatures > 0 {
        summary.push_str(&format!(
            "; its transport headers carry {}, not checked: the signed body is not the original",
            leakcheck_core::words::count(
                signatures,
                "DKIM-Signature header",
                "DKIM-Signature headers"
            )
        ));
    }
    Finding {
        check: CheckId::EmailDkim,
        verdict: Verdict::Unverifiable,
        summary,
        evidence: json!({
            "rebuilt_from": from,
            "dkim_signatures_in_transport_headers": signatures,
        }),
    }
}

/// DKIM-Signature headers in the header block.
fn signature_headers(raw: &[u8]) -> usize {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len());
    raw[..end]
        .split(|&b| b == b'\n')
        .filter(|line| line.len() >= 15 && line[..15].eq_ignore_ascii_case(b"dkim-signature:"))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_why_and_counts_the_signatures_it_does_not_check() {
        let raw = b"Received: x\r\nDKIM-Signature: v=1; d=a.org\r\n b=x\r\nFrom: a@a.org\r\n\r\nDKIM-Signature: body\r\n";
        let f = not_original(
            raw,
            &json!({"source": "pst", "folder": "Top/Inbox", "container": "ab"}),
        );
        assert_eq!(f.verdict, Verdict::Unverifiable);
        assert!(f.summary.starts_with(
            "not verifiable by DKIM: rebuilt from Outlook properties (.pst, folder Top/Inbox)"
        ));
        assert_eq!(f.evidence["dkim_signatures_in_transport_headers"], 1);
        assert_eq!(f.evidence["rebuilt_from"]["folder"], "Top/Inbox");
    }
}
