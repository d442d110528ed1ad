//! What every request shares: the case, its open search index, a few catalog
//! connections, the sessions, the login limiter and the bounds on
//! concurrent work.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leakcheck_search::SearchIndex;
use leakcheck_store::{Case, Catalog, MailTotals, Role, Shared, SharedSession};
use tokio::sync::Semaphore;

use crate::cat::Cat;
use crate::error::{ApiError, ApiResult};
use crate::limiter::Limiter;
use crate::paths::Paths;

/// How long a session lasts without use.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// Password checks (argon2, 19 MiB each) running at once at most.
pub const PASSWORD_CHECKS: usize = 2;
/// How long a login waits for a password check before a 503.
pub const PASSWORD_QUEUE: Duration = Duration::from_secs(10);
/// Searches and exports running at once at most.
pub const SEARCHES: usize = 2;
/// Requests using the catalog at once at most (each on its own pooled
/// connection): memory stays bounded however many clients wait.
pub const CATALOG_SLOTS: usize = 8;

/// How the server is run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Whether cookies carry `Secure` (behind HTTPS); the `Origin` of a
    /// state-changing request must then be `https:`.
    pub secure_cookies: bool,
    /// Host names (optionally `name:port`) requests may be addressed to, on
    /// top of the bind address and `localhost`: a browser pointed at a
    /// hostile name that resolves here (DNS rebinding) is refused.
    pub allowed_hosts: Vec<String>,
    /// The address served (its IP is an allowed host; when it is
    /// 0.0.0.0 or ::, any IP literal is).
    pub bind: Option<SocketAddr>,
}

/// A logged-in user.
#[derive(Clone, Debug)]
pub struct Session {
    /// Login name.
    pub user: String,
    /// Role when logging in.
    pub role: Role,
    /// The password hash when logging in: a request whose user's role or
    /// hash has changed since (from the command line too) ends the session.
    pub password: String,
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
    /// Catalog work at once.
    catalog_slots: Semaphore,
    /// Session token → session.
    pub sessions: Mutex<HashMap<String, Session>>,
    /// Recent login attempts.
    pub limiter: Limiter,
    /// Password checks at once.
    pub password_checks: Semaphore,
    /// Searches and exports at once.
    pub searches: Semaphore,
    /// One refresh of the mail aggregates at a time (the others wait for
    /// it rather than compute the same again).
    refreshing: Mutex<()>,
    /// One index writer at a time (tantivy allows one): syncs and the
    /// re-indexing of an item whose tags changed.
    pub syncing: Mutex<()>,
    /// One verification pass at a time.
    pub verifying: Semaphore,
    /// The operator's folders, hidden from viewers.
    pub paths: Paths,
    /// The redaction review's detector, compiled at its first use.
    pub detector: std::sync::OnceLock<leakcheck_redact::Detector>,
    /// The case report's charts and the catalog generation they were
    /// drawn at.
    pub charts: Mutex<Option<(i64, Arc<Vec<leakcheck_publish::Chart>>)>>,
    /// How the server is run.
    pub options: Options,
    /// A team case's shared catalog (the case served is then its replica).
    pub shared: Option<Arc<dyn Shared>>,
}

