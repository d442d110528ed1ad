//! What a server on a team case keeps in the shared catalog rather than in
//! its local replica: every change the workbench makes (users, tags, notes,
//! redaction decisions, keys), the append-only access log, and the
//! sessions, so that a restart or a second server behind a proxy logs
//! nobody out. The replica is the embedded catalog of a folder beside the
//! case, brought in step with the shared catalog by [`Shared::refresh`]:
//! the workbench reads it with the embedded catalog's own queries, so its
//! figures are the embedded mode's.

use std::time::Duration;

use leakcheck_core::{ItemId, KeyRecord};

use crate::error::Result;
use crate::redactions::{Decision, SpanRef};
use crate::team::{Access, Role};

/// A login as the shared catalog keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedSession {
    /// Login name.
    pub user: String,
    /// Role when logging in.
    pub role: Role,
    /// The password hash when logging in.
    pub password: String,
    /// The token state-changing requests carry.
    pub csrf: String,
}

/// A team case's shared catalog, as the workbench writes it. Every change
/// is made there first, where concurrent changes are serialized, and the
/// caller then refreshes its replica.
pub trait Shared: Send + Sync {
    /// Brings the local replica in step with the shared catalog; cheap when
    /// nothing changed (one query).
    fn refresh(&self) -> Result<()>;
    /// Adds a user, or replaces the role and password of one.
    fn put_user(&self, name: &str, role: Role, password_hash: &str) -> Result<()>;
    /// Removes a user; false when there was none.
    fn remove_user(&self, name: &str) -> Result<bool>;
    /// Appends to the access log.
    fn log_access(
        &self,
        user: &str,
        action: &str,
        item: Option<&ItemId>,
        detail: Option<&str>,
        peer: Option<&str>,
    ) -> Result<()>;
    /// The newest `limit` access-log entries before `before`, newest first.
    fn access_log(&self, before: Option<i64>, limit: usize) -> Result<Vec<Access>>;
    /// Tags an item; false when it had the tag already.
    fn add_tag(&self, item: &ItemId, tag: &str, by: &str) -> Result<bool>;
    /// Removes a tag; false when the item did not have it.
    fn remove_tag(&self, item: &ItemId, tag: &str) -> Result<bool>;
    /// Adds a note to an item; its number.
    fn add_note(&self, item: &ItemId, author: &str, text: &str) -> Result<i64>;
    /// Records a redaction decision about a span.
    fn decide_redaction(
        &self,
        item: &ItemId,
        span: &SpanRef,
        decision: Decision,
        user: &str,
    ) -> Result<()>;
    /// Removes the decision about a span; false when there was none.
    fn clear_redaction(&self, item: &ItemId, text: &str, start: usize, end: usize) -> Result<bool>;
    /// Adds DKIM keys; how many were new.
    fn add_keys(&self, keys: &[KeyRecord]) -> Result<usize>;
    /// Records a new session under `token`, ending the user's oldest ones
    /// beyond `per_user` and everyone's idle longer than `idle`.
    fn open_session(
        &self,
        token: &str,
        session: &SharedSession,
        per_user: usize,
        idle: Duration,
    ) -> Result<()>;
    /// The session under `token`, marked as used now; none when there is
    /// none or it was idle longer than `idle`.
    fn session(&self, token: &str, idle: Duration) -> Result<Option<SharedSession>>;
    /// Ends the session under `token`.
    fn close_session(&self, token: &str) -> Result<()>;
}

/// Checks a span before a decision is recorded about it: the same rule in
/// both catalogs.
pub fn check_span(span: &SpanRef) -> Result<()> {
    if span.start >= span.end || span.kind.is_empty() || span.kind.len() > 32 {
        return Err(crate::Error::Invalid(format!(
            "span {}..{} of kind {:?}: an empty span or an unnamed kind",
            span.start, span.end, span.kind
        )));
    }
    Ok(())
}

/// Checks a note's text and gives it as stored: the same rule in both
/// catalogs.
pub fn note_text(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.is_empty() || text.len() > 20_000 {
        return Err(crate::Error::Invalid(
            "a note has 1 to 20,000 bytes of text".into(),
        ));
    }
    Ok(text)
}
