//! What `verify` reads and writes a page at a time, so that its memory
//! does not grow with the case: emails, documents and items in id order,
//! and one pass's findings written as they come, inside one transaction
//! (a pass killed half-way leaves the previous pass's results whole).

use std::collections::HashSet;

use leakcheck_core::{CheckId, DocMeta, EmailMeta, Finding, ItemId, Verdict};
use rusqlite::{OptionalExtension, params};

use crate::catalog::{doc_meta, email_meta, parse_id};
use crate::search_rows::bump_search_generation;
use crate::{Catalog, Error, Result};

/// One email's threading fields, as the cross-message checks group them:
/// item, Message-ID and In-Reply-To ids as written.
pub type EmailLink = (ItemId, Option<String>, Vec<String>);

impl Catalog {
    /// Emails in id order after `after`, at most `limit`.
    pub fn emails_page(
        &self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, EmailMeta)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item, meta FROM emails WHERE item > ?1 ORDER BY item LIMIT ?2",
        )?;
        let after = after.map_or("", |a| a.as_str());
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (id, meta) = row?;
            Ok((parse_id(&id)?, email_meta(&id, &meta)?))
        })
        .collect()
    }

    /// These emails' fields, in id order (ids that are not emails are left out).
    pub fn emails_of(&self, ids: &[ItemId]) -> Result<Vec<(ItemId, EmailMeta)>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT meta FROM emails WHERE item = ?1")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let meta: Option<String> = stmt.query_row([id.as_str()], |r| r.get(0)).optional()?;
            if let Some(meta) = meta {
                let meta = email_meta(id.as_str(), &meta)?;
                out.push((id, meta));
            }
        }
        Ok(out)
    }

    /// Every email's threading fields, in id order, without the rest of
    /// its fields, handed to `each` one at a time.
    pub fn for_each_email_link(&self, mut each: impl FnMut(EmailLink) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT item, json_extract(meta, '$.message_id'), json_extract(meta, '$.in_reply_to')
             FROM emails ORDER BY item",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let replies: Vec<String> = match r.get::<_, Option<String>>(2)? {
                Some(json) => serde_json::from_str(&json)
                    .map_err(|e| Error::Corrupt(format!("email {id}: in_reply_to: {e}")))?,
                None => Vec::new(),
            };
            each((parse_id(&id)?, r.get(1)?, replies))?;
        }
        Ok(())
    }

    /// Documents in id order after `after`, at most `limit`, each with
    /// whether it is derived from another item (as [`Catalog::documents`]).
    pub fn documents_page(
        &self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, DocMeta, bool)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.item, d.meta, EXISTS(SELECT 1 FROM occurrences o WHERE o.item = d.item
                 AND json_extract(o.extra, '$.derived') IS NOT NULL)
             FROM documents d WHERE d.item > ?1 ORDER BY d.item LIMIT ?2",
        )?;
        let after = after.map_or("", |a| a.as_str());
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, meta, derived) = row?;
            Ok((parse_id(&id)?, doc_meta(&id, &meta)?, derived))
        })
        .collect()
    }

    /// Items in id order after `after`, at most `limit`, with their kind
    /// and the places they were found (sorted).
    pub fn items_page(
        &self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, String, Vec<String>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.kind, (SELECT json_group_array(o.display) FROM occurrences o
                                   WHERE o.item = i.id)
             FROM items i WHERE i.id > ?1 ORDER BY i.id LIMIT ?2",
        )?;
        let after = after.map_or("", |a| a.as_str());
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, kind, paths) = row?;
            let mut paths: Vec<String> =
                serde_json::from_str(&paths).map_err(|e| Error::Corrupt(e.to_string()))?;
            paths.sort();
            Ok((parse_id(&id)?, kind, paths))
        })
        .collect()
    }

    /// Starts a verification pass: until [`Catalog::finish_verification`]
    /// nothing it writes is seen by others, and a pass that stops half-way
    /// (error, kill) leaves the catalog as it was. `keep` names the checks
    /// whose findings are kept for the items not in `redo` (an incremental
    /// pass); every other finding and every verdict is cleared.
    pub fn begin_verification(&mut self, keep: &[CheckId], redo: &[ItemId]) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let cleared = (|| -> Result<()> {
            self.conn.execute_batch("DELETE FROM verdicts")?;
            if keep.is_empty() {
                self.conn.execute_batch("DELETE FROM findings")?;
                return Ok(());
            }
            let kept: Vec<String> = keep.iter().map(|c| format!("'{}'", c.as_str())).collect();
            self.conn.execute(
                &format!(
                    "DELETE FROM findings WHERE check_id NOT IN ({})",
                    kept.join(",")
                ),
                [],
            )?;
            let mut stmt = self.conn.prepare("DELETE FROM findings WHERE item = ?1")?;
            for id in redo {
                stmt.execute([id.as_str()])?;
            }
            Ok(())
        })();
        if cleared.is_err() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        cleared
    }

    /// Adds findings to the pass begun (one finding per item and check:
    /// a later one of the same check replaces an earlier one).
    pub fn add_findings(&mut self, findings: &[(ItemId, Finding)]) -> Result<()> {
        let mut f = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO findings (item, check_id, verdict, summary, evidence) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (id, x) in findings {
            f.execute(params![
                id.as_str(),
                x.check.as_str(),
                x.verdict.as_str(),
                x.summary,
                x.evidence.to_string()
            ])?;
        }
        Ok(())
    }

    /// The items from `first` to `last` (inclusive) with a finding of this
    /// verdict.
    pub fn with_verdict_between(
        &self,
        verdict: Verdict,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<HashSet<ItemId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT item FROM findings
             WHERE item >= ?1 AND item <= ?2 AND verdict = ?3",
        )?;
        let rows = stmt.query_map([first.as_str(), last.as_str(), verdict.as_str()], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|r| parse_id(&r?)).collect()
    }

    /// The findings of the items from `first` to `last` (inclusive), in
    /// item and check order.
    pub fn findings_between(
        &self,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<Vec<(ItemId, Finding)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item, check_id, verdict, summary, evidence FROM findings
             WHERE item >= ?1 AND item <= ?2 ORDER BY item, check_id",
        )?;
        let rows = stmt.query_map([first.as_str(), last.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, check, v, summary, evidence) = row?;
            Ok((
                parse_id(&id)?,
                Finding {
                    check: CheckId::parse(&check)
                        .ok_or_else(|| Error::Corrupt(format!("check {check:?}")))?,
                    verdict: Verdict::parse(&v)
                        .ok_or_else(|| Error::Corrupt(format!("verdict {v:?}")))?,
                    summary,
                    evidence: serde_json::from_str(&evidence)
                        .map_err(|e| Error::Corrupt(e.to_string()))?,
                },
            ))
        })
        .collect()
    }

    /// Records these items' verdicts in the pass begun.
    pub fn add_verdicts(&mut self, verdicts: &[(ItemId, Verdict)]) -> Result<()> {
        let mut v = self
            .conn
            .prepare_cached("INSERT OR REPLACE INTO verdicts (item, verdict) VALUES (?1, ?2)")?;
        for (id, verdict) in verdicts {
            v.execute(params![id.as_str(), verdict.as_str()])?;
        }
        Ok(())
    }

    /// Ends the pass begun: its results replace the previous ones at
    /// once, with `state` recorded as what they were derived from.
    pub fn finish_verification(&mut self, state: &str) -> Result<()> {
        let done = (|| -> Result<()> {
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES ('verify_state', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [state],
            )?;
            bump_search_generation(&self.conn)?;
            self.conn.execute_batch("COMMIT")?;
            Ok(())
        })();
        if done.is_err() {
            self.conn.execute_batch("ROLLBACK")?;
        }
        done
    }

    /// What the last verification pass was derived from, if one finished.
    pub fn verify_state(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'verify_state'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Items per verdict as recorded, and how many items have none.
    pub fn verdict_counts(&self) -> Result<(Vec<(Verdict, u64)>, u64)> {
        let mut stmt = self
            .conn
            .prepare("SELECT verdict, count(*) FROM verdicts GROUP BY verdict")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut counts = Vec::new();
        for row in rows {
            let (v, n) = row?;
            let v = Verdict::parse(&v).ok_or_else(|| Error::Corrupt(format!("verdict {v:?}")))?;
            counts.push((v, n as u64));
        }
        let missing: i64 = self.conn.query_row(
            "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item = i.id)",
            [],
            |r| r.get(0),
        )?;
        Ok((counts, missing as u64))
    }

    /// Items with no verdict yet (new since the last pass), in id order.
    pub fn items_without_verdict(&self) -> Result<Vec<(ItemId, bool)>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.id, EXISTS(SELECT 1 FROM emails e WHERE e.item = i.id) FROM items i
             WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item = i.id) ORDER BY i.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
        rows.map(|row| {
            let (id, email) = row?;
            Ok((parse_id(&id)?, email))
        })
        .collect()
    }

    /// Emails whose stored `email.dkim` finding names a signature by one of
    /// these keys (`selector._domainkey.domain`, lower case), in id order.
    pub fn emails_signed_with(&self, names: &HashSet<String>) -> Result<Vec<ItemId>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT f.item, lower(json_extract(s.value, '$.selector')) || '._domainkey.'
                    || lower(json_extract(s.value, '$.domain'))
             FROM findings f, json_each(f.evidence, '$.signatures') s
             WHERE f.check_id = 'email.dkim' ORDER BY f.item",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        let mut out: Vec<ItemId> = Vec::new();
        for row in rows {
            let (id, name) = row?;
            if name.is_some_and(|n| names.contains(&n)) {
                let id = parse_id(&id)?;
                if out.last() != Some(&id) {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    /// Items with a finding of this check, in id order.
    pub fn items_with_check(&self, check: CheckId) -> Result<Vec<ItemId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT item FROM findings WHERE check_id = ?1 ORDER BY item")?;
        let rows = stmt.query_map([check.as_str()], |r| r.get::<_, String>(0))?;
        rows.map(|r| parse_id(&r?)).collect()
    }

    /// Emails whose stored `email.dkim` finding lists at least one signature.
    pub fn signed_email_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM findings WHERE check_id = 'email.dkim'
               AND json_array_length(evidence, '$.signatures') > 0",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// How many documents and images the catalog holds.
    pub fn document_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The first `limit` items (in id order) with this verdict.
    pub fn items_judged(&self, verdict: Verdict, limit: usize) -> Result<Vec<ItemId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT item FROM verdicts WHERE verdict = ?1 ORDER BY item LIMIT ?2")?;
        let rows = stmt.query_map(params![verdict.as_str(), limit as i64], |r| {
            r.get::<_, String>(0)
        })?;
        rows.map(|r| parse_id(&r?)).collect()
    }
}
