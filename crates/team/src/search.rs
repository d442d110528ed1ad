//! The search index's side of a team catalog: the rows it indexes, read as
//! the embedded catalog reads them (crates/store/src/search_rows.rs), and
//! what it holds: an item's indexed state is its verdict, flagging checks
//! and tags, as in the embedded catalog.

use leakcheck_core::{ItemId, Verdict};
use leakcheck_store::{
    BlobStore, Error, OcrLayer, Result, SearchCatalog, SearchRow, VerifyCatalog, doc_meta,
    email_meta, parse_id,
};

use crate::PgCatalog;
use crate::catalog::BUMP_GENERATION;
use crate::error::describe;

fn db(e: postgres::Error) -> Error {
    Error::Team(describe(&e))
}

/// One query for both: the stale rows after an id, or one item's.
const ROWS: &str = "WITH rows AS (
       SELECT i.id, i.kind, i.size,
         (SELECT display FROM occurrences o WHERE o.item = i.id
          ORDER BY o.depth, o.parent, o.position LIMIT 1) AS path,
         e.meta AS email, d.meta AS doc, d.text AS text, v.verdict,
         (SELECT string_agg(f.check_id, ',' ORDER BY f.check_id) FROM findings f
          WHERE f.item = i.id AND f.verdict IN ('authentic', 'altered', 'suspicious')) AS checks,
         (SELECT string_agg(t.tag, ',' ORDER BY t.tag) FROM tags t WHERE t.item = i.id) AS tags,
         s.state AS indexed, s.lang AS lang,
         (SELECT string_agg(p.text, E'\\n\\f\\n' ORDER BY p.page) FROM ocr_pages p
          WHERE p.item = i.id) AS ocr
       FROM items i
       LEFT JOIN emails e ON e.item = i.id
       LEFT JOIN documents d ON d.item = i.id
       LEFT JOIN verdicts v ON v.item = i.id
       LEFT JOIN search_indexed s ON s.item = i.id
       WHERE i.id > $3 AND ($4 = '' OR i.id = $4))
     SELECT id, kind, size, path, email, doc, text, verdict, checks, lang, ocr, tags FROM rows
     WHERE $1 OR indexed IS NULL
        OR indexed <> coalesce(verdict, '-') || '|' || coalesce(checks, '') || '|'
                      || coalesce(tags, '')
     ORDER BY id LIMIT $2";

impl PgCatalog {
    fn rows_where(
        &mut self,
        all: bool,
        after: Option<&ItemId>,
        only: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<SearchRow>> {
        let after = after.map_or("", |a| a.as_str());
        let only = only.map_or("", |a| a.as_str());
        let rows = self
            .client
            .query(ROWS, &[&all, &(limit as i64), &after, &only])
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let id: &str = r.get(0);
                let verdict = r
                    .get::<_, Option<&str>>(7)
                    .map(|v| {
                        Verdict::parse(v)
                            .ok_or_else(|| Error::Corrupt(format!("item {id}: verdict {v:?}")))
                    })
                    .transpose()?;
                let document = match r.get::<_, Option<&str>>(5) {
                    Some(m) => Some((
                        doc_meta(id, m)?,
                        r.get::<_, Option<String>>(6).unwrap_or_default(),
                    )),
                    None => None,
                };
                Ok(SearchRow {
                    id: parse_id(id)?,
                    kind: r.get(1),
                    size: r.get::<_, i64>(2) as u64,
                    path: r.get::<_, Option<String>>(3).unwrap_or_default(),
                    email: r
                        .get::<_, Option<&str>>(4)
                        .map(|m| email_meta(id, m))
                        .transpose()?,
                    document,
                    verdict,
                    checks: r
                        .get::<_, Option<&str>>(8)
                        .map(|c| c.split(',').map(String::from).collect())
                        .unwrap_or_default(),
                    tags: r
                        .get::<_, Option<&str>>(11)
                        .map(|c| c.split(',').map(String::from).collect())
                        .unwrap_or_default(),
                    lang: r.get(9),
                    ocr: r.get(10),
                })
            })
            .collect()
    }

    fn meta_number(&mut self, key: &str) -> Result<Option<i64>> {
        let row = self
            .client
            .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])
            .map_err(db)?;
        row.map(|r| {
            let v: &str = r.get(0);
            v.parse()
                .map_err(|_| Error::Corrupt(format!("{key} {v:?}")))
        })
        .transpose()
    }
}

impl SearchCatalog for PgCatalog {
    fn search_generation(&mut self) -> Result<(i64, Option<i64>)> {
        Ok((
            self.meta_number("search_generation")?.unwrap_or(0),
            self.meta_number("search_synced")?,
        ))
    }

    fn set_search_synced(&mut self, generation: i64) -> Result<()> {
        self.client
            .execute(
                "INSERT INTO meta (key, value) VALUES ('search_synced', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&generation.to_string()],
            )
            .map_err(db)?;
        Ok(())
    }

    fn item_count(&mut self) -> Result<u64> {
        self.count("SELECT count(*) FROM items", &[])
    }

    fn indexed_count(&mut self) -> Result<u64> {
        self.count("SELECT count(*) FROM search_indexed", &[])
    }

    fn clear_indexed(&mut self) -> Result<()> {
        let mut tx = self.client.transaction().map_err(db)?;
        tx.execute("DELETE FROM search_indexed", &[]).map_err(db)?;
        tx.execute(BUMP_GENERATION, &[]).map_err(db)?;
        tx.commit().map_err(db)
    }

    fn search_rows(
        &mut self,
        all: bool,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<SearchRow>> {
        self.rows_where(all, after, None, limit)
    }

    fn search_row(&mut self, id: &ItemId) -> Result<Option<SearchRow>> {
        Ok(self.rows_where(true, None, Some(id), 1)?.pop())
    }

    fn mark_indexed(&mut self, done: &[(ItemId, String, String)]) -> Result<()> {
        let mut cols: [Vec<&str>; 3] = Default::default();
        for (id, state, lang) in done {
            cols[0].push(id.as_str());
            cols[1].push(state);
            cols[2].push(lang);
        }
        self.client
            .execute(
                "INSERT INTO search_indexed (item, state, lang)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                 ON CONFLICT (item) DO UPDATE SET state = excluded.state, lang = excluded.lang",
                &[&cols[0], &cols[1], &cols[2]],
            )
            .map_err(db)?;
        Ok(())
    }

    fn hit_text(&mut self, blobs: &BlobStore, id: &ItemId, kind: &str) -> Result<Option<String>> {
        VerifyCatalog::item_text(self, blobs, id, kind)
    }

    fn ocr_layer(&mut self, id: &ItemId) -> Result<Option<OcrLayer>> {
        self.ocr_layer_of(id.as_str())
    }
}
