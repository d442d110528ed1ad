//! What every request passes before and after its handler: the `Host` it
//! is addressed to, its body read whole within a size and a time limit, a
//! panic turned into a 500, and the headers every answer carries.

use std::net::IpAddr;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{internal_message, log_internal};
use crate::state::{AppState, Options};

/// How long a client has to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request body (a note is at most 20,000 bytes).
pub const MAX_BODY: usize = 256 << 10;
/// Largest login body (a name and a password).
pub const MAX_LOGIN_BODY: usize = 8 << 10;

/// The policy of the pages: our own scripts, styles and frames only.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                        frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                        form-action 'self'; frame-ancestors 'none'";

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Whether a request addressed to `host` (a `Host` header: `name`,
/// `name:port`, `[v6]:port`) is ours: `localhost`, a loopback address, the
/// bound address (any IP when bound to all of them), or a name the
/// operator allowed. Any other name may be a hostile domain made to
/// resolve to this machine (DNS rebinding).
pub fn host_allowed(host: &str, options: &Options) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match host.rsplit_once(':') {
            Some((n, port)) if port.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => host.as_str(),
        }
    };
    let name = name.trim_end_matches('.');
    if name == "localhost" {
        return true;
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        let bound = options.bind.map(|b| b.ip());
        if ip.is_loopback() || bound == Some(ip) || bound.is_some_and(|b| b.is_unspecified()) {
            return true;
        }
    }
    options.allowed_hosts.iter().any(|a| {
        let a = a.trim().to_ascii_lowercase();
        a == host || a.trim_end_matches('.') == name
    })
}

/// Checks the `Host`, reads the body whole (at most [`MAX_BODY`] bytes,
/// [`MAX_LOGIN_BODY`] for a login, within [`BODY_TIMEOUT`]), and runs the
/// handler as its own task, so that a panic in it becomes a 500 with an id
/// in the server's log instead of a dropped connection or a panic text.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(host) = request.headers().get(header::HOST) {
        let host = host.to_str().unwrap_or_default();
        if !host_allowed(host, &state.0.options) {
            return refuse(
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "this server does not answer for host {:.100?}; its operator can allow it with --allow-host",
                    host
                ),
            );
        }
    }
    let path = request.uri().path().to_string();
    let limit = if path == "/api/v1/login" {
        MAX_LOGIN_BODY
    } else {
        MAX_BODY
    };
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is over {limit} bytes, or broken"),
            );
        }
        Err(_) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} seconds",
                    BODY_TIMEOUT.as_secs()
                ),
            );
        }
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => {
            let why = if e.is_panic() {
                let payload = e.into_panic();
                let text = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                format!("{path}: the handler panicked: {text}")
            } else {
                format!("{path}: the handler was cancelled")
            };
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                internal_message(&log_internal(&why)),
            )
        }
    }
}

/// Headers on every answer: no sniffing, no referrer, no framing by others,
/// the pages' Content-Security-Policy unless the handler set its own, and
/// no caching of anything the API says (it is the case's data, or a
/// session's CSRF token).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await.into_response();
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let local = Options {
            bind: Some("127.0.0.1:8080".parse().unwrap()),
            allowed_hosts: vec!["leaks.newsroom.example".into()],
            ..Options::default()
        };
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "leaks.newsroom.example",
            "leaks.newsroom.example.:443",
        ] {
            assert!(host_allowed(ok, &local), "{ok}");
        }
        for bad in [
            "attacker.example:8080",
            "10.0.0.5:8080",
            "localhost.attacker.example",
            "",
        ] {
            assert!(!host_allowed(bad, &local), "{bad}");
        }
        let all = Options {
            bind: Some("0.0.0.0:8080".parse().unwrap()),
            ..Options::default()
        };
        assert!(host_allowed("10.0.0.5:8080", &all));
        assert!(!host_allowed("attacker.example:8080", &all));
    }
}
