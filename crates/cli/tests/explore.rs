//! `thread`, `people` and `timeline` on a dump that holds every case JWZ
//! threading has to get right.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::util::{ingest, lc, sha256};

const ANNE: &str = "Anne Martin <anne@campaign.example>";
const BRUNO: &str = "Bruno Petit <bruno@campaign.example>";
const CLAIRE: &str = "Claire Roux <claire@campaign.example>";
const DAN: &str = "Dan <dan@campaign.example>";

/// `(file name, headers, body)`; headers with an empty value are left out.
type Mail = (
    &'static str,
    [(&'static str, &'static str); 7],
    &'static str,
);

fn mails() -> Vec<Mail> {
    let h = |from, to, cc, subject, date, mid, refs| {
        [
            ("From", from),
            ("To", to),
            ("Cc", cc),
            ("Subject", subject),
            ("Date", date),
            ("Message-ID", mid),
            ("References", refs),
        ]
    };
    vec![
        (
            "root.eml",
            h(
                ANNE,
                "team@campaign.example",
                "",
                "Budget",
                "Mon, 10 Apr 2017 09:00:00 +0200",
                "<r@campaign.example>",
                "",
            ),
            "The April figures.",
        ),
        (
            "reply1.eml",
            h(
                BRUNO,
                ANNE,
                "",
                "Re: Budget",
                "Mon, 10 Apr 2017 10:00:00 +0200",
                "<a1@campaign.example>",
                "<r@campaign.example>\r\nIn-Reply-To: <r@campaign.example>",
            ),
            "Thanks.",
        ),
        (
            "reply2.eml",
            h(
                CLAIRE,
                ANNE,
                BRUNO,
                "Re: Budget",
                "Mon, 10 Apr 2017 11:00:00 +0200",
                "<a2@campaign.example>",
                "<r@campaign.example>\r\nIn-Reply-To: <r@campaign.example>",
            ),
            "Looks right.",
        ),
        (
            // The same message kept in another folder: other bytes, one Message-ID.
            "reply2-copy.eml",
            h(
                CLAIRE,
                ANNE,
                BRUNO,
                "Re: Budget",
                "Mon, 10 Apr 2017 11:00:00 +0200",
                "<a2@campaign.example>",
                "<r@campaign.example>\r\nIn-Reply-To: <r@campaign.example>\r\nX-Folder: Sent",
            ),
            "Looks right.",
        ),
        (
            "reply3.eml",
            h(
                ANNE,
                BRUNO,
                "",
                "Re: Re: Budget",
                "Mon, 10 Apr 2017 12:00:00 +0200",
                "<a3@campaign.example>",
                "<r@campaign.example> <a1@campaign.example>\r\nIn-Reply-To: <a1@campaign.example>",
            ),
            "You're welcome.",
        ),
        (
            // Its parent is not in the dump.
            "orphan.eml",
            h(
                BRUNO,
                ANNE,
                "",
                "Re: Budget",
                "Mon, 10 Apr 2017 13:00:00 +0200",
                "<m@campaign.example>",
                "<r@campaign.example> <gone@campaign.example>\r\nIn-Reply-To: <gone@campaign.example>",
            ),
            "See below.",
        ),
        (
            "forward.eml",
            h(
                ANNE,
                "press@news.example",
                "",
                "Fwd: Budget",
                "Mon, 10 Apr 2017 14:00:00 +0200",
                "<f@campaign.example>",
                "",
            ),
            "FYI.",
        ),
        (
            "no-id.eml",
            h(
                CLAIRE,
                ANNE,
                "",
                "Re: Budget",
                "Mon, 10 Apr 2017 15:00:00 +0200",
                "",
                "",
            ),
            "One more thing.",
        ),
        (
            "loop-a.eml",
            h(
                DAN,
                ANNE,
                "",
                "Loop",
                "Tue, 2 May 2017 08:00:00 +0000",
                "<c1@campaign.example>",
                "<c2@campaign.example>",
            ),
            "A.",
        ),
        (
            "loop-b.eml",
            h(
                ANNE,
                DAN,
                "",
                "Re: Loop",
                "Tue, 2 May 2017 09:00:00 +0000",
                "<c2@campaign.example>",
                "<c1@campaign.example>",
            ),
            "B.",
        ),
        (
            "undated.eml",
            h(ANNE, BRUNO, "", "Note", "", "<n@campaign.example>", ""),
            "No date.",
        ),
    ]
}

