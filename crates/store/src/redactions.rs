//! The redaction review: what a person decided about the spans of personal
//! data in an item's text before it is published. A detection is accepted
//! or rejected; a span the detector missed is added by hand. Positions are
//! byte offsets in the text `leakcheck redact` renders, so the command and
//! the workbench address the same bytes. The decision in force is kept
//! here; every change is also written to the access log by its caller.

use leakcheck_core::ItemId;
use rusqlite::params;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::{Error, Result};

/// The text decisions are about: an email's displayed headers and body, or
/// a document's text, as `leakcheck redact` renders it.
pub const RENDERING: &str = "rendering";

/// Hand-made spans one item may carry at most.
pub const MAX_MANUAL_SPANS: usize = 1_000;

/// What a person decided about a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// A detection to redact.
    Accept,
    /// A detection to leave in the text.
    Reject,
    /// A span the detector missed, marked by hand: redacted.
    Manual,
}

impl Decision {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Reject => "reject",
            Decision::Manual => "manual",
        }
    }
}

impl std::str::FromStr for Decision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Decision> {
        match s {
            "accept" => Ok(Decision::Accept),
            "reject" => Ok(Decision::Reject),
            "manual" => Ok(Decision::Manual),
            other => Err(Error::Invalid(format!(
                "decision {other:?}: use accept, reject or manual"
            ))),
        }
    }
}

/// A span of an item's text: which text, where, and the rule (or the kind
/// given by hand) that names what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpanRef {
    /// Which text ([`RENDERING`]).
    pub text: String,
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset after its last byte.
    pub end: usize,
    /// `email`, `phone`, `iban`, `card`, `nir`, `birth-date`,
    /// `postal-address` or `name`.
    pub kind: String,
}

/// A decision in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RedactionDecision {
    /// The span decided about.
    #[serde(flatten)]
    pub span: SpanRef,
    /// What was decided.
    pub decision: Decision,
    /// Who decided.
    pub user: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

impl Catalog {
    /// Records `decision` about `span` of `item` by `user`, replacing an
    /// earlier decision about the same place.
    pub fn decide_redaction(
        &mut self,
        item: &ItemId,
        span: &SpanRef,
        decision: Decision,
        user: &str,
    ) -> Result<()> {
        self.known(item)?;
        crate::shared::check_span(span)?;
        let tx = self.conn.transaction()?;
        if decision == Decision::Manual {
            let manual: i64 = tx.query_row(
                "SELECT count(*) FROM redaction_decisions WHERE item = ?1 AND decision = 'manual'",
                [item.as_str()],
                |r| r.get(0),
            )?;
            if manual as usize >= MAX_MANUAL_SPANS {
                return Err(Error::Invalid(format!(
                    "this item has {MAX_MANUAL_SPANS} spans marked by hand already"
                )));
            }
        }
        tx.execute(
            "INSERT INTO redaction_decisions (item, text, start_byte, end_byte, kind, decision, user, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(item, text, start_byte, end_byte) DO UPDATE SET
               kind = excluded.kind, decision = excluded.decision,
               user = excluded.user, at = excluded.at",
            params![
                item.as_str(),
                span.text,
                span.start as i64,
                span.end as i64,
                span.kind,
                decision.as_str(),
                user,
                crate::team::now(),
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes the decision about the span at `text`, `start..end` of
    /// `item` (the detection is unreviewed again; a hand-made span is
    /// gone); false when there was none.
    pub fn clear_redaction(
        &mut self,
        item: &ItemId,
        text: &str,
        start: usize,
        end: usize,
    ) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM redaction_decisions
             WHERE item = ?1 AND text = ?2 AND start_byte = ?3 AND end_byte = ?4",
            params![item.as_str(), text, start as i64, end as i64],
        )? > 0)
    }

    /// The decisions in force about `item`'s spans, in text order.
    pub fn redaction_decisions(&self, item: &ItemId) -> Result<Vec<RedactionDecision>> {
        let mut stmt = self.conn.prepare(
            "SELECT text, start_byte, end_byte, kind, decision, user, at
             FROM redaction_decisions WHERE item = ?1 ORDER BY text, start_byte, end_byte",
        )?;
        let rows = stmt.query_map([item.as_str()], |r| {
            Ok((
                SpanRef {
                    text: r.get(0)?,
                    start: r.get::<_, i64>(1)?.try_into().unwrap_or(usize::MAX),
                    end: r.get::<_, i64>(2)?.try_into().unwrap_or(usize::MAX),
                    kind: r.get(3)?,
                },
                r.get::<_, String>(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.map(|row| {
            let (span, decision, user, at) = row?;
            let decision = decision.parse().map_err(|_| {
                Error::Corrupt(format!("item {item}: redaction decision {decision:?}"))
            })?;
            Ok(RedactionDecision {
                span,
                decision,
                user,
                at,
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::case_with_item;

    fn span(start: usize, end: usize, kind: &str) -> SpanRef {
        SpanRef {
            text: RENDERING.into(),
            start,
            end,
            kind: kind.into(),
        }
    }

    #[test]
    fn decisions_round_trip_and_replace_each_other() {
        let (_d, mut cat, id) = case_with_item();
        cat.decide_redaction(&id, &span(10, 24, "phone"), Decision::Accept, "eve")
            .unwrap();
        cat.decide_redaction(&id, &span(3, 8, "name"), Decision::Manual, "ada")
            .unwrap();
        cat.decide_redaction(&id, &span(10, 24, "phone"), Decision::Reject, "ada")
            .unwrap();
        let all = cat.redaction_decisions(&id).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            (all[0].span.start, all[0].decision, all[0].user.as_str()),
            (3, Decision::Manual, "ada")
        );
        assert_eq!(
            (all[1].span.end, all[1].decision, all[1].span.kind.as_str()),
            (24, Decision::Reject, "phone")
        );
        assert!(cat.clear_redaction(&id, RENDERING, 3, 8).unwrap());
        assert!(!cat.clear_redaction(&id, RENDERING, 3, 8).unwrap());
        assert_eq!(cat.redaction_decisions(&id).unwrap().len(), 1);
    }

    #[test]
    fn empty_spans_and_unknown_items_are_refused() {
        let (_d, mut cat, id) = case_with_item();
        assert!(
            cat.decide_redaction(&id, &span(5, 5, "name"), Decision::Manual, "eve")
                .is_err()
        );
        assert!(
            cat.decide_redaction(&id, &span(1, 5, ""), Decision::Manual, "eve")
                .is_err()
        );
        let other = ItemId::of(b"nothing");
        assert!(matches!(
            cat.decide_redaction(&other, &span(1, 5, "name"), Decision::Manual, "eve"),
            Err(Error::NoSuchItem(_))
        ));
        assert!("approve".parse::<Decision>().is_err());
    }
}
