//! FollowTheMoney entities, the data model OCCRP Aleph imports: an Email,
//! Pages (PDF, office files), Image or Document per item, and a Person per
//! mailbox met in From, To and Cc. The verdict travels as the entity's
//! `notes` (the findings in words) and a `keywords` value
//! (`leakcheck:altered`) that Aleph can filter on.

use std::collections::{BTreeMap, HashSet};

use leakcheck_core::{Address, Kind, Verdict};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::export::{Row, doc_date, doc_field, flagged_by};

/// One entity: `{"id", "schema", "properties": {name: [values]}}`.
#[derive(Debug, Serialize)]
pub(crate) struct Entity {
    id: String,
    schema: &'static str,
    properties: BTreeMap<&'static str, Vec<String>>,
}

impl Entity {
    fn new(id: String, schema: &'static str) -> Entity {
        Entity {
            id,
            schema,
            properties: BTreeMap::new(),
        }
    }

    fn put(&mut self, prop: &'static str, value: impl Into<String>) {
        let value = value.into();
        if !value.trim().is_empty() {
            self.properties.entry(prop).or_default().push(value);
        }
    }
}

/// Body text given to Aleph at most, in bytes (its own limit is larger;
/// the whole text is in the original, which Aleph can ingest too).
const MAX_BODY: usize = 100_000;

/// Makes entities, each person once per export.
#[derive(Default)]
pub(crate) struct Entities {
    people: HashSet<String>,
}

impl Entities {
    /// The item's entity, after those of the people it names that were
    /// not written yet (an importer meets a reference's target first).
    pub(crate) fn of(&mut self, r: &Row) -> Vec<Entity> {
        let mut out = Vec::new();
        let schema = match r.report.kind.parse::<Kind>() {
            _ if r.email.is_some() => "Email",
            Ok(k) if k.is_image() => "Image",
            Ok(Kind::Pdf | Kind::Docx | Kind::Pptx | Kind::Odt | Kind::Odp | Kind::OleDocument) => {
                "Pages"
            }
            _ => "Document",
        };
        let mut e = Entity::new(format!("leakcheck-{}", r.report.id), schema);
        e.put("contentHash", &r.report.id);
        let name = r
            .report
            .paths
            .first()
            .and_then(|p| p.rsplit(['/', '\\']).next())
            .filter(|n| !n.is_empty())
            .map_or_else(
                || format!("{}.{}", r.report.id, r.report.kind),
                str::to_string,
            );
        e.put("fileName", name);
        let verdict = r.verdict.map_or("unverified", Verdict::as_str);
        e.put("keywords", format!("leakcheck:{verdict}"));
        e.put("notes", notes(r, verdict));
        if let Some(m) = r.email {
            e.put("mimeType", "message/rfc822");
            if let Some(s) = &m.subject {
                e.put("subject", s);
                e.put("title", s);
            }
            if let Some(id) = &m.message_id {
                e.put("messageId", id);
            }
            for id in &m.in_reply_to {
                e.put("inReplyTo", id);
            }
            if let Some(d) = m.date_unix.and_then(utc) {
                e.put("date", d);
            }
            e.put("from", Address::list(&m.from));
            for a in &m.to {
                e.put("to", Address::list(std::slice::from_ref(a)));
            }
            for a in &m.cc {
                e.put("cc", Address::list(std::slice::from_ref(a)));
            }
            for (prop, list) in [
                ("emitters", &m.from),
                ("recipients", &m.to),
                ("recipients", &m.cc),
            ] {
                for a in list {
                    if let Some(person) = self.person(a, &mut out) {
                        e.put(prop, person);
                    }
                }
            }
            if let Some(text) = &m.text {
                e.put("bodyText", cut(text, MAX_BODY));
            }
        }
        if let Some(d) = r.document {
            use leakcheck_core::doc::key;
            if let Some(t) = doc_field(d, key::TITLE) {
                e.put("title", t);
            }
            if let Some(a) = doc_field(d, key::AUTHOR) {
                e.put("author", a);
            }
            if let Some(g) = doc_field(d, key::CREATOR_TOOL).or_else(|| doc_field(d, key::PRODUCER))
            {
                e.put("generator", g);
            }
            for (prop, k) in [("authoredAt", key::CREATED), ("modifiedAt", key::MODIFIED)] {
                if let Some(date) = doc_date(d, k).and_then(|s| iso_utc(&s)) {
                    e.put(prop, date);
                }
            }
        }
        out.push(e);
        out
    }

    /// The mailbox's Person id, its entity pushed onto `out` the first time.
    fn person(&mut self, a: &Address, out: &mut Vec<Entity>) -> Option<String> {
        let address = a.address.as_deref()?.trim().to_lowercase();
        if !address.contains('@') {
            return None;
        }
        let id = format!(
            "leakcheck-person-{}",
            &hex::encode(Sha256::digest(address.as_bytes()))[..32]
        );
        if self.people.insert(id.clone()) {
            let mut p = Entity::new(id.clone(), "Person");
            p.put("name", a.name.clone().unwrap_or_else(|| address.clone()));
            p.put("email", address);
            out.push(p);
        }
        Some(id)
    }
}

/// The verdict in words: the verdict, the checks that decided, and each
/// finding's summary.
fn notes(r: &Row, verdict: &str) -> String {
    let mut s = format!("leakcheck verdict: {verdict}");
    let flagged = flagged_by(&r.report.findings);
    if !flagged.is_empty() {
        s.push_str(&format!(" ({flagged})"));
    }
    for f in &r.report.findings {
        s.push_str(&format!("\n{} [{}]: {}", f.check, f.verdict, f.summary));
    }
    s
}

/// A Unix time as FollowTheMoney writes dates: ISO 8601 in UTC, no zone.
fn utc(unix: i64) -> Option<String> {
    leakcheck_core::time::rfc3339(unix).map(|s| s.trim_end_matches("+00:00").to_string())
}

/// A metadata date (RFC 3339 with an offset, or a bare date) as an ISO
/// date-time in UTC or a date; what is neither is left out.
fn iso_utc(s: &str) -> Option<String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.to_utc().format("%Y-%m-%dT%H:%M:%S").to_string());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.to_string())
}

/// At most `max` bytes of `s`, cut on a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_followthemoney_reads_them() {
        assert_eq!(utc(1_491_213_600).as_deref(), Some("2017-04-03T10:00:00"));
        assert_eq!(
            iso_utc("2017-04-03T12:00:00+02:00").as_deref(),
            Some("2017-04-03T10:00:00")
        );
        assert_eq!(iso_utc("2017-04-03").as_deref(), Some("2017-04-03"));
        assert_eq!(iso_utc("D:2017"), None);
        assert_eq!(iso_utc("é"), None);
        assert_eq!(cut("aé", 2), "a");
    }
}
