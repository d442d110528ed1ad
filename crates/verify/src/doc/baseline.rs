use std::collections::HashMap;

use leakcheck_core::{DocMeta, doc::key};

use super::script::scripts_of;

/// How often each value occurs across the dump's documents (each document
/// counts once per value, however many stores repeat it).
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// Documents counted.
    pub documents: u64,
    people: HashMap<String, u64>,
    scripts: HashMap<&'static str, u64>,
    code_pages: HashMap<String, u64>,
    /// Documents that state a code page.
    pub with_code_page: u64,
    toolchains: HashMap<String, u64>,
    /// PDFs counted (toolchain baseline).
    pub pdfs: u64,
}

/// Fields naming people or organisations.
pub const PEOPLE: [&str; 6] = [
    key::AUTHOR,
    key::LAST_MODIFIED_BY,
    key::COMPANY,
    key::MANAGER,
    key::COMMENT_AUTHOR,
    key::REVISION_AUTHOR,
];

/// Case- and space-insensitive form used to count values.
pub fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The PDF toolchain of a document: authoring tool and PDF writer, without
/// version numbers (so that updates of one program do not look foreign).
pub fn toolchain(meta: &DocMeta) -> Option<String> {
    if meta.format != "pdf" {
        return None;
    }
    let family = |k: &str| {
        meta.fields(k).next().map(|(_, f)| {
            f.value
                .split(|c: char| c.is_ascii_digit() || c == '(' || c == ';' || c == ',')
                .next()
                .unwrap_or("")
                .trim()
                .to_lowercase()
        })
    };
    let (c, p) = (family(key::CREATOR_TOOL), family(key::PRODUCER));
    if c.is_none() && p.is_none() {
        return None;
    }
    Some(format!("{} / {}", c.unwrap_or_default(), p.unwrap_or_default()))
}

impl Baseline {
    /// Counts over `docs`.
    pub fn of<'a>(docs: impl Iterator<Item = &'a DocMeta>) -> Baseline {
        let mut b = Baseline::default();
        for m in docs {
            b.documents += 1;
            let mut people: Vec<String> = PEOPLE
                .iter()
                .flat_map(|k| m.fields(k).map(|(_, f)| norm(&f.value)))
                .collect();
            people.sort();
            people.dedup();
            for p in people {
                *b.people.entry(p).or_default() += 1;
            }
            for s in scripts_of(m) {
                *b.scripts.entry(s).or_default() += 1;
            }
            if let Some((_, f)) = m.fields(key::CODE_PAGE).next() {
                b.with_code_page += 1;
                *b.code_pages.entry(f.value.clone()).or_default() += 1;
            }
            if let Some(t) = toolchain(m) {
                b.pdfs += 1;
                *b.toolchains.entry(t).or_default() += 1;
            }
        }
        b
    }

    /// Documents naming this person or company.
    pub fn person(&self, value: &str) -> u64 {
        self.people.get(&norm(value)).copied().unwrap_or(0)
    }

    /// Documents whose metadata uses this script.
    pub fn script(&self, script: &str) -> u64 {
        self.scripts.get(script).copied().unwrap_or(0)
    }

    /// Documents stating this code page.
    pub fn code_page(&self, cp: &str) -> u64 {
        self.code_pages.get(cp).copied().unwrap_or(0)
    }

    /// PDFs made with this toolchain.
    pub fn toolchain(&self, t: &str) -> u64 {
        self.toolchains.get(t).copied().unwrap_or(0)
    }
}

/// Whether `n` of `total` is rare enough to stand out: at most 5 % of the
/// population, and the population large enough (10) for "usual" to mean
/// something.
pub fn rare(n: u64, total: u64) -> bool {
    total >= 10 && n * 20 <= total
}
