//! Where the near-copy check keeps its texts while it runs: in a private
//! temporary SQLite database rather than in memory. A text's signature is
//! a kilobyte and its 32 band keys half as much again, so holding them all
//! made `verify` grow by about 1.5 KB per text: 1.5 GB at a million.
//! SQLite keeps what its page cache cannot hold in a temporary file (gone
//! with the connection, even after a SIGKILL) and sorts the band keys with
//! its external sorter, so memory stays at the cache's size whatever the
//! dump's.
//!
//! Which pair wins does not depend on the order pairs are found in: for
//! each questioned text the most alike authentic text is kept, and of
//! equally alike ones the first in item order (as when everything was in
//! memory and pairs were sorted).

use std::collections::HashMap;
use std::rc::Rc;

use leakcheck_core::ItemId;
use leakcheck_store::Result;
use leakcheck_variants::minhash::{MAX_BUCKET, NEAR, Signature};
use rusqlite::{Connection, params};

use crate::near::{Claim, Unit};
use leakcheck_store::scratch;

/// The page cache's size, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 32 * 1024;
/// Units kept decoded at once while buckets are compared.
const DECODED: usize = 4096;

/// The texts to compare, their band keys, and the best pair of each
/// questioned text found so far.
pub(crate) struct Scratch {
    conn: Connection,
    /// Units read back, by number; emptied when full.
    decoded: Decoded,
    /// The next unit's number.
    next: i64,
}

