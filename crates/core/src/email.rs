use serde::{Deserialize, Serialize};

/// One mailbox in an address header, as decoded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Display name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The address itself, if one could be parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Address {
    /// Mailboxes as a header shows them: `Name <address>`, comma separated
    /// (a mailbox with neither is left out).
    pub fn list(list: &[Address]) -> String {
        list.iter()
            .map(|a| match (&a.name, &a.address) {
                (Some(n), Some(addr)) => format!("{n} <{addr}>"),
                (None, Some(addr)) => addr.clone(),
                (Some(n), None) => n.clone(),
                (None, None) => String::new(),
            })
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What the catalog keeps of an email, so it can be shown without re-parsing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailMeta {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first.
    pub references: Vec<String>,
    /// Decoded subject.
    pub subject: Option<String>,
    /// From mailboxes.
    pub from: Vec<Address>,
    /// Sender mailbox.
    pub sender: Vec<Address>,
    /// To mailboxes.
    pub to: Vec<Address>,
    /// Cc mailboxes.
    pub cc: Vec<Address>,
    /// Bcc mailboxes.
    pub bcc: Vec<Address>,
    /// Reply-To mailboxes.
    pub reply_to: Vec<Address>,
    /// Date as RFC 3339 (UTC offset kept), when it parsed.
    pub date: Option<String>,
    /// Date as Unix seconds, when it parsed.
    pub date_unix: Option<i64>,
    /// The Date header as written.
    pub date_raw: Option<String>,
    /// Every header in order: name and raw (undecoded, unfolded as written) value.
    pub headers: Vec<(String, String)>,
    /// The plain-text body (decoded; made from the HTML when there is no
    /// text part), cut at the catalog's text limit.
    pub text: Option<String>,
    /// True when `text` was cut (the original is whole in the blob store).
    pub text_truncated: bool,
    /// Size of the HTML body, if there is one. The HTML itself is not kept in
    /// the catalog: it is read from the original when shown (sanitised).
    pub html_bytes: Option<u64>,
    /// Number of attachments (including nested messages).
    pub attachments: u32,
    /// Problems the parser noticed (bad encoding, truncated parts...).
    pub problems: Vec<String>,
}
