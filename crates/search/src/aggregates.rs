//! Keeps the catalog's mail aggregates (`leakcheck_store::MailAggregates`)
//! up to date: after ingest (the index sync runs this), and on first use
//! when a catalog made before they existed is opened.
//!
//! A refresh reads the emails one at a time: it holds the tallies and, for
//! the threads, each email's Message-ID, References, In-Reply-To, subject
//! and date, never the emails' texts and headers. Serving a page then reads
//! a page of rows.

use leakcheck_core::EmailMeta;
use leakcheck_store::{Catalog, MailAggregates, MailTotals};

use crate::messages::FirstCopies;
use crate::people::PeopleTally;
use crate::threads::numbered;
use crate::timeline::DayTally;

/// The aggregates' totals, refreshed first when the catalog's emails have
/// changed since they were computed.
pub fn fresh(catalog: &mut Catalog) -> crate::Result<MailTotals> {
    match catalog.fresh_mail_totals()? {
        Some(totals) => Ok(totals),
        None => refresh(catalog),
    }
}

/// Computes the aggregates from every email and replaces the catalog's.
pub fn refresh(catalog: &mut Catalog) -> crate::Result<MailTotals> {
    let mut totals = MailTotals::default();
    let mut seen = FirstCopies::default();
    let mut people = PeopleTally::default();
    let mut days = DayTally::default();
    // What threading reads of each email, in item order.
    let mut links = Vec::new();
    catalog.for_each_email(|id, meta| {
        totals.emails += 1;
        if seen.is_first(&meta) {
            people.add(&meta);
            days.add(&meta);
        } else {
            totals.copies += 1;
        }
        let link = EmailMeta {
            message_id: meta.message_id,
            in_reply_to: meta.in_reply_to,
            references: meta.references,
            subject: meta.subject,
            date_unix: meta.date_unix,
            ..EmailMeta::default()
        };
        links.push((id, link));
    })?;
    drop(seen);
    let threads = numbered(&links);
    drop(links);
    totals.undated = days.undated;
    totals.no_sender = people.no_sender;
    totals.no_recipients = people.no_recipients;
    let (people, pairs) = people.finish();
    let aggregates = MailAggregates {
        totals,
        days: days
            .days
            .into_iter()
            .map(|(d, n)| (d.format("%Y-%m-%d").to_string(), n))
            .collect(),
        people,
        pairs,
        threads,
    };
    catalog.replace_mail_aggregates(&aggregates)?;
    Ok(catalog.fresh_mail_totals()?.unwrap_or(aggregates.totals))
}
