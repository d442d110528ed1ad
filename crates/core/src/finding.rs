use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::CheckId;

/// What the evidence says about an item. A verdict always follows from
/// findings that carry their evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Cryptographic proof that the content is as sent.
    Authentic,
    /// Proof that the content differs from what was sent or from another copy.
    Altered,
    /// Anomalies that a journalist must look at.
    Suspicious,
    /// Checks ran, nothing found, nothing proven.
    Consistent,
    /// Nothing could be checked.
    Unverifiable,
}

impl Verdict {
    /// Every verdict, strongest first: proof, then anomalies, then the rest.
    pub const PRECEDENCE: [Verdict; 5] = [
        Verdict::Authentic,
        Verdict::Altered,
        Verdict::Suspicious,
        Verdict::Consistent,
        Verdict::Unverifiable,
    ];

    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Authentic => "authentic",
            Verdict::Altered => "altered",
            Verdict::Suspicious => "suspicious",
            Verdict::Consistent => "consistent",
            Verdict::Unverifiable => "unverifiable",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::PRECEDENCE.into_iter().find(|v| v.as_str() == s)
    }

    /// The item's verdict from its findings: proof first (authentic, then
    /// altered), then anomalies, then consistent; unverifiable when nothing ran.
    pub fn roll_up(findings: &[Finding]) -> Verdict {
        Verdict::PRECEDENCE
            .into_iter()
            .find(|v| findings.iter().any(|f| f.verdict == *v))
            .unwrap_or(Verdict::Unverifiable)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check's conclusion about one item, with the evidence a person can
/// re-check with other tools (the exact header, value, key, hash).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The check (serialised as its stable id, e.g. `email.dkim`).
    pub check: CheckId,
    /// What this check concludes on its own.
    pub verdict: Verdict,
    /// One sentence for people.
    pub summary: String,
    /// The facts behind it.
    pub evidence: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: Verdict) -> Finding {
        Finding {
            check: CheckId::EmailDkim,
            verdict: v,
            summary: String::new(),
            evidence: Value::Null,
        }
    }

    #[test]
    fn proof_outranks_anomalies() {
        assert_eq!(Verdict::roll_up(&[]), Verdict::Unverifiable);
        assert_eq!(
            Verdict::roll_up(&[f(Verdict::Suspicious), f(Verdict::Authentic)]),
            Verdict::Authentic
        );
        assert_eq!(
            Verdict::roll_up(&[
                f(Verdict::Consistent),
                f(Verdict::Altered),
                f(Verdict::Suspicious)
            ]),
            Verdict::Altered
        );
        assert_eq!(
            Verdict::roll_up(&[f(Verdict::Consistent)]),
            Verdict::Consistent
        );
        assert_eq!(Verdict::parse("altered"), Some(Verdict::Altered));
    }
}
