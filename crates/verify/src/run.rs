//! One verification pass over a case: every email checked, cross-message
//! checks, proof carried to attachments, a verdict for every item, all
//! saved to the catalog (replacing the previous pass).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use leakcheck_core::parallel::par_map;
use leakcheck_core::{CheckId, Finding, ItemId, Verdict};
use leakcheck_store::Case;
use serde::Serialize;
use serde_json::json;

use crate::{
    KeySet, dkim, doc, duplicates, headers, near, outlook, signature_time, thread, thread_quote,
    window,
};

/// One item's verification, as `verify --json` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct ItemReport {
    /// Item id.
    pub id: String,
    /// Where it was found.
    pub paths: Vec<String>,
    /// Its kind.
    pub kind: String,
    /// The verdict its findings decide.
    pub verdict: Verdict,
    /// Every finding, with evidence.
    pub findings: Vec<Finding>,
}

/// Totals of a pass.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Items given a verdict.
    pub items: u64,
    /// Emails checked.
    pub emails: u64,
    /// Emails with at least one DKIM-Signature.
    pub signed: u64,
    /// Documents and images whose metadata was checked.
    pub documents: u64,
    /// Items per verdict.
    pub by_verdict: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Verifies everything in `case`. `done` counts emails checked, for a progress bar.
