//! The redaction review: an item's detections of personal data, each with
//! the decision in force, and the spans marked by hand, over the text
//! `leakcheck redact` renders (the same function, the same byte offsets).
//! Editors accept or reject a detection, mark a span the detector missed,
//! or take a decision back; each change is logged. `leakcheck redact`
//! applies the decisions and names the reviewer in its log.
//!
//! The workbench's detector runs the default rules: `leakcheck redact`
//! takes its list of private persons' names (`--names`) and of strings
//! kept (`--keep`) from files given to each run, and the case keeps none,
//! so names are marked by hand here and the command's lists add to them.

use axum::Json;
use axum::extract::{Path, State};
use leakcheck_core::ItemId;
use leakcheck_redact::{Detector, Kind, Rules};
use leakcheck_store::{Catalog, Decision, RENDERING, Role, SpanRef};
use serde::{Deserialize, Serialize};

use crate::api::item_id;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Inner};

/// Bytes of text reviewed at most: a longer text is redacted by the
/// command only.
pub const MAX_TEXT: usize = 4 << 20;
/// Spans an answer lists at most (of each list); the totals count all.
pub const MAX_SPANS: usize = 2_000;
/// Bytes a span marked by hand covers at most.
pub const MAX_MANUAL_BYTES: usize = 10_000;
/// Characters of context shown on each side of a span.
const CONTEXT: usize = 40;

/// What the review of one item shows.
#[derive(Serialize)]
pub struct RedactionView {
    /// Which text the positions are byte offsets in: `rendering`.
    pub text: &'static str,
    /// That text, as `leakcheck redact` renders it (an email's From, To,
    /// Cc, Date, Subject and body; a document's text); null when the item
    /// has none.
    pub rendering: Option<String>,
    /// Why there is nothing to review, when there is not.
    pub reason: Option<String>,
    /// The rules the detector ran with.
    pub rules: &'static str,
    /// The detections, in text order, each with its review (the first
    /// [`MAX_SPANS`]).
    pub detections: Vec<SpanView>,
    /// Detections in all.
    pub detections_total: usize,
    /// The spans marked by hand, in text order.
    pub manual: Vec<SpanView>,
    /// Detections nobody reviewed yet (`leakcheck redact` redacts them and
    /// logs them as automatic).
    pub unreviewed: usize,
    /// Decisions that no longer fit the text.
    pub stale: usize,
}

/// A span with its review and the words around it.
#[derive(Serialize)]
pub struct SpanView {
    /// Byte offset in the rendering.
    pub start: usize,
    /// Byte offset after it.
    pub end: usize,
    /// The rule (or the kind given by hand).
    pub kind: &'static str,
    /// `automatic` (not reviewed), `accepted`, `rejected` or `manual`.
    pub review: leakcheck_publish::Review,
    /// Who reviewed it.
    pub by: Option<String>,
    /// When.
    pub at: Option<String>,
    /// Up to 40 characters before it.
    pub before: String,
    /// The span's text.
    pub value: String,
    /// Up to 40 characters after it.
    pub after: String,
}

/// The rules' description: what the workbench's detector is given.
const RULES: &str = "default: every kind but names (leakcheck redact takes --names and --keep lists per run; mark private persons' names by hand here)";

/// The detector, compiled once.
fn detector(inner: &Inner) -> ApiResult<&Detector> {
    if let Some(d) = inner.detector.get() {
        return Ok(d);
    }
    let d = Detector::new(&Rules::default()).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(inner.detector.get_or_init(|| d))
}

/// The rendering and its review, or why there is none.
fn view(cat: &Catalog, inner: &Inner, id: &ItemId) -> ApiResult<RedactionView> {
    let empty = |reason: String| RedactionView {
        text: RENDERING,
        rendering: None,
        reason: Some(reason),
        rules: RULES,
        detections: Vec::new(),
        detections_total: 0,
        manual: Vec::new(),
        unreviewed: 0,
        stale: 0,
    };
    let text = match leakcheck_publish::rendered_text(cat, id).map_err(publish_error)? {
        Ok(t) => t,
        Err(why) => return Ok(empty(why)),
    };
    if text.len() > MAX_TEXT {
        return Ok(empty(format!(
            "{} bytes of text, more than the workbench reviews ({MAX_TEXT}): use leakcheck redact",
            text.len()
        )));
    }
    let reviewed = leakcheck_publish::review(
        &text,
        detector(inner)?.find(&text),
        &cat.redaction_decisions(id)?,
    );
    let (manual, detections): (Vec<_>, Vec<_>) = reviewed
        .spans
        .iter()
        .partition(|r| r.review == leakcheck_publish::Review::Manual);
    let shown = |r: &&leakcheck_publish::Reviewed| SpanView {
        start: r.span.start,
        end: r.span.end,
        kind: r.span.kind.as_str(),
        review: r.review,
        by: r.by.clone(),
        at: r.at.clone(),
        before: tail(&text[..r.span.start], CONTEXT),
        value: r.span.text.clone(),
        after: text[r.span.end..].chars().take(CONTEXT).collect(),
    };
    Ok(RedactionView {
        text: RENDERING,
        detections_total: detections.len(),
        detections: detections.iter().take(MAX_SPANS).map(shown).collect(),
        manual: manual.iter().take(MAX_SPANS).map(shown).collect(),
        unreviewed: reviewed.unreviewed(),
        stale: reviewed.stale,
        reason: None,
        rules: RULES,
        rendering: Some(text),
    })
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> String {
    let at = s.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i);
    s[at..].to_string()
}

