//! `report`, `export` and `redact`: the case's verdicts in forms others can
//! check and load, and copies with personal data taken out.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use leakcheck_core::words::count;
use leakcheck_core::{ItemId, Verdict};
use leakcheck_publish::Format;
use leakcheck_search::SearchIndex;
use leakcheck_store::{Case, Catalog};

use crate::cli::Output;
use crate::common::{json_line, readable, stdout};
use crate::progress;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Items to report: an item id (or a unique prefix of at least 6 hex
    /// digits) or a search query (every item it matches; see `leakcheck
    /// search --help`), any number of each.
    #[arg(value_name = "ID|QUERY")]
    pub select: Vec<String>,
    /// Also report every item with this verdict (repeat, or separate by
    /// commas: `--verdict altered,authentic`).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub verdict: Vec<VerdictArg>,
    /// The report's folder: created, or an earlier report replaced.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Leave the originals out (the report then cannot be re-checked
    /// until they are put back in `originals/`).
    #[arg(long)]
    pub no_originals: bool,
    /// Items reported at most: a guard against a query that matches the
    /// whole dump.
    #[arg(long, default_value_t = 5_000)]
    pub max_items: usize,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Export only the items this search query matches (default: all).
    #[arg(long, value_name = "QUERY")]
    pub query: Option<String>,
    /// `jsonl`: an object per item with its findings and their evidence;
    /// `csv`: a row per item (cells a spreadsheet would run as formulas
    /// stay text); `ftm`: FollowTheMoney entities, one per line, for
    /// OCCRP Aleph (`alephclient write-entities`) or `ftm` tools.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The file to write (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub output: Output,
}

#[derive(Args, Debug)]
pub struct RedactArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Items to redact: ids (or unique prefixes of at least 6 hex digits)
    /// or search queries, as for `leakcheck report`.
    #[arg(value_name = "ID|QUERY")]
    pub select: Vec<String>,
    /// Also every item with this verdict (repeat, or separate by commas).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub verdict: Vec<VerdictArg>,
    /// The folder for the redacted copies and the log.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Private persons whose names are redacted: one name per line (`#`
    /// starts a comment). The list is the user's to review: public figures
    /// stay named.
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,
    /// Exact strings never redacted, one per line: a press office's phone,
    /// a spokesperson's public address.
    #[arg(long, value_name = "FILE")]
    pub keep: Option<PathBuf>,
    /// Items redacted at most.
    #[arg(long, default_value_t = 5_000)]
    pub max_items: usize,
    /// Write only items whose every detection was reviewed in the
    /// workbench (accepted or rejected); the others are listed, not
    /// written. Without it, a detection nobody reviewed is redacted and
    /// logged as `"review": "automatic"`.
    #[arg(long)]
    pub reviewed_only: bool,
    #[command(flatten)]
    pub output: Output,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Jsonl,
    Csv,
    Ftm,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictArg {
    Authentic,
    Altered,
    Suspicious,
    Consistent,
    Unverifiable,
}

impl VerdictArg {
    fn verdict(self) -> Verdict {
        match self {
            VerdictArg::Authentic => Verdict::Authentic,
            VerdictArg::Altered => Verdict::Altered,
            VerdictArg::Suspicious => Verdict::Suspicious,
            VerdictArg::Consistent => Verdict::Consistent,
            VerdictArg::Unverifiable => Verdict::Unverifiable,
        }
    }
}

/// `leakcheck report`: exit 0, or 2 on an error (named).
pub fn report(a: ReportArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let catalog = case.catalog()?;
    let ids = choose(&case, &catalog, &a.select, &a.verdict)?;
    if ids.len() > a.max_items {
        bail!(
            "{} chosen, more than --max-items {}: narrow the choice or raise the limit",
            count(ids.len() as u64, "item", "items"),
            a.max_items
        );
    }
    let show = !a.output.json && !a.output.quiet && std::io::stderr().is_terminal();
    let done = AtomicU64::new(0);
    let stats = progress::counted(show, "items", ids.len() as u64, &done, || {
        leakcheck_publish::write_report(&case, &catalog, &ids, &a.out, !a.no_originals, |n| {
            done.store(n, Ordering::Relaxed)
        })
    })
    .with_context(|| format!("writing the report into {}", a.out.display()))?;
    let mut out = stdout();
    if a.output.json {
        json_line(&mut out, &stats)?;
    } else if !a.output.quiet {
        writeln!(
            out,
            "report of {} ({}) written to {}\n  open {}\n  re-check without leakcheck: cd {} && python3 recheck.py   ({}, {}, {})",
            count(stats.items, "item", "items"),
            listed(&stats.by_verdict, |v, n| format!("{n} {v}"))
                .unwrap_or_else(|| "none chosen: the case report alone".into()),
            a.out.display(),
            a.out.join("index.html").display(),
            a.out.display(),
            count(stats.signatures, "DKIM signature", "DKIM signatures"),
            count(stats.originals, "original", "originals"),
            count(stats.keys, "key", "keys")
        )?;
    }
    Ok(0)
}

