//! Publication from the workbench: the redaction review (detections,
//! decisions that round-trip and are logged, refusals of every malformed
//! span), the case report's charts as SVG under a strict policy, and a
//! selection's evidence report as a zip.

mod common;

use std::io::Read as _;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use leakcheck_core::ItemId;
use leakcheck_server::{AppState, app};
use serde_json::{Value, json};

use common::{Answer, Client, call, login};

/// An email with personal data: a phone number, an address in the body
/// (and two in the headers), a private person's name the detector does not
/// know, and an accented word so that a byte inside a character exists.
const EMAIL: &str = "From: Anne <anne@campaign.example>\r\nTo: bob@campaign.example\r\n\
Subject: Rappel\r\nDate: Wed, 12 Apr 2017 18:02:00 +0200\r\nMessage-ID: <r1@campaign.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
Rappeler Jeanne Martin au 06 12 34 56 78 ou jeanne.martin@gmail.com, d\u{e9}j\u{e0} vue.\r\n";

struct Fixture {
    _dir: tempfile::TempDir,
    app: Router,
    email: String,
    notes: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let files: [(&str, &[u8]); 2] = [
        ("rappel.eml", EMAIL.as_bytes()),
        ("notes.txt", b"figures for the rally"),
    ];
    let case = common::case_of(dir.path(), "publication test", &files);
    leakcheck_verify::run(&case, false, &AtomicU64::new(0)).unwrap();
    leakcheck_search::sync(&case, &AtomicU64::new(0)).unwrap();
    Fixture {
        _dir: dir,
        app: app(AppState::new(case, leakcheck_server::Options::default(), None).unwrap()),
        email: ItemId::of(EMAIL.as_bytes()).to_string(),
        notes: ItemId::of(b"figures for the rally").to_string(),
    }
}

/// Sends a JSON body as `who`, with its CSRF token.
async fn send(app: &Router, method: &str, path: &str, who: Option<&Client>, body: Value) -> Answer {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(c) = who {
        b = b
            .header(header::COOKIE, &c.cookie)
            .header("x-csrf-token", &c.csrf);
    }
    let req = b
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    call(app, req).await
}

/// The review's span of `kind` whose value is `value`.
fn span<'a>(review: &'a Value, list: &str, kind: &str, value: &str) -> &'a Value {
    review[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind && s["value"] == value)
        .unwrap_or_else(|| panic!("no {kind} {value:?} in {list}: {review}"))
}

fn change(decision: &str, s: &Value) -> Value {
    json!({"decision": decision, "start": s["start"], "end": s["end"], "kind": s["kind"]})
}

