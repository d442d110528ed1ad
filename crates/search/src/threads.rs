//! Conversations rebuilt from the headers with Jamie Zawinski's algorithm
//! (<https://www.jwz.org/doc/threading.html>).
//!
//! Every Message-ID gets one container. A message hangs under the last id of
//! its References followed by its In-Reply-To, and each id of that chain
//! under the one before it, so a message whose parent is not in the dump still
//! joins its conversation through a placeholder. No link is made that would
//! close a loop, whatever the headers say. Copies of one Message-ID share a
//! container: they are one message found several times, and every item is
//! listed. A placeholder stays where a message replied to it or where it
//! ties several replies together; an id only seen among older References
//! gives way to its replies, as in JWZ.
//!
//! The subject is used only for a message with neither References nor
//! In-Reply-To (headers some clients leave out, and forwards rarely carry),
//! and only when its subject starts with a reply or forward prefix: such a
//! message hangs under the latest message not dated after it whose subject
//! is the same without prefixes and has none itself. JWZ also gathers roots
//! that merely share a subject; that is not done here, because two messages
//! called "Budget" are not one conversation.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use leakcheck_core::{Address, EmailMeta, ItemId};
use leakcheck_store::Catalog;
use serde::Serialize;

/// How deep a tree goes. The messages below a message at this depth are
/// listed flat under it, oldest first: trees are printed, serialised and
/// dropped recursively, and a hostile chain of replies must not exhaust the
/// stack. Real conversations are far shallower.
pub const MAX_THREAD_DEPTH: usize = 500;

/// One conversation: a tree of messages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thread {
    /// Messages of the tree that are in the dump.
    pub messages: usize,
    /// Placeholders: messages the others refer to that are not in the dump.
    pub missing: usize,
    /// Email items in the tree (copies of one message count each).
    pub items: usize,
    /// Messages listed flat because they are deeper than [`MAX_THREAD_DEPTH`].
    pub flattened: usize,
    /// The first message, or a placeholder for it.
    pub root: Node,
}

impl Thread {
    fn new(root: Node, flattened: usize) -> Thread {
        let mut t = Thread {
            messages: 0,
            missing: 0,
            items: 0,
            flattened,
            root,
        };
        let mut stack = vec![&t.root];
        while let Some(n) = stack.pop() {
            if n.items.is_empty() {
                t.missing += 1;
            } else {
                t.messages += 1;
                t.items += n.items.len();
            }
            stack.extend(&n.children);
        }
        t
    }

    /// True when `item` is one of the tree's messages.
    pub fn contains(&self, item: &ItemId) -> bool {
        let mut stack = vec![&self.root];
        while let Some(n) = stack.pop() {
            if n.items.contains(item) {
                return true;
            }
            stack.extend(&n.children);
        }
        false
    }
}

/// A message of a conversation, or a placeholder for one the dump lacks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Message-ID without angle brackets; `None` for a message that has none.
    pub message_id: Option<String>,
    /// The email items with this Message-ID (several when the dump holds
    /// copies); empty for a placeholder.
    pub items: Vec<ItemId>,
    /// Subject of the first copy.
    pub subject: Option<String>,
    /// From of the first copy.
    pub from: Vec<Address>,
    /// Date of the first copy, RFC 3339 with the sender's offset.
    pub date: Option<String>,
    /// The same date as Unix seconds.
    pub date_unix: Option<i64>,
    /// True when the message was placed by its subject, not by its headers.
    pub by_subject: bool,
    /// Replies, oldest first.
    pub children: Vec<Node>,
}

impl Node {
    /// True for a message the others refer to that is not in the dump.
    pub fn is_missing(&self) -> bool {
        self.items.is_empty()
    }

    /// When the node sorts: its own date, else its earliest reply's (a
    /// placeholder sits where its conversation continues).
    fn sort_date(&self) -> Option<i64> {
        self.date_unix
            .or_else(|| self.children.first().and_then(Node::sort_date))
    }
}

