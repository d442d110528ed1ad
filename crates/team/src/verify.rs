//! The catalog's verification side on PostgreSQL: the queries the embedded
//! catalog answers `verify` with (crates/store/src/verification.rs and its
//! neighbours), over the same tables, so that a pass gives the same
//! findings and verdicts on either.
//!
//! JSON columns are kept as text, as ingest writes them. Fields inside
//! them are read here with `json` operators only where the value is a
//! fixed word of ours (`derived`, a signature's selector); anything a dump
//! wrote (Message-IDs, folder names) is decoded in Rust, because
//! PostgreSQL refuses to turn an escaped NUL into text.

use std::collections::{HashMap, HashSet};

use leakcheck_core::{CheckId, DocMeta, EmailMeta, Finding, ItemId, KeyOrigin, KeyRecord, Verdict};
use leakcheck_store::{
    EmailLink, Error, KEYS_SQL, OcrLayer, OcrPageRow, Result, Stats, TextRow, VerifyCatalog,
    doc_meta, email_meta, parse_id,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use serde::Deserialize;

use crate::PgCatalog;
use crate::catalog::{BUMP_CATALOG, BUMP_GENERATION, text};
use crate::error::describe;

fn db(e: postgres::Error) -> Error {
    Error::Team(describe(&e))
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(what.to_string())
}

fn finding(check: &str, verdict: &str, summary: String, evidence: &str) -> Result<Finding> {
    Ok(Finding {
        check: CheckId::parse(check).ok_or_else(|| corrupt(format!("check {check:?}")))?,
        verdict: Verdict::parse(verdict).ok_or_else(|| corrupt(format!("verdict {verdict:?}")))?,
        summary,
        evidence: serde_json::from_str(evidence).map_err(corrupt)?,
    })
}

fn verdict(v: &str) -> Result<Verdict> {
    Verdict::parse(v).ok_or_else(|| corrupt(format!("verdict {v:?}")))
}

fn ids(rows: Vec<postgres::Row>) -> Result<Vec<ItemId>> {
    rows.iter().map(|r| parse_id(r.get(0))).collect()
}

/// Rows of (item, meta) as emails.
fn emails(rows: &[postgres::Row]) -> Result<Vec<(ItemId, EmailMeta)>> {
    rows.iter()
        .map(|r| {
            let id: &str = r.get(0);
            Ok((parse_id(id)?, email_meta(id, r.get(1))?))
        })
        .collect()
}

fn after(after: Option<&ItemId>) -> &str {
    after.map_or("", |a| a.as_str())
}

/// The threading fields of an email's stored fields, decoded as the
/// embedded catalog's `json_extract` reads them.
#[derive(Deserialize)]
struct Link {
    message_id: Option<String>,
    #[serde(default)]
    in_reply_to: Option<Vec<String>>,
}

/// A field of an occurrence's `extra` as text, when it is a string (the
/// column holds JSON, `->` hands over the field as JSON text).
fn extra_text(json: Option<String>) -> Option<String> {
    match serde_json::from_str(json.as_deref()?) {
        Ok(serde_json::Value::String(s)) => Some(s),
        Ok(serde_json::Value::Null) | Err(_) => None,
        Ok(other) => Some(other.to_string()),
    }
}

impl PgCatalog {
    fn rows(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<postgres::Row>> {
        self.client.query(sql, params).map_err(db)
    }

    /// Adds DKIM keys as the embedded catalog's `add_keys` does: a key
    /// already there (by name and value) is kept as first recorded, except
    /// that an archive window or a private-key publication date it lacked
    /// is filled in; a recovered key goes to its own table. Returns how
    /// many were new.
    pub fn add_keys(&mut self, keys: &[KeyRecord]) -> crate::Result<usize> {
        let mut tx = self.client.transaction()?;
        let mut added = 0;
        for k in keys {
            added += match k.origin {
                KeyOrigin::Imported => {
                    let n = tx.execute(
                        "INSERT INTO dkim_keys (name, txt, source, obtained, added_by, added_at,
                                                first_seen, last_seen, private_published)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                         ON CONFLICT (name, txt) DO NOTHING",
                        &[
                            &k.name,
                            &k.txt,
                            &k.source,
                            &k.obtained,
                            &k.added_by,
                            &k.added_at,
                            &k.first_seen,
                            &k.last_seen,
                            &k.private_published,
                        ],
                    )?;
                    tx.execute(
                        "UPDATE dkim_keys SET first_seen = coalesce(first_seen, $3),
                                last_seen = coalesce(last_seen, $4),
                                private_published = coalesce(private_published, $5)
                         WHERE name = $1 AND txt = $2",
                        &[
                            &k.name,
                            &k.txt,
                            &k.first_seen,
                            &k.last_seen,
                            &k.private_published,
                        ],
                    )?;
                    n
                }
                KeyOrigin::Recovered => tx.execute(
                    "INSERT INTO recovered_keys (name, txt, source, added_by, added_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, txt) DO NOTHING",
                    &[&k.name, &k.txt, &k.source, &k.added_by, &k.added_at],
                )?,
            } as usize;
        }
        // A replica follows the keys too (the embedded catalog's keys
        // change no search state, so the search generation stays).
        tx.execute(BUMP_CATALOG, &[])?;
        tx.commit()?;
        Ok(added)
    }

    pub(crate) fn count(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let row = self.client.query_one(sql, params).map_err(db)?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    pub(crate) fn ocr_layer_of(&mut self, id: &str) -> Result<Option<OcrLayer>> {
        let Some(head) = self
            .client
            .query_opt(
                "SELECT status, engine, languages, seconds, detail FROM ocr_items WHERE item = $1",
                &[&id],
            )
            .map_err(db)?
        else {
            return Ok(None);
        };
        let pages = self
            .rows(
                "SELECT page, text, confidence, words, embedded, error FROM ocr_pages
                 WHERE item = $1 ORDER BY page",
                &[&id],
            )?
            .iter()
            .map(|r| OcrPageRow {
                page: r.get::<_, i64>(0) as u32,
                text: r.get(1),
                confidence: r.get::<_, Option<f64>>(2).map(|c| c as f32),
                words: r.get::<_, i64>(3) as u32,
                embedded: r.get(4),
                error: r.get(5),
            })
            .collect();
        Ok(Some(OcrLayer {
            status: head.get(0),
            engine: head.get(1),
            languages: head.get(2),
            seconds: head.get(3),
            detail: head
                .get::<_, Option<String>>(4)
                .and_then(|d| serde_json::from_str(&d).ok()),
            pages,
        }))
    }

    /// Rolls back the pass begun when `r` failed (the connection stays usable).
    fn or_rollback<T>(&mut self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.client.batch_execute("ROLLBACK").map_err(db)?;
        }
        r
    }
}

impl VerifyCatalog for PgCatalog {
    fn stats(&mut self) -> Result<Stats> {
        PgCatalog::stats(self).map_err(|e| Error::Team(e.to_string()))
    }

    fn keys(&mut self) -> Result<Vec<KeyRecord>> {
        let rows = self.rows(KEYS_SQL, &[])?;
        Ok(rows
            .iter()
            .map(|r| KeyRecord {
                name: r.get(0),
                txt: r.get(1),
                source: r.get(2),
                obtained: r.get(3),
                added_by: r.get(4),
                added_at: r.get(5),
                first_seen: r.get(6),
                last_seen: r.get(7),
                private_published: r.get(8),
                origin: if r.get::<_, i32>(9) == 1 {
                    KeyOrigin::Recovered
                } else {
                    KeyOrigin::Imported
                },
            })
            .collect())
    }

    fn ocr_stamp(&mut self) -> Result<[u64; 2]> {
        let r = self
            .client
            .query_one(
                "SELECT (SELECT count(*) FROM ocr_items),
                        (SELECT coalesce(sum(char_length(text)), 0)::bigint FROM ocr_pages)",
                &[],
            )
            .map_err(db)?;
        Ok([r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64])
    }

    fn ocr_with_embedded(&mut self) -> Result<Vec<(ItemId, OcrLayer)>> {
        let rows = self.rows(
            "SELECT DISTINCT item FROM ocr_pages WHERE embedded IS NOT NULL ORDER BY item",
            &[],
        )?;
        let mut out = Vec::new();
        for id in ids(rows)? {
            if let Some(layer) = self.ocr_layer_of(id.as_str())? {
                out.push((id, layer));
            }
        }
        Ok(out)
    }

    fn verify_state(&mut self) -> Result<Option<String>> {
        let row = self
            .client
            .query_opt("SELECT value FROM meta WHERE key = 'verify_state'", &[])
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn items_without_verdict(&mut self) -> Result<Vec<(ItemId, bool)>> {
        let rows = self.rows(
            "SELECT i.id, EXISTS(SELECT 1 FROM emails e WHERE e.item = i.id) FROM items i
                 WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item = i.id) ORDER BY i.id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((parse_id(r.get(0))?, r.get(1))))
            .collect()
    }

    fn emails_signed_with(&mut self, names: &HashSet<String>) -> Result<Vec<ItemId>> {
        let rows = self.rows("SELECT DISTINCT f.item, lower(s ->> 'selector') || '._domainkey.' || lower(s ->> 'domain')
                 FROM findings f, json_array_elements(
                     CASE WHEN json_typeof(f.evidence::json -> 'signatures') = 'array'
                          THEN f.evidence::json -> 'signatures' ELSE '[]'::json END) s
                 WHERE f.check_id = 'email.dkim' ORDER BY f.item", &[])?;
        let mut out: Vec<ItemId> = Vec::new();
        for r in &rows {
            let name: Option<String> = r.get(1);
            if name.is_some_and(|n| names.contains(&n)) {
                let id = parse_id(r.get(0))?;
                if out.last() != Some(&id) {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    fn items_with_check(&mut self, check: CheckId) -> Result<Vec<ItemId>> {
        let rows = self.rows(
            "SELECT item FROM findings WHERE check_id = $1 ORDER BY item",
            &[&check.as_str()],
        )?;
        ids(rows)
    }

    fn verdict_counts(&mut self) -> Result<(Vec<(Verdict, u64)>, u64)> {
        let rows = self.rows(
            "SELECT verdict, count(*) FROM verdicts GROUP BY verdict ORDER BY verdict",
            &[],
        )?;
        let counts = rows
            .iter()
            .map(|r| Ok((verdict(r.get(0))?, r.get::<_, i64>(1) as u64)))
            .collect::<Result<_>>()?;
        let missing = self.count(
            "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item = i.id)",
            &[],
        )?;
        Ok((counts, missing))
    }

    fn items_judged(&mut self, verdict: Verdict, limit: usize) -> Result<Vec<ItemId>> {
        let rows = self.rows(
            "SELECT item FROM verdicts WHERE verdict = $1 ORDER BY item LIMIT $2",
            &[&verdict.as_str(), &(limit as i64)],
        )?;
        ids(rows)
    }

    fn email_count(&mut self) -> Result<u64> {
        self.count("SELECT count(*) FROM emails", &[])
    }

    fn signed_email_count(&mut self) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM findings WHERE check_id = 'email.dkim'
               AND CASE WHEN json_typeof(evidence::json -> 'signatures') = 'array'
                        THEN json_array_length(evidence::json -> 'signatures') ELSE 0 END > 0",
            &[],
        )
    }

    fn document_count(&mut self) -> Result<u64> {
        self.count("SELECT count(*) FROM documents", &[])
    }

    fn for_each_rebuilt_from_outlook(
        &mut self,
        mut each: impl FnMut(ItemId, serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        let mut rows = self
            .client
            .query_raw(
                "WITH RECURSIVE rebuilt(item, source, folder, container, inside) AS (
                    SELECT o.item, (o.extra::json -> 'source')::text, (o.extra::json -> 'folder')::text,
                           o.parent, NULL::text COLLATE \"C\"
                    FROM occurrences o
                    WHERE o.item IS NOT NULL AND o.extra::json ->> 'derived' = 'outlook'
                    UNION
                    SELECT o.item, r.source, r.folder, r.container, r.item
                    FROM occurrences o JOIN rebuilt r ON o.parent = r.item
                    JOIN emails e ON e.item = o.item
                 )
                 SELECT item, source, folder, container, inside FROM rebuilt r
                 WHERE NOT EXISTS (
                    SELECT 1 FROM occurrences o WHERE o.item = r.item
                      AND coalesce(o.extra::json ->> 'derived', '') <> 'outlook'
                      AND o.parent NOT IN (SELECT item FROM rebuilt))
                 ORDER BY item",
                std::iter::empty::<&str>(),
            )
            .map_err(db)?;
        // Of each item's rows, its origin is the least by the embedded
        // catalog's order, compared once the JSON fields are decoded.
        type Origin = (bool, String, Option<String>, Option<String>, Option<String>);
        let mut best: Option<(String, Origin)> = None;
        let mut emit = |(id, (_, container, folder, source, inside)): (String, Origin)| {
            let mut e = serde_json::json!({"source": source, "container": container});
            if let Some(f) = folder {
                e["folder"] = f.into();
            }
            if let Some(i) = inside {
                e["inside"] = i.into();
            }
            each(parse_id(&id)?, e)
        };
        while let Some(r) = rows.next().map_err(db)? {
            let id: String = r.get(0);
            let inside: Option<String> = r.get(4);
            let origin = (
                inside.is_some(),
                r.get(3),
                extra_text(r.get(2)),
                extra_text(r.get(1)),
                inside,
            );
            match &mut best {
                Some((b, o)) if *b == id => {
                    if origin < *o {
                        *o = origin;
                    }
                }
                _ => {
                    if let Some(done) = best.replace((id, origin)) {
                        emit(done)?;
                    }
                }
            }
        }
        best.map_or(Ok(()), emit)
    }

    fn emails_page(
        &mut self,
        after_id: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, EmailMeta)>> {
        let rows = self.rows(
            "SELECT item, meta FROM emails WHERE item > $1 ORDER BY item LIMIT $2",
            &[&after(after_id), &(limit as i64)],
        )?;
        emails(&rows)
    }

    fn emails_of(&mut self, of: &[ItemId]) -> Result<Vec<(ItemId, EmailMeta)>> {
        let wanted: Vec<&str> = of.iter().map(|i| i.as_str()).collect();
        let rows = self.rows(
            "SELECT item, meta FROM emails WHERE item = ANY($1::text[]) ORDER BY item",
            &[&wanted],
        )?;
        emails(&rows)
    }

    fn email(&mut self, id: &ItemId) -> Result<Option<EmailMeta>> {
        let row = self
            .client
            .query_opt("SELECT meta FROM emails WHERE item = $1", &[&id.as_str()])
            .map_err(db)?;
        row.map(|r| email_meta(id.as_str(), r.get(0))).transpose()
    }

    fn for_each_email_link(&mut self, mut each: impl FnMut(EmailLink) -> Result<()>) -> Result<()> {
        let mut rows = self
            .client
            .query_raw(
                "SELECT item, meta FROM emails ORDER BY item",
                std::iter::empty::<&str>(),
            )
            .map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let id: &str = r.get(0);
            let link: Link =
                serde_json::from_str(r.get(1)).map_err(|e| corrupt(format!("email {id}: {e}")))?;
            each((
                parse_id(id)?,
                link.message_id,
                link.in_reply_to.unwrap_or_default(),
            ))?;
        }
        Ok(())
    }

    fn documents_page(
        &mut self,
        after_id: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, DocMeta, bool)>> {
        let rows = self.rows(
            "SELECT d.item, d.meta, EXISTS(SELECT 1 FROM occurrences o WHERE o.item = d.item
                     AND coalesce(json_typeof(o.extra::json -> 'derived'), 'null') <> 'null')
                 FROM documents d WHERE d.item > $1 ORDER BY d.item LIMIT $2",
            &[&after(after_id), &(limit as i64)],
        )?;
        rows.iter()
            .map(|r| {
                let id: &str = r.get(0);
                Ok((parse_id(id)?, doc_meta(id, r.get(1))?, r.get(2)))
            })
            .collect()
    }

    fn items_page(
        &mut self,
        after_id: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, String, Vec<String>)>> {
        let rows = self.rows(
            "SELECT i.id, i.kind, ARRAY(SELECT o.display FROM occurrences o WHERE o.item = i.id)
                 FROM items i WHERE i.id > $1 ORDER BY i.id LIMIT $2",
            &[&after(after_id), &(limit as i64)],
        )?;
        rows.iter()
            .map(|r| {
                let mut paths: Vec<String> = r.get(2);
                paths.sort();
                Ok((parse_id(r.get(0))?, r.get(1), paths))
            })
            .collect()
    }

    fn places(&mut self, id: &ItemId) -> Result<Vec<String>> {
        let rows = self.rows(
            "SELECT display FROM occurrences WHERE item = $1",
            &[&id.as_str()],
        )?;
        let mut places: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        places.sort();
        Ok(places)
    }

    fn findings_between(
        &mut self,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<Vec<(ItemId, Finding)>> {
        let rows = self.rows(
            "SELECT item, check_id, verdict, summary, evidence FROM findings
                 WHERE item >= $1 AND item <= $2 ORDER BY item, check_id",
            &[&first.as_str(), &last.as_str()],
        )?;
        rows.iter()
            .map(|r| {
                let f = finding(r.get(1), r.get(2), r.get(3), r.get(4))?;
                Ok((parse_id(r.get(0))?, f))
            })
            .collect()
    }

    fn with_verdict_between(
        &mut self,
        verdict: Verdict,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<HashSet<ItemId>> {
        let rows = self.rows(
            "SELECT DISTINCT item FROM findings
                 WHERE item >= $1 AND item <= $2 AND verdict = $3",
            &[&first.as_str(), &last.as_str(), &verdict.as_str()],
        )?;
        Ok(ids(rows)?.into_iter().collect())
    }

    fn child_items(&mut self, id: &ItemId) -> Result<Vec<ItemId>> {
        let rows = self.rows(
            "SELECT DISTINCT item FROM occurrences WHERE parent = $1 AND item IS NOT NULL",
            &[&id.as_str()],
        )?;
        ids(rows)
    }

    fn document_text(&mut self, id: &ItemId) -> Result<Option<String>> {
        let row = self
            .client
            .query_opt(
                "SELECT text FROM documents WHERE item = $1",
                &[&id.as_str()],
            )
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn text_rows(&mut self, after_id: Option<&ItemId>, limit: usize) -> Result<Vec<TextRow>> {
        let rows = self.rows(
            "SELECT i.id, i.kind, i.size,
                   (SELECT display FROM occurrences o WHERE o.item = i.id
                    ORDER BY o.depth, o.parent, o.position LIMIT 1),
                   v.verdict, e.meta, d.text,
                   (SELECT string_agg(p.text, E'\\n\\f\\n' ORDER BY p.page) FROM ocr_pages p
                    WHERE p.item = i.id)
                 FROM items i
                 LEFT JOIN emails e ON e.item = i.id
                 LEFT JOIN documents d ON d.item = i.id
                 LEFT JOIN verdicts v ON v.item = i.id
                 WHERE i.id > $1 ORDER BY i.id LIMIT $2",
            &[&after(after_id), &(limit as i64)],
        )?;
        rows.iter()
            .map(|r| {
                TextRow::from_columns(
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    [r.get(5), r.get(6), r.get(7)],
                )
            })
            .collect()
    }

    /// Other passes wait: the tables are locked for writing until the
    /// pass ends (readers go on seeing the last pass's results).
    fn begin_verification(&mut self, keep: &[CheckId], redo: &[ItemId]) -> Result<()> {
        self.client
            .batch_execute(
                "BEGIN; LOCK TABLE findings, verdicts IN EXCLUSIVE MODE; DELETE FROM verdicts",
            )
            .map_err(db)?;
        let kept: Vec<&str> = keep.iter().map(|c| c.as_str()).collect();
        let redo: Vec<&str> = redo.iter().map(|i| i.as_str()).collect();
        let cleared = self
            .client
            .execute(
                "DELETE FROM findings WHERE NOT (check_id = ANY($1::text[])) OR item = ANY($2::text[])",
                &[&kept, &redo],
            )
            .map_err(db);
        self.or_rollback(cleared.map(drop))
    }

    fn add_findings(&mut self, findings: &[(ItemId, Finding)]) -> Result<()> {
        // One statement cannot upsert a row twice: the last of each
        // item and check is what applying them in order leaves.
        let mut last: HashMap<(&ItemId, CheckId), usize> = HashMap::new();
        for (i, (id, f)) in findings.iter().enumerate() {
            last.insert((id, f.check), i);
        }
        let (mut item, mut check, mut verdict, mut summary, mut evidence) =
            (vec![], vec![], vec![], vec![], vec![]);
        for (i, (id, f)) in findings.iter().enumerate() {
            if last[&(id, f.check)] != i {
                continue;
            }
            item.push(id.as_str());
            check.push(f.check.as_str());
            verdict.push(f.verdict.as_str());
            summary.push(text(&f.summary));
            evidence.push(f.evidence.to_string());
        }
        if item.is_empty() {
            return Ok(());
        }
        let added = self
            .client
            .execute(
                "INSERT INTO findings (item, check_id, verdict, summary, evidence)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                 ON CONFLICT (item, check_id) DO UPDATE SET verdict = excluded.verdict,
                   summary = excluded.summary, evidence = excluded.evidence",
                &[&item, &check, &verdict, &summary, &evidence],
            )
            .map_err(db);
        self.or_rollback(added.map(drop))
    }

    fn add_verdicts(&mut self, verdicts: &[(ItemId, Verdict)]) -> Result<()> {
        let item: Vec<&str> = verdicts.iter().map(|(i, _)| i.as_str()).collect();
        let verdict: Vec<&str> = verdicts.iter().map(|(_, v)| v.as_str()).collect();
        let added = self
            .client
            .execute(
                "INSERT INTO verdicts (item, verdict)
                 SELECT * FROM unnest($1::text[], $2::text[])
                 ON CONFLICT (item) DO UPDATE SET verdict = excluded.verdict",
                &[&item, &verdict],
            )
            .map_err(db);
        self.or_rollback(added.map(drop))
    }

    fn finish_verification(&mut self, state: &str) -> Result<()> {
        let done = self
            .client
            .execute(
                "INSERT INTO meta (key, value) VALUES ('verify_state', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&state],
            )
            .and_then(|_| self.client.execute(BUMP_GENERATION, &[]))
            .and_then(|_| self.client.batch_execute("COMMIT"))
            .map_err(db);
        self.or_rollback(done)
    }
}
