//! Running a query: ranked or dated hits with snippets, the total, and
//! facet counts over everything that matched.

use std::collections::BTreeMap;
use std::time::Instant;

use leakcheck_core::ItemId;
use leakcheck_store::{Case, SearchCatalog};
use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, FacetCollector, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument};

use crate::Result;
use crate::index::SearchIndex;
use crate::query::{Refused, parse};
use crate::schema::Lang;

/// Facet dimensions, in display order.
pub const FACETS: [&str; 5] = ["kind", "domain", "month", "verdict", "attachment"];
const SNIPPET_CHARS: usize = 200;
/// Most hits on one page: the collector keeps `offset + limit` hits in
/// memory, so both are bounded before it is made.
pub const MAX_LIMIT: usize = 10_000;
/// Most hits skipped.
pub const MAX_OFFSET: usize = 100_000;

/// Hit order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// Which page of hits, in which order.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// Hits per page.
    pub limit: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Order.
    pub sort: Sort,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            limit: 20,
            offset: 0,
            sort: Sort::Relevance,
        }
    }
}

/// One matching item.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// Item id.
    pub id: String,
    /// BM25 score (absent when sorted by date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// Kind.
    pub kind: String,
    /// Subject or title.
    pub title: String,
    /// Date (RFC 3339, UTC), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where it was found first.
    pub path: String,
    /// Its verdict (`unverified` before `verify`).
    pub verdict: String,
    /// Text around the matches; matched words between `«` and `»`.
    pub snippet: String,
    /// The same as HTML: matched words in `<b>`, the rest escaped.
    pub snippet_html: String,
}

/// What a search found.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResult {
    /// Every matching item, not just this page.
    pub total: u64,
    /// This page.
    pub hits: Vec<Hit>,
    /// Counts per facet value over every matching item.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// Parts of the query that were ignored or repaired, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Milliseconds spent searching (snippets included).
    pub took_ms: f64,
}

/// A query's matches before they are dressed as hits.
pub struct Found {
    /// Every matching item.
    pub total: u64,
    /// The page asked for: score (when ranked) and address.
    pub docs: Vec<(Option<f32>, DocAddress)>,
    /// Counts per facet value, when asked for.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// The query as parsed.
    pub query: Box<dyn Query>,
    /// What the parser ignored or repaired.
    pub notes: Vec<String>,
}

/// Parses and runs `query`: the page of matches, the total, and the facet
/// counts when `with_facets`. A query or page beyond the limits
/// ([`MAX_LIMIT`], [`MAX_OFFSET`], those of [`crate::query`]) is refused
/// with [`crate::Error::Refused`] before any work.
pub fn find(
    idx: &SearchIndex,
    searcher: &Searcher,
    query: &str,
    page: Page,
    with_facets: bool,
) -> Result<Found> {
    if page.limit > MAX_LIMIT {
        return Err(Refused(format!(
            "limit {}: at most {MAX_LIMIT} hits a page",
            page.limit
        ))
        .into());
    }
    if page.offset > MAX_OFFSET {
        return Err(Refused(format!(
            "offset {}: at most {MAX_OFFSET} hits can be skipped; narrow the query instead",
            page.offset
        ))
        .into());
    }
    let parsed = parse(query, &idx.index, &idx.fields)?;
    // No facet collector at all without facets: an empty one still reads
    // the facets of every matching document, which made term queries 3.5×
    // slower (crates/search/benches/scale.rs, 200,000 emails).
    let facets = with_facets.then(|| {
        let mut c = FacetCollector::for_field("facets");
        for f in FACETS {
            c.add_facet(format!("/{f}").as_str());
        }
        c
    });
    let top = TopDocs::with_limit(page.limit.max(1)).and_offset(page.offset);
    let (docs, total, counts): (Vec<(Option<f32>, DocAddress)>, usize, _) = match page.sort {
        Sort::Relevance => {
            let (d, t, c) =
                searcher.search(&*parsed.query, &(top.order_by_score(), Count, facets))?;
            (d.into_iter().map(|(s, a)| (Some(s), a)).collect(), t, c)
        }
        Sort::Newest | Sort::Oldest => {
            let order = if page.sort == Sort::Newest {
                Order::Desc
            } else {
                Order::Asc
            };
            let by_date = top.order_by_fast_field::<DateTime>("date", order);
            let (d, t, c) = searcher.search(&*parsed.query, &(by_date, Count, facets))?;
            (d.into_iter().map(|(_, a)| (None, a)).collect(), t, c)
        }
    };
    let mut facet_counts = BTreeMap::new();
    for (f, counts) in counts.iter().flat_map(|c| FACETS.map(|f| (f, c))) {
        let values: BTreeMap<String, u64> = counts
            .get(format!("/{f}").as_str())
            .map(|(facet, n)| {
                let name = facet
                    .to_path()
                    .last()
                    .map_or(String::new(), |s| (*s).to_string());
                (name, n)
            })
            .collect();
        facet_counts.insert(f.to_string(), values);
    }
    Ok(Found {
        total: total as u64,
        docs,
        facets: facet_counts,
        query: parsed.query,
        notes: parsed.notes,
    })
}

