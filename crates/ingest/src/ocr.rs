//! The OCR pass: every item the case's `[ocr]` settings name and OCR has
//! not read yet, one item per core, each page in a child process with a
//! time limit. Each item is saved as soon as it is read, so a pass that is
//! stopped resumes where it stopped. It runs after ingest's own pass (pages
//! take seconds, where items take milliseconds) and as `leakcheck ocr`.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use leakcheck_core::{Record, Stage};
use leakcheck_extract::ocr::{self, Engine, Unavailable, render};
use leakcheck_store::{Case, OcrCandidate, OcrMode, OcrOutcome, OcrPageRow, OcrSettings};
use serde_json::json;

use crate::Result;

/// A TIFF may hold many pages (a fax); it is read in one engine call given
/// this many pages' time.
const TIFF_PAGES_TIME: u32 = 8;

/// Counters a progress display reads while the pass runs.
#[derive(Debug, Default)]
pub struct OcrProgress {
    /// Pages to read in this pass.
    pub pages_total: AtomicU64,
    /// Pages read (or given up) so far.
    pub pages_done: AtomicU64,
    /// Items finished.
    pub items_done: AtomicU64,
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct OcrSummary {
    /// Items read with text found (or none, but read).
    pub read: u64,
    /// Images whose pixels said they hold no text (no OCR call).
    pub no_text: u64,
    /// PDFs with their own text and no page-sized picture to compare it
    /// with (no OCR call).
    pub no_picture: u64,
    /// Items OCR could not read (each with its reason in the catalog).
    pub failed: u64,
    /// Pages through the engine.
    pub pages: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Finds the engine and checks it has the case's languages and that the
/// PDF renderer is there.
pub fn engine(settings: &OcrSettings) -> std::result::Result<Engine, Unavailable> {
    let engine = Engine::find()?;
    engine.check_languages(&settings.languages)?;
    if !render::available() {
        return Err(Unavailable("poppler's pdftoppm not found".into()));
    }
    Ok(engine)
}

/// Reads what waits for OCR in `case` with `engine`, on `workers` threads.
pub fn run(
    case: &Case,
    engine: &Engine,
    workers: usize,
    progress: &OcrProgress,
) -> Result<OcrSummary> {
    let started = Instant::now();
    let settings = &case.settings.ocr;
    let candidates = case.catalog()?.ocr_candidates(settings)?;
    progress.pages_total.store(
        candidates.iter().map(|c| u64::from(c.pages)).sum(),
        Ordering::Relaxed,
    );
    let (work_tx, work_rx) = crossbeam_channel::unbounded();
    for c in candidates {
        let _ = work_tx.send(c);
    }
    drop(work_tx);
    let (done_tx, done_rx) = crossbeam_channel::bounded::<(OcrCandidate, OcrOutcome)>(workers * 2);
    let mut catalog = case.catalog()?;
    let mut summary = OcrSummary::default();
    let saved: Result<()> = std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            let (rx, tx) = (work_rx.clone(), done_tx.clone());
            s.spawn(move || {
                for c in rx {
                    let outcome = read_item(case, engine, settings, &c, progress);
                    if tx.send((c, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        for (c, outcome) in done_rx {
            match outcome.status.as_str() {
                "read" => summary.read += 1,
                "no-text" => summary.no_text += 1,
                "no-picture" => summary.no_picture += 1,
                _ => summary.failed += 1,
            }
            summary.pages += outcome.pages.len() as u64;
            catalog.save_ocr(&c.id, &outcome)?;
            // An item OCR could not read is a problem of that item, listed
            // by `errors` with the others.
            if outcome.status == "failed" {
                let why = match &outcome.detail {
                    Some(d) => d["error"].as_str().unwrap_or_default().to_string(),
                    None => outcome
                        .pages
                        .iter()
                        .filter_map(|p| p.error.clone())
                        .next()
                        .unwrap_or_default(),
                };
                catalog.apply(&[Record::ItemError {
                    id: c.id.clone(),
                    stage: Stage::Parse,
                    reason: format!("OCR: {why}"),
                }])?;
            }
            progress.items_done.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    saved?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// One item: its outcome, never an error (a failure is its outcome).
fn read_item(
    case: &Case,
    engine: &Engine,
    settings: &OcrSettings,
    c: &OcrCandidate,
    progress: &OcrProgress,
) -> OcrOutcome {
    let started = Instant::now();
    let limit = Duration::from_secs(settings.page_seconds.max(1));
    let mut outcome = OcrOutcome {
        engine: Some(engine.version.clone()),
        languages: Some(settings.languages.join("+")),
        ..OcrOutcome::default()
    };
    let path = match case.blobs().local(&c.id) {
        Ok(p) => p,
        Err(e) => {
            outcome.status = "failed".into();
            outcome.detail = Some(json!({ "error": e.to_string() }));
            outcome.seconds = started.elapsed().as_secs_f64();
            return outcome;
        }
    };
    let result = if c.kind == "pdf" {
        read_pdf(engine, settings, &path, c, limit).map(|pages| (pages, None))
    } else {
        read_image(engine, settings, &path, &c.kind, limit)
    };
    progress
        .pages_done
        .fetch_add(u64::from(c.pages), Ordering::Relaxed);
    match result {
        Ok((pages, None)) => {
            outcome.status = if pages.is_empty() {
                "no-picture".into()
            } else if pages.iter().all(|p| p.error.is_some()) {
                "failed".into()
            } else {
                "read".into()
            };
            outcome.pages = pages;
        }
        Ok((_, Some(decision))) => {
            outcome.status = "no-text".into();
            outcome.detail = Some(decision);
        }
        Err(why) => {
            outcome.status = "failed".into();
            outcome.detail = Some(json!({ "error": why }));
        }
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome
}

/// An image: decided from its pixels (in `auto` mode), then read. The
/// decision's figures come back when it holds no text.
fn read_image(
    engine: &Engine,
    settings: &OcrSettings,
    path: &Path,
    kind: &str,
    limit: Duration,
) -> std::result::Result<(Vec<OcrPageRow>, Option<serde_json::Value>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading the stored image: {e}"))?;
    // Decoding here also refuses bombs before the engine sees them.
    let seen = ocr::carries_text(&bytes)?;
    let figures = json!({"split": seen.split, "ink": seen.ink, "edges": seen.edges});
    // A TIFF is read whatever its pixels: faxes are TIFFs.
    if settings.mode == OcrMode::Auto && !seen.text && kind != "tiff" {
        return Ok((Vec::new(), Some(figures)));
    }
    let limit = if kind == "tiff" {
        limit * TIFF_PAGES_TIME
    } else {
        limit
    };
    let pages = engine
        .read(path, &settings.languages, limit)
        .map_err(|e| e.to_string())?;
    Ok((
        pages
            .into_iter()
            .enumerate()
            .map(|(i, p)| row(i as u32 + 1, p))
            .collect(),
        None,
    ))
}

/// A PDF: each page rendered, then read; a page that fails is recorded as
/// such and the next is read. Pages of a PDF with its own text keep that
/// text beside what OCR read, for `doc.text-layer`.
fn read_pdf(
    engine: &Engine,
    settings: &OcrSettings,
    path: &Path,
    c: &OcrCandidate,
    limit: Duration,
) -> std::result::Result<Vec<OcrPageRow>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let mut out = Vec::new();
    for page in 1..=c.pages {
        // A page with its own text is compared with what it shows only
        // where it shows a picture that could hold text: a page of text
        // alone says what its layer says (mode `all` reads every page).
        if !c.scanned && settings.mode == OcrMode::Auto {
            match render::has_large_picture(path, page, limit) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    out.push(OcrPageRow {
                        page,
                        error: Some(e.to_string()),
                        ..OcrPageRow::default()
                    });
                    continue;
                }
            }
        }
        let read = render::render_page(path, page, dir.path(), limit).and_then(|picture| {
            let pages = engine.read(&picture, &settings.languages, limit);
            let _ = std::fs::remove_file(&picture);
            pages
        });
        let mut r = match read {
            Ok(pages) => row(page, pages.into_iter().next().unwrap_or_default()),
            Err(e) => OcrPageRow {
                page,
                error: Some(e.to_string()),
                ..OcrPageRow::default()
            },
        };
        if !c.scanned {
            match render::page_text(path, page, limit) {
                Ok(t) => r.embedded = Some(t),
                Err(e) => {
                    r.error.get_or_insert(e.to_string());
                }
            }
        }
        out.push(r);
    }
    Ok(out)
}

fn row(page: u32, p: ocr::Page) -> OcrPageRow {
    OcrPageRow {
        page,
        text: p.text,
        confidence: p.confidence,
        words: p.words,
        embedded: None,
        error: None,
    }
}
