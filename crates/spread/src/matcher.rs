//! A post against the dump: its media files by SHA-256, by 4chan's MD5
//! (for files the export did not keep) and by what `check` compares
//! (pictures by perceptual hash, documents by text); its text by the
//! share of it the dump contains, so that a quote inside a longer email
//! is found.
//!
//! The text index keeps, for every text of the dump, one shingle in four
//! (those whose hash is 0 mod 4, the same for every text): a quote of 20
//! words has 17 shingles and misses all sampled ones with probability
//! (3/4)^17 < 1 %. Candidates are the texts sharing the most sampled
//! shingles; the best is settled on the whole texts.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use base64::Engine;
use leakcheck_core::{ItemId, Limits, Verdict};
use leakcheck_store::{Case, Catalog, PostMatch};
use leakcheck_variants::check::check;
use leakcheck_variants::cluster::strength;
use leakcheck_variants::minhash::shingle_set;
use leakcheck_variants::{Corpus, diff};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::import::{Media, RawPost};

/// One shingle in this many is indexed.
const SAMPLE: u64 = 4;
/// Texts read from the catalog at a time while indexing.
const BATCH: usize = 5000;
/// Candidate texts settled on their whole text, per post.
const CANDIDATES: usize = 5;
/// Fewer shingles (words − 3) than this are too few to say a post quotes
/// the dump.
pub const MIN_SHINGLES: usize = 5;
/// The share of a post's shingles the dump's text must contain (with at
/// least [`MIN_SHINGLES`] in common): a post wraps its quote in its own
/// words ("From the leak:", tags), and a changed word removes four
/// shingles of a short quote.
pub const CONTAINED: f64 = 0.35;
/// A dump text read, with its shingles.
type Read = Arc<(String, HashSet<u64>)>;

/// Texts kept read at most (then the cache starts again).
const CACHED: usize = 4096;
/// Differences listed in a match's evidence.
const LISTED: usize = 10;

/// What the dump offers for matching, read once per import.
pub struct DumpIndex {
    /// Text items: id, kind and verdict.
    texts: Vec<(ItemId, String, Option<Verdict>)>,
    /// (sampled shingle's key, index into `texts`), sorted: 8 bytes a
    /// shingle, where a map of lists took about 70.
    postings: Vec<(u32, u32)>,
    /// Pictures and documents, for media files (built on first need: it
    /// decodes every picture of the dump).
    corpus: Mutex<Option<Corpus>>,
    /// Texts read lately.
    cache: Mutex<HashMap<u32, Option<Read>>>,
}

impl DumpIndex {
    /// Indexes the case's texts.
    pub fn of_case(case: &Case) -> Result<DumpIndex> {
        let catalog = case.catalog()?;
        let mut index = DumpIndex {
            texts: Vec::new(),
            postings: Vec::new(),
            corpus: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        };
        let mut after = None;
        loop {
            let rows = catalog.text_rows(after.as_ref(), BATCH)?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id.clone());
            let sets = leakcheck_core::parallel::par_map(&rows, |row| {
                row.text(case.blobs())
                    .map(|t| t.map(|t| sampled(&shingle_set(&t))))
            });
            for (row, set) in rows.iter().zip(sets) {
                let Some(set) = set? else { continue };
                if set.is_empty() {
                    continue;
                }
                let n = u32::try_from(index.texts.len()).unwrap_or(u32::MAX);
                index
                    .texts
                    .push((row.id.clone(), row.kind.clone(), row.verdict));
                index.postings.extend(set.into_iter().map(|h| (key(h), n)));
            }
        }
        index.postings.sort_unstable();
        index.postings.dedup();
        index.postings.shrink_to_fit();
        Ok(index)
    }

    /// The texts holding sampled shingle `h` (or one whose key is the same).
    fn holding(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let k = key(h);
        let from = self.postings.partition_point(|p| p.0 < k);
        self.postings[from..]
            .iter()
            .take_while(move |p| p.0 == k)
            .map(|p| p.1)
    }

    /// Texts indexed.
    pub fn texts(&self) -> usize {
        self.texts.len()
    }

    /// Text `t` of the index and its shingles, read through a bounded
    /// cache: a viral quote is matched against the same few texts many
    /// times. The lock is not held while reading.
    fn text_of(
        &self,
        case: &Case,
        catalog: &Catalog,
        t: u32,
        id: &ItemId,
        kind: &str,
    ) -> Result<Option<Read>> {
        if let Some(read) = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&t) {
            return Ok(read.clone());
        }
        let read = catalog.item_text(case.blobs(), id, kind)?.map(|text| {
            let set = shingle_set(&text);
            Arc::new((text, set))
        });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHED {
            cache.clear();
        }
        cache.insert(t, read.clone());
        Ok(read)
    }
}

fn sampled(set: &HashSet<u64>) -> Vec<u64> {
    set.iter().copied().filter(|h| h % SAMPLE == 0).collect()
}

