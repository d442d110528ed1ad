//! Changing the case: tags and notes (editors), verification (editors),
//! users, keys and the access log (admins). Every change is logged.

use std::sync::atomic::AtomicU64;

use axum::Json;
use axum::extract::{Path, Query, State};
use leakcheck_core::{ItemId, KeyRecord};
use leakcheck_store::{Access, Role, User};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::item_id;
use crate::auth::{Auth, hash_password};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Re-indexes one item after its tags changed, so `tag:` finds it at once.
fn reindex(inner: &crate::state::Inner, id: &ItemId) -> ApiResult<()> {
    let _one = inner.syncing.lock().unwrap_or_else(|p| p.into_inner());
    leakcheck_search::update(&inner.case, &inner.index, std::slice::from_ref(id))?;
    inner.reload_index()
}

/// A tag to add.
#[derive(Deserialize)]
pub struct NewTag {
    /// The tag.
    pub tag: String,
}

/// `POST /api/v1/items/{id}/tags` (editor).
pub async fn add_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(t): Json<NewTag>,
) -> ApiResult<Json<Value>> {
    auth.require(Role::Editor)?;
    let id = item_id(&id)?;
    let added = state
        .with_catalog(move |cat, inner| {
            let added = cat.add_tag(&id, &t.tag, &auth.user)?;
            auth.log(cat, "tag-add", Some(&id), Some(&t.tag))?;
            reindex(inner, &id)?;
            Ok(added)
        })
        .await?;
    Ok(Json(json!({ "added": added })))
}

/// `DELETE /api/v1/items/{id}/tags/{tag}` (editor).
pub async fn remove_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, tag)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(Role::Editor)?;
    let id = item_id(&id)?;
    let removed = state
        .with_catalog(move |cat, inner| {
            let removed = cat.remove_tag(&id, &tag)?;
            auth.log(cat, "tag-remove", Some(&id), Some(&tag))?;
            reindex(inner, &id)?;
            Ok(removed)
        })
        .await?;
    Ok(Json(json!({ "removed": removed })))
}

/// A note to add.
#[derive(Deserialize)]
pub struct NewNote {
    /// Its text.
    pub text: String,
}

/// `POST /api/v1/items/{id}/notes` (editor).
pub async fn add_note(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Json(n): Json<NewNote>,
) -> ApiResult<Json<Value>> {
    auth.require(Role::Editor)?;
    let id = item_id(&id)?;
    let seq = state
        .with_catalog(move |cat, _| {
            let seq = cat.add_note(&id, &auth.user, &n.text)?;
            auth.log(cat, "note-add", Some(&id), None)?;
            Ok(seq)
        })
        .await?;
    Ok(Json(json!({ "seq": seq })))
}

/// `POST /api/v1/verify` (editor): a verification pass over the whole case,
/// then the index brought in step. One pass at a time.
pub async fn verify(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    auth.require(Role::Editor)?;
    let _one = state
        .0
        .verifying
        .try_acquire()
        .map_err(|_| ApiError::BadRequest("a verification pass is already running".into()))?;
    let summary = state
        .with_catalog(move |cat, inner| {
            if cat.is_team() {
                return Err(ApiError::BadRequest(
                    "on a team case, workers verify: run `leakcheck verify CASE` where \
                     `leakcheck worker CASE` processes run"
                        .into(),
                ));
            }
            auth.log(cat, "verify", None, None)?;
            let summary = leakcheck_verify::run(&inner.case, false, &AtomicU64::new(0))?;
            inner.sync_index(cat)?;
            Ok(summary)
        })
        .await?;
    Ok(Json(json!(summary)))
}

/// `GET /api/v1/users` (admin).
pub async fn users(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<User>>> {
    auth.require(Role::Admin)?;
    Ok(Json(state.with_catalog(|cat, _| Ok(cat.users()?)).await?))
}

/// A user to add or change.
#[derive(Deserialize)]
pub struct NewUser {
    /// Login name.
    pub name: String,
    /// `admin`, `editor` or `viewer`.
    pub role: String,
    /// Password (see [`check_password_strength`]).
    pub password: String,
}

/// `POST /api/v1/users` (admin): adds a user or changes one's role and password.
pub async fn put_user(
    State(state): State<AppState>,
    auth: Auth,
    Json(u): Json<NewUser>,
) -> ApiResult<Json<Value>> {
    auth.require(Role::Admin)?;
    let role: Role = u.role.parse()?;
    check_password_strength(&u.password)?;
    state
        .with_catalog(move |cat, inner| {
            let hash = hash_password(&u.password).map_err(ApiError::Internal)?;
            cat.put_user(&u.name, role, &hash)?;
            // A changed role or password takes effect now: the user's
            // sessions end and the next login carries the new role.
            inner
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|_, s| s.user != u.name);
            let detail = format!("{} as {}", u.name, role.as_str());
            auth.log(cat, "user-put", None, Some(&detail))?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({ "ok": true })))
}

