//! `archive.near-duplicate`: an item whose text nearly repeats a
//! DKIM-authentic item's (an attachment of a signed email, say) but differs
//! from it. Forgers start from real documents; the authentic copy shows
//! what the real one said.

use std::collections::HashMap;

use leakcheck_core::{CheckId, Finding, ItemId, Verdict};
use leakcheck_store::Case;
use leakcheck_variants::{Corpus, clusters};
use serde_json::json;

/// Findings for the members of text clusters whose reference is authentic,
/// given each item's verdict so far.
pub fn check(
    case: &Case,
    verdicts: &HashMap<ItemId, Verdict>,
) -> leakcheck_variants::Result<Vec<(ItemId, Finding)>> {
    let corpus = Corpus::of_case(case, false)?;
    let verdict_of = |e: &leakcheck_variants::Entry| verdicts.get(&e.id).copied();
    let mut out = Vec::new();
    for c in clusters(case, &corpus, &verdict_of)? {
        if c.reference.verdict != Some(Verdict::Authentic) {
            continue;
        }
        let r = &c.reference;
        for m in &c.members {
            if m.entry.verdict == Some(Verdict::Authentic) {
                continue;
            }
            let Some(d) = &m.diff else { continue };
            let evidence = json!({
                "authentic_item": r.id.as_str(),
                "authentic_path": r.path,
                "resemblance": m.similarity,
                "changes": d.changes,
                "total_changes": d.total,
            });
            let f = if d.total == 0 {
                Finding {
                    check: CheckId::ArchiveNearDuplicate,
                    verdict: Verdict::Consistent,
                    summary: format!(
                        "same text as DKIM-authentic {} ({})",
                        &r.id.as_str()[..12],
                        r.path
                    ),
                    evidence,
                }
            } else {
                let first: Vec<String> = d.changes.iter().take(3).map(|c| c.render()).collect();
                Finding {
                    check: CheckId::ArchiveNearDuplicate,
                    verdict: Verdict::Suspicious,
                    summary: format!(
                        "a near-copy ({:.0} % alike) of DKIM-authentic {} ({}) with {} change(s): {}",
                        m.similarity * 100.0,
                        &r.id.as_str()[..12],
                        r.path,
                        d.total,
                        first.join(" ")
                    ),
                    evidence,
                }
            };
            out.push((m.entry.id.clone(), f));
        }
    }
    Ok(out)
}
