//! Groups of near-copies in a case: texts by MinHash, images by perceptual
//! hash; each group described with its strongest member and what every
//! other member changes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use leakcheck_core::doc::key;
use leakcheck_core::parallel::par_map;
use leakcheck_core::{ItemId, Kind, Verdict};
use leakcheck_extract::doc::DocLimits;
use leakcheck_store::{Case, Catalog, TextRow};
use serde::Serialize;

use crate::Result;
use crate::diff::{Diff, diff};
use crate::minhash::{Signature, near_pairs, signature};

/// Perceptual hashes this many bits apart (of 64) or fewer are the same
/// picture: re-encoding and resizing move a gradient hash by 0 to 3 bits in
/// our tests, while two different smooth pictures can be 5 apart.
pub const IMAGE_NEAR_BITS: u32 = 4;
/// Items read from the catalog at a time.
const BATCH: usize = 5000;

/// An item that has a text or picture to compare.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// The item.
    pub id: ItemId,
    /// Its kind.
    pub kind: String,
    /// Where it was found first.
    pub path: String,
    /// Its verdict from the last `verify`, if any.
    pub verdict: Option<Verdict>,
}

/// Every comparable item of a case: text signatures and image hashes.
pub struct Corpus {
    /// Items with a text signature, and the signatures.
    pub texts: Vec<(Entry, Signature)>,
    /// Images and their perceptual hashes.
    pub images: Vec<(Entry, u64)>,
    /// Images that could not be decoded, with the reason.
    pub undecodable: Vec<(Entry, String)>,
}

fn is_image(kind: &str) -> bool {
    kind.parse::<Kind>().is_ok_and(Kind::is_image)
}

impl Corpus {
    /// Reads every item of the case once; images are decoded and hashed
    /// only when `images` (it is the slow part). `done` counts the items
    /// read, for a progress bar.
    pub fn of_case(case: &Case, images: bool, done: &AtomicU64) -> Result<Corpus> {
        let catalog = case.catalog()?;
        let mut out = Corpus {
            texts: Vec::new(),
            images: Vec::new(),
            undecodable: Vec::new(),
        };
        let mut after = None;
        loop {
            let rows = catalog.text_rows(after.as_ref(), BATCH)?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id.clone());
            for (row, basis) in rows.iter().zip(bases(case, &rows, images)?) {
                let entry = Entry {
                    id: row.id.clone(),
                    kind: row.kind.clone(),
                    path: row.path.clone(),
                    verdict: row.verdict,
                };
                match basis {
                    Basis::Text(sig) => out.texts.push((entry, sig)),
                    Basis::Image(Ok(h)) => out.images.push((entry, h)),
                    Basis::Image(Err(e)) => out.undecodable.push((entry, e)),
                    Basis::None => {}
                }
            }
            done.fetch_add(rows.len() as u64, Ordering::Relaxed);
        }
        Ok(out)
    }
}

/// What an item is compared by.
enum Basis {
    Text(Signature),
    Image(std::result::Result<u64, String>),
    None,
}

/// Each row's signature or image hash, computed on every core: hashing
/// shingles was the largest single cost of `verify` on 10,000 emails.
fn bases(case: &Case, rows: &[TextRow], images: bool) -> Result<Vec<Basis>> {
    let basis = |row: &TextRow| -> Result<Basis> {
        Ok(if is_image(&row.kind) {
            if images {
                Basis::Image(image_hash(case, &row.id, &row.kind))
            } else {
                Basis::None
            }
        } else {
            row.text(case.blobs())?
                .as_deref()
                .and_then(signature)
                .map_or(Basis::None, Basis::Text)
        })
    };
    par_map(rows, basis).into_iter().collect()
}

/// The perceptual hash of an image item, from its original bytes.
fn image_hash(case: &Case, id: &ItemId, kind: &str) -> std::result::Result<u64, String> {
    let bytes = case.blobs().read(id).map_err(|e| e.to_string())?;
    let kind = kind.parse::<Kind>().map_err(|e| e.to_string())?;
    leakcheck_extract::doc::image::perceptual_hash(kind, &bytes, &DocLimits::default())
}

/// One group of near-copies.
#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    /// `text` or `image`.
    pub basis: &'static str,
    /// The member the others are compared with: the best-proven one.
    pub reference: Entry,
    /// The other members, each with how close it is and what it changes.
    pub members: Vec<Member>,
}

/// A member compared with the cluster's reference.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// The item.
    pub entry: Entry,
    /// Estimated resemblance of texts (0..1), or 1 − bits apart / 64 for images.
    pub similarity: f64,
    /// Text differences from the reference (texts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
    /// Metadata that differs from the reference's (documents only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<MetaChange>,
}

/// A metadata field whose first value differs between two documents.
#[derive(Clone, Debug, Serialize)]
pub struct MetaChange {
    /// Canonical key (`author`, `modified`...).
    pub key: &'static str,
    /// The reference's value.
    pub reference: Option<String>,
    /// The member's value.
    pub member: Option<String>,
}

/// Fields compared between documents of a cluster.
const META_KEYS: [&str; 8] = [
    key::TITLE,
    key::AUTHOR,
    key::LAST_MODIFIED_BY,
    key::COMPANY,
    key::CREATED,
    key::MODIFIED,
    key::CREATOR_TOOL,
    key::PRODUCER,
];

