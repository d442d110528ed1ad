//! `GET /api/v1/spread`: how the dump's material spread outside (posts
//! imported with `leakcheck posts import`), with the same filters as the
//! command line; every list is bounded.

use axum::Json;
use axum::extract::{Query, State};
use leakcheck_store::{CLASSES, SpreadFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Rows per table at most.
pub const MAX_ROWS: usize = 500;

/// Filters and sizes.
#[derive(Deserialize)]
pub struct SpreadParams {
    /// Only this platform.
    pub platform: Option<String>,
    /// Only this class.
    pub class: Option<String>,
    /// Only this account (name or id).
    pub account: Option<String>,
    /// Posted at or after (Unix seconds).
    pub since: Option<i64>,
    /// Posted before (Unix seconds).
    pub until: Option<i64>,
    /// Rows per table (default 50, at most 500).
    pub limit: Option<usize>,
    /// Posts skipped before the page of posts.
    pub offset: Option<usize>,
}

/// Totals per class, posts per hour and class, first appearances, accounts
/// and a page of posts.
pub async fn spread(
    State(state): State<AppState>,
    _auth: Auth,
    Query(p): Query<SpreadParams>,
) -> ApiResult<Json<Value>> {
    if let Some(c) = &p.class
        && !CLASSES.contains(&c.as_str())
    {
        return Err(ApiError::BadRequest(format!(
            "class {c:?}: use one of {}",
            CLASSES.join(", ")
        )));
    }
    let limit = p.limit.unwrap_or(50);
    if limit > MAX_ROWS {
        return Err(ApiError::BadRequest(format!(
            "limit {limit}: at most {MAX_ROWS}"
        )));
    }
    let offset = p.offset.unwrap_or(0);
    let f = SpreadFilter {
        source: None,
        platform: p.platform,
        class: p.class,
        account: p.account,
        since: p.since,
        until: p.until,
    };
    let v = state
        .with_catalog(move |cat, inner| {
            let totals = cat.spread_totals(&f)?;
            // Where each item is in the dump, as every other answer shows
            // a path: from the source's folder on.
            let shown = inner.paths.shown(&inner.case);
            let mut firsts = cat.first_appearances(&f, limit)?;
            for s in &mut firsts {
                s.path = s.path.as_deref().map(|p| shown.text(p));
            }
            Ok(json!({
                "total": totals.iter().map(|(_, n)| n).sum::<u64>(),
                "totals": totals.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
                "hours": cat.spread_hours(&f)?,
                "first_appearances": firsts,
                "accounts": cat.spread_accounts(&f, limit)?,
                "posts": cat.post_rows(&f, None, limit, offset)?,
            }))
        })
        .await?;
    Ok(Json(v))
}
