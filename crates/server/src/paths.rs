//! Paths as viewers see them: without the operator's folders, and with
//! invisible characters made visible.
//!
//! The catalog keeps where each item was found as ingest saw it, absolute
//! (`/home/op/leaks/macron/a.eml`): evidence for the operator, but the
//! layout of the operator's machine is nobody else's business. The
//! workbench shows a path from the source's own name on
//! (`macron/a.eml`). File names in a dump may also carry bidi overrides or
//! control characters (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`):
//! they are written out as `\u{202e}`, as the command line does.

use std::sync::Mutex;

use leakcheck_core::sanitize::for_terminal;
use leakcheck_store::Case;

/// The folders to hide: the parent of every source in the custody log and
/// of the case folder, longest first. Re-read when the log grows (a new
/// ingest while the server runs).
pub struct Paths {
    cache: Mutex<(u64, Vec<String>)>,
}

impl Paths {
    /// No folders known yet: read on first use.
    pub fn new() -> Paths {
        Paths {
            cache: Mutex::new((u64::MAX, Vec::new())),
        }
    }

    /// The prefixes to hide for `case`, each ending in `/`.
    fn prefixes(&self, case: &Case) -> Vec<String> {
        let log = case.home().join("custody.jsonl");
        let len = std::fs::metadata(&log).map_or(0, |m| m.len());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.0 != len {
            let mut dirs: Vec<String> = case
                .custody()
                .and_then(|c| c.entries())
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.path)
                .chain(std::fs::canonicalize(case.home()).map(|p| p.display().to_string()))
                .chain([case.home().display().to_string()])
                .filter_map(|p| {
                    let parent = std::path::Path::new(&p).parent()?.display().to_string();
                    let parent = parent.trim_end_matches('/');
                    // A source at the root has nothing to hide.
                    (!parent.is_empty()).then(|| format!("{parent}/"))
                })
                .collect();
            dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
            dirs.dedup();
            *cache = (len, dirs);
        }
        cache.1.clone()
    }

    /// A viewer's version of every path in the case: see [`Shown::text`].
    pub fn shown(&self, case: &Case) -> Shown {
        Shown {
            prefixes: self.prefixes(case),
        }
    }
}

impl Default for Paths {
    fn default() -> Paths {
        Paths::new()
    }
}

/// The folders to hide, for one answer.
pub struct Shown {
    prefixes: Vec<String>,
}

impl Shown {
    /// `text` (a path, or a message naming paths) without the operator's
    /// folders, invisible characters escaped.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for p in &self.prefixes {
            if out.contains(p.as_str()) {
                out = out.replace(p.as_str(), "");
            }
        }
        for_terminal(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_hidden_and_bidi_made_visible() {
        let s = Shown {
            prefixes: vec!["/home/op/leaks/".into(), "/home/op/".into()],
        };
        assert_eq!(
            s.text("/home/op/leaks/macron/a.zip ! invoice\u{202E}fdp.exe"),
            "macron/a.zip ! invoice\\u{202e}fdp.exe"
        );
        assert_eq!(s.text("dir:/home/op/leaks/macron/sub"), "dir:macron/sub");
        assert_eq!(s.text("tab\there\r"), "tab\\u{9}here\\u{d}");
        assert_eq!(s.text("/srv/other/x"), "/srv/other/x");
    }
}