/// A sampled shingle as the index keeps it: the high 32 bits of its hash
/// (the low bits say it is sampled). Two shingles sharing a key only add
/// a vote: every candidate is settled on its whole text.
fn key(h: u64) -> u32 {
    (h >> 32) as u32
}

/// Everything a post matched.
pub fn match_post(
    case: &Case,
    catalog: &Catalog,
    index: &DumpIndex,
    post: &RawPost,
    limits: &Limits,
) -> Result<(Vec<PostMatch>, Vec<String>)> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for m in &post.media {
        match media(case, catalog, index, m, limits) {
            Ok(Some(found)) => out.push(found),
            Ok(None) => {}
            Err(e) => problems.push(format!("post {}: media {}: {e}", post.id, m.name)),
        }
    }
    if let Some(found) = text(case, catalog, index, &post.text)? {
        out.push(found);
    }
    Ok((out, problems))
}

fn media(
    case: &Case,
    catalog: &Catalog,
    index: &DumpIndex,
    m: &Media,
    limits: &Limits,
) -> Result<Option<PostMatch>> {
    if let Some(path) = &m.path {
        let size = std::fs::metadata(path)
            .map_err(|e| crate::Error::Io(path.display().to_string(), e))?
            .len();
        if size > limits.max_item_bytes {
            return Err(crate::Error::Format(
                path.display().to_string(),
                format!("{size} bytes, over the case's max_item_bytes"),
            ));
        }
        let bytes =
            std::fs::read(path).map_err(|e| crate::Error::Io(path.display().to_string(), e))?;
        let id = ItemId::from_digest(Sha256::digest(&bytes).into());
        if catalog.has_item(&id)? {
            return Ok(Some(PostMatch {
                what: m.name.clone(),
                basis: "sha256".into(),
                similarity: 1.0,
                changed: false,
                evidence: json!({"sha256": id.as_str()}),
                item: id,
            }));
        }
        // One media file compared at a time: the corpus is built once, on
        // the first file that needs it.
        let mut corpus = index.corpus.lock().unwrap_or_else(|p| p.into_inner());
        if corpus.is_none() {
            *corpus = Some(Corpus::of_case(case, true, &AtomicU64::new(0))?);
        }
        let r = check(
            case,
            corpus.as_ref().expect("built just above"),
            &m.name,
            &bytes,
        )?;
        if let (Some(item), "near") = (&r.item, r.kind) {
            let regions = r
                .picture
                .as_ref()
                .and_then(|p| p["changed_regions"].as_array())
                .map_or(0, Vec::len);
            return Ok(Some(PostMatch {
                what: m.name.clone(),
                item: ItemId::parse(item)
                    .map_err(|e| crate::Error::Format(m.name.clone(), e.to_string()))?,
                basis: r.basis.into(),
                similarity: r.similarity,
                changed: r.total_differences > 0 || regions > 0,
                evidence: json!({
                    "differences": r.differences.iter().take(LISTED).collect::<Vec<_>>(),
                    "total_differences": r.total_differences,
                    "picture": r.picture,
                    "note": r.note,
                }),
            }));
        }
    }
    // 4chan gives the file's MD5 and size: the dump's items of that size
    // are hashed to compare, whether or not the file itself was kept.
    if let (Some(md5), Some(size)) = (&m.md5, m.size) {
        let want = base64::engine::general_purpose::STANDARD
            .decode(md5.trim())
            .map_err(|e| crate::Error::Format(m.name.clone(), format!("md5 {md5:?}: {e}")))?;
        for id in catalog.items_of_size(size)? {
            let bytes = case.blobs().read(&id)?;
            if <md5::Md5 as md5::Digest>::digest(&bytes).as_slice() == want.as_slice() {
                return Ok(Some(PostMatch {
                    what: m.name.clone(),
                    item: id,
                    basis: "md5".into(),
                    similarity: 1.0,
                    changed: false,
                    evidence: json!({"md5": md5, "size": size}),
                }));
            }
        }
    }
    Ok(None)
}

