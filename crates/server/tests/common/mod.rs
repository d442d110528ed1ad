//! What the in-process API tests share: a case made from a few files with
//! three users, and a client that logs in and reads answers whole.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leakcheck_server::hash_password;
use leakcheck_store::{Case, Role};
use serde_json::{Value, json};
use tower::ServiceExt;

pub mod case;

/// A case named `name` in `dir/case`, with `files` ingested from
/// `dir/dump` and users ada (admin), eve (editor) and vic (viewer), each
/// with the password `NAME-password`.
pub fn case_of(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> Case {
    let case = case::ingested(dir, name, files);
    let mut cat = case.catalog().unwrap();
    for (name, role) in [
        ("ada", Role::Admin),
        ("eve", Role::Editor),
        ("vic", Role::Viewer),
    ] {
        let hash = hash_password(&format!("{name}-password")).unwrap();
        cat.put_user(name, role, &hash).unwrap();
    }
    case
}

/// An answer read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON, or null.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends `req` to `app` and reads the answer whole.
pub async fn call(app: &Router, req: Request<Body>) -> Answer {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// A logged-in client: its cookie and CSRF token.
pub struct Client {
    pub cookie: String,
    pub csrf: String,
}

/// Logs `name` in with its password; the session cookie must be HttpOnly
/// and SameSite=Strict.
pub async fn login(app: &Router, name: &str) -> Client {
    let req = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"user": name, "password": format!("{name}-password")}).to_string(),
        ))
        .unwrap();
    let a = call(app, req).await;
    assert_eq!(a.status, StatusCode::OK, "login {name}");
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    Client {
        cookie: cookie.split(';').next().unwrap().to_string(),
        csrf: a.json()["csrf"].as_str().unwrap().to_string(),
    }
}
