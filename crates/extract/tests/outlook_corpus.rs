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
        leakcheck_core::testing::skip(&format!("shared corpus not found at {}", root.display()));
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
fn collect(
    members: &mut Vec<(String, Result<Vec<u8>, String>)>,
) -> impl FnMut(Member<'_>) -> Flow + '_ {
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
    let mut emitted = 0;
    for path in &files {
        let name = path
            .strip_prefix(path.ancestors().nth(3).unwrap())
            .unwrap()
            .display()
            .to_string();
        let file = std::fs::File::open(path).unwrap();
        let mut members = Vec::new();
        let listing = leakcheck_extract::guard(|| {
            outlook::pst::expand(Box::new(file), &limits, &mut collect(&mut members))
        });
        let failed = members.iter().filter(|m| m.1.is_err()).count();
        match listing {
            Ok(l) => {
                assert_eq!(
                    l.expected,
                    members.len() as u64,
                    "{name}: declared and handed over"
                );
                assert_eq!(failed, 0, "{name}");
                let d = l.detail.clone().unwrap();
                assert_eq!(
                    d["attachments_expected"], d["attachments_emitted"],
                    "{name}"
                );
                for (n, m) in &members {
                    if let Ok(bytes) = m {
                        leakcheck_extract::email::parse(bytes).unwrap_or_else(|e| {
                            panic!("{name}: {n}: rebuilt message does not parse: {e}")
                        });
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
                // Only the HTML page named .pst may fail, and it says why.
                let why = e.to_string();
                assert!(name.ends_with("albert_meyers_000.pst"), "{name}: {why}");
                assert!(why.contains("not a PST"), "{name}: {why}");
                report.push(format!("{name}: ERROR {why}"));
            }
        }
        emitted += members.len() - failed;
        for (n, m) in &members {
            if let Err(why) = m {
                report.push(format!("    failed {n}: {why}"));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert_eq!(files.len(), 42, "41 PSTs and the HTML page named .pst");
    assert_eq!(emitted, 752, "messages in the corpus's PSTs");
}

#[test]
fn every_msg_opens_and_rebuilds() {
    let Some(files) = files("msg", "msg") else {
        return;
    };
    let mut failed = Vec::new();
    for path in &files {
        let mut members = Vec::new();
        let bytes = std::fs::read(path).unwrap();
        match leakcheck_extract::guard(|| {
            outlook::expand_msg(
                &bytes,
                &OutlookLimits::default(),
                &mut collect(&mut members),
            )
        }) {
            Ok(listing) => {
                assert_eq!(listing.expected, 1);
                let rebuilt = members[0].1.as_ref().unwrap();
                leakcheck_extract::email::parse(rebuilt).unwrap();
            }
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    eprintln!(
        "{} .msg files, {} not read:\n{}",
        files.len(),
        failed.len(),
        failed.join("\n")
    );
    assert!(failed.iter().all(|f| !f.contains("panic")), "{failed:?}");
    assert!(files.len() >= 141 && failed.len() <= 2, "{failed:?}");
}

/// Collapsed white space, for comparing bodies across converters.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The addresses of a list, lower-cased. A name without an address (an
/// unsent message's Exchange sender) is kept by us and dropped by the
/// reference converter, so only addresses are compared.
fn addresses(list: &[leakcheck_core::Address]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .filter_map(|a| a.address.as_ref().map(|a| a.to_lowercase()))
        .collect();
    v.sort();
    v
}

/// Named attachments: (name, size). A nameless part that is itself a MIME
/// entity (the reference converter wraps a PGP/MIME signed entity in one;
/// we make it the body) is looked into.
fn named(parsed: &leakcheck_extract::email::ParsedEmail) -> Vec<(String, usize)> {
    let mut v = Vec::new();
    for a in &parsed.attachments {
        match &a.name {
            Some(n) => v.push((n.clone(), a.bytes.len())),
            None => {
                if let Ok(inner) = leakcheck_extract::email::parse(&a.bytes) {
                    v.extend(named(&inner));
                }
            }
        }
    }
    v.sort();
    v
}

#[test]
fn msg_files_match_their_reference_conversions() {
    let Some(emls) = files("msg/mvz-email-outlook-message-perl", "eml") else {
        return;
    };
    assert_eq!(emls.len(), 6);
    for eml in &emls {
        let stem = eml.file_stem().unwrap().to_string_lossy().to_string();
        let msg = eml
            .parent()
            .unwrap()
            .join("../hughbe-MsgReader/mvz/email-outlook-message-perl")
            .join(format!("{stem}.msg"));
        let mut members = Vec::new();
        outlook::expand_msg(
            &std::fs::read(&msg).unwrap(),
            &OutlookLimits::default(),
            &mut collect(&mut members),
        )
        .unwrap();
        let ours = leakcheck_extract::email::parse(members[0].1.as_ref().unwrap()).unwrap();
        let theirs = leakcheck_extract::email::parse(&std::fs::read(eml).unwrap()).unwrap();
        let (o, t) = (&ours.meta, &theirs.meta);
        assert_eq!(o.subject, t.subject, "{stem}: subject");
        assert_eq!(addresses(&o.from), addresses(&t.from), "{stem}: sender");
        assert_eq!(addresses(&o.to), addresses(&t.to), "{stem}: to");
        assert_eq!(addresses(&o.cc), addresses(&t.cc), "{stem}: cc");
        assert_eq!(
            words(o.text.as_deref().unwrap_or("")),
            words(t.text.as_deref().unwrap_or("")),
            "{stem}: body text"
        );
        assert_eq!(named(&ours), named(&theirs), "{stem}: attachments");
    }
}
