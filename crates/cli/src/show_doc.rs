//! The evidence of document and image findings, one fact per line, for
//! `leakcheck show` (the JSON stays whole in `show --json`).

use std::io::Write;

use anyhow::Result;
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_core::{CheckId, Finding};
use serde_json::Value;

fn s(v: &Value) -> String {
    match v {
        Value::String(x) => t(x),
        Value::Null => "-".into(),
        other => t(&other.to_string()),
    }
}

/// `store tag = value`, as cited by a finding.
fn cited(v: &Value) -> String {
    format!("{} {} = {}", s(&v["store"]), s(&v["tag"]), s(&v["value"]))
}

fn list(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// Writes the evidence of a `doc.*` or `image.*` finding; false when the
/// check is not one of those (the caller then prints the raw evidence).
pub fn evidence(out: &mut impl Write, f: &Finding) -> Result<bool> {
    let e = &f.evidence;
    match f.check {
        CheckId::DocDates => {
            for p in list(&e["problems"]) {
                match p.get("tag") {
                    Some(_) => writeln!(out, "      {}: {}", cited(p), s(&p["why"]))?,
                    None => writeln!(out, "      {}: {}", s(&p["store"]), s(&p["why"]))?,
                }
            }
            for b in list(&e["before_window"]) {
                writeln!(out, "      {} (before the window)", cited(b))?;
            }
        }
        CheckId::DocAuthorship => {
            for n in list(&e["names"]) {
                let mut notes = vec![format!(
                    "in {} of {} documents",
                    n["documents_with_name"], e["documents"]
                )];
                if n["in_organisation"] == true {
                    notes.push("the organisation's".into());
                }
                if n["generic"] == true {
                    notes.push("a default account name".into());
                }
                writeln!(out, "      {} ({})", cited(n), notes.join(", "))?;
            }
        }
        CheckId::DocScript => {
            for sc in list(&e["scripts"]) {
                let p = &sc["population"];
                writeln!(
                    out,
                    "      {}: {} of {} documents and emails",
                    s(&sc["script"]),
                    p["count"],
                    p["of"]
                )?;
                for field in list(&sc["fields"]).take(5) {
                    writeln!(out, "        {}", cited(field))?;
                }
            }
        }
        CheckId::DocPdfRevisions => {
            for r in list(&e["revisions"]) {
                writeln!(
                    out,
                    "      revision {}: ends at byte {}, {} objects",
                    r["revision"], r["ends_at"], r["objects"]
                )?;
                for c in list(&r["info_changed_later"]) {
                    writeln!(
                        out,
                        "        Info {}: {} → {}",
                        s(&c["key"]),
                        s(&c["was"]),
                        s(&c["now"])
                    )?;
                }
            }
        }
        CheckId::DocPdfXmpInfo => {
            for d in list(&e["differ"]) {
                let xmp: Vec<String> = list(&d["xmp"]).map(|x| s(&x["value"])).collect();
                writeln!(
                    out,
                    "      {}: Info {} | XMP {}",
                    s(&d["key"]),
                    s(&d["info"]["value"]),
                    xmp.join("; ")
                )?;
            }
        }
        CheckId::DocSoftware => {
            for sw in list(&e["software"]) {
                writeln!(out, "      {}", cited(sw))?;
            }
            if let Some(z) = e.get("zip_entries") {
                writeln!(
                    out,
                    "      ZIP entries: {}, {} with real dates ({} .. {})",
                    z["count"],
                    z["dated"],
                    s(&z["first"]),
                    s(&z["last"])
                )?;
            }
        }
        CheckId::ImageSoftware => {
            for sw in list(&e["software"]) {
                writeln!(out, "      {}", cited(sw))?;
            }
        }
        CheckId::ImageExif | CheckId::ImageThumbnail => {
            writeln!(out, "      evidence: {}", t(&e.to_string()))?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}