fn publish_error(e: leakcheck_publish::Error) -> ApiError {
    match e {
        leakcheck_publish::Error::Store(e) => e.into(),
        other => ApiError::Internal(other.to_string()),
    }
}

/// `GET /api/v1/items/{id}/redaction`.
pub async fn get(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<RedactionView>> {
    let id = item_id(&id)?;
    Ok(Json(
        state
            .with_catalog(move |cat, inner| view(cat, inner, &id))
            .await?,
    ))
}

/// A review decision.
#[derive(Deserialize)]
pub struct Change {
    /// `accept` or `reject` (a detection), `manual` (mark a span by hand)
    /// or `clear` (take a decision back, or remove a hand-made span).
    pub decision: String,
    /// Byte offset in the rendering.
    pub start: usize,
    /// Byte offset after the span.
    pub end: usize,
    /// The detection's rule, or the kind a hand-made span holds.
    pub kind: String,
}

/// `POST /api/v1/items/{id}/redaction` (editor): records a decision,
/// logs it, and answers the review as it now stands.
pub async fn post(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(c): Json<Change>,
) -> ApiResult<Json<RedactionView>> {
    auth.require(Role::Editor)?;
    let id = item_id(&id)?;
    let kind = Kind::parse(&c.kind).ok_or_else(|| {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        ApiError::BadRequest(format!("kind {:?}: use {}", c.kind, kinds.join(", ")))
    })?;
    let decision = match c.decision.as_str() {
        "clear" => None,
        other => Some(other.parse::<Decision>()?),
    };
    if c.start >= c.end {
        return Err(ApiError::BadRequest(format!(
            "span {}..{}: the end must come after the start",
            c.start, c.end
        )));
    }
    let view = state
        .with_catalog(move |cat, inner| {
            let current = view(cat, inner, &id)?;
            let Some(text) = &current.rendering else {
                return Err(ApiError::BadRequest(format!(
                    "nothing to redact in this item: {}",
                    current.reason.unwrap_or_default()
                )));
            };
            let detected = current.detections.iter().any(|d| {
                (d.start, d.end, d.kind) == (c.start, c.end, kind.as_str())
                    && d.review != leakcheck_publish::Review::Manual
            });
            match decision {
                Some(Decision::Accept | Decision::Reject) if !detected => {
                    return Err(ApiError::BadRequest(format!(
                        "no {} detection at {}..{}: accept or reject one the review lists",
                        kind.as_str(),
                        c.start,
                        c.end
                    )));
                }
                Some(Decision::Manual) => {
                    let fits = c.end <= text.len()
                        && text.is_char_boundary(c.start)
                        && text.is_char_boundary(c.end);
                    if !fits {
                        return Err(ApiError::BadRequest(format!(
                            "span {}..{}: not within the {} bytes of the text, or not on character boundaries",
                            c.start,
                            c.end,
                            text.len()
                        )));
                    }
                    if c.end - c.start > MAX_MANUAL_BYTES {
                        return Err(ApiError::BadRequest(format!(
                            "a span marked by hand covers at most {MAX_MANUAL_BYTES} bytes"
                        )));
                    }
                }
                _ => {}
            }
            let detail = format!("{} {}..{}", kind.as_str(), c.start, c.end);
            match decision {
                Some(d) => {
                    let span = SpanRef {
                        text: RENDERING.into(),
                        start: c.start,
                        end: c.end,
                        kind: kind.as_str().into(),
                    };
                    cat.decide_redaction(&id, &span, d, &auth.user)?;
                    auth.log(
                        cat,
                        &format!("redaction-{}", d.as_str()),
                        Some(&id),
                        Some(&detail),
                    )?;
                }
                None => {
                    if cat.clear_redaction(&id, RENDERING, c.start, c.end)? {
                        auth.log(cat, "redaction-clear", Some(&id), Some(&detail))?;
                    }
                }
            }
            view(cat, inner, &id)
        })
        .await?;
    Ok(Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_cut_on_characters() {
        assert_eq!(tail("née à Paris", 5), "Paris");
        assert_eq!(tail("é", 5), "é");
        assert_eq!(tail("", 5), "");
    }
}
