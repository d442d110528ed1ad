//! `leakcheck check`: is this outside file in the dump, and was it changed?
//! Exact when its SHA-256 is an item's; near when its text (or picture)
//! resembles an item's closely enough, with the differences; none otherwise.

use leakcheck_core::{ItemId, Kind};
use leakcheck_extract::doc::{self, DocLimits};
use serde::Serialize;

use crate::Result;
use crate::cluster::{Corpus, Entry, IMAGE_NEAR_BITS, strength};
use crate::diff::{Change, diff};
use crate::minhash::{NEAR, shingle_set, signature};
use leakcheck_store::Case;

/// The answer for one outside file (the JSON contract of `check --json`).
#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    /// The file checked.
    pub file: String,
    /// `exact`, `near` or `none`.
    #[serde(rename = "match")]
    pub kind: &'static str,
    /// The item it matches (the closest one for `near`), or null.
    pub item: Option<String>,
    /// 1 for exact; for texts the estimated resemblance or, when higher, the
    /// share of the file's text the item contains (an excerpt); for images
    /// 1 − bits apart / 64; the best seen, for none.
    pub similarity: f64,
    /// What the outside file changes from the item (texts only).
    pub differences: Vec<Change>,
    /// All places that differ (the list stops at 50).
    pub total_differences: usize,
    /// How the match was made: `sha256`, `text`, `image`, `message-id`.
    pub basis: &'static str,
    /// The matched item's verdict, where it was found, its kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<Entry>,
    /// An email's Message-ID also found in the dump, with those items.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_message_id: Vec<String>,
    /// Why nothing could be compared, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What an outside file offers for comparison.
struct Probe {
    text: Option<String>,
    image: Option<u64>,
    message_id: Option<String>,
    note: Option<String>,
}

fn probe(bytes: &[u8]) -> Probe {
    let kind = leakcheck_extract::sniff(bytes);
    let limits = DocLimits::default();
    let mut p = Probe {
        text: None,
        image: None,
        message_id: None,
        note: None,
    };
    match kind {
        Kind::Email => match leakcheck_extract::email::parse(bytes) {
            Ok(e) => {
                p.message_id = e.meta.message_id.clone();
                p.text = e.meta.text;
            }
            Err(e) => p.note = Some(format!("not read as an email: {e}")),
        },
        k if k.is_image() => match doc::image::perceptual_hash(k, bytes, &limits) {
            Ok(h) => p.image = Some(h),
            Err(e) => p.note = Some(format!("image not decoded: {e}")),
        },
        k if doc::handles(k) => {
            match leakcheck_extract::guard(|| doc::extract(k, bytes, &limits)) {
                Ok(x) => p.text = Some(x.text),
                Err(e) => p.note = Some(format!("not read as {}: {e}", k.as_str())),
            }
        }
        k if k.is_expanded_container() || k.is_unsupported_container() => {
            p.note = Some(format!(
                "a {} container: check the files inside it one by one",
                k.as_str()
            ));
        }
        Kind::Text => p.text = Some(String::from_utf8_lossy(bytes).into_owned()),
        k => p.note = Some(format!("{} files are not compared yet", k.as_str())),
    }
    p
}

