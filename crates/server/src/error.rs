//! Errors as HTTP answers: a status and a JSON body that says what is wrong,
//! never a stack trace, a panic message or a file path from the server
//! (internal errors are logged under an id; the answer carries the id).

use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid session.
    #[error("log in first")]
    Unauthenticated,
    /// The session's role does not allow this.
    #[error("your role ({have}) cannot do this; it needs {need}")]
    Forbidden {
        /// The user's role.
        have: &'static str,
        /// The least role that may.
        need: &'static str,
    },
    /// A state-changing request without the session's CSRF token, or from
    /// another origin.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Too many failed logins.
    #[error("too many failed logins; try again in {0} seconds")]
    RateLimited(u64),
    /// Wrong user name or password (never says which).
    #[error("wrong user name or password")]
    BadLogin,
    /// A malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// No such item (or other thing).
    #[error("{0}")]
    NotFound(String),
    /// Too much at once (password checks queued too long).
    #[error("the server is busy; try again in a few seconds")]
    Busy,
    /// Something failed on the server: the details go to the server's log
    /// under an id, the answer says only the id.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Writes `what` to the server's log (its standard error) under a fresh
/// id, and returns the id to put in the answer.
pub fn log_internal(what: &str) -> String {
    let id = hex::encode(crate::auth::random::<6>());
    eprintln!(
        "leakcheck serve: error {id}: {}",
        leakcheck_core::sanitize::for_terminal(what)
    );
    id
}

impl From<leakcheck_store::Error> for ApiError {
    fn from(e: leakcheck_store::Error) -> ApiError {
        match e {
            leakcheck_store::Error::NoSuchItem(i) => ApiError::NotFound(format!("no item {i}")),
            leakcheck_store::Error::Invalid(why) => ApiError::BadRequest(why),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<leakcheck_search::Error> for ApiError {
    fn from(e: leakcheck_search::Error) -> ApiError {
        match e {
            leakcheck_search::Error::Refused(r) => ApiError::BadRequest(r.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Unauthenticated | ApiError::BadLogin => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match &self {
            ApiError::Internal(why) => internal_message(&log_internal(why)),
            other => other.to_string(),
        };
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        let retry = match self {
            ApiError::RateLimited(secs) => Some(secs),
            ApiError::Busy => Some(5),
            _ => None,
        };
        if let Some(secs) = retry
            && let Ok(v) = secs.to_string().parse()
        {
            response.headers_mut().insert("retry-after", v);
        }
        response
    }
}

/// Every error answer of the API as `{"error": ...}`: axum's own refusals
/// (a body, query or path that does not parse; a method the route lacks)
/// are plain text, so they are rewritten here with their status and
/// headers kept, and a body that does not fit its type (422) is a 400 like
/// every other malformed request.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase()
    } else {
        text
    };
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let mut out = (status, Json(json!({ "error": message }))).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name, value.clone());
        }
    }
    out
}

/// What a client is told of an internal error: only the id to look up.
pub fn internal_message(id: &str) -> String {
    format!("internal error (id {id}); the server's log has the details")
}

/// Results of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
