//! The mail's aggregates, kept in the catalog: messages per UTC day, people
//! and sender → recipient pairs in rank order, and the conversation each
//! email belongs to. The timeline, people and thread views read these (a
//! page of rows, or one thread's emails) instead of parsing every email per
//! request. `leakcheck-search` computes them; this writes and reads them.
//!
//! They are stamped with the number of emails they were computed from: a
//! catalog with more (or fewer) emails, or from before they existed, is
//! stale until the next refresh.

use leakcheck_core::{EmailMeta, ItemId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, email_meta, json_column, parse_id};
use crate::error::Result;

/// The `meta` key of the stamp and totals.
pub(crate) const STAMP: &str = "mail_aggregates";

/// The counts that explain the aggregates: `dated + undated + copies =
/// emails`, and every message is in `threads` once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailTotals {
    /// Email items read (the stamp).
    pub emails: u64,
    /// Items that are further copies of a Message-ID already counted.
    pub copies: u64,
    /// Messages without a Date that could be read.
    pub undated: u64,
    /// Messages with no From address.
    pub no_sender: u64,
    /// Messages with no To or Cc address.
    pub no_recipients: u64,
    /// Rows of `agg_people`.
    pub people: u64,
    /// Rows of `agg_pairs`.
    pub pairs: u64,
    /// Conversations.
    pub threads: u64,
}

/// How often one address wrote to another.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pair {
    /// The sender's address, lower case.
    pub from: String,
    /// The sender's most frequent display name.
    pub from_name: Option<String>,
    /// The recipient's address (To or Cc), lower case.
    pub to: String,
    /// The recipient's most frequent display name.
    pub to_name: Option<String>,
    /// Messages from `from` to `to`.
    pub count: u64,
    /// Date of the earliest dated one (RFC 3339, the sender's offset).
    pub first: Option<String>,
    /// Date of the latest dated one.
    pub last: Option<String>,
}

/// One address and how many messages it sent and received.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Person {
    /// The address, lower case.
    pub address: String,
    /// The display name written most often beside it.
    pub name: Option<String>,
    /// Messages it is a From address of.
    pub sent: u64,
    /// Messages it is a To or Cc address of.
    pub received: u64,
}

/// Everything a refresh writes; the lists in rank order.
#[derive(Clone, Debug, Default)]
pub struct MailAggregates {
    /// The totals (`people`, `pairs` and `threads` are set from the lists).
    pub totals: MailTotals,
    /// `YYYY-MM-DD` (UTC) and the messages dated that day, oldest first.
    pub days: Vec<(String, u64)>,
    /// Everyone, the busiest first.
    pub people: Vec<Person>,
    /// Every pair, the most frequent first.
    pub pairs: Vec<Pair>,
    /// Each email item and the number of its conversation.
    pub threads: Vec<(ItemId, u64)>,
}

impl Catalog {
    /// The aggregates' totals when they were computed from the emails the
    /// catalog holds now; `None` when they are stale or were never made.
    pub fn fresh_mail_totals(&self) -> Result<Option<MailTotals>> {
        let stamp: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [STAMP], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(stamp) = stamp else { return Ok(None) };
        let totals: MailTotals = json_column("meta", STAMP, &stamp)?;
        Ok((totals.emails == self.email_count()?).then_some(totals))
    }