/// Every conversation of the dump, oldest first.
pub fn threads(emails: &[(ItemId, EmailMeta)]) -> Vec<Thread> {
    Builder::new(emails).build()
}

/// The whole conversation `item` belongs to; `None` when it is not an email
/// of `emails`.
///
/// ```
/// use leakcheck_core::{EmailMeta, ItemId};
///
/// let mail = |mid: &str, parent: Option<&str>| EmailMeta {
///     message_id: Some(mid.into()),
///     in_reply_to: parent.into_iter().map(String::from).collect(),
///     ..EmailMeta::default()
/// };
/// let emails = vec![
///     (ItemId::of(b"question"), mail("q@example.org", None)),
///     (ItemId::of(b"answer"), mail("a@example.org", Some("q@example.org"))),
/// ];
/// let thread = leakcheck_search::thread_of(&emails, &ItemId::of(b"answer")).unwrap();
/// assert_eq!(thread.root.message_id.as_deref(), Some("q@example.org"));
/// assert_eq!(thread.root.children[0].items, [ItemId::of(b"answer")]);
/// ```
pub fn thread_of(emails: &[(ItemId, EmailMeta)], item: &ItemId) -> Option<Thread> {
    threads(emails).into_iter().find(|t| t.contains(item))
}

/// The conversation `item` belongs to, built from its emails alone (the
/// catalog's thread aggregate names them): the same tree as [`thread_of`]
/// over every email, since a conversation's links never leave it.
/// `None` when `item` is not an email.
pub fn thread_in(catalog: &Catalog, item: &ItemId) -> crate::Result<Option<Thread>> {
    Ok(match catalog.thread_emails(item)? {
        Some(emails) => thread_of(&emails, item),
        None => None,
    })
}

/// Each email of `emails` and the number of its conversation (0 = the
/// oldest), for the catalog's thread aggregate.
pub(crate) fn numbered(emails: &[(ItemId, EmailMeta)]) -> Vec<(ItemId, u64)> {
    let mut out = Vec::with_capacity(emails.len());
    for (n, t) in threads(emails).iter().enumerate() {
        let mut stack = vec![&t.root];
        while let Some(node) = stack.pop() {
            out.extend(node.items.iter().map(|i| (i.clone(), n as u64)));
            stack.extend(&node.children);
        }
    }
    out
}

/// One message of a thread as a row of its tree in reading order, so that
/// a long conversation can be shown a page at a time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// Levels below the root (0 for the root).
    pub depth: usize,
    /// True for a message the others refer to that is not in the dump.
    pub missing: bool,
    /// The message, without its replies (they are the rows that follow).
    #[serde(flatten)]
    pub node: Node,
}

impl Thread {
    /// The tree's messages in reading order (each before its replies).
    pub fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        let mut stack = vec![(&self.root, 0)];
        while let Some((n, depth)) = stack.pop() {
            stack.extend(n.children.iter().rev().map(|c| (c, depth + 1)));
            out.push(Row {
                depth,
                missing: n.is_missing(),
                // Not `n.clone()`: that would copy every reply below it.
                node: Node {
                    message_id: n.message_id.clone(),
                    items: n.items.clone(),
                    subject: n.subject.clone(),
                    from: n.from.clone(),
                    date: n.date.clone(),
                    date_unix: n.date_unix,
                    by_subject: n.by_subject,
                    children: Vec::new(),
                },
            });
        }
        out
    }
}