/// A text's words (runs of letters and digits, as the shingles read
/// them), lower-cased, with their byte ranges in the text.
fn tokens(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i, text[s..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The part of `post` that quotes `theirs` and the part of `theirs` it
/// quotes: from the first to the last run of 4 words they share. What the
/// post writes around a quote, and what it leaves out of the item before
/// and after it, are not changes.
fn quoted<'a>(theirs: &'a str, post: &'a str) -> Option<(&'a str, &'a str)> {
    const RUN: usize = 4;
    let (a, b) = (tokens(theirs), tokens(post));
    let key =
        |w: &[(usize, usize, String)]| w.iter().map(|t| t.2.as_str()).collect::<Vec<_>>().join(" ");
    // Every place of each run in the item: boilerplate (a signature, an
    // address) can be there more than once.
    let mut at: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, w) in a.windows(RUN).enumerate() {
        at.entry(key(w)).or_default().push(i);
    }
    let hits: Vec<(usize, &Vec<usize>)> = b
        .windows(RUN)
        .enumerate()
        .filter_map(|(j, w)| at.get(&key(w)).map(|i| (j, i)))
        .collect();
    let (&(j0, first), &(j1, last)) = (hits.first()?, hits.last()?);
    // The places of the first and last runs whose distance is closest to
    // their distance in the post: the quoted passage, not a repeat.
    let (i0, i1) = first
        .iter()
        .flat_map(|&s| last.iter().filter(move |&&e| e >= s).map(move |&e| (s, e)))
        .min_by_key(|&(s, e)| ((e - s).abs_diff(j1 - j0), s))?;
    let (i1, j1) = (i1 + RUN - 1, j1 + RUN - 1);
    Some((&theirs[a[i0].0..a[i1].1], &post[b[j0].0..b[j1].1]))
}

/// The dump text that contains most of the post's text, if it contains at
/// least [`CONTAINED`] of it (among near-equal ones, the best-proven), with
/// the differences inside the quoted part.
fn text(
    case: &Case,
    catalog: &Catalog,
    index: &DumpIndex,
    post: &str,
) -> Result<Option<PostMatch>> {
    let set = shingle_set(post);
    if set.len() < MIN_SHINGLES {
        return Ok(None);
    }
    let probes = sampled(&set);
    let mut votes: HashMap<u32, usize> = HashMap::new();
    for h in &probes {
        for t in index.holding(*h) {
            *votes.entry(t).or_default() += 1;
        }
    }
    // A text holding half the post holds about half its sampled shingles:
    // one shared phrase ("the campaign will") is not worth reading a text
    // for (a quarter leaves room for sampling's spread).
    let needed = probes.len().div_ceil(4).max(1);
    let mut ranked: Vec<(u32, usize)> = votes.into_iter().filter(|v| v.1 >= needed).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut found = Vec::new();
    for (t, _) in ranked.into_iter().take(CANDIDATES) {
        let (id, kind, verdict) = &index.texts[t as usize];
        let Some(read) = index.text_of(case, catalog, t, id, kind)? else {
            continue;
        };
        let common = read.1.intersection(&set).count();
        if common >= MIN_SHINGLES {
            found.push((common as f64 / set.len() as f64, id, *verdict, read));
        }
    }
    let top = found.iter().map(|f| f.0).fold(0.0, f64::max);
    // Two copies that contain the quote as well (a point apart at most):
    // the one proven authentic answers (what the leak really says), then
    // the lowest id. A text that contains more of it wins: the source of
    // a quote beats other texts sharing its boilerplate.
    let Some((contained, id, _, read)) = found
        .into_iter()
        .filter(|f| f.0 >= CONTAINED && f.0 >= top - 0.01)
        .min_by_key(|f| (strength(f.2), f.1.clone()))
    else {
        return Ok(None);
    };
    let theirs = &read.0;
    let mut d = match quoted(theirs, post) {
        Some((item_part, post_part)) => diff(item_part, post_part),
        None => diff(theirs, post),
    };
    // Quote markers (`> >`) and punctuation a post drops or adds change no
    // word: only changes with a letter or digit count.
    let wordless = |t: &str| !t.chars().any(char::is_alphanumeric);
    let before = d.changes.len();
    d.changes
        .retain(|c| !(wordless(&c.removed) && wordless(&c.added)));
    d.total -= before - d.changes.len();
    Ok(Some(PostMatch {
        what: "text".into(),
        item: id.clone(),
        basis: "text".into(),
        similarity: contained,
        changed: d.total > 0,
        evidence: json!({
            "contained": contained,
            "differences": d.changes.iter().take(LISTED).collect::<Vec<_>>(),
            "total_differences": d.total,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_is_compared_only_where_it_quotes() {
        let item = "Agreement between the campaign and Printing Lyon SARL. The printer delivers \
            40 000 posters before 20 April. The campaign pays 12 000 euros on delivery.";
        let post = "From the leak: \"The printer delivers 40 000 posters before 20 April. The \
            campaign pays 2 000 000 euros on delivery\" #MacronLeaks";
        let (a, b) = quoted(item, post).unwrap();
        assert!(
            a.starts_with("The printer") && a.ends_with("on delivery"),
            "{a}"
        );
        assert!(
            b.starts_with("The printer") && b.ends_with("on delivery"),
            "{b}"
        );
        let d = diff(a, b);
        assert_eq!(d.total, 1, "{d:?}");
        assert_eq!(
            (d.changes[0].removed.as_str(), d.changes[0].added.as_str()),
            ("12", "2 000")
        );
        // Nothing in common: no quote.
        assert_eq!(
            quoted(item, "Rain tonight over Paris, clearing tomorrow morning."),
            None
        );
    }
}
