//! The mail rules on a small signed dump built here: a reply that quotes a
//! signed message (not a near-copy of it), a forward that changes it
//! (flagged), a copy with the same Message-ID and another figure (altered,
//! with the difference from the authentic copy), and `check` on an outside
//! copy of the signed message.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;

use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use mail_auth::dkim::generate::DkimKeyPair;
use serde_json::Value;

use crate::util::lc;

const TEXT: &str = "Bonjour à tous, the board approved the budget of 12000 euros for the \
    posters in Lyon, and the treasurer will transfer the money on Monday after the weekly \
    meeting with the campaign team. Volunteers put the posters up in every district before \
    the rally on Saturday. Anne";

fn mail(mid: &str, subject: &str, extra: &str, body: &str) -> String {
    format!(
        "From: Anne Martin <anne@campaign.example>\r\nTo: team@campaign.example\r\n\
         Subject: {subject}\r\nDate: Wed, 12 Apr 2017 18:02:00 +0200\r\nMessage-ID: <{mid}>\r\n{extra}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

#[test]
fn replies_are_not_copies_forwards_and_message_id_copies_are() {
    let dir = tempfile::tempdir().unwrap();
    let key = DkimKeyPair::generate_ed25519().unwrap();
    let signer = |msg: &str| {
        let k = Ed25519Key::from_pkcs8_der(key.private_key()).unwrap();
        let sig = DkimSigner::from_key(k)
            .domain("campaign.example")
            .selector("s1")
            .headers(["From", "To", "Subject", "Date", "Message-ID"])
            .sign(msg.as_bytes())
            .unwrap();
        format!("{}{msg}", sig.to_header())
    };
    let dump = dir.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    let signed = signer(&mail("budget-1@campaign.example", "Budget", "", TEXT));
    fs::write(dump.join("signed.eml"), &signed).unwrap();
    // A reply that quotes all of it and adds a line: thread members, not copies.
    let quoted: String = TEXT.split(". ").map(|l| format!("> {l}.\r\n")).collect();
    let reply = mail(
        "budget-2@campaign.example",
        "Re: Budget",
        "In-Reply-To: <budget-1@campaign.example>\r\nReferences: <budget-1@campaign.example>\r\n",
        &format!(
            "Thanks, I will bring the posters on Friday.\r\n\r\nOn Wednesday Anne wrote:\r\n{quoted}"
        ),
    );
    fs::write(dump.join("reply.eml"), reply).unwrap();
    // A forward that changes the figure it forwards.
    let forward = mail(
        "budget-3@campaign.example",
        "Fwd: Budget",
        "",
        &format!(
            "FYI\r\n\r\n---------- Forwarded message ---------\r\nFrom: Anne Martin <anne@campaign.example>\r\n\
             Subject: Budget\r\n\r\n{}",
            TEXT.replace("12000", "120000")
        ),
    );
    fs::write(dump.join("forward.eml"), forward).unwrap();
    // A copy with the signed message's Message-ID and another figure.
    let copy = mail(
        "budget-1@campaign.example",
        "Budget",
        "",
        &TEXT.replace("12000", "19000"),
    );
    fs::write(dump.join("copy.eml"), &copy).unwrap();

    let case = dir.path().join("case");
    let run = lc([
        OsStr::new("init"),
        case.as_os_str(),
        OsStr::new("--org-domain"),
        OsStr::new("campaign.example"),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let record = format!(
        "s1._domainkey.campaign.example v=DKIM1; k=ed25519; p={}",
        key.encoded_public_key()
    );
    let run = lc([
        OsStr::new("keys"),
        OsStr::new("add"),
        case.as_os_str(),
        OsStr::new("--record"),
        OsStr::new(&record),
        OsStr::new("--source"),
        OsStr::new("made by the test"),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = lc([
        OsStr::new("ingest"),
        case.as_os_str(),
        dump.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let run = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    let mut by_file: HashMap<String, Value> = HashMap::new();
    for line in run.stdout.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let name = r["paths"][0]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        by_file.insert(name, r);
    }
    let finding = |file: &str, check: &str| -> Option<Value> {
        by_file[file]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .cloned()
    };
    assert_eq!(by_file["signed.eml"]["verdict"], "authentic");
    // The reply: its quote matches, and it is nobody's near-copy.
    assert!(
        finding("reply.eml", "archive.near-duplicate").is_none(),
        "{}",
        by_file["reply.eml"]
    );
    assert_eq!(
        finding("reply.eml", "email.thread-quote").unwrap()["verdict"],
        "consistent"
    );
    assert_ne!(
        by_file["reply.eml"]["verdict"], "suspicious",
        "{}",
        by_file["reply.eml"]
    );
    // The forward: what it forwards differs from the signed message.
    let f = finding("forward.eml", "archive.near-duplicate").unwrap();
    assert_eq!(f["verdict"], "suspicious", "{f}");
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("[-12000-]{+120000+}"),
        "{f}"
    );
    // The Message-ID copy: altered, with the difference from the authentic copy.
    let f = finding("copy.eml", "email.duplicate-message-id").unwrap();
    assert_eq!(f["verdict"], "altered", "{f}");
    assert!(
        f["evidence"]["differences"][0]["first"]
            .as_str()
            .unwrap()
            .contains("[-12000-]{+19000+}"),
        "{f}"
    );
    assert_eq!(
        finding("signed.eml", "email.duplicate-message-id").unwrap()["verdict"],
        "consistent"
    );

    // `check` on an outside copy: matched by Message-ID to the authentic
    // copy, diffed, and its own signature verified with the case's keys.
    let outside = dir.path().join("outside.eml");
    fs::write(&outside, signed.replace("12000", "15000")).unwrap();
    let run = lc([
        OsStr::new("check"),
        case.as_os_str(),
        outside.as_os_str(),
        OsStr::new("--json"),
    ]);
    let r = run.json();
    assert_eq!(r["basis"], "message-id", "{r}");
    assert_eq!(r["matched"]["verdict"], "authentic", "{r}");
    assert_eq!(r["differences"][0]["removed"], "12000", "{r}");
    assert_eq!(r["dkim"]["verdict"], "altered", "{r}");
}
