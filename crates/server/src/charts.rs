//! The case report's charts (`publish::case_charts`, the same SVG the
//! report embeds), for the workbench's Case page. Each is served alone as
//! `image/svg+xml` under a policy that lets nothing load or run, and the
//! page shows it with `<img>`, where a browser runs no script in an SVG
//! anyway: labels come from the dump (sender domains), so two locks.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use leakcheck_publish::Chart;
use serde::Serialize;

use crate::api::confined;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Inner};

/// The policy of a chart: no fetch, no script, no style sheet, sandboxed
/// when opened by itself.
pub const SVG_CSP: &str = "default-src 'none'; sandbox";

/// A chart as the list names it.
#[derive(Serialize)]
pub struct ChartEntry {
    /// Its name, for `/charts/{name}`.
    pub name: &'static str,
    /// What it shows.
    pub title: String,
}

/// The charts: the case report's summary streams the catalog, so they are
/// drawn again only when the catalog changed (its search generation moves
/// with every ingest, verification and tag).
fn charts(inner: &Inner, cat: &leakcheck_store::Catalog) -> ApiResult<Arc<Vec<Chart>>> {
    let (generation, _) = cat.search_generation()?;
    let mut cached = inner.charts.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((g, charts)) = cached.as_ref()
        && *g == generation
    {
        return Ok(charts.clone());
    }
    let summary = leakcheck_publish::summarise(&inner.case, cat)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let charts = Arc::new(leakcheck_publish::case_charts(&summary));
    *cached = Some((generation, charts.clone()));
    Ok(charts)
}

/// `GET /api/v1/charts`: the charts' names and titles.
pub async fn list(State(state): State<AppState>, _auth: Auth) -> ApiResult<Json<Vec<ChartEntry>>> {
    let charts = state.with_catalog(|cat, inner| charts(inner, cat)).await?;
    Ok(Json(
        charts
            .iter()
            .map(|c| ChartEntry {
                name: c.name,
                title: c.title.clone(),
            })
            .collect(),
    ))
}

/// `GET /api/v1/charts/{name}`: one chart, as SVG.
pub async fn svg(
    State(state): State<AppState>,
    _auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let charts = state.with_catalog(|cat, inner| charts(inner, cat)).await?;
    let chart = charts.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
        ApiError::NotFound(format!("no chart {name:?}: {}", names.join(", ")))
    })?;
    Ok(confined(chart.svg.clone(), "image/svg+xml", SVG_CSP))
}
