//! DKIM acceptance: the shared corpus vectors give the results their
//! MANIFEST expects (skipped, saying so, without the corpus), and the whole
//! verify flow works end to end on generated mail.

use std::fs;
use std::path::Path;

use crate::util::{corpus, demo, ingest, lc, sha256};

/// Splits a mail-auth resource: `name TXT` lines, a blank line, the message.
fn split_inline(text: &str) -> (Vec<String>, String) {
    let (keys, msg) = text.split_once("\n\n").expect("keys, blank line, message");
    (keys.lines().map(str::to_string).collect(), msg.to_string())
}

/// A message, the key lines it needs, and per signature (top first) the
/// result it must give.
type Vector = (String, Vec<u8>, Vec<String>, Vec<&'static str>);

fn vectors(root: &Path) -> Vec<Vector> {
    let read = |p: &str| fs::read(root.join(p)).unwrap();
    let key_lines = |p: &str| {
        fs::read_to_string(root.join(p))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut v = vec![(
        "rfc8463/signed.eml".to_string(),
        read("rfc8463/signed.eml"),
        key_lines("rfc8463/dns-txt.txt"),
        vec!["pass", "pass"],
    )];
    for (name, expect) in [
        ("dkim/001.txt", vec!["pass", "pass"]),
        ("dkim/002.txt", vec!["pass"]),
        ("dkim/003.txt", vec!["pass", "pass"]),
        ("dkim/004.txt", vec!["pass"]),
        ("dkim/005.txt", vec!["pass"]), // x= is past today, not at t=
        ("dkim/006.txt", vec!["pass"]),
        ("arc/001.txt", vec!["pass", "pass", "body-modified"]),
        ("arc/002.txt", vec!["pass"]),
    ] {
        let (keys, msg) =
            split_inline(&fs::read_to_string(root.join("mail-auth").join(name)).unwrap());
        v.push((format!("mail-auth/{name}"), msg.into_bytes(), keys, expect));
    }
    let football = key_lines("keys/football.example.com_rfc8463.txt");
    for (name, keys, expect) in [
        ("rfc6376.signed.msg", football.clone(), vec!["pass", "pass"]),
        ("rfc6376.signed.rsa.msg", football.clone(), vec!["pass"]),
        ("rfc6376.signed.no_t.msg", football, vec!["header-modified"]),
        (
            "ed25519test2.msg",
            key_lines("keys/test.ex_sed_dkimpy.txt"),
            vec!["pass"],
        ),
        (
            "test2.message",
            key_lines("keys/gmail.com_20120113.txt"),
            vec!["pass"],
        ),
        (
            "test.message.baddomain",
            key_lines("keys/example.com_test_dkimpy.txt"),
            vec!["malformed"],
        ),
    ] {
        v.push((
            format!("dkimpy/{name}"),
            read(&format!("dkimpy/{name}")),
            keys,
            expect,
        ));
    }
    // The same gmail message with its key revoked, and with no key at all.
    v.push((
        "dkimpy/test2.message (revoked key)".into(),
        read("dkimpy/test2.message"),
        key_lines("keys/gmail.com_20120113.REVOKED.txt"),
        vec!["key-revoked"],
    ));
    v
}

/// Verifies each vector in a case of its own (keys differ between vectors).
fn verify_one(dir: &Path, msg: &[u8], keys: &[String]) -> serde_json::Value {
    let dump = dir.join("dump");
    fs::create_dir_all(&dump).unwrap();
    fs::write(dump.join("m.eml"), msg).unwrap();
    fs::write(dir.join("keys.txt"), keys.join("\n")).unwrap();
    let (case, _) = ingest(dir, &[&dump]);
    if !keys.iter().all(|k| k.trim().is_empty()) {
        let r = lc([
            "keys".as_ref(),
            "import".as_ref(),
            case.as_os_str(),
            dir.join("keys.txt").as_os_str(),
            "--source".as_ref(),
            "shared corpus".as_ref(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let out = lc(["verify".as_ref(), case.as_os_str(), "--json".as_ref()]);
    assert!(out.code <= 1, "{}", out.stderr);
    let id = sha256(msg);
    out.stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|j| j["id"] == id.as_str())
        .expect("the message is in the report")
}

#[test]
fn corpus_vectors_give_the_manifest_results() {
    let Some(root) = corpus("dkim") else { return };
    let mut checked = 0;
    for (n, (name, msg, keys, expect)) in vectors(&root).into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let j = verify_one(dir.path(), &msg, &keys);
        let dkim = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "email.dkim")
            .unwrap();
        let got: Vec<&str> = dkim["evidence"]["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["result"].as_str().unwrap())
            .collect();
        assert_eq!(got, expect, "vector {n}: {name}: {}", dkim["summary"]);
        checked += 1;
    }
    assert_eq!(checked, 16);
}

#[test]
fn topicbox_x_is_expired_today_but_valid_when_signed() {
    let Some(root) = corpus("dkim") else { return };
    let (keys, msg) =
        split_inline(&fs::read_to_string(root.join("mail-auth/dkim/005.txt")).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let j = verify_one(dir.path(), msg.as_bytes(), &keys);
    let dkim = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "email.dkim")
        .expect("an email.dkim finding");
    let sig = &dkim["evidence"]["signatures"][0];
    assert_eq!(sig["result"], "pass");
    assert!(
        sig["qualifiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q == "expired-now")
    );
    assert_eq!(j["verdict"], "authentic");
}

#[test]
fn verify_end_to_end_on_generated_mail() {
    let dir = tempfile::tempdir().unwrap();
    // The demo builds DKIM-signed mail with its own key; reuse it as a fixture.
    let case = demo(dir.path());
    let out = lc(["verify".as_ref(), case.as_os_str(), "--json".as_ref()]);
    assert_eq!(out.code, 1, "altered items need a look");
    let items: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |subject_part: &str| {
        items
            .iter()
            .filter(|j| j["kind"] == "email")
            .find(|j| {
                let id = j["id"].as_str().unwrap();
                let show = lc([
                    "show".as_ref(),
                    case.as_os_str(),
                    id.as_ref(),
                    "--json".as_ref(),
                ])
                .json();
                show["email"]["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(subject_part))
            })
            .unwrap_or_else(|| panic!("no email {subject_part:?}"))
            .clone()
    };
    assert_eq!(find("Signed: plan")["verdict"], "authentic");
    assert_eq!(find("Signed: figures")["verdict"], "altered");
    key_archaeology(dir.path());
    // The Outlook .msg keeps a valid DKIM-Signature in its transport headers,
    // but its bytes are rebuilt: no DKIM result may be claimed on them.
    let minutes = find("Compte rendu du comité");
    let dkim = minutes["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "email.dkim")
        .unwrap();
    assert_eq!(dkim["verdict"], "unverifiable", "{dkim}");
    assert!(
        dkim["summary"]
            .as_str()
            .unwrap()
            .starts_with("not verifiable by DKIM: rebuilt from Outlook properties (.msg"),
        "{dkim}"
    );
    assert_eq!(dkim["evidence"]["dkim_signatures_in_transport_headers"], 1);
    assert!(
        !["altered", "authentic"].contains(&minutes["verdict"].as_str().unwrap()),
        "{minutes}"
    );
    let shown = lc([
        "show".as_ref(),
        case.as_os_str(),
        minutes["id"].as_str().unwrap().as_ref(),
    ]);
    assert!(
        shown
            .stdout
            .contains("rebuilt from Outlook properties (.msg)")
            && shown
                .stdout
                .contains("Outlook's copy of the transport headers"),
        "{}",
        shown.stdout
    );
    // The attachment of the authentic email is authentic by provenance.
    let plan = find("Signed: plan");
    let show = lc([
        "show".as_ref(),
        case.as_os_str(),
        plan["id"].as_str().unwrap().as_ref(),
        "--json".as_ref(),
    ])
    .json();
    let child = show["children"][0]["item"].as_str().unwrap().to_string();
    let att = items.iter().find(|j| j["id"] == child.as_str()).unwrap();
    assert_eq!(att["verdict"], "authentic");
    assert_eq!(att["findings"][0]["check"], "archive.provenance");
    // Every item has a verdict that follows from its findings.
    for j in &items {
        let verdicts: Vec<&str> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["verdict"].as_str().unwrap())
            .collect();
        let want = ["authentic", "altered", "suspicious", "consistent"]
            .into_iter()
            .find(|v| verdicts.contains(v))
            .unwrap_or("unverifiable");
        assert_eq!(j["verdict"], want, "{j}");
    }
    let human = lc([
        "show".as_ref(),
        case.as_os_str(),
        plan["id"].as_str().unwrap()[..12].as_ref(),
    ]);
    assert!(
        human.stdout.contains("verification: AUTHENTIC"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("signed headers (h=)"),
        "{}",
        human.stdout
    );
    let stats = lc(["stats".as_ref(), case.as_os_str(), "--json".as_ref()]).json();
    assert!(stats["by_verdict"]["authentic"].as_u64().unwrap() >= 2);
    let altered = lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--verdict".as_ref(),
        "altered".as_ref(),
        "--json".as_ref(),
    ]);
    let rows: Vec<serde_json::Value> = altered
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        2,
        "the tampered figures email and the budget copy that differs from the signed one"
    );
    // A 2017 message signed today verifies, and its signature time is flagged.
    let resigned = find("Signed: consignes");
    let time = resigned["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "email.signature-time")
        .unwrap();
    assert_eq!(time["verdict"], "suspicious", "{time}");
    let plan_time = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "email.signature-time")
        .unwrap();
    assert_eq!(plan_time["verdict"], "consistent", "{plan_time}");
    assert!(rows.iter().all(|r| r["verdict"] == "altered"));
    let bad = lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--verdict".as_ref(),
        "fake".as_ref(),
    ]);
    assert_eq!(bad.code, 2);
}

#[test]
fn keys_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = ingest(dir.path(), &[]);
    let add = lc([
        "keys".as_ref(),
        "add".as_ref(),
        case.as_os_str(),
        "--record".as_ref(),
        "s1._domainkey.example.org v=DKIM1; k=rsa; p=MIGf".as_ref(),
        "--source".as_ref(),
        "archive.org 2015-06-01".as_ref(),
    ]);
    assert_eq!(add.code, 0, "{}", add.stderr);
    let bad = lc([
        "keys".as_ref(),
        "add".as_ref(),
        case.as_os_str(),
        "--record".as_ref(),
        "nonsense".as_ref(),
        "--source".as_ref(),
        "x".as_ref(),
    ]);
    assert_eq!(bad.code, 2);
    fs::write(dir.path().join("k.txt"), "# archived\ns1._domainkey.example.org v=DKIM1; k=rsa; p=MIGf\ns2._domainkey.example.org. \"v=DKIM1; \" \"p=AB\"\n").unwrap();
    let imp = lc([
        "keys".as_ref(),
        "import".as_ref(),
        case.as_os_str(),
        dir.path().join("k.txt").as_os_str(),
        "--source".as_ref(),
        "file".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(imp.json()["added"], 1, "the same key twice is kept once");
    let list = lc([
        "keys".as_ref(),
        "list".as_ref(),
        case.as_os_str(),
        "--json".as_ref(),
    ]);
    let keys: Vec<serde_json::Value> = list
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["source"], "archive.org 2015-06-01");
    assert_eq!(keys[1]["txt"], "v=DKIM1; p=AB");
    fs::write(dir.path().join("bad.txt"), "oops\n").unwrap();
    let r = lc([
        "keys".as_ref(),
        "import".as_ref(),
        case.as_os_str(),
        dir.path().join("bad.txt").as_os_str(),
        "--source".as_ref(),
        "x".as_ref(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.txt:1"), "{}", r.stderr);
}

#[test]
fn arc_vectors_pass() {
    let Some(root) = corpus("dkim") else { return };
    for name in ["arc/001.txt", "arc/002.txt"] {
        let (keys, msg) =
            split_inline(&fs::read_to_string(root.join("mail-auth").join(name)).unwrap());
        let dir = tempfile::tempdir().unwrap();
        let j = verify_one(dir.path(), msg.as_bytes(), &keys);
        let arc = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "email.arc")
            .unwrap();
        assert_eq!(
            arc["evidence"]["result"], "pass",
            "{name}: {}",
            arc["summary"]
        );
        assert_eq!(arc["verdict"], "consistent");
    }
}

#[test]
fn keys_missing_lists_what_to_look_for_and_fetch_stores_nothing_it_did_not_find() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let none = lc(["keys".as_ref(), "missing".as_ref(), case.as_os_str()]);
    assert_eq!(none.code, 0, "the demo key is in the case: {}", none.stdout);
    let dump = dir.path().join("more");
    fs::create_dir_all(&dump).unwrap();
    fs::write(
        dump.join("m.eml"),
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.invalid; s=old2015; h=from; bh=AAAA; b=AAAA\r\n\
         From: a@example.invalid\r\nDate: Mon, 10 Apr 2017 09:00:00 +0000\r\nSubject: x\r\n\r\nhi\r\n",
    )
    .unwrap();
    let r = lc([
        "ingest".as_ref(),
        case.as_os_str(),
        dump.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(r.code <= 1, "{}", r.stderr);
    let missing = lc([
        "keys".as_ref(),
        "missing".as_ref(),
        case.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(missing.code, 1);
    let j = missing.json();
    assert_eq!(j["name"], "old2015._domainkey.example.invalid");
    assert_eq!(j["signatures"], 1);
    // `.invalid` never resolves (RFC 6761): the lookup fails, nothing is stored.
    let fetch = lc([
        "keys".as_ref(),
        "fetch".as_ref(),
        case.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(fetch.code, 1, "{}{}", fetch.stdout, fetch.stderr);
    assert_eq!(fetch.json()["found"], false);
    let list = lc([
        "keys".as_ref(),
        "list".as_ref(),
        case.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(list.stdout.lines().count(), 1, "only the demo key");
}

fn json_lines(run: &crate::util::Run) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The demo's key-recovery case (its key recovered, then imported), and
/// the same two emails in fresh cases for the time bound, the archive
/// window and the published private key.
fn key_archaeology(dir: &Path) {
    let keys_case = dir.join("demo-keys-case");
    let keys = json_lines(&lc([
        "keys".as_ref(),
        "list".as_ref(),
        keys_case.as_os_str(),
        "--json".as_ref(),
    ]));
    assert_eq!(keys.len(), 2, "{keys:?}");
    let imported = keys.iter().find(|k| k["origin"] == "imported").unwrap();
    let recovered = keys.iter().find(|k| k["origin"] == "recovered").unwrap();
    // Recovered exactly: the same TXT record the signer published.
    assert_eq!(imported["txt"], recovered["txt"]);
    assert!(
        recovered["source"]
            .as_str()
            .unwrap()
            .contains("2 of 2 signatures read verify with it"),
        "{recovered}"
    );
    let verdicts = json_lines(&lc([
        "verify".as_ref(),
        keys_case.as_os_str(),
        "--json".as_ref(),
    ]));
    assert_eq!(verdicts.len(), 2);
    for v in &verdicts {
        assert_eq!(v["verdict"], "authentic", "{v}");
        let dkim = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "email.dkim")
            .unwrap();
        let sig = &dkim["evidence"]["signatures"][0];
        assert_eq!(sig["key_origin"], "imported");
        assert_eq!(sig["key_twin"], recovered["source"], "{sig}");
    }

    let dump = dir.join("demo-keys-dump");
    let fresh = |name: &str| {
        let (case, run) = crate::util::ingest(&dir.join(name), &[dump.as_path()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        case
    };
    // Missing, and said to be recoverable; --max-seconds bounds the work.
    let case = fresh("bounded");
    let missing = lc(["keys".as_ref(), "missing".as_ref(), case.as_os_str()]);
    assert!(
        missing
            .stdout
            .contains("recoverable from its 2 RSA signatures"),
        "{}",
        missing.stdout
    );
    let t0 = std::time::Instant::now();
    let run = lc([
        "keys".as_ref(),
        "recover".as_ref(),
        case.as_os_str(),
        "--max-seconds".as_ref(),
        "1".as_ref(),
        "--json".as_ref(),
    ]);
    assert!(
        t0.elapsed().as_secs() < 10,
        "not bounded: {:?}",
        t0.elapsed()
    );
    assert_eq!(run.code, 1);
    let j = run.json();
    assert_eq!(j["outcome"], "not-recovered");
    assert_eq!(j["reason"], "the time given (--max-seconds) ran out");

    // An archive saw the key from 2019 on: the 2017 signatures are far
    // outside its window (suspicious); an archive window around 2017 is fine.
    let txt = imported["txt"].as_str().unwrap();
    let p = txt.split("p=").nth(1).unwrap();
    for (name, first, verdict) in [
        ("far", "2019-01-01", "suspicious"),
        ("near", "2017-01-01", "authentic"),
    ] {
        let case = fresh(name);
        let csv = dir.join(format!("{name}.csv"));
        std::fs::write(
            &csv,
            format!("domain,selector,key,first_seen,last_seen\nnews.example,press2017,{p},{first},2020-06-30\n"),
        )
        .unwrap();
        let run = lc([
            "keys".as_ref(),
            "import".as_ref(),
            case.as_os_str(),
            "--archive".as_ref(),
            csv.as_os_str(),
            "--source".as_ref(),
            "test archive".as_ref(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for v in json_lines(&lc([
            "verify".as_ref(),
            case.as_os_str(),
            "--json".as_ref(),
        ])) {
            assert_eq!(v["verdict"], verdict, "{v}");
        }
    }

    // The private half public since 14 April 2017 (the start of that day):
    // the email signed on the 13th verifies, the one signed on the 14th is
    // unverifiable.
    let case = fresh("published");
    let run = lc([
        "keys".as_ref(),
        "add".as_ref(),
        case.as_os_str(),
        "--record".as_ref(),
        format!("press2017._domainkey.news.example {txt}").as_ref(),
        "--source".as_ref(),
        "the operator's page".as_ref(),
        "--private-key-published".as_ref(),
        "2017-04-14".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut by_verdict: Vec<String> = json_lines(&lc([
        "verify".as_ref(),
        case.as_os_str(),
        "--json".as_ref(),
    ]))
    .iter()
    .map(|v| {
        let dkim = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "email.dkim")
            .unwrap();
        format!("{} {}", dkim["verdict"].as_str().unwrap(), dkim["summary"])
    })
    .collect();
    by_verdict.sort();
    assert!(by_verdict[0].starts_with("authentic"), "{by_verdict:?}");
    assert!(
        by_verdict[1].starts_with("unverifiable")
            && by_verdict[1].contains(
                "the signing key's private half has been public since 2017-04-14: anyone could have signed"
            ),
        "{by_verdict:?}"
    );
}
