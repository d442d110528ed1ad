//! Plain-language words for each finding: what its check looks at, what its
//! verdict means, and how a reader can check the same thing with another
//! tool, so that a verdict can be quoted and re-derived without trusting
//! leakcheck. The words come from the check table in `leakcheck_core`
//! ([`CHECKS`](leakcheck_core::CHECKS)), which has a row for every check.

use leakcheck_core::{CheckId, Verdict};
use serde::Serialize;

/// What a finding means and how to re-check it.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// What the check looks at and what this verdict of it means, for a
    /// reader who is not a specialist.
    pub meaning: String,
    /// How to check the same thing elsewhere, from the original download.
    pub recheck: &'static str,
}

/// The explanation of a finding of `check` with `verdict`.
pub fn explain(check: CheckId, verdict: Verdict) -> Explanation {
    let info = check.info();
    Explanation {
        meaning: format!("{} {}", info.looks_at, check.meaning(verdict)),
        recheck: info.recheck,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check's panel for every verdict: the verdict's own words, never
    /// another outcome's (issue 22: "inside the leak window" explained as
    /// "dated outside the period").
    #[test]
    fn the_panel_matches_each_verdict_of_each_check() {
        for check in CheckId::all() {
            let info = check.info();
            for verdict in Verdict::PRECEDENCE {
                let e = explain(check, verdict);
                assert!(e.meaning.starts_with(info.looks_at), "{check}");
                assert!(e.meaning.ends_with(check.meaning(verdict)), "{check}");
                let others = [info.passes, info.flags, info.not_run];
                for other in others.iter().filter(|o| **o != check.meaning(verdict)) {
                    assert!(
                        !e.meaning.contains(other),
                        "{check} {verdict}: {}",
                        e.meaning
                    );
                }
                assert!(!e.recheck.is_empty(), "{check}");
            }
        }
        let window = explain(CheckId::EmailLeakWindow, Verdict::Consistent).meaning;
        assert!(window.contains("inside the leak window"), "{window}");
        assert!(!window.contains("dated outside"), "{window}");
        let mid = explain(CheckId::EmailMessageId, Verdict::Consistent).meaning;
        assert!(!mid.contains("malformed"), "{mid}");
        assert!(!window.contains("case page"), "{window}");
    }
}