fn metadata_changes(catalog: &Catalog, a: &ItemId, b: &ItemId) -> Result<Vec<MetaChange>> {
    let (Some((ma, _)), Some((mb, _))) = (catalog.document(a)?, catalog.document(b)?) else {
        return Ok(Vec::new());
    };
    let first =
        |m: &leakcheck_core::DocMeta, k: &str| m.fields(k).next().map(|(_, f)| f.value.clone());
    Ok(META_KEYS
        .iter()
        .filter_map(|&k| {
            let (x, y) = (first(&ma, k), first(&mb, k));
            (x != y).then_some(MetaChange {
                key: k,
                reference: x,
                member: y,
            })
        })
        .collect())
}

/// Verdicts from the strongest proof to the weakest, for picking a reference.
pub fn strength(verdict: Option<Verdict>) -> u8 {
    match verdict {
        Some(Verdict::Authentic) => 0,
        Some(Verdict::Consistent) => 1,
        None | Some(Verdict::Unverifiable) => 2,
        Some(Verdict::Suspicious) => 3,
        Some(Verdict::Altered) => 4,
    }
}

/// Union-find over indices.
fn groups(n: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (a, b) in pairs {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        by_root.entry(r).or_default().push(i);
    }
    by_root.into_values().filter(|g| g.len() > 1).collect()
}

/// Indices of text entries that are near-copies of one another, grouped.
pub fn text_groups(texts: &[(Entry, Signature)]) -> Vec<Vec<usize>> {
    let sigs: Vec<Option<&Signature>> = texts.iter().map(|(_, s)| Some(s)).collect();
    let pairs = near_pairs(&sigs);
    groups(texts.len(), pairs.into_iter().map(|(a, b, _)| (a, b)))
}

/// Indices of images within [`IMAGE_NEAR_BITS`] of one another, grouped.
/// Pairwise: a popcount per pair is cheap for the tens of thousands of
/// images a dump holds.
pub fn image_groups(images: &[(Entry, u64)]) -> Vec<Vec<usize>> {
    let mut pairs = Vec::new();
    for (i, (_, a)) in images.iter().enumerate() {
        for (j, (_, b)) in images.iter().enumerate().skip(i + 1) {
            if (a ^ b).count_ones() <= IMAGE_NEAR_BITS {
                pairs.push((i, j));
            }
        }
    }
    groups(images.len(), pairs)
}

/// Every cluster of the case, references chosen by `verdict_of` (the
/// verdicts of the last `verify` when `None` is given for an item).
pub fn clusters(
    case: &Case,
    corpus: &Corpus,
    verdict_of: &dyn Fn(&Entry) -> Option<Verdict>,
) -> Result<Vec<Cluster>> {
    let catalog = case.catalog()?;
    let mut out = Vec::new();
    for group in text_groups(&corpus.texts) {
        let members: Vec<&(Entry, Signature)> = group.iter().map(|&i| &corpus.texts[i]).collect();
        out.push(describe_texts(case, &catalog, &members, verdict_of)?);
    }
    for group in image_groups(&corpus.images) {
        let mut members: Vec<&(Entry, u64)> = group.iter().map(|&i| &corpus.images[i]).collect();
        members.sort_by_key(|(e, _)| (strength(verdict_of(e)), e.id.clone()));
        let (reference, hash) = members[0];
        out.push(Cluster {
            basis: "image",
            reference: with_verdict(reference, verdict_of),
            members: members[1..]
                .iter()
                .map(|(e, h)| Member {
                    entry: with_verdict(e, verdict_of),
                    similarity: 1.0 - f64::from((h ^ hash).count_ones()) / 64.0,
                    diff: None,
                    metadata: Vec::new(),
                })
                .collect(),
        });
    }
    Ok(out)
}

fn with_verdict(e: &Entry, verdict_of: &dyn Fn(&Entry) -> Option<Verdict>) -> Entry {
    Entry {
        verdict: verdict_of(e),
        ..e.clone()
    }
}

fn describe_texts(
    case: &Case,
    catalog: &Catalog,
    members: &[&(Entry, Signature)],
    verdict_of: &dyn Fn(&Entry) -> Option<Verdict>,
) -> Result<Cluster> {
    let mut members = members.to_vec();
    members.sort_by_key(|(e, _)| (strength(verdict_of(e)), e.id.clone()));
    let (reference, ref_sig) = members[0];
    let text = |e: &Entry| -> Result<String> {
        Ok(catalog
            .item_text(case.blobs(), &e.id, &e.kind)?
            .unwrap_or_default())
    };
    let ref_text = text(reference)?;
    let mut out = Vec::new();
    for (e, sig) in &members[1..] {
        out.push(Member {
            entry: with_verdict(e, verdict_of),
            similarity: ref_sig.resemblance(sig),
            diff: Some(diff(&ref_text, &text(e)?)),
            metadata: metadata_changes(catalog, &reference.id, &e.id)?,
        });
    }
    Ok(Cluster {
        basis: "text",
        reference: with_verdict(reference, verdict_of),
        members: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_find_groups_transitively() {
        assert_eq!(groups(5, [(0, 2), (2, 4)]), vec![vec![0, 2, 4]]);
        assert_eq!(groups(3, []), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn references_are_the_best_proven() {
        assert!(strength(Some(Verdict::Authentic)) < strength(Some(Verdict::Consistent)));
        assert!(strength(None) < strength(Some(Verdict::Suspicious)));
        assert!(strength(Some(Verdict::Suspicious)) < strength(Some(Verdict::Altered)));
    }
}