/// The subject without its reply and forward prefixes ("Re:", "Fwd:",
/// "TR:", "AW:", "Réf:"..., repeated or counted as in "Re[2]:"), for
/// comparison: lower case, spaces collapsed.
pub fn base_subject(subject: &str) -> String {
    strip_prefixes(subject)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reply and forward prefixes of the languages in the dumps we meet:
/// English, French (TR: transféré, Réf:), German (AW: Antwort, WG:
/// weitergeleitet), Scandinavian (SV:).
const PREFIXES: &[&str] = &["re", "fw", "fwd", "tr", "aw", "wg", "réf", "ref", "sv"];

fn strip_prefixes(subject: &str) -> &str {
    let mut s = subject.trim_start();
    // A prefix is a short word before a colon: look no further than that.
    while let Some(colon) = s.char_indices().take(12).find(|&(_, c)| c == ':') {
        let word = s[..colon.0].trim_end();
        // "Re[2]:" and "Re(2):" count replies.
        let word = match word.find(['[', '(']) {
            Some(open)
                if word.ends_with([']', ')'])
                    && word[open + 1..word.len() - 1]
                        .bytes()
                        .all(|b| b.is_ascii_digit()) =>
            {
                &word[..open]
            }
            _ => word,
        };
        if !PREFIXES.contains(&word.to_lowercase().as_str()) {
            break;
        }
        s = s[colon.0 + 1..].trim_start();
    }
    s
}

fn has_prefix(subject: &str) -> bool {
    strip_prefixes(subject).len() != subject.trim_start().len()
}

/// A container of the algorithm: one Message-ID, or one message without.
struct Container<'a> {
    message_id: Option<&'a str>,
    /// Indices into the emails.
    items: Vec<usize>,
    parent: Option<usize>,
    /// Some message names it as its direct parent: a placeholder for it is
    /// kept, to show where a reply's original is missing.
    replied_to: bool,
    by_subject: bool,
}

struct Builder<'a> {
    emails: &'a [(ItemId, EmailMeta)],
    containers: Vec<Container<'a>>,
    by_id: HashMap<&'a str, usize>,
    /// Union-find over the trees: following `tree` leads to a container's
    /// root. A parent is only ever given to a container that has none, i.e.
    /// to a root, so a link closes a loop exactly when the new parent is in
    /// the child's own tree. This keeps each check near constant time where
    /// walking up would make a deep (hostile) chain quadratic.
    tree: Vec<usize>,
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

fn has_references(meta: &EmailMeta) -> bool {
    meta.references
        .iter()
        .chain(&meta.in_reply_to)
        .any(|r| non_empty(r).is_some())
}

impl<'a> Builder<'a> {
    fn new(emails: &'a [(ItemId, EmailMeta)]) -> Builder<'a> {
        let mut b = Builder {
            emails,
            containers: Vec::new(),
            by_id: HashMap::new(),
            tree: Vec::new(),
        };
        for (i, (_, meta)) in emails.iter().enumerate() {
            let c = match meta.message_id.as_deref().and_then(non_empty) {
                Some(mid) => b.container(mid),
                None => b.push(None),
            };
            b.containers[c].items.push(i);
        }
        b
    }

    fn push(&mut self, message_id: Option<&'a str>) -> usize {
        self.containers.push(Container {
            message_id,
            items: Vec::new(),
            parent: None,
            replied_to: false,
            by_subject: false,
        });
        self.tree.push(self.containers.len() - 1);
        self.containers.len() - 1
    }

    fn container(&mut self, mid: &'a str) -> usize {
        if let Some(&c) = self.by_id.get(mid) {
            return c;
        }
        let c = self.push(Some(mid));
        self.by_id.insert(mid, c);
        c
    }

    /// The first copy: it speaks for the message.
    fn meta(&self, c: usize) -> Option<&'a EmailMeta> {
        let emails = self.emails;
        self.containers[c].items.first().map(|&i| &emails[i].1)
    }

    /// References in order, then In-Reply-To ids not already named, without
    /// the message's own id.
    fn chain(&mut self, c: usize) -> Vec<usize> {
        let emails = self.emails;
        let own = self.containers[c].message_id;
        // Copies may disagree; the first one that names a parent decides.
        let Some(meta) = self.containers[c]
            .items
            .iter()
            .map(|&i| &emails[i].1)
            .find(|m| has_references(m))
        else {
            return Vec::new();
        };
        let mut chain: Vec<usize> = Vec::new();
        let mut seen = HashSet::new();
        for r in meta.references.iter().chain(&meta.in_reply_to) {
            let Some(r) = non_empty(r) else { continue };
            if Some(r) == own {
                continue;
            }
            let rc = self.container(r);
            if seen.insert(rc) {
                chain.push(rc);
            }
        }
        chain
    }

