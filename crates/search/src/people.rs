//! Correspondents: who wrote to whom, how often, and from when to when.
//!
//! Each message counts once from each From address to each To and Cc
//! address. Addresses are compared in lower case; a person's name is the
//! display name written most often beside the address. Copies of one
//! Message-ID are one message sent once, so they count once; messages
//! without a usable sender or recipient are counted, not dropped.

use std::collections::{BTreeSet, HashMap};

use leakcheck_core::{Address, EmailMeta, ItemId};
use leakcheck_store::{Catalog, MailTotals};
pub use leakcheck_store::{Pair, Person};
use serde::Serialize;

use crate::messages::Messages;

/// Everything `correspondents` found, with the counts that explain it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Correspondents {
    /// Sender → recipient pairs, the most frequent first (a page of them
    /// when read from the catalog).
    pub pairs: Vec<Pair>,
    /// Everyone who sent or received, the busiest first (a page of them
    /// when read from the catalog).
    pub people: Vec<Person>,
    /// Pairs in all.
    pub pairs_total: usize,
    /// People in all.
    pub people_total: usize,
    /// Email items read.
    pub emails: usize,
    /// Items that are further copies of a Message-ID already counted.
    pub copies: usize,
    /// Messages with no From address (they make no pair).
    pub no_sender: usize,
    /// Messages with no To or Cc address (they make no pair).
    pub no_recipients: usize,
}

/// Who wrote to whom in `emails`.
pub fn correspondents(emails: &[(ItemId, EmailMeta)]) -> Correspondents {
    let messages = Messages::of(emails);
    let mut tally = PeopleTally::default();
    for meta in &messages.first_copies {
        tally.add(meta);
    }
    let (no_sender, no_recipients) = (tally.no_sender, tally.no_recipients);
    let (people, pairs) = tally.finish();
    Correspondents {
        pairs_total: pairs.len(),
        people_total: people.len(),
        pairs,
        people,
        emails: emails.len(),
        copies: messages.copies,
        no_sender: no_sender as usize,
        no_recipients: no_recipients as usize,
    }
}

/// The same figures from the catalog's aggregates: `limit` pairs from rank
/// `pairs_offset` and `limit` people from rank `people_offset`, with the
/// totals of both.
pub fn correspondents_in(
    catalog: &Catalog,
    totals: &MailTotals,
    pairs_offset: u64,
    people_offset: u64,
    limit: u64,
) -> crate::Result<Correspondents> {
    Ok(Correspondents {
        pairs: catalog.pairs_page(pairs_offset, limit)?,
        people: catalog.people_page(people_offset, limit)?,
        pairs_total: totals.pairs as usize,
        people_total: totals.people as usize,
        emails: totals.emails as usize,
        copies: totals.copies as usize,
        no_sender: totals.no_sender as usize,
        no_recipients: totals.no_recipients as usize,
    })
}

/// Pairs, people and their names counted one message at a time (the first
/// copy of each), so that a refresh holds the tallies, not the emails.
#[derive(Default)]
pub(crate) struct PeopleTally {
    names: HashMap<String, HashMap<String, u64>>,
    pairs: HashMap<(String, String), Tally>,
    totals: HashMap<String, (u64, u64)>,
    /// Messages with no From address.
    pub no_sender: u64,
    /// Messages with no To or Cc address.
    pub no_recipients: u64,
}

impl PeopleTally {
    /// Counts one message.
    pub fn add(&mut self, meta: &EmailMeta) {
        let from = addresses(&meta.from, &mut self.names);
        let to = addresses(meta.to.iter().chain(&meta.cc), &mut self.names);
        if from.is_empty() {
            self.no_sender += 1;
        }
        if to.is_empty() {
            self.no_recipients += 1;
        }
        for f in &from {
            self.totals.entry(f.clone()).or_default().0 += 1;
        }
        for t in &to {
            self.totals.entry(t.clone()).or_default().1 += 1;
        }
        for f in &from {
            for t in &to {
                self.pairs
                    .entry((f.clone(), t.clone()))
                    .or_default()
                    .add(meta);
            }
        }
    }

    /// People, the busiest first, and pairs, the most frequent first.
    pub fn finish(self) -> (Vec<Person>, Vec<Pair>) {
        let names: HashMap<String, String> = self
            .names
            .into_iter()
            .filter_map(|(address, counts)| {
                // The most frequent; among equals, the first in sort order.
                let best = counts
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
                Some((address, best.0))
            })
            .collect();
        let name = |a: &str| names.get(a).cloned();
        let mut pairs: Vec<Pair> = self
            .pairs
            .into_iter()
            .map(|((from, to), tally)| Pair {
                from_name: name(&from),
                to_name: name(&to),
                count: tally.count,
                first: tally.first.map(|(_, d)| d),
                last: tally.last.map(|(_, d)| d),
                from,
                to,
            })
            .collect();
        pairs.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.from.cmp(&b.from))
                .then_with(|| a.to.cmp(&b.to))
        });
        let mut people: Vec<Person> = self
            .totals
            .into_iter()
            .map(|(address, (sent, received))| Person {
                name: name(&address),
                address,
                sent,
                received,
            })
            .collect();
        people.sort_by(|a, b| {
            (b.sent + b.received)
                .cmp(&(a.sent + a.received))
                .then_with(|| a.address.cmp(&b.address))
        });
        (people, pairs)
    }
}

