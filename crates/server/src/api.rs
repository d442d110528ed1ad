//! Reading the case: search, items, originals, threads, timeline, people,
//! keys. Every handler takes [`Auth`], so none answers without a session.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use leakcheck_core::sanitize::csv_cell;
use leakcheck_core::{Finding, ItemId, KeyRecord, Kind, Verdict};
use leakcheck_search::{Page, Period, SearchResult, Sort};
use leakcheck_store::{ItemDetail, Note, OcrLayer, Tag};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Auth;
use crate::email_html::{FRAME_CSP, clean};
use crate::error::{ApiError, ApiResult};
use crate::explain::{Explanation, explain};
use crate::state::AppState;

/// Hits per page at most.
const MAX_LIMIT: usize = 200;
/// Rows of an export at most.
const MAX_EXPORT: usize = 10_000;
/// How long a search waits for its turn before a 503.
pub(crate) const SEARCH_QUEUE: std::time::Duration = std::time::Duration::from_secs(30);

/// A full item id from a path: 64 hex digits, nothing else reaches the
/// catalog or the blob store.
pub fn item_id(raw: &str) -> ApiResult<ItemId> {
    if raw.len() != 64 {
        return Err(ApiError::BadRequest(format!(
            "{raw:?} is not an item id (64 hex digits)"
        )));
    }
    ItemId::parse(raw)
        .map_err(|_| ApiError::BadRequest(format!("{raw:?} is not an item id (64 hex digits)")))
}

/// Search parameters.
#[derive(Deserialize)]
pub struct SearchParams {
    /// The query (the query language of the README).
    #[serde(default)]
    pub q: String,
    /// `relevance`, `newest` or `oldest`.
    #[serde(default)]
    pub sort: Option<String>,
    /// Hits per page (at most 200).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Hits skipped.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Export only: `csv` (the default), `jsonl` (every hit with its
    /// findings) or `ftm` (FollowTheMoney entities).
    #[serde(default)]
    pub format: Option<String>,
}

fn page(p: &SearchParams, max: usize) -> ApiResult<Page> {
    let sort = match p.sort.as_deref() {
        None | Some("" | "relevance") => Sort::Relevance,
        Some("newest") => Sort::Newest,
        Some("oldest") => Sort::Oldest,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "sort {other:?}: use relevance, newest or oldest"
            )));
        }
    };
    Ok(Page {
        limit: p.limit.unwrap_or(20).clamp(1, max),
        offset: p.offset.unwrap_or(0),
        sort,
    })
}

/// Runs `q` with at most [`crate::state::SEARCHES`] searches at once (a
/// search within the query limits still takes memory while it runs); the
/// hits' paths as viewers see them.
pub(crate) async fn run_search(state: &AppState, q: String, page: Page) -> ApiResult<SearchResult> {
    let _permit = tokio::time::timeout(SEARCH_QUEUE, state.0.searches.acquire())
        .await
        .map_err(|_| ApiError::Busy)?
        .map_err(|_| ApiError::Busy)?;
    state
        .with_catalog(move |cat, inner| {
            inner.sync_index(cat)?;
            let searcher = inner.reader.searcher();
            let mut r = leakcheck_search::search_in(
                &inner.case,
                &mut **cat,
                &inner.index,
                &searcher,
                &q,
                page,
            )?;
            let shown = inner.paths.shown(&inner.case);
            for h in &mut r.hits {
                h.path = shown.text(&h.path);
            }
            Ok(r)
        })
        .await
}

/// `GET /api/v1/search`: hits with snippets, the total and the facets.
pub async fn search(
    State(state): State<AppState>,
    _auth: Auth,
    Query(p): Query<SearchParams>,
) -> ApiResult<Response> {
    let page = page(&p, MAX_LIMIT)?;
    Ok(Json(run_search(&state, p.q, page).await?).into_response())
}

/// A finding with the words that explain it.
#[derive(Serialize)]
pub struct Explained {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// What it means and how to re-check it.
    pub explanation: Explanation,
}

/// An item's verification.
#[derive(Serialize)]
pub struct Verification {
    /// Its verdict (`unverified` before a verification pass).
    pub verdict: String,
    /// The findings that decided it, strongest first.
    pub findings: Vec<Explained>,
}

