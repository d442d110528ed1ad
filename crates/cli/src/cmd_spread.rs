//! `posts import`, `posts list` and `spread`: posts from outside the dump,
//! what they carried, and how it spread.

use std::io::{IsTerminal, Write};
use std::sync::atomic::AtomicU64;

use anyhow::{Context, Result, bail};
use leakcheck_core::sanitize::{csv_cell, for_terminal as t};
use leakcheck_core::words::count;
use leakcheck_store::{Account, CLASSES, Case, FirstSeen, HourCount, SpreadFilter};
use leakcheck_team::copy::Bump;

use crate::cli::{PostsImportArgs, PostsListArgs, SpreadArgs, SpreadFilterArgs};
use crate::common::{invocation, json_line, open, operator, readable, stdout, writing};
use crate::progress;

/// `--since`/`--until`: RFC 3339, or a day (its midnight, UTC).
fn when(flag: &str, v: &Option<String>) -> Result<Option<i64>> {
    let Some(v) = v else { return Ok(None) };
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(Some(d.timestamp()));
    }
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Ok(Some(
            d.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp(),
        )),
        Err(_) => bail!("{flag} {v:?}: expected RFC 3339 (2017-05-05T20:00:00Z) or YYYY-MM-DD"),
    }
}

fn filter(f: &SpreadFilterArgs) -> Result<SpreadFilter> {
    if let Some(c) = &f.class
        && !CLASSES.contains(&c.as_str())
    {
        bail!("--class {c:?}: expected one of {}", CLASSES.join(", "));
    }
    Ok(SpreadFilter {
        source: None,
        platform: f.platform.clone(),
        class: f.class.clone(),
        account: f.account.clone(),
        since: when("--since", &f.since)?,
        until: when("--until", &f.until)?,
    })
}

fn time(unix: Option<i64>) -> String {
    unix.and_then(leakcheck_core::time::rfc3339)
        .map_or_else(|| "(no date)".into(), |s| s[..16].replace('T', " "))
}

/// The tables `posts import` writes, with their keys.
const POSTS: &[(&str, &[&str])] = &[("posts", &["id"]), ("post_matches", &["post", "what"])];

pub fn import(a: PostsImportArgs) -> Result<u8> {
    writing(open(&a.case)?, POSTS, Bump::Workbench, |case| {
        import_into(case, &a)
    })
}

fn import_into(case: &Case, a: &PostsImportArgs) -> Result<u8> {
    if case.catalog()?.stats()?.items == 0 {
        bail!(
            "{}: the case holds no items yet; ingest the dump first, then import posts to match against it",
            case.root().display()
        );
    }
    let source = a.source.clone().unwrap_or_else(|| {
        a.export
            .file_name()
            .map_or_else(|| "posts".into(), |n| n.to_string_lossy().into_owned())
    });
    let claims: Vec<String> = if a.claims.is_empty() {
        leakcheck_spread::DEFAULT_CLAIMS
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        a.claims.clone()
    };
    let done = AtomicU64::new(0);
    let show = !a.out.quiet && !a.out.json && std::io::stderr().is_terminal();
    let summary = progress::spin(show, "posts matched", &done, || {
        leakcheck_spread::import(case, &a.export, &source, &claims, operator(), &done)
    })
    .with_context(|| format!("importing posts from {}", a.export.display()))?;
    let mut out = stdout();
    if a.out.json {
        json_line(&mut out, &summary)?;
    } else if !a.out.quiet {
        writeln!(
            out,
            "{} from {} ({}) as {:?}: {} matched the dump ({} indexed)",
            count(summary.posts, "post", "posts"),
            t(&summary.path),
            summary.platform,
            summary.source,
            summary.matched,
            count(summary.dump_texts as u64, "text", "texts"),
        )?;
        for (class, n) in &summary.by_class {
            writeln!(out, "  {class:<22}{n:>8}")?;
        }
        for p in summary.problems.iter().take(20) {
            writeln!(out, "problem: {}", t(p))?;
        }
        if summary.problems_found > 20 {
            writeln!(
                out,
                "… {} in all (--json lists the first {})",
                count(summary.problems_found, "problem", "problems"),
                leakcheck_spread::LISTED_PROBLEMS
            )?;
        }
        writeln!(
            out,
            "\nnext: {} spread {}",
            invocation(),
            case.home().display()
        )?;
    }
    out.flush()?;
    Ok(u8::from(summary.problems_found > 0))
}

