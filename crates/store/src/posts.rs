//! Posts from outside the dump (social networks, forums, chat channels)
//! and what each matched in it. They are kept apart from the dump's items:
//! they are not part of the leak, only evidence of how it spread.
//!
//! A post's class is not stored: it follows from its matches and the
//! matched items' verdicts *now*, so a later `verify` (or a key added)
//! re-classes every post without re-matching. Every view is an SQL
//! aggregate, so memory does not grow with the number of posts.

use rusqlite::{OptionalExtension, params_from_iter, types::Value as Sql};
use serde::Serialize;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use leakcheck_core::ItemId;

/// The classes a post falls in, strongest first.
pub const CLASSES: [&str; 5] = [
    "altered-material",
    "authentic-material",
    "unverifiable-material",
    "not-in-dump",
    "unrelated",
];

/// Each post's class, from its matches and the matched items' verdicts:
/// any match that differs from its item, or whose item is altered or
/// suspicious, makes it altered material; else a match with an authentic
/// item, authentic material; else any match, unverifiable material; a
/// post with no match that says it comes from the leak is not in the
/// dump; the rest are unrelated.
const CLASSED: &str = "
    SELECT p.*, CASE
      WHEN EXISTS (SELECT 1 FROM post_matches m LEFT JOIN verdicts v ON v.item = m.item
                   WHERE m.post = p.id AND (m.changed = 1 OR v.verdict IN ('altered', 'suspicious')))
        THEN 'altered-material'
      WHEN EXISTS (SELECT 1 FROM post_matches m JOIN verdicts v ON v.item = m.item
                   WHERE m.post = p.id AND v.verdict = 'authentic')
        THEN 'authentic-material'
      WHEN EXISTS (SELECT 1 FROM post_matches m WHERE m.post = p.id)
        THEN 'unverifiable-material'
      WHEN p.claims = 1 THEN 'not-in-dump'
      ELSE 'unrelated' END AS class
    FROM posts p";

/// A post as imported.
#[derive(Clone, Debug, Serialize)]
pub struct NewPost {
    /// `platform:source:post id`, unique in the case.
    pub id: String,
    /// The name the import was given (`--source`).
    pub source: String,
    /// `x`, `telegram`, `4chan`, `csv`.
    pub platform: String,
    /// The post's own id on its platform.
    pub post_id: String,
    /// When it was posted (Unix seconds), if the export says.
    pub time_unix: Option<i64>,
    /// Who posted it (display name or handle).
    pub author: Option<String>,
    /// The author's stable id on the platform.
    pub author_id: Option<String>,
    /// Its text (HTML removed).
    pub text: String,
    /// Whether it says it comes from the leak (a marker word, tag or link).
    pub claims: bool,
    /// Links, media files, reply/repost/quote relations (JSON).
    pub detail: Value,
}

/// What one part of a post (its text, or one media file) matched.
#[derive(Clone, Debug, Serialize)]
pub struct PostMatch {
    /// `text`, or the media file's name.
    pub what: String,
    /// The dump's item.
    pub item: ItemId,
    /// `sha256`, `md5`, `image` or `text`.
    pub basis: String,
    /// 1 for the same bytes; else the resemblance measured.
    pub similarity: f64,
    /// Whether it differs from the item (words changed, regions edited).
    pub changed: bool,
    /// The differences and how they were measured.
    pub evidence: Value,
}

/// Which posts a view counts.
#[derive(Clone, Debug, Default)]
pub struct SpreadFilter {
    /// Only posts of this import.
    pub source: Option<String>,
    /// Only this platform.
    pub platform: Option<String>,
    /// Only this class.
    pub class: Option<String>,
    /// Only this author (name or id).
    pub account: Option<String>,
    /// Posted at or after (Unix seconds).
    pub since: Option<i64>,
    /// Posted before (Unix seconds).
    pub until: Option<i64>,
}

