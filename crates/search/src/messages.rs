//! Messages, not items: copies of one Message-ID (the same mail kept in two
//! folders, or one copy altered) are one message sent once. The first copy
//! in item order speaks for the message, as in [`leakcheck_core::MessageIndex`].

use std::collections::HashSet;

use leakcheck_core::{EmailMeta, ItemId, normalise_message_id};

/// The emails with each Message-ID's later copies set aside and counted.
pub(crate) struct Messages<'a> {
    /// The first copy of each message, in the emails' order; every message
    /// without a Message-ID is its own.
    pub first_copies: Vec<&'a EmailMeta>,
    /// Items left out because an earlier one has their Message-ID.
    pub copies: usize,
}

impl<'a> Messages<'a> {
    pub fn of(emails: &'a [(ItemId, EmailMeta)]) -> Messages<'a> {
        let mut seen = FirstCopies::default();
        let mut out = Messages {
            first_copies: Vec::new(),
            copies: 0,
        };
        for (_, meta) in emails {
            if seen.is_first(meta) {
                out.first_copies.push(meta);
            } else {
                out.copies += 1;
            }
        }
        out
    }
}

/// Tells first copies from later ones as emails come one at a time, in
/// order: only the Message-IDs seen are kept.
#[derive(Default)]
pub(crate) struct FirstCopies(HashSet<String>);

impl FirstCopies {
    /// True for an email whose Message-ID has not been seen yet, or that has
    /// none.
    pub fn is_first(&mut self, meta: &EmailMeta) -> bool {
        match meta.message_id.as_deref().and_then(normalise_message_id) {
            Some(mid) => self.0.insert(mid.to_string()),
            None => true,
        }
    }
}
