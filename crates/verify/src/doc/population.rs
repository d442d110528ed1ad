//! The dump's own population: how many documents carry each person, script,
//! toolchain and production trait (a repacked package, an image editor). A
//! value is unusual only relative to the dump it is in, so the same author
//! is an outlier in one case and normal in another.
//!
//! Rules that hold at any size: **rare** is rare in absolute terms *and*
//! relative to comparable documents (a handful, and at most 1 in 20), so an
//! author in 29 of 25,000 documents is not rare however small 29/25,000 is;
//! a trait that at least a quarter of the documents of its kind share, and
//! more than a handful, is **the dump's norm**: how this dump's files were
//! made, not an anomaly.

use std::collections::{BTreeSet, HashMap};

use leakcheck_core::{DocMeta, EmailMeta};
use serde_json::{Value, json};

use super::{image, people, software, squash};

/// Below this many documents, nothing is rare: there is no population yet.
pub const MIN_POPULATION: u64 = 10;
/// A rare value is on a handful of documents at most: this many.
pub const RARE_MAX: u64 = 3;
/// A value is rare when also at most this share (1 in 20, 5 %) of the population has it.
pub const RARE_SHARE: u64 = 20;
/// A trait at least 1 in this many documents of its kind share (and more
/// than [`RARE_MAX`]) is the dump's norm.
pub const NORM_SHARE: u64 = 4;

/// Counts over the documents found in the dump (not the revisions derived
/// from them) and, for scripts, the emails too.
#[derive(Clone, Debug, Default)]
pub struct Population {
    /// Documents counted.
    pub documents: u64,
    /// Documents naming each person (squashed name).
    pub people: HashMap<String, u64>,
    /// Documents and emails counted for scripts.
    pub texts: u64,
    /// Documents and emails whose names and titles use each script (a
    /// document's code page counts for the script it is made for).
    pub scripts: HashMap<String, u64>,
    /// Documents naming their software.
    pub with_toolchain: u64,
    /// Documents per toolchain (format, application, producer; versions folded).
    pub toolchains: HashMap<String, u64>,
    /// OOXML packages whose properties name Microsoft Office.
    pub office_packages: u64,
    /// Of those, packages whose ZIP entries carry real dates (rewritten by another tool).
    pub repacked: u64,
    /// Images per camera (make and model).
    pub cameras: HashMap<String, u64>,
    /// Images per camera and editor.
    pub camera_editors: HashMap<(String, &'static str), u64>,
}

impl Population {
    /// Counts `docs` and `emails`.
    pub fn new<'a>(
        docs: impl IntoIterator<Item = &'a DocMeta>,
        emails: impl IntoIterator<Item = &'a EmailMeta>,
    ) -> Population {
        let mut p = Population::default();
        for meta in docs {
            p.add_document(meta);
        }
        for e in emails {
            p.add_email(e);
        }
        p
    }

    /// Counts one document found in the dump.
    pub fn add_document(&mut self, meta: &DocMeta) {
        let p = self;
        p.documents += 1;
        p.texts += 1;
        let names: BTreeSet<String> = people::people(meta)
            .map(|(_, _, name)| squash(&name))
            .filter(|n| !n.is_empty())
            .collect();
        for n in names {
            *p.people.entry(n).or_default() += 1;
        }
        for s in people::doc_scripts(meta) {
            *p.scripts.entry(s).or_default() += 1;
        }
        if let Some(t) = software::toolchain(meta) {
            p.with_toolchain += 1;
            *p.toolchains.entry(t).or_default() += 1;
        }
        if let Some(r) = software::repack(meta)
            && r.claims_office
        {
            p.office_packages += 1;
            p.repacked += u64::from(!r.dated.is_empty());
        }
        if let Some(camera) = image::camera(meta) {
            if let Some(editor) = image::editor(meta) {
                *p.camera_editors
                    .entry((camera.clone(), editor))
                    .or_default() += 1;
            }
            *p.cameras.entry(camera).or_default() += 1;
        }
    }

    /// Counts one email (for scripts).
    pub fn add_email(&mut self, e: &EmailMeta) {
        self.texts += 1;
        let names = e.from.iter().chain(&e.to).filter_map(|a| a.name.as_deref());
        for s in people::scripts(names.chain(e.subject.as_deref())) {
            *self.scripts.entry(s).or_default() += 1;
        }
    }

    /// `n` of `total` is rare: the population is big enough and `n` is one
    /// (a value no other document shares), or a handful ([`RARE_MAX`]) that
    /// is also at most one in [`RARE_SHARE`].
    pub fn rare(n: u64, total: u64) -> bool {
        total >= MIN_POPULATION && (n <= 1 || (n <= RARE_MAX && n * RARE_SHARE <= total))
    }

    /// `n` of `total` is the dump's norm: more than a handful, and at least
    /// one in [`NORM_SHARE`].
    pub fn norm(n: u64, total: u64) -> bool {
        n > RARE_MAX && n * NORM_SHARE >= total
    }

    /// How a count stands, as evidence.
    pub fn share(n: u64, total: u64) -> Value {
        json!({"count": n, "of": total, "rare": Population::rare(n, total),
               "norm": Population::norm(n, total)})
    }

    /// Images from `camera` that `editor` saved, and images from it.
    pub fn camera_share(&self, camera: &str, editor: &'static str) -> (u64, u64) {
        (
            self.camera_editors
                .get(&(camera.to_string(), editor))
                .copied()
                .unwrap_or(0),
            self.cameras.get(camera).copied().unwrap_or(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_needs_a_population_and_a_small_share() {
        assert!(!Population::rare(1, 9));
        assert!(Population::rare(1, 10));
        assert!(!Population::rare(2, 10));
        assert!(Population::rare(1, 20));
        assert!(!Population::rare(2, 20));
        assert!(Population::rare(3, 100));
        assert!(!Population::rare(4, 100));
        // An author in 29 of 25,156 documents is not rare: a handful is.
        assert!(!Population::rare(29, 25_156));
        assert!(Population::rare(3, 25_156));
    }

    #[test]
    fn the_norm_is_more_than_a_handful_and_a_quarter() {
        assert!(Population::norm(8126, 25_156));
        assert!(Population::norm(4, 16));
        assert!(!Population::norm(4, 17));
        assert!(!Population::norm(3, 3), "a handful is never a norm");
    }
}
