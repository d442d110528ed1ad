//! The commands as a user meets them: init, ingest, stats, ls, show, errors, audit, demo.

use std::fs;

use crate::util::{ingest, lc, mail, sha256, stats, zip_of};

#[test]
fn init_records_settings_and_refuses_a_used_folder() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("c");
    let r = lc([
        "init".as_ref(),
        case.as_os_str(),
        "--name".as_ref(),
        "Macron leak".as_ref(),
        "--window".as_ref(),
        "2017-01-01..2017-04-24".as_ref(),
        "--org-domain".as_ref(),
        "En-Marche.fr".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let toml = fs::read_to_string(case.join("case.toml")).unwrap();
    assert!(
        toml.contains("Macron leak")
            && toml.contains("2017-04-24")
            && toml.contains("en-marche.fr"),
        "{toml}"
    );
    assert!(case.join("catalog.sqlite").exists() && case.join("custody.jsonl").exists());
    let again = lc(["init".as_ref(), case.as_os_str()]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);
    let bad = lc([
        "init".as_ref(),
        dir.path().join("d").as_os_str(),
        "--window".as_ref(),
        "2017-04-24..2017-01-01".as_ref(),
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--window"), "{}", bad.stderr);
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.zip");
    let r = lc(["stats".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a leakcheck case"), "{}", r.stderr);
    let (case, _) = ingest(dir.path(), &[]);
    let r = lc(["ingest".as_ref(), case.as_os_str(), missing.as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nowhere.zip"), "{}", r.stderr);
    let r = lc([
        "ingest".as_ref(),
        case.as_os_str(),
        case.join("blobs").as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("inside the case"), "{}", r.stderr);
}

#[test]
fn ingest_twice_adds_nothing_and_custody_records_both() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    fs::write(dump.join("a.eml"), mail(1, "hello")).unwrap();
    fs::write(dump.join("copy-of-a.eml"), mail(1, "hello")).unwrap();
    fs::write(
        dump.join("z.zip"),
        zip_of(&[
            ("inner/a.eml", mail(1, "hello").as_bytes()),
            ("b.txt", b"b"),
        ]),
    )
    .unwrap();
    let (case, first) = ingest(dir.path(), &[&dump]);
    let s1 = stats(&case);
    assert_eq!(
        (s1.files_seen, s1.items, s1.duplicates, s1.errors),
        (5, 3, 2, 0),
        "{}",
        first.stdout
    );
    assert_eq!(s1.emails, 1);
    let again = lc([
        "ingest".as_ref(),
        case.as_os_str(),
        dump.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(stats(&case), s1);
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = custody
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["event"], "finished");
    assert_eq!(lines[1]["files"], 3);
    assert_eq!(
        lines[1]["sha256"], lines[3]["sha256"],
        "the folder manifest hash is stable"
    );
}

#[test]
fn stats_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("one.eml");
    fs::write(&f, mail(7, "x")).unwrap();
    let (case, _) = ingest(dir.path(), &[&f]);
    let j = lc(["stats".as_ref(), case.as_os_str(), "--json".as_ref()]).json();
    for key in [
        "files_seen",
        "items",
        "duplicates",
        "errors",
        "emails",
        "by_kind",
    ] {
        assert!(j.get(key).is_some(), "stats --json lacks {key}: {j}");
    }
    assert_eq!(j["by_kind"]["email"], 1);
    assert_eq!(j["files_seen"], 1);
}

#[test]
fn ls_show_and_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("m.eml");
    let raw = mail(3, "Bonjour");
    fs::write(&f, &raw).unwrap();
    let (case, _) = ingest(dir.path(), &[&f]);
    let id = sha256(raw.as_bytes());
    let ls = lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--kind".as_ref(),
        "email".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(ls.code, 0);
    assert_eq!(ls.json()["id"], id.as_str());
    let none = lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--kind".as_ref(),
        "pdf".as_ref(),
    ]);
    assert_eq!(none.code, 1, "nothing listed exits 1");
    let bad = lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--kind".as_ref(),
        "exe".as_ref(),
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("known kinds"), "{}", bad.stderr);
    let show = lc(["show".as_ref(), case.as_os_str(), id[..10].as_ref()]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains("message 3") && show.stdout.contains("Bonjour"),
        "{}",
        show.stdout
    );
    let j = lc([
        "show".as_ref(),
        case.as_os_str(),
        id.as_ref(),
        "--json".as_ref(),
    ])
    .json();
    assert_eq!(j["email"]["subject"], "message 3");
    assert_eq!(j["occurrences"][0]["display"], f.display().to_string());
    let original = lc([
        "show".as_ref(),
        case.as_os_str(),
        id[..10].as_ref(),
        "--raw".as_ref(),
    ]);
    assert_eq!(original.code, 0, "{}", original.stderr);
    assert_eq!(original.stdout, raw, "--raw gives the original bytes");
    let missing = lc(["show".as_ref(), case.as_os_str(), "ffff".as_ref()]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no item matches"),
        "{}",
        missing.stderr
    );
}

#[test]
fn audit_finds_a_changed_original() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("m.eml");
    let raw = mail(4, "original");
    fs::write(&f, &raw).unwrap();
    let (case, _) = ingest(dir.path(), &[&f]);
    let ok = lc(["audit".as_ref(), case.as_os_str(), "--json".as_ref()]);
    assert_eq!(ok.code, 0);
    assert_eq!(ok.json()["ok"], 1);
    let id = sha256(raw.as_bytes());
    let blob = case.join("blobs").join(&id[..2]).join(&id);
    assert!(
        fs::metadata(&blob).unwrap().permissions().readonly(),
        "blobs are read-only"
    );
    let mut p = fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    fs::set_permissions(&blob, p).unwrap();
    fs::write(&blob, raw.replace("original", "forged")).unwrap();
    let bad = lc(["audit".as_ref(), case.as_os_str(), "--json".as_ref()]);
    assert_eq!(bad.code, 1);
    assert_eq!(bad.json()["mismatched"][0]["id"], id.as_str());
    assert_eq!(
        f.metadata().unwrap().len() as usize,
        raw.len(),
        "the source is untouched"
    );
}

#[test]
fn demo_runs_on_a_fresh_folder_and_again() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let r = lc(["demo".as_ref(), "--dir".as_ref(), dir.path().as_os_str()]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("files seen"), "{}", r.stdout);
    }
    let s = stats(&dir.path().join("demo-case"));
    assert_eq!(s.files_seen, s.items + s.duplicates + s.errors);
    assert!(
        s.emails >= 6 && s.duplicates >= 1 && s.unsupported == 0,
        "{s:?}"
    );
    assert!(
        s.by_kind.contains_key("tar") && s.by_kind.contains_key("mbox"),
        "{s:?}"
    );
    assert_eq!(s.errors, 1, "the truncated zip loses one member: {s:?}");
    assert_eq!(
        (
            s.outlook.msg_files,
            s.outlook.messages_emitted,
            s.outlook.attachments_emitted
        ),
        (1, 1, 1),
        "the Outlook message is opened: {s:?}"
    );
    assert!(s.containers.unreconciled.is_empty(), "{s:?}");
    fs::create_dir_all(dir.path().join("other/demo-case")).unwrap();
    fs::write(dir.path().join("other/demo-case/keep"), "x").unwrap();
    let refused = lc([
        "demo".as_ref(),
        "--dir".as_ref(),
        dir.path().join("other").as_os_str(),
    ]);
    assert_eq!(refused.code, 2, "never deletes a folder it did not make");
}

