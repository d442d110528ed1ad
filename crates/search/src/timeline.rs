//! How many messages were sent per day, ISO week or month, by their Date
//! in UTC.
//!
//! Only emails are counted: their Date is what the sender's client wrote,
//! while a document's dates are whatever its software kept (the `doc.dates`
//! check weighs those). Copies of one Message-ID count once, and messages
//! without a usable Date are counted apart, so `dated + undated + copies`
//! is always the number of email items.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate};
use leakcheck_core::{EmailMeta, ItemId};
use leakcheck_store::{Catalog, MailTotals};
use serde::Serialize;

use crate::messages::Messages;

/// The length of a timeline's periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar days (UTC).
    Day,
    /// ISO 8601 weeks, Monday to Sunday, named like `2017-W15`.
    Week,
    /// Calendar months, named like `2017-04`.
    Month,
}

/// Messages per period, oldest first, with what could not be placed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timeline {
    /// The periods' length.
    pub by: Period,
    /// Every period with at least one message (a page of them when the
    /// workbench asks for one).
    pub buckets: Vec<Bucket>,
    /// Periods with at least one message, in all.
    pub periods: usize,
    /// Email items read.
    pub emails: usize,
    /// Messages placed in a bucket.
    pub dated: usize,
    /// Messages without a Date that could be read.
    pub undated: usize,
    /// Items that are further copies of a Message-ID already counted.
    pub copies: usize,
}

/// One period with messages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bucket {
    /// `2017-04-10`, `2017-W15` or `2017-04`.
    pub period: String,
    /// Its first day, `YYYY-MM-DD`.
    pub start: String,
    /// Messages dated in it.
    pub emails: u64,
    /// Periods without any message between the previous bucket and this
    /// one (a silence is part of the story).
    pub empty_before: u64,
}

/// Counts the messages of `emails` per period.
pub fn timeline(emails: &[(ItemId, EmailMeta)], by: Period) -> Timeline {
    let messages = Messages::of(emails);
    let mut days = DayTally::default();
    for meta in &messages.first_copies {
        days.add(meta);
    }
    let undated = days.undated as usize;
    let days: Vec<(NaiveDate, u64)> = days.days.into_iter().collect();
    of_days(&days, by, emails.len(), undated, messages.copies)
}

