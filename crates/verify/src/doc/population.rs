//! The dump's own population: how many documents carry each person, script
//! and toolchain. A value is unusual only relative to the dump it
//! is in, so the same author is an outlier in one case and normal in another.

use std::collections::{BTreeSet, HashMap};

use leakcheck_core::{DocMeta, EmailMeta};
use serde_json::{Value, json};

use super::{people, software, squash};

/// Below this many documents, nothing is rare: there is no population yet.
pub const MIN_POPULATION: u64 = 10;
/// A value is rare when at most this share (1 in 20, 5 %) of the population has it.
pub const RARE_SHARE: u64 = 20;

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
}

impl Population {
    /// Counts `docs` and `emails`.
    pub fn new<'a>(
        docs: impl IntoIterator<Item = &'a DocMeta>,
        emails: impl IntoIterator<Item = &'a EmailMeta>,
    ) -> Population {
        let mut p = Population::default();
        for meta in docs {
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
        }
        for e in emails {
            p.texts += 1;
            let names = e.from.iter().chain(&e.to).filter_map(|a| a.name.as_deref());
            for s in people::scripts(names.chain(e.subject.as_deref())) {
                *p.scripts.entry(s).or_default() += 1;
            }
        }
        p
    }

    /// `n` of `total` is rare: the population is big enough and `n` is one
    /// (a value no other document shares) or at most one in [`RARE_SHARE`].
    pub fn rare(n: u64, total: u64) -> bool {
        total >= MIN_POPULATION && (n <= 1 || n * RARE_SHARE <= total)
    }

    /// How a count stands, as evidence.
    pub fn share(n: u64, total: u64) -> Value {
        json!({"count": n, "of": total, "rare": Population::rare(n, total)})
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
        assert!(Population::rare(5, 100));
        assert!(!Population::rare(6, 100));
    }
}
