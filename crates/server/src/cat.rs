//! The catalog as a request sees it. On an embedded case it is the case's
//! catalog. On a team case it is the server's replica, for reading, and
//! every change goes to the shared catalog first (where two people editing
//! at once are serialized), then the replica is refreshed to show it: the
//! methods here shadow the catalog's writes of the same name, so handlers
//! read alike in both modes.

use std::ops::{Deref, DerefMut};

use leakcheck_core::{ItemId, KeyRecord};
use leakcheck_store::{Access, Catalog, Decision, Result, Role, Shared, SpanRef};

/// A catalog connection, and the shared catalog of a team case.
pub struct Cat<'a> {
    catalog: &'a mut Catalog,
    shared: Option<&'a dyn Shared>,
}

impl Deref for Cat<'_> {
    type Target = Catalog;
    fn deref(&self) -> &Catalog {
        self.catalog
    }
}

impl DerefMut for Cat<'_> {
    fn deref_mut(&mut self) -> &mut Catalog {
        self.catalog
    }
}

impl<'a> Cat<'a> {
    /// `catalog`: the embedded catalog, or a team case's replica with its
    /// `shared` catalog.
    pub fn new(catalog: &'a mut Catalog, shared: Option<&'a dyn Shared>) -> Cat<'a> {
        Cat { catalog, shared }
    }

    /// Whether this is a team case's replica.
    pub fn is_team(&self) -> bool {
        self.shared.is_some()
    }

    /// A change made in the shared catalog, then shown in the replica; or
    /// made in the embedded catalog.
    fn change<T>(
        &mut self,
        team: impl FnOnce(&dyn Shared) -> Result<T>,
        embedded: impl FnOnce(&mut Catalog) -> Result<T>,
    ) -> Result<T> {
        match self.shared {
            Some(s) => {
                let out = team(s)?;
                s.refresh()?;
                Ok(out)
            }
            None => embedded(self.catalog),
        }
    }

    /// See [`Catalog::put_user`].
    pub fn put_user(&mut self, name: &str, role: Role, hash: &str) -> Result<()> {
        self.change(
            |s| s.put_user(name, role, hash),
            |c| c.put_user(name, role, hash),
        )
    }

    /// See [`Catalog::remove_user`].
    pub fn remove_user(&mut self, name: &str) -> Result<bool> {
        self.change(|s| s.remove_user(name), |c| c.remove_user(name))
    }

    /// See [`Catalog::add_tag`].
    pub fn add_tag(&mut self, item: &ItemId, tag: &str, by: &str) -> Result<bool> {
        self.change(|s| s.add_tag(item, tag, by), |c| c.add_tag(item, tag, by))
    }

    /// See [`Catalog::remove_tag`].
    pub fn remove_tag(&mut self, item: &ItemId, tag: &str) -> Result<bool> {
        self.change(|s| s.remove_tag(item, tag), |c| c.remove_tag(item, tag))
    }

    /// See [`Catalog::add_note`].
    pub fn add_note(&mut self, item: &ItemId, author: &str, text: &str) -> Result<i64> {
        self.change(
            |s| s.add_note(item, author, text),
            |c| c.add_note(item, author, text),
        )
    }

    /// See [`Catalog::decide_redaction`].
    pub fn decide_redaction(
        &mut self,
        item: &ItemId,
        span: &SpanRef,
        decision: Decision,
        user: &str,
    ) -> Result<()> {
        self.change(
            |s| s.decide_redaction(item, span, decision, user),
            |c| c.decide_redaction(item, span, decision, user),
        )
    }

    /// See [`Catalog::clear_redaction`].
    pub fn clear_redaction(
        &mut self,
        item: &ItemId,
        text: &str,
        start: usize,
        end: usize,
    ) -> Result<bool> {
        self.change(
            |s| s.clear_redaction(item, text, start, end),
            |c| c.clear_redaction(item, text, start, end),
        )
    }

    /// See [`Catalog::add_keys`].
    pub fn add_keys(&mut self, keys: &[KeyRecord]) -> Result<usize> {
        self.change(|s| s.add_keys(keys), |c| c.add_keys(keys))
    }

    /// Appends to the access log: the shared catalog's, on a team case (it
    /// is not copied to the replica, so there is nothing to refresh).
    pub fn log_access(
        &mut self,
        user: &str,
        action: &str,
        item: Option<&ItemId>,
        detail: Option<&str>,
        peer: Option<&str>,
    ) -> Result<()> {
        match self.shared {
            Some(s) => s.log_access(user, action, item, detail, peer),
            None => self.catalog.log_access(user, action, item, detail, peer),
        }
    }

    /// See [`Catalog::access_log`]: the shared catalog's, on a team case.
    pub fn access_log(&self, before: Option<i64>, limit: usize) -> Result<Vec<Access>> {
        match self.shared {
            Some(s) => s.access_log(before, limit),
            None => self.catalog.access_log(before, limit),
        }
    }
}
