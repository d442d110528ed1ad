//! Each email's Message-ID and the Message-IDs it answers, as the
//! cross-message checks group them, kept in a private temporary SQLite
//! database rather than in memory: held as strings and maps they cost
//! about a kilobyte an email, a gigabyte at a million. SQLite keeps what
//! its page cache cannot hold in a temporary file (gone with the
//! connection) and does the grouping and joining.
//!
//! Ids are normalised as [`normalise_message_id`] does; emails are numbered
//! in item order, and every list comes out in the order the checks have
//! always read it: copies by Message-ID then item, parents by reply, then
//! by their place in In-Reply-To, then by item.

use leakcheck_core::{ItemId, normalise_message_id};
use leakcheck_store::{Result, VerifyCatalog, parse_id as id, scratch};
use rusqlite::{Connection, params};

/// The page cache's size, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 16 * 1024;

/// The case's emails' threading ids.
pub(crate) struct Links {
    conn: Connection,
}

impl Links {
    /// Reads every email's threading ids from the catalog.
    pub(crate) fn read(catalog: &mut impl VerifyCatalog) -> Result<Links> {
        let mut conn = scratch::open(CACHE_KIB)?;
        conn.execute_batch(
            "CREATE TABLE links (n INTEGER PRIMARY KEY, id TEXT NOT NULL, mid TEXT);
             CREATE TABLE parents (n INTEGER NOT NULL, pos INTEGER NOT NULL, mid TEXT NOT NULL);",
        )?;
        let tx = conn.transaction()?;
        {
            let mut link = tx.prepare("INSERT INTO links (n, id, mid) VALUES (?1, ?2, ?3)")?;
            let mut parent = tx.prepare("INSERT INTO parents (n, pos, mid) VALUES (?1, ?2, ?3)")?;
            let mut n = 0i64;
            catalog.for_each_email_link(|(id, mid, in_reply_to)| {
                link.execute(params![
                    n,
                    id.as_str(),
                    mid.as_deref().and_then(normalise_message_id)
                ])?;
                for (pos, m) in in_reply_to.iter().enumerate() {
                    if let Some(m) = normalise_message_id(m) {
                        parent.execute(params![n, pos as i64, m])?;
                    }
                }
                n += 1;
                Ok(())
            })?;
        }
        tx.execute_batch(
            "CREATE INDEX links_mid ON links (mid);
             CREATE INDEX links_id ON links (id);
             CREATE TABLE shared AS
                 SELECT mid FROM links WHERE mid IS NOT NULL GROUP BY mid HAVING count(*) > 1;
             CREATE UNIQUE INDEX shared_mid ON shared (mid);",
        )?;
        tx.commit()?;
        Ok(Links { conn })
    }

    /// Each Message-ID that several emails have, with those emails, in
    /// Message-ID order.
    pub(crate) fn copies(&self, mut each: impl FnMut(Vec<ItemId>) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT l.mid, l.id FROM links l JOIN shared s ON s.mid = l.mid ORDER BY l.mid, l.n",
        )?;
        grouped(stmt.query([])?, |_, group| each(group))
    }

    /// Each reply whose parent is in the case, in item order, with every
    /// copy of every message it answers.
    pub(crate) fn replies(
        &self,
        mut each: impl FnMut(ItemId, Vec<ItemId>) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, l.id FROM parents p
             JOIN links r ON r.n = p.n
             JOIN links l ON l.mid = p.mid
             ORDER BY p.n, p.pos, l.n",
        )?;
        grouped(stmt.query([])?, |reply, parents| each(id(&reply)?, parents))
    }
}

/// Rows of (key, item) handed to `each` a run of equal keys at a time.
fn grouped(
    mut rows: rusqlite::Rows<'_>,
    mut each: impl FnMut(String, Vec<ItemId>) -> Result<()>,
) -> Result<()> {
    let mut current: Option<(String, Vec<ItemId>)> = None;
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let id = id(&r.get::<_, String>(1)?)?;
        match &mut current {
            Some((k, items)) if *k == key => items.push(id),
            _ => {
                if let Some((k, items)) = current.replace((key, vec![id])) {
                    each(k, items)?;
                }
            }
        }
    }
    if let Some((k, items)) = current {
        each(k, items)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use leakcheck_core::{EmailMeta, Kind, Record};
    use leakcheck_store::{Case, CaseSettings};

    use super::*;

    /// `n`'s item id, as the emails below are stored.
    fn item(n: u8) -> ItemId {
        ItemId::of(&[n])
    }

    #[test]
    fn groups_copies_and_finds_every_copy_of_each_parent() {
        let dir = tempfile::tempdir().unwrap();
        let settings = CaseSettings::named("t");
        let case = Case::init(&dir.path().join("c"), settings).unwrap();
        let mut catalog = case.catalog().unwrap();
        // 1 and 2 are copies of <a@x> (the second with spaces around its
        // id); 3 answers a message not in the case and <a@x>; 4 answers
        // <c@x>, which no email has; 5 has no Message-ID.
        let emails: [(u8, Option<&str>, &[&str]); 5] = [
            (1, Some("<a@x>"), &[]),
            (2, Some(" <a@x> "), &[]),
            (3, Some("<b@x>"), &["<gone@x>", "<a@x>"]),
            (4, Some("<d@x>"), &["<c@x>"]),
            (5, None, &[]),
        ];
        let mut records = Vec::new();
        for (n, mid, answers) in emails {
            records.push(Record::Item {
                id: item(n),
                size: 1,
                kind: Kind::Email,
            });
            let meta = EmailMeta {
                message_id: mid.map(str::to_string),
                in_reply_to: answers.iter().map(|m| m.to_string()).collect(),
                ..EmailMeta::default()
            };
            records.push(Record::email(item(n), meta));
        }
        catalog.apply(&records).unwrap();
        let links = Links::read(&mut catalog).unwrap();

        let mut copies = Vec::new();
        links
            .copies(|group| {
                copies.push(group);
                Ok(())
            })
            .unwrap();
        let mut pair = vec![item(1), item(2)];
        pair.sort();
        assert_eq!(copies, [pair.clone()]);

        let mut replies = Vec::new();
        links
            .replies(|reply, parents| {
                replies.push((reply, parents));
                Ok(())
            })
            .unwrap();
        assert_eq!(replies, [(item(3), pair)], "4's parent is not in the case");
    }
}