#[tokio::test]
async fn review_decisions_round_trip_and_are_logged() {
    let f = fixture();
    let eve = login(&f.app, "eve").await;
    let path = format!("/api/v1/items/{}/redaction", f.email);
    let r = send(&f.app, "GET", &path, Some(&eve), json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = r.json();
    assert_eq!(r["text"], "rendering");
    let text = r["rendering"].as_str().unwrap().to_string();
    assert!(
        text.starts_with("From: Anne <anne@campaign.example>"),
        "{text}"
    );
    // The headers' two addresses, the body's address and the phone.
    assert_eq!(r["detections_total"], 4, "{r}");
    assert_eq!(r["unreviewed"], 4);
    let phone = span(&r, "detections", "phone", "06 12 34 56 78").clone();
    assert_eq!(phone["review"], "automatic");
    assert_eq!(phone["by"], Value::Null);
    assert!(
        phone["before"]
            .as_str()
            .unwrap()
            .ends_with("Jeanne Martin au ")
    );
    assert!(phone["after"].as_str().unwrap().starts_with(" ou jeanne"));
    // Offsets index the rendering's bytes.
    let (start, end) = (
        phone["start"].as_u64().unwrap() as usize,
        phone["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "06 12 34 56 78");

    let a = send(&f.app, "POST", &path, Some(&eve), change("reject", &phone)).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let mail = span(&r, "detections", "email", "jeanne.martin@gmail.com").clone();
    send(&f.app, "POST", &path, Some(&eve), change("accept", &mail)).await;
    let name_at = text.find("Jeanne Martin").unwrap();
    let name = json!({"decision": "manual", "start": name_at, "end": name_at + 13, "kind": "name"});
    let a = send(&f.app, "POST", &path, Some(&eve), name.clone()).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );

    // Read back by another user: the decisions, who made them, and when.
    let vic = login(&f.app, "vic").await;
    let r = send(&f.app, "GET", &path, Some(&vic), json!({}))
        .await
        .json();
    assert_eq!(r["unreviewed"], 2, "{r}");
    let phone = span(&r, "detections", "phone", "06 12 34 56 78");
    assert_eq!(
        (&phone["review"], &phone["by"]),
        (&json!("rejected"), &json!("eve"))
    );
    assert!(phone["at"].as_str().unwrap().starts_with("20"));
    let mail = span(&r, "detections", "email", "jeanne.martin@gmail.com");
    assert_eq!(mail["review"], "accepted");
    let hand = span(&r, "manual", "name", "Jeanne Martin");
    assert_eq!(
        (&hand["review"], &hand["by"]),
        (&json!("manual"), &json!("eve"))
    );

    // Taken back: the hand-made span is gone, the detection unreviewed.
    let mut clear = name.clone();
    clear["decision"] = json!("clear");
    let r = send(&f.app, "POST", &path, Some(&eve), clear).await.json();
    assert_eq!(r["manual"].as_array().unwrap().len(), 0, "{r}");
    let r = send(&f.app, "POST", &path, Some(&eve), change("clear", phone))
        .await
        .json();
    assert_eq!(
        span(&r, "detections", "phone", "06 12 34 56 78")["review"],
        "automatic"
    );
    assert_eq!(r["unreviewed"], 3);

    let ada = login(&f.app, "ada").await;
    let log = send(&f.app, "GET", "/api/v1/audit", Some(&ada), json!({}))
        .await
        .json();
    let seen: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["item"] == f.email.as_str())
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for want in [
        "redaction-reject",
        "redaction-accept",
        "redaction-manual",
        "redaction-clear",
    ] {
        assert!(
            seen.iter().any(|(a, _)| a == want),
            "{want} not in {seen:?}"
        );
    }
    let manual = seen.iter().find(|(a, _)| a == "redaction-manual").unwrap();
    assert_eq!(manual.1, format!("name {}..{}", name_at, name_at + 13));
    // The log holds positions, never the value.
    assert!(seen.iter().all(|(_, d)| !d.contains("Jeanne")));
}

#[tokio::test]
async fn the_review_refuses_what_does_not_fit() {
    let f = fixture();
    let eve = login(&f.app, "eve").await;
    let vic = login(&f.app, "vic").await;
    let path = format!("/api/v1/items/{}/redaction", f.email);
    let r = send(&f.app, "GET", &path, Some(&eve), json!({}))
        .await
        .json();
    let text = r["rendering"].as_str().unwrap().to_string();
    let accented = text.find('\u{e9}').unwrap();
    let phone = span(&r, "detections", "phone", "06 12 34 56 78").clone();
    let manual = |start: Value, end: Value, kind: &str| json!({"decision": "manual", "start": start, "end": end, "kind": kind});
    // Viewers read the review but cannot decide.
    let a = send(&f.app, "POST", &path, Some(&vic), change("accept", &phone)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&f.app, "POST", &path, None, change("accept", &phone)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let bad = [
        manual(json!(0), json!(4), "secret"),
        manual(json!(4), json!(4), "name"),
        manual(json!(9), json!(4), "name"),
        manual(json!(0), json!(text.len() + 1), "name"),
        manual(json!(accented + 1), json!(accented + 4), "name"),
        manual(json!(-1), json!(4), "name"),
        manual(json!(0), json!(u64::MAX), "name"),
        manual(json!(0), json!("4"), "name"),
        json!({"decision": "approve", "start": 0, "end": 4, "kind": "name"}),
        // Accepting or rejecting what the detector did not find.
        json!({"decision": "accept", "start": 0, "end": 4, "kind": "name"}),
        json!({"decision": "reject", "start": phone["start"], "end": phone["end"], "kind": "email"}),
        json!({"decision": "manual"}),
    ];
    for body in &bad {
        let a = send(&f.app, "POST", &path, Some(&eve), body.clone()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(a.json()["error"].is_string(), "{body}");
    }
    let r = send(&f.app, "GET", &path, Some(&eve), json!({}))
        .await
        .json();
    assert_eq!(
        r["manual"].as_array().unwrap().len(),
        0,
        "nothing recorded: {r}"
    );
    assert_eq!(r["unreviewed"], 4);
    // An item without a rendered text: nothing to review, nothing to mark.
    let notes = format!("/api/v1/items/{}/redaction", f.notes);
    let r = send(&f.app, "GET", &notes, Some(&eve), json!({}))
        .await
        .json();
    assert_eq!(r["rendering"], Value::Null);
    assert!(
        r["reason"].as_str().unwrap().contains("no text to redact"),
        "{r}"
    );
    let a = send(
        &f.app,
        "POST",
        &notes,
        Some(&eve),
        manual(json!(0), json!(4), "name"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // Unknown and malformed items.
    let unknown = format!("/api/v1/items/{}/redaction", "0".repeat(64));
    for method in ["GET", "POST"] {
        let a = send(
            &f.app,
            method,
            &unknown,
            Some(&eve),
            manual(json!(0), json!(4), "name"),
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{method}");
        let a = send(
            &f.app,
            method,
            "/api/v1/items/abc/redaction",
            Some(&eve),
            json!({}),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{method}");
    }
}

#[tokio::test]
async fn charts_are_svg_pictures_that_run_nothing() {
    let f = fixture();
    let vic = login(&f.app, "vic").await;
    let list = send(&f.app, "GET", "/api/v1/charts", Some(&vic), json!({}))
        .await
        .json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["verdicts", "by-month", "by-check", "dkim-coverage"]);
    for name in names {
        let a = send(
            &f.app,
            "GET",
            &format!("/api/v1/charts/{name}"),
            Some(&vic),
            json!({}),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{name}");
        assert_eq!(a.headers[header::CONTENT_TYPE], "image/svg+xml");
        let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("sandbox"),
            "{csp}"
        );
        assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let svg = String::from_utf8(a.body).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<script") && !svg.contains("href"), "{svg}");
    }
    // The figures are the case's: the email's month and its sender domain.
    let month = send(
        &f.app,
        "GET",
        "/api/v1/charts/by-month",
        Some(&vic),
        json!({}),
    )
    .await;
    assert!(String::from_utf8_lossy(&month.body).contains("2017-04"));
    let domains = send(
        &f.app,
        "GET",
        "/api/v1/charts/dkim-coverage",
        Some(&vic),
        json!({}),
    )
    .await;
    assert!(String::from_utf8_lossy(&domains.body).contains("campaign.example"));
    let a = send(
        &f.app,
        "GET",
        "/api/v1/charts/nothing",
        Some(&vic),
        json!({}),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = send(&f.app, "GET", "/api/v1/charts/verdicts", None, json!({})).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

/// The zip's files by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

#[tokio::test]
async fn a_selection_is_reported_as_a_zip_and_logged() {
    let f = fixture();
    let vic = login(&f.app, "vic").await;
    let a = send(
        &f.app,
        "POST",
        "/api/v1/report",
        Some(&vic),
        json!({"ids": [f.email]}),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/zip");
    assert!(
        a.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let files = unzip(&a.body);
    let root = "leakcheck-report/";
    for name in [
        "index.html".to_string(),
        "case.json".into(),
        "SHA256SUMS".into(),
        "recheck.py".into(),
        format!("items/{}.html", f.email),
        format!("items/{}.json", f.email),
        format!("originals/{}.eml", f.email),
    ] {
        assert!(
            files.contains_key(&format!("{root}{name}")),
            "{name} not in {:?}",
            files.keys()
        );
    }
    assert_eq!(
        files[&format!("{root}originals/{}.eml", f.email)],
        EMAIL.as_bytes()
    );
    let sums = String::from_utf8_lossy(&files[&format!("{root}SHA256SUMS")]).into_owned();
    assert_eq!(sums, format!("{0}  originals/{0}.eml\n", f.email));

    // A query's hits, without originals.
    let body = json!({"query": "figures", "originals": false});
    let a = send(&f.app, "POST", "/api/v1/report", Some(&vic), body).await;
    assert_eq!(a.status, StatusCode::OK);
    let files = unzip(&a.body);
    assert!(files.contains_key(&format!("{root}items/{}.html", f.notes)));
    assert!(
        !files.keys().any(|k| k.contains("originals/")),
        "{:?}",
        files.keys()
    );

    // Refusals: too many, malformed, unknown, nothing, anonymous.
    let many: Vec<String> = (0..201).map(|i| format!("{i:064x}")).collect();
    let cases = [
        (json!({"ids": many}), StatusCode::BAD_REQUEST),
        (json!({"ids": ["abc"]}), StatusCode::BAD_REQUEST),
        (json!({"ids": ["0".repeat(64)]}), StatusCode::NOT_FOUND),
        (json!({}), StatusCode::BAD_REQUEST),
        (json!({"query": "("}), StatusCode::OK),
        (json!({"ids": "not a list"}), StatusCode::BAD_REQUEST),
    ];
    for (body, want) in cases {
        let a = send(&f.app, "POST", "/api/v1/report", Some(&vic), body.clone()).await;
        if want == StatusCode::OK {
            // A query the parser repairs, or refuses: never a 500.
            assert!(
                a.status == StatusCode::OK || a.status == StatusCode::BAD_REQUEST,
                "{body}: {}",
                a.status
            );
        } else {
            assert_eq!(a.status, want, "{body}");
        }
    }
    let a = send(
        &f.app,
        "POST",
        "/api/v1/report",
        None,
        json!({"ids": [f.email]}),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let ada = login(&f.app, "ada").await;
    let log = send(&f.app, "GET", "/api/v1/audit", Some(&ada), json!({}))
        .await
        .json();
    let reports: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "report" && e["user"] == "vic")
        .map(|e| e["detail"].as_str().unwrap())
        .collect();
    assert!(reports.contains(&"1 item"), "{reports:?}");
    assert!(
        reports.contains(&"1 item, query figures, no originals"),
        "{reports:?}"
    );
    // Refused requests wrote nothing to the log.
    assert!(reports.iter().all(|r| !r.starts_with("201")), "{reports:?}");
}
