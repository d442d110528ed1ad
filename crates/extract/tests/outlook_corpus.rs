//! Every `.pst` and `.msg` of the shared corpus opens without a panic, and
//! every message it declares comes out (or is a failure that says why).

use std::path::{Path, PathBuf};

use leakcheck_extract::outlook::{self, OutlookLimits};
use leakcheck_extract::{Flow, Member, MemberData};

fn files(dir: &str, ext: &str) -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/email")
        .join(dir);
    if !root.exists() {
        eprintln!("skipped: shared corpus not found at {}", root.display());
        return None;
    }
    let mut out: Vec<PathBuf> = walk(&root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)))
        .collect();
    out.sort();
    Some(out)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// What a container handed over: (emitted, failed reasons).
fn collect(members: &mut Vec<(String, Result<Vec<u8>, String>)>) -> impl FnMut(Member<'_>) -> Flow + '_ {
    move |m: Member<'_>| {
        let data = match m.data {
            MemberData::Bytes(b) => Ok(b),
            MemberData::Unreadable(why) => Err(why),
            _ => Err("unexpected member data".into()),
        };
        members.push((m.name, data));
        Flow::Continue
    }
}

#[test]
fn every_pst_opens_and_reconciles() {
    let Some(files) = files("pst", "pst") else {
        return;
    };
    let limits = OutlookLimits::default();
    let mut report = Vec::new();
    for path in &files {
        let name = path.strip_prefix(path.ancestors().nth(3).unwrap()).unwrap().display().to_string();
        let file = std::fs::File::open(path).unwrap();
        let mut members = Vec::new();
        let listing = leakcheck_extract::guard(|| {
            outlook::pst::expand(Box::new(file), &limits, &mut collect(&mut members))
        });
        let failed = members.iter().filter(|m| m.1.is_err()).count();
        match listing {
            Ok(l) => {
                for (n, m) in &members {
                    if let Ok(bytes) = m {
                        leakcheck_extract::email::parse(bytes)
                            .unwrap_or_else(|e| panic!("{name}: {n}: rebuilt message does not parse: {e}"));
                    }
                }
                report.push(format!(
                    "{name}: expected {} emitted {} failed {failed} {}",
                    l.expected,
                    members.len() - failed,
                    l.detail.unwrap_or_default()
                ));
            }
            Err(e) => {
                let why = e.to_string();
                assert!(!why.contains("panic"), "{name}: {why}");
                report.push(format!("{name}: ERROR {why}"));
            }
        }
        for (n, m) in &members {
            if let Err(why) = m {
                report.push(format!("    failed {n}: {why}"));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}
