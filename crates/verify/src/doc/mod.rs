//! Document and image metadata checks.
//!
//! Each check reads one item's [`DocMeta`] and, where it needs to know what
//! is usual, the [`Baseline`] of the whole dump: the same author or code page
//! is unremarkable in one dump and an outlier in another. Checks report only
//! when they had something to look at; each finding names the field, the
//! store it came from and the value.

use chrono::{DateTime, Utc};
use leakcheck_core::{DocMeta, Finding, ItemId};
use leakcheck_store::Window;

pub mod authorship;
mod baseline;
pub mod dates;
pub mod image;
pub mod pdf;
pub mod script;
pub mod software;

pub use baseline::Baseline;

/// What the checks know about the case.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// The claimed leak window.
    pub window: Option<&'a Window>,
    /// People and companies of the organisation (case settings and the
    /// display names of mail sent from its domains).
    pub org_names: Vec<String>,
    /// When the checks run: no embedded date can be later.
    pub now: DateTime<Utc>,
}

/// Every document check on one item.
pub fn check(meta: &DocMeta, ctx: &Context<'_>, base: &Baseline) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(dates::check(meta, ctx));
    out.extend(authorship::check(meta, ctx, base));
    out.extend(script::check(meta, base));
    out.extend(pdf::revisions(meta));
    out.extend(pdf::xmp_info(meta));
    out.extend(software::check(meta, base));
    out.extend(image::exif(meta, ctx));
    out.extend(image::thumbnail(meta));
    out.extend(image::software(meta));
    out
}

/// Runs [`check`] over every document of a case.
pub fn check_all(docs: &[(ItemId, DocMeta)], ctx: &Context<'_>) -> Vec<(ItemId, Vec<Finding>)> {
    let base = Baseline::of(docs.iter().map(|(_, m)| m));
    docs.iter()
        .map(|(id, meta)| (id.clone(), check(meta, ctx, &base)))
        .collect()
}

/// A field as evidence: where it was found and what it says.
pub(crate) fn evidence(store: &str, f: &leakcheck_core::Field) -> serde_json::Value {
    let mut v = serde_json::json!({"store": store, "tag": f.tag, "value": f.value});
    if let Some(d) = &f.date {
        v["date"] = serde_json::Value::String(d.clone());
    }
    v
}

#[cfg(test)]
pub(crate) mod testing {
    use leakcheck_core::{DocMeta, Store};

    /// A document with one store holding `(key, value)` fields; values that
    /// look like normal-form dates are also set as dates.
    pub fn doc(format: &str, store: &str, fields: &[(&str, &str)]) -> DocMeta {
        let mut m = DocMeta::new(format);
        let mut s = Store::new(store);
        for (k, v) in fields {
            let date = (v.len() >= 19 && v.as_bytes().get(10) == Some(&b'T')).then(|| v.to_string());
            s.push_date(k, k, *v, date);
        }
        m.add(s);
        m
    }
}