fn verification_of(v: Option<(Verdict, Vec<Finding>)>) -> Verification {
    match v {
        None => Verification {
            verdict: "unverified".into(),
            findings: Vec::new(),
        },
        Some((verdict, findings)) => Verification {
            verdict: verdict.as_str().into(),
            findings: findings
                .into_iter()
                .map(|f| Explained {
                    explanation: explain(f.check, f.verdict),
                    finding: f,
                })
                .collect(),
        },
    }
}

/// Everything the item page shows.
#[derive(Serialize)]
pub struct ItemView {
    /// What the catalog knows.
    pub item: ItemDetail,
    /// Its verification.
    pub verification: Verification,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Its notes.
    pub notes: Vec<Note>,
    /// Whether `/html` has an HTML body to show.
    pub has_html: bool,
    /// A document's or plain-text item's text (an email's is in `item`).
    pub text: Option<String>,
    /// What OCR read in it, kept apart from its own text; `None` when OCR
    /// has not looked at it.
    pub ocr: Option<OcrView>,
    /// Whether `/picture` shows it: an image in a format browsers draw,
    /// the page OCR read.
    pub has_picture: bool,
}

/// Pages of an OCR layer an item answer carries at most (OCR reads 100
/// pages of a PDF unless `[ocr] max_pages` says more; `show --full` prints
/// every page).
pub const OCR_PAGES: usize = 100;
/// Characters of one page's OCR text an item answer carries at most (a
/// dense A4 page holds about 5,000).
pub const OCR_PAGE_CHARS: usize = 20_000;

/// An item's OCR layer as the item page shows it: the engine's text, page
/// by page, labelled with the engine, the languages and the confidence.
#[derive(Serialize)]
pub struct OcrView {
    /// `read`, `no-text` (a picture whose pixels hold no text), `no-picture`
    /// (a PDF with its own text and nothing drawn to read) or `failed`.
    pub status: String,
    /// The engine and its version (`tesseract 5.3.0`).
    pub engine: Option<String>,
    /// The languages it read in (`fra+eng`).
    pub languages: Option<String>,
    /// Mean word confidence over every page, 0 to 100.
    pub confidence: Option<f32>,
    /// Seconds OCR spent on the item.
    pub seconds: f64,
    /// The picture decision's figures (`no-text`), or why it failed.
    pub detail: Option<Value>,
    /// Pages OCR read in all; `pages` holds the first [`OCR_PAGES`].
    pub pages_total: usize,
    /// The pages, in order.
    pub pages: Vec<OcrPageView>,
}

/// One page as OCR read it.
#[derive(Serialize)]
pub struct OcrPageView {
    /// From 1.
    pub page: u32,
    /// The engine's text, at most [`OCR_PAGE_CHARS`] characters.
    pub text: String,
    /// Whether `text` was cut.
    pub text_cut: bool,
    /// Mean word confidence on the page, 0 to 100.
    pub confidence: Option<f32>,
    /// Words read.
    pub words: u32,
    /// Why the page could not be read.
    pub error: Option<String>,
}

/// The layer as the item answer carries it, bounded. A PDF page's own text
/// layer (kept beside the OCR text for `doc.text-layer`) is left out: the
/// item's own text is `text`, and the two are never mixed.
fn ocr_view(layer: OcrLayer) -> OcrView {
    let confidence = layer.confidence();
    let pages_total = layer.pages.len();
    let pages = layer
        .pages
        .into_iter()
        .take(OCR_PAGES)
        .map(|p| {
            let (text, text_cut) = match p.text.char_indices().nth(OCR_PAGE_CHARS) {
                Some((at, _)) => (p.text[..at].to_string(), true),
                None => (p.text, false),
            };
            OcrPageView {
                page: p.page,
                text,
                text_cut,
                confidence: p.confidence,
                words: p.words,
                error: p.error,
            }
        })
        .collect();
    OcrView {
        status: layer.status,
        engine: layer.engine,
        languages: layer.languages,
        confidence,
        seconds: layer.seconds,
        detail: layer.detail,
        pages_total,
        pages,
    }
}

/// The media type of an image kind a browser draws; `None` for the others
/// (a TIFF is not drawn by browsers: it is downloaded).
fn picture_type(kind: &str) -> Option<&'static str> {
    match kind {
        "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "bmp" => Some("image/bmp"),
        _ => None,
    }
}

