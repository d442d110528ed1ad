//! The API's guarantees, request by request, without a network: every
//! route refuses anonymous callers, roles are enforced, state changes need
//! the CSRF token, ids are checked, and the access log records what it must.

mod common;

use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use leakcheck_server::openapi::{ROUTES, Reply};
use leakcheck_server::{AppState, app};
use leakcheck_store::{Case, OcrOutcome, OcrPageRow};
use serde_json::{Value, json};

use common::{Client, call, login};

const EMAIL: &str = "From: Anne <anne@campaign.example>\r\nTo: bob@campaign.example\r\n\
Subject: Budget avril\r\nDate: Wed, 12 Apr 2017 18:02:00 +0200\r\nMessage-ID: <b1@campaign.example>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>The April figures <script>alert(1)</script><img src=\"http://tracker.example/p.gif\"></p>\r\n";

/// A 2 × 2 grey PNG: the picture of a scan, whose OCR layer the fixture
/// records as Tesseract would.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x00\x00\x00\x00\x57\xdd\x52\xf8\x00\x00\x00\x0cIDAT\x78\x9c\x63\x60\xf8\x0f\x84\x00\x06\x00\x01\xff\x93\xd1\xe4\x89\x00\x00\x00\x00IEND\xae\x42\x60\x82";

