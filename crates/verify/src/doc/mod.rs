//! Metadata checks on documents and images: each reads one item's
//! [`DocMeta`] against the case (its leak window, its organisation) and
//! against the dump's own [`Population`], and makes at most one finding per
//! check id. A check with nothing to look at makes none; a check that looked
//! and found nothing odd says what it looked at (`consistent`).
//!
//! Check ids: `doc.dates`, `doc.authorship`, `doc.script`,
//! `doc.pdf-revisions`, `doc.pdf-xmp-info`, `doc.software`, `image.exif`,
//! `image.thumbnail`, `image.software`; and `doc.text-layer` ([`text_layer`]),
//! which reads a PDF's OCR layer rather than its metadata.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use leakcheck_core::doc::parse_date;
use leakcheck_core::{Address, CheckId, DocMeta, EmailMeta, Field, Finding, Verdict};
use leakcheck_store::Window;
use serde_json::{Value, json};

mod dates;
mod image;
mod pdf;
mod people;
mod population;
mod software;
pub mod text_layer;

pub use population::Population;

/// What a document is judged against besides its own dump.
#[derive(Clone, Debug)]
pub struct Context {
    /// The claimed leak window: nothing in the dump can have been saved after it ends.
    pub window: Option<Window>,
    /// People and organisation names known to belong to the organisation.
    pub org: OrgNames,
    /// When the dump was first ingested (or now): a later date is impossible.
    pub ingested: DateTime<Utc>,
}

/// Names that belong to the organisation's circle: the case's `org_names`,
/// the senders of its email on `org_domains` (display names and mailbox
/// names), and the people who correspond with it in the dump (the senders
/// of mail to its addresses and the recipients of its mail), so that a
/// volunteer writing from a personal address is not an outsider.
#[derive(Clone, Debug, Default)]
pub struct OrgNames {
    /// The organisation's own names: matched whole or as part of a value.
    names: HashSet<String>,
    /// Its correspondents' names and mailbox names: matched whole.
    correspondents: HashSet<String>,
}

/// [`OrgNames`] being collected from a case's emails.
#[derive(Clone, Debug)]
pub struct OrgNamesBuilder {
    names: OrgNames,
    domains: Vec<String>,
}

impl OrgNamesBuilder {
    /// Adds one email's senders and recipients.
    pub fn add_email(&mut self, meta: &EmailMeta) {
        let domains = &self.domains;
        let ours = |a: &Address| {
            a.address
                .as_deref()
                .and_then(|x| x.rsplit_once('@'))
                .is_some_and(|(_, domain)| {
                    let domain = domain.to_lowercase();
                    domains
                        .iter()
                        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
                })
        };
        let add = |set: &mut HashSet<String>, a: &Address| {
            if let Some((local, _)) = a.address.as_deref().and_then(|x| x.rsplit_once('@')) {
                set.insert(squash(local));
            }
            if let Some(n) = &a.name {
                set.insert(squash(n));
            }
        };
        let OrgNames {
            names,
            correspondents,
        } = &mut self.names;
        let senders = || meta.from.iter().chain(&meta.sender);
        let recipients = || meta.to.iter().chain(&meta.cc);
        for a in senders().filter(|a| ours(a)) {
            add(names, a);
        }
        if senders().any(ours) {
            recipients().for_each(|a| add(correspondents, a));
        }
        if recipients().any(ours) {
            senders().for_each(|a| add(correspondents, a));
        }
    }

    /// The names collected.
    pub fn finish(self) -> OrgNames {
        let OrgNames {
            mut names,
            mut correspondents,
        } = self.names;
        names.retain(|n| !n.is_empty());
        correspondents.retain(|n| !n.is_empty() && !names.contains(n));
        OrgNames {
            names,
            correspondents,
        }
    }
}

