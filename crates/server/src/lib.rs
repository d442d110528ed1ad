//! The workbench: an HTTP API under `/api/v1` and the web pages that use it
//! (plain HTML, CSS and JavaScript served from the binary, no CDN).
//!
//! [`auth`] decides who is asking (sessions, CSRF, login limiter); [`api`]
//! reads the case; [`edit`] changes it; [`email_html`] makes an email's
//! HTML safe to look at; [`explain`] words each check for a reader;
//! [`openapi`] lists the routes. Every read of an original, every export,
//! every login and every change is written to the case's append-only
//! access log.
#![warn(missing_docs)]

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};

pub use auth::{check_password, hash_password};
pub use edit::check_password_strength;
pub use state::AppState;

pub mod api;
pub mod assets;
pub mod auth;
pub mod edit;
pub mod email_html;
pub mod error;
pub mod explain;
pub mod openapi;
pub mod state;

/// The policy of the pages: our own scripts, styles and frames only.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                        frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                        form-action 'self'; frame-ancestors 'none'";

/// The whole application.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/session", get(auth::session))
        .route("/openapi.json", get(openapi_json))
        .route("/search", get(api::search))
        .route("/export", get(api::export))
        .route("/items/{id}", get(api::item))
        .route("/items/{id}/verification", get(api::verification))
        .route("/items/{id}/original", get(api::original))
        .route("/items/{id}/html", get(api::html))
        .route("/items/{id}/thread", get(api::thread))
        .route("/items/{id}/tags", post(edit::add_tag))
        .route("/items/{id}/tags/{tag}", delete(edit::remove_tag))
        .route("/items/{id}/notes", post(edit::add_note))
        .route("/timeline", get(api::timeline))
        .route("/people", get(api::people))
        .route("/keys", get(api::keys).post(edit::add_key))
        .route("/verify", post(edit::verify))
        .route("/users", get(edit::users).post(edit::put_user))
        .route("/users/{name}", delete(edit::remove_user))
        .route("/audit", get(edit::audit))
        .fallback(|| async { error::ApiError::NotFound("no such API route".into()) });
    Router::new()
        .nest("/api/v1", api)
        .merge(assets::routes())
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn openapi_json(_auth: auth::Auth) -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document())
}

/// Headers on every answer: no sniffing, no referrer, no framing by others,
/// and the pages' Content-Security-Policy unless the handler set its own.
async fn security_headers(request: Request, next: Next) -> Response {
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
    response
}

/// Serves `state` on `listener` until Ctrl-C.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
