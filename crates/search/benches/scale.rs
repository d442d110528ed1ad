//! Search at scale: leakcheck's index beside SQLite FTS5 on the same
//! generated emails, in one run.
//!
//! A `Corpus` makes the emails (French and English, seeded), `leak` indexes
//! and queries them through leakcheck's own calls, `fts` does the same with
//! FTS5; each side reports a `Build` and, per query class, a `Run` of timed
//! queries. The two sides run one after the other so that each one's peak
//! RSS can be read apart.
//!
//! `cargo bench -p leakcheck-search --bench scale -- [--docs N] [--queries N]
//! [--dir PATH] [--json PATH] [--seed N] [--merge]` prints a markdown table
//! (stdout), progress (stderr), and writes the figures as JSON with `--json`.
//! `bench/search.sh` runs it with the defaults.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use leakcheck_search::{Page, SearchIndex, Sort, find};
use serde_json::{Value, json};

use corpus::{BANDS, Class, Corpus, Query};

// A bench's root file looks for modules beside it, where Cargo would take
// them for benches of their own: they live in scale/ instead.
#[path = "scale/corpus.rs"]
mod corpus;
#[path = "scale/fts.rs"]
mod fts;
#[path = "scale/leak.rs"]
mod leak;
#[path = "scale/words.rs"]
mod words;

/// Queries per class run before measuring (another seed than the measured
/// ones): the first queries after a build pay for mapping files and
/// filling caches, which no later query pays.
const WARM_UP: usize = 20;

/// What a build took and left on disk.
pub struct Build {
    pub seconds: f64,
    /// The optional merge to one segment (`--merge`), not in `seconds`.
    pub merge_seconds: Option<f64>,
    pub bytes: u64,
    /// Where the bytes are: (part, bytes), largest first.
    pub parts: Vec<(String, u64)>,
    /// Tantivy segments after the build and the optional merge.
    pub segments: usize,
    /// Tantivy segments right after the build.
    pub segments_built: usize,
}

/// One query's time and answer size.
pub struct Timed {
    pub took: Duration,
    pub total: u64,
    pub hits: usize,
}

/// The timed queries of one class.
#[derive(Default)]
pub struct Run(Vec<Timed>);

impl Run {
    pub fn push(&mut self, t: Timed) {
        self.0.push(t);
    }

    /// Nearest-rank percentile, in milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        let mut ms: Vec<f64> = self.0.iter().map(|t| t.took.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * ms.len() as f64).ceil().max(1.0) as usize;
        ms[rank - 1]
    }

    /// Like `percentile`, over the queries whose word is in `band`.
    fn band_percentile(&self, queries: &[Query], band: &str, p: f64) -> f64 {
        let picked = Run(self
            .0
            .iter()
            .zip(queries)
            .filter(|(_, q)| q.band() == Some(band))
            .map(|(t, _)| Timed {
                took: t.took,
                total: t.total,
                hits: t.hits,
            })
            .collect());
        picked.percentile(p)
    }

    fn json(&self) -> Value {
        let mean = self.0.iter().map(|t| t.took.as_secs_f64()).sum::<f64>() / self.0.len() as f64;
        json!({
            "p50_ms": round(self.percentile(50.0)),
            "p99_ms": round(self.percentile(99.0)),
            "max_ms": round(self.percentile(100.0)),
            "mean_ms": round(mean * 1e3),
            "queries": self.0.len(),
            "empty": self.0.iter().filter(|t| t.hits == 0).count(),
            "sum_of_totals": self.0.iter().map(|t| t.total).sum::<u64>(),
        })
    }
}

struct Args {
    docs: u64,
    queries: usize,
    dir: Option<PathBuf>,
    json: Option<PathBuf>,
    seed: u64,
    merge: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        docs: 1_000_000,
        queries: 200,
        dir: None,
        json: None,
        seed: 2017,
        merge: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|e| format!("{v}: {e}"))
        };
        match flag.as_str() {
            "--docs" => a.docs = number(value()?)?,
            "--queries" => a.queries = number(value()?)? as usize,
            "--dir" => a.dir = Some(value()?.into()),
            "--json" => a.json = Some(value()?.into()),
            "--seed" => a.seed = number(value()?)?,
            "--merge" => a.merge = true,
            // `cargo bench` passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.docs < 10 || a.queries == 0 {
        return Err("--docs must be at least 10 and --queries at least 1".into());
    }
    Ok(a)
}