impl OrgNames {
    /// From the case settings and the dump's emails.
    pub fn new<'a>(
        org_names: &[String],
        org_domains: &[String],
        emails: impl IntoIterator<Item = &'a EmailMeta>,
    ) -> OrgNames {
        let mut names = OrgNames::builder(org_names, org_domains);
        for meta in emails {
            names.add_email(meta);
        }
        names.finish()
    }

    /// From the case settings, with the emails added one at a time (a
    /// case's emails are read a page at a time).
    pub fn builder(org_names: &[String], org_domains: &[String]) -> OrgNamesBuilder {
        OrgNamesBuilder {
            names: OrgNames {
                names: org_names.iter().map(|n| squash(n)).collect(),
                correspondents: HashSet::new(),
            },
            domains: org_domains.iter().map(|d| d.to_lowercase()).collect(),
        }
    }
    /// Known names (the organisation's and its correspondents').
    pub fn len(&self) -> usize {
        self.names.len() + self.correspondents.len()
    }

    /// No names known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.correspondents.is_empty()
    }

    /// `value` is, or contains, or is part of an organisation's name
    /// (containment needs five letters or more, so that initials match
    /// nothing), or is a correspondent's name.
    pub fn contains(&self, value: &str) -> bool {
        let v = squash(value);
        self.correspondents.contains(&v)
            || self.names.iter().any(|n| {
                *n == v
                    || (n.len() >= 5 && v.contains(n.as_str()))
                    || (v.len() >= 5 && n.contains(v.as_str()))
            })
    }
}

/// Runs every check on one document.
pub fn check(meta: &DocMeta, population: &Population, ctx: &Context) -> Vec<Finding> {
    [
        dates::check(meta, ctx),
        people::authorship(meta, population, &ctx.org),
        people::script(meta, population),
        pdf::revisions(meta),
        pdf::xmp_info(meta),
        software::check(meta, population),
        image::exif(meta),
        image::thumbnail(meta),
        image::software(meta, population),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Adds to an `image.thumbnail` finding that names changed regions a PNG
/// picture of the difference (thumbnail, image, difference, the regions
/// framed), as a `data:` URL the workbench can show; the reason instead
/// when it cannot be drawn.
pub fn attach_difference_picture(
    case: &leakcheck_store::Case,
    id: &leakcheck_core::ItemId,
    meta: &DocMeta,
    finding: &mut Finding,
) {
    use base64::Engine;
    let changed: Vec<usize> = finding.evidence["changed_regions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["cell"].as_u64().map(|c| c as usize))
                .collect()
        })
        .unwrap_or_default();
    if changed.is_empty() {
        return;
    }
    let picture = meta
        .format
        .parse::<leakcheck_core::Kind>()
        .map_err(|e| e.to_string())
        .and_then(|kind| {
            let bytes = case.blobs().read(id).map_err(|e| e.to_string())?;
            let limits = leakcheck_extract::doc::DocLimits::default();
            leakcheck_extract::doc::image::difference_picture(kind, &bytes, &limits, &changed)
        });
    finding.evidence["difference_picture"] = match picture {
        Ok(png) => json!(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )),
        Err(e) => json!({"not_drawn": e}),
    };
}

/// Lower case letters and digits only: how names are compared, so that
/// "Anne Martin", "anne.martin" and "ANNE  MARTIN" are one.
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A value as evidence: where it was read and what it says.
pub(crate) fn cite(store: &str, f: &Field) -> Value {
    let mut v = json!({"store": store, "tag": f.tag, "value": f.value});
    if let Some(d) = &f.date {
        v["date"] = json!(d);
    }
    v
}

pub(crate) fn finding(
    check: CheckId,
    verdict: Verdict,
    summary: String,
    evidence: Value,
) -> Finding {
    Finding {
        check,
        verdict,
        summary,
        evidence,
    }
}

/// An embedded time. Without a stated zone the true instant lies anywhere
/// from 14 h before to 12 h after the written time read as UTC (the range
/// of UTC offsets), so comparisons with instants use that slack.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct When {
    pub local: NaiveDateTime,
    pub zone: Option<i32>,
}

impl When {
    pub fn of(f: &Field) -> Option<When> {
        let (local, zone) = parse_date(f.date.as_deref()?)?;
        Some(When { local, zone })
    }

    pub fn earliest(&self) -> DateTime<Utc> {
        let off = Duration::minutes(i64::from(self.zone.unwrap_or(14 * 60)));
        (self.local - off).and_utc()
    }

    pub fn latest(&self) -> DateTime<Utc> {
        let off = Duration::minutes(i64::from(self.zone.unwrap_or(-12 * 60)));
        (self.local - off).and_utc()
    }

