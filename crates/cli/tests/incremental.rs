//! Verification that follows change: a second `verify` re-checks nothing,
//! a key re-checks the emails signed with it, a new source its new emails,
//! a tag nothing; the result is always the one a full pass gives. And a
//! pass killed at any point leaves the catalog as a clean run makes it.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::util::{bin, demo, lc, mail};

/// `verify`'s text output, and the number of "emails re-checked"
/// (`None` when it says nothing was re-checked).
fn verify(case: &Path, extra: &[&str]) -> (String, Option<u64>) {
    let mut args = vec!["verify", case.to_str().unwrap()];
    args.extend(extra);
    let run = lc(&args);
    assert!(run.code <= 1, "verify failed: {}", run.stderr);
    let rechecked = run
        .stdout
        .lines()
        .find(|l| l.contains(" re-checked, "))
        .map(|l| l.split_whitespace().next().unwrap().parse::<u64>().unwrap());
    if rechecked.is_none() {
        assert!(run.stdout.contains("nothing re-checked"), "{}", run.stdout);
    }
    (run.stdout, rechecked)
}

/// Every item's verdict and findings, as `verify --json` prints them.
fn reports(case: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["verify", case.to_str().unwrap(), "--json"];
    args.extend(extra);
    let run = lc(&args);
    assert!(run.code <= 1, "verify failed: {}", run.stderr);
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn incremental_verify_re_checks_what_changed_and_equals_a_full_pass() {
    let dir = tempfile::tempdir().unwrap();
    let demo_case = demo(dir.path());
    let dump = dir.path().join("demo-dump");
    let key_line = lc(["keys", "list", demo_case.to_str().unwrap(), "--json"]).json();
    let key = format!(
        "{} {}",
        key_line["name"].as_str().unwrap(),
        key_line["txt"].as_str().unwrap()
    );

    // A case of the mail alone, without its key.
    let case = dir.path().join("case");
    assert_eq!(lc(["init", case.to_str().unwrap(), "-q"]).code, 0);
    let ingest = |source: &Path| {
        let r = lc([
            "ingest",
            case.to_str().unwrap(),
            source.to_str().unwrap(),
            "-q",
        ]);
        assert!(r.code <= 1, "{}", r.stderr);
    };
    ingest(&dump.join("mail"));
    ingest(&dump.join("signed"));
    let emails = crate::util::stats(&case).emails;
    let (_, first) = verify(&case, &[]);
    assert_eq!(first, Some(emails), "the first pass checks every email");

    // Nothing changed: nothing re-checked, the same results.
    let before = reports(&case, &[]);
    let (out, again) = verify(&case, &[]);
    assert_eq!(again, None, "{out}");
    assert_eq!(reports(&case, &[]), before);

    // The key: only the emails signed with its selector are re-checked.
    let r = lc([
        "keys",
        "add",
        case.to_str().unwrap(),
        "--record",
        &key,
        "--source",
        "test",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (out, keyed) = verify(&case, &[]);
    let keyed = keyed.unwrap_or_else(|| panic!("{out}"));
    assert!(keyed > 0 && keyed < emails, "{keyed} of {emails}: {out}");
    let after_key = reports(&case, &[]);
    assert!(
        after_key.iter().any(|j| j["verdict"] == "authentic"),
        "the key proves the signed mail"
    );

    // One more source: its new emails are re-checked, no others.
    ingest(&dump.join("maildir"));
    let now = crate::util::stats(&case).emails;
    assert!(now > emails);
    let (out, added) = verify(&case, &[]);
    assert_eq!(added, Some(now - emails), "{out}");

    // A tag changes no verdict: nothing is re-checked.
    let incremental = reports(&case, &[]);
    let first_id = leakcheck_core::ItemId::parse(incremental[0]["id"].as_str().unwrap()).unwrap();
    let c = leakcheck_store::Case::open(&case).unwrap();
    c.catalog()
        .unwrap()
        .add_tag(&first_id, "checked", "test")
        .unwrap();
    let (out, tagged) = verify(&case, &[]);
    assert_eq!(tagged, None, "{out}");

    // The incremental result is the full pass's, finding for finding.
    let (_, full) = verify(&case, &["--all"]);
    assert_eq!(full, Some(now));
    let full = reports(&case, &[]);
    assert_eq!(incremental.len(), full.len());
    for (a, b) in incremental.iter().zip(&full) {
        assert_eq!(a, b);
    }
}

#[test]
fn a_verify_killed_at_any_point_then_run_again_equals_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let demo_case = demo(dir.path());
    // A pass big enough to be caught half-way: the demo's signed mail
    // among thousands of others.
    let dump = dir.path().join("many");
    copy_dir(&dir.path().join("demo-dump"), &dump.join("demo"));
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n".repeat(20);
    let mut mbox = String::new();
    for n in 0..4000 {
        mbox.push_str(&format!(
            "From sender{n}@example.org Mon Apr 10 09:00:00 2017\n"
        ));
        mbox.push_str(&mail(n, &body).replace("\r\n", "\n"));
        mbox.push('\n');
    }
    fs::write(dump.join("box.mbox"), mbox).unwrap();
    let key_line = lc(["keys", "list", demo_case.to_str().unwrap(), "--json"]).json();
    let key = format!(
        "{} {}",
        key_line["name"].as_str().unwrap(),
        key_line["txt"].as_str().unwrap()
    );
    let case = dir.path().join("case");
    assert_eq!(lc(["init", case.to_str().unwrap(), "-q"]).code, 0);
    let r = lc([
        "ingest",
        case.to_str().unwrap(),
        dump.to_str().unwrap(),
        "-q",
    ]);
    assert!(r.code <= 1, "{}", r.stderr);
    verify(&case, &[]);
    let r = lc([
        "keys",
        "add",
        case.to_str().unwrap(),
        "--record",
        &key,
        "--source",
        "test",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The clean result of this change, from a copy of the case.
    let clean = dir.path().join("clean");
    copy_dir(&case, &clean);
    let want = reports(&clean, &[]);

    for (ms, all) in [(300, false), (900, true), (1800, false), (2500, true)] {
        let mut child = Command::new(bin())
            .args(["verify", case.to_str().unwrap(), "-q"])
            .args(all.then_some("--all"))
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(reports(&case, &[]), want);
}