pub fn run(case: &Case, done: &AtomicU64) -> leakcheck_store::Result<(Summary, Vec<ItemReport>)> {
    let started = Instant::now();
    let mut catalog = case.catalog()?;
    let keys = KeySet::new(catalog.keys()?);
    let emails = catalog.emails()?;
    let rebuilt = catalog.rebuilt_from_outlook()?;
    let window = case.settings.window.as_ref();

    // Per email, on every core: the original's signatures and its date.
    let per_email = par_map(&emails, |(id, meta)| {
        let mut findings = Vec::new();
        match case.blobs().read(id) {
            // Our bytes, not the sender's: a signature over them
            // proves nothing either way.
            Ok(raw) if rebuilt.contains_key(id) => {
                findings.push(outlook::not_original(&raw, &rebuilt[id]));
            }
            Ok(raw) => {
                let (dkim, arc) = dkim::check_signed(&raw, &keys, meta.date_unix);
                findings.extend(signature_time::check(meta, &dkim));
                findings.push(dkim);
                findings.extend(arc);
            }
            Err(e) => findings.push(Finding {
                check: CheckId::EmailDkim,
                verdict: Verdict::Unverifiable,
                summary: format!("the original could not be read: {e}"),
                evidence: json!({}),
            }),
        }
        findings.extend(window::check(meta, window));
        findings.extend(headers::check(meta));
        done.fetch_add(1, Ordering::Relaxed);
        (id.clone(), findings)
    });
    let mut findings: HashMap<ItemId, Vec<Finding>> = per_email.into_iter().collect();
    let signed = findings
        .values()
        .filter(|f| {
            f.iter().any(|x| {
                x.check == CheckId::EmailDkim
                    && x.evidence["signatures"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty())
            })
        })
        .count() as u64;
    // Which copies are proven, and what their signatures cover.
    let mut proof = duplicates::Proof {
        rebuilt: rebuilt.keys().cloned().collect(),
        ..Default::default()
    };
    for (id, f) in &findings {
        let Some(dkim) = f
            .iter()
            .find(|x| x.check == CheckId::EmailDkim && x.verdict == Verdict::Authentic)
        else {
            continue;
        };
        let signed = dkim.evidence["signatures"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["result"] == "pass")
            .flat_map(|s| s["signed_headers"].as_array().into_iter().flatten())
            .filter_map(|h| h.as_str().map(str::to_ascii_lowercase))
            .collect();
        proof.authentic.insert(id.clone(), signed);
    }
    for (id, f) in duplicates::check(&emails, &proof)
        .into_iter()
        .chain(thread::check(&emails))
        .chain(thread_quote::check(&emails))
    {
        findings.entry(id).or_default().push(f);
    }

    // Documents against the case and against the dump's own population
    // (the files found in it, not the revisions cut from them).
    let documents = catalog.documents()?;
    let population = doc::Population::new(
        documents.iter().filter(|d| !d.2).map(|d| &d.1),
        emails.iter().map(|e| &e.1),
    );
    let ctx = doc::Context {
        window: window.cloned(),
        org: doc::OrgNames::new(
            &case.settings.org_names,
            &case.settings.org_domains,
            emails.iter().map(|e| &e.1),
        ),
        ingested: first_ingest(case)?,
    };
    for (id, meta, _) in &documents {
        let mut f = doc::check(meta, &population, &ctx);
        for x in f.iter_mut().filter(|x| x.check == CheckId::ImageThumbnail) {
            doc::attach_difference_picture(case, id, meta, x);
        }
        if !f.is_empty() {
            findings.entry(id.clone()).or_default().extend(f);
        }
    }

    // PDFs whose text layer OCR read beside their own (issue 18).
    for (id, layer) in catalog.ocr_with_embedded()? {
        if let Some(f) = doc::text_layer::check(&layer) {
            findings.entry(id).or_default().push(f);
        }
    }

    // Proof travels with bytes: whatever an authentic email's body carries
    // (attachments, their members...) is authentic too.
    let authentic: Vec<ItemId> = findings
        .iter()
        .filter(|(_, f)| {
            f.iter()
                .any(|x| x.check == CheckId::EmailDkim && x.verdict == Verdict::Authentic)
        })
        .map(|(id, _)| id.clone())
        .collect();
    for email in authentic {
        let mut stack = vec![(email.clone(), String::new())];
        while let Some((parent, via)) = stack.pop() {
            for child in catalog.child_items(&parent)? {
                let list = findings.entry(child.clone()).or_default();
                if list.iter().any(|f| f.check == CheckId::ArchiveProvenance) || child == email {
                    continue;
                }
                let route = if via.is_empty() {
                    parent.to_string()
                } else {
                    format!("{via} > {parent}")
                };
                list.push(Finding {
                    check: CheckId::ArchiveProvenance,
                    verdict: Verdict::Authentic,
                    summary: format!(
                        "carried inside DKIM-authentic email {}: its bytes are covered by that signature's body hash",
                        &email.as_str()[..12]
                    ),
                    evidence: json!({"signed_email": email.as_str(), "route": route}),
                });
                stack.push((child, route));
            }
        }
    }

    // Near-copies of what is now proven authentic.
    let so_far: HashMap<ItemId, Verdict> = findings
        .iter()
        .map(|(id, f)| (id.clone(), Verdict::roll_up(f)))
        .collect();
    let near = near::check(case, &emails, &so_far).map_err(|e| match e {
        leakcheck_variants::Error::Store(e) => e,
    })?;
    for (id, f) in near {
        findings.entry(id).or_default().push(f);
    }

    let mut by_verdict = BTreeMap::new();
    let mut to_save = Vec::new();
    let mut places = Vec::new();
    for (id, kind, paths) in catalog.items_with_paths()? {
        let f = findings.remove(&id).unwrap_or_default();
        let verdict = Verdict::roll_up(&f);
        *by_verdict.entry(verdict.as_str().to_string()).or_insert(0) += 1;
        to_save.push((id, verdict, f));
        places.push((kind, paths));
    }
    catalog.save_verification(&to_save)?;
    let reports: Vec<ItemReport> = to_save
        .into_iter()
        .zip(places)
        .map(|((id, verdict, findings), (kind, paths))| ItemReport {
            id: id.to_string(),
            paths,
            kind,
            verdict,
            findings,
        })
        .collect();
    let summary = Summary {
        items: reports.len() as u64,
        emails: emails.len() as u64,
        signed,
        documents: documents.len() as u64,
        by_verdict,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((summary, reports))
}

/// When the dump first reached the case (its first ingest), or now if it
/// never did: no file in it can have been saved later.
fn first_ingest(case: &Case) -> leakcheck_store::Result<DateTime<Utc>> {
    let entries = case.custody()?.entries()?;
    Ok(entries
        .iter()
        .filter_map(|e| DateTime::parse_from_rfc3339(&e.time).ok())
        .map(|t| t.with_timezone(&Utc))
        .min()
        .unwrap_or_else(Utc::now))
}
