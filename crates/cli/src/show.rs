//! Human rendering of one item for `leakcheck show`.

use std::io::Write;

use anyhow::Result;
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_core::{Address, CheckId, Finding, ItemId, Kind, Verdict};
use leakcheck_store::{Case, ItemDetail};

use crate::common::{human_bytes, invocation};

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
        if let Some(e) = o
            .extra
            .as_ref()
            .filter(|e| e.get("derived").and_then(|d| d.as_str()) == Some("outlook"))
        {
            outlook_place(out, e)?;
        }
    }
    if let Some(doc) = &d.document {
        document(out, doc)?;
    }
    crate::cmd_ocr::show_layer(out, case, &id, full)?;
    if let Some(e) = &d.email {
        writeln!(out, "\nemail:")?;
        let field = |out: &mut dyn Write, name: &str, v: &str| -> std::io::Result<()> {
            if !v.is_empty() {
                writeln!(out, "  {name:<12}{}", t(v))?;
            }
            Ok(())
        };
        field(out, "From:", &Address::list(&e.from))?;
        field(out, "To:", &Address::list(&e.to))?;
        field(out, "Cc:", &Address::list(&e.cc))?;
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

/// What a place inside a .pst or .msg says about the message rebuilt there.
fn outlook_place(out: &mut impl Write, e: &serde_json::Value) -> Result<()> {
    let s = |k: &str| e.get(k).and_then(|v| v.as_str());
    let mut line = format!(
        "      rebuilt from Outlook properties (.{})",
        s("source").unwrap_or("?")
    );
    if let Some(f) = s("folder") {
        line.push_str(&format!(", folder {f}"));
    }
    if let Some(c) = s("message_class") {
        line.push_str(&format!(", class {c}"));
    }
    writeln!(out, "{}", t(&line))?;
    writeln!(
        out,
        "      not the original MIME: {}",
        if e.get("transport_headers").is_some() {
            "the header block is Outlook's copy of the transport headers, kept verbatim"
        } else {
            "no transport headers were kept; the headers are made from properties"
        }
    )?;
    for p in e
        .get("problems")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        writeln!(out, "      problem: {}", t(p.as_str().unwrap_or("")))?;
    }
    Ok(())
}