/// What the demo and the commands it suggests print counts things in
/// words that agree with the count: never "1 items", "1 groups of", nor a
/// hedge like "place(s)"; and the suggested commands name a program that
/// runs (here, the binary under test, which is not on the PATH).
#[test]
fn counts_read_in_the_singular_and_plural_they_need() {
    let dir = tempfile::tempdir().unwrap();
    let demo = lc(["demo".as_ref(), "--dir".as_ref(), dir.path().as_os_str()]);
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    let case = dir.path().join("demo-case");
    let mut printed = demo.stdout.clone();
    for cmd in ["stats", "verify", "variants", "people", "timeline", "keys"] {
        let mut args = vec![std::ffi::OsString::from(cmd)];
        if cmd == "keys" {
            args.push("list".into());
        }
        args.push(case.clone().into_os_string());
        printed.push_str(&lc(args).stdout);
    }
    let hedge = printed
        .lines()
        .find(|l| l.contains("(s)") || l.contains("(ies)") || l.contains("(es)"));
    assert_eq!(hedge, None, "a count hedged instead of written");
    let nouns = [
        "items",
        "files",
        "places",
        "problems",
        "messages",
        "groups",
        "emails",
        "documents",
        "signatures",
        "keys",
        "attachments",
        "containers",
        "texts",
        "images",
        "names",
        "dates",
        "bytes",
        "fields",
        "updates",
        "objects",
        "headers",
        "copies",
    ];
    for line in printed.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            let number = pair[0].trim_start_matches(['(', '[']);
            let noun = pair[1].trim_end_matches([',', ';', ':', ')', '.']);
            assert!(
                !(number == "1" && nouns.contains(&noun)),
                "\"1 {noun}\" in: {line}"
            );
        }
    }
    // The demo's next steps run as printed.
    let next = demo
        .stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_suffix(&format!(" people {}", case.display()))
        })
        .unwrap_or_else(|| panic!("no people step in: {}", demo.stdout));
    assert!(
        next == "leakcheck" || std::path::Path::new(next).exists(),
        "the next steps name {next:?}, which does not run"
    );
}