/// Checks one outside file against the case (`corpus` read once for many files).
pub fn check(case: &Case, corpus: &Corpus, file: &str, bytes: &[u8]) -> Result<CheckResult> {
    let id = ItemId::of(bytes);
    let catalog = case.catalog()?;
    let mut out = CheckResult {
        file: file.to_string(),
        kind: "none",
        item: None,
        similarity: 0.0,
        differences: Vec::new(),
        total_differences: 0,
        basis: "sha256",
        matched: None,
        same_message_id: Vec::new(),
        note: None,
    };
    // Only "no such item" means not in the case; any other error is one.
    let found = match catalog.item(&id) {
        Ok(d) => Some(d),
        Err(leakcheck_store::Error::NoSuchItem(_)) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(d) = found {
        out.kind = "exact";
        out.item = Some(id.to_string());
        out.similarity = 1.0;
        out.matched = Some(Entry {
            id: id.clone(),
            kind: d.kind,
            path: d
                .occurrences
                .first()
                .map(|o| o.display.clone())
                .unwrap_or_default(),
            verdict: catalog.verification(&id)?.map(|(v, _)| v),
        });
        return Ok(out);
    }
    let p = probe(bytes);
    out.note = p.note;
    if let Some(mid) = &p.message_id {
        out.same_message_id = catalog
            .emails()?
            .into_iter()
            .filter(|(_, m)| m.message_id.as_deref() == Some(mid.as_str()))
            .map(|(i, _)| i.to_string())
            .collect();
    }
    if let Some(hash) = p.image {
        out.basis = "image";
        if let Some((e, h)) = corpus
            .images
            .iter()
            .min_by_key(|(_, h)| (h ^ hash).count_ones())
        {
            let bits = (h ^ hash).count_ones();
            out.similarity = 1.0 - f64::from(bits) / 64.0;
            if bits <= IMAGE_NEAR_BITS {
                out.kind = "near";
                out.item = Some(e.id.to_string());
                out.matched = Some(e.clone());
            }
        }
        return Ok(out);
    }
    let Some(text) = p.text else { return Ok(out) };
    out.basis = "text";
    let Some(sig) = signature(&text) else {
        out.note
            .get_or_insert_with(|| "too little text to compare (under 20 words)".into());
        return Ok(out);
    };
    // An outside text is often an excerpt (a quote in a post): how much of
    // it the item contains counts, not only how alike the two wholes are.
    let scored: Vec<(&Entry, f64, bool)> = corpus
        .texts
        .iter()
        .map(|(e, s)| {
            let (whole, part) = (sig.resemblance(s), sig.contained_in(s));
            (e, whole.max(part), part > whole)
        })
        .collect();
    let top = scored.iter().map(|s| s.1).fold(0.0, f64::max);
    // The estimates of close candidates are settled on the texts themselves
    // (128 hashes leave short texts a ±0.1 error); among equals, the
    // best-proven copy answers.
    let probe_set = shingle_set(&text);
    let mut exact = Vec::new();
    for &(e, _, _) in scored
        .iter()
        .filter(|s| s.1 >= top - 0.15 && s.1 >= NEAR - 0.15)
    {
        let theirs = catalog
            .item_text(case.blobs(), &e.id, &e.kind)?
            .unwrap_or_default();
        let set = shingle_set(&theirs);
        let common = probe_set.intersection(&set).count();
        let union = (probe_set.len() + set.len() - common).max(1);
        let jaccard = common as f64 / union as f64;
        let part = common as f64 / probe_set.len().max(1) as f64;
        exact.push((e, jaccard.max(part), part > jaccard));
    }
    let best = exact
        .into_iter()
        .max_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then(strength(b.0.verdict).cmp(&strength(a.0.verdict)))
        })
        .or_else(|| scored.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)));
    if let Some((e, r, excerpt)) = best {
        out.similarity = r;
        if r >= NEAR {
            out.kind = "near";
            out.item = Some(e.id.to_string());
            out.matched = Some(e.clone());
            let theirs = catalog
                .item_text(case.blobs(), &e.id, &e.kind)?
                .unwrap_or_default();
            let mut d = diff(&theirs, &text);
            if excerpt {
                // What the excerpt leaves out at either end is not a change.
                let cut = |c: &Change| c.added.is_empty();
                if d.changes
                    .first()
                    .is_some_and(|c| cut(c) && c.before.is_empty())
                {
                    d.changes.remove(0);
                    d.total -= 1;
                }
                if d.changes
                    .last()
                    .is_some_and(|c| cut(c) && c.after.is_empty())
                {
                    d.changes.pop();
                    d.total -= 1;
                }
                out.note = Some("the file is an excerpt of the item".into());
            }
            out.total_differences = d.total;
            out.differences = d.changes;
        }
    }
    if out.kind == "none" && !out.same_message_id.is_empty() {
        out.basis = "message-id";
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_store::CaseSettings;

    /// "Not in the case" only when the catalog says so: a catalog that
    /// cannot answer is an error, not a miss.
    #[test]
    fn a_catalog_error_is_an_error_not_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let settings = CaseSettings {
            name: "t".into(),
            window: None,
            org_domains: Vec::new(),
            org_names: Vec::new(),
            limits: Default::default(),
        };
        let case = Case::init(&dir.path().join("case"), settings).unwrap();
        let corpus = Corpus {
            texts: Vec::new(),
            images: Vec::new(),
            undecodable: Vec::new(),
        };
        let miss = check(&case, &corpus, "a.txt", b"not in the case").unwrap();
        assert_eq!(miss.kind, "none");
        let db = rusqlite::Connection::open(case.root().join("catalog.sqlite")).unwrap();
        db.execute_batch("DROP TABLE items").unwrap();
        let e = check(&case, &corpus, "a.txt", b"not in the case").unwrap_err();
        assert!(e.to_string().contains("items"), "{e}");
    }
}