    /// The root of `c`'s tree.
    fn root(&mut self, mut c: usize) -> usize {
        while self.tree[c] != c {
            // Path halving: point each visited container at its grandparent.
            self.tree[c] = self.tree[self.tree[c]];
            c = self.tree[c];
        }
        c
    }

    /// Hangs `child`, which has no parent yet, under `parent` unless that
    /// would close a loop.
    fn link(&mut self, child: usize, parent: usize) -> bool {
        debug_assert!(self.containers[child].parent.is_none());
        let top = self.root(parent);
        if top == child {
            return false;
        }
        self.containers[child].parent = Some(parent);
        self.tree[child] = top;
        true
    }

    fn build(mut self) -> Vec<Thread> {
        let real: Vec<usize> = (0..self.containers.len())
            .filter(|&c| !self.containers[c].items.is_empty())
            .collect();
        let chains: Vec<(usize, Vec<usize>)> = real.iter().map(|&c| (c, self.chain(c))).collect();
        // A message's own headers name its parent; they are trusted before
        // what other messages' References imply about it.
        for (c, chain) in &chains {
            if let Some(&parent) = chain.last() {
                self.containers[parent].replied_to = true;
                self.link(*c, parent);
            }
        }
        for (_, chain) in &chains {
            for pair in chain.windows(2) {
                if self.containers[pair[1]].parent.is_none() {
                    self.link(pair[1], pair[0]);
                }
            }
        }
        self.by_subject(&real);
        self.assemble()
    }

    /// Places messages that have no References or In-Reply-To but a reply or
    /// forward prefix under the original with the same subject.
    fn by_subject(&mut self, real: &[usize]) {
        let emails = self.emails;
        let mut originals: HashMap<String, Vec<usize>> = HashMap::new();
        for &c in real {
            if let Some(s) = self.meta(c).and_then(|m| m.subject.as_deref())
                && !has_prefix(s)
            {
                let base = base_subject(s);
                if !base.is_empty() {
                    originals.entry(base).or_default().push(c);
                }
            }
        }
        for &c in real {
            let container = &self.containers[c];
            if container.parent.is_some()
                || container
                    .items
                    .iter()
                    .any(|&i| has_references(&emails[i].1))
            {
                continue;
            }
            let Some(meta) = self.meta(c) else { continue };
            let Some(subject) = meta.subject.as_deref().filter(|s| has_prefix(s)) else {
                continue;
            };
            let Some(candidates) = originals.get(&base_subject(subject)) else {
                continue;
            };
            let date = meta.date_unix;
            let mut best: Option<(Option<i64>, usize)> = None;
            for &o in candidates {
                let od = self.meta(o).and_then(|m| m.date_unix);
                let after = matches!((od, date), (Some(od), Some(d)) if od > d);
                // c is a root: o is below it when o's tree is c's.
                if after || self.root(o) == c {
                    continue;
                }
                // The latest dated; among equals, the first in the dump's order.
                if best.is_none_or(|(bd, _)| od > bd) {
                    best = Some((od, o));
                }
            }
            if let Some((_, original)) = best
                && self.link(c, original)
            {
                self.containers[c].by_subject = true;
            }
        }
    }

    fn assemble(&self) -> Vec<Thread> {
        let n = self.containers.len();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for c in 0..n {
            match self.containers[c].parent {
                Some(p) => children[p].push(c),
                None => roots.push(c),
            }
        }
        // A container lives when a message of the dump is in it or below it;
        // the others (ids whose messages' links were refused) are dropped.
        let mut alive = vec![false; n];
        for c in 0..n {
            if !self.containers[c].items.is_empty() {
                let mut at = Some(c);
                while let Some(x) = at {
                    if alive[x] {
                        break;
                    }
                    alive[x] = true;
                    at = self.containers[x].parent;
                }
            }
        }
        for kids in &mut children {
            kids.retain(|&k| alive[k]);
        }
        let mut threads: Vec<Thread> = Vec::new();
        for &r in roots.iter().filter(|&&r| alive[r]) {
            let mut flattened = 0;
            let mut top = Vec::new();
            self.place(r, true, 0, &children, &mut top, &mut flattened);
            // A root stands for itself, or gives way to its only reply.
            threads.extend(top.into_iter().map(|n| Thread::new(n, flattened)));
        }
        threads.sort_by(|a, b| order(&a.root, &b.root));
        threads
    }