    /// Seconds from `self` to `other` when that is certain: both zoned, or
    /// both unzoned (one writer, one clock). `None` when only one is zoned.
    pub fn seconds_until(&self, other: &When) -> Option<i64> {
        match (self.zone, other.zone) {
            (Some(_), Some(_)) => Some((other.earliest() - self.earliest()).num_seconds()),
            (None, None) => Some((other.local - self.local).num_seconds()),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use leakcheck_core::{DocMeta, Field, Store};

    /// A store with `(key, value)` fields; values that look like normal-form
    /// dates get their `date` too.
    pub fn store(name: &str, fields: &[(&str, &str)]) -> Store {
        Store {
            name: name.into(),
            fields: fields
                .iter()
                .map(|(k, v)| Field {
                    key: (*k).into(),
                    tag: (*k).into(),
                    value: (*v).into(),
                    date: leakcheck_core::doc::parse_date(v).map(|_| (*v).to_string()),
                })
                .collect(),
        }
    }

    pub fn doc(format: &str, stores: Vec<Store>) -> DocMeta {
        DocMeta {
            format: format.into(),
            stores,
            ..DocMeta::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_names_come_from_settings_and_org_senders() {
        let email = EmailMeta {
            from: vec![Address {
                name: Some("Anne Martin".into()),
                address: Some("a.martin@mail.campaign.example".into()),
            }],
            ..EmailMeta::default()
        };
        let outsider = EmailMeta {
            from: vec![Address {
                name: Some("Press Office".into()),
                address: Some("press@news.example".into()),
            }],
            ..EmailMeta::default()
        };
        let org = OrgNames::new(
            &["En Marche".into()],
            &["campaign.example".into()],
            [&email, &outsider],
        );
        assert!(org.contains("ANNE MARTIN"));
        assert!(org.contains("amartin"));
        assert!(org.contains("En Marche !"));
        assert!(org.contains("Anne Martin (campaign)"));
        assert!(!org.contains("Press Office"));
        assert!(!org.contains("Рошка Георгий"));
        assert_eq!(org.len(), 3);
    }

    #[test]
    fn people_who_write_to_the_organisation_are_in_its_circle() {
        let addr = |name: &str, address: &str| Address {
            name: Some(name.into()),
            address: Some(address.into()),
        };
        let volunteer = EmailMeta {
            from: vec![addr("Paul Girard", "paul.girard1987@gmail.example")],
            to: vec![addr("Anne Martin", "a.martin@campaign.example")],
            ..EmailMeta::default()
        };
        let answer = EmailMeta {
            from: vec![addr("Anne Martin", "a.martin@campaign.example")],
            to: vec![addr("Léa Roux", "lea@free.example")],
            ..EmailMeta::default()
        };
        let elsewhere = EmailMeta {
            from: vec![addr("Press Office", "press@news.example")],
            to: vec![addr("Newsroom", "desk@news.example")],
            ..EmailMeta::default()
        };
        let org = OrgNames::new(
            &[],
            &["campaign.example".into()],
            [&volunteer, &answer, &elsewhere],
        );
        assert!(org.contains("Paul Girard"));
        assert!(org.contains("paul.girard1987"));
        assert!(org.contains("LÉA ROUX"));
        assert!(!org.contains("Press Office"), "mail between outsiders");
        assert!(!org.contains("Paul"), "correspondents match whole");
    }

    #[test]
    fn unzoned_times_get_the_slack_of_every_offset() {
        let f = |d: &str| Field {
            date: Some(d.into()),
            ..Field::default()
        };
        let naive = When::of(&f("2017-04-24T23:00:00")).unwrap();
        assert_eq!(naive.earliest().to_rfc3339(), "2017-04-24T09:00:00+00:00");
        assert_eq!(naive.latest().to_rfc3339(), "2017-04-25T11:00:00+00:00");
        let zoned = When::of(&f("2017-04-24T23:00:00+02:00")).unwrap();
        assert_eq!(zoned.earliest(), zoned.latest());
        assert_eq!(zoned.seconds_until(&naive), None);
        let later = When::of(&f("2017-04-24T21:30:00Z")).unwrap();
        assert_eq!(zoned.seconds_until(&later), Some(30 * 60));
    }
}
