//! What a team keeps in a case besides the evidence: the people who may log
//! in (with a role and a password hash made elsewhere), the append-only
//! access log, and the tags and notes they put on items.

use leakcheck_core::ItemId;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::search_rows::bump_search_generation;

/// What a user may do in a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything.
    Viewer,
    /// Read, tag, annotate and run verification.
    Editor,
    /// Everything, including users, keys and the access log.
    Admin,
}

impl Role {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            other => Err(Error::Invalid(format!(
                "role {other:?}: use admin, editor or viewer"
            ))),
        }
    }
}

/// A person who may log in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role in this case.
    pub role: Role,
    /// Password hash (PHC string); never serialised.
    #[serde(skip)]
    pub password: String,
    /// When added (RFC 3339).
    pub created: String,
}

/// One access-log entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Access {
    /// Order of writing.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (or the name tried, for a failed login).
    pub user: String,
    /// What: `login`, `login-failed`, `logout`, `original`, `export`...
    pub action: String,
    /// The item concerned.
    pub item: Option<String>,
    /// Anything else worth keeping (query, tag, reason).
    pub detail: Option<String>,
    /// The client's address.
    pub peer: Option<String>,
}

/// A tag on an item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tag {
    /// The tag (lower-case, no spaces).
    pub tag: String,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: String,
}

/// A note on an item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    /// Its number.
    pub seq: i64,
    /// Who wrote it.
    pub author: String,
    /// When.
    pub at: String,
    /// What it says.
    pub text: String,
}

/// Now, as the catalog records times (RFC 3339, UTC, to the second).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A tag as stored: lower-case, letters, digits, `-`, `_` and `.` only, so
/// that `tag:` in a query finds it exactly.
pub fn normal_tag(tag: &str) -> Result<String> {
    let t = tag.trim().to_lowercase();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(t)
    } else {
        Err(Error::Invalid(format!(
            "tag {tag:?}: 1 to 64 letters, digits, '-', '_' or '.'"
        )))
    }
}

/// Refuses a name no user can have (see [`valid_user_name`]).
pub fn check_user_name(name: &str) -> Result<()> {
    if !valid_user_name(name) {
        return Err(Error::Invalid(format!(
            "user name {name:?}: 1 to 64 ASCII letters, digits, '-', '_', '.' or '@'"
        )));
    }
    Ok(())
}

/// Whether `name` can be a user's: 1 to 64 ASCII letters, digits, `-`,
/// `_`, `.` or `@`. ASCII only, so that no name can pass for another
/// (`аdmin` with a Cyrillic `а` is not `admin`, and is refused).
fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