    /// Appends what stands for container `c` at its level to `out`.
    ///
    /// A placeholder that no message names as its direct parent is only an
    /// ancestor seen in References: it gives way to its replies, except at
    /// the top when it holds several (then it is what ties them together).
    fn place(
        &self,
        c: usize,
        top: bool,
        depth: usize,
        children: &[Vec<usize>],
        out: &mut Vec<Node>,
        flattened: &mut usize,
    ) {
        // A loop, not recursion: one References header can name thousands
        // of ancestors that all give way.
        let mut stack = vec![c];
        while let Some(c) = stack.pop() {
            let container = &self.containers[c];
            let kids = &children[c];
            if container.items.is_empty() && !container.replied_to && (!top || kids.len() == 1) {
                stack.extend(kids);
                continue;
            }
            let mut node = self.node(c);
            if depth < MAX_THREAD_DEPTH {
                for &k in kids {
                    self.place(k, false, depth + 1, children, &mut node.children, flattened);
                }
            } else {
                let mut below = kids.clone();
                while let Some(k) = below.pop() {
                    below.extend(&children[k]);
                    if !self.containers[k].items.is_empty() {
                        node.children.push(self.node(k));
                        *flattened += 1;
                    }
                }
            }
            node.children.sort_by(order);
            out.push(node);
        }
    }

    /// Container `c` as a node without children.
    fn node(&self, c: usize) -> Node {
        let container = &self.containers[c];
        let meta = self.meta(c);
        Node {
            message_id: container.message_id.map(str::to_string),
            items: container
                .items
                .iter()
                .map(|&i| self.emails[i].0.clone())
                .collect(),
            subject: meta.and_then(|m| m.subject.clone()),
            from: meta.map(|m| m.from.clone()).unwrap_or_default(),
            date: meta.and_then(|m| m.date.clone()),
            date_unix: meta.and_then(|m| m.date_unix),
            by_subject: container.by_subject,
            children: Vec::new(),
        }
    }
}

