//! An evidence report of a selection, from the workbench: the chosen items
//! (ids ticked on the search page, or every hit of a query) written by
//! `publish::write_report`, as `leakcheck report` writes it, into a
//! temporary folder, zipped into a temporary file and streamed back. Both
//! are removed when the answer has been sent. Logged.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use leakcheck_core::ItemId;
use leakcheck_core::words::count;
use leakcheck_search::{Page, Sort};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use crate::api::{item_id, run_search};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Items one report holds at most: a report copies each original and
/// renders its evidence, so a larger one is `leakcheck report`'s job.
pub const MAX_ITEMS: usize = 200;

/// What to report.
#[derive(Deserialize)]
pub struct Selection {
    /// Item ids (64 hex digits each).
    #[serde(default)]
    pub ids: Vec<String>,
    /// A query whose every hit is reported too.
    #[serde(default)]
    pub query: Option<String>,
    /// Whether the originals go in (default: yes).
    #[serde(default)]
    pub originals: Option<bool>,
}

/// `POST /api/v1/report`: the report of the selection as a zip.
pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Json(s): Json<Selection>,
) -> ApiResult<Response> {
    if s.ids.len() > MAX_ITEMS {
        return Err(too_many(s.ids.len()));
    }
    let mut ids = s
        .ids
        .iter()
        .map(|i| item_id(i))
        .collect::<ApiResult<Vec<ItemId>>>()?;
    if let Some(q) = s.query.as_deref().filter(|q| !q.trim().is_empty()) {
        let page = Page {
            limit: MAX_ITEMS + 1,
            offset: 0,
            sort: Sort::Relevance,
        };
        let found = run_search(&state, q.to_string(), page).await?;
        if found.total > MAX_ITEMS as u64 {
            return Err(too_many(found.total as usize));
        }
        ids.extend(found.hits.iter().filter_map(|h| ItemId::parse(&h.id).ok()));
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(ApiError::BadRequest(
            "nothing chosen: give ids or a query".into(),
        ));
    }
    if ids.len() > MAX_ITEMS {
        return Err(too_many(ids.len()));
    }
    let originals = s.originals.unwrap_or(true);
    // A report is heavy work, like an export: it waits its turn.
    let _permit = tokio::time::timeout(crate::api::SEARCH_QUEUE, state.0.searches.acquire())
        .await
        .map_err(|_| ApiError::Busy)?
        .map_err(|_| ApiError::Busy)?;
    let query = s.query.clone();
    let (dir, zip) = state
        .with_catalog(move |cat, inner| {
            for id in &ids {
                cat.item(id)?; // an unknown id is a 404, before any work
            }
            let dir = tempfile::tempdir().map_err(internal)?;
            let folder = dir.path().join("leakcheck-report");
            leakcheck_publish::write_report(&inner.case, cat, &ids, &folder, originals, |_| {})
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let zip = dir.path().join("leakcheck-report.zip");
            zip_folder(&folder, &zip).map_err(internal)?;
            let detail = format!(
                "{}{}{}",
                count(ids.len() as u64, "item", "items"),
                query.map(|q| format!(", query {q}")).unwrap_or_default(),
                if originals { "" } else { ", no originals" }
            );
            auth.log(cat, "report", None, Some(&detail))?;
            Ok((dir, zip))
        })
        .await?;
    let file = tokio::fs::File::open(&zip).await.map_err(internal)?;
    let size = file.metadata().await.map_err(internal)?.len();
    // The folder lives as long as the stream: dropped after the last chunk.
    let chunks = futures_util::stream::unfold((file, dir), |(mut file, dir)| async move {
        let mut buf = vec![0; 64 << 10];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), (file, dir)))
            }
            Err(e) => Some((Err(e), (file, dir))),
        }
    });
    let mut response = Body::from_stream(chunks).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"leakcheck-report.zip\""),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    Ok(response)
}

fn too_many(n: usize) -> ApiError {
    ApiError::BadRequest(format!(
        "{n} items chosen, more than the {MAX_ITEMS} a workbench report holds: narrow the choice, or use leakcheck report"
    ))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Zips `folder` (its files, under its own name) into `out`.
fn zip_folder(folder: &Path, out: &Path) -> std::io::Result<()> {
    let mut zip = zip::ZipWriter::new(BufWriter::new(File::create(out)?));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let base = folder.parent().unwrap_or(folder);
    let mut pending = vec![folder.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let name = path
            .strip_prefix(base)
            .map_err(std::io::Error::other)?
            .to_string_lossy()
            .replace('\\', "/");
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        std::io::copy(&mut File::open(&path)?, &mut zip)?;
    }
    zip.finish().map_err(std::io::Error::other)?.flush()
}