impl Catalog {
    /// Trims this connection for a long-running server that pools several:
    /// an 8 MB page cache and reads without a memory map (ingest's 64 MB
    /// cache and 1 GB map suit one connection at a time; a server's would
    /// hold the catalog's size in resident memory per connection).
    pub fn for_serving(&self) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -8192)?;
        self.conn.pragma_update(None, "mmap_size", 0)?;
        Ok(())
    }

    /// Adds a user, or replaces the role and password of an existing one.
    pub fn put_user(&mut self, name: &str, role: Role, password_hash: &str) -> Result<()> {
        check_user_name(name)?;
        self.conn.execute(
            "INSERT INTO users (name, role, password, created) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET role = excluded.role, password = excluded.password",
            params![name, role.as_str(), password_hash, now()],
        )?;
        Ok(())
    }

    /// One user.
    pub fn user(&self, name: &str) -> Result<Option<User>> {
        self.conn
            .query_row(
                "SELECT name, role, password, created FROM users WHERE name = ?1",
                [name],
                user_row,
            )
            .optional()?
            .transpose()
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, password, created FROM users ORDER BY name")?;
        let rows = stmt.query_map([], user_row)?;
        rows.map(|r| r?).collect()
    }

    /// Removes a user; false when there was none.
    pub fn remove_user(&mut self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM users WHERE name = ?1", [name])?
            > 0)
    }

    /// Appends to the access log.
    pub fn log_access(
        &mut self,
        user: &str,
        action: &str,
        item: Option<&ItemId>,
        detail: Option<&str>,
        peer: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO access_log (at, user, action, item, detail, peer) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now(), user, action, item.map(|i| i.as_str()), detail, peer],
        )?;
        Ok(())
    }

    /// The newest `limit` access-log entries before `before` (all when
    /// `None`), newest first.
    pub fn access_log(&self, before: Option<i64>, limit: usize) -> Result<Vec<Access>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user, action, item, detail, peer FROM access_log
             WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit as i64], |r| {
            Ok(Access {
                seq: r.get(0)?,
                at: r.get(1)?,
                user: r.get(2)?,
                action: r.get(3)?,
                item: r.get(4)?,
                detail: r.get(5)?,
                peer: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Tags an item; false when it already had the tag.
    pub fn add_tag(&mut self, item: &ItemId, tag: &str, by: &str) -> Result<bool> {
        self.known(item)?;
        let tag = normal_tag(tag)?;
        let added = self.conn.execute(
            "INSERT INTO tags (item, tag, added_by, added_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(item, tag) DO NOTHING",
            params![item.as_str(), tag, by, now()],
        )? > 0;
        if added {
            bump_search_generation(&self.conn)?;
        }
        Ok(added)
    }

    /// Removes a tag; false when the item did not have it.
    pub fn remove_tag(&mut self, item: &ItemId, tag: &str) -> Result<bool> {
        let tag = normal_tag(tag)?;
        let removed = self.conn.execute(
            "DELETE FROM tags WHERE item = ?1 AND tag = ?2",
            params![item.as_str(), tag],
        )? > 0;
        if removed {
            bump_search_generation(&self.conn)?;
        }
        Ok(removed)
    }

    /// An item's tags, alphabetically.
    pub fn tags(&self, item: &ItemId) -> Result<Vec<Tag>> {
        let mut stmt = self
            .conn
            .prepare("SELECT tag, added_by, added_at FROM tags WHERE item = ?1 ORDER BY tag")?;
        let rows = stmt.query_map([item.as_str()], |r| {
            Ok(Tag {
                tag: r.get(0)?,
                added_by: r.get(1)?,
                added_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a note to an item; its number.
    pub fn add_note(&mut self, item: &ItemId, author: &str, text: &str) -> Result<i64> {
        self.known(item)?;
        let text = crate::shared::note_text(text)?;
        self.conn.execute(
            "INSERT INTO notes (item, author, at, text) VALUES (?1, ?2, ?3, ?4)",
            params![item.as_str(), author, now(), text],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// An item's notes, oldest first.
    pub fn notes(&self, item: &ItemId) -> Result<Vec<Note>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, author, at, text FROM notes WHERE item = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([item.as_str()], |r| {
            Ok(Note {
                seq: r.get(0)?,
                author: r.get(1)?,
                at: r.get(2)?,
                text: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Refuses an item the catalog does not hold.
    pub(crate) fn known(&self, item: &ItemId) -> Result<()> {
        let found: Option<i64> = self
            .conn
            .query_row("SELECT 1 FROM items WHERE id = ?1", [item.as_str()], |r| {
                r.get(0)
            })
            .optional()?;
        found
            .map(|_| ())
            .ok_or_else(|| Error::NoSuchItem(item.to_string()))
    }
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<User>> {
    let role: String = r.get(1)?;
    Ok(role.parse().map(|role| User {
        name: r.get(0).unwrap_or_default(),
        role,
        password: r.get(2).unwrap_or_default(),
        created: r.get(3).unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::case_with_item as case;

    #[test]
    fn the_access_log_cannot_be_rewritten() {
        let (_d, mut cat, id) = case();
        cat.log_access("alice", "original", Some(&id), None, Some("127.0.0.1"))
            .unwrap();
        let log = cat.access_log(None, 10).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "original");
        assert!(cat.conn.execute("DELETE FROM access_log", []).is_err());
        assert!(
            cat.conn
                .execute("UPDATE access_log SET user = 'mallory'", [])
                .is_err()
        );
        assert_eq!(cat.access_log(None, 10).unwrap(), log);
    }

    #[test]
    fn tags_are_normalised_and_items_must_exist() {
        let (_d, mut cat, id) = case();
        assert!(cat.add_tag(&id, " Check-Me ", "bob").unwrap());
        assert!(!cat.add_tag(&id, "check-me", "bob").unwrap());
        assert!(cat.add_tag(&id, "two words", "bob").is_err());
        assert!(cat.add_tag(&ItemId::of(b"nothing"), "x", "bob").is_err());
        assert_eq!(cat.tags(&id).unwrap()[0].tag, "check-me");
        assert!(cat.remove_tag(&id, "CHECK-ME").unwrap());
        assert!(cat.tags(&id).unwrap().is_empty());
    }

    #[test]
    fn users_keep_roles_and_hide_hashes() {
        let (_d, mut cat, _) = case();
        cat.put_user("alice", Role::Editor, "$argon2id$x").unwrap();
        assert!(cat.put_user("a b", Role::Viewer, "h").is_err());
        // Confusables: a Cyrillic а, a full-width letter.
        assert!(cat.put_user("\u{430}lice", Role::Viewer, "h").is_err());
        assert!(cat.put_user("\u{FF41}lice", Role::Viewer, "h").is_err());
        let u = cat.user("alice").unwrap().unwrap();
        assert_eq!(u.role, Role::Editor);
        assert!(!serde_json::to_string(&u).unwrap().contains("argon2"));
        assert!(cat.remove_user("alice").unwrap());
        assert!(cat.user("alice").unwrap().is_none());
    }
}
