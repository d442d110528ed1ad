//! What every request shares: the case, its open search index, a few catalog
//! connections, the sessions and the login limiter.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leakcheck_core::{EmailMeta, ItemId};
use leakcheck_search::SearchIndex;
use leakcheck_store::{Case, Catalog, Role};
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// How long a session lasts without use.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// Failed logins allowed per name and per address within [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES: usize = 5;
/// The window failed logins are counted in.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Every email of the case with its parsed fields.
pub type Emails = Arc<Vec<(ItemId, EmailMeta)>>;

/// A logged-in user.
#[derive(Clone, Debug)]
pub struct Session {
    /// Login name.
    pub user: String,
    /// Role when logging in.
    pub role: Role,
    /// The token every state-changing request must carry.
    pub csrf: String,
    /// Last use.
    pub seen: Instant,
}

/// Shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// The state itself.
pub struct Inner {
    /// The case served.
    pub case: Case,
    /// Its search index.
    pub index: SearchIndex,
    /// A reader that follows the index's commits.
    pub reader: leakcheck_search::IndexReader,
    /// Idle catalog connections (SQLite: one per thread at a time).
    catalogs: Mutex<Vec<Catalog>>,
    /// Session token → session.
    pub sessions: Mutex<HashMap<String, Session>>,
    /// Recent failed logins by user name and by address.
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    /// The emails, parsed once for threads, people and timeline; kept with
    /// the catalog's email count so that a later ingest is seen.
    emails: Mutex<Option<(u64, Emails)>>,
    /// One verification pass at a time.
    pub verifying: Semaphore,
    /// Whether cookies carry `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

impl Inner {
    /// Makes the index's last commit visible now: the reader would see it
    /// within a second, but the page that follows a change should see it.
    pub fn reload_index(&self) -> ApiResult<()> {
        self.reader
            .reload()
            .map_err(|e| ApiError::Internal(e.to_string()))
    }
}

impl AppState {
    /// Opens the case's index and readies the state.
    pub fn new(case: Case, secure_cookies: bool) -> ApiResult<AppState> {
        let index = SearchIndex::of_case(&case)?;
        let reader = index
            .index
            .reader()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(AppState(Arc::new(Inner {
            case,
            index,
            reader,
            catalogs: Mutex::new(Vec::new()),
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
            emails: Mutex::new(None),
            verifying: Semaphore::new(1),
            secure_cookies,
        })))
    }

    /// Runs `f` with a catalog connection on a blocking thread.
    pub async fn with_catalog<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Catalog, &Inner) -> ApiResult<T> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let inner = &state.0;
            let pooled = inner
                .catalogs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let mut catalog = match pooled {
                Some(c) => c,
                None => inner.case.catalog()?,
            };
            let out = f(&mut catalog, inner);
            let mut pool = inner.catalogs.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 16 {
                pool.push(catalog);
            }
            out
        })
        .await?
    }

    /// The case's emails, parsed once and again only after they change.
    pub fn emails(inner: &Inner, catalog: &Catalog) -> ApiResult<Emails> {
        let count = catalog.email_count()?;
        let mut cached = inner.emails.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((n, emails)) = cached.as_ref()
            && *n == count
        {
            return Ok(emails.clone());
        }
        let emails = Arc::new(catalog.emails()?);
        *cached = Some((count, emails.clone()));
        Ok(emails)
    }

    /// How long `name` and `peer` must wait before another login attempt
    /// (none when under the limit).
    pub fn login_wait(&self, name: &str, peer: Option<IpAddr>) -> Option<u64> {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let mut wait = None;
        for key in limiter_keys(name, peer) {
            let list = failures.entry(key).or_default();
            list.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
            if list.len() >= LOGIN_FAILURES {
                let left = LOGIN_WINDOW.saturating_sub(now.duration_since(list[0]));
                wait = Some(left.as_secs().max(1));
            }
        }
        wait
    }

    /// Counts a failed login against the name and the address.
    pub fn login_failed(&self, name: &str, peer: Option<IpAddr>) {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in limiter_keys(name, peer) {
            failures.entry(key).or_default().push(Instant::now());
        }
    }
}

fn limiter_keys(name: &str, peer: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("user:{}", name.to_lowercase())];
    if let Some(ip) = peer {
        keys.push(format!("peer:{ip}"));
    }
    keys
}
