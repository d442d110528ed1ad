//! `variants` (near-copies inside the dump) and `check` (outside files
//! against the dump).

use std::io::{IsTerminal, Write};
use std::sync::atomic::AtomicU64;

use anyhow::{Context, Result};
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_core::words::count;
use leakcheck_store::Case;
use leakcheck_variants::{Corpus, Entry, clusters};

use crate::cli::{CheckArgs, VariantsArgs};
use crate::common::{json_line, readable, stdout};
use crate::progress;

fn entry_line(e: &Entry) -> String {
    format!(
        "{}  {:<6} [{}]  {}",
        &e.id.as_str()[..12],
        e.kind,
        e.verdict.map_or("unverified", |v| v.as_str()),
        t(&e.path)
    )
}

/// Every item's signature or picture hash, with a bar on a terminal.
fn read_corpus(case: &Case, show: bool) -> Result<Corpus> {
    let total = case.catalog()?.item_count()?;
    let done = AtomicU64::new(0);
    let show = show && std::io::stderr().is_terminal();
    progress::counted(show, "items read", total, &done, || {
        Corpus::of_case(case, true, &done)
    })
    .with_context(|| format!("reading {}", case.root().display()))
}

pub fn variants(a: VariantsArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let corpus = read_corpus(&case, !a.out.json && !a.out.quiet)?;
    let found = clusters(&case, &corpus, &|e: &Entry| e.verdict)
        .with_context(|| format!("comparing the items of {}", case.root().display()))?;
    let mut out = stdout();
    let summary = serde_json::json!({
        "type": "summary",
        "clusters": found.len(),
        "items_in_clusters": found.iter().map(|c| c.members.len() + 1).sum::<usize>(),
        "texts_compared": corpus.texts.len(),
        "images_compared": corpus.images.len(),
        "images_undecodable": corpus.undecodable.len(),
    });
    if a.out.json {
        for c in &found {
            json_line(
                &mut out,
                &serde_json::json!({"type": "cluster", "cluster": c}),
            )?;
        }
        json_line(&mut out, &summary)?;
    } else if !a.out.quiet {
        writeln!(
            out,
            "{} of near-copies ({} and {} compared; {} could not be decoded)",
            count(found.len(), "group", "groups"),
            count(corpus.texts.len(), "text", "texts"),
            count(corpus.images.len(), "image", "images"),
            count(corpus.undecodable.len(), "image", "images")
        )?;
        for c in found.iter().take(a.limit) {
            writeln!(
                out,
                "\n{} · reference {}",
                c.basis,
                entry_line(&c.reference)
            )?;
            for m in &c.members {
                writeln!(
                    out,
                    "  ~{:>3.0} % {}",
                    m.similarity * 100.0,
                    entry_line(&m.entry)
                )?;
                for c in &m.metadata {
                    writeln!(
                        out,
                        "         {}: {} → {}",
                        c.key,
                        t(c.reference.as_deref().unwrap_or("-")),
                        t(c.member.as_deref().unwrap_or("-"))
                    )?;
                }
                if let Some(d) = &m.diff {
                    if d.total == 0 {
                        writeln!(out, "         same text")?;
                    }
                    for ch in d.changes.iter().take(5) {
                        writeln!(out, "         {}", t(&ch.render()))?;
                    }
                    if d.total > 5 {
                        writeln!(
                            out,
                            "         … {} more changes (--json for all)",
                            d.total - 5
                        )?;
                    }
                }
            }
        }
        if found.len() > a.limit {
            writeln!(out, "\n… {} more groups (--limit)", found.len() - a.limit)?;
        }
    }
    out.flush()?;
    Ok(if found.is_empty() { 1 } else { 0 })
}

pub fn check(a: CheckArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let corpus = read_corpus(&case, !a.out.json && !a.out.quiet)?;
    // An outside email's signatures are verified with the case's keys.
    let keys = leakcheck_verify::KeySet::new(case.catalog()?.keys()?);
    let verifier = |raw: &[u8]| {
        let date = leakcheck_extract::email::parse(raw)
            .ok()
            .and_then(|e| e.meta.date_unix);
        let (f, _) = leakcheck_verify::dkim::check_signed(raw, &keys, date);
        serde_json::json!({"verdict": f.verdict, "summary": f.summary, "evidence": f.evidence})
    };
    let mut out = stdout();
    let mut all_exact = true;
    for file in &a.files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let name = file.display().to_string();
        let r =
            leakcheck_variants::check::check_with(&case, &corpus, &name, &bytes, Some(&verifier))
                .with_context(|| format!("checking {name}"))?;
        all_exact &= r.kind == "exact";
        if a.out.json {
            json_line(&mut out, &r)?;
            continue;
        }
        if a.out.quiet {
            continue;
        }
        let how = match r.kind {
            "exact" => "exact copy of".to_string(),
            "near" => format!(
                "near ({:.0} % alike, by {}) to",
                r.similarity * 100.0,
                r.basis
            ),
            _ => format!(
                "not in the dump (closest: {:.0} % alike)",
                r.similarity * 100.0
            ),
        };
        match &r.matched {
            Some(e) => writeln!(out, "{}: {how} {}", t(&name), entry_line(e))?,
            None => writeln!(out, "{}: {how}", t(&name))?,
        }
        for ch in r.differences.iter().take(10) {
            writeln!(out, "    {}", t(&ch.render()))?;
        }
        if r.total_differences > 10 {
            writeln!(
                out,
                "    … {} more changes (--json for all)",
                r.total_differences - 10
            )?;
        }
        if r.kind == "near" && r.total_differences == 0 && r.basis == "text" {
            writeln!(
                out,
                "    same text, other bytes (another format or metadata)"
            )?;
        }
        if let Some(d) = &r.dkim {
            writeln!(
                out,
                "    its DKIM: {} ({})",
                d["verdict"].as_str().unwrap_or_default(),
                t(d["summary"].as_str().unwrap_or_default())
            )?;
        }
        for h in &r.header_differences {
            writeln!(
                out,
                "    {}: dump {} / file {}",
                h["field"].as_str().unwrap_or_default(),
                t(&h["dump"].to_string()),
                t(&h["file"].to_string())
            )?;
        }
        if let Some(p) = &r.picture {
            writeln!(
                out,
                "    picture: {} {} → {} {}; metadata stripped: {}; thumbnail {} → {}; regions that differ: {}",
                p["format"]["dump"].as_str().unwrap_or_default(),
                p["size"]["dump"],
                p["format"]["file"].as_str().unwrap_or_default(),
                p["size"]["file"],
                p["metadata_stripped"],
                p["thumbnail"]["dump"],
                p["thumbnail"]["file"],
                p["changed_regions"]
            )?;
        }
        if !r.same_message_id.is_empty() {
            let ids: Vec<&str> = r.same_message_id.iter().map(|i| &i[..12]).collect();
            writeln!(out, "    same Message-ID as {}", ids.join(", "))?;
        }
        if let Some(n) = &r.note {
            writeln!(out, "    note: {}", t(n))?;
        }
    }
    out.flush()?;
    Ok(if all_exact { 0 } else { 1 })
}