/// The distinct usable addresses of `list`, lower case; their display names
/// are tallied into `names`.
fn addresses<'a>(
    list: impl IntoIterator<Item = &'a Address>,
    names: &mut HashMap<String, HashMap<String, u64>>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for a in list {
        let Some(address) = a
            .address
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let address = address.to_lowercase();
        let counts = names.entry(address.clone()).or_default();
        if let Some(name) = a.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            *counts.entry(name.to_string()).or_default() += 1;
        }
        out.insert(address);
    }
    out
}

/// A pair's count and its earliest and latest dates.
#[derive(Default)]
struct Tally {
    count: u64,
    first: Option<(i64, String)>,
    last: Option<(i64, String)>,
}

impl Tally {
    fn add(&mut self, meta: &EmailMeta) {
        self.count += 1;
        if let (Some(unix), Some(date)) = (meta.date_unix, meta.date.as_deref()) {
            if self.first.as_ref().is_none_or(|(f, _)| unix < *f) {
                self.first = Some((unix, date.to_string()));
            }
            if self.last.as_ref().is_none_or(|(l, _)| unix > *l) {
                self.last = Some((unix, date.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(name: &str, address: &str) -> Address {
        Address {
            name: (!name.is_empty()).then(|| name.to_string()),
            address: Some(address.to_string()),
        }
    }

    fn mail(mid: &str, from: Address, to: Vec<Address>, cc: Vec<Address>, day: i64) -> EmailMeta {
        let unix = 1_491_782_400 + day * 86_400;
        EmailMeta {
            message_id: Some(mid.into()),
            from: vec![from],
            to,
            cc,
            date_unix: Some(unix),
            date: leakcheck_core::time::rfc3339(unix),
            ..EmailMeta::default()
        }
    }

    fn emails(list: Vec<EmailMeta>) -> Vec<(ItemId, EmailMeta)> {
        list.into_iter()
            .enumerate()
            .map(|(i, m)| (ItemId::of(&i.to_le_bytes()), m))
            .collect()
    }

    #[test]
    fn counts_pairs_and_people() {
        let anne = || addr("Anne Martin", "Anne@Campaign.example");
        let e = emails(vec![
            mail(
                "1@x",
                anne(),
                vec![addr("", "bruno@campaign.example")],
                vec![],
                0,
            ),
            mail(
                "2@x",
                addr("Bruno", "bruno@campaign.example"),
                vec![addr("Anne", "anne@campaign.example")],
                vec![addr("Claire", "claire@campaign.example")],
                1,
            ),
            mail(
                "3@x",
                anne(),
                // Named twice in one message: counted once.
                vec![addr("Bruno P.", "BRUNO@campaign.example")],
                vec![addr("Bruno P.", "bruno@campaign.example")],
                2,
            ),
            // A copy of message 3: one message, counted once.
            mail(
                "3@x",
                anne(),
                vec![addr("", "bruno@campaign.example")],
                vec![],
                2,
            ),
            // No recipient: counted as such, makes no pair.
            mail("4@x", anne(), vec![], vec![], 3),
            mail("5@x", Address::default(), vec![anne()], vec![], 4),
        ]);
        let c = correspondents(&e);
        assert_eq!(
            (c.emails, c.copies, c.no_sender, c.no_recipients),
            (6, 1, 1, 1)
        );
        let anne_bruno = &c.pairs[0];
        assert_eq!(
            (
                anne_bruno.from.as_str(),
                anne_bruno.from_name.as_deref(),
                anne_bruno.to.as_str(),
                anne_bruno.to_name.as_deref(),
                anne_bruno.count
            ),
            (
                "anne@campaign.example",
                Some("Anne Martin"),
                "bruno@campaign.example",
                Some("Bruno P."),
                2
            )
        );
        assert_eq!(
            anne_bruno.first.as_deref(),
            Some("2017-04-10T00:00:00+00:00")
        );
        assert_eq!(
            anne_bruno.last.as_deref(),
            Some("2017-04-12T00:00:00+00:00")
        );
        let rest: Vec<(&str, &str, u64)> = c.pairs[1..]
            .iter()
            .map(|p| (p.from.as_str(), p.to.as_str(), p.count))
            .collect();
        assert_eq!(
            rest,
            [
                ("bruno@campaign.example", "anne@campaign.example", 1),
                ("bruno@campaign.example", "claire@campaign.example", 1),
            ]
        );
        let people: Vec<(&str, u64, u64)> = c
            .people
            .iter()
            .map(|p| (p.address.as_str(), p.sent, p.received))
            .collect();
        assert_eq!(
            people,
            [
                ("anne@campaign.example", 3, 2),
                ("bruno@campaign.example", 1, 2),
                ("claire@campaign.example", 0, 1),
            ]
        );
    }

    #[test]
    fn no_email_no_pairs() {
        assert_eq!(correspondents(&[]), Correspondents::default());
    }
}