/// The items named by ids, queries and verdicts, each once, in id order.
fn choose(
    case: &Case,
    catalog: &Catalog,
    select: &[String],
    verdicts: &[VerdictArg],
) -> Result<Vec<ItemId>> {
    let mut ids: Vec<ItemId> = Vec::new();
    let mut queries = Vec::new();
    for s in select {
        let hex = s.len() >= 6 && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        match hex.then(|| catalog.resolve(&s.to_ascii_lowercase())) {
            Some(Ok(id)) => ids.push(id),
            _ => queries.push(s.as_str()),
        }
    }
    if !queries.is_empty() {
        crate::cmd_search::sync_index(case, false, false)?;
        let idx = SearchIndex::of_case(case)?;
        for q in queries {
            let (found, notes) = leakcheck_search::matching(&idx, q)
                .with_context(|| format!("searching for {q:?}"))?;
            for n in notes {
                eprintln!("note: {q:?}: {n}");
            }
            ids.extend(found);
        }
    }
    for v in verdicts {
        ids.extend(catalog.items_judged(v.verdict(), usize::MAX >> 1)?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Counts by label, each as `each` words it, comma separated; `None` when
/// there are none.
fn listed(
    counts: &std::collections::BTreeMap<String, u64>,
    each: impl Fn(&str, u64) -> String,
) -> Option<String> {
    (!counts.is_empty()).then(|| {
        counts
            .iter()
            .map(|(label, n)| each(label, *n))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Lines of a list file: trimmed, without blanks and `#` comments.
fn list_file(path: &Option<PathBuf>) -> Result<Vec<String>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// `leakcheck redact`: exit 0, or 2 on an error (named).
pub fn redact(a: RedactArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let catalog = case.catalog()?;
    let ids = choose(&case, &catalog, &a.select, &a.verdict)?;
    if ids.is_empty() {
        bail!("nothing chosen: give ids, a query or --verdict");
    }
    if ids.len() > a.max_items {
        bail!(
            "{} chosen, more than --max-items {}",
            count(ids.len() as u64, "item", "items"),
            a.max_items
        );
    }
    let rules = leakcheck_redact::Rules {
        names: list_file(&a.names)?,
        keep: list_file(&a.keep)?,
    };
    let detector = leakcheck_redact::Detector::new(&rules)
        .with_context(|| format!("the names in {:?}", a.names))?;
    let operator = crate::common::operator().unwrap_or_else(|| "unknown operator".into());
    let stats = leakcheck_publish::write_redacted(
        &catalog,
        case.blobs(),
        &ids,
        &detector,
        &operator,
        a.reviewed_only,
        &a.out,
    )
    .with_context(|| format!("writing redacted copies into {}", a.out.display()))?;
    let mut out = stdout();
    if a.output.json {
        json_line(&mut out, &stats)?;
    } else if !a.output.quiet {
        writeln!(
            out,
            "{} redacted ({}: {}) into {}\n  log of every span: {}",
            count(stats.items, "item", "items"),
            count(stats.spans, "span", "spans"),
            listed(&stats.by_rule, |r, n| format!("{r} {n}"))
                .unwrap_or_else(|| "none found".into()),
            a.out.display(),
            a.out.join("redaction-log.jsonl").display()
        )?;
        writeln!(
            out,
            "  review in the workbench: {} not reviewed (redacted), {} rejected (left), {} marked by hand{}",
            count(stats.unreviewed, "detection", "detections"),
            stats.rejected,
            stats.manual,
            if stats.stale > 0 {
                format!(
                    "; {} no longer fit the text, not applied",
                    count(stats.stale, "decision", "decisions")
                )
            } else {
                String::new()
            }
        )?;
        if stats.pdfs > 0 {
            writeln!(
                out,
                "  {} as pictures of their {} with the values painted black (no text layer, no metadata)",
                count(stats.pdfs, "PDF", "PDFs"),
                count(stats.pdf_pages, "page", "pages"),
            )?;
        }
        for (id, why) in &stats.blacked_out {
            writeln!(out, "  painted black whole: {} {why}", &id[..12])?;
        }
        for (id, why) in &stats.not_rendered {
            writeln!(out, "  not rendered: {} {why}", &id[..12])?;
        }
    }
    Ok(0)
}

/// `leakcheck export`: exit 0, or 2 on an error (named).
pub fn export(a: ExportArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let catalog = case.catalog()?;
    let only: Option<HashSet<ItemId>> = match &a.query {
        Some(q) => {
            crate::cmd_search::sync_index(&case, false, false)?;
            let idx = SearchIndex::of_case(&case)?;
            let (ids, notes) = leakcheck_search::matching(&idx, q)
                .with_context(|| format!("searching for {q:?}"))?;
            for n in notes {
                eprintln!("note: {n}");
            }
            Some(ids.into_iter().collect())
        }
        None => None,
    };
    let format = match a.format {
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
        FormatArg::Ftm => Format::Ftm,
    };
    let stats = match &a.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            leakcheck_publish::export(&catalog, only.as_ref(), format, &mut w)
                .with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut w = stdout();
            leakcheck_publish::export(&catalog, only.as_ref(), format, &mut w)
                .context("writing the export to standard output")?
        }
    };
    // The export may be on standard output: the summary goes to stderr,
    // or as JSON to stdout only when the export went to a file.
    if a.output.json && a.out.is_some() {
        json_line(&mut stdout(), &stats)?;
    } else if !a.output.quiet {
        eprintln!(
            "exported {} ({}) as {}{}",
            count(stats.items, "item", "items"),
            listed(&stats.by_verdict, |v, n| format!("{n} {v}")).unwrap_or_default(),
            count(stats.records, "record", "records"),
            a.out
                .as_ref()
                .map(|p| format!(" to {}", p.display()))
                .unwrap_or_default()
        );
    }
    Ok(0)
}