/// The verification panel: the verdict, then each finding with its evidence
/// and how to re-check it elsewhere.
pub fn verification(
    out: &mut impl Write,
    v: Option<&(Verdict, Vec<Finding>)>,
    case: &Case,
    id: &ItemId,
) -> Result<()> {
    let Some((verdict, findings)) = v else {
        writeln!(
            out,
            "\nverification: not run yet ({} verify {})",
            invocation(),
            case.root().display()
        )?;
        return Ok(());
    };
    writeln!(out, "\nverification: {}", verdict.as_str().to_uppercase())?;
    if findings.is_empty() {
        writeln!(out, "  no check applies to this item")?;
    }
    for f in findings {
        let decides = if f.verdict == *verdict {
            " (decides)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {} → {}{decides}: {}",
            f.check,
            f.verdict,
            t(&f.summary)
        )?;
        // The check table's words for this finding's own verdict, as the
        // workbench's panel shows them.
        writeln!(out, "    means: {}", f.check.meaning(f.verdict))?;
        if f.check != CheckId::EmailDkim {
            writeln!(out, "    re-check: {}", f.check.info().recheck)?;
        }
        if f.check == CheckId::EmailDkim {
            dkim_evidence(out, f, case, id)?;
        } else if f.check == CheckId::EmailArc {
            for set in f.evidence["sets"].as_array().into_iter().flatten() {
                let aar: String = set["authentication_results"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(160)
                    .collect();
                writeln!(
                    out,
                    "    set i={}: sealed by d={} s={} (cv={}); results then: {}",
                    set["instance"],
                    t(set["seal"]["d"].as_str().unwrap_or("")),
                    t(set["seal"]["s"].as_str().unwrap_or("")),
                    set["seal"]["cv"].as_str().unwrap_or(""),
                    t(&aar)
                )?;
            }
        } else if !crate::show_doc::evidence(out, f)? && !f.evidence.is_null() {
            writeln!(out, "      evidence: {}", t(&f.evidence.to_string()))?;
        }
    }
    Ok(())
}

fn dkim_evidence(out: &mut impl Write, f: &Finding, case: &Case, id: &ItemId) -> Result<()> {
    let e = &f.evidence;
    for n in e["normalised"].as_array().into_iter().flatten() {
        writeln!(out, "      note: {}", t(n.as_str().unwrap_or("")))?;
    }
    for d in e["duplicated_headers"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "      header appears more than once: {} (an added copy may be what a reader sees)",
            t(d.as_str().unwrap_or(""))
        )?;
    }
    for s in e["signatures"].as_array().into_iter().flatten() {
        let str_of = |k: &str| s[k].as_str().unwrap_or("").to_string();
        writeln!(
            out,
            "    signature #{}: d={} s={} {} c={} → {}",
            s["index"],
            t(&str_of("domain")),
            t(&str_of("selector")),
            str_of("algorithm"),
            str_of("canonicalization"),
            str_of("result").to_uppercase()
        )?;
        writeln!(out, "      {}", t(&str_of("detail")))?;
        if let Some(bits) = s["key_bits"].as_u64() {
            writeln!(
                out,
                "      key: {bits} bits, from {}{}",
                t(&str_of("key_source")),
                s["key_obtained"]
                    .as_str()
                    .map(|d| format!(" (obtained {d})"))
                    .unwrap_or_default()
            )?;
        }
        let list = |k: &str| -> Vec<String> {
            s[k].as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        writeln!(
            out,
            "      signed headers (h=): {}",
            list("signed_headers").join(" ")
        )?;
        let unsigned = list("unsigned_displayed");
        if !unsigned.is_empty() {
            writeln!(
                out,
                "      NOT signed, though shown to readers: {}",
                unsigned.join(", ")
            )?;
        }
        if let Some(n) = s["unsigned_body_bytes"].as_u64() {
            writeln!(
                out,
                "      l={}: {n} body bytes after the signed part are not covered",
                s["body_length_limit"]
            )?;
        }
        if let Some(x) = s["expires_at"].as_u64() {
            let at = i64::try_from(x)
                .ok()
                .and_then(leakcheck_core::time::rfc3339)
                .unwrap_or_default();
            writeln!(
                out,
                "      x= {at}: verified as of the signing time (t=), not today"
            )?;
        }
        let q = list("qualifiers");
        if !q.is_empty() {
            writeln!(out, "      qualifiers: {}", q.join(", "))?;
        }
    }
    let signatures: Vec<&serde_json::Value> =
        e["signatures"].as_array().into_iter().flatten().collect();
    if !signatures.is_empty() {
        // dkimverify looks the key up in DNS: say which record it needs, and
        // whether the case holds it (printed above) or not.
        let keyless: Vec<String> = signatures
            .iter()
            .filter(|s| s["key_bits"].is_null())
            .map(|s| {
                format!(
                    "{}._domainkey.{}",
                    s["selector"].as_str().unwrap_or(""),
                    s["domain"].as_str().unwrap_or("")
                )
            })
            .collect();
        let how = if keyless.is_empty() {
            "dkimpy; it looks the key up in DNS: serve it the key printed above".to_string()
        } else {
            format!(
                "dkimpy; it looks up {} in DNS, and this case holds no key for it",
                t(&keyless.join(", "))
            )
        };
        writeln!(
            out,
            "    re-check: {} show {} {} --raw | dkimverify   ({how})",
            invocation(),
            case.root().display(),
            &id.as_str()[..16]
        )?;
    }
    Ok(())
}

/// A document's metadata, one block per store, so that disagreements
/// between stores are visible side by side.
fn document(out: &mut impl Write, m: &leakcheck_core::DocMeta) -> Result<()> {
    writeln!(out, "\ndocument ({}):", t(&m.format))?;
    if let Some(p) = m.pages {
        writeln!(out, "  pages       {p}")?;
    }
    if m.encrypted {
        writeln!(out, "  encrypted   yes: only unencrypted metadata was read")?;
    }
    let cut = if m.text_truncated { " (cut)" } else { "" };
    writeln!(out, "  text        {} characters{cut}", m.text_chars)?;
    if let Some(pdf) = &m.pdf {
        writeln!(
            out,
            "  revisions   {}{}",
            pdf.revisions.len(),
            if pdf.linearized { " (linearized)" } else { "" }
        )?;
        for (name, n) in &pdf.keywords {
            writeln!(out, "  {:<12}{n}", t(name))?;
        }
    }
    if let Some(th) = m.image.as_ref().and_then(|i| i.thumbnail.as_ref()) {
        writeln!(
            out,
            "  thumbnail   {}x{}, mean difference {}, hash distance {}",
            th.width,
            th.height,
            th.mean_difference
                .map_or("-".into(), |d| format!("{d:.1} %")),
            th.hash_distance.map_or("-".into(), |d| d.to_string())
        )?;
    }
    for w in &m.warnings {
        writeln!(out, "  warning     {}", t(w))?;
    }
    for s in &m.stores {
        writeln!(out, "  [{}]", t(&s.name))?;
        for f in &s.fields {
            let value: String = f.value.chars().take(200).collect();
            // At least one space between tag and value, however long the tag.
            writeln!(out, "    {:<27} {}", t(&f.tag), t(&value))?;
        }
    }
    Ok(())
}