pub fn list(a: PostsListArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let f = filter(&a.filter)?;
    let catalog = case.catalog()?;
    let item = a
        .item
        .as_deref()
        .map(|p| catalog.resolve(p))
        .transpose()
        .context("--item")?;
    let rows = catalog.post_rows(&f, item.as_ref(), a.limit, a.offset)?;
    let mut out = stdout();
    for p in &rows {
        if a.out.json {
            json_line(&mut out, p)?;
        } else if !a.out.quiet {
            writeln!(
                out,
                "{}  {:<22} {} {}  {}",
                time(p.time_unix),
                p.class,
                p.platform,
                t(p.author.as_deref().unwrap_or("?")),
                t(&p.text
                    .chars()
                    .take(100)
                    .collect::<String>()
                    .replace('\n', " "))
            )?;
            for m in &p.matches {
                writeln!(
                    out,
                    "      {} → {} by {} ({:.0} %{})",
                    t(&m.what),
                    &m.item.as_str()[..12],
                    m.basis,
                    m.similarity * 100.0,
                    if m.changed { ", changed" } else { "" }
                )?;
                for d in m.evidence["differences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .take(3)
                {
                    writeln!(
                        out,
                        "        …{} [-{}-]{{+{}+}} {}…",
                        t(d["before"].as_str().unwrap_or("")),
                        t(d["removed"].as_str().unwrap_or("")),
                        t(d["added"].as_str().unwrap_or("")),
                        t(d["after"].as_str().unwrap_or(""))
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(u8::from(rows.is_empty()))
}

pub fn spread(a: SpreadArgs) -> Result<u8> {
    let case = readable(&a.case)?;
    let f = filter(&a.filter)?;
    let catalog = case.catalog()?;
    let totals = catalog.spread_totals(&f)?;
    let hours = catalog.spread_hours(&f)?;
    let firsts = catalog.first_appearances(&f, a.limit)?;
    let accounts = catalog.spread_accounts(&f, a.limit)?;
    // Every file is made before any is written: a PNG that cannot be drawn
    // (no font) leaves no half of the export behind.
    let mut files: Vec<(&std::path::Path, Vec<u8>)> = Vec::new();
    if let Some(path) = &a.csv {
        files.push((path, hours_csv(&hours).into_bytes()));
    }
    if let Some(path) = &a.svg {
        files.push((path, chart_svg(&hours).into_bytes()));
    }
    if let Some(path) = &a.png {
        files.push((path, chart_png(&chart_svg(&hours))?));
    }
    if let Some(path) = &a.first_seen_csv {
        files.push((path, first_seen_csv(&firsts).into_bytes()));
    }
    if let Some(path) = &a.accounts_csv {
        files.push((path, accounts_csv(&accounts).into_bytes()));
    }
    for (path, bytes) in files {
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({
                "totals": totals.iter().map(|(c, n)| (c.clone(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
                "hours": hours,
                "first_appearances": firsts,
                "accounts": accounts,
            }),
        )?;
        out.flush()?;
        return Ok(0);
    }
    if a.out.quiet {
        return Ok(0);
    }
    let all: u64 = totals.iter().map(|(_, n)| n).sum();
    if all == 0 {
        writeln!(
            out,
            "no posts (import some: {} posts import {} EXPORT)",
            invocation(),
            case.root().display()
        )?;
        return Ok(1);
    }
    writeln!(out, "{}:", count(all, "post", "posts"))?;
    for (class, n) in &totals {
        writeln!(out, "  {class:<22}{n:>8}")?;
    }
    writeln!(out, "\nper hour (UTC):")?;
    let mut by_hour: std::collections::BTreeMap<i64, Vec<(&str, u64)>> = Default::default();
    for h in &hours {
        by_hour
            .entry(h.hour)
            .or_default()
            .push((h.class.as_str(), h.posts));
    }
    for (hour, classes) in &by_hour {
        let parts: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
        writeln!(out, "  {}  {}", time(Some(*hour)), parts.join(" · "))?;
    }
    writeln!(out, "\nfirst seen outside (earliest first):")?;
    for s in &firsts {
        writeln!(
            out,
            "  {}  {} {}  by {} on {} ({}, {} changed)  {}",
            time(s.time_unix),
            &s.item[..12],
            s.verdict.as_deref().unwrap_or("unverified"),
            t(s.author.as_deref().unwrap_or("?")),
            s.platform,
            count(s.posts, "post", "posts"),
            s.changed,
            t(s.path.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(out, "\naccounts (by altered and not-in-dump posts):")?;
    for acc in &accounts {
        writeln!(
            out,
            "  {:<24} {:<9} {}: {} altered, {} not in the dump, {} authentic, {} unverifiable",
            t(acc
                .author
                .as_deref()
                .or(acc.author_id.as_deref())
                .unwrap_or("?")),
            acc.platform,
            count(acc.posts, "post", "posts"),
            acc.altered,
            acc.not_in_dump,
            acc.authentic,
            acc.unverifiable
        )?;
    }
    out.flush()?;
    Ok(0)
}

fn hours_csv(hours: &[HourCount]) -> String {
    let mut s = String::from("hour_utc,class,posts\n");
    for h in hours {
        s.push_str(&format!("{},{},{}\n", time(Some(h.hour)), h.class, h.posts));
    }
    s
}

/// The first-appearance table as CSV. Authors and paths come from the
/// posts and the dump: a cell that a spreadsheet would read as a formula
/// stays text.
fn first_seen_csv(firsts: &[FirstSeen]) -> String {
    let mut s =
        String::from("first_seen_utc,item,verdict,path,first_post,author,platform,posts,changed\n");
    for f in firsts {
        let row = [
            f.time_unix.map(|t| time(Some(t))).unwrap_or_default(),
            f.item.clone(),
            f.verdict.clone().unwrap_or_else(|| "unverified".into()),
            f.path.clone().unwrap_or_default(),
            f.post.clone(),
            f.author.clone().unwrap_or_default(),
            f.platform.clone(),
            f.posts.to_string(),
            f.changed.to_string(),
        ];
        s.push_str(&csv_row(&row));
    }
    s
}

/// The accounts table as CSV (names neutralised as in [`first_seen_csv`]).
fn accounts_csv(accounts: &[Account]) -> String {
    let mut s = String::from(
        "author,author_id,platform,posts,altered,not_in_dump,authentic,unverifiable\n",
    );
    for a in accounts {
        let row = [
            a.author.clone().unwrap_or_default(),
            a.author_id.clone().unwrap_or_default(),
            a.platform.clone(),
            a.posts.to_string(),
            a.altered.to_string(),
            a.not_in_dump.to_string(),
            a.authentic.to_string(),
            a.unverifiable.to_string(),
        ];
        s.push_str(&csv_row(&row));
    }
    s
}

fn csv_row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    cells.join(",") + "\n"
}

/// Posts per hour, stacked by class, as a standalone SVG. Written here: a
/// stacked bar chart is a few rectangles. The PNG is this SVG drawn
/// ([`chart_png`]), and the workbench draws the same in its page
/// (`chartSvg` in crates/server/assets/app.js): change the three together.
fn chart_svg(hours: &[HourCount]) -> String {
    const COLOURS: [&str; 5] = ["#b3261e", "#0a7d32", "#666666", "#b26a00", "#c8c8c8"];
    let mut by_hour: std::collections::BTreeMap<i64, [u64; 5]> = Default::default();
    for h in hours {
        if let Some(i) = CLASSES.iter().position(|c| *c == h.class) {
            by_hour.entry(h.hour).or_default()[i] += h.posts;
        }
    }
    let (w, height, left, bottom) = (900.0, 300.0, 40.0, 40.0);
    let max = by_hour
        .values()
        .map(|v| v.iter().sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let n = by_hour.len().max(1) as f64;
    let bar = (w - left) / n;
    // A white ground: the PNG and a dark viewer would show the black text
    // on nothing.
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n<title>posts per hour by class</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
        height + bottom + 30.0
    );
    s.push_str(&format!(
        "<text x=\"0\" y=\"12\">{max} posts</text><line x1=\"{left}\" y1=\"{height}\" x2=\"{w}\" y2=\"{height}\" stroke=\"#999\"/>\n"
    ));
    for (i, (hour, counts)) in by_hour.iter().enumerate() {
        let x = left + i as f64 * bar;
        let mut y = height;
        for (c, n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            let hgt = (*n as f64 / max) * (height - 20.0);
            y -= hgt;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{hgt:.1}\" fill=\"{}\"><title>{} {}: {n}</title></rect>\n",
                (bar - 1.0).max(1.0),
                COLOURS[c],
                time(Some(*hour)),
                CLASSES[c]
            ));
        }
        if i == 0 || i + 1 == by_hour.len() {
            s.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{}\">{}</text>\n",
                height + 14.0,
                time(Some(*hour))
            ));
        }
    }
    for (c, class) in CLASSES.iter().enumerate() {
        let x = left + c as f64 * 170.0;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{class}</text>\n",
            height + bottom,
            COLOURS[c],
            x + 14.0,
            height + bottom + 9.0
        ));
    }
    s.push_str("</svg>\n");
    s
}

/// The PNG is drawn at twice the SVG's size, for screens and print.
const PNG_SCALE: f32 = 2.0;

/// Font families tried for the chart's text before the system's own
/// sans-serif choice: Debian's fonts-dejavu-core first, so that the same
/// chart looks the same on every machine that has it.
const SANS_SERIF: [&str; 4] = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"];

/// The chart drawn as a PNG by resvg (the SVG that [`chart_svg`] writes, so
/// both files show the same chart), its text in a system font.
fn chart_png(svg: &str) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    sans_serif(fonts)?;
    let tree = usvg::Tree::from_str(svg, &options).context("reading the chart's SVG")?;
    // usvg leaves out a text it has no font for, silently: a chart without
    // its dates and legend would mislead, so it is an error.
    if svg.contains("<text") && !tree.has_text_nodes() {
        bail!(
            "the chart's text could not be drawn with the fonts found; install a sans-serif \
             font (Debian: apt-get install fonts-dejavu-core)"
        );
    }
    let size = tree
        .size()
        .to_int_size()
        .scale_by(PNG_SCALE)
        .context("the chart is too large for a PNG")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .context("the chart is too large for a PNG")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("encoding the PNG")
}

/// Names the loaded font that the chart's `sans-serif` means. fontdb's
/// default is Arial, rarely installed on Linux, and usvg's fallback is the
/// serif family (Times New Roman): on a Debian machine neither exists, and
/// the text would be dropped.
fn sans_serif(db: &mut resvg::usvg::fontdb::Database) -> Result<()> {
    use resvg::usvg::fontdb::{Family, Query};
    let installed = |db: &resvg::usvg::fontdb::Database, name: &str| {
        db.faces()
            .any(|f| f.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
    };
    let system = Query {
        families: &[Family::SansSerif],
        ..Query::default()
    };
    let family = SANS_SERIF
        .iter()
        .find(|name| installed(db, name))
        .map(|name| name.to_string())
        .or_else(|| {
            db.query(&system)
                .map(|_| db.family_name(&Family::SansSerif).to_string())
        })
        // Any font draws the digits and the class names better than none.
        .or_else(|| {
            db.faces()
                .filter_map(|f| f.families.first().map(|(n, _)| n.clone()))
                .min()
        });
    let Some(family) = family else {
        bail!(
            "no font found to draw the PNG's text (labels, dates, legend); install one \
             (Debian: apt-get install fonts-dejavu-core), or use --svg"
        );
    };
    db.set_sans_serif_family(family.clone());
    db.set_serif_family(family);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without any font, the PNG is refused with what to install rather
    /// than drawn without its labels.
    #[test]
    fn no_font_is_an_error_naming_a_package() {
        // An empty database stands for a machine without fonts.
        let mut db = resvg::usvg::fontdb::Database::new();
        let e = sans_serif(&mut db).unwrap_err();
        assert!(format!("{e:#}").contains("fonts-dejavu-core"), "{e:#}");
    }

    /// Cells a spreadsheet would run stay text in the table CSVs.
    #[test]
    fn account_names_do_not_become_formulas() {
        let csv = accounts_csv(&[Account {
            author: Some("=HYPERLINK(\"http://x\")".into()),
            author_id: None,
            platform: "x".into(),
            posts: 2,
            altered: 1,
            not_in_dump: 0,
            authentic: 1,
            unverifiable: 0,
        }]);
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with("\"'=HYPERLINK(\"\"http"), "{row}");
        assert!(row.ends_with("\"2\",\"1\",\"0\",\"1\",\"0\""), "{row}");
    }
}
