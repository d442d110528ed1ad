//! The OCR layer in the catalog: what waits for OCR, what it read, and the
//! text it gives search, near-copies and `doc.text-layer`. OCR text is kept
//! in its own tables, never mixed into a document's own text.

use leakcheck_core::ItemId;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::case::{OcrMode, OcrSettings};
use crate::catalog::{Catalog, parse_id};
use crate::error::Result;
use crate::search_rows::bump_search_generation;

/// Image kinds OCR may read.
pub const IMAGE_KINDS: &str = "'jpeg', 'png', 'tiff', 'bmp', 'webp', 'gif'";

/// A PDF whose text layer has fewer letters than this per page has no
/// usable text layer (a scanner's PDF has none, or a few stray marks).
pub const SCANNED_CHARS_PER_PAGE: u64 = 25;

/// One item waiting for OCR.
#[derive(Clone, Debug, PartialEq)]
pub struct OcrCandidate {
    /// The item.
    pub id: ItemId,
    /// Its kind (`pdf` or an image kind).
    pub kind: String,
    /// Pages to read (1 for an image; a TIFF gives what it holds).
    pub pages: u32,
    /// A PDF without a usable text layer (its pages are read for their
    /// text, not only compared with it).
    pub scanned: bool,
}

/// One page as OCR read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OcrPageRow {
    /// From 1.
    pub page: u32,
    /// The engine's text.
    pub text: String,
    /// Mean word confidence, 0–100.
    pub confidence: Option<f32>,
    /// Words read.
    pub words: u32,
    /// A PDF page's own text layer, when it has one.
    pub embedded: Option<String>,
    /// Why this page could not be read.
    pub error: Option<String>,
}

/// What OCR did with one item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OcrOutcome {
    /// `read`, `no-text` (an image whose pixels hold no text), `no-picture`
    /// (a PDF with its own text and no page-sized picture) or `failed`.
    pub status: String,
    /// The engine and its version.
    pub engine: Option<String>,
    /// The languages asked for (`fra+eng`).
    pub languages: Option<String>,
    /// Time spent on the item.
    pub seconds: f64,
    /// The image decision's figures, or why the item failed.
    pub detail: Option<Value>,
    /// The pages read.
    pub pages: Vec<OcrPageRow>,
}

/// An item's OCR layer, as `show` and the workbench present it.
pub type OcrLayer = OcrOutcome;

impl OcrOutcome {
    /// The pages' text, pages separated by a form feed.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self.pages.iter().map(|p| p.text.as_str()).collect();
        texts.join("\n\u{c}\n")
    }

    /// Mean confidence over the words of every page.
    pub fn confidence(&self) -> Option<f32> {
        let (sum, n) = self
            .pages
            .iter()
            .fold((0.0f64, 0u32), |(s, n), p| match p.confidence {
                Some(c) => (s + f64::from(c) * f64::from(p.words), n + p.words),
                None => (s, n),
            });
        (n > 0).then(|| (sum / f64::from(n)) as f32)
    }
}

/// What waits for OCR.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OcrWaiting {
    /// Items not OCR'd yet.
    pub items: u64,
    /// Their pages (images count one).
    pub pages: u64,
    /// Items OCR'd (read, no text, or failed).
    pub done: u64,
}

impl Catalog {
    /// Items the settings say OCR should read and that it has not, in id
    /// order.
    pub fn ocr_candidates(&self, settings: &OcrSettings) -> Result<Vec<OcrCandidate>> {
        if settings.mode == OcrMode::Off {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT i.id, i.kind, json_extract(d.meta, '$.pages'),
                    coalesce(json_extract(d.meta, '$.text_chars'), 0)
             FROM items i LEFT JOIN documents d ON d.item = i.id
             WHERE (i.kind = 'pdf' OR i.kind IN ({IMAGE_KINDS}))
               AND NOT EXISTS (SELECT 1 FROM ocr_items x WHERE x.item = i.id)
               AND NOT EXISTS (SELECT 1 FROM occurrences o WHERE o.item = i.id
                               AND json_extract(o.extra, '$.derived') IS NOT NULL)
             ORDER BY i.id"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, pages, chars) = row?;
            let id = parse_id(&id)?;
            if kind != "pdf" {
                out.push(OcrCandidate {
                    id,
                    kind,
                    pages: 1,
                    scanned: true,
                });
                continue;
            }
            let total = pages.unwrap_or(1).max(1) as u64;
            let scanned = (chars.max(0) as u64) < SCANNED_CHARS_PER_PAGE * total;
            let wanted = match (settings.mode, scanned) {
                (OcrMode::All, _) | (_, true) => settings.max_pages,
                _ => settings.check_pages,
            };
            let pages = total.min(u64::from(wanted)) as u32;
            if pages > 0 {
                out.push(OcrCandidate {
                    id,
                    kind,
                    pages,
                    scanned,
                });
            }
        }
        Ok(out)
    }