/// The policy of a picture opened by itself: nothing but the picture.
const PICTURE_CSP: &str = "default-src 'none'; img-src 'self'; sandbox";

/// `GET /api/v1/items/{id}`.
pub async fn item(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemView>> {
    let id = item_id(&id)?;
    let view = state
        .with_catalog(move |cat, inner| {
            let mut item = cat.item(&id)?;
            let shown = inner.paths.shown(&inner.case);
            for o in item.occurrences.iter_mut().chain(item.children.iter_mut()) {
                o.parent = shown.text(&o.parent);
                o.display = shown.text(&o.display);
                o.path = shown.text(&o.path);
                o.error = o.error.as_deref().map(|e| shown.text(e));
            }
            for e in &mut item.errors {
                e.display = shown.text(&e.display);
                e.reason = shown.text(&e.reason);
            }
            let has_html = item.email.as_ref().is_some_and(|e| e.html_bytes.is_some())
                || item.kind == Kind::Html.as_str();
            let text = match item.email {
                Some(_) => None,
                None => cat.item_text(inner.case.blobs(), &id, &item.kind)?,
            };
            Ok(ItemView {
                text,
                ocr: cat.ocr_layer(&id)?.map(ocr_view),
                has_picture: picture_type(&item.kind).is_some(),
                verification: verification_of(cat.verification(&id)?),
                tags: cat.tags(&id)?,
                notes: cat.notes(&id)?,
                has_html,
                item,
            })
        })
        .await?;
    Ok(Json(view))
}

/// `GET /api/v1/items/{id}/verification`.
pub async fn verification(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Verification>> {
    let id = item_id(&id)?;
    let v = state
        .with_catalog(move |cat, _| {
            cat.item(&id)?; // 404 for an unknown item, not "unverified"
            Ok(verification_of(cat.verification(&id)?))
        })
        .await?;
    Ok(Json(v))
}

/// `GET /api/v1/items/{id}/original`: the original bytes, as a download
/// that no browser renders or sniffs; logged.
pub async fn original(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = item_id(&id)?;
    let name_stem = id.as_str()[..16].to_string();
    let (bytes, kind) = state
        .with_catalog(move |cat, inner| {
            let item = cat.item(&id)?;
            let bytes = inner.case.blobs().read(&id)?;
            auth.log(cat, "original", Some(&id), None)?;
            Ok((bytes, item.kind))
        })
        .await?;
    let name = format!("{name_stem}.{}", extension(&kind));
    Ok(download(bytes, "application/octet-stream", &name))
}

/// `GET /api/v1/items/{id}/picture`: an image item's picture, for the item
/// page to show beside the text OCR read in it. Only the kinds browsers
/// draw, under the media type its bytes were detected as (never sniffed),
/// with a policy that lets nothing run if it is opened by itself. These
/// are the original's bytes: logged like a download.
pub async fn picture(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = item_id(&id)?;
    let name_stem = id.as_str()[..16].to_string();
    let (bytes, media, kind) = state
        .with_catalog(move |cat, inner| {
            let item = cat.item(&id)?;
            let media = picture_type(&item.kind).ok_or_else(|| {
                ApiError::NotFound(format!(
                    "this item ({}) is not a picture a browser shows",
                    item.kind
                ))
            })?;
            let bytes = inner.case.blobs().read(&id)?;
            auth.log(cat, "picture", Some(&id), None)?;
            Ok((bytes, media, item.kind))
        })
        .await?;
    let mut response = confined(bytes, media, PICTURE_CSP);
    let h = response.headers_mut();
    let name = format!("inline; filename=\"{name_stem}.{}\"", extension(&kind));
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// An answer of this type under its own content security policy, which
/// replaces the workbench page's.
pub(crate) fn confined(
    body: impl IntoResponse,
    content_type: &'static str,
    csp: &'static str,
) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    response
}

/// An answer the browser saves under `name` rather than shows.
fn download(body: impl IntoResponse, content_type: &'static str, name: &str) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn extension(kind: &str) -> &str {
    match kind {
        "email" => "eml",
        "jpeg" => "jpg",
        "text" => "txt",
        "ole" => "bin",
        k if k.chars().all(|c| c.is_ascii_alphanumeric()) => k,
        _ => "bin",
    }
}

/// `GET /api/v1/items/{id}/html`: an email's HTML body (or an HTML item),
/// cleaned, for a sandboxed frame.
pub async fn html(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = item_id(&id)?;
    let page = state
        .with_catalog(move |cat, inner| {
            let item = cat.item(&id)?;
            let bytes = inner.case.blobs().read(&id)?;
            let html = if item.kind == Kind::Html.as_str() {
                Some(String::from_utf8_lossy(&bytes).into_owned())
            } else if item.email.is_some() {
                mail_parser::MessageParser::default()
                    .parse(&bytes)
                    .and_then(|m| m.body_html(0).map(|h| h.into_owned()))
            } else {
                None
            };
            html.map(|h| clean(&h))
                .ok_or_else(|| ApiError::NotFound("this item has no HTML body".into()))
        })
        .await?;
    let mut response = confined(page, "text/html; charset=utf-8", FRAME_CSP);
    response.headers_mut().insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
}

/// Rows of a thread, periods of a timeline, people and pairs per page at
/// most: every list the API returns is a page of it, with its total.
const MAX_ROWS: u64 = 1000;

/// `offset` and `limit` of a list; `limit` within `1..=MAX_ROWS`.
fn rows(offset: Option<u64>, limit: Option<u64>, default: u64) -> (u64, u64) {
    (
        offset.unwrap_or(0),
        limit.unwrap_or(default).clamp(1, MAX_ROWS),
    )
}

/// Thread paging.
#[derive(Deserialize)]
pub struct ThreadParams {
    /// Rows skipped.
    #[serde(default)]
    pub offset: Option<u64>,
    /// Rows per page (default 200, at most 1,000).
    #[serde(default)]
    pub limit: Option<u64>,
}

/// A page of a conversation: its rows in reading order, with the counts of
/// the whole tree.
#[derive(Serialize)]
pub struct ThreadPage {
    /// Messages of the tree that are in the dump.
    pub messages: usize,
    /// Placeholders for messages the dump lacks.
    pub missing: usize,
    /// Email items in the tree.
    pub items: usize,
    /// Messages listed flat below the depth limit.
    pub flattened: usize,
    /// Rows of the whole tree (`messages + missing`).
    pub rows_total: usize,
    /// The first row's position.
    pub offset: u64,
    /// This page's rows, each with its depth in the tree.
    pub rows: Vec<leakcheck_search::Row>,
}

/// `GET /api/v1/items/{id}/thread`: the conversation an email belongs to,
/// read from the catalog's thread aggregate (its emails only), a page of
/// rows at a time.
pub async fn thread(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
    Query(p): Query<ThreadParams>,
) -> ApiResult<Response> {
    let id = item_id(&id)?;
    let (offset, limit) = rows(p.offset, p.limit, 200);
    let page = state
        .with_catalog(move |cat, inner| {
            cat.item(&id)?;
            AppState::mail_totals(inner, cat)?;
            let thread = leakcheck_search::thread_in(cat, &id)?
                .ok_or_else(|| ApiError::NotFound("this item is not an email".into()))?;
            let all = thread.rows();
            Ok(ThreadPage {
                messages: thread.messages,
                missing: thread.missing,
                items: thread.items,
                flattened: thread.flattened,
                rows_total: all.len(),
                offset,
                rows: all
                    .into_iter()
                    .skip(offset.try_into().unwrap_or(usize::MAX))
                    .take(limit as usize)
                    .collect(),
            })
        })
        .await?;
    Ok(Json(page).into_response())
}

/// Timeline parameters.
#[derive(Deserialize)]
pub struct TimelineParams {
    /// `day`, `week` or `month` (default).
    #[serde(default)]
    pub by: Option<String>,
    /// Periods skipped.
    #[serde(default)]
    pub offset: Option<u64>,
    /// Periods per page (default and at most 1,000).
    #[serde(default)]
    pub limit: Option<u64>,
}

/// `GET /api/v1/timeline`: messages per period, from the catalog's per-day
/// counts; `periods` is the number of periods in all.
pub async fn timeline(
    State(state): State<AppState>,
    _auth: Auth,
    Query(p): Query<TimelineParams>,
) -> ApiResult<Response> {
    let by = match p.by.as_deref() {
        None | Some("month") => Period::Month,
        Some("week") => Period::Week,
        Some("day") => Period::Day,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "by {other:?}: use day, week or month"
            )));
        }
    };
    let (offset, limit) = rows(p.offset, p.limit, MAX_ROWS);
    let t = state
        .with_catalog(move |cat, inner| {
            let totals = AppState::mail_totals(inner, cat)?;
            let mut t = leakcheck_search::timeline_in(cat, &totals, by)?;
            t.buckets = std::mem::take(&mut t.buckets)
                .into_iter()
                .skip(offset.try_into().unwrap_or(usize::MAX))
                .take(limit as usize)
                .collect();
            Ok(t)
        })
        .await?;
    Ok(Json(t).into_response())
}