/// Oldest first, undated last; then by Message-ID and item, so the order
/// never depends on the input's.
fn order(a: &Node, b: &Node) -> Ordering {
    let by_date = match (a.sort_date(), b.sort_date()) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_date
        .then_with(|| a.message_id.cmp(&b.message_id))
        .then_with(|| a.items.cmp(&b.items))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message: its Message-ID ("" for none), References, In-Reply-To,
    /// subject and minutes after a fixed hour.
    fn mail(mid: &str, refs: &[&str], irt: &[&str], subject: &str, minute: i64) -> EmailMeta {
        EmailMeta {
            message_id: (!mid.is_empty()).then(|| mid.to_string()),
            references: refs.iter().map(|s| s.to_string()).collect(),
            in_reply_to: irt.iter().map(|s| s.to_string()).collect(),
            subject: Some(subject.to_string()),
            from: vec![Address {
                name: None,
                address: Some(format!("{}@example.org", subject.len())),
            }],
            date_unix: Some(1_491_811_200 + minute * 60),
            ..EmailMeta::default()
        }
    }

    /// The tree as indented lines: Message-ID (or the first item's name),
    /// "missing" for placeholders, "×n" for copies, "~subject" when placed
    /// by subject.
    fn shape(t: &Thread, names: &HashMap<ItemId, &str>) -> String {
        fn walk(n: &Node, depth: usize, names: &HashMap<ItemId, &str>, out: &mut String) {
            out.push_str(&"  ".repeat(depth));
            match &n.message_id {
                Some(m) => out.push_str(m),
                None => out.push_str(&format!("[{}]", names[&n.items[0]])),
            }
            if n.is_missing() {
                out.push_str(" missing");
            }
            if n.items.len() > 1 {
                out.push_str(&format!(" ×{}", n.items.len()));
            }
            if n.by_subject {
                out.push_str(" ~subject");
            }
            out.push('\n');
            for c in &n.children {
                walk(c, depth + 1, names, out);
            }
        }
        let mut out = String::new();
        walk(&t.root, 0, names, &mut out);
        out
    }

    /// Items named after their message: `(name, meta)` pairs become emails
    /// whose ids are the names' hashes.
    fn dump(
        mails: Vec<(&'static str, EmailMeta)>,
    ) -> (Vec<(ItemId, EmailMeta)>, HashMap<ItemId, &'static str>) {
        let names = mails
            .iter()
            .map(|(n, _)| (ItemId::of(n.as_bytes()), *n))
            .collect();
        let emails = mails
            .into_iter()
            .map(|(n, m)| (ItemId::of(n.as_bytes()), m))
            .collect();
        (emails, names)
    }

    fn id(name: &str) -> ItemId {
        ItemId::of(name.as_bytes())
    }

    /// The dump the issue describes: every case JWZ has to get right.
    fn test_dump() -> (Vec<(ItemId, EmailMeta)>, HashMap<ItemId, &'static str>) {
        dump(vec![
            ("root", mail("r@x", &[], &[], "Budget", 0)),
            ("reply1", mail("a1@x", &["r@x"], &["r@x"], "Re: Budget", 60)),
            (
                "reply2",
                mail("a2@x", &["r@x"], &["r@x"], "Re: Budget", 120),
            ),
            (
                "reply2-copy",
                EmailMeta {
                    text: Some("other bytes".into()),
                    ..mail("a2@x", &["r@x"], &["r@x"], "Re: Budget", 120)
                },
            ),
            (
                "reply-to-reply",
                mail("a3@x", &["r@x", "a1@x"], &["a1@x"], "Re: Re: Budget", 180),
            ),
            (
                "orphan",
                mail("m@x", &["r@x", "gone@x"], &["gone@x"], "RE: Budget", 240),
            ),
            ("forward", mail("f@x", &[], &[], "Fwd: Budget", 300)),
            ("no-id", mail("", &[], &[], "Re: Budget", 360)),
            ("loop-a", mail("c1@x", &["c2@x"], &[], "Loop", 400)),
            ("loop-b", mail("c2@x", &["c1@x"], &[], "Re: Loop", 410)),
            ("lost", mail("o@x", &[], &["lost@x"], "Re: Old topic", 500)),
        ])
    }

    #[test]
    fn rebuilds_every_case_of_the_test_dump() {
        let (emails, names) = test_dump();
        let all = threads(&emails);
        let shapes: Vec<String> = all.iter().map(|t| shape(t, &names)).collect();
        assert_eq!(
            shapes,
            [
                "r@x\n\
                 \x20 a1@x\n\
                 \x20   a3@x\n\
                 \x20 a2@x ×2\n\
                 \x20 gone@x missing\n\
                 \x20   m@x\n\
                 \x20 f@x ~subject\n\
                 \x20 [no-id] ~subject\n",
                // The first of the pair takes the other as parent; the
                // second's link back would close the loop and is refused.
                "c2@x\n\
                 \x20 c1@x\n",
                "lost@x missing\n\
                 \x20 o@x\n",
            ]
        );
        let budget = &all[0];
        assert_eq!((budget.messages, budget.missing, budget.items), (7, 1, 8));
        // Nothing lost: every item is in exactly one thread.
        for (item, _) in &emails {
            assert_eq!(all.iter().filter(|t| t.contains(item)).count(), 1);
        }
        let copies = &budget.root.children[1];
        assert_eq!(copies.items, vec![id("reply2"), id("reply2-copy")]);
        assert_eq!(copies.subject.as_deref(), Some("Re: Budget"));
    }

    #[test]
    fn thread_of_finds_the_whole_tree_from_any_item() {
        let (emails, names) = test_dump();
        for item in ["reply-to-reply", "reply2-copy", "no-id", "forward"] {
            let t = thread_of(&emails, &id(item)).unwrap();
            assert_eq!(t.root.message_id.as_deref(), Some("r@x"), "{item}");
        }
        let t = thread_of(&emails, &id("loop-a")).unwrap();
        assert_eq!(shape(&t, &names), "c2@x\n  c1@x\n");
        assert_eq!(thread_of(&emails, &id("not an email")), None);
    }

    #[test]
    fn a_thread_built_from_its_own_emails_is_the_same_tree() {
        // What the catalog's thread aggregate relies on: the emails a
        // conversation is numbered with rebuild it alone, placeholders,
        // copies, loops and subject fallbacks included.
        let (emails, _) = test_dump();
        let numbers = numbered(&emails);
        assert_eq!(numbers.len(), emails.len());
        for (item, n) in &numbers {
            let own: Vec<(ItemId, EmailMeta)> = emails
                .iter()
                .filter(|(i, _)| numbers.iter().any(|(j, m)| j == i && m == n))
                .cloned()
                .collect();
            assert_eq!(thread_of(&own, item), thread_of(&emails, item), "{item}");
        }
        let threads: HashSet<u64> = numbers.iter().map(|(_, n)| *n).collect();
        assert_eq!(threads.len(), 3);
    }

    #[test]
    fn rows_list_the_tree_in_reading_order() {
        let (emails, _) = test_dump();
        let t = thread_of(&emails, &id("root")).unwrap();
        let all = t.rows();
        let rows: Vec<(usize, Option<&str>, bool)> = all
            .iter()
            .map(|r| (r.depth, r.node.message_id.as_deref(), r.missing))
            .collect();
        assert_eq!(
            rows,
            [
                (0, Some("r@x"), false),
                (1, Some("a1@x"), false),
                (2, Some("a3@x"), false),
                (1, Some("a2@x"), false),
                (1, Some("gone@x"), true),
                (2, Some("m@x"), false),
                (1, Some("f@x"), false),
                (1, None, false),
            ]
        );
        assert!(all.iter().all(|r| r.node.children.is_empty()));
    }

    #[test]
    fn a_forward_of_something_not_in_the_dump_starts_a_thread() {
        let (emails, names) = dump(vec![
            ("root", mail("r@x", &[], &[], "Budget", 0)),
            ("fwd", mail("f@x", &[], &[], "TR: Planning", 10)),
            // No prefix: another message that happens to share the subject.
            ("again", mail("b@x", &[], &[], "Budget", 20)),
            // Dated before the only original: not a reply to it.
            ("early", mail("e@x", &[], &[], "AW: Budget", -5)),
        ]);
        let shapes: Vec<String> = threads(&emails).iter().map(|t| shape(t, &names)).collect();
        assert_eq!(shapes, ["e@x\n", "r@x\n", "f@x\n", "b@x\n"]);
    }

    #[test]
    fn subject_fallback_picks_the_latest_original_before_the_message() {
        let (emails, names) = dump(vec![
            ("week1", mail("w1@x", &[], &[], "Weekly", 0)),
            ("week2", mail("w2@x", &[], &[], "Weekly", 100)),
            ("reply", mail("r@x", &[], &[], "Re: weekly", 150)),
            ("week3", mail("w3@x", &[], &[], "Weekly", 200)),
        ]);
        let t = thread_of(&emails, &id("reply")).unwrap();
        assert_eq!(shape(&t, &names), "w2@x\n  r@x ~subject\n");
    }

    #[test]
    fn placeholders_stay_only_where_they_show_a_gap() {
        let (emails, names) = dump(vec![
            // Only ancestors are missing: the one it replied to stays.
            (
                "deep",
                mail("x@x", &["a@x", "b@x", "c@x"], &["c@x"], "Re: deep", 0),
            ),
            // Two replies to two missing messages of one missing original:
            // the original ties them together.
            ("left", mail("l@x", &["o@x", "p@x"], &[], "Re: split", 10)),
            ("right", mail("g@x", &["o@x", "q@x"], &[], "Re: split", 20)),
        ]);
        let shapes: Vec<String> = threads(&emails).iter().map(|t| shape(t, &names)).collect();
        assert_eq!(
            shapes,
            [
                "c@x missing\n  x@x\n",
                "o@x missing\n  p@x missing\n    l@x\n  q@x missing\n    g@x\n",
            ]
        );
    }

    #[test]
    fn hostile_references_do_not_loop() {
        let (emails, _) = dump(vec![
            ("self", mail("s@x", &["s@x"], &["s@x"], "Re: me", 0)),
            ("a", mail("a@x", &["c@x", "b@x"], &[], "Re: ring", 1)),
            ("b", mail("b@x", &["a@x", "c@x"], &[], "Re: ring", 2)),
            ("c", mail("c@x", &["b@x", "a@x"], &[], "Re: ring", 3)),
            ("empty", mail("", &["", " "], &[""], "Re:", 4)),
        ]);
        let all = threads(&emails);
        assert_eq!(all.iter().map(|t| t.items).sum::<usize>(), emails.len());
        assert_eq!(all.iter().map(|t| t.missing).sum::<usize>(), 0);
    }

    #[test]
    fn deep_and_long_chains_stay_fast_and_shallow() {
        // A reply to a reply... 20,000 deep, and one message whose
        // References name 50,000 ids that are not in the dump.
        let n = 20_000;
        let mut emails: Vec<(ItemId, EmailMeta)> = (0..n)
            .map(|i| {
                let parent = format!("d{}@x", i.max(1) - 1);
                let refs: &[&str] = if i == 0 { &[] } else { &[&parent] };
                let meta = mail(&format!("d{i}@x"), refs, &[], "Re: deep", i as i64);
                (ItemId::of(format!("d{i}").as_bytes()), meta)
            })
            .collect();
        let refs: Vec<String> = (0..50_000).map(|i| format!("anc{i}@x")).collect();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        emails.push((
            ItemId::of(b"long"),
            mail("long@x", &refs, &[], "Re: long", 0),
        ));
        let all = threads(&emails);
        assert_eq!(all.len(), 2);
        let deep = all.iter().find(|t| t.items == n).unwrap();
        assert_eq!(deep.flattened, n - MAX_THREAD_DEPTH - 1);
        let mut at = &deep.root;
        for _ in 0..MAX_THREAD_DEPTH {
            assert_eq!(at.children.len(), 1);
            at = &at.children[0];
        }
        assert_eq!(at.children.len(), deep.flattened);
        assert!(
            at.children
                .windows(2)
                .all(|w| w[0].date_unix < w[1].date_unix)
        );
        // Only the id it replied to is kept of the 50,000.
        let long = all.iter().find(|t| t.items == 1).unwrap();
        assert_eq!(
            (long.missing, long.root.message_id.as_deref()),
            (1, Some("anc49999@x"))
        );
        assert!(serde_json::to_string(&all).is_ok());
    }

    #[test]
    fn prefixes_are_stripped_in_the_languages_we_meet() {
        for s in [
            "Re: Budget",
            "RE:RE: budget",
            "Fwd: Re: Budget",
            "TR : Budget",
            "AW: WG: Budget",
            "Réf: Budget",
            "Re[2]: Budget",
            "  re(3):   BUDGET ",
        ] {
            assert_eq!(base_subject(s), "budget", "{s}");
            assert!(has_prefix(s), "{s}");
        }
        assert_eq!(
            base_subject("Ordre du jour: budget"),
            "ordre du jour: budget"
        );
        assert_eq!(base_subject("Re: "), "");
        assert!(!has_prefix("Budget: Q2"));
        assert!(!has_prefix("Re[x]: Budget"));
    }
}
