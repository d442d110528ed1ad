//! The workbench's writes on a team case ([`leakcheck_store::Shared`]):
//! users, tags, notes, redaction decisions and keys, made in PostgreSQL
//! under the same rules as the embedded catalog's, so that two people
//! editing at once are serialized by the database; the append-only access
//! log; and the sessions. The server reads everything else from its
//! replica ([`crate::replica`]), refreshed through this too.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use leakcheck_core::{ItemId, KeyRecord};
use leakcheck_store::{
    Access, Decision, Error, MAX_MANUAL_SPANS, Result, Role, Shared, SharedSession, SpanRef,
    check_span, check_user_name, normal_tag, note_text, now,
};
use postgres::{Client, Statement};

use crate::catalog::{BUMP_TAGS, BUMP_WORKBENCH};
use crate::error::describe;
use crate::replica::{Refreshed, Replica};
use crate::{PgCatalog, TeamError};

fn db(e: postgres::Error) -> Error {
    Error::Team(describe(&e))
}

impl From<TeamError> for Error {
    fn from(e: TeamError) -> Error {
        match e {
            TeamError::Catalog(e) => e,
            e => Error::Team(e.to_string()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A session is kept under the SHA-256 of its token (as item ids are
/// made), so that a copy of the table logs nobody in.
fn token_key(token: &str) -> String {
    ItemId::of(token.as_bytes()).to_string()
}

/// Seconds between two writes of a session's last use.
const SEEN_EVERY: i64 = 60;

/// Connections to the shared catalog kept between requests, at most: as
/// many as the requests a server runs at once on the catalog.
const POOL: usize = 8;

/// One connection, and the statement every request runs on it, prepared
/// once (a round trip less each time).
struct Conn {
    catalog: PgCatalog,
    find_session: Option<Statement>,
}

/// Opens a connection to the shared catalog.
type Connector = Box<dyn Fn() -> crate::Result<Client> + Send + Sync>;

/// A team case's shared catalog, and the replica it refreshes.
pub struct TeamShared {
    open: Connector,
    idle: Mutex<Vec<Conn>>,
    replica: Replica,
}

impl TeamShared {
    /// The shared catalog `first` is connected to (migrated already),
    /// `open` making more connections to it when requests run at once, and
    /// the replica whose embedded catalog is the file `replica`.
    pub fn new(
        first: Client,
        open: impl Fn() -> crate::Result<Client> + Send + Sync + 'static,
        replica: &Path,
    ) -> crate::Result<TeamShared> {
        Ok(TeamShared {
            open: Box::new(open),
            idle: Mutex::new(vec![Conn {
                catalog: PgCatalog::new(first),
                find_session: None,
            }]),
            replica: Replica::open(replica)?,
        })
    }

    /// Runs `f` on an idle connection, or a new one; the connection goes
    /// back to the pool unless it was closed (the server went away).
    fn with<T, E>(
        &self,
        f: impl FnOnce(&mut Conn) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<TeamError>,
    {
        let idle = lock(&self.idle).pop();
        let mut conn = match idle {
            Some(c) => c,
            None => Conn {
                catalog: PgCatalog::new((self.open)()?),
                find_session: None,
            },
        };
        let out = f(&mut conn);
        if !conn.catalog.client.is_closed() {
            let mut idle = lock(&self.idle);
            if idle.len() < POOL {
                idle.push(conn);
            }
        }
        out
    }

    /// Brings the replica in step now, saying what it copied.
    pub fn refresh_now(&self) -> crate::Result<Refreshed> {
        self.with(|c| self.replica.refresh(&mut c.catalog.client))
    }

    /// Runs `f` in a transaction that ends by moving `bump`'s generation on
    /// when `f` says it changed something.
    fn write<T>(
        &self,
        bump: &str,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<(T, bool)>,
    ) -> Result<T> {
        self.with(|c| {
            let mut tx = c.catalog.client.transaction().map_err(db)?;
            let (out, changed) = f(&mut tx)?;
            if changed {
                tx.execute(bump, &[]).map_err(db)?;
            }
            tx.commit().map_err(db)?;
            Ok::<_, Error>(out)
        })
    }

    /// Runs one statement's worth of `f` on a pooled connection.
    fn client<T>(&self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        self.with::<T, Error>(|c| f(&mut c.catalog.client))
    }
}

/// Refuses an item the catalog does not hold, and locks its row until the
/// transaction ends: changes to one item are made one at a time.
fn known(tx: &mut postgres::Transaction<'_>, item: &ItemId) -> Result<()> {
    tx.query_opt(
        "SELECT 1 FROM items WHERE id = $1 FOR UPDATE",
        &[&item.as_str()],
    )
    .map_err(db)?
    .map(|_| ())
    .ok_or_else(|| Error::NoSuchItem(item.to_string()))
}

impl Shared for TeamShared {
    fn refresh(&self) -> Result<()> {
        Ok(self.refresh_now().map(|_| ())?)
    }

    fn put_user(&self, name: &str, role: Role, password_hash: &str) -> Result<()> {
        check_user_name(name)?;
        self.write(BUMP_WORKBENCH, |tx| {
            tx.execute(
                "INSERT INTO users (name, role, password, created) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO UPDATE SET role = excluded.role,
                                                  password = excluded.password",
                &[&name, &role.as_str(), &password_hash, &now()],
            )
            .map_err(db)?;
            Ok(((), true))
        })
    }

    fn remove_user(&self, name: &str) -> Result<bool> {
        self.write(BUMP_WORKBENCH, |tx| {
            let n = tx
                .execute("DELETE FROM users WHERE name = $1", &[&name])
                .map_err(db)?;
            Ok((n > 0, n > 0))
        })
    }

    fn log_access(
        &self,
        user: &str,
        action: &str,
        item: Option<&ItemId>,
        detail: Option<&str>,
        peer: Option<&str>,
    ) -> Result<()> {
        self.client(|c| {
            c.execute(
                "INSERT INTO access_log (at, \"user\", action, item, detail, peer)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &now(),
                    &user,
                    &action,
                    &item.map(|i| i.as_str()),
                    &detail,
                    &peer,
                ],
            )
            .map_err(db)
        })?;
        Ok(())
    }

    fn access_log(&self, before: Option<i64>, limit: usize) -> Result<Vec<Access>> {
        let rows = self.client(|c| {
            c.query(
                "SELECT seq, at, \"user\", action, item, detail, peer FROM access_log
                 WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
                &[&before.unwrap_or(i64::MAX), &(limit as i64)],
            )
            .map_err(db)
        })?;
        Ok(rows
            .iter()
            .map(|r| Access {
                seq: r.get(0),
                at: r.get(1),
                user: r.get(2),
                action: r.get(3),
                item: r.get(4),
                detail: r.get(5),
                peer: r.get(6),
            })
            .collect())
    }

    fn add_tag(&self, item: &ItemId, tag: &str, by: &str) -> Result<bool> {
        let tag = normal_tag(tag)?;
        self.write(BUMP_TAGS, |tx| {
            known(tx, item)?;
            let added = tx
                .execute(
                    "INSERT INTO tags (item, tag, added_by, added_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (item, tag) DO NOTHING",
                    &[&item.as_str(), &tag, &by, &now()],
                )
                .map_err(db)?
                > 0;
            Ok((added, added))
        })
    }

    fn remove_tag(&self, item: &ItemId, tag: &str) -> Result<bool> {
        let tag = normal_tag(tag)?;
        self.write(BUMP_TAGS, |tx| {
            let removed = tx
                .execute(
                    "DELETE FROM tags WHERE item = $1 AND tag = $2",
                    &[&item.as_str(), &tag],
                )
                .map_err(db)?
                > 0;
            Ok((removed, removed))
        })
    }

    fn add_note(&self, item: &ItemId, author: &str, text: &str) -> Result<i64> {
        let text = note_text(text)?;
        self.write(BUMP_WORKBENCH, |tx| {
            known(tx, item)?;
            let seq: i64 = tx
                .query_one(
                    "INSERT INTO notes (item, author, at, text) VALUES ($1, $2, $3, $4)
                     RETURNING seq",
                    &[&item.as_str(), &author, &now(), &text],
                )
                .map_err(db)?
                .get(0);
            Ok((seq, true))
        })
    }

    fn decide_redaction(
        &self,
        item: &ItemId,
        span: &SpanRef,
        decision: Decision,
        user: &str,
    ) -> Result<()> {
        check_span(span)?;
        self.write(BUMP_WORKBENCH, |tx| {
            // The item's row is locked: the count of spans marked by hand
            // holds until this one is in.
            known(tx, item)?;
            if decision == Decision::Manual {
                let manual: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM redaction_decisions
                         WHERE item = $1 AND decision = 'manual'",
                        &[&item.as_str()],
                    )
                    .map_err(db)?
                    .get(0);
                if manual as usize >= MAX_MANUAL_SPANS {
                    return Err(Error::Invalid(format!(
                        "this item has {MAX_MANUAL_SPANS} spans marked by hand already"
                    )));
                }
            }
            tx.execute(
                "INSERT INTO redaction_decisions
                   (item, text, start_byte, end_byte, kind, decision, \"user\", at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (item, text, start_byte, end_byte) DO UPDATE SET
                   kind = excluded.kind, decision = excluded.decision,
                   \"user\" = excluded.\"user\", at = excluded.at",
                &[
                    &item.as_str(),
                    &span.text,
                    &(span.start as i64),
                    &(span.end as i64),
                    &span.kind,
                    &decision.as_str(),
                    &user,
                    &now(),
                ],
            )
            .map_err(db)?;
            Ok(((), true))
        })
    }

    fn clear_redaction(&self, item: &ItemId, text: &str, start: usize, end: usize) -> Result<bool> {
        self.write(BUMP_WORKBENCH, |tx| {
            let removed = tx
                .execute(
                    "DELETE FROM redaction_decisions
                     WHERE item = $1 AND text = $2 AND start_byte = $3 AND end_byte = $4",
                    &[&item.as_str(), &text, &(start as i64), &(end as i64)],
                )
                .map_err(db)?
                > 0;
            Ok((removed, removed))
        })
    }

    fn add_keys(&self, keys: &[KeyRecord]) -> Result<usize> {
        self.with(|c| c.catalog.add_keys(keys).map_err(Error::from))
    }

    fn open_session(
        &self,
        token: &str,
        session: &SharedSession,
        per_user: usize,
        idle: Duration,
    ) -> Result<()> {
        let key = token_key(token);
        let now = unix_now();
        self.write(BUMP_WORKBENCH, |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE seen < $1",
                &[&(now - idle.as_secs() as i64)],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO sessions (token, \"user\", role, password, csrf, seen)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &key,
                    &session.user,
                    &session.role.as_str(),
                    &session.password,
                    &session.csrf,
                    &now,
                ],
            )
            .map_err(db)?;
            // The user's newest sessions stay, this one first.
            tx.execute(
                "DELETE FROM sessions WHERE \"user\" = $1 AND token NOT IN
                   (SELECT token FROM sessions WHERE \"user\" = $1
                    ORDER BY token = $2 DESC, seen DESC, opened DESC LIMIT $3)",
                &[&session.user, &key, &(per_user as i64)],
            )
            .map_err(db)?;
            Ok(((), false))
        })
    }

    fn session(&self, token: &str, idle: Duration) -> Result<Option<SharedSession>> {
        let now = unix_now();
        let key = token_key(token);
        let row = self.with(|c| {
            let find = match &c.find_session {
                Some(f) => f.clone(),
                None => {
                    let f = c
                        .catalog
                        .client
                        .prepare(
                            "SELECT \"user\", role, password, csrf, seen FROM sessions
                             WHERE token = $1 AND seen >= $2",
                        )
                        .map_err(db)?;
                    c.find_session.insert(f).clone()
                }
            };
            let client = &mut c.catalog.client;
            let row = client
                .query_opt(&find, &[&key, &(now - idle.as_secs() as i64)])
                .map_err(db)?;
            // The last use is written at most once a minute: a write a
            // request would be a commit each, for a time kept to hours.
            if let Some(r) = &row
                && r.get::<_, i64>(4) < now - SEEN_EVERY
            {
                client
                    .execute(
                        "UPDATE sessions SET seen = $2 WHERE token = $1",
                        &[&key, &now],
                    )
                    .map_err(db)?;
            }
            Ok::<_, Error>(row)
        })?;
        row.map(|r| {
            Ok(SharedSession {
                user: r.get(0),
                role: r.get::<_, &str>(1).parse()?,
                password: r.get(2),
                csrf: r.get(3),
            })
        })
        .transpose()
    }

    fn close_session(&self, token: &str) -> Result<()> {
        self.client(|c| {
            c.execute(
                "DELETE FROM sessions WHERE token = $1",
                &[&token_key(token)],
            )
            .map_err(db)
        })?;
        Ok(())
    }
}