/// Fewest characters in a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Fewest different characters in a password.
pub const MIN_PASSWORD_DISTINCT: usize = 5;
/// Words a password must be more than (with digits and signs around them).
const COMMON: [&str; 12] = [
    "password",
    "motdepasse",
    "passwort",
    "qwerty",
    "azerty",
    "qwertz",
    "admin",
    "welcome",
    "letmein",
    "secret",
    "bonjour",
    "soleil",
];

/// Refuses passwords too short or too simple to resist guessing: under
/// [`MIN_PASSWORD_CHARS`] characters, under [`MIN_PASSWORD_DISTINCT`]
/// different ones (`aaaaaaaaaa`, `abababab12`), a run (`0123456789`,
/// `abcdefghij`), a common word with digits (`password123`), or longer
/// than a login accepts.
pub fn check_password_strength(password: &str) -> ApiResult<()> {
    let chars: Vec<char> = password.chars().collect();
    let weak = |why: &str| Err(ApiError::BadRequest(format!("password refused: {why}")));
    if chars.len() < MIN_PASSWORD_CHARS {
        return weak(&format!(
            "it needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > crate::auth::MAX_PASSWORD_BYTES {
        return weak(&format!(
            "at most {} bytes",
            crate::auth::MAX_PASSWORD_BYTES
        ));
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_PASSWORD_DISTINCT {
        return weak(&format!(
            "it needs at least {MIN_PASSWORD_DISTINCT} different characters"
        ));
    }
    let step = |w: &[char]| w[1] as i64 - w[0] as i64;
    let first = step(&chars[..2]);
    if first.abs() == 1 && chars.windows(2).all(|w| step(w) == first) {
        return weak("a run of consecutive characters");
    }
    let letters: String = password
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if COMMON
        .iter()
        .any(|w| letters.chars().count() >= 4 && w.repeat(2).contains(&letters))
    {
        return weak("a common word with digits or signs");
    }
    Ok(())
}

/// `DELETE /api/v1/users/{name}` (admin).
pub async fn remove_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    auth.require(Role::Admin)?;
    if name == auth.user {
        return Err(ApiError::BadRequest("you cannot remove yourself".into()));
    }
    let removed = state
        .with_catalog(move |cat, inner| {
            let removed = cat.remove_user(&name)?;
            auth.log(cat, "user-remove", None, Some(&name))?;
            inner
                .sessions
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|_, s| s.user != name);
            Ok(removed)
        })
        .await?;
    Ok(Json(json!({ "removed": removed })))
}

/// A key to add.
#[derive(Deserialize)]
pub struct NewKey {
    /// `<selector>._domainkey.<domain> <TXT value>`.
    pub record: String,
    /// Where it was obtained.
    pub source: String,
    /// When it was obtained.
    #[serde(default)]
    pub obtained: Option<String>,
}

/// `POST /api/v1/keys` (admin): adds a DKIM key with its provenance.
pub async fn add_key(
    State(state): State<AppState>,
    auth: Auth,
    Json(k): Json<NewKey>,
) -> ApiResult<Json<Value>> {
    auth.require(Role::Admin)?;
    let (name, txt) = KeyRecord::parse_line(&k.record).ok_or_else(|| {
        ApiError::BadRequest(
            "record: expected \"<selector>._domainkey.<domain> <TXT value>\"".into(),
        )
    })?;
    if k.source.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "source: say where the key comes from".into(),
        ));
    }
    let added = state
        .with_catalog(move |cat, _| {
            let key = KeyRecord {
                name: name.clone(),
                txt,
                source: k.source,
                obtained: k.obtained,
                added_by: Some(auth.user.clone()),
                added_at: chrono::Utc::now().to_rfc3339(),
                ..KeyRecord::default()
            };
            let added = cat.add_keys(&[key])?;
            auth.log(cat, "key-add", None, Some(&name))?;
            Ok(added)
        })
        .await?;
    Ok(Json(json!({ "added": added })))
}

/// Access-log paging.
#[derive(Deserialize)]
pub struct LogParams {
    /// Entries before this sequence number.
    #[serde(default)]
    pub before: Option<i64>,
    /// How many (at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// `GET /api/v1/audit` (admin): the access log, newest first.
pub async fn audit(
    State(state): State<AppState>,
    auth: Auth,
    Query(p): Query<LogParams>,
) -> ApiResult<Json<Vec<Access>>> {
    auth.require(Role::Admin)?;
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    Ok(Json(
        state
            .with_catalog(move |cat, _| Ok(cat.access_log(p.before, limit)?))
            .await?,
    ))
}
