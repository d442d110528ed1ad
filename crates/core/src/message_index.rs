//! Emails by Message-ID: which items are copies of one message, and which
//! message a reply answers. Duplicates, thread order, thread quotes and
//! the search's message counts all read it, so they agree on both.

use std::collections::HashMap;

use crate::{EmailMeta, ItemId};

/// A Message-ID as compared: white space and angle brackets around it
/// removed (`None` when nothing is left). Case is kept: the left part of a
/// Message-ID is case-sensitive.
pub fn normalise_message_id(id: &str) -> Option<&str> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty()).then_some(id)
}

/// The emails of a case indexed by normalised Message-ID.
pub struct MessageIndex<'a> {
    emails: &'a [(ItemId, EmailMeta)],
    /// Positions in `emails` of each Message-ID's copies, in order.
    by_id: HashMap<&'a str, Vec<usize>>,
}

impl<'a> MessageIndex<'a> {
    /// Indexes `emails` (their order is kept in every answer).
    pub fn new(emails: &'a [(ItemId, EmailMeta)]) -> MessageIndex<'a> {
        let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, (_, meta)) in emails.iter().enumerate() {
            if let Some(mid) = meta.message_id.as_deref().and_then(normalise_message_id) {
                by_id.entry(mid).or_default().push(i);
            }
        }
        MessageIndex { emails, by_id }
    }

    /// The copies of the message with this Message-ID (any form), in order;
    /// empty when it is not in the dump.
    pub fn copies(&self, message_id: &str) -> Vec<&'a (ItemId, EmailMeta)> {
        let emails = self.emails;
        normalise_message_id(message_id)
            .and_then(|m| self.by_id.get(m))
            .map(|list| list.iter().map(|&i| &emails[i]).collect())
            .unwrap_or_default()
    }

    /// Every Message-ID held by more than one email, with its copies in
    /// order, sorted by Message-ID.
    pub fn duplicated(&self) -> Vec<(&'a str, Vec<&'a (ItemId, EmailMeta)>)> {
        let mut out: Vec<_> = self
            .by_id
            .iter()
            .filter(|(_, list)| list.len() > 1)
            .map(|(mid, list)| (*mid, list.iter().map(|&i| &self.emails[i]).collect()))
            .collect();
        out.sort_by_key(|(mid, _)| *mid);
        out
    }

    /// Is the email at `position` the first copy of its message? An email
    /// without a Message-ID is a message of its own.
    pub fn is_first_copy(&self, position: usize) -> bool {
        let mid = self.emails[position]
            .1
            .message_id
            .as_deref()
            .and_then(normalise_message_id);
        mid.and_then(|m| self.by_id.get(m))
            .is_none_or(|list| list.first() == Some(&position))
    }

    /// The message `reply` answers, when it is in the dump: its Message-ID
    /// as `reply` wrote it and its copies. The rule: the **last**
    /// In-Reply-To id that names a message in the dump. Several ids are
    /// several parents (RFC 5322 3.6.4), and clients that write more than
    /// one list them oldest first, as References does: the last is the
    /// nearest.
    pub fn parent(&self, reply: &'a EmailMeta) -> Option<(&'a str, Vec<&'a (ItemId, EmailMeta)>)> {
        reply.in_reply_to.iter().rev().find_map(|id| {
            let copies = self.copies(id);
            (!copies.is_empty()).then_some((id.as_str(), copies))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(n: u8, mid: Option<&str>, in_reply_to: &[&str]) -> (ItemId, EmailMeta) {
        (
            ItemId::of(&[n]),
            EmailMeta {
                message_id: mid.map(String::from),
                in_reply_to: in_reply_to.iter().map(|s| s.to_string()).collect(),
                ..EmailMeta::default()
            },
        )
    }

    #[test]
    fn copies_compare_trimmed_ids() {
        let emails = [
            mail(1, Some("a@x"), &[]),
            mail(2, Some(" a@x\t"), &[]),
            mail(3, Some("<a@x>"), &[]),
            mail(4, Some("A@x"), &[]),
            mail(5, Some("  "), &[]),
            mail(6, None, &[]),
        ];
        let index = MessageIndex::new(&emails);
        let ids: Vec<_> = index.copies("<a@x>").iter().map(|e| e.0.clone()).collect();
        assert_eq!(
            ids,
            vec![ItemId::of(&[1]), ItemId::of(&[2]), ItemId::of(&[3])]
        );
        assert_eq!(index.duplicated().len(), 1);
        assert_eq!(index.duplicated()[0].0, "a@x");
        let first: Vec<bool> = (0..6).map(|i| index.is_first_copy(i)).collect();
        assert_eq!(first, [true, false, false, true, true, true]);
        assert!(index.copies("").is_empty());
    }

    #[test]
    fn the_parent_is_the_last_in_reply_to_id_in_the_dump() {
        let emails = [
            mail(1, Some("older@x"), &[]),
            mail(2, Some("newer@x"), &[]),
            // Two ids, both in the dump: the last one is the parent.
            mail(3, Some("r1@x"), &["older@x", "newer@x"]),
            // The last id is not in the dump: the last one that is.
            mail(4, Some("r2@x"), &["older@x", "missing@x"]),
            mail(5, Some("r3@x"), &["missing@x"]),
        ];
        let index = MessageIndex::new(&emails);
        let parent = |n: usize| {
            index
                .parent(&emails[n].1)
                .map(|(id, c)| (id, c[0].0.clone()))
        };
        assert_eq!(parent(2), Some(("newer@x", ItemId::of(&[2]))));
        assert_eq!(parent(3), Some(("older@x", ItemId::of(&[1]))));
        assert_eq!(parent(4), None);
        assert_eq!(parent(0), None);
    }
}
