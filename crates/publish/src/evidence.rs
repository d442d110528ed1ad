//! One item's evidence: what it is, where it was found, its verdict and
//! every finding, and for an email what its DKIM signatures cover, with
//! the keys that decided.

use leakcheck_core::{DocMeta, EmailMeta, Finding, ItemId, KeyRecord, Verdict};
use leakcheck_store::{Case, Catalog, ProblemRow};
use leakcheck_verify::{DkimTranscript, dkim_transcript};
use serde::Serialize;

use crate::Result;

/// A DKIM key of the case as a file of a report: its TXT record, which a
/// reader gives to an independent verifier in place of a DNS answer.
#[derive(Clone, Debug, Serialize)]
pub struct KeyFile {
    /// Path in the report (`keys/<selector>._domainkey.<domain>.<n>.txt`).
    pub file: String,
    /// The key and its provenance.
    pub record: KeyRecord,
}

impl KeyFile {
    /// Every key of the case, each given a file name; keys of one DNS name
    /// (rotated, or both archived and recovered) are numbered in the
    /// catalog's order.
    pub fn all(keys: Vec<KeyRecord>) -> Vec<KeyFile> {
        let mut out: Vec<KeyFile> = Vec::with_capacity(keys.len());
        for record in keys {
            let n = out.iter().filter(|k| k.record.name == record.name).count() + 1;
            // Key names are DNS names (checked when added), but a file name
            // is made safe anyway.
            let safe: String = record
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            out.push(KeyFile {
                file: format!("keys/{safe}.{n}.txt"),
                record,
            });
        }
        out
    }
}

/// Everything a report shows about one item.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// Item id: the SHA-256 of its bytes, in hex.
    pub id: String,
    /// Kind (`email`, `pdf`, `jpeg`...).
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// Every place it was found, each as a path through its containers.
    pub places: Vec<String>,
    /// Its verdict, absent until `verify` has run.
    pub verdict: Option<Verdict>,
    /// Every finding with its evidence.
    pub findings: Vec<Finding>,
    /// Email fields, if an email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailMeta>,
    /// Metadata stores, if a document or image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<DocMeta>,
    /// What each DKIM signature covers, recomputed from the original.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dkim: Vec<DkimTranscript>,
    /// The case's keys for the signatures' DNS names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyFile>,
    /// What could not be read in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemRow>,
}

impl Evidence {
    /// The findings of one check.
    pub fn of_check(&self, check: &str) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.check.as_str() == check)
    }
}

/// The evidence of item `id`; `keys` are the case's keys as report files.
pub fn evidence(case: &Case, catalog: &Catalog, id: &ItemId, keys: &[KeyFile]) -> Result<Evidence> {
    let d = catalog.item(id)?;
    let (verdict, findings) = match catalog.verification(id)? {
        Some((v, f)) => (Some(v), f),
        None => (None, Vec::new()),
    };
    let dkim = if d.email.is_some() {
        dkim_transcript(&case.blobs().read(id)?)
    } else {
        Vec::new()
    };
    let keys = keys
        .iter()
        .filter(|k| {
            dkim.iter()
                .any(|t| leakcheck_verify::keys::key_name(&t.selector, &t.domain) == k.record.name)
        })
        .cloned()
        .collect();
    Ok(Evidence {
        id: d.id,
        kind: d.kind,
        size: d.size,
        places: d.occurrences.into_iter().map(|o| o.display).collect(),
        verdict,
        findings,
        email: d.email,
        document: d.document,
        dkim,
        keys,
        problems: d.errors,
    })
}
