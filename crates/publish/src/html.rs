//! The report's HTML: self-contained pages (styles inline, pictures as SVG
//! or data URIs, no script, nothing fetched) that print as they show.

use std::fmt::Write;

use base64::Engine;
use leakcheck_core::{DocMeta, Finding, Kind, Verdict};
use serde_json::Value;

use crate::charts::colour;
use crate::evidence::Evidence;

/// Text made safe inside HTML elements and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Bidi overrides can make a file name read backwards: shown, not obeyed.
            c if !matches!(c, '\n' | '\r' | '\t') && leakcheck_core::sanitize::is_dangerous(c) => {
                let _ = write!(out, "&lt;U+{:04X}&gt;", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .45rem;vertical-align:top;text-align:left}
th{background:#f6f8fa}pre{background:#f6f8fa;padding:.5rem;white-space:pre-wrap;word-break:break-all;font-size:12px}
.badge{color:#fff;border-radius:.6rem;padding:.05rem .55rem;font-weight:600}.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
del{background:#ffebe9}ins{background:#dafbe1}.ok{color:#1a7f37}.bad{color:#cf222e}
@media print{body{max-width:none;margin:0}a{color:inherit;text-decoration:none}details{display:block}details>*{display:block}}";

/// A whole page around `body`.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n{body}\n<footer><p><small>Written by leakcheck {}. Every figure here can be re-derived from the originals and the keys in this folder (RECHECK.md).</small></p></footer></body></html>\n",
        esc(title),
        env!("CARGO_PKG_VERSION")
    )
}

/// A verdict as a coloured badge.
pub(crate) fn badge(v: Option<Verdict>) -> String {
    match v {
        Some(v) => format!(
            "<span class=\"badge\" style=\"background:{}\">{v}</span>",
            colour(v)
        ),
        None => "<span class=\"badge\" style=\"background:#8c959f\">not verified yet</span>".into(),
    }
}

/// The item's page; `original` is the original's path relative to the page.
pub(crate) fn item_page(e: &Evidence, original: Option<&str>, image: Option<&[u8]>) -> String {
    let title = e
        .email
        .as_ref()
        .and_then(|m| m.subject.clone())
        .or_else(|| e.places.first().cloned())
        .unwrap_or_else(|| e.id.clone());
    let mut b = String::new();
    let _ = write!(
        b,
        "<p><a href=\"../index.html\">← case report</a></p><h1>{} {}</h1>",
        esc(&title),
        badge(e.verdict)
    );
    b.push_str("<table>");
    row(
        &mut b,
        "SHA-256",
        &format!("<span class=\"mono\">{}</span>", e.id),
    );
    row(
        &mut b,
        "kind, size",
        &format!("{}, {} bytes", esc(&e.kind), e.size),
    );
    let places: Vec<String> = e
        .places
        .iter()
        .map(|p| format!("<div class=\"mono\">{}</div>", esc(p)))
        .collect();
    row(
        &mut b,
        &format!("found at ({})", e.places.len()),
        &places.join(""),
    );
    if let Some(o) = original {
        row(
            &mut b,
            "original",
            &format!("<a class=\"mono\" href=\"{}\">{}</a>", esc(o), esc(o)),
        );
    }
    b.push_str("</table>");
    findings(&mut b, e);
    if !e.dkim.is_empty() {
        dkim(&mut b, e);
    }
    if let Some(m) = &e.email {
        b.push_str("<h2>Headers, as stored</h2><pre>");
        for (n, v) in &m.headers {
            let _ = writeln!(b, "{}: {}", esc(n), esc(v));
        }
        b.push_str("</pre>");
        if let Some(t) = &m.text {
            let _ = write!(b, "<h2>Text</h2><pre>{}</pre>", esc(t));
        }
    }
    if let Some(d) = &e.document {
        stores(&mut b, d);
    }
    if let Some(bytes) = image {
        let mime = match e.kind.parse::<Kind>() {
            Ok(Kind::Png) => "image/png",
            Ok(Kind::Gif) => "image/gif",
            Ok(Kind::Webp) => "image/webp",
            Ok(Kind::Bmp) => "image/bmp",
            _ => "image/jpeg",
        };
        let _ = write!(
            b,
            "<h2>Picture</h2><img alt=\"the original\" style=\"max-width:100%;max-height:30rem\" src=\"data:{mime};base64,{}\">",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
    }
    if !e.problems.is_empty() {
        b.push_str("<h2>Could not be read</h2><ul>");
        for p in &e.problems {
            let _ = write!(b, "<li>{}: {}</li>", esc(&p.stage), esc(&p.reason));
        }
        b.push_str("</ul>");
    }
    page(&title, &b)
}

pub(crate) fn row(b: &mut String, name: &str, html: &str) {
    let _ = write!(b, "<tr><th>{}</th><td>{html}</td></tr>", esc(name));
}

fn findings(b: &mut String, e: &Evidence) {
    b.push_str("<h2>Findings</h2>");
    if e.verdict.is_none() {
        b.push_str("<p>Not verified yet: run <code>leakcheck verify</code>.</p>");
        return;
    }
    b.push_str("<p>The verdict is the strongest of the checks' own conclusions: proof (authentic, then altered) first, then anomalies (suspicious), then consistent; unverifiable when nothing could be checked.</p><table><tr><th>check</th><th>conclusion</th><th>why</th></tr>");
    for f in &e.findings {
        let _ = write!(
            b,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}{}<details><summary>evidence</summary><pre>{}</pre></details></td></tr>",
            f.check,
            badge(Some(f.verdict)),
            esc(&f.summary),
            word_diff(f),
            esc(&serde_json::to_string_pretty(&f.evidence).unwrap_or_default())
        );
    }
    b.push_str("</table>");
}

/// The changes a near-copy finding lists, as a word diff.
fn word_diff(f: &Finding) -> String {
    let Some(changes) = f.evidence.get("changes").and_then(Value::as_array) else {
        return String::new();
    };
    let s = |c: &Value, k: &str| esc(c.get(k).and_then(Value::as_str).unwrap_or(""));
    let mut out = String::from("<ol>");
    for c in changes {
        let _ = write!(
            out,
            "<li>…{} <del>{}</del> <ins>{}</ins> {}…</li>",
            s(c, "before"),
            s(c, "removed"),
            s(c, "added"),
            s(c, "after")
        );
    }
    out.push_str("</ol>");
    out
}

fn dkim(b: &mut String, e: &Evidence) {
    b.push_str("<h2>DKIM signatures, recomputed</h2><p>For each signature: the bytes it signs (the canonicalised header block, the signature itself last with its <code>b=</code> emptied) and the body hash computed from the message beside the one the signature claims. The key is the TXT record an independent verifier is given in place of DNS.</p>");
    let results: Vec<&Value> = e
        .of_check("email.dkim")
        .filter_map(|f| f.evidence.get("signatures").and_then(Value::as_array))
        .flatten()
        .collect();
    for t in &e.dkim {
        let result = results
            .iter()
            .find(|r| r.get("index").and_then(Value::as_u64) == Some(t.index as u64));
        let _ = write!(
            b,
            "<h3>Signature {} — d={} s={}</h3><table>",
            t.index + 1,
            esc(&t.domain),
            esc(&t.selector)
        );
        if let Some(r) = result {
            let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            row(
                b,
                "result",
                &format!("<b>{}</b>: {}", esc(&text("result")), esc(&text("detail"))),
            );
        }
        row(b, "canonicalisation", &esc(&t.canonicalization));
        row(b, "signed headers (h=)", &esc(&t.signed_headers.join(":")));
        let (class, word) = if t.body_hash_matches {
            ("ok", "match")
        } else {
            ("bad", "differ")
        };
        row(
            b,
            "body hash",
            &format!(
                "claimed <span class=\"mono\">{}</span><br>computed <span class=\"mono\">{}</span><br><b class=\"{class}\">they {word}</b>",
                esc(&t.body_hash_claimed),
                esc(t.body_hash_computed.as_deref().unwrap_or("(not computed)"))
            ),
        );
        row(b, "header", &format!("<pre>{}</pre>", esc(&t.header)));
        row(
            b,
            "signed block",
            &format!("<pre>{}</pre>", esc(&t.signed_block)),
        );
        b.push_str("</table>");
    }
    if !e.keys.is_empty() {
        b.push_str("<h3>Keys of the case for these signatures</h3><table><tr><th>name</th><th>provenance</th><th>file</th></tr>");
        for k in &e.keys {
            let r = &k.record;
            let mut prov = format!("{} ({})", esc(&r.source), r.origin.as_str());
            for (what, v) in [
                ("obtained", &r.obtained),
                ("added by", &r.added_by),
                ("first seen", &r.first_seen),
                ("last seen", &r.last_seen),
                ("private half public since", &r.private_published),
            ] {
                if let Some(v) = v {
                    let _ = write!(prov, "<br>{what} {}", esc(v));
                }
            }
            let _ = write!(prov, "<br>added {}", esc(&r.added_at));
            let _ = write!(
                b,
                "<tr><td class=\"mono\">{}</td><td>{prov}</td><td><a href=\"../{}\">{}</a></td></tr>",
                esc(&r.name),
                esc(&k.file),
                esc(&k.file)
            );
        }
        b.push_str("</table>");
    }
}

/// The metadata stores side by side: a row per field, a column per store.
fn stores(b: &mut String, d: &DocMeta) {
    let _ = write!(b, "<h2>Metadata, store by store ({})</h2>", esc(&d.format));
    if d.stores.is_empty() {
        b.push_str("<p>No metadata store.</p>");
        return;
    }
    let mut keys: Vec<&str> = Vec::new();
    for f in d.stores.iter().flat_map(|s| &s.fields) {
        if !keys.contains(&f.key.as_str()) {
            keys.push(&f.key);
        }
    }
    b.push_str("<table><tr><th>field</th>");
    for s in &d.stores {
        let _ = write!(b, "<th>{}</th>", esc(&s.name));
    }
    b.push_str("</tr>");
    for k in keys {
        let _ = write!(b, "<tr><th>{}</th>", esc(k));
        for s in &d.stores {
            let v: Vec<String> = s
                .fields
                .iter()
                .filter(|f| f.key == k)
                .map(|f| esc(&f.value))
                .collect();
            let _ = write!(b, "<td>{}</td>", v.join("<br>"));
        }
        b.push_str("</tr>");
    }
    b.push_str("</table>");
    if !d.warnings.is_empty() {
        b.push_str("<ul>");
        for w in &d.warnings {
            let _ = write!(b, "<li>{}</li>", esc(w));
        }
        b.push_str("</ul>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_bidi_overrides_are_shown_not_obeyed() {
        assert_eq!(esc("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
        assert_eq!(esc("cod\u{202E}fdp.exe"), "cod&lt;U+202E&gt;fdp.exe");
        let p = page("t<", "<p>x</p>");
        assert!(p.contains("<title>t&lt;</title>") && p.contains("default-src 'none'"));
    }
}
