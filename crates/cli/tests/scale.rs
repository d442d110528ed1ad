//! Verdicts at leak scale, on the dump `../shared/bench/macron-scale/gen.py`
//! writes (shaped like the 2017 leak; scale 0.1, seed 2017), set up as a
//! reporter would: the leak window, the campaign's domain, the archived
//! DKIM key. Exactly the signed emails the generator tampered with must be
//! altered, and at most 1 % of the items suspicious.
//!
//! The dump is generated outside the repository (`.ci/run` does it, about a
//! minute) and named by `LEAKCHECK_SCALE_DUMP` (the folder holding `dump/`,
//! `MANIFEST.json` and `dkim-keys.txt`). Without it the test skips, saying
//! so; under `CI=true` it fails instead.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::PathBuf;

use serde_json::Value;

use crate::util::lc;

/// The generated dump, or `None` (with a note) when there is none here.
fn scale_dump() -> Option<PathBuf> {
    let dir = std::env::var_os("LEAKCHECK_SCALE_DUMP").map(PathBuf::from);
    match dir {
        Some(d) if d.join("MANIFEST.json").exists() => Some(d),
        other => {
            let why = match other {
                Some(d) => format!("no MANIFEST.json in {}", d.display()),
                None => "LEAKCHECK_SCALE_DUMP is not set".into(),
            };
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the scale dump is required in CI: {why}"
            );
            eprintln!(
                "skipped: {why} (generate it with ../shared/bench/macron-scale/gen.py --scale 0.1 --seed 2017)"
            );
            None
        }
    }
}

#[test]
fn leak_scale_dump_flags_the_forgeries_not_the_dump() {
    let Some(dir) = scale_dump() else { return };
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("MANIFEST.json")).unwrap()).unwrap();
    let domain = manifest["dkim"]["domain"].as_str().unwrap();
    let tampered: BTreeSet<String> = manifest["dkim"]["tampered_after_signing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m.as_str()
                .unwrap()
                .trim_matches(|c| c == '<' || c == '>')
                .to_string()
        })
        .collect();
    let work = tempfile::tempdir().unwrap();
    let case = work.path().join("case");
    // The leak was published on 5 May 2017; the movement was founded in April 2016.
    let run = lc([
        OsStr::new("init"),
        case.as_os_str(),
        OsStr::new("--window"),
        OsStr::new("2016-04-01..2017-05-05"),
        OsStr::new("--org-domain"),
        OsStr::new(domain),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let keys = dir.join("dkim-keys.txt");
    let run = lc([
        OsStr::new("keys"),
        OsStr::new("import"),
        case.as_os_str(),
        keys.as_os_str(),
        OsStr::new("--source"),
        OsStr::new("gen.py seed 2017"),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dump = dir.join("dump");
    // The verdicts are this test's subject; OCR of the dump's 418 pages
    // (minutes) is measured by `bench/scale.sh` with OCR=1.
    let run = lc([
        OsStr::new("ingest"),
        case.as_os_str(),
        dump.as_os_str(),
        OsStr::new("-q"),
        OsStr::new("--ocr-later"),
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let run = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    assert!(run.code <= 1, "{}", run.stderr);

    let mut items = 0usize;
    let mut altered = BTreeSet::new();
    let mut suspicious = 0usize;
    let mut by_check: BTreeMap<String, usize> = BTreeMap::new();
    let mut examples: BTreeMap<String, String> = BTreeMap::new();
    for line in run.stdout.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        items += 1;
        match r["verdict"].as_str().unwrap() {
            "altered" => {
                altered.insert(r["id"].as_str().unwrap().to_string());
            }
            "suspicious" => {
                suspicious += 1;
                for f in r["findings"].as_array().unwrap() {
                    if f["verdict"] == "suspicious" {
                        let check = f["check"].as_str().unwrap().to_string();
                        *by_check.entry(check.clone()).or_default() += 1;
                        examples
                            .entry(check)
                            .or_insert_with(|| f["summary"].as_str().unwrap().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    eprintln!(
        "{items} items, {} altered, {suspicious} suspicious",
        altered.len()
    );
    for (check, n) in &by_check {
        eprintln!("| `{check}` | {n} | {} |", examples[check]);
    }
    // The altered items are exactly the tampered messages (every copy of each).
    let mut altered_ids = BTreeSet::new();
    for id in &altered {
        let show = lc([
            OsStr::new("show"),
            case.as_os_str(),
            OsStr::new(id),
            OsStr::new("--json"),
        ]);
        let v: Value = serde_json::from_str(&show.stdout).unwrap();
        let mid = v["email"]["message_id"].as_str().unwrap_or_default();
        altered_ids.insert(mid.trim_matches(|c| c == '<' || c == '>').to_string());
    }
    assert_eq!(altered_ids, tampered, "altered Message-IDs");
    assert!(
        suspicious * 100 <= items,
        "{suspicious} of {items} items suspicious (more than 1 %): {by_check:?}"
    );
}