/// What OCR read in the picture: two pages, 9 words at 93.5 % and 2 at 80 %.
fn scan_layer() -> OcrOutcome {
    let page = |page, text: &str, confidence, words| OcrPageRow {
        page,
        text: text.into(),
        confidence: Some(confidence),
        words,
        ..OcrPageRow::default()
    };
    OcrOutcome {
        status: "read".into(),
        engine: Some("tesseract 5.3.0".into()),
        languages: Some("fra+eng".into()),
        seconds: 1.5,
        detail: None,
        pages: vec![
            page(
                1,
                "Imprimerie du Rhône\nFacture n° 2017-0412\nTotal : 12 000 euros",
                93.5,
                9,
            ),
            page(2, "Référence RHONE-412", 80.0, 2),
        ],
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    app: Router,
    email: String,
    /// The picture with an OCR layer.
    picture: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let files: [(&str, &[u8]); 3] = [
        ("budget.eml", EMAIL.as_bytes()),
        ("notes.txt", b"figures for the rally"),
        ("scan.png", PNG),
    ];
    let case = common::case_of(dir.path(), "api test", &files);
    let picture = leakcheck_core::ItemId::of(PNG);
    case.catalog()
        .unwrap()
        .save_ocr(&picture, &scan_layer())
        .unwrap();
    leakcheck_search::sync(&case, &AtomicU64::new(0)).unwrap();
    let email = leakcheck_core::ItemId::of(EMAIL.as_bytes()).to_string();
    Fixture {
        _dir: dir,
        app: app(AppState::new(case, leakcheck_server::Options::default(), None).unwrap()),
        email,
        picture: picture.to_string(),
    }
}

fn req(
    method: &str,
    path: &str,
    client: Option<&Client>,
    csrf: bool,
    body: Value,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(path);
    if let Some(c) = client {
        b = b.header(header::COOKIE, &c.cookie);
        if csrf {
            b = b.header("x-csrf-token", &c.csrf);
        }
    }
    b.header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn concrete(path: &str, id: &str) -> String {
    format!(
        "/api/v1{}",
        path.replace("{id}", id)
            .replace("{tag}", "x")
            .replace("{name}", "nobody")
    )
}

#[tokio::test]
async fn every_route_refuses_anonymous_callers() {
    let f = fixture();
    for r in ROUTES.iter().filter(|r| r.role.is_some()) {
        let a = call(
            &f.app,
            req(
                r.method,
                &concrete(r.path, &f.email),
                None,
                false,
                json!({}),
            ),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "{} {}",
            r.method,
            r.path
        );
    }
}

#[tokio::test]
async fn viewers_cannot_change_anything_and_editors_cannot_administer() {
    let f = fixture();
    let vic = login(&f.app, "vic").await;
    let eve = login(&f.app, "eve").await;
    let body = json!({"tag": "x", "text": "n", "name": "z", "role": "viewer", "password": "long enough pass", "record": "s._domainkey.d.example v=DKIM1; p=", "source": "s", "decision": "manual", "start": 0, "end": 4, "kind": "name"});
    for r in ROUTES
        .iter()
        .filter(|r| matches!(r.role, Some("editor" | "admin")))
    {
        let path = concrete(r.path, &f.email);
        let a = call(&f.app, req(r.method, &path, Some(&vic), true, body.clone())).await;
        assert_eq!(
            a.status,
            StatusCode::FORBIDDEN,
            "viewer: {} {}",
            r.method,
            r.path
        );
        if r.role == Some("admin") {
            let a = call(&f.app, req(r.method, &path, Some(&eve), true, body.clone())).await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "editor: {} {}",
                r.method,
                r.path
            );
        }
    }
    // What a viewer may do, it can.
    let a = call(
        &f.app,
        req(
            "GET",
            &format!("/api/v1/items/{}", f.email),
            Some(&vic),
            false,
            json!({}),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_our_origin() {
    let f = fixture();
    let eve = login(&f.app, "eve").await;
    let path = format!("/api/v1/items/{}/tags", f.email);
    let a = call(
        &f.app,
        req("POST", &path, Some(&eve), false, json!({"tag": "x"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no token");
    let wrong = Client {
        cookie: eve.cookie.clone(),
        csrf: "0".repeat(32),
    };
    let a = call(
        &f.app,
        req("POST", &path, Some(&wrong), true, json!({"tag": "x"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "wrong token");
    let mut cross = req("POST", &path, Some(&eve), true, json!({"tag": "x"}));
    cross
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    cross
        .headers_mut()
        .insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(
        call(&f.app, cross).await.status,
        StatusCode::FORBIDDEN,
        "other origin"
    );
    let a = call(
        &f.app,
        req("POST", &path, Some(&eve), true, json!({"tag": "x"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "with the token");
}

#[tokio::test]
async fn ids_must_be_sha256_hex() {
    let f = fixture();
    let vic = login(&f.app, "vic").await;
    let bad = [
        "abc".to_string(),
        f.email[..63].to_string(),
        "g".repeat(64),
        "..%2F..%2Fcatalog.sqlite".to_string(),
        format!("{}0", f.email),
    ];
    for id in &bad {
        for tail in [
            "",
            "/original",
            "/html",
            "/thread",
            "/verification",
            "/picture",
        ] {
            let a = call(
                &f.app,
                req(
                    "GET",
                    &format!("/api/v1/items/{id}{tail}"),
                    Some(&vic),
                    false,
                    json!({}),
                ),
            )
            .await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{id}{tail}");
        }
    }
    let unknown = "0".repeat(64);
    let a = call(
        &f.app,
        req(
            "GET",
            &format!("/api/v1/items/{unknown}"),
            Some(&vic),
            false,
            json!({}),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn originals_download_safely_and_html_is_clean() {
    let f = fixture();
    let vic = login(&f.app, "vic").await;
    let a = call(
        &f.app,
        req(
            "GET",
            &format!("/api/v1/items/{}/original", f.email),
            Some(&vic),
            false,
            json!({}),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, EMAIL.as_bytes());
    assert!(
        a.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let a = call(
        &f.app,
        req(
            "GET",
            &format!("/api/v1/items/{}/html", f.email),
            Some(&vic),
            false,
            json!({}),
        ),
    )
    .await;
    let html = String::from_utf8(a.body).unwrap();
    assert!(html.contains("The April figures"));
    assert!(
        !html.contains("<script") && !html.contains("tracker.example"),
        "{html}"
    );
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    // A plain-text item's page carries its text.
    let notes = leakcheck_core::ItemId::of(b"figures for the rally");
    let path = format!("/api/v1/items/{notes}");
    let view = call(&f.app, req("GET", &path, Some(&vic), false, json!({}))).await;
    assert_eq!(view.json()["text"], "figures for the rally");
    assert_eq!(view.json()["has_html"], false);
}

#[tokio::test]
async fn the_access_log_records_logins_downloads_exports_and_changes() {
    let f = fixture();
    let bad = req(
        "POST",
        "/api/v1/login",
        None,
        false,
        json!({"user": "vic", "password": "guess"}),
    );
    assert_eq!(call(&f.app, bad).await.status, StatusCode::UNAUTHORIZED);
    let ada = login(&f.app, "ada").await;
    call(
        &f.app,
        req(
            "GET",
            &format!("/api/v1/items/{}/original", f.email),
            Some(&ada),
            false,
            json!({}),
        ),
    )
    .await;
    let a = call(
        &f.app,
        req(
            "GET",
            "/api/v1/export?q=figures",
            Some(&ada),
            false,
            json!({}),
        ),
    )
    .await;
    assert!(
        String::from_utf8_lossy(&a.body).contains(&f.email),
        "the export lists the email"
    );
    call(
        &f.app,
        req(
            "POST",
            &format!("/api/v1/items/{}/tags", f.email),
            Some(&ada),
            true,
            json!({"tag": "Check-Me"}),
        ),
    )
    .await;
    let log = call(
        &f.app,
        req("GET", "/api/v1/audit", Some(&ada), false, json!({})),
    )
    .await
    .json();
    let actions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["user"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    for want in [
        ("vic", "login-failed"),
        ("ada", "login"),
        ("ada", "original"),
        ("ada", "export"),
        ("ada", "tag-add"),
    ] {
        assert!(actions.contains(&want), "{want:?} not in {actions:?}");
    }
    let original = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "original")
        .unwrap();
    assert_eq!(original["item"], f.email.as_str());
    // The tag is searchable at once.
    let hits = call(
        &f.app,
        req(
            "GET",
            "/api/v1/search?q=tag:check-me",
            Some(&ada),
            false,
            json!({}),
        ),
    )
    .await
    .json();
    assert_eq!(hits["total"], 1);
    assert_eq!(hits["hits"][0]["id"], f.email.as_str());
}

#[tokio::test]
async fn logins_are_limited_and_sessions_end() {
    let f = fixture();
    for _ in 0..5 {
        let bad = req(
            "POST",
            "/api/v1/login",
            None,
            false,
            json!({"user": "eve", "password": "guess"}),
        );
        assert_eq!(call(&f.app, bad).await.status, StatusCode::UNAUTHORIZED);
    }
    let right = req(
        "POST",
        "/api/v1/login",
        None,
        false,
        json!({"user": "eve", "password": "eve-password"}),
    );
    let a = call(&f.app, right).await;
    assert_eq!(
        a.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(a.headers.contains_key("retry-after"));
    // Another user is not locked out by eve's failures.
    let vic = login(&f.app, "vic").await;
    // A role change ends the user's sessions: the old role cannot linger.
    let ada = login(&f.app, "ada").await;
    let change = json!({"name": "vic", "role": "editor", "password": "vic-password"});
    let a = call(
        &f.app,
        req("POST", "/api/v1/users", Some(&ada), true, change),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = call(
        &f.app,
        req("GET", "/api/v1/session", Some(&vic), false, json!({})),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::UNAUTHORIZED,
        "the session outlived a role change"
    );
    let vic = login(&f.app, "vic").await;
    let out = call(
        &f.app,
        req("POST", "/api/v1/logout", Some(&vic), true, json!({})),
    )
    .await;
    assert_eq!(out.status, StatusCode::OK);
    let a = call(
        &f.app,
        req("GET", "/api/v1/session", Some(&vic), false, json!({})),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "the session ended");
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let f = fixture();
    // Readable without a session: it holds no case data.
    let doc = call(
        &f.app,
        req("GET", "/api/v1/openapi.json", None, false, json!({})),
    )
    .await
    .json();
    assert_eq!(doc["openapi"], "3.1.0");
    for r in ROUTES {
        let op = &doc["paths"][format!("/api/v1{}", r.path)][r.method];
        assert!(op.is_object(), "{} {} missing", r.method, r.path);
        assert!(
            op["responses"]["200"]["content"].is_object(),
            "{} {}: no response schema",
            r.method,
            r.path
        );
        if let Some(body) = r.request {
            assert!(
                doc["components"]["schemas"][body].is_object(),
                "{} {}: request schema {body} missing",
                r.method,
                r.path
            );
        }
        if let Reply::Json(name) = r.reply {
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{} {}: response schema {name} missing",
                r.method,
                r.path
            );
        }
    }
    // And the pages' shell is served with a strict policy.
    let a = call(&f.app, req("GET", "/", None, false, json!({}))).await;
    assert_eq!(a.status, StatusCode::OK);
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn a_panic_is_a_500_with_an_id_and_nothing_else() {
    let f = fixture();
    let state = AppState::new(
        leakcheck_store::Case::open(&f._dir.path().join("case")).unwrap(),
        leakcheck_server::Options::default(),
        None,
    )
    .unwrap();
    let boom = Router::new()
        .route(
            "/boom",
            axum::routing::get(|uri: axum::http::Uri| async move {
                if uri.path() == "/boom" {
                    panic!("failed at /home/operator/leaks");
                }
                "never"
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state,
            leakcheck_server::guard::guard,
        ));
    let a = call(&boom, Request::get("/boom").body(Body::empty()).unwrap()).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    let message = a.json()["error"].as_str().unwrap().to_string();
    assert!(message.starts_with("internal error (id "), "{message}");
    assert!(
        !message.contains("operator") && !message.contains("failed"),
        "{message}"
    );
    // And the server goes on.
    let vic = login(&f.app, "vic").await;
    let a = call(
        &f.app,
        req("GET", "/api/v1/session", Some(&vic), false, json!({})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CACHE_CONTROL], "no-store");
}

/// Checks `v` against `schema`, resolving `$ref`s in `doc`: the subset of
/// JSON Schema the API document uses (type, properties, required, items,
/// additionalProperties). Written here because a full validator crate
/// would bring a regex engine and remote-reference fetching for four
/// keywords.
fn fits(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return fits(doc, &doc["components"]["schemas"][name], v, at);
    }
    let type_of = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let allowed: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let ok = allowed.is_empty()
        || allowed.contains(&type_of)
        || (type_of == "integer" && allowed.contains(&"number"));
    if !ok {
        return Err(format!("{at}: {type_of}, expected {allowed:?}"));
    }
    // `required` holds of objects only (a schema that allows null too).
    for k in schema["required"].as_array().into_iter().flatten() {
        let k = k.as_str().unwrap_or_default();
        if v.is_object() && v.get(k).is_none() {
            return Err(format!("{at}: no {k:?}"));
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                fits(doc, sub, x, &format!("{at}.{k}"))?;
            }
        }
    }
    if let (Some(extra), Some(obj)) = (schema.get("additionalProperties"), v.as_object())
        && extra.is_object()
    {
        for (k, x) in obj {
            fits(doc, extra, x, &format!("{at}.{k}"))?;
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), v.as_array()) {
        for (i, x) in list.iter().enumerate() {
            fits(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Every JSON answer of every route fits the schema the document gives it,
/// so a client written from the document reads the real answers.
#[tokio::test]
async fn every_json_answer_fits_its_documented_schema() {
    let f = fixture();
    let doc = call(
        &f.app,
        req("GET", "/api/v1/openapi.json", None, false, json!({})),
    )
    .await
    .json();
    let ada = login(&f.app, "ada").await;
    let bodies = json!({
        "NewTag": {"tag": "checked"},
        "NewNote": {"text": "seen by the desk"},
        "NewKey": {"record": "s1._domainkey.campaign.example v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwtKGk/1AAJ4yvP/d2D4kCQ7O+8s9pE2sYgvFmbV2pU3TqjMWRnL3AnXWv9h9VfjvRqVxzJ1yD1xmYJtqGmwm8P4K8HjHPP4v2vK0C8TKZcXnEnIo9iN6tbqdC1mHdRwFTGb4cT4dCFaD8Nn2PkOUm7DOX3J9yqj8R2mTTzA2uHVY1cPZnJ4BPz1CdSq2uBQWZ4QaIRKcZJpgTfTjR7FNhNlHo6qWwD9OQ1yGNYkQbWxJSg/tbG1M1BlRjGSr1JEtQWmvIIQzP4YH1eyXyqe3S2Ik4cH8XtHtaBx2mDPbo1XLsKKWhW6KcTwN5B1sg2X9ZEQKWJdzn1ZH4zVRo9n9WQIDAQAB", "source": "test"},
        "NewUser": {"name": "zoe", "role": "viewer", "password": "a long passphrase 42"},
        "RedactionChange": {"decision": "manual", "start": 0, "end": 4, "kind": "name"},
        "Selection": {"ids": []},
    });
    let mut checked = 0;
    for r in ROUTES {
        let Reply::Json(name) = r.reply else { continue };
        let body = match r.request {
            Some("Login") => json!({"user": "vic", "password": "vic-password"}),
            Some(b) => bodies[b].clone(),
            None => json!({}),
        };
        // Logging out would end the session the other calls use.
        let client = if r.path == "/logout" {
            login(&f.app, "ada").await
        } else {
            ada_clone(&ada)
        };
        let mut path = concrete(r.path, &f.email);
        if r.path == "/search" {
            path.push_str("?q=budget");
        } else if r.path == "/items/{id}/tags/{tag}" {
            path = path.replace("/x", "/checked");
        }
        let a = call(&f.app, req(r.method, &path, Some(&client), true, body)).await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "{} {}: {}",
            r.method,
            r.path,
            String::from_utf8_lossy(&a.body)
        );
        let v = a.json();
        if let Err(e) = fits(
            &doc,
            &json!({"$ref": format!("#/components/schemas/{name}")}),
            &v,
            name,
        ) {
            panic!("{} {}: {e}\n{v}", r.method, r.path);
        }
        checked += 1;
    }
    assert!(checked >= 18, "{checked} JSON routes checked");
    // An item with an OCR layer: the layer's schema too.
    let path = format!("/api/v1/items/{}", f.picture);
    let v = call(&f.app, req("GET", &path, Some(&ada), false, json!({})))
        .await
        .json();
    assert!(v["ocr"].is_object(), "{v}");
    let schema = json!({"$ref": "#/components/schemas/ItemView"});
    if let Err(e) = fits(&doc, &schema, &v, "ItemView") {
        panic!("GET {path}: {e}\n{v}");
    }
}

/// An item OCR read: its layer comes apart from its own text, page by
/// page, labelled with engine, languages and confidence, bounded; its
/// picture is served to be shown beside it, as a picture only, and logged;
/// a search hit found by the OCR text says so.
#[tokio::test]
async fn an_item_read_by_ocr_shows_its_layer_apart_beside_its_picture() {
    let f = fixture();
    let vic = login(&f.app, "vic").await;
    let get = |path: String| req("GET", &path, Some(&vic), false, json!({}));
    let view = call(&f.app, get(format!("/api/v1/items/{}", f.picture)))
        .await
        .json();
    let ocr = &view["ocr"];
    assert_eq!(ocr["status"], "read", "{view}");
    assert_eq!(ocr["engine"], "tesseract 5.3.0");
    assert_eq!(ocr["languages"], "fra+eng");
    // The mean over the words of both pages: (9 × 93.5 + 2 × 80) / 11.
    let mean = ocr["confidence"].as_f64().unwrap();
    assert!((mean - 91.045).abs() < 0.01, "{mean}");
    assert_eq!(ocr["pages_total"], 2);
    let pages = ocr["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0]["page"], 1);
    assert!(
        pages[0]["text"]
            .as_str()
            .unwrap()
            .contains("Facture n° 2017-0412")
    );
    assert_eq!(pages[0]["confidence"], 93.5);
    assert_eq!(pages[0]["words"], 9);
    assert_eq!(pages[0]["text_cut"], false);
    assert_eq!(pages[1]["text"], "Référence RHONE-412");
    assert_eq!(pages[1]["confidence"], 80.0);
    // Never mixed into the item's own text.
    assert!(
        !view["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Facture"),
        "{view}"
    );
    assert_eq!(view["has_picture"], true);
    // An item OCR has not looked at has no layer, and no picture.
    let email = call(&f.app, get(format!("/api/v1/items/{}", f.email)))
        .await
        .json();
    assert_eq!(email["ocr"], Value::Null);
    assert_eq!(email["has_picture"], false);

    // The picture: its bytes as the image they are, nothing else.
    let a = call(&f.app, get(format!("/api/v1/items/{}/picture", f.picture))).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, PNG);
    assert_eq!(a.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    assert!(
        a.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let a = call(&f.app, get(format!("/api/v1/items/{}/picture", f.email))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(
        a.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a picture")
    );

    // A hit found by its OCR text says so.
    let r = call(&f.app, get("/api/v1/search?q=ocr%3Arhone".into()))
        .await
        .json();
    let hit = &r["hits"][0];
    assert_eq!(hit["id"], f.picture.as_str(), "{r}");
    assert!(
        hit["snippet"].as_str().unwrap().starts_with("(OCR) "),
        "{hit}"
    );

    // Showing the picture is logged: it is the original's bytes.
    let ada = login(&f.app, "ada").await;
    let log = call(
        &f.app,
        req("GET", "/api/v1/audit", Some(&ada), false, json!({})),
    )
    .await
    .json();
    assert!(
        log.as_array().unwrap().iter().any(|e| e["user"] == "vic"
            && e["action"] == "picture"
            && e["item"] == f.picture.as_str()),
        "{log}"
    );

    // Bounded: 100 pages at most, each at most 20,000 characters.
    let mut long = scan_layer();
    long.pages = (1..=101)
        .map(|page| OcrPageRow {
            page,
            text: "é".repeat(if page == 1 { 25_000 } else { 10 }),
            confidence: Some(90.0),
            words: 1,
            ..OcrPageRow::default()
        })
        .collect();
    let case = Case::open(&f._dir.path().join("case")).unwrap();
    let id = leakcheck_core::ItemId::parse(&f.picture).unwrap();
    case.catalog().unwrap().save_ocr(&id, &long).unwrap();
    let view = call(&f.app, get(format!("/api/v1/items/{}", f.picture)))
        .await
        .json();
    let ocr = &view["ocr"];
    assert_eq!(ocr["pages_total"], 101);
    assert_eq!(ocr["pages"].as_array().unwrap().len(), 100);
    assert_eq!(
        ocr["pages"][0]["text"].as_str().unwrap().chars().count(),
        20_000
    );
    assert_eq!(ocr["pages"][0]["text_cut"], true);
    assert_eq!(ocr["pages"][1]["text_cut"], false);
}

fn ada_clone(c: &Client) -> Client {
    Client {
        cookie: c.cookie.clone(),
        csrf: c.csrf.clone(),
    }
}

/// Every refusal is JSON with a message, whatever refused it: a body with
/// the wrong fields, a query that does not parse, a method the route does
/// not have, a body that is not JSON at all.
#[tokio::test]
async fn every_error_is_json_with_a_message() {
    let f = fixture();
    let wrong = call(
        &f.app,
        req(
            "POST",
            "/api/v1/login",
            None,
            false,
            json!({"name": "ada", "password": "x"}),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let message = wrong.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("`user`"),
        "names the missing field: {message}"
    );
    let ada = login(&f.app, "ada").await;
    let cases = [
        (
            "GET",
            "/api/v1/search?q=a&limit=many".to_string(),
            json!({}),
        ),
        ("PUT", "/api/v1/session".to_string(), json!({})),
        (
            "POST",
            format!("/api/v1/items/{}/tags", f.email),
            json!({"label": 1}),
        ),
        ("GET", "/api/v1/nowhere".to_string(), json!({})),
    ];
    for (method, path, body) in cases {
        let a = call(&f.app, req(method, &path, Some(&ada), true, body)).await;
        assert!(a.status.is_client_error(), "{method} {path}: {}", a.status);
        assert!(
            a.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{method} {path}: {:?}",
            a.headers[header::CONTENT_TYPE]
        );
        assert!(a.json()["error"].is_string(), "{method} {path}");
    }
    // Not JSON at all, on every route that takes a body.
    for r in ROUTES.iter().filter(|r| r.request.is_some()) {
        let mut b = Request::builder()
            .method(r.method.to_uppercase().as_str())
            .uri(concrete(r.path, &f.email))
            .header(header::COOKIE, &ada.cookie)
            .header("x-csrf-token", &ada.csrf)
            .header(header::CONTENT_TYPE, "application/json");
        if r.role.is_none() {
            b = b.header(header::COOKIE, "");
        }
        let a = call(&f.app, b.body(Body::from("{not json")).unwrap()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{} {}", r.method, r.path);
        assert!(a.json()["error"].is_string(), "{} {}", r.method, r.path);
    }
}