impl Inner {
    /// Makes the index's last commit visible now: the reader would see it
    /// within a second, but the page that follows a change should see it.
    pub fn reload_index(&self) -> ApiResult<()> {
        self.reader
            .reload()
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// Brings the index in step with the catalog when the catalog moved on
    /// since the last sync (an `ingest` run beside the server leaves the
    /// index to the next reader), then shows the result.
    pub fn sync_index(&self, catalog: &Catalog) -> ApiResult<()> {
        let (generation, synced) = catalog.search_generation()?;
        if synced == Some(generation) {
            return Ok(());
        }
        let _one = self.syncing.lock().unwrap_or_else(|p| p.into_inner());
        leakcheck_search::sync(&self.case, &AtomicU64::new(0))?;
        self.reload_index()
    }
}

impl Inner {
    /// The session under `token`, marked as used now; none when there is
    /// none or it was idle too long. Blocks on a team case (the sessions
    /// are in its shared catalog).
    pub fn session(&self, token: &str) -> ApiResult<Option<Session>> {
        if let Some(shared) = &self.shared {
            return Ok(shared.session(token, SESSION_IDLE)?.map(|s| Session {
                user: s.user,
                role: s.role,
                password: s.password,
                csrf: s.csrf,
                seen: Instant::now(),
            }));
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let live = sessions
            .get(token)
            .is_some_and(|s| s.seen.elapsed() < SESSION_IDLE);
        if !live {
            sessions.remove(token);
            return Ok(None);
        }
        Ok(sessions.get_mut(token).map(|s| {
            s.seen = Instant::now();
            s.clone()
        }))
    }

    /// Records a new session, ending the user's oldest beyond
    /// `per_user`, and everyone's idle ones.
    pub fn open_session(&self, token: &str, session: Session, per_user: usize) -> ApiResult<()> {
        if let Some(shared) = &self.shared {
            let kept = SharedSession {
                user: session.user,
                role: session.role,
                password: session.password,
                csrf: session.csrf,
            };
            return Ok(shared.open_session(token, &kept, per_user, SESSION_IDLE)?);
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, s| s.seen.elapsed() < SESSION_IDLE);
        let mut mine: Vec<(Instant, String)> = sessions
            .iter()
            .filter(|(_, s)| s.user == session.user)
            .map(|(t, s)| (s.seen, t.clone()))
            .collect();
        mine.sort();
        let over = (mine.len() + 1).saturating_sub(per_user);
        for (_, t) in mine.into_iter().take(over) {
            sessions.remove(&t);
        }
        sessions.insert(token.to_string(), session);
        Ok(())
    }

    /// Ends the session under `token`.
    pub fn close_session(&self, token: &str) -> ApiResult<()> {
        if let Some(shared) = &self.shared {
            return Ok(shared.close_session(token)?);
        }
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
        Ok(())
    }
}

impl AppState {
    /// Opens the case's index and readies the state. On a team case,
    /// `case` is the server's replica and `shared` the shared catalog.
    pub fn new(
        case: Case,
        options: Options,
        shared: Option<Arc<dyn Shared>>,
    ) -> ApiResult<AppState> {
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
            catalog_slots: Semaphore::new(CATALOG_SLOTS),
            sessions: Mutex::new(HashMap::new()),
            limiter: Limiter::default(),
            password_checks: Semaphore::new(PASSWORD_CHECKS),
            searches: Semaphore::new(SEARCHES),
            refreshing: Mutex::new(()),
            syncing: Mutex::new(()),
            verifying: Semaphore::new(1),
            paths: Paths::new(),
            detector: std::sync::OnceLock::new(),
            charts: Mutex::new(None),
            options,
            shared,
        })))
    }

    /// Runs `f` with a catalog connection on a blocking thread.
    pub async fn with_catalog<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Cat, &Inner) -> ApiResult<T> + Send + 'static,
    {
        let state = self.clone();
        let _slot = self
            .0
            .catalog_slots
            .acquire()
            .await
            .map_err(|_| ApiError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let inner = &state.0;
            let pooled = inner
                .catalogs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let mut catalog = match pooled {
                Some(c) => c,
                None => {
                    let c = inner.case.catalog()?;
                    c.for_serving()?;
                    c
                }
            };
            // A team case's replica is brought in step first (one query
            // when nothing changed).
            let out = match &inner.shared {
                Some(shared) => shared
                    .refresh()
                    .map_err(ApiError::from)
                    .and_then(|()| f(&mut Cat::new(&mut catalog, Some(shared.as_ref())), inner)),
                None => f(&mut Cat::new(&mut catalog, None), inner),
            };
            let mut pool = inner.catalogs.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < CATALOG_SLOTS {
                pool.push(catalog);
            }
            out
        })
        .await?
    }

    /// The mail aggregates' totals, refreshed first when the catalog's
    /// emails changed since (an ingest while serving, or a case made before
    /// the aggregates): threads, people and timeline read nothing else of
    /// the whole case.
    pub fn mail_totals(inner: &Inner, catalog: &mut Catalog) -> ApiResult<MailTotals> {
        if let Some(totals) = catalog.fresh_mail_totals()? {
            return Ok(totals);
        }
        let _one = inner.refreshing.lock().unwrap_or_else(|p| p.into_inner());
        Ok(leakcheck_search::fresh(catalog)?)
    }
}
