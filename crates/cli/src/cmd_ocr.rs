//! `leakcheck ocr`, the OCR pass ingest runs after its own, and the OCR
//! line of `stats`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use leakcheck_core::ItemId;
use leakcheck_core::sanitize::for_terminal;
use leakcheck_core::words::{count, noun};
use leakcheck_ingest::ocr::{self, OcrProgress, OcrSummary};
use leakcheck_store::{Case, OcrMode};
use leakcheck_team::copy::Bump;

use crate::cli::Output;
use crate::common::{json_line, open, readable, stdout, writing};

#[derive(Args, Debug)]
pub struct OcrArgs {
    /// The case folder.
    pub case: std::path::PathBuf,
    /// Pages read side by side (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    #[command(flatten)]
    pub out: Output,
}

/// The tables an OCR pass writes, with their keys.
const OCR_TABLES: &[(&str, &[&str])] =
    &[("ocr_items", &["item"]), ("ocr_pages", &["item", "page"])];

/// `leakcheck ocr CASE`: reads what waits, with progress and an ETA.
/// Exit 1 when OCR is unavailable or an item failed.
pub fn ocr_cmd(a: OcrArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let mut out = stdout();
    if case.settings.ocr.mode == OcrMode::Off {
        writeln!(
            out,
            "OCR is off for this case ([ocr] mode = \"off\" in case.toml)"
        )?;
        return Ok(0);
    }
    let show = !a.out.json && !a.out.quiet && std::io::stderr().is_terminal();
    // On a team case the pass runs on a replica of its own, and what it
    // read goes to the shared catalog at the end.
    let summary = match writing(case, OCR_TABLES, Bump::Catalog, |c| pass(c, a.jobs, show))? {
        Ok(s) => s,
        Err(why) => {
            writeln!(out, "{why}")?;
            print_waiting(&mut out, &readable(&a.case)?)?;
            out.flush()?;
            return Ok(1);
        }
    };
    crate::cmd_search::sync_index(&open(&a.case)?, show, false)?;
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"type": "ocr", "summary": summary}),
        )?;
    } else if !a.out.quiet {
        print_summary(&mut out, &summary)?;
    }
    out.flush()?;
    Ok(u8::from(summary.failed > 0))
}

/// Ingest's OCR pass: runs when the case wants it, the engine is there and
/// it is not left for `later`; otherwise says why and what waits (never an
/// error).
pub fn after_ingest(
    case: &Case,
    out: &mut impl Write,
    show: bool,
    quiet: bool,
    later: bool,
) -> Result<Option<OcrSummary>> {
    if case.settings.ocr.mode == OcrMode::Off {
        return Ok(None);
    }
    let outcome = if later {
        Err("OCR left for later (--ocr-later)".to_string())
    } else {
        pass(case, 0, show)?
    };
    match outcome {
        Ok(s) => {
            if !quiet && s.read + s.no_text + s.no_picture + s.failed > 0 {
                print_summary(out, &s)?;
            }
            Ok(Some(s))
        }
        Err(why) => {
            if !quiet {
                let w = case.catalog()?.ocr_waiting(&case.settings.ocr)?;
                if w.items > 0 {
                    writeln!(
                        out,
                        "{why}: {} {} for it (leakcheck ocr {})",
                        count(w.pages, "page", "pages"),
                        noun(w.pages, "waits", "wait"),
                        case.root().display()
                    )?;
                }
            }
            Ok(None)
        }
    }
}

/// One pass, or why OCR is unavailable.
fn pass(case: &Case, jobs: usize, show: bool) -> Result<std::result::Result<OcrSummary, String>> {
    let engine = match ocr::engine(&case.settings.ocr) {
        Ok(e) => e,
        Err(why) => return Ok(Err(why.to_string())),
    };
    let jobs = if jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        jobs
    };
    let progress = Arc::new(OcrProgress::default());
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = show.then(|| {
        let (p, stop) = (progress.clone(), stop.clone());
        std::thread::spawn(move || report(&p, &stop))
    });
    let summary = ocr::run(case, &engine, jobs, &progress)
        .with_context(|| format!("OCR in {}", case.root().display()));
    stop.store(true, Ordering::Relaxed);
    if let Some(t) = ticker {
        let _ = t.join();
    }
    Ok(Ok(summary?))
}