    /// Replaces the aggregates, in one transaction with their stamp.
    pub fn replace_mail_aggregates(&mut self, a: &MailAggregates) -> Result<()> {
        let mut totals = a.totals.clone();
        totals.people = a.people.len() as u64;
        totals.pairs = a.pairs.len() as u64;
        totals.threads = a.threads.iter().map(|(_, t)| t + 1).max().unwrap_or(0);
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM agg_days; DELETE FROM agg_people; DELETE FROM agg_pairs;
             DELETE FROM agg_threads;",
        )?;
        {
            let mut day = tx.prepare("INSERT INTO agg_days (day, messages) VALUES (?1, ?2)")?;
            for (d, n) in &a.days {
                day.execute(params![d, *n as i64])?;
            }
            let mut person = tx.prepare(
                "INSERT INTO agg_people (rank, address, name, sent, received)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (rank, p) in a.people.iter().enumerate() {
                person.execute(params![
                    rank as i64,
                    p.address,
                    p.name,
                    p.sent as i64,
                    p.received as i64
                ])?;
            }
            let mut pair = tx.prepare(
                "INSERT INTO agg_pairs (rank, sender, sender_name, recipient, recipient_name,
                                        count, first, last)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (rank, p) in a.pairs.iter().enumerate() {
                pair.execute(params![
                    rank as i64,
                    p.from,
                    p.from_name,
                    p.to,
                    p.to_name,
                    p.count as i64,
                    p.first,
                    p.last
                ])?;
            }
            let mut thread =
                tx.prepare("INSERT INTO agg_threads (item, thread) VALUES (?1, ?2)")?;
            for (item, t) in &a.threads {
                thread.execute(params![item.as_str(), *t as i64])?;
            }
        }
        let stamp = serde_json::to_string(&totals)
            .map_err(|e| crate::Error::Corrupt(format!("aggregate totals: {e}")))?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![STAMP, stamp],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Calls `f` with every email in item order, one at a time: memory
    /// stays that of one email, whatever the case holds.
    pub fn for_each_email(&self, mut f: impl FnMut(ItemId, EmailMeta)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT item, meta FROM emails ORDER BY item")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let meta: String = r.get(1)?;
            f(parse_id(&id)?, email_meta(&id, &meta)?);
        }
        Ok(())
    }

    /// Messages per UTC day, oldest first.
    pub fn mail_days(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT day, messages FROM agg_days ORDER BY day")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// People ranked `offset..offset + limit`, the busiest first.
    pub fn people_page(&self, offset: u64, limit: u64) -> Result<Vec<Person>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT address, name, sent, received FROM agg_people
             WHERE rank >= ?1 ORDER BY rank LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![clamp(offset), clamp(limit)], |r| {
            Ok(Person {
                address: r.get(0)?,
                name: r.get(1)?,
                sent: r.get::<_, i64>(2)? as u64,
                received: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Pairs ranked `offset..offset + limit`, the most frequent first.
    pub fn pairs_page(&self, offset: u64, limit: u64) -> Result<Vec<Pair>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sender, sender_name, recipient, recipient_name, count, first, last
             FROM agg_pairs WHERE rank >= ?1 ORDER BY rank LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![clamp(offset), clamp(limit)], |r| {
            Ok(Pair {
                from: r.get(0)?,
                from_name: r.get(1)?,
                to: r.get(2)?,
                to_name: r.get(3)?,
                count: r.get::<_, i64>(4)? as u64,
                first: r.get(5)?,
                last: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The emails of `item`'s conversation in item order, without their
    /// text and headers (a thread shows neither): the thread view needs
    /// these and no other email. `None` when `item` is in no conversation.
    pub fn thread_emails(&self, item: &ItemId) -> Result<Option<Vec<(ItemId, EmailMeta)>>> {
        let thread: Option<i64> = self
            .conn
            .prepare_cached("SELECT thread FROM agg_threads WHERE item = ?1")?
            .query_row([item.as_str()], |r| r.get(0))
            .optional()?;
        let Some(thread) = thread else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.item, e.meta FROM agg_threads t JOIN emails e ON e.item = t.item
             WHERE t.thread = ?1 ORDER BY e.item",
        )?;
        let mut rows = stmt.query([thread])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let mut meta = email_meta(&id, &r.get::<_, String>(1)?)?;
            meta.text = None;
            meta.headers = Vec::new();
            out.push((parse_id(&id)?, meta));
        }
        Ok(Some(out))
    }
}

/// A row count as SQLite takes it.
fn clamp(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_core::Record;

    fn email(n: u8, mid: &str) -> (ItemId, EmailMeta) {
        let meta = EmailMeta {
            message_id: Some(mid.into()),
            text: Some("body".into()),
            ..EmailMeta::default()
        };
        (ItemId::of(&[n]), meta)
    }

    #[test]
    fn aggregates_are_stale_until_refreshed_and_pages_follow_rank() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        assert_eq!(cat.fresh_mail_totals().unwrap(), None);
        let emails = [email(1, "a@x"), email(2, "b@x")];
        let records: Vec<Record> = emails
            .iter()
            .flat_map(|(id, meta)| {
                [
                    Record::Item {
                        id: id.clone(),
                        size: 1,
                        kind: leakcheck_core::Kind::Email,
                    },
                    Record::email(id.clone(), meta.clone()),
                ]
            })
            .collect();
        cat.apply(&records).unwrap();
        let person = |a: &str, sent| Person {
            address: a.into(),
            name: None,
            sent,
            received: 0,
        };
        let a = MailAggregates {
            totals: MailTotals {
                emails: 2,
                ..MailTotals::default()
            },
            days: vec![("2017-04-10".into(), 2)],
            people: vec![person("busy@x", 2), person("quiet@x", 1)],
            pairs: Vec::new(),
            threads: vec![(emails[0].0.clone(), 0), (emails[1].0.clone(), 0)],
        };
        cat.replace_mail_aggregates(&a).unwrap();
        let totals = cat.fresh_mail_totals().unwrap().unwrap();
        assert_eq!((totals.people, totals.pairs, totals.threads), (2, 0, 1));
        assert_eq!(cat.people_page(1, 10).unwrap(), vec![person("quiet@x", 1)]);
        assert_eq!(cat.people_page(0, 1).unwrap(), vec![person("busy@x", 2)]);
        assert_eq!(cat.mail_days().unwrap(), a.days);
        let thread = cat.thread_emails(&emails[1].0).unwrap().unwrap();
        assert_eq!(thread.len(), 2);
        assert_eq!(thread[0].1.text, None);
        assert_eq!(cat.thread_emails(&ItemId::of(b"none")).unwrap(), None);
        // One more email: stale until the next refresh.
        let (id, meta) = email(3, "c@x");
        cat.apply(&[Record::email(id, meta)]).unwrap();
        assert_eq!(cat.fresh_mail_totals().unwrap(), None);
    }
}
