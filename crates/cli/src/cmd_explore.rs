//! The commands that show what a case's mail holds: `thread`, `people` and
//! `timeline`. The views are read from the catalog's mail aggregates
//! through `leakcheck-search` (refreshed first if the emails changed); this
//! only prints.

use std::io::Write;

use anyhow::Result;
use leakcheck_core::ItemId;
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_core::words::count;
use leakcheck_search::{Node, Period};
use serde::Serialize;
use serde_json::Value;

use crate::cli::{By, PeopleArgs, ThreadArgs, TimelineArgs};
use crate::common::{json_line, readable, stdout};

/// Widest bar of the timeline chart, in characters.
const BAR: u64 = 50;

pub fn thread(a: ThreadArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let mut catalog = case.catalog()?;
    let id = catalog.resolve(&a.item)?;
    leakcheck_search::fresh(&mut catalog)?;
    let Some(thread) = leakcheck_search::thread_in(&catalog, &id)? else {
        if !a.out.quiet {
            eprintln!(
                "leakcheck: {} is not an email: it has no thread",
                short(&id)
            );
        }
        return Ok(1);
    };
    let mut out = stdout();
    if a.out.json {
        let mut v = tagged("thread", &thread)?;
        v["item"] = id.as_str().into();
        json_line(&mut out, &v)?;
    } else if !a.out.quiet {
        write!(
            out,
            "{} in the dump, {} not in the dump, {}",
            count(thread.messages, "message", "messages"),
            thread.missing,
            count(thread.items, "item", "items")
        )?;
        if thread.flattened > 0 {
            write!(
                out,
                "; {} replies deeper than {} are listed flat",
                thread.flattened,
                leakcheck_search::MAX_THREAD_DEPTH
            )?;
        }
        writeln!(out)?;
        node(&mut out, &thread.root, 0, &id)?;
    }
    out.flush()?;
    Ok(0)
}

/// One line per message, replies indented below it; `*` marks `item`.
fn node(out: &mut impl Write, n: &Node, depth: usize, item: &ItemId) -> Result<()> {
    let mark = if n.items.contains(item) { '*' } else { ' ' };
    let indent = "  ".repeat(depth);
    if n.is_missing() {
        let mid = n.message_id.as_deref().unwrap_or("");
        writeln!(out, "{mark} {indent}(not in the dump) <{}>", t(mid))?;
    } else {
        // RFC 3339 at the sender's offset, to the minute.
        let date = match n.date.as_deref().and_then(|d| d.get(..16)) {
            Some(d) => d.replace('T', " "),
            None => "(no date)".to_string(),
        };
        let from: Vec<&str> = n
            .from
            .iter()
            .filter_map(|a| a.name.as_deref().or(a.address.as_deref()))
            .collect();
        let from = if from.is_empty() {
            "(no From)".to_string()
        } else {
            from.join(", ")
        };
        let ids: Vec<&str> = n.items.iter().map(short).collect();
        let mut notes = String::new();
        if n.items.len() > 1 {
            notes.push_str(&format!(" ({} copies)", n.items.len()));
        }
        if n.by_subject {
            notes.push_str(" (by subject)");
        }
        writeln!(
            out,
            "{mark} {indent}{date:<16}  {}  {}  {}{notes}",
            t(&from),
            t(n.subject.as_deref().unwrap_or("(no subject)")),
            ids.join(" ")
        )?;
    }
    for c in &n.children {
        node(out, c, depth + 1, item)?;
    }
    Ok(())
}