impl SpreadFilter {
    /// The filtered, classed posts as an SQL table expression, with its
    /// parameters.
    fn table(&self) -> (String, Vec<Sql>) {
        let mut conds = Vec::new();
        let mut args = Vec::new();
        if let Some(s) = &self.source {
            conds.push("source = ?");
            args.push(Sql::Text(s.clone()));
        }
        if let Some(p) = &self.platform {
            conds.push("platform = ?");
            args.push(Sql::Text(p.clone()));
        }
        if let Some(c) = &self.class {
            conds.push("class = ?");
            args.push(Sql::Text(c.clone()));
        }
        if let Some(a) = &self.account {
            conds.push("(author = ? OR author_id = ?)");
            args.push(Sql::Text(a.clone()));
            args.push(Sql::Text(a.clone()));
        }
        if let Some(t) = self.since {
            conds.push("time_unix >= ?");
            args.push(Sql::Integer(t));
        }
        if let Some(t) = self.until {
            conds.push("time_unix < ?");
            args.push(Sql::Integer(t));
        }
        let filter = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        (format!("(SELECT * FROM ({CLASSED}){filter})"), args)
    }
}

/// Posts per hour and class.
#[derive(Clone, Debug, Serialize)]
pub struct HourCount {
    /// The hour's start (Unix seconds).
    pub hour: i64,
    /// The class.
    pub class: String,
    /// Posts.
    pub posts: u64,
}

/// The first post outside that carried a dump item.
#[derive(Clone, Debug, Serialize)]
pub struct FirstSeen {
    /// The item.
    pub item: String,
    /// Its verdict now.
    pub verdict: Option<String>,
    /// Where it is in the dump.
    pub path: Option<String>,
    /// The first post (by time) that matched it.
    pub post: String,
    /// When.
    pub time_unix: Option<i64>,
    /// Who posted it.
    pub author: Option<String>,
    /// Where.
    pub platform: String,
    /// Posts that carried it in all.
    pub posts: u64,
    /// Of which changed from the item.
    pub changed: u64,
}

/// One account's posts by class.
#[derive(Clone, Debug, Serialize)]
pub struct Account {
    /// Name or handle.
    pub author: Option<String>,
    /// Platform id.
    pub author_id: Option<String>,
    /// Platform.
    pub platform: String,
    /// Posts in all.
    pub posts: u64,
    /// Posts of altered material.
    pub altered: u64,
    /// Posts that claim the leak and match nothing.
    pub not_in_dump: u64,
    /// Posts of authentic material.
    pub authentic: u64,
    /// Posts of unverifiable material.
    pub unverifiable: u64,
}

/// A post with its class and matches.
#[derive(Clone, Debug, Serialize)]
pub struct PostRow {
    /// Its id in the case.
    pub id: String,
    /// Import name.
    pub source: String,
    /// Platform.
    pub platform: String,
    /// When.
    pub time_unix: Option<i64>,
    /// Who.
    pub author: Option<String>,
    /// Text.
    pub text: String,
    /// Class now.
    pub class: String,
    /// Links, media, relations.
    pub detail: Value,
    /// What it matched.
    pub matches: Vec<PostMatch>,
}

/// A count column (SQLite integers are signed; SUM of nothing is NULL).
fn count(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(r.get::<_, Option<i64>>(i)?
        .unwrap_or(0)
        .max(0)
        .unsigned_abs())
}

