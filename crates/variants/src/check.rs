//! `leakcheck check`: is this outside file in the dump, and was it changed?
//! Exact when its SHA-256 is an item's; near when its text (or picture)
//! resembles an item's closely enough, with the differences; none otherwise.
//!
//! An outside email is matched first by its Message-ID against the dump's
//! copies (the best-proven copy answers) and diffed against it; its own
//! DKIM signatures are verified by the caller's verifier (the case's
//! keys), so that "this copy was altered" and "here is what the authentic
//! copy says" come together. An outside picture that matches an item is
//! described: dimensions, re-encoding, metadata and thumbnail stripped,
//! and the regions that differ.

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
    /// How the match was made: `sha256`, `text`, `image`, `message-id`,
    /// or `ocr` (a picture's text, read by OCR, against the dump's texts).
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
    /// An outside email's own DKIM verification, with the case's keys
    /// (`{"verdict", "summary", "evidence"}` of its `email.dkim` finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim: Option<serde_json::Value>,
    /// Header fields a reader sees (from, to, cc, subject, date) that differ
    /// from the matched copy's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub header_differences: Vec<serde_json::Value>,
    /// An outside picture against the matched one: sizes, encoding,
    /// metadata and thumbnail kept or stripped, regions that differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<serde_json::Value>,
}

/// Verifies an outside email's DKIM signatures (with the case's keys):
/// given the raw bytes, the `email.dkim` finding as JSON.
pub type EmailVerifier<'a> = &'a dyn Fn(&[u8]) -> serde_json::Value;

/// What an outside file offers for comparison.
struct Probe {
    text: Option<String>,
    image: Option<u64>,
    email: Option<leakcheck_core::EmailMeta>,
    message_id: Option<String>,
    note: Option<String>,
}

