//! Key archaeology commands: `keys recover`, `keys import --archive`, and
//! the public half of a published private key for `keys add`.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use leakcheck_core::sanitize::for_terminal;
use leakcheck_core::{ItemId, KeyOrigin, KeyRecord};
use leakcheck_store::Case;
use leakcheck_verify::keys::{parse_date, rsa_txt, txt_from_private_pem};
use leakcheck_verify::recover::{self, EXPONENT, GcdChild, Outcome, Signed};
use serde::Deserialize;

use crate::cli::{KeysImportArgs, KeysRecoverArgs};
use crate::cmd::{key_record, save_keys};
use crate::common::{json_line, open, operator, readable, stdout};

/// Signatures read per key: enough for [`recover::MAX_PAIRS`] pairs.
const SIGNATURES_PER_KEY: usize = 12;

/// `keys recover`.
pub fn recover(a: KeysRecoverArgs) -> Result<u8> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.max_seconds);
    // Read from a team case's replica; keys go to its shared catalog.
    let case = open(&a.case)?;
    let catalog = readable(&a.case)?.catalog()?;
    let recovered: HashSet<String> = catalog
        .keys()?
        .into_iter()
        .filter(|k| k.origin == KeyOrigin::Recovered)
        .map(|k| k.name)
        .collect();
    let emails = catalog.emails()?;
    let wanted: HashSet<String> = leakcheck_verify::selectors::seen(&emails)
        .into_iter()
        .filter(|u| u.rsa_dkim_signatures >= 2)
        .map(|u| u.name)
        .filter(|n| match &a.selector {
            Some(s) => {
                let s = s.trim_end_matches('.').to_ascii_lowercase();
                *n == s || n.split('.').next() == Some(s.as_str())
            }
            None => !recovered.contains(n),
        })
        .collect();
    // Read signed emails until every wanted key has enough signatures.
    let mut by_name: BTreeMap<String, Vec<Signed>> = BTreeMap::new();
    let mut unreadable = 0usize;
    for (id, meta) in &emails {
        if by_name.len() == wanted.len() && by_name.values().all(|v| v.len() >= SIGNATURES_PER_KEY)
        {
            break;
        }
        let signed = meta
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("dkim-signature"));
        if !signed {
            continue;
        }
        let Ok(raw) = case.blobs().read(id) else {
            unreadable += 1;
            continue;
        };
        for s in recover::signed_data(id, &raw) {
            if wanted.contains(&s.name) {
                let v = by_name.entry(s.name.clone()).or_default();
                if v.len() < SIGNATURES_PER_KEY {
                    v.push(s);
                }
            }
        }
    }
    let child = GcdChild {
        program: std::env::current_exe().context("finding the leakcheck binary")?,
        args: vec![crate::GCD_ARG.into()],
    };
    let mut out = stdout();
    let mut found = 0;
    for name in wanted.iter().filter(|n| !by_name.contains_key(*n)) {
        report(
            &mut out,
            &a,
            name,
            "no RSA signature with an intact body",
            None,
        )?;
    }
    for (name, signatures) in &by_name {
        let t0 = Instant::now();
        let outcome = recover::recover(signatures, |x, y| child.gcd(x, y, deadline));
        let seconds = t0.elapsed().as_secs_f64();
        match outcome {
            Outcome::Recovered {
                modulus,
                verified,
                failed,
                no_common_factor,
            } => {
                found += 1;
                let txt = rsa_txt(&modulus, &EXPONENT.to_be_bytes()).map_err(anyhow::Error::msg)?;
                let source = format!(
                    "recovered from the signatures of {} ({} of {} signatures read verify with it), on {}, by leakcheck {}",
                    items(&verified),
                    verified.len(),
                    signatures.len(),
                    chrono::Utc::now().format("%Y-%m-%d"),
                    env!("CARGO_PKG_VERSION")
                );
                let key = KeyRecord {
                    name: name.clone(),
                    txt: txt.clone(),
                    source: source.clone(),
                    added_by: operator(),
                    added_at: chrono::Utc::now().to_rfc3339(),
                    origin: KeyOrigin::Recovered,
                    ..KeyRecord::default()
                };
                crate::cmd_team::add_keys(&case, &[key])?;
                let failed_ids: Vec<&str> = failed.iter().map(|s| s.item.as_str()).collect();
                let pairs: Vec<[&str; 2]> = no_common_factor
                    .iter()
                    .map(|(x, y)| [x.as_str(), y.as_str()])
                    .collect();
                if a.out.json {
                    json_line(
                        &mut out,
                        &serde_json::json!({
                            "name": name, "outcome": "recovered", "bits": modulus.len() * 8,
                            "txt": txt, "source": source, "seconds": seconds,
                            "verified": verified.iter().map(|s| s.item.as_str()).collect::<Vec<_>>(),
                            "failed": failed_ids, "no_common_factor": pairs,
                        }),
                    )?;
                } else if !a.out.quiet {
                    writeln!(
                        out,
                        "{}: recovered a {}-bit RSA key in {seconds:.1} s; {} of {} signatures verify with it",
                        for_terminal(name),
                        modulus.len() * 8,
                        verified.len(),
                        signatures.len()
                    )?;
                    writeln!(out, "  {name}. IN TXT {}", zone_strings(&txt))?;
                    for id in failed_ids {
                        writeln!(
                            out,
                            "  item {id}: its signature does not verify with this key (signed headers changed after signing, or another key signed it)"
                        )?;
                    }
                    for [x, y] in pairs {
                        writeln!(
                            out,
                            "  items {x} and {y}: no common factor (one of the two was altered in its signed headers)"
                        )?;
                    }
                }
            }
            Outcome::NotFound { no_common_factor } => {
                let why = format!(
                    "no pair of its signatures had a common factor ({} pairs tried): the messages were altered in their signed headers, or signed by different keys",
                    no_common_factor.len()
                );
                report(&mut out, &a, name, &why, Some(seconds))?;
            }
            Outcome::TooFew { signatures } => {
                let why = format!("{signatures} usable signature(s) of one size: two are needed");
                report(&mut out, &a, name, &why, Some(seconds))?;
            }
            Outcome::Stopped(why) => report(&mut out, &a, name, &why, Some(seconds))?,
        }
    }
    if !a.out.json && !a.out.quiet {
        if unreadable > 0 {
            writeln!(out, "{unreadable} signed emails could not be read")?;
        }
        if found > 0 {
            writeln!(
                out,
                "run `leakcheck verify {}` to apply the recovered keys",
                a.case.display()
            )?;
        }
    }
    out.flush()?;
    Ok(if found > 0 && found == wanted.len() {
        0
    } else {
        1
    })
}