/// One progress line on stderr.
pub fn progress(side: &str, done: u64, total: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{side}: {done}/{total} emails, {secs:.0} s ({:.0}/s)",
        done as f64 / secs
    );
}

/// Bytes of the files under `dir` (not recursive: a tantivy index is flat),
/// summed by extension, largest first.
pub fn dir_parts(dir: &Path) -> Vec<(String, u64)> {
    let mut parts: Vec<(String, u64)> = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(m) = e.metadata() else { continue };
        let path = e.path();
        let ext = path
            .extension()
            .map_or(String::new(), |x| x.to_string_lossy().into_owned());
        match parts.iter_mut().find(|(p, _)| *p == ext) {
            Some((_, n)) => *n += m.len(),
            None => parts.push((ext, m.len())),
        }
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.1));
    parts
}

/// A line of /proc/self/status, in bytes.
fn status_bytes(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Resets the peak RSS (Linux 4.0+), so the next phase's peak is its own.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn parts_json(parts: &[(String, u64)]) -> Value {
    Value::Object(parts.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// What one pass of the generator alone costs, and what it makes.
struct CorpusStats {
    seconds: f64,
    text_bytes: u64,
    words: u64,
}

fn measure_corpus(corpus: &Corpus, docs: u64) -> CorpusStats {
    let t = Instant::now();
    let (mut text_bytes, mut words) = (0, 0);
    for n in 0..docs {
        let e = corpus.email(n);
        text_bytes += (e.subject.len() + e.body.len()) as u64;
        words += e.body.split_whitespace().count() as u64;
    }
    CorpusStats {
        seconds: t.elapsed().as_secs_f64(),
        text_bytes,
        words,
    }
}

/// Everything one engine measured.
struct Side {
    build: Build,
    runs: Vec<Run>,
    /// VmHWM: includes the pages of the index files the engine has mapped.
    peak_rss: u64,
    /// At the end of the phase: RSS of memory the process allocated, and of
    /// mapped files.
    rss_anon: u64,
    rss_file: u64,
}

impl Side {
    fn new(build: Build, runs: Vec<Run>) -> Side {
        Side {
            build,
            runs,
            peak_rss: status_bytes("VmHWM"),
            rss_anon: status_bytes("RssAnon"),
            rss_file: status_bytes("RssFile"),
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let a = args().map_err(|e| format!("{e}\nusage: scale [--docs N] [--queries N] [--dir PATH] [--json PATH] [--seed N] [--merge]"))?;
    if !fts::has_fts5() {
        return Err("this SQLite has no FTS5 (rusqlite needs `bundled`)".into());
    }
    // Our own two entries in --dir are replaced; a temp dir goes at the end.
    let temp = tempfile::Builder::new()
        .prefix("leakcheck-scale")
        .tempdir()?;
    let dir = a.dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let index_dir = dir.join("leakcheck-index");
    let db = dir.join("fts5.sqlite");
    std::fs::create_dir_all(&dir)?;
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir)?;
    }
    for f in [
        db.clone(),
        db.with_extension("sqlite-wal"),
        db.with_extension("sqlite-shm"),
    ] {
        if f.exists() {
            std::fs::remove_file(f)?;
        }
    }

    let corpus = Corpus::new(a.seed);
    let stats = measure_corpus(&corpus, a.docs);
    eprintln!(
        "corpus: {} emails, {:.1} MB of text, generated in {:.1} s",
        a.docs,
        mb(stats.text_bytes),
        stats.seconds
    );
    let queries: Vec<Vec<Query>> = Class::ALL
        .iter()
        .map(|&c| corpus.queries(c, a.queries, 1))
        .collect();
    let warm_up: Vec<Vec<Query>> = Class::ALL
        .iter()
        .map(|&c| corpus.queries(c, WARM_UP, 2))
        .collect();
    let facets = |c: Class| c == Class::Boolean;
    let page = Page {
        limit: 10,
        offset: 0,
        sort: Sort::Relevance,
    };

    // leakcheck first, alone in the process.
    reset_peak();
    let build = leak::build(&index_dir, &corpus, a.docs, a.merge)?;
    eprintln!(
        "leakcheck: built in {:.1} s, {:.1} MB",
        build.seconds,
        mb(build.bytes)
    );
    let idx = SearchIndex::open(&index_dir)?;
    let reader = idx.index.reader()?;
    let searcher = reader.searcher();
    let mut langs = serde_json::Map::new();
    for lang in ["fr", "en", "other"] {
        let n = find(&idx, &searcher, &format!("lang:{lang}"), page, false)?.total;
        langs.insert(lang.into(), n.into());
    }
    let mut runs = Vec::new();
    for (i, &class) in Class::ALL.iter().enumerate() {
        leak::run(&searcher, &idx, &warm_up[i], facets(class))?;
        runs.push(leak::run(&searcher, &idx, &queries[i], facets(class))?);
    }
    let leakcheck = Side::new(build, runs);
    drop((searcher, reader, idx));

    // Then FTS5, with the peak reset when the kernel allows.
    let reset = reset_peak();
    let build = fts::build(&db, &corpus, a.docs, a.merge)?;
    eprintln!(
        "fts5: built in {:.1} s, {:.1} MB",
        build.seconds,
        mb(build.bytes)
    );
    let conn = fts::open(&db)?;
    let mut runs = Vec::new();
    for (i, &class) in Class::ALL.iter().enumerate() {
        fts::run(&conn, &warm_up[i], facets(class))?;
        runs.push(fts::run(&conn, &queries[i], facets(class))?);
    }
    let fts5 = Side::new(build, runs);
    drop(conn);

    let report = report(
        &a,
        &stats,
        &queries,
        &leakcheck,
        &fts5,
        reset,
        Value::Object(langs),
    );
    if let Some(path) = &a.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")?;
        eprintln!("wrote {}", path.display());
    }
    drop(temp);
    Ok(())
}

/// Prints the markdown tables and returns the same figures as JSON.
fn report(
    a: &Args,
    stats: &CorpusStats,
    queries: &[Vec<Query>],
    leakcheck: &Side,
    fts5: &Side,
    peak_was_reset: bool,
    langs: Value,
) -> Value {
    let (l, f) = (&leakcheck.build, &fts5.build);
    let ratio = |fts: f64, ours: f64| fts / ours;
    println!(
        "{} emails, {:.1} MB of text (subjects and bodies, {:.0} words per body), half French, half English; generated in {:.1} s per pass\n",
        a.docs,
        mb(stats.text_bytes),
        stats.words as f64 / a.docs as f64,
        stats.seconds
    );
    println!("| build | leakcheck (tantivy) | SQLite FTS5 | FTS5 / leakcheck |");
    println!("|---|---:|---:|---:|");
    println!(
        "| time, s (generation included) | {:.1} | {:.1} | **{:.2}×** |",
        l.seconds,
        f.seconds,
        ratio(f.seconds, l.seconds)
    );
    println!(
        "| emails/s | {:.0} | {:.0} | |",
        a.docs as f64 / l.seconds,
        a.docs as f64 / f.seconds
    );
    if let (Some(lm), Some(fm)) = (l.merge_seconds, f.merge_seconds) {
        println!(
            "| merge to one segment / optimize, s | {lm:.1} | {fm:.1} | {:.2}× |",
            fm / lm
        );
    }
    println!(
        "| size on disk, MB | {:.0} | {:.0} | **{:.2}×** |",
        mb(l.bytes),
        mb(f.bytes),
        ratio(f.bytes as f64, l.bytes as f64)
    );
    // FTS5 keeps its own copy of every text (`docs_content`); leakcheck's
    // texts stay in the catalog, so the index holds only what finds them.
    let part = |name: &str| f.parts.iter().find(|(p, _)| p == name).map_or(0, |p| p.1);
    let fts_index = f.bytes - part("docs_content");
    println!(
        "| size without FTS5's copy of the texts, MB | {:.0} | {:.0} | **{:.2}×** |",
        mb(l.bytes),
        mb(fts_index),
        ratio(fts_index as f64, l.bytes as f64)
    );
    println!(
        "| peak RSS, MB (mapped index pages included){} | {:.0} | {:.0} | |",
        if peak_was_reset { "" } else { ", cumulative" },
        mb(leakcheck.peak_rss),
        mb(fts5.peak_rss)
    );
    println!(
        "| RSS after the queries: allocated + mapped files, MB | {:.0} + {:.0} | {:.0} + {:.0} | |",
        mb(leakcheck.rss_anon),
        mb(leakcheck.rss_file),
        mb(fts5.rss_anon),
        mb(fts5.rss_file)
    );
    println!(
        "\n| query ({} each; top 10 + total) | leakcheck p50 ms | p99 ms | FTS5 p50 ms | p99 ms | FTS5 / leakcheck p50 | p99 |",
        a.queries
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut classes = Vec::new();
    for (i, class) in Class::ALL.iter().enumerate() {
        let (lr, fr) = (&leakcheck.runs[i], &fts5.runs[i]);
        let (l50, l99, f50, f99) = (
            lr.percentile(50.0),
            lr.percentile(99.0),
            fr.percentile(50.0),
            fr.percentile(99.0),
        );
        println!(
            "| {} | {l50:.2} | {l99:.2} | {f50:.2} | {f99:.2} | **{:.1}×** | **{:.1}×** |",
            class.name(),
            f50 / l50,
            f99 / l99
        );
        let mut bands = serde_json::Map::new();
        if queries[i][0].band().is_some() {
            for (band, _, _) in BANDS {
                bands.insert(
                    band.into(),
                    json!({
                        "leakcheck_p99_ms": round(lr.band_percentile(&queries[i], band, 99.0)),
                        "fts5_p99_ms": round(fr.band_percentile(&queries[i], band, 99.0)),
                    }),
                );
            }
        }
        classes.push(json!({
            "class": class.name(),
            "leakcheck": lr.json(),
            "fts5": fr.json(),
            "ratio_p50": round(f50 / l50),
            "ratio_p99": round(f99 / l99),
            "by_band": bands,
            "example": queries[i][0].leakcheck(),
        }));
    }
    // Totals side by side: the engines tokenise differently (leakcheck
    // stems and also searches recipients and paths), so close, not equal.
    let totals: Vec<Value> = queries[0]
        .iter()
        .zip(leakcheck.runs[0].0.iter().zip(&fts5.runs[0].0))
        .take(12)
        .map(|(q, (l, f))| {
            json!({"query": q.leakcheck(), "band": q.band(), "leakcheck": l.total, "fts5": f.total})
        })
        .collect();
    let p99_ok = leakcheck.runs.iter().all(|r| r.percentile(99.0) < 50.0);
    let faster = leakcheck.runs.iter().zip(&fts5.runs).all(|(l, f)| {
        l.percentile(50.0) < f.percentile(50.0) && l.percentile(99.0) < f.percentile(99.0)
    });
    println!(
        "\ntargets: leakcheck p99 < 50 ms in every class: {}; faster than FTS5 in every class (p50 and p99): {}",
        if p99_ok { "yes" } else { "NO" },
        if faster { "yes" } else { "NO" }
    );
    if a.merge {
        println!("(both indexes merged after the build: one tantivy segment, FTS5 `optimize`)");
    } else {
        println!(
            "(tantivy segments after the build: {}; run with --merge to merge them into one)",
            l.segments
        );
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split_once(':')
                    .map(|(_, m)| m.trim().to_string())
            })
        })
        .unwrap_or_default();
    json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "machine": {
            "cpu": cpu,
            "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
            "mem_total_bytes": std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
                s.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
            }).map(|kb| kb * 1024),
        },
        "corpus": {
            "docs": a.docs,
            "seed": a.seed,
            "text_bytes": stats.text_bytes,
            "body_words": stats.words,
            "generation_seconds": round(stats.seconds),
            "leakcheck_detected_languages": langs,
        },
        "merged": a.merge,
        "leakcheck": {
            "build_seconds": round(l.seconds),
            "docs_per_s": (a.docs as f64 / l.seconds).round(),
            "merge_seconds": l.merge_seconds.map(round),
            "bytes": l.bytes,
            "bytes_by_extension": parts_json(&l.parts),
            "segments_after_build": l.segments_built,
            "segments": l.segments,
            "peak_rss_bytes": leakcheck.peak_rss,
            "rss_anon_bytes_at_end": leakcheck.rss_anon,
            "rss_file_bytes_at_end": leakcheck.rss_file,
        },
        "fts5": {
            "build_seconds": round(f.seconds),
            "docs_per_s": (a.docs as f64 / f.seconds).round(),
            "merge_seconds": f.merge_seconds.map(round),
            "bytes": f.bytes,
            "bytes_by_table": parts_json(&f.parts),
            "peak_rss_bytes": fts5.peak_rss,
            "rss_anon_bytes_at_end": fts5.rss_anon,
            "rss_file_bytes_at_end": fts5.rss_file,
            "peak_rss_is_cumulative": !peak_was_reset,
        },
        "queries": classes,
        "term_totals": totals,
        "targets": {"p99_under_50ms": p99_ok, "faster_than_fts5": faster},
    })
}