fn probe(bytes: &[u8]) -> Probe {
    let kind = leakcheck_extract::sniff(bytes);
    let limits = DocLimits::default();
    let mut p = Probe {
        text: None,
        image: None,
        email: None,
        message_id: None,
        note: None,
    };
    match kind {
        Kind::Email => match leakcheck_extract::email::parse(bytes) {
            Ok(e) => {
                p.message_id = e.meta.message_id.clone();
                p.text = e.meta.text.clone();
                p.email = Some(e.meta);
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
    check_with(case, corpus, file, bytes, None)
}

/// [`check`], with a verifier for an outside email's own DKIM signatures.
pub fn check_with(
    case: &Case,
    corpus: &Corpus,
    file: &str,
    bytes: &[u8],
    verifier: Option<EmailVerifier<'_>>,
) -> Result<CheckResult> {
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
        dkim: None,
        header_differences: Vec::new(),
        picture: None,
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
    let mut text = p.text;
    if let Some(email) = &p.email {
        out.dkim = verifier.map(|v| v(bytes));
        if let Some(mid) = &p.message_id {
            let copies: Vec<_> = catalog
                .emails()?
                .into_iter()
                .filter(|(_, m)| m.message_id.as_deref() == Some(mid.as_str()))
                .collect();
            out.same_message_id = copies.iter().map(|(i, _)| i.to_string()).collect();
            // The best-proven copy answers: what an authentic copy says is
            // what the message said.
            let mut ranked = Vec::new();
            for (i, m) in copies {
                let verdict = catalog.verification(&i)?.map(|(v, _)| v);
                ranked.push((strength(verdict), i, m, verdict));
            }
            ranked.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            if let Some((_, i, m, verdict)) = ranked.into_iter().next() {
                let d = diff(
                    m.text.as_deref().unwrap_or_default(),
                    email.text.as_deref().unwrap_or_default(),
                );
                out.kind = "near";
                out.basis = "message-id";
                out.item = Some(i.to_string());
                let (a, b) = (
                    shingle_set(m.text.as_deref().unwrap_or_default()),
                    shingle_set(email.text.as_deref().unwrap_or_default()),
                );
                let common = a.intersection(&b).count();
                out.similarity = if a.is_empty() && b.is_empty() {
                    1.0
                } else {
                    common as f64 / (a.len() + b.len() - common) as f64
                };
                out.header_differences = header_differences(&m, email);
                out.total_differences = d.total;
                out.differences = d.changes;
                out.matched = Some(Entry {
                    id: i.clone(),
                    kind: Kind::Email.as_str().to_string(),
                    path: catalog
                        .item(&i)?
                        .occurrences
                        .first()
                        .map(|o| o.display.clone())
                        .unwrap_or_default(),
                    verdict,
                });
                return Ok(out);
            }
        }
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
                out.picture = Some(describe_picture(case, e, bytes)?);
            }
        }
        // A picture of text (a screenshot, a photo of a page) is compared
        // by the text OCR reads in it too: a changed figure moves no
        // perceptual hash. Other pictures stop at the picture.
        let text_like = leakcheck_extract::ocr::carries_text(bytes).is_ok_and(|t| t.text);
        if out.kind == "near" && !text_like {
            return Ok(out);
        }
        match ocr_text(case, bytes) {
            Ok((t, confidence)) => {
                out.note = Some(format!(
                    "text read by OCR (mean confidence {}): OCR misreads count among the differences",
                    confidence.map_or("-".into(), |c| format!("{c:.0} %"))
                ));
                text = Some(t);
            }
            Err(why) if out.kind == "near" => {
                out.note = Some(format!("its text was not compared: {why}"));
                return Ok(out);
            }
            Err(why) => {
                out.note = Some(format!("no picture in the dump like it, and {why}"));
                return Ok(out);
            }
        }
    }
    let Some(text) = text else { return Ok(out) };
    // A picture already matched stays the answer unless its text matches.
    let picture = (out.kind == "near").then_some((out.similarity, out.basis));
    out.basis = if p.image.is_some() { "ocr" } else { "text" };
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
        // An excerpt is markedly shorter than the item; a whole copy with a
        // word changed also scores containment over resemblance.
        let shorter = (probe_set.len() as f64) < 0.8 * set.len() as f64;
        exact.push((e, jaccard.max(part), shorter && part > jaccard));
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
        if let Some((similarity, basis)) = picture.filter(|_| r < NEAR) {
            (out.similarity, out.basis) = (similarity, basis);
        } else if r >= NEAR {
            if out.item.as_deref() != Some(e.id.as_str()) {
                out.picture = None; // it described another item
            }
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
    Ok(out)
}

/// The text OCR reads in an outside picture, with its mean confidence.
fn ocr_text(case: &Case, bytes: &[u8]) -> std::result::Result<(String, Option<f32>), String> {
    let settings = &case.settings.ocr;
    let engine = leakcheck_extract::ocr::Engine::find().map_err(|e| e.to_string())?;
    engine
        .check_languages(&settings.languages)
        .map_err(|e| e.to_string())?;
    let limit = std::time::Duration::from_secs(settings.page_seconds.max(1));
    let pages = engine
        .read_bytes(bytes, &settings.languages, limit)
        .map_err(|e| format!("OCR could not read it: {e}"))?;
    let words: u32 = pages.iter().map(|p| p.words).sum();
    let confidence = (words > 0).then(|| {
        pages
            .iter()
            .filter_map(|p| p.confidence.map(|c| c * p.words as f32))
            .sum::<f32>()
            / words as f32
    });
    let text: Vec<String> = pages.into_iter().map(|p| p.text).collect();
    Ok((text.join("\n"), confidence))
}

/// What a reader sees in an email's header (addresses, subject, date),
/// where `theirs` (the dump's copy) and `ours` (the outside one) differ.
fn header_differences(
    theirs: &leakcheck_core::EmailMeta,
    ours: &leakcheck_core::EmailMeta,
) -> Vec<serde_json::Value> {
    let addrs = |l: &[leakcheck_core::Address]| -> Vec<String> {
        l.iter()
            .map(|a| a.address.clone().unwrap_or_default().to_lowercase())
            .collect()
    };
    let mut out = Vec::new();
    for (field, a, b) in [
        ("from", addrs(&theirs.from), addrs(&ours.from)),
        ("to", addrs(&theirs.to), addrs(&ours.to)),
        ("cc", addrs(&theirs.cc), addrs(&ours.cc)),
    ] {
        if a != b {
            out.push(serde_json::json!({"field": field, "dump": a, "file": b}));
        }
    }
    let squeeze = |s: &Option<String>| {
        s.as_deref()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    if squeeze(&theirs.subject) != squeeze(&ours.subject) {
        out.push(
            serde_json::json!({"field": "subject", "dump": theirs.subject, "file": ours.subject}),
        );
    }
    if theirs.date_unix != ours.date_unix {
        out.push(serde_json::json!({"field": "date", "dump": theirs.date, "file": ours.date}));
    }
    out
}

/// An outside picture against the item it matches: sizes, re-encoding,
/// what metadata and thumbnail it kept, and where the two differ, region
/// by region (the item scaled to the file's size).
fn describe_picture(case: &Case, item: &Entry, bytes: &[u8]) -> Result<serde_json::Value> {
    let limits = DocLimits::default();
    let theirs = case.blobs().read(&item.id)?;
    let kind_of = |b: &[u8]| leakcheck_extract::sniff(b);
    let meta = |k: Kind, b: &[u8]| doc::image::read(k, b, &limits).ok();
    let (mk, tk) = (kind_of(bytes), kind_of(&theirs));
    let (ours_meta, their_meta) = (meta(mk, bytes), meta(tk, &theirs));
    let size = |m: &Option<leakcheck_core::DocMeta>| {
        m.as_ref()
            .and_then(|m| m.image.as_ref())
            .and_then(|i| i.width.zip(i.height))
    };
    let stores = |m: &Option<leakcheck_core::DocMeta>| -> Vec<String> {
        m.as_ref()
            .map(|m| {
                m.stores
                    .iter()
                    .filter(|s| !s.fields.is_empty())
                    .map(|s| s.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let thumb = |m: &Option<leakcheck_core::DocMeta>| {
        m.as_ref()
            .and_then(|m| m.image.as_ref())
            .is_some_and(|i| i.thumbnail.is_some())
    };
    let (ours_stores, their_stores) = (stores(&ours_meta), stores(&their_meta));
    let stripped: Vec<&String> = their_stores
        .iter()
        .filter(|s| !ours_stores.contains(s))
        .collect();
    let regions = doc::image::compare_pictures(&theirs, bytes, limits.max_pixels).ok();
    let changed = regions
        .as_ref()
        .map(doc::image::changed_regions)
        .unwrap_or_default();
    Ok(serde_json::json!({
        "size": {"dump": size(&their_meta), "file": size(&ours_meta)},
        "format": {"dump": tk.as_str(), "file": mk.as_str()},
        "mean_difference_percent": regions.as_ref().map(|r| {
            r.mean_difference.iter().sum::<f32>() / r.mean_difference.len().max(1) as f32
        }),
        "metadata_stripped": stripped,
        "thumbnail": {"dump": thumb(&their_meta), "file": thumb(&ours_meta)},
        "regions": regions,
        "changed_regions": changed,
    }))
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
        let settings = CaseSettings::named("t");
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