/// People paging: one page size for both lists, each with its own offset.
#[derive(Deserialize)]
pub struct PeopleParams {
    /// Pairs skipped.
    #[serde(default)]
    pub pairs_offset: Option<u64>,
    /// People skipped.
    #[serde(default)]
    pub people_offset: Option<u64>,
    /// Rows per list (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<u64>,
}

/// `GET /api/v1/people`: who wrote to whom, a page of pairs and a page of
/// people from the catalog's aggregates, with both totals.
pub async fn people(
    State(state): State<AppState>,
    _auth: Auth,
    Query(p): Query<PeopleParams>,
) -> ApiResult<Response> {
    let (pairs_offset, limit) = rows(p.pairs_offset, p.limit, 100);
    let people_offset = p.people_offset.unwrap_or(0);
    let c = state
        .with_catalog(move |cat, inner| {
            let totals = AppState::mail_totals(inner, cat)?;
            Ok(leakcheck_search::correspondents_in(
                cat,
                &totals,
                pairs_offset,
                people_offset,
                limit,
            )?)
        })
        .await?;
    Ok(Json(c).into_response())
}

/// `GET /api/v1/keys`: the DKIM keys of the case, with provenance.
pub async fn keys(State(state): State<AppState>, _auth: Auth) -> ApiResult<Json<Vec<KeyRecord>>> {
    Ok(Json(state.with_catalog(|cat, _| Ok(cat.keys()?)).await?))
}

