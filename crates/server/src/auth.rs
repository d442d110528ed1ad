//! Who is asking: password hashes, sessions in an HttpOnly cookie that
//! follow the user's row in the catalog, the CSRF token every
//! state-changing request must echo, and logins through the limiter.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use leakcheck_core::ItemId;
use leakcheck_store::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cat::Cat;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, PASSWORD_QUEUE, SESSION_IDLE, Session};

/// Longest password a login checks, in bytes (a longer one cannot match:
/// none is set that long).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Sessions one user may hold at once; the oldest ends first.
pub const SESSIONS_PER_USER: usize = 20;

/// The session cookie's name.
pub const COOKIE: &str = "leakcheck_session";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An argon2id hash of `password` as a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&random::<16>()).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC string.
pub fn check_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to check against when the user does not exist, so that a wrong
/// name takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("no such user").unwrap_or_default())
}

pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The operating system's generator does not fail on Linux once booted;
    // if it ever did, a zero token would be guessable, so refuse to go on.
    getrandom::fill(&mut bytes).expect("the operating system's random generator");
    bytes
}

fn token() -> String {
    hex::encode(random::<32>())
}

/// The logged-in user of a request. Extracting it rejects a request without
/// a live session (401) and, for every method but GET and HEAD, one without
/// the session's CSRF token or from another origin (403).
#[derive(Clone, Debug)]
pub struct Auth {
    /// Login name.
    pub user: String,
    /// Role.
    pub role: Role,
    /// The client's address.
    pub peer: Option<IpAddr>,
}

