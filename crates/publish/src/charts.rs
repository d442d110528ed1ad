//! The case report's pictures, as inline SVG: bars for counts by label, and
//! bars stacked by verdict over months. Written here rather than with a
//! plotting crate: two chart shapes with text need a few dozen lines, while
//! plotters' SVG text needs a font stack the report does not otherwise use.

use std::collections::BTreeMap;
use std::fmt::Write;

use leakcheck_core::Verdict;

use crate::html::esc;

/// One colour per verdict, the same as the workbench's badges.
pub(crate) fn colour(v: Verdict) -> &'static str {
    match v {
        Verdict::Authentic => "#1a7f37",
        Verdict::Altered => "#cf222e",
        Verdict::Suspicious => "#bf8700",
        Verdict::Consistent => "#57606a",
        Verdict::Unverifiable => "#afb8c1",
    }
}

/// Horizontal bars, one per `(label, [(value, colour)])` row, segments
/// stacked left to right, longest total scaled to the chart's width.
pub(crate) fn bars(title: &str, rows: &[(String, Vec<(u64, &str)>)]) -> String {
    let (label_w, bar_w, row_h) = (260, 420, 20);
    let h = 30 + rows.len() * row_h + 10;
    let max = rows
        .iter()
        .map(|(_, segs)| segs.iter().map(|s| s.0).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" font-family="sans-serif" font-size="12" role="img"><title>{}</title><text x="0" y="16" font-weight="bold">{}</text>"#,
        label_w + bar_w + 80,
        esc(title),
        esc(title)
    );
    for (i, (label, segs)) in rows.iter().enumerate() {
        let y = 30 + i * row_h;
        let short: String = label.chars().take(40).collect();
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label_w - 6,
            y + 13,
            esc(&short)
        );
        let mut x = label_w as f64;
        let mut total = 0;
        for (n, fill) in segs {
            let w = *n as f64 * bar_w as f64 / max as f64;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{fill}"/>"#,
                y + 2,
                row_h - 4
            );
            x += w;
            total += n;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}">{total}</text>"#,
            x + 4.0,
            y + 13
        );
    }
    s.push_str("</svg>");
    s
}

/// Vertical bars per month, stacked by verdict, with a legend.
pub(crate) fn by_month(title: &str, months: &BTreeMap<String, BTreeMap<Verdict, u64>>) -> String {
    let (left, plot_h, col_w) = (50usize, 200usize, 22usize);
    let w = left + months.len().max(1) * col_w + 20;
    let h = 30 + plot_h + 60 + 20;
    let max = months
        .values()
        .map(|m| m.values().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{h}" font-family="sans-serif" font-size="11" role="img"><title>{}</title><text x="0" y="16" font-weight="bold" font-size="12">{}</text>"#,
        w.max(520),
        esc(title),
        esc(title)
    );
    let base = 30 + plot_h;
    let _ = write!(
        s,
        r##"<text x="{}" y="38" text-anchor="end">{max}</text><line x1="{left}" y1="{base}" x2="{}" y2="{base}" stroke="#888"/>"##,
        left - 4,
        w - 10
    );
    for (i, (month, counts)) in months.iter().enumerate() {
        let x = left + i * col_w + 2;
        let mut top = base as f64;
        for v in Verdict::PRECEDENCE {
            let n = counts.get(&v).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let bar = n as f64 * plot_h as f64 / max as f64;
            top -= bar;
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{top:.1}" width="{}" height="{bar:.1}" fill="{}"><title>{} {}: {n}</title></rect>"#,
                col_w - 4,
                colour(v),
                esc(month),
                v
            );
        }
        let _ = write!(
            s,
            r#"<text transform="translate({},{}) rotate(-60)" text-anchor="end">{}</text>"#,
            x + 8,
            base + 8,
            esc(month)
        );
    }
    for (i, v) in Verdict::PRECEDENCE.iter().enumerate() {
        let x = left + i * 95;
        let y = h - 12;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{y}">{v}</text>"#,
            y - 9,
            colour(*v),
            x + 14
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale_to_the_largest() {
        let svg = bars(
            "flagged <by> check",
            &[
                ("a&b".into(), vec![(10, "#000")]),
                ("c".into(), vec![(5, "#000"), (5, "#fff")]),
            ],
        );
        assert!(svg.contains("flagged &lt;by&gt; check") && svg.contains("a&amp;b"));
        assert!(svg.contains(r#"width="420.0""#), "{svg}");
        assert!(svg.contains(r#"width="210.0""#), "{svg}");
        let mut months = BTreeMap::new();
        months.insert(
            "2017-04".to_string(),
            BTreeMap::from([(Verdict::Altered, 3)]),
        );
        let svg = by_month("verdicts by month", &months);
        assert!(svg.contains("2017-04 altered: 3") && svg.contains("#cf222e"));
    }
}