/// Runs `query` over the case's index: hits with their snippets, the
/// total, and facet counts.
pub fn search(case: &Case, idx: &SearchIndex, query: &str, page: Page) -> Result<SearchResult> {
    let searcher = idx.index.reader()?.searcher();
    search_in(case, &mut case.catalog()?, idx, &searcher, query, page)
}

/// Every item matching `query`, in id order, with what the parser ignored
/// or repaired: what an export or a report of a query takes, whole, where
/// [`find`] gives a page.
pub fn matching(idx: &SearchIndex, query: &str) -> Result<(Vec<ItemId>, Vec<String>)> {
    let searcher = idx.index.reader()?.searcher();
    let parsed = parse(query, &idx.index, &idx.fields)?;
    let docs = searcher.search(&*parsed.query, &DocSetCollector)?;
    let mut ids = Vec::with_capacity(docs.len());
    for address in docs {
        let doc: TantivyDocument = searcher.doc(address)?;
        if let Some(id) = doc
            .get_first(idx.fields.id)
            .and_then(|v| v.as_str())
            .and_then(|s| ItemId::parse(s).ok())
        {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok((ids, parsed.notes))
}

/// [`search`] with a catalog connection and a searcher the caller keeps (a
/// server holds one reader and a pool of connections for every request
/// rather than opening them each time).
pub fn search_in(
    case: &Case,
    catalog: &mut impl SearchCatalog,
    idx: &SearchIndex,
    searcher: &Searcher,
    query: &str,
    page: Page,
) -> Result<SearchResult> {
    let started = Instant::now();
    let Found {
        total,
        docs,
        facets,
        query,
        notes,
    } = find(idx, searcher, query, page, true)?;
    let snippets = Snippets::new(searcher, &*query, idx)?;
    let mut hits = Vec::with_capacity(docs.len());
    for (score, address) in docs.into_iter().take(page.limit) {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let f = &idx.fields;
        let id = text(f.id);
        let body = ItemId::parse(&id)
            .ok()
            .and_then(|i| catalog.hit_text(case.blobs(), &i, &text(f.kind)).ok())
            .flatten()
            .unwrap_or_default();
        let lang = match text(f.lang).as_str() {
            "fr" => Lang::French,
            "en" => Lang::English,
            _ => Lang::Other,
        };
        let mut snippet = snippets.of(lang, &body);
        let mut from_ocr = false;
        if snippet.highlighted().is_empty()
            && let Ok(Some(layer)) = ItemId::parse(&id).map_or(Ok(None), |i| catalog.ocr_layer(&i))
        {
            let ocr = snippets.ocr.snippet(&layer.text());
            if !ocr.highlighted().is_empty() || body.trim().is_empty() {
                (snippet, from_ocr) = (ocr, true);
            }
        }
        // Text read by OCR is said to be so wherever it is shown.
        let label = if from_ocr { "(OCR) " } else { "" };
        hits.push(Hit {
            id,
            score,
            kind: text(f.kind),
            title: text(f.subject),
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| leakcheck_core::time::rfc3339(d.into_timestamp_secs())),
            path: text(f.path),
            verdict: text(f.verdict),
            snippet: format!("{label}{}", marked(&snippet)),
            snippet_html: format!("{label}{}", snippet.to_html()),
        });
    }
    Ok(SearchResult {
        total,
        hits,
        facets,
        notes,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// One snippet generator per body language.
struct Snippets {
    fr: SnippetGenerator,
    en: SnippetGenerator,
    other: SnippetGenerator,
    ocr: SnippetGenerator,
}

impl Snippets {
    fn new(
        searcher: &Searcher,
        query: &dyn tantivy::query::Query,
        idx: &SearchIndex,
    ) -> Result<Snippets> {
        let make = |field| -> Result<SnippetGenerator> {
            let mut g = SnippetGenerator::create(searcher, query, field)?;
            g.set_max_num_chars(SNIPPET_CHARS);
            Ok(g)
        };
        Ok(Snippets {
            fr: make(idx.fields.body(Lang::French))?,
            en: make(idx.fields.body(Lang::English))?,
            other: make(idx.fields.body(Lang::Other))?,
            ocr: make(idx.fields.ocr)?,
        })
    }

    fn of(&self, lang: Lang, text: &str) -> Snippet {
        let g = match lang {
            Lang::French => &self.fr,
            Lang::English => &self.en,
            Lang::Other => &self.other,
        };
        g.snippet(text)
    }
}

/// The snippet as plain text, matches between « and ».
fn marked(s: &Snippet) -> String {
    let text = s.fragment();
    let mut out = String::with_capacity(text.len() + 8);
    let mut at = 0;
    for r in s.highlighted() {
        out.push_str(&text[at..r.start]);
        out.push('«');
        out.push_str(&text[r.clone()]);
        out.push('»');
        at = r.end;
    }
    out.push_str(&text[at..]);
    out.trim().to_string()
}
