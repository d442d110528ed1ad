//! Threads, timeline and people over the API: pages of the catalog's
//! aggregates that add up to what the pure views compute from every email,
//! and that follow an ingest made while serving.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leakcheck_core::ItemId;
use leakcheck_search::Period;
use leakcheck_server::{AppState, app, hash_password};
use leakcheck_store::{Case, CaseSettings, Role};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A message: its number, the one it replies to, sender and recipient
/// numbers, and the day of April 2017.
fn mail(n: usize, parent: Option<usize>, from: usize, to: usize, day: u32) -> String {
    let reply = parent
        .map(|p| format!("In-Reply-To: <m{p}@x.example>\r\nReferences: <m{p}@x.example>\r\n"))
        .unwrap_or_default();
    format!(
        "From: P{from} <p{from}@x.example>\r\nTo: p{to}@x.example\r\nSubject: Re: plan {n}\r\n\
         Date: {day:02} Apr 2017 10:00:00 +0000\r\nMessage-ID: <m{n}@x.example>\r\n{reply}\r\nbody {n}\r\n"
    )
}

/// Ingests `dump` as `leakcheck ingest` does: the index is left to its
/// next reader.
fn ingest(case: &Case, dump: &Path) {
    leakcheck_ingest::run(
        case,
        &[dump.to_path_buf()],
        &leakcheck_ingest::Options::default(),
        Arc::new(leakcheck_ingest::Progress::default()),
    )
    .unwrap();
}

async fn get(app: &Router, cookie: &str, path: &str) -> Value {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let body = r.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

async fn login(app: &Router) -> String {
    let req = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"user": "vic", "password": "vic-password"}).to_string(),
        ))
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Every page of a list, `limit` at a time, read with `page(offset)`.
async fn all_pages<F, Fut>(total: u64, limit: u64, mut page: F) -> Vec<Value>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Vec<Value>>,
{
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < total {
        let rows = page(offset).await;
        assert!(!rows.is_empty() && rows.len() as u64 <= limit);
        offset += rows.len() as u64;
        out.extend(rows);
    }
    out
}

#[tokio::test]
async fn pages_of_the_aggregates_add_up_and_follow_an_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    // Two threads of five, four people, eight days; one message twice.
    for n in 0..10 {
        let parent = (n % 5 != 0).then(|| n - 1);
        let m = mail(n, parent, n % 4, (n + 1) % 4, 1 + n as u32 % 8);
        std::fs::write(dump.join(format!("{n}.eml")), &m).unwrap();
    }
    std::fs::write(
        dump.join("copy.eml"),
        mail(3, Some(2), 3, 0, 4) + "altered\r\n",
    )
    .unwrap();
    let settings = CaseSettings::named("views");
    let case = Case::init(&dir.path().join("case"), settings).unwrap();
    ingest(&case, &dump);
    leakcheck_search::sync(&case, &AtomicU64::new(0)).unwrap();
    let hash = hash_password("vic-password").unwrap();
    case.catalog()
        .unwrap()
        .put_user("vic", Role::Viewer, &hash)
        .unwrap();
    let emails = case.catalog().unwrap().emails().unwrap();
    let app = app(AppState::new(
        Case::open(case.root()).unwrap(),
        leakcheck_server::Options::default(),
        None,
    )
    .unwrap());
    let cookie = login(&app).await;

    // People and pairs, one row per page: the same lists as computed from
    // every email, in the same order.
    let expected = serde_json::to_value(leakcheck_search::correspondents(&emails)).unwrap();
    let first = get(&app, &cookie, "/api/v1/people?limit=1").await;
    for key in [
        "emails",
        "copies",
        "no_sender",
        "no_recipients",
        "pairs_total",
        "people_total",
    ] {
        assert_eq!(first[key], expected[key], "{key}");
    }
    assert_eq!(first["copies"], 1);
    for (list, offset) in [("people", "people_offset"), ("pairs", "pairs_offset")] {
        let total = first[format!("{list}_total")].as_u64().unwrap();
        let rows = all_pages(total, 1, |o| {
            let (app, cookie) = (app.clone(), cookie.clone());
            async move {
                let page = get(
                    &app,
                    &cookie,
                    &format!("/api/v1/people?limit=1&{offset}={o}"),
                )
                .await;
                page[list].as_array().unwrap().clone()
            }
        })
        .await;
        assert_eq!(Value::Array(rows), expected[list], "{list}");
    }

    // The timeline by day, three periods a page.
    let expected = serde_json::to_value(leakcheck_search::timeline(&emails, Period::Day)).unwrap();
    let first = get(&app, &cookie, "/api/v1/timeline?by=day&limit=3").await;
    assert_eq!(first["periods"], 8);
    let buckets = all_pages(8, 3, |o| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            let page = get(
                &app,
                &cookie,
                &format!("/api/v1/timeline?by=day&limit=3&offset={o}"),
            )
            .await;
            page["buckets"].as_array().unwrap().clone()
        }
    })
    .await;
    assert_eq!(Value::Array(buckets), expected["buckets"]);
    for key in ["emails", "dated", "undated", "copies"] {
        assert_eq!(first[key], expected[key], "{key}");
    }

    // A thread, two rows a page: the rows of the tree built from every email.
    let reply = ItemId::of(mail(7, Some(6), 3, 0, 8).as_bytes()).to_string();
    let whole = leakcheck_search::thread_of(&emails, &ItemId::parse(&reply).unwrap()).unwrap();
    let expected = serde_json::to_value(whole.rows()).unwrap();
    let first = get(
        &app,
        &cookie,
        &format!("/api/v1/items/{reply}/thread?limit=2"),
    )
    .await;
    assert_eq!(
        (first["messages"].as_u64(), first["rows_total"].as_u64()),
        (Some(5), Some(5))
    );
    let rows = all_pages(5, 2, |o| {
        let (app, cookie, reply) = (app.clone(), cookie.clone(), reply.clone());
        async move {
            let page = get(
                &app,
                &cookie,
                &format!("/api/v1/items/{reply}/thread?limit=2&offset={o}"),
            )
            .await;
            page["rows"].as_array().unwrap().clone()
        }
    })
    .await;
    assert_eq!(Value::Array(rows), expected);
    assert_eq!(expected[4]["depth"], 4);

    // An ingest while serving (index untouched, as by `leakcheck ingest`):
    // the next page sees the new message.
    let more = dir.path().join("more");
    std::fs::create_dir_all(&more).unwrap();
    std::fs::write(more.join("late.eml"), mail(10, Some(9), 0, 1, 20)).unwrap();
    ingest(&case, &more);
    let t = get(&app, &cookie, "/api/v1/timeline?by=day").await;
    assert_eq!(
        (t["emails"].as_u64(), t["periods"].as_u64()),
        (Some(12), Some(9))
    );
    let late = ItemId::of(mail(10, Some(9), 0, 1, 20).as_bytes()).to_string();
    let thread = get(&app, &cookie, &format!("/api/v1/items/{late}/thread")).await;
    assert_eq!(thread["messages"], 6);
    // Search brings the index in step first.
    let found = get(&app, &cookie, "/api/v1/search?q=10").await;
    assert!(
        found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == late.as_str()),
        "{found}"
    );
}
