//! `search`, `reindex`, and the index sync that verify and the readers run.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::AtomicU64;

use anyhow::{Context, Result, bail};
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_core::words::count;
use leakcheck_search::{Page, SearchIndex, SearchResult, Sort, SyncStats};
use leakcheck_store::Case;
use leakcheck_team::PgCatalog;

use crate::cli::{CaseArgs, IndexArgs, SearchArgs, SortArg};
use crate::common::{json_line, open, stdout};
use crate::progress;

/// Brings the case's index up to date, with a spinner on a terminal. On
/// a team case the index is this machine's folder of the case, following
/// the shared catalog.
pub fn sync_index(case: &Case, show: bool, rebuild: bool) -> Result<SyncStats> {
    sync_with(case, &mut team_catalog(case)?, show, rebuild)
}

/// A team case's catalog; `None` for an embedded case, whose catalog the
/// search crate opens itself.
fn team_catalog(case: &Case) -> Result<Option<PgCatalog>> {
    case.settings
        .team
        .as_ref()
        .map(|_| crate::cmd_team::catalog(case))
        .transpose()
}

/// [`sync_index`] through `team`'s connection when the case is a team
/// case (see [`team_catalog`]).
fn sync_with(
    case: &Case,
    team: &mut Option<PgCatalog>,
    show: bool,
    rebuild: bool,
) -> Result<SyncStats> {
    let done = AtomicU64::new(0);
    let show = show && io::stderr().is_terminal();
    let stats = progress::spin(show, "items indexed", &done, || match (team, rebuild) {
        (Some(catalog), true) => leakcheck_search::rebuild_on(case, catalog, &done),
        (Some(catalog), false) => leakcheck_search::sync_on(case, catalog, &done),
        (None, true) => leakcheck_search::rebuild(case, &done),
        (None, false) => leakcheck_search::sync(case, &done),
    });
    stats.with_context(|| format!("indexing {}", case.root().join("index").display()))
}

/// The index as it stands, without bringing it up to date: what `ingest`
/// reports. The next command that reads the index (`verify`, `search`,
/// `serve`...) syncs it; `verify`, run next in the usual order, gives every
/// item its first verdict and so re-indexes all of them, which made indexing
/// in `ingest` too twice the work (25 s of 76 s on a 9 GB dump).
pub fn index_as_is(case: &Case) -> Result<SyncStats> {
    let idx = match team_catalog(case)? {
        Some(mut catalog) => SearchIndex::of_case_on(case, &mut catalog),
        None => SearchIndex::of_case(case),
    }
    .with_context(|| format!("opening {}", case.root().join("index").display()))?;
    Ok(SyncStats {
        indexed: 0,
        total: idx.index.reader()?.searcher().num_docs(),
    })
}

pub fn reindex(a: CaseArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let stats = sync_index(&case, !a.out.quiet && !a.out.json, true)?;
    let mut out = stdout();
    if a.out.json {
        json_line(&mut out, &stats)?;
    } else if !a.out.quiet {
        writeln!(out, "{} indexed", count(stats.total, "item", "items"))?;
    }
    Ok(0)
}

/// `leakcheck index`: one sync, or one every `--every` seconds until
/// stopped, on one connection to a team case's catalog. Following, a line
/// is printed for each sync that indexed something, and an error (the
/// database out of reach, say) does not end the loop: the connection is
/// opened again next round.
pub fn index(a: IndexArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let mut out = stdout();
    let mut team = None;
    loop {
        let show = !a.follow && !a.out.quiet && !a.out.json;
        let synced = (|| {
            if team.is_none() {
                team = team_catalog(&case)?;
            }
            sync_with(&case, &mut team, show, false)
        })();
        if synced.is_err() {
            team = None;
        }
        match synced {
            Ok(stats) if stats.indexed == 0 && a.follow => {}
            Ok(stats) if a.out.json => json_line(&mut out, &stats)?,
            Ok(stats) if !a.out.quiet => writeln!(
                out,
                "{} indexed; the index holds {}",
                count(stats.indexed, "item", "items"),
                stats.total
            )?,
            Ok(_) => {}
            Err(e) if a.follow => eprintln!("error: {e:#}"),
            Err(e) => return Err(e),
        }
        out.flush()?;
        if !a.follow {
            return Ok(0);
        }
        std::thread::sleep(std::time::Duration::from_secs(a.every));
    }
}

