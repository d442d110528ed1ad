//! Reading the case: search, items, originals, threads, timeline, people,
//! keys. Every handler takes [`Auth`], so none answers without a session.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use leakcheck_core::{Finding, ItemId, KeyRecord, Kind, Verdict};
use leakcheck_search::{Page, Period, Sort};
use leakcheck_store::{ItemDetail, Note, Tag};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::email_html::{FRAME_CSP, clean};
use crate::error::{ApiError, ApiResult};
use crate::explain::{Explanation, explain};
use crate::state::AppState;

/// Hits per page at most.
const MAX_LIMIT: usize = 200;
/// Rows of an export at most.
const MAX_EXPORT: usize = 10_000;

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

/// `GET /api/v1/search`: hits with snippets, the total and the facets.
pub async fn search(
    State(state): State<AppState>,
    _auth: Auth,
    Query(p): Query<SearchParams>,
) -> ApiResult<Response> {
    let page = page(&p, MAX_LIMIT)?;
    let q = p.q;
    let result = state
        .with_catalog(move |cat, inner| {
            let searcher = inner.reader.searcher();
            Ok(leakcheck_search::search_in(
                &inner.case,
                cat,
                &inner.index,
                &searcher,
                &q,
                page,
            )?)
        })
        .await?;
    Ok(Json(result).into_response())
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
}

/// `GET /api/v1/items/{id}`.
pub async fn item(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemView>> {
    let id = item_id(&id)?;
    let view = state
        .with_catalog(move |cat, inner| {
            let item = cat.item(&id)?;
            let has_html = item.email.as_ref().is_some_and(|e| e.html_bytes.is_some())
                || item.kind == Kind::Html.as_str();
            let text = match item.email {
                Some(_) => None,
                None => cat.item_text(inner.case.blobs(), &id, &item.kind)?,
            };
            Ok(ItemView {
                text,
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
    let mut response = page.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FRAME_CSP),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
}

/// `GET /api/v1/items/{id}/thread`: the conversation an email belongs to.
pub async fn thread(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = item_id(&id)?;
    let thread = state
        .with_catalog(move |cat, inner| {
            cat.item(&id)?;
            let emails = AppState::emails(inner, cat)?;
            leakcheck_search::thread_of(&emails, &id)
                .ok_or_else(|| ApiError::NotFound("this item is not an email".into()))
        })
        .await?;
    Ok(Json(thread).into_response())
}

/// Timeline parameters.
#[derive(Deserialize)]
pub struct TimelineParams {
    /// `day`, `week` or `month` (default).
    #[serde(default)]
    pub by: Option<String>,
}

/// `GET /api/v1/timeline`: messages per period.
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
    let t = state
        .with_catalog(move |cat, inner| {
            let emails = AppState::emails(inner, cat)?;
            Ok(leakcheck_search::timeline(&emails, by))
        })
        .await?;
    Ok(Json(t).into_response())
}

/// `GET /api/v1/people`: who wrote to whom.
pub async fn people(State(state): State<AppState>, _auth: Auth) -> ApiResult<Response> {
    let c = state
        .with_catalog(move |cat, inner| {
            let emails = AppState::emails(inner, cat)?;
            Ok(leakcheck_search::correspondents(&emails))
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
    let q = p.q;
    let csv = state
        .with_catalog(move |cat, inner| {
            let searcher = inner.reader.searcher();
            let r =
                leakcheck_search::search_in(&inner.case, cat, &inner.index, &searcher, &q, page)?;
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

/// A CSV cell, quoted; a leading `=`, `+`, `-` or `@` is neutralised so a
/// spreadsheet does not run a formula planted in the dump.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}
