//! What differs between two copies, word by word, with a little context:
//! the evidence a reader checks first.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Characters of context kept on each side of a change.
const CONTEXT: usize = 40;
/// Characters kept of a removed or added run.
const MAX_RUN: usize = 300;
/// Changes listed at most; the count says how many there were.
const MAX_CHANGES: usize = 50;

/// One place where the texts differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Text just before the change.
    pub before: String,
    /// What the first text has there.
    pub removed: String,
    /// What the second text has there.
    pub added: String,
    /// Text just after the change.
    pub after: String,
}

/// The differences between two texts and how many there were.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Places that differ (at most 50 listed).
    pub changes: Vec<Change>,
    /// All places that differ.
    pub total: usize,
}

/// White space collapsed: re-wrapped lines and trailing spaces are not
/// changes anyone cares about.
fn normal(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tail(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Word-level differences from `a` to `b`.
pub fn diff(a: &str, b: &str) -> Diff {
    let (a, b) = (normal(a), normal(b));
    let d = TextDiff::from_words(&a, &b);
    let parts: Vec<(ChangeTag, &str)> =
        d.iter_all_changes().map(|c| (c.tag(), c.value())).collect();
    let mut out = Diff::default();
    let mut i = 0;
    while i < parts.len() {
        if parts[i].0 == ChangeTag::Equal {
            i += 1;
            continue;
        }
        let before: String = parts[..i]
            .iter()
            .rev()
            .take_while(|p| p.0 == ChangeTag::Equal)
            .map(|p| p.1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let (mut removed, mut added) = (String::new(), String::new());
        while i < parts.len() && parts[i].0 != ChangeTag::Equal {
            match parts[i].0 {
                ChangeTag::Delete => removed.push_str(parts[i].1),
                _ => added.push_str(parts[i].1),
            }
            i += 1;
        }
        let after: String = parts[i..]
            .iter()
            .take_while(|p| p.0 == ChangeTag::Equal)
            .map(|p| p.1)
            .collect();
        if removed.trim() == added.trim() {
            continue;
        }
        out.total += 1;
        if out.changes.len() < MAX_CHANGES {
            out.changes.push(Change {
                before: tail(&before, CONTEXT).trim_start().to_string(),
                removed: head(removed.trim(), MAX_RUN),
                added: head(added.trim(), MAX_RUN),
                after: head(&after, CONTEXT).trim_end().to_string(),
            });
        }
    }
    out
}

impl Change {
    /// `…before [-removed-] {+added+} after…`, as `git diff --word-diff` writes it.
    pub fn render(&self) -> String {
        let mut s = format!("…{}", self.before);
        if !self.removed.is_empty() {
            s.push_str(&format!("[-{}-]", self.removed));
        }
        if !self.added.is_empty() {
            s.push_str(&format!("{{+{}+}}", self.added));
        }
        s.push_str(&format!("{}…", self.after));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_exactly_the_change() {
        let d = diff(
            "Donations this week: 12000 euros, from 40 people.",
            "Donations this week: 120000 euros,\nfrom 40  people.",
        );
        assert_eq!(d.total, 1);
        let c = &d.changes[0];
        assert_eq!((c.removed.as_str(), c.added.as_str()), ("12000", "120000"));
        assert_eq!(c.before, "Donations this week: ");
        assert_eq!(c.after, " euros, from 40 people.");
        assert_eq!(
            c.render(),
            "…Donations this week: [-12000-]{+120000+} euros, from 40 people.…"
        );
        assert_eq!(
            diff("same text", "same\n text").total,
            0,
            "wrapping is not a change"
        );
        let removed = diff("one. two. three.", "one. three.");
        assert_eq!(removed.changes[0].removed, "two.");
        assert_eq!(removed.changes[0].added, "");
    }
}
