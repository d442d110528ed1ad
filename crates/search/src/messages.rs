//! Messages, not items: copies of one Message-ID (the same mail kept in two
//! folders, or one copy altered) are one message sent once, as
//! [`MessageIndex`] groups them.

use leakcheck_core::{EmailMeta, ItemId, MessageIndex};

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
        let index = MessageIndex::new(emails);
        let mut out = Messages {
            first_copies: Vec::new(),
            copies: 0,
        };
        for (i, (_, meta)) in emails.iter().enumerate() {
            if index.is_first_copy(i) {
                out.first_copies.push(meta);
            } else {
                out.copies += 1;
            }
        }
        out
    }
}
