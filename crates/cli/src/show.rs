//! Human rendering of one item for `leakcheck show`.

use std::io::Write;

use anyhow::Result;
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_core::{Address, Kind};
use leakcheck_store::{Case, ItemDetail};

use crate::cmd::human_bytes;

pub fn item(out: &mut impl Write, d: &ItemDetail, case: &Case, full: bool) -> Result<()> {
    writeln!(out, "item   {}", d.id)?;
    writeln!(
        out,
        "kind   {}   size {} ({} bytes)",
        d.kind,
        human_bytes(d.size),
        d.size
    )?;
    let id = leakcheck_core::ItemId::parse(&d.id)?;
    writeln!(out, "blob   {}", case.blobs().path(&id).display())?;
    if d.kind
        .parse::<Kind>()
        .is_ok_and(|k| k.is_unsupported_container())
    {
        writeln!(
            out,
            "note   unsupported container: stored and catalogued, not opened yet"
        )?;
    }
    writeln!(out, "\nfound at ({}):", d.occurrences.len())?;
    for o in &d.occurrences {
        writeln!(out, "  {}", t(&o.display))?;
        if let Some(env) = o
            .extra
            .as_ref()
            .and_then(|e| e.get("envelope"))
            .and_then(|v| v.as_str())
        {
            writeln!(out, "      mbox envelope: {}", t(env.trim_end()))?;
        }
    }
    if let Some(e) = &d.email {
        writeln!(out, "\nemail:")?;
        let field = |out: &mut dyn Write, name: &str, v: &str| -> std::io::Result<()> {
            if !v.is_empty() {
                writeln!(out, "  {name:<12}{}", t(v))?;
            }
            Ok(())
        };
        field(out, "From:", &addrs(&e.from))?;
        field(out, "To:", &addrs(&e.to))?;
        field(out, "Cc:", &addrs(&e.cc))?;
        field(
            out,
            "Date:",
            e.date.as_deref().or(e.date_raw.as_deref()).unwrap_or(""),
        )?;
        field(out, "Subject:", e.subject.as_deref().unwrap_or(""))?;
        field(out, "Message-ID:", e.message_id.as_deref().unwrap_or(""))?;
        field(out, "In-Reply-To:", &e.in_reply_to.join(" "))?;
        if let Some(n) = e.html_bytes {
            field(
                out,
                "HTML body:",
                &format!("{} (not shown in a terminal)", human_bytes(n)),
            )?;
        }
        for p in &e.problems {
            writeln!(out, "  problem     {}", t(p))?;
        }
        if full {
            writeln!(out, "\nheaders (raw, in order):")?;
            for (n, v) in &e.headers {
                writeln!(out, "  {}: {}", t(n), t(v))?;
            }
        }
        if let Some(text) = &e.text {
            writeln!(out, "\ntext:")?;
            let lines: Vec<&str> = text.lines().collect();
            let shown = if full {
                lines.len()
            } else {
                lines.len().min(30)
            };
            for l in &lines[..shown] {
                writeln!(out, "  {}", t(l))?;
            }
            if shown < lines.len() {
                writeln!(out, "  … {} more lines (--full)", lines.len() - shown)?;
            }
            if e.text_truncated {
                writeln!(
                    out,
                    "  … text cut in the catalog; the original is whole in the blob store"
                )?;
            }
        }
    }
    if !d.children.is_empty() || d.container.is_some() {
        write!(out, "\ncontains ({})", d.children.len())?;
        if let Some(c) = &d.container {
            write!(
                out,
                ": declared {}, emitted {}, failed {}",
                c.expected, c.emitted, c.failed
            )?;
            if let Some(detail) = &c.detail {
                write!(out, "  {detail}")?;
            }
        }
        writeln!(out)?;
        for c in &d.children {
            match (&c.item, &c.error) {
                (Some(id), _) => writeln!(
                    out,
                    "  {:>4}  {}  {:<6} {}",
                    c.position,
                    &id[..12],
                    c.kind.as_deref().unwrap_or("?"),
                    t(&c.path)
                )?,
                (None, err) => writeln!(
                    out,
                    "  {:>4}  UNREADABLE    {}: {}",
                    c.position,
                    t(&c.path),
                    t(err.as_deref().unwrap_or("?"))
                )?,
            }
        }
    }
    if !d.errors.is_empty() {
        writeln!(out, "\nproblems:")?;
        for e in &d.errors {
            writeln!(out, "  {:<5} {}", e.stage, t(&e.reason))?;
        }
    }
    Ok(())
}

fn addrs(list: &[Address]) -> String {
    list.iter()
        .map(|a| match (&a.name, &a.address) {
            (Some(n), Some(ad)) => format!("{n} <{ad}>"),
            (None, Some(ad)) => ad.clone(),
            (Some(n), None) => n.clone(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