pub fn people(a: PeopleArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let mut catalog = case.catalog()?;
    let totals = leakcheck_search::fresh(&mut catalog)?;
    let limit = a.limit.try_into().unwrap_or(u64::MAX);
    let c = leakcheck_search::correspondents_in(&catalog, &totals, 0, 0, limit)?;
    let mut out = stdout();
    if a.out.json {
        for p in &c.pairs {
            json_line(&mut out, &tagged("pair", p)?)?;
        }
        for p in &c.people {
            json_line(&mut out, &tagged("person", p)?)?;
        }
        json_line(
            &mut out,
            &serde_json::json!({"type": "summary", "emails": c.emails, "copies": c.copies,
                "no_sender": c.no_sender, "no_recipients": c.no_recipients,
                "pairs": c.pairs_total, "people": c.people_total}),
        )?;
    } else if !a.out.quiet {
        if c.pairs_total > 0 {
            writeln!(out, "count  first       last        from → to")?;
            for p in &c.pairs {
                writeln!(
                    out,
                    "{:>5}  {:<10}  {:<10}  {} → {}",
                    p.count,
                    day(p.first.as_deref()),
                    day(p.last.as_deref()),
                    person(&p.from, p.from_name.as_deref()),
                    person(&p.to, p.to_name.as_deref())
                )?;
            }
            more(&mut out, a.limit, c.pairs_total, "pairs")?;
            writeln!(out, "\n sent  recv  person")?;
            for p in &c.people {
                writeln!(
                    out,
                    "{:>5} {:>5}  {}",
                    p.sent,
                    p.received,
                    person(&p.address, p.name.as_deref())
                )?;
            }
            more(&mut out, a.limit, c.people_total, "people")?;
            writeln!(out)?;
        }
        writeln!(
            out,
            "{}: {} already counted, {} without a sender, {} without To or Cc",
            n(c.emails, "email item", "email items"),
            n(c.copies, "copy of a message", "copies of a message"),
            c.no_sender,
            c.no_recipients
        )?;
    }
    out.flush()?;
    Ok(if c.pairs_total == 0 { 1 } else { 0 })
}

pub fn timeline(a: TimelineArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let mut catalog = case.catalog()?;
    let totals = leakcheck_search::fresh(&mut catalog)?;
    let by = match a.by {
        By::Day => Period::Day,
        By::Week => Period::Week,
        By::Month => Period::Month,
    };
    let tl = leakcheck_search::timeline_in(&catalog, &totals, by)?;
    let mut out = stdout();
    if a.out.json {
        for b in &tl.buckets {
            json_line(&mut out, &tagged("bucket", b)?)?;
        }
        json_line(
            &mut out,
            &serde_json::json!({"type": "summary", "by": tl.by, "emails": tl.emails,
                "dated": tl.dated, "undated": tl.undated, "copies": tl.copies}),
        )?;
    } else if !a.out.quiet {
        let unit = match by {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        };
        let max = tl.buckets.iter().map(|b| b.emails).max().unwrap_or(1);
        for b in &tl.buckets {
            if b.empty_before > 0 {
                let gap = n(b.empty_before as usize, unit, &format!("{unit}s"));
                writeln!(out, "{:<10}  … {gap} without email", "")?;
            }
            let width = (b.emails * BAR).div_ceil(max) as usize;
            writeln!(
                out,
                "{:<10} {:>6}  {}",
                b.period,
                b.emails,
                "#".repeat(width)
            )?;
        }
        writeln!(
            out,
            "{} = {} dated + {} undated + {} already counted",
            n(tl.emails, "email item", "email items"),
            tl.dated,
            tl.undated,
            n(tl.copies, "copy of a message", "copies of a message"),
        )?;
    }
    out.flush()?;
    Ok(if tl.buckets.is_empty() { 1 } else { 0 })
}

/// `v` as a JSON object with a `"type"` tag, for JSON Lines.
fn tagged(kind: &str, v: &impl Serialize) -> Result<Value> {
    let mut v = serde_json::to_value(v)?;
    v["type"] = kind.into();
    Ok(v)
}

fn short(id: &ItemId) -> &str {
    &id.as_str()[..12]
}

/// The day of an RFC 3339 date, or `-`.
fn day(date: Option<&str>) -> &str {
    date.and_then(|d| d.get(..10)).unwrap_or("-")
}

fn person(address: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => t(&format!("{n} <{address}>")),
        None => t(address),
    }
}

/// `n` and the noun that agrees with it.
fn n(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn more(out: &mut impl Write, limit: usize, total: usize, what: &str) -> Result<()> {
    if total > limit {
        writeln!(out, "… {} more {what} (--limit)", total - limit)?;
    }
    Ok(())
}