impl Auth {
    /// Refuses unless the role is at least `need`.
    pub fn require(&self, need: Role) -> ApiResult<()> {
        if self.role >= need {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                have: self.role.as_str(),
                need: need.as_str(),
            })
        }
    }

    /// Appends what this user did to the access log, with their address.
    pub fn log(
        &self,
        cat: &mut Cat,
        action: &str,
        item: Option<&ItemId>,
        detail: Option<&str>,
    ) -> ApiResult<()> {
        let peer = self.peer.map(|p| p.to_string());
        Ok(cat.log_access(&self.user, action, item, detail, peer.as_deref())?)
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

pub(crate) fn peer_of(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A state-changing request must come from our own pages: an `Origin`
/// header, when the browser sends one, must name the host asked, over
/// `http:` or `https:` (`https:` only behind HTTPS, `--secure-cookies`).
fn same_origin(headers: &HeaderMap, secure: bool) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin.split_once("://").is_some_and(|(scheme, rest)| {
        let scheme_ok = match scheme {
            "https" => true,
            "http" => !secure,
            _ => false,
        };
        scheme_ok && !host.is_empty() && rest == host
    })
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Auth> {
        let token = cookie_token(&parts.headers)
            .ok_or(ApiError::Unauthenticated)?
            .to_string();
        // The user as the catalog has them now: a removal, a new role or a
        // new password made anywhere (the command line too) ends the
        // session at this request. One indexed row read.
        let session = state
            .with_catalog(move |cat, inner| {
                let Some(session) = inner.session(&token)? else {
                    return Ok(None);
                };
                let now = cat.user(&session.user)?;
                let current = now.is_some_and(|u| {
                    u.role == session.role
                        && constant_eq(u.password.as_bytes(), session.password.as_bytes())
                });
                if !current {
                    inner.close_session(&token)?;
                    return Ok(None);
                }
                Ok(Some(session))
            })
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !constant_eq(sent.as_bytes(), session.csrf.as_bytes())
                || !same_origin(&parts.headers, state.0.options.secure_cookies)
            {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Auth {
            user: session.user,
            role: session.role,
            peer: peer_of(parts),
        })
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A login form.
#[derive(Deserialize)]
pub struct Login {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// What the pages need to know about the session.
#[derive(Serialize)]
pub struct SessionInfo {
    /// Login name.
    pub user: String,
    /// Role.
    pub role: Role,
    /// The token to send in `X-CSRF-Token`.
    pub csrf: String,
    /// The case's name.
    pub case: String,
}

/// Client address of a request handled without [`Auth`].
pub struct Peer(pub Option<IpAddr>);

impl FromRequestParts<AppState> for Peer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Peer> {
        if !same_origin(&parts.headers, state.0.options.secure_cookies) {
            return Err(ApiError::Csrf);
        }
        Ok(Peer(peer_of(parts)))
    }
}

/// `POST /api/v1/login`: JSON only (a cross-site form cannot send it).
/// The attempt is reserved with the limiter before the password is checked
/// (see [`crate::limiter`]), and at most
/// [`crate::state::PASSWORD_CHECKS`] checks run at once.
pub async fn login(
    State(state): State<AppState>,
    Peer(peer): Peer,
    Json(form): Json<Login>,
) -> ApiResult<Response> {
    // A name no user can have (over 64 bytes) is refused without a password
    // check, and only the address is charged: it is not stored. (Not the
    // full rule of `valid_user_name`: names from before it still log in.)
    let possible = !form.user.is_empty() && form.user.len() <= 64;
    let attempt = state
        .0
        .limiter
        .reserve(possible.then_some(form.user.as_str()), peer)
        .map_err(ApiError::RateLimited)?;
    let peer_text = peer.map(|p| p.to_string());
    if !possible || form.password.len() > MAX_PASSWORD_BYTES {
        let shown: String = form.user.chars().take(64).collect();
        state
            .with_catalog(move |cat, _| {
                Ok(cat.log_access(&shown, "login-failed", None, None, peer_text.as_deref())?)
            })
            .await?;
        return Err(ApiError::BadLogin);
    }
    let permit = tokio::time::timeout(PASSWORD_QUEUE, state.0.password_checks.acquire()).await;
    let Ok(Ok(_permit)) = permit else {
        attempt.cancel();
        return Err(ApiError::Busy);
    };
    let user = state
        .with_catalog(move |cat, _| {
            let user = cat.user(&form.user)?;
            let phc = user.as_ref().map_or(decoy_hash(), |u| u.password.as_str());
            let ok = check_password(&form.password, phc) && user.is_some();
            let action = if ok { "login" } else { "login-failed" };
            cat.log_access(&form.user, action, None, None, peer_text.as_deref())?;
            Ok(user.filter(|_| ok))
        })
        .await?;
    let Some(user) = user else {
        return Err(ApiError::BadLogin);
    };
    attempt.succeeded();
    let token = token();
    let session = Session {
        user: user.name.clone(),
        role: user.role,
        password: user.password,
        csrf: token_csrf(),
        seen: Instant::now(),
    };
    let info = SessionInfo {
        user: user.name,
        role: user.role,
        csrf: session.csrf.clone(),
        case: state.0.case.settings.name.clone(),
    };
    {
        let token = token.clone();
        state
            .with_catalog(move |_, inner| inner.open_session(&token, session, SESSIONS_PER_USER))
            .await?;
    }
    let secure = if state.0.options.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        SESSION_IDLE.as_secs()
    );
    let mut response = Json(info).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

fn token_csrf() -> String {
    hex::encode(random::<16>())
}

/// `POST /api/v1/logout`: ends the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let token = cookie_token(&headers).map(str::to_string);
    state
        .with_catalog(move |cat, inner| {
            if let Some(t) = token {
                inner.close_session(&t)?;
            }
            auth.log(cat, "logout", None, None)
        })
        .await?;
    let mut response = Json(json!({"ok": true})).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "leakcheck_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
        ),
    );
    Ok(response)
}

/// `GET /api/v1/session`: who is logged in, and the CSRF token.
pub async fn session(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
) -> ApiResult<Json<SessionInfo>> {
    let token = cookie_token(&headers)
        .ok_or(ApiError::Unauthenticated)?
        .to_string();
    let csrf = state
        .with_catalog(move |_, inner| Ok(inner.session(&token)?.map(|s| s.csrf)))
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Json(SessionInfo {
        user: auth.user,
        role: auth.role,
        csrf,
        case: state.0.case.settings.name.clone(),
    }))
}