/// Writes the dump and a text file, ingests them; returns the case and
/// each file's item id.
fn case(dir: &Path) -> (PathBuf, HashMap<&'static str, String>) {
    let dump = dir.join("dump");
    fs::create_dir(&dump).unwrap();
    let mut ids = HashMap::new();
    for (name, headers, body) in mails() {
        let mut text = String::new();
        for (k, v) in headers.iter().filter(|(_, v)| !v.is_empty()) {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text.push_str(&format!("\r\n{body}\r\n"));
        fs::write(dump.join(name), &text).unwrap();
        ids.insert(name, sha256(text.as_bytes()));
    }
    fs::write(dump.join("notes.txt"), "not an email").unwrap();
    ids.insert("notes.txt", sha256(b"not an email"));
    let (case, run) = ingest(dir, &[&dump]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (case, ids)
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn thread_people_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let (case, ids) = case(dir.path());
    let case = case.as_os_str();

    // thread: the whole tree from a reply to a reply.
    let r = lc([
        "thread".as_ref(),
        case,
        ids["reply3.eml"][..10].as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = r.json();
    assert_eq!(t["type"], "thread");
    assert_eq!(t["item"], ids["reply3.eml"].as_str());
    assert_eq!(
        (&t["messages"], &t["missing"], &t["items"]),
        (&7.into(), &1.into(), &8.into())
    );
    let root = &t["root"];
    assert_eq!(root["message_id"], "r@campaign.example");
    assert_eq!(root["items"][0], ids["root.eml"].as_str());
    assert_eq!(root["from"][0]["name"], "Anne Martin");
    let kids = root["children"].as_array().unwrap();
    let mids: Vec<Option<&str>> = kids.iter().map(|k| k["message_id"].as_str()).collect();
    assert_eq!(
        mids,
        [
            Some("a1@campaign.example"),
            Some("a2@campaign.example"),
            Some("gone@campaign.example"),
            Some("f@campaign.example"),
            None,
        ]
    );
    assert_eq!(kids[0]["children"][0]["message_id"], "a3@campaign.example");
    let mut copies: Vec<&str> = kids[1]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    copies.sort();
    let mut expected = [ids["reply2.eml"].as_str(), ids["reply2-copy.eml"].as_str()];
    expected.sort();
    assert_eq!(copies, expected);
    assert_eq!(kids[2]["items"], Value::Array(vec![]));
    assert_eq!(kids[2]["children"][0]["message_id"], "m@campaign.example");
    assert_eq!(kids[3]["by_subject"], true);
    assert_eq!(kids[4]["by_subject"], true);
    assert_eq!(kids[4]["items"][0], ids["no-id.eml"].as_str());
    assert_eq!(kids[0]["by_subject"], false);

    // The same tree from any of its messages; the text marks the one asked for.
    let r = lc(["thread".as_ref(), case, ids["no-id.eml"].as_ref()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("7 messages in the dump, 1 not in the dump, 8 items\n  2017-04-10 09:00  Anne Martin  Budget  "), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\n    (not in the dump) <gone@campaign.example>\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "\n*   2017-04-10 15:00  Claire Roux  Re: Budget  {} (by subject)\n",
            &ids["no-id.eml"][..12]
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(" (2 copies)\n"), "{}", r.stdout);

    // The References cycle is one thread of two, whichever way round.
    let t = lc([
        "thread".as_ref(),
        case,
        ids["loop-a.eml"].as_ref(),
        "--json".as_ref(),
    ])
    .json();
    assert_eq!((&t["messages"], &t["missing"]), (&2.into(), &0.into()));
    assert_eq!(t["root"]["children"].as_array().unwrap().len(), 1);

    // Not an email: nothing found. Not an item: an error.
    let r = lc(["thread".as_ref(), case, ids["notes.txt"].as_ref()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not an email"), "{}", r.stderr);
    assert_eq!(lc(["thread".as_ref(), case, "ffffffffff".as_ref()]).code, 2);

    // people: pairs by count, then people, then the summary.
    let r = lc([
        "people".as_ref(),
        case,
        "--limit".as_ref(),
        "3".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = lines(&r.stdout);
    let pairs: Vec<(&str, &str, u64)> = rows
        .iter()
        .filter(|r| r["type"] == "pair")
        .map(|r| {
            (
                r["from"].as_str().unwrap(),
                r["to"].as_str().unwrap(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("anne@campaign.example", "bruno@campaign.example", 2),
            ("bruno@campaign.example", "anne@campaign.example", 2),
            ("claire@campaign.example", "anne@campaign.example", 2),
        ]
    );
    assert_eq!(rows[0]["from_name"], "Anne Martin");
    // The undated note counts, but gives no date.
    assert_eq!(rows[0]["first"], "2017-04-10T12:00:00+02:00");
    assert_eq!(rows[0]["last"], "2017-04-10T12:00:00+02:00");
    let people: Vec<(&str, u64, u64)> = rows
        .iter()
        .filter(|r| r["type"] == "person")
        .map(|r| {
            (
                r["address"].as_str().unwrap(),
                r["sent"].as_u64().unwrap(),
                r["received"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            ("anne@campaign.example", 5, 5),
            ("bruno@campaign.example", 2, 3),
            ("claire@campaign.example", 2, 0),
        ]
    );
    let summary = rows.last().unwrap();
    assert_eq!(
        summary,
        &json!({"type": "summary", "emails": 11, "copies": 1, "no_sender": 0,
                "no_recipients": 0, "pairs": 8, "people": 6})
    );

    // timeline: months, then weeks with the silence between them.
    let r = lc(["timeline".as_ref(), case, "--json".as_ref()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = lines(&r.stdout);
    let buckets: Vec<(&str, u64, u64)> = rows
        .iter()
        .filter(|r| r["type"] == "bucket")
        .map(|r| {
            (
                r["period"].as_str().unwrap(),
                r["emails"].as_u64().unwrap(),
                r["empty_before"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(buckets, [("2017-04", 7, 0), ("2017-05", 2, 0)]);
    assert_eq!(
        rows.last().unwrap(),
        &json!({"type": "summary", "by": "month", "emails": 11, "dated": 9, "undated": 1,
                "copies": 1})
    );
    let r = lc(["timeline".as_ref(), case, "--by".as_ref(), "week".as_ref()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "2017-W15        7  {}\n            … 2 weeks without email\n2017-W18        2  {}\n\
             11 email items = 9 dated + 1 undated + 1 copy of a message already counted\n",
            "#".repeat(50),
            "#".repeat(15)
        )
    );
}

#[test]
fn a_case_without_email_has_nothing_to_show() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = ingest(dir.path(), &[]);
    for cmd in ["people", "timeline"] {
        let r = lc([cmd.as_ref(), case.as_os_str(), "--json".as_ref()]);
        assert_eq!(r.code, 1, "{cmd}: {}", r.stderr);
        assert_eq!(r.json()["emails"], 0, "{cmd}");
        let r = lc([cmd.as_ref(), case.as_os_str(), "-q".as_ref()]);
        assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{cmd}");
    }
}

#[test]
fn the_demo_kickoff_is_a_thread() {
    let dir = tempfile::tempdir().unwrap();
    let case = crate::util::demo(dir.path());
    let r = lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--kind".as_ref(),
        "email".as_ref(),
        "--limit".as_ref(),
        "1000".as_ref(),
        "--json".as_ref(),
    ]);
    let reply = lines(&r.stdout)
        .into_iter()
        .find(|e| e["subject"] == "Re: Réunion de lancement")
        .expect("the demo's reply");
    let t = lc([
        "thread".as_ref(),
        case.as_os_str(),
        reply["id"].as_str().unwrap().as_ref(),
        "--json".as_ref(),
    ])
    .json();
    assert_eq!(t["root"]["message_id"], "kickoff-1@campaign.example");
    assert_eq!(
        t["root"]["children"][0]["message_id"],
        "kickoff-2@campaign.example"
    );
}
