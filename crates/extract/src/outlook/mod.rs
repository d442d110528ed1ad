//! Outlook `.msg` and `.pst`/`.ost`: every message is rebuilt as an RFC
//! 5322 message from its properties ([`mime`]) and handed over as a member,
//! so it takes the same path as any other email. A rebuilt message is not
//! the original MIME: its occurrence says so (`"derived": "outlook"`) and
//! keeps Outlook's copy of the transport headers verbatim.

use serde_json::{Value as Json, json};

use crate::{Flow, Listing, Member, MemberData, Result, Sink};

mod mime;
pub mod msg;
pub mod props;
pub mod pst;
mod rtf;

pub use mime::{Rebuilt, is_mail, rebuild};
pub use props::Props;

/// Bounds on reading one Outlook file.
#[derive(Clone, Debug)]
pub struct OutlookLimits {
    /// Embedded messages nested deeper than this are not rebuilt.
    pub max_depth: u32,
    /// Largest property value (body, attachment) read, and largest RTF
    /// body decompressed.
    pub max_part_bytes: u64,
    /// Reading a store stops (with a warning) after this many seconds.
    pub max_seconds: u64,
}

impl Default for OutlookLimits {
    fn default() -> OutlookLimits {
        OutlookLimits {
            max_depth: 8,
            max_part_bytes: 256 << 20,
            max_seconds: 600,
        }
    }
}

/// An Outlook message (or contact, appointment...) as its properties.
#[derive(Clone, Debug, Default)]
pub struct Message {
    /// The message's own properties.
    pub props: Props,
    /// The recipient table, one property set per recipient.
    pub recipients: Vec<Props>,
    /// The attachments, in order.
    pub attachments: Vec<Attachment>,
}

/// One attachment.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// Its properties (name, MIME type, method...).
    pub props: Props,
    /// What it holds.
    pub content: Content,
}

/// What an attachment holds.
#[derive(Clone, Debug)]
pub enum Content {
    /// A file.
    Bytes(Vec<u8>),
    /// An embedded message.
    Message(Box<Message>),
    /// Nothing that can be read, and why.
    Unreadable(String),
}

/// Facts kept on a rebuilt message's occurrence.
pub fn extra(msg: &Message, rebuilt: &Rebuilt, source: &str, folder: Option<&str>) -> Json {
    let p = &msg.props;
    let mut e = json!({
        "derived": "outlook",
        "source": source,
        "message_class": p.text(props::tag::MESSAGE_CLASS).unwrap_or_else(|| "IPM.Note".into()),
        "attachments": rebuilt.attachments,
    });
    if let Some(f) = folder {
        e["folder"] = f.into();
    }
    if let Some(h) = &rebuilt.transport_headers {
        e["transport_headers"] = h.as_str().into();
    }
    for (key, id) in [
        ("created", props::tag::CREATION_TIME),
        ("modified", props::tag::LAST_MODIFICATION_TIME),
    ] {
        if let Some(t) = p.time(id) {
            e[key] = t.to_rfc3339().into();
        }
    }
    if !rebuilt.problems.is_empty() {
        e["problems"] = rebuilt.problems.clone().into();
    }
    e
}

/// Opens a `.msg` file: one member, its message rebuilt.
pub fn expand_msg(bytes: &[u8], limits: &OutlookLimits, sink: &mut dyn Sink) -> Result<Listing> {
    let msg = msg::read(bytes, limits)?;
    let rebuilt = rebuild(&msg, limits);
    let name = member_name(&msg, None, 0);
    let extra = extra(&msg, &rebuilt, "msg", None);
    let warning = (!rebuilt.problems.is_empty()).then(|| rebuilt.problems.join("; "));
    let detail = json!({
        "format": "msg",
        "message_class": extra["message_class"],
        "attachments_expected": rebuilt.attachments,
        "attachments_emitted": rebuilt.attachments_written,
        "transport_headers": rebuilt.transport_headers.is_some(),
    });
    let _: Flow = sink.member(Member {
        name,
        index: 0,
        declared_size: None,
        compressed_size: None,
        extra: Some(extra),
        data: MemberData::Bytes(rebuilt.bytes),
    });
    Ok(Listing {
        expected: 1,
        detail: Some(detail),
        warning,
    })
}

/// A member's name: its folder, then its subject (or its index).
fn member_name(msg: &Message, folder: Option<&str>, index: u64) -> String {
    let subject: String = msg
        .props
        .text(props::tag::SUBJECT)
        .map(|s| s.replace(['\r', '\n'], " ").chars().take(120).collect())
        .unwrap_or_else(|| format!("message {}", index + 1));
    match folder {
        Some(f) => format!("{f}/{subject}"),
        None => format!("{subject}.eml"),
    }
}