/// A key not recovered, and why.
fn report(
    out: &mut impl Write,
    a: &KeysRecoverArgs,
    name: &str,
    why: &str,
    seconds: Option<f64>,
) -> Result<()> {
    if a.out.json {
        json_line(
            out,
            &serde_json::json!({"name": name, "outcome": "not-recovered", "reason": why, "seconds": seconds}),
        )
    } else if !a.out.quiet {
        writeln!(out, "{}: not recovered: {why}", for_terminal(name))?;
        Ok(())
    } else {
        Ok(())
    }
}

/// "items a, b and 3 more".
fn items(signed: &[Signed]) -> String {
    let mut ids: Vec<&ItemId> = signed.iter().map(|s| &s.item).collect();
    ids.dedup();
    let shown: Vec<&str> = ids.iter().take(3).map(|i| i.as_str()).collect();
    let more = ids.len().saturating_sub(3);
    let word = if ids.len() == 1 { "item" } else { "items" };
    if more > 0 {
        format!("{word} {} and {more} more", shown.join(", "))
    } else {
        format!("{word} {}", shown.join(", "))
    }
}

/// A TXT value as zone-file strings (at most 255 bytes each).
fn zone_strings(txt: &str) -> String {
    txt.as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `keys add --private-key FILE --name NAME`: the name and the TXT record
/// of the key's public half.
pub fn public_half(pem: &Path, name: &str) -> Result<(String, String)> {
    let text =
        std::fs::read_to_string(pem).with_context(|| format!("reading {}", pem.display()))?;
    let txt = txt_from_private_pem(&text)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("{}", pem.display()))?;
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if !name.contains("._domainkey.") {
        bail!("--name {name:?}: expected <selector>._domainkey.<domain>");
    }
    Ok((name, txt))
}

/// A date option, checked (`None` stays `None`).
pub fn checked_date(date: Option<&str>) -> Result<Option<String>> {
    match date {
        Some(d) if parse_date(d, false).is_none() => {
            bail!("{d:?}: expected a date (YYYY-MM-DD) or an RFC 3339 time")
        }
        d => Ok(d.map(|d| d.trim().to_string())),
    }
}

/// One entry of a key archive's export.
#[derive(Deserialize)]
struct ArchiveEntry {
    domain: String,
    selector: String,
    #[serde(alias = "txt", alias = "value", alias = "p")]
    key: String,
    first_seen: Option<String>,
    last_seen: Option<String>,
}

/// `keys import --archive FILE`: CSV with a header row, or JSON lines.
pub fn import_archive(case: &Case, a: &KeysImportArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("reading {}", a.file.display()))?;
    let at = |line: usize| format!("{}:{line}", a.file.display());
    let mut entries = Vec::new();
    if text.trim_start().starts_with('{') {
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let e: ArchiveEntry = serde_json::from_str(line)
                .with_context(|| format!("{}: not an archive entry", at(n + 1)))?;
            entries.push((n + 1, e));
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        for (n, row) in reader.deserialize::<ArchiveEntry>().enumerate() {
            // Line n + 2: the header is line 1.
            let e = row.with_context(|| format!("{}: not an archive entry", at(n + 2)))?;
            entries.push((n + 2, e));
        }
    }
    let mut keys = Vec::new();
    for (line, e) in entries {
        let name = leakcheck_verify::keys::key_name(&e.selector, e.domain.trim_end_matches('.'));
        let txt = if e.key.contains("p=") {
            e.key.clone()
        } else {
            format!("v=DKIM1; k=rsa; p={}", e.key.trim())
        };
        let mut k = key_record(name, txt, &a.provenance.source, &a.provenance.obtained);
        k.first_seen = checked_date(e.first_seen.as_deref().filter(|d| !d.trim().is_empty()))
            .with_context(|| at(line))?;
        k.last_seen = checked_date(e.last_seen.as_deref().filter(|d| !d.trim().is_empty()))
            .with_context(|| at(line))?;
        keys.push(k);
    }
    save_keys(case, keys, &a.out)
}
