//! The workbench: an HTTP API under `/api/v1` and the web pages that use it
//! (plain HTML, CSS and JavaScript served from the binary, no CDN).
//!
//! [`auth`] decides who is asking (sessions, CSRF, login limiter); [`api`]
//! reads the case; [`edit`] changes it; [`redaction`] is the review of
//! personal data before `leakcheck redact`; [`report`] zips an evidence
//! report of a selection; [`charts`] serves the case report's charts; [`email_html`] makes an email's
//! HTML safe to look at; [`explain`] words each check for a reader;
//! [`openapi`] lists the routes. Every read of an original, every export,
//! every login and every change is written to the case's append-only
//! access log. On a team case, the server reads its local replica of the
//! catalog, and writes the shared one ([`cat`]).
#![warn(missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::middleware;
use axum::routing::{delete, get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

pub use auth::{check_password, hash_password};
pub use edit::check_password_strength;
pub use state::{AppState, Options};

pub mod api;
pub mod assets;
pub mod auth;
pub mod cat;
pub mod charts;
pub mod edit;
pub mod email_html;
pub mod error;
pub mod explain;
pub mod guard;
pub mod limiter;
pub mod openapi;
pub mod paths;
pub mod redaction;
pub mod report;
pub mod spread;
pub mod state;

/// How long a client has to send a request's headers; an idle kept-alive
/// connection is closed after as long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection's read buffer at most (and so the largest request head).
pub const MAX_READ_BUFFER: usize = 64 << 10;
/// Connections served at once; more wait to be accepted.
pub const MAX_CONNECTIONS: usize = 256;

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
        .route("/items/{id}/picture", get(api::picture))
        .route("/items/{id}/thread", get(api::thread))
        .route("/items/{id}/tags", post(edit::add_tag))
        .route("/items/{id}/tags/{tag}", delete(edit::remove_tag))
        .route("/items/{id}/notes", post(edit::add_note))
        .route(
            "/items/{id}/redaction",
            get(redaction::get).post(redaction::post),
        )
        .route("/report", post(report::report))
        .route("/charts", get(charts::list))
        .route("/charts/{name}", get(charts::svg))
        .route("/timeline", get(api::timeline))
        .route("/people", get(api::people))
        .route("/keys", get(api::keys).post(edit::add_key))
        .route("/verify", post(edit::verify))
        .route("/users", get(edit::users).post(edit::put_user))
        .route("/users/{name}", delete(edit::remove_user))
        .route("/audit", get(edit::audit))
        .route("/spread", get(spread::spread))
        .fallback(|| async { error::ApiError::NotFound("no such API route".into()) })
        .layer(middleware::from_fn(error::json_errors));
    Router::new()
        .nest("/api/v1", api)
        .merge(assets::routes())
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .layer(middleware::from_fn(guard::security_headers))
        .with_state(state)
}

/// The API's description holds no case data: readable without a session.
async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document())
}

/// SQLite allocates through the C library's malloc, and the server runs
/// its catalog connections on whichever of tokio's blocking threads is
/// free: glibc then gives each of those threads an arena of its own (up to
/// eight per core) and keeps what they freed. The hostile-client test saw
/// the server's peak RSS range from 256 to 526 MiB from run to run; with
/// two arenas, from 134 to 311 MiB. Set before the blocking threads first
/// allocate (they start with the first request).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the C allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Serves `state` on `listener` until Ctrl-C: HTTP/1.1, at most
/// [`MAX_CONNECTIONS`] connections, each with [`HEADER_TIMEOUT`] to send
/// its headers. Ours rather than `axum::serve`, which sets no header
/// timeout: a client that sends half a request would hold its connection
/// for ever.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    limit_malloc_arenas();
    let app = app(state);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (stop, stopped) = watch::channel(());
    let mut tasks = JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s,
            _ = &mut ctrl_c => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    eprintln!("leakcheck serve: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut ctrl_c => break,
        };
        while tasks.try_join_next().is_some() {}
        let service = app
            .clone()
            .map_request(move |mut r: axum::http::Request<_>| {
                r.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                r
            });
        let mut stopped = stopped.clone();
        tasks.spawn(async move {
            let _slot = slot;
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(MAX_READ_BUFFER);
            let conn =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(stop);
    // Requests under way get a few seconds to finish.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}