/// The same figures from the catalog's per-day aggregate.
pub fn timeline_in(catalog: &Catalog, totals: &MailTotals, by: Period) -> crate::Result<Timeline> {
    let days = catalog
        .mail_days()?
        .into_iter()
        .map(|(day, n)| {
            NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map(|d| (d, n))
                .map_err(|e| leakcheck_store::Error::Corrupt(format!("aggregate day {day:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(of_days(
        &days,
        by,
        totals.emails as usize,
        totals.undated as usize,
        totals.copies as usize,
    ))
}

/// Messages per UTC day, counted one message (first copy) at a time.
#[derive(Default)]
pub(crate) struct DayTally {
    /// Day → messages dated that day.
    pub days: BTreeMap<NaiveDate, u64>,
    /// Messages without a usable Date.
    pub undated: u64,
}

impl DayTally {
    /// Counts one message.
    pub fn add(&mut self, meta: &EmailMeta) {
        match meta
            .date_unix
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(|d| d.date_naive())
        {
            Some(day) => *self.days.entry(day).or_default() += 1,
            None => self.undated += 1,
        }
    }
}

/// The timeline by `by` of messages per day, oldest day first.
fn of_days(
    days: &[(NaiveDate, u64)],
    by: Period,
    emails: usize,
    undated: usize,
    copies: usize,
) -> Timeline {
    let mut counts: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (day, n) in days {
        *counts.entry(start_of(*day, by)).or_default() += n;
    }
    let mut buckets = Vec::with_capacity(counts.len());
    let mut previous: Option<NaiveDate> = None;
    for (start, n) in counts {
        buckets.push(Bucket {
            period: name(start, by),
            start: start.format("%Y-%m-%d").to_string(),
            emails: n,
            empty_before: previous.map_or(0, |p| steps(p, start, by) - 1),
        });
        previous = Some(start);
    }
    Timeline {
        by,
        periods: buckets.len(),
        buckets,
        emails,
        dated: days.iter().map(|(_, n)| *n as usize).sum(),
        undated,
        copies,
    }
}

/// The first day of the period `day` is in.
fn start_of(day: NaiveDate, by: Period) -> NaiveDate {
    match by {
        Period::Day => day,
        Period::Week => day - Days::new(day.weekday().num_days_from_monday().into()),
        Period::Month => day.with_day(1).unwrap_or(day),
    }
}

fn name(start: NaiveDate, by: Period) -> String {
    match by {
        Period::Day => start.format("%Y-%m-%d").to_string(),
        Period::Week => {
            let w = start.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Period::Month => start.format("%Y-%m").to_string(),
    }
}

/// How many periods from `a` to `b`, both starts of periods, `a` before `b`.
fn steps(a: NaiveDate, b: NaiveDate, by: Period) -> u64 {
    let n = match by {
        Period::Day => (b - a).num_days(),
        Period::Week => (b - a).num_days() / 7,
        Period::Month => {
            i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month())
        }
    };
    n.max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(mid: Option<&str>, date: Option<&str>) -> (ItemId, EmailMeta) {
        let unix = date.map(|d| DateTime::parse_from_rfc3339(d).unwrap().timestamp());
        let meta = EmailMeta {
            message_id: mid.map(str::to_string),
            date_unix: unix,
            ..EmailMeta::default()
        };
        (ItemId::of(format!("{mid:?}{date:?}").as_bytes()), meta)
    }

    fn dump() -> Vec<(ItemId, EmailMeta)> {
        vec![
            email(Some("a@x"), Some("2017-04-10T09:00:00+02:00")),
            // The same message again: counted once.
            email(Some("a@x"), Some("2017-04-10T09:00:00+02:00")),
            // Sunday 23:30 in Paris is Sunday 21:30 UTC: week 14.
            email(Some("b@x"), Some("2017-04-09T23:30:00+02:00")),
            // Monday 01:00 in Paris is Sunday 23:00 UTC: still week 14.
            email(Some("c@x"), Some("2017-04-10T01:00:00+02:00")),
            email(None, Some("2017-04-16T12:00:00Z")),
            email(None, Some("2017-07-01T00:00:00Z")),
            email(Some("d@x"), None),
        ]
    }

    fn rows(t: &Timeline) -> Vec<(&str, &str, u64, u64)> {
        t.buckets
            .iter()
            .map(|b| {
                (
                    b.period.as_str(),
                    b.start.as_str(),
                    b.emails,
                    b.empty_before,
                )
            })
            .collect()
    }

    #[test]
    fn counts_per_month_and_never_drops_a_message() {
        let t = timeline(&dump(), Period::Month);
        assert_eq!(
            rows(&t),
            [
                ("2017-04", "2017-04-01", 4, 0),
                ("2017-07", "2017-07-01", 1, 2)
            ]
        );
        assert_eq!((t.emails, t.dated, t.undated, t.copies), (7, 5, 1, 1));
        assert_eq!(t.dated + t.undated + t.copies, t.emails);
    }

    #[test]
    fn counts_per_iso_week_in_utc() {
        let t = timeline(&dump(), Period::Week);
        assert_eq!(
            rows(&t),
            [
                ("2017-W14", "2017-04-03", 2, 0),
                ("2017-W15", "2017-04-10", 2, 0),
                ("2017-W26", "2017-06-26", 1, 10),
            ]
        );
    }

    #[test]
    fn counts_per_day_and_names_year_crossing_weeks() {
        let t = timeline(&dump(), Period::Day);
        assert_eq!(
            rows(&t),
            [
                ("2017-04-09", "2017-04-09", 2, 0),
                ("2017-04-10", "2017-04-10", 1, 0),
                ("2017-04-16", "2017-04-16", 1, 5),
                ("2017-07-01", "2017-07-01", 1, 75),
            ]
        );
        // 1 January 2016 is a Friday of 2015's week 53.
        let t = timeline(&[email(None, Some("2016-01-01T12:00:00Z"))], Period::Week);
        assert_eq!(rows(&t), [("2015-W53", "2015-12-28", 1, 0)]);
    }

    #[test]
    fn no_email_empty_timeline() {
        let t = timeline(&[], Period::Day);
        assert!(t.buckets.is_empty());
        assert_eq!((t.emails, t.dated, t.undated, t.copies), (0, 0, 0, 0));
    }
}