impl Scratch {
    /// An empty scratch database.
    pub(crate) fn new() -> Result<Scratch> {
        let conn = scratch::open(CACHE_KIB)?;
        conn.execute_batch(
            "CREATE TABLE units (
                 n        INTEGER PRIMARY KEY,   -- in item order
                 id       TEXT NOT NULL,
                 kind     TEXT NOT NULL,
                 path     TEXT NOT NULL,
                 claim    INTEGER,               -- NULL: authentic
                 sender   TEXT,
                 from_    TEXT NOT NULL,         -- JSON list
                 mins     BLOB NOT NULL,
                 shingles INTEGER NOT NULL
             );
             CREATE TABLE bands (key INTEGER NOT NULL, n INTEGER NOT NULL, authentic INTEGER NOT NULL);
             CREATE TABLE best (q INTEGER PRIMARY KEY, ref INTEGER NOT NULL, r REAL NOT NULL);",
        )?;
        Ok(Scratch {
            conn,
            decoded: Decoded::default(),
            next: 0,
        })
    }

    /// Adds units, which come in item order.
    pub(crate) fn add(&mut self, units: &[Unit]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut unit = tx.prepare_cached(
                "INSERT INTO units (n, id, kind, path, claim, sender, from_, mins, shingles)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut band = tx.prepare_cached("INSERT INTO bands VALUES (?1, ?2, ?3)")?;
            for u in units {
                let n = self.next;
                self.next += 1;
                unit.execute(params![
                    n,
                    u.id.as_str(),
                    u.kind,
                    u.path,
                    u.claim.map(Claim::code),
                    u.sender,
                    serde_json::to_string(&u.from).unwrap_or_default(),
                    u.sig.to_bytes(),
                    u.sig.shingles as i64,
                ])?;
                for key in u.sig.band_keys() {
                    // Stored as SQLite's signed integer: only equality counts.
                    band.execute(params![key as i64, n, u.claim.is_none()])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The unit numbered `n`.
    pub(crate) fn unit(&mut self, n: i64) -> Result<Rc<Unit>> {
        self.decoded.get(&self.conn, n)
    }

    /// Compares every questioned text with every authentic text it shares
    /// a band bucket with (buckets of more than [`MAX_BUCKET`] texts are
    /// boilerplate and left out); `keep(questioned, authentic)` says whether
    /// a near pair counts. The best pair of each questioned text is kept.
    pub(crate) fn compare(&mut self, keep: impl Fn(&Unit, &Unit) -> bool) -> Result<()> {
        let Scratch { conn, decoded, .. } = self;
        let mut stmt = conn.prepare("SELECT key, n, authentic FROM bands ORDER BY key, n")?;
        let mut rows = stmt.query([])?;
        let mut bucket = Bucket::default();
        loop {
            let row = rows.next()?;
            let key = row.map(|r| r.get::<_, i64>(0)).transpose()?;
            if key != bucket.key {
                bucket.compare(conn, decoded, &keep)?;
                bucket = Bucket {
                    key,
                    ..Bucket::default()
                };
            }
            let Some(row) = row else { break };
            bucket.push(row.get(1)?, row.get(2)?);
        }
        Ok(())
    }

    /// Up to `limit` questioned texts after the one numbered `after`, in
    /// item order, each with its most alike authentic text and how alike.
    pub(crate) fn best(&self, after: i64, limit: usize) -> Result<Vec<(i64, i64, f64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT q, ref, r FROM best WHERE q > ?1 ORDER BY q LIMIT ?2")?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The texts of one band bucket.
#[derive(Default)]
struct Bucket {
    key: Option<i64>,
    /// Its texts by number, `true` for authentic ones; only the first
    /// `MAX_BUCKET + 1` are kept, enough to know it is too big.
    texts: Vec<(i64, bool)>,
}

impl Bucket {
    fn push(&mut self, n: i64, authentic: bool) {
        if self.texts.len() <= MAX_BUCKET {
            self.texts.push((n, authentic));
        }
    }

    fn compare(
        &self,
        conn: &Connection,
        decoded: &mut Decoded,
        keep: &impl Fn(&Unit, &Unit) -> bool,
    ) -> Result<()> {
        if self.texts.len() < 2 || self.texts.len() > MAX_BUCKET {
            return Ok(());
        }
        let (authentic, questioned): (Vec<_>, Vec<_>) = self.texts.iter().partition(|t| t.1);
        if authentic.is_empty() || questioned.is_empty() {
            return Ok(());
        }
        let mut offer = conn.prepare_cached(
            "INSERT INTO best (q, ref, r) VALUES (?1, ?2, ?3)
             ON CONFLICT (q) DO UPDATE SET ref = excluded.ref, r = excluded.r
             WHERE excluded.r > best.r OR (excluded.r = best.r AND excluded.ref < best.ref)",
        )?;
        for &(q, _) in &questioned {
            let unit = decoded.get(conn, q)?;
            for &(a, _) in &authentic {
                let reference = decoded.get(conn, a)?;
                let r = unit.sig.resemblance(&reference.sig);
                if r >= NEAR && keep(&unit, &reference) {
                    offer.execute(params![q, a, r])?;
                }
            }
        }
        Ok(())
    }
}

/// Units read back from the scratch database, by number.
#[derive(Default)]
struct Decoded(HashMap<i64, Rc<Unit>>);

impl Decoded {
    fn get(&mut self, conn: &Connection, n: i64) -> Result<Rc<Unit>> {
        if let Some(u) = self.0.get(&n) {
            return Ok(Rc::clone(u));
        }
        if self.0.len() >= DECODED {
            self.0.clear();
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, kind, path, claim, sender, from_, mins, shingles FROM units WHERE n = ?1",
        )?;
        let unit = stmt.query_row([n], |r| {
            let corrupt = |what: &str| {
                rusqlite::Error::InvalidColumnType(0, what.into(), rusqlite::types::Type::Blob)
            };
            let id: String = r.get(0)?;
            let from: String = r.get(5)?;
            let mins: Vec<u8> = r.get(6)?;
            Ok(Unit {
                id: ItemId::parse(&id).map_err(|_| corrupt("id"))?,
                kind: r.get(1)?,
                path: r.get(2)?,
                claim: r.get::<_, Option<i64>>(3)?.and_then(Claim::from_code),
                sender: r.get(4)?,
                from: serde_json::from_str(&from).map_err(|_| corrupt("from"))?,
                sig: Signature::from_bytes(&mins, r.get::<_, i64>(7)? as usize)
                    .ok_or_else(|| corrupt("mins"))?,
            })
        })?;
        let unit = Rc::new(unit);
        self.0.insert(n, Rc::clone(&unit));
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_variants::minhash::{near_pairs, signature};

    /// Texts drawn from a small vocabulary, with copies changed in a few
    /// words, so that buckets hold several texts and ties happen.
    fn texts() -> Vec<String> {
        let vocab: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let mut out = Vec::new();
        for _ in 0..40 {
            let base: Vec<&str> = (0..40).map(|_| vocab[next() % 60].as_str()).collect();
            out.push(base.join(" "));
            for _ in 0..next() % 5 {
                let mut copy = base.clone();
                for _ in 0..next() % 4 {
                    let at = next() % copy.len();
                    copy[at] = vocab[next() % 60].as_str();
                }
                out.push(copy.join(" "));
            }
        }
        out
    }

    fn unit(n: usize, text: &str) -> Unit {
        Unit {
            id: ItemId::of(text.as_bytes()),
            kind: "text".into(),
            path: format!("dump/{n}.txt"),
            // Every third text is authentic; a forward names a sender.
            claim: (!n.is_multiple_of(3)).then_some(if n.is_multiple_of(2) {
                Claim::Document
            } else {
                Claim::Forwarded
            }),
            sender: (n % 5 == 1).then(|| "a@x.example".to_string()),
            from: if n.is_multiple_of(2) {
                vec!["a@x.example".into()]
            } else {
                vec![]
            },
            sig: signature(text).unwrap(),
        }
    }

    #[test]
    fn the_best_pairs_on_disk_are_those_found_in_memory() {
        let units: Vec<Unit> = texts()
            .iter()
            .enumerate()
            .map(|(n, t)| unit(n, t))
            .collect();
        let keep = |q: &Unit, r: &Unit| {
            q.sender
                .as_ref()
                .is_none_or(|s| r.from.iter().any(|x| x == s))
        };
        // In memory: every near pair in index order, the first best kept.
        let sigs: Vec<Option<&Signature>> = units.iter().map(|u| Some(&u.sig)).collect();
        let mut expected: std::collections::BTreeMap<i64, (i64, f64)> = Default::default();
        for (a, b, r) in near_pairs(&sigs) {
            let (q, reference) = match (units[a].claim, units[b].claim) {
                (Some(_), None) => (a, b),
                (None, Some(_)) => (b, a),
                _ => continue,
            };
            if !keep(&units[q], &units[reference]) {
                continue;
            }
            let slot = expected.entry(q as i64).or_insert((reference as i64, r));
            if r > slot.1 {
                *slot = (reference as i64, r);
            }
        }
        assert!(
            expected.len() > 10,
            "{} pairs: too few to tell",
            expected.len()
        );

        let mut scratch = Scratch::new().unwrap();
        // Added in two pages, as `check` does.
        let (one, two) = units.split_at(units.len() / 2);
        scratch.add(one).unwrap();
        scratch.add(two).unwrap();
        scratch.compare(keep).unwrap();
        let mut found = Vec::new();
        let mut after = -1;
        loop {
            let page = scratch.best(after, 7).unwrap();
            let Some(last) = page.last() else { break };
            after = last.0;
            found.extend(page);
        }
        let expected: Vec<(i64, i64, f64)> =
            expected.into_iter().map(|(q, (r, x))| (q, r, x)).collect();
        assert_eq!(found, expected);
        let back = scratch.unit(3).unwrap();
        assert_eq!(
            (&back.id, &back.path, back.claim, &back.sig),
            (&units[3].id, &units[3].path, units[3].claim, &units[3].sig)
        );
    }
}