/// Pages done, rate and time left, on stderr, until `stop`.
fn report(p: &OcrProgress, stop: &AtomicBool) {
    let started = Instant::now();
    let mut err = std::io::stderr();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(500));
        let (done, total) = (
            p.pages_done.load(Ordering::Relaxed),
            p.pages_total.load(Ordering::Relaxed),
        );
        let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
        let eta = if rate > 0.0 {
            format!("{:.0} s left", total.saturating_sub(done) as f64 / rate)
        } else {
            "estimating".into()
        };
        let _ = write!(
            err,
            "\rOCR {done}/{total} pages · {rate:.2} pages/s · {eta}   "
        );
    }
    let _ = writeln!(err);
}

fn print_summary(out: &mut impl Write, s: &OcrSummary) -> Result<()> {
    writeln!(
        out,
        "OCR: {} read ({}), {} without text and {} of text alone skipped, {} failed, in {:.1}s",
        count(s.read, "item", "items"),
        count(s.pages, "page", "pages"),
        count(s.no_text, "image", "images"),
        count(s.no_picture, "PDF", "PDFs"),
        s.failed,
        s.seconds
    )?;
    Ok(())
}

/// The `stats` line: what OCR did and what waits, and how to get it.
pub fn print_waiting(out: &mut impl Write, case: &Case) -> Result<()> {
    let settings = &case.settings.ocr;
    if settings.mode == OcrMode::Off {
        return Ok(writeln!(out, "ocr          off (case.toml)")?);
    }
    let w = case.catalog()?.ocr_waiting(settings)?;
    let engine = match ocr::engine(settings) {
        Ok(e) => e.version,
        Err(why) => why.to_string(),
    };
    writeln!(
        out,
        "ocr          {:>10}  {} done, {} ({}) waiting · {engine}",
        w.done,
        noun(w.done, "item", "items"),
        count(w.items, "item", "items"),
        count(w.pages, "page", "pages")
    )?;
    Ok(())
}

/// `show`'s OCR block: labelled as OCR, with the engine, the languages and
/// the confidence, apart from the item's own text.
pub fn show_layer(out: &mut impl Write, case: &Case, id: &ItemId, full: bool) -> Result<()> {
    let Some(layer) = case.catalog()?.ocr_layer(id)? else {
        return Ok(());
    };
    let confidence = layer.confidence().map_or("no words".to_string(), |c| {
        format!("mean confidence {c:.0} %")
    });
    writeln!(
        out,
        "\nOCR text ({}, {}; {}, {confidence}; {:.1}s):",
        layer.status,
        layer.engine.as_deref().unwrap_or("-"),
        layer.languages.as_deref().unwrap_or("-"),
        layer.seconds
    )?;
    if let Some(d) = &layer.detail {
        writeln!(out, "  {}", for_terminal(&d.to_string()))?;
    }
    for p in &layer.pages {
        let conf = p.confidence.map_or("-".into(), |c| format!("{c:.0} %"));
        writeln!(
            out,
            "  page {} ({} words, confidence {conf}):",
            p.page, p.words
        )?;
        if let Some(e) = &p.error {
            writeln!(out, "    error: {}", for_terminal(e))?;
        }
        let lines: Vec<&str> = p.text.lines().filter(|l| !l.trim().is_empty()).collect();
        let shown = if full {
            lines.len()
        } else {
            lines.len().min(12)
        };
        for l in &lines[..shown] {
            writeln!(out, "    {}", for_terminal(l))?;
        }
        if shown < lines.len() {
            writeln!(out, "    … {} more lines (--full)", lines.len() - shown)?;
        }
    }
    Ok(())
}

/// The OCR layer as `show --json` gives it.
pub fn layer_json(catalog: &leakcheck_store::Catalog, id: &ItemId) -> Result<serde_json::Value> {
    Ok(match catalog.ocr_layer(id)? {
        None => serde_json::Value::Null,
        Some(l) => serde_json::json!({
            "status": l.status,
            "engine": l.engine,
            "languages": l.languages,
            "confidence": l.confidence(),
            "seconds": l.seconds,
            "detail": l.detail,
            "pages": l.pages.iter().map(|p| serde_json::json!({
                "page": p.page, "text": p.text, "confidence": p.confidence,
                "words": p.words, "embedded": p.embedded, "error": p.error,
            })).collect::<Vec<_>>(),
        }),
    })
}