    /// Counts for `stats`: what waits, and what is done.
    pub fn ocr_waiting(&self, settings: &OcrSettings) -> Result<OcrWaiting> {
        let waiting = self.ocr_candidates(settings)?;
        let done: i64 = self
            .conn
            .query_row("SELECT count(*) FROM ocr_items", [], |r| r.get(0))?;
        Ok(OcrWaiting {
            items: waiting.len() as u64,
            pages: waiting.iter().map(|c| u64::from(c.pages)).sum(),
            done: done as u64,
        })
    }

    /// Records what OCR did with `id`, replacing what it did before, and
    /// has the search index read the item again.
    pub fn save_ocr(&mut self, id: &ItemId, outcome: &OcrOutcome) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM ocr_pages WHERE item = ?1", [id.as_str()])?;
        tx.execute(
            "INSERT OR REPLACE INTO ocr_items (item, status, engine, languages, seconds, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id.as_str(),
                outcome.status,
                outcome.engine,
                outcome.languages,
                outcome.seconds,
                outcome.detail.as_ref().map(Value::to_string),
            ],
        )?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO ocr_pages (item, page, text, confidence, words, embedded, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for p in &outcome.pages {
                stmt.execute(params![
                    id.as_str(),
                    p.page,
                    p.text,
                    p.confidence.map(f64::from),
                    p.words,
                    p.embedded,
                    p.error
                ])?;
            }
        }
        tx.execute("DELETE FROM search_indexed WHERE item = ?1", [id.as_str()])?;
        bump_search_generation(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// An item's OCR layer, if OCR has looked at it.
    pub fn ocr_layer(&self, id: &ItemId) -> Result<Option<OcrLayer>> {
        let head = self
            .conn
            .query_row(
                "SELECT status, engine, languages, seconds, detail FROM ocr_items WHERE item = ?1",
                [id.as_str()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, f64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((status, engine, languages, seconds, detail)) = head else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT page, text, confidence, words, embedded, error FROM ocr_pages
             WHERE item = ?1 ORDER BY page",
        )?;
        let pages = stmt
            .query_map([id.as_str()], |r| {
                Ok(OcrPageRow {
                    page: r.get(0)?,
                    text: r.get(1)?,
                    confidence: r.get::<_, Option<f64>>(2)?.map(|c| c as f32),
                    words: r.get(3)?,
                    embedded: r.get(4)?,
                    error: r.get(5)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Some(OcrLayer {
            status,
            engine,
            languages,
            seconds,
            detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
            pages,
        }))
    }

    /// Items with an OCR outcome and characters of OCR text: what changes
    /// when OCR runs, for `verify` to notice.
    pub fn ocr_stamp(&self) -> Result<[u64; 2]> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM ocr_items),
                    (SELECT COALESCE(SUM(LENGTH(text)), 0) FROM ocr_pages)",
            [],
            |r| Ok([r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64]),
        )?)
    }

    /// Every item with OCR'd pages that also carry their own text layer:
    /// what `doc.text-layer` compares.
    pub fn ocr_with_embedded(&self) -> Result<Vec<(ItemId, OcrLayer)>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT item FROM ocr_pages WHERE embedded IS NOT NULL ORDER BY item",
        )?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            let id = parse_id(&id)?;
            if let Some(layer) = self.ocr_layer(&id)? {
                out.push((id, layer));
            }
        }
        Ok(out)
    }
}