pub fn search(a: SearchArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let mut team = team_catalog(&case)?;
    sync_with(&case, &mut team, !a.out.quiet && !a.out.json, false)?;
    let idx = match &mut team {
        Some(catalog) => SearchIndex::of_case_on(&case, catalog)?,
        None => SearchIndex::of_case(&case)?,
    };
    let page = Page {
        limit: a.limit,
        offset: a.offset,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Newest => Sort::Newest,
            SortArg::Oldest => Sort::Oldest,
        },
    };
    let mut search = |q: &str| match &mut team {
        Some(catalog) => {
            let searcher = idx.index.reader()?.searcher();
            leakcheck_search::search_in(&case, catalog, &idx, &searcher, q, page)
        }
        None => leakcheck_search::search(&case, &idx, q, page),
    };
    let mut out = stdout();
    if let Some(batch) = &a.batch {
        let text = std::fs::read_to_string(batch)
            .with_context(|| format!("reading queries from {}", batch.display()))?;
        let mut any = false;
        if !a.out.json {
            writeln!(out, "query,total,first_hits,notes")?;
        }
        for q in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            // A query beyond the engine's limits gets its row with the
            // reason; the batch goes on.
            let r = match search(q) {
                Err(leakcheck_search::Error::Refused(why)) => {
                    if a.out.json {
                        let e = serde_json::json!({"query": q, "error": why.to_string()});
                        json_line(&mut out, &e)?;
                    } else {
                        let row = [q.to_string(), String::new(), String::new(), why.to_string()];
                        let row: Vec<String> = row.iter().map(|f| csv(f)).collect();
                        writeln!(out, "{}", row.join(","))?;
                    }
                    continue;
                }
                other => other.with_context(|| format!("searching {q:?}"))?,
            };
            any |= r.total > 0;
            if a.out.json {
                json_line(&mut out, &serde_json::json!({"query": q, "result": r}))?;
            } else {
                let ids: Vec<&str> = r.hits.iter().map(|h| &h.id[..12]).collect();
                let row = [
                    q.to_string(),
                    r.total.to_string(),
                    ids.join(" "),
                    r.notes.join("; "),
                ];
                let row: Vec<String> = row.iter().map(|f| csv(f)).collect();
                writeln!(out, "{}", row.join(","))?;
            }
        }
        out.flush()?;
        return Ok(if any { 0 } else { 1 });
    }
    let Some(query) = &a.query else {
        bail!("give a query, or --batch FILE with one query per line");
    };
    let r = search(query).with_context(|| format!("searching {}", case.root().display()))?;
    if a.out.json {
        json_line(&mut out, &r)?;
    } else if !a.out.quiet {
        print(&mut out, query, &r, page)?;
    }
    out.flush()?;
    Ok(if r.total > 0 { 0 } else { 1 })
}

fn print(out: &mut impl Write, query: &str, r: &SearchResult, page: Page) -> Result<()> {
    for n in &r.notes {
        writeln!(out, "note: {}", t(n))?;
    }
    writeln!(
        out,
        "{} {} ({:.1} ms)",
        count(r.total, "item matches", "items match"),
        t(&format!("{query:?}")),
        r.took_ms
    )?;
    for (i, h) in r.hits.iter().enumerate() {
        let date = h.date.as_deref().map_or("          ", |d| &d[..10]);
        writeln!(
            out,
            "\n{:>3}. {}  {:<6} {}  {}  [{}]",
            page.offset + i + 1,
            &h.id[..12],
            h.kind,
            date,
            t(&h.title),
            h.verdict
        )?;
        writeln!(out, "     {}", t(&h.path))?;
        if !h.snippet.is_empty() {
            writeln!(out, "     {}", t(&h.snippet.replace('\n', " ")))?;
        }
    }
    if r.total > (page.offset + r.hits.len()) as u64 {
        writeln!(
            out,
            "\n… {} more (--offset {})",
            r.total - (page.offset + r.hits.len()) as u64,
            page.offset + r.hits.len()
        )?;
    }
    writeln!(out)?;
    for (facet, values) in &r.facets {
        if values.is_empty() {
            continue;
        }
        let mut v: Vec<(&String, &u64)> = values.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = v
            .iter()
            .take(8)
            .map(|(k, n)| format!("{} {n}", t(k)))
            .collect();
        writeln!(out, "{facet:<11}{}", shown.join(" · "))?;
    }
    Ok(())
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