/// `GET /api/v1/export`: every hit of a query (up to 10,000) as CSV; logged.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<SearchParams>,
) -> ApiResult<Response> {
    let mut page = page(&p, MAX_EXPORT)?;
    page.limit = p.limit.unwrap_or(MAX_EXPORT).clamp(1, MAX_EXPORT);
    let format = match p.format.as_deref() {
        None | Some("" | "csv") => None,
        Some("jsonl") => Some(leakcheck_publish::Format::Jsonl),
        Some("ftm") => Some(leakcheck_publish::Format::Ftm),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?}: use csv, jsonl or ftm"
            )));
        }
    };
    let q = p.q;
    let r = run_search(&state, q.clone(), page).await?;
    if let Some(format) = format {
        let body = state
            .with_catalog(move |cat, _| {
                let detail = format!("{q} ({} items, {format:?})", r.hits.len());
                auth.log(cat, "export", None, Some(&detail))?;
                let ids: std::collections::HashSet<leakcheck_core::ItemId> = r
                    .hits
                    .iter()
                    .filter_map(|h| leakcheck_core::ItemId::parse(&h.id).ok())
                    .collect();
                let mut out = Vec::new();
                leakcheck_publish::export(cat, Some(&ids), format, &mut out)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                Ok(out)
            })
            .await?;
        let name = if format == leakcheck_publish::Format::Ftm {
            "leakcheck-export.ftm.json"
        } else {
            "leakcheck-export.jsonl"
        };
        return Ok(download(body, "application/x-ndjson", name));
    }
    let csv = state
        .with_catalog(move |cat, _| {
            let detail = format!("{q} ({} rows)", r.hits.len());
            auth.log(cat, "export", None, Some(&detail))?;
            let mut out = String::from("id,kind,date,verdict,title,path\n");
            for h in r.hits {
                let row = [
                    h.id,
                    h.kind,
                    h.date.unwrap_or_default(),
                    h.verdict,
                    h.title,
                    h.path,
                ];
                let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
                out.push_str(&cells.join(","));
                out.push('\n');
            }
            Ok(out)
        })
        .await?;
    Ok(download(
        csv,
        "text/csv; charset=utf-8",
        "leakcheck-export.csv",
    ))
}