impl Catalog {
    /// Records posts and their matches (a post imported again replaces its
    /// earlier record), all or nothing.
    pub fn put_posts(&mut self, batch: &[(NewPost, Vec<PostMatch>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut post = tx.prepare_cached(
                "INSERT OR REPLACE INTO posts (id, source, platform, post_id, time_unix, author, author_id, text, claims, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let mut clear = tx.prepare_cached("DELETE FROM post_matches WHERE post = ?1")?;
            let mut matched = tx.prepare_cached(
                "INSERT OR REPLACE INTO post_matches (post, what, item, basis, similarity, changed, evidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (p, matches) in batch {
                post.execute(rusqlite::params![
                    p.id,
                    p.source,
                    p.platform,
                    p.post_id,
                    p.time_unix,
                    p.author,
                    p.author_id,
                    p.text,
                    p.claims,
                    p.detail.to_string()
                ])?;
                clear.execute([&p.id])?;
                for m in matches {
                    matched.execute(rusqlite::params![
                        p.id,
                        m.what,
                        m.item.as_str(),
                        m.basis,
                        m.similarity,
                        m.changed,
                        m.evidence.to_string()
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets the posts of import `source` and their matches (an import
    /// under the same name replaces them). Returns how many there were.
    pub fn remove_posts_of(&mut self, source: &str) -> Result<u64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM post_matches WHERE post IN (SELECT id FROM posts WHERE source = ?1)",
            [source],
        )?;
        let n = tx.execute("DELETE FROM posts WHERE source = ?1", [source])?;
        tx.commit()?;
        Ok(n as u64)
    }

    /// Posts per class.
    pub fn spread_totals(&self, f: &SpreadFilter) -> Result<Vec<(String, u64)>> {
        let (t, args) = f.table();
        let mut st = self
            .conn
            .prepare(&format!("SELECT class, COUNT(*) FROM {t} GROUP BY class"))?;
        let rows = st.query_map(params_from_iter(args), |r| Ok((r.get(0)?, count(r, 1)?)))?;
        let mut out: Vec<(String, u64)> = rows.collect::<rusqlite::Result<_>>()?;
        out.sort_by_key(|(c, _)| CLASSES.iter().position(|k| k == c));
        Ok(out)
    }

    /// Posts per hour and class, oldest first (undated posts left out).
    pub fn spread_hours(&self, f: &SpreadFilter) -> Result<Vec<HourCount>> {
        let (t, args) = f.table();
        let mut st = self.conn.prepare(&format!(
            "SELECT (time_unix / 3600) * 3600 AS h, class, COUNT(*) FROM {t}
             WHERE time_unix IS NOT NULL GROUP BY h, class ORDER BY h, class"
        ))?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok(HourCount {
                hour: r.get(0)?,
                class: r.get(1)?,
                posts: count(r, 2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For each dump item seen outside, its first post (earliest first),
    /// at most `limit`.
    pub fn first_appearances(&self, f: &SpreadFilter, limit: usize) -> Result<Vec<FirstSeen>> {
        let (t, args) = f.table();
        let mut st = self.conn.prepare(&format!(
            "WITH hits AS (
               SELECT m.item, m.changed, p.id, p.time_unix, p.author, p.platform
               FROM post_matches m JOIN {t} p ON p.id = m.post),
             firsts AS (
               SELECT item, COUNT(*) AS n, SUM(changed) AS changed,
                      MIN(COALESCE(time_unix, 9223372036854775807)) AS first
               FROM hits GROUP BY item)
             SELECT f.item, v.verdict,
                    (SELECT display FROM occurrences o WHERE o.item = f.item ORDER BY depth, path LIMIT 1),
                    (SELECT h.id FROM hits h WHERE h.item = f.item
                       ORDER BY COALESCE(h.time_unix, 9223372036854775807), h.id LIMIT 1) AS post,
                    f.n, f.changed
             FROM firsts f LEFT JOIN verdicts v ON v.item = f.item
             ORDER BY f.first, f.item LIMIT ?"
        ))?;
        let mut all = args;
        all.push(Sql::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let rows = st.query_map(params_from_iter(all), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                count(r, 4)?,
                count(r, 5)?,
            ))
        })?;
        let rows: Vec<_> = rows.collect::<rusqlite::Result<_>>()?;
        let mut post = self
            .conn
            .prepare("SELECT time_unix, author, platform FROM posts WHERE id = ?1")?;
        let mut out = Vec::with_capacity(rows.len());
        for (item, verdict, path, id, posts, changed) in rows {
            let (time_unix, author, platform) = post
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?
                .unwrap_or((None, None, String::new()));
            out.push(FirstSeen {
                item,
                verdict,
                path,
                post: id,
                time_unix,
                author,
                platform,
                posts,
                changed,
            });
        }
        Ok(out)
    }

    /// Accounts ranked by the altered and not-in-the-dump material they
    /// posted, then by posts; at most `limit`.
    pub fn spread_accounts(&self, f: &SpreadFilter, limit: usize) -> Result<Vec<Account>> {
        let (t, mut args) = f.table();
        let mut st = self.conn.prepare(&format!(
            "SELECT author, author_id, platform, COUNT(*),
                    SUM(class = 'altered-material'), SUM(class = 'not-in-dump'),
                    SUM(class = 'authentic-material'), SUM(class = 'unverifiable-material')
             FROM {t} GROUP BY platform, COALESCE(author_id, author)
             ORDER BY SUM(class IN ('altered-material', 'not-in-dump')) DESC, COUNT(*) DESC, author
             LIMIT ?"
        ))?;
        args.push(Sql::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok(Account {
                author: r.get(0)?,
                author_id: r.get(1)?,
                platform: r.get(2)?,
                posts: count(r, 3)?,
                altered: count(r, 4)?,
                not_in_dump: count(r, 5)?,
                authentic: count(r, 6)?,
                unverifiable: count(r, 7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Posts, oldest first, with their matches: those that carried `item`
    /// when given; `limit` from `offset`.
    pub fn post_rows(
        &self,
        f: &SpreadFilter,
        item: Option<&ItemId>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<PostRow>> {
        let (t, mut args) = f.table();
        let by_item = if let Some(i) = item {
            args.push(Sql::Text(i.to_string()));
            " WHERE id IN (SELECT post FROM post_matches WHERE item = ?)"
        } else {
            ""
        };
        args.push(Sql::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        args.push(Sql::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
        let mut st = self.conn.prepare(&format!(
            "SELECT id, source, platform, time_unix, author, text, class, detail FROM {t}{by_item}
             ORDER BY COALESCE(time_unix, 9223372036854775807), id LIMIT ? OFFSET ?"
        ))?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok(PostRow {
                id: r.get(0)?,
                source: r.get(1)?,
                platform: r.get(2)?,
                time_unix: r.get(3)?,
                author: r.get(4)?,
                text: r.get(5)?,
                class: r.get(6)?,
                detail: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or(Value::Null),
                matches: Vec::new(),
            })
        })?;
        let mut out: Vec<PostRow> = rows.collect::<rusqlite::Result<_>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT what, item, basis, similarity, changed, evidence FROM post_matches WHERE post = ?1 ORDER BY what",
        )?;
        for p in &mut out {
            let rows = st.query_map([&p.id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            for row in rows {
                let (what, item, basis, similarity, changed, evidence) = row?;
                let item = ItemId::parse(&item)
                    .map_err(|_| Error::Corrupt(format!("post match item {item:?}")))?;
                p.matches.push(PostMatch {
                    what,
                    item,
                    basis,
                    similarity,
                    changed,
                    evidence: serde_json::from_str(&evidence).unwrap_or(Value::Null),
                });
            }
        }
        Ok(out)
    }

    /// Whether the dump holds an item with this id.
    pub fn has_item(&self, id: &ItemId) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM items WHERE id = ?1", [id.as_str()], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// The dump's items of exactly `size` bytes (to compare a file known
    /// only by its hash and size).
    pub fn items_of_size(&self, size: u64) -> Result<Vec<ItemId>> {
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM items WHERE size = ?1 ORDER BY id")?;
        let ids = st.query_map([size], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            let id = id?;
            out.push(ItemId::parse(&id).map_err(|_| Error::Corrupt(format!("item id {id:?}")))?);
        }
        Ok(out)
    }

    /// Posts recorded in all.
    pub fn post_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM posts", [], |r| count(r, 0))?)
    }
}
