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
mod pst_heap;
pub(crate) mod rtf;

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

#[cfg(test)]
mod tests {
    use leakcheck_samples::{MsgAttachment, OutlookMessage, msg};

    use super::*;
    use crate::email;

    /// Runs `expand_msg` and returns the listing and the one member.
    fn open(bytes: &[u8]) -> (Listing, String, Json, Vec<u8>) {
        let mut got = Vec::new();
        let mut sink = |m: Member<'_>| {
            if let MemberData::Bytes(b) = m.data {
                got.push((m.name, m.extra.unwrap(), b));
            }
            Flow::Continue
        };
        let listing = expand_msg(bytes, &OutlookLimits::default(), &mut sink).unwrap();
        let (name, extra, bytes) = got.pop().unwrap();
        assert!(got.is_empty());
        (listing, name, extra, bytes)
    }

    fn sample() -> OutlookMessage {
        OutlookMessage {
            subject: "Budget 2017 — révisé".into(),
            from: ("Anne Dupont".into(), "anne@en-marche.fr".into()),
            to: vec![("Paul Martin".into(), "paul@en-marche.fr".into())],
            cc: vec![("Zoé".into(), "zoe@example.org".into())],
            body: "Voici le budget.\r\nAnne".into(),
            html: Some("<p>Voici le <b>budget</b>.</p>".into()),
            submitted: Some(1_491_818_400), // 2017-04-10 10:00 UTC
            message_id: Some("<budget-1@en-marche.fr>".into()),
            attachments: vec![
                MsgAttachment::File {
                    name: "budget.pdf".into(),
                    mime: "application/pdf".into(),
                    data: b"%PDF-1.4 budget".to_vec(),
                },
                MsgAttachment::Message(Box::new(OutlookMessage {
                    subject: "Original request".into(),
                    from: ("Paul Martin".into(), "paul@en-marche.fr".into()),
                    to: vec![("Anne Dupont".into(), "anne@en-marche.fr".into())],
                    body: "Can you send the budget?".into(),
                    attachments: vec![MsgAttachment::File {
                        name: "notes.txt".into(),
                        mime: "text/plain".into(),
                        data: b"figures: 12000".to_vec(),
                    }],
                    ..OutlookMessage::default()
                })),
            ],
            ..OutlookMessage::default()
        }
    }

    #[test]
    fn a_msg_is_rebuilt_with_its_fields_attachments_and_embedded_message() {
        let (listing, name, extra, bytes) = open(&msg(&sample()).unwrap());
        assert_eq!(listing.expected, 1);
        assert_eq!(listing.warning, None);
        assert_eq!(listing.detail.as_ref().unwrap()["attachments_expected"], 3);
        assert_eq!(name, "Budget 2017 — révisé.eml");
        assert_eq!(extra["derived"], "outlook");
        assert_eq!(extra["source"], "msg");
        assert_eq!(extra["message_class"], "IPM.Note");
        assert!(extra.get("transport_headers").is_none());

        let parsed = email::parse(&bytes).unwrap();
        let m = &parsed.meta;
        assert_eq!(m.subject.as_deref(), Some("Budget 2017 — révisé"));
        assert_eq!(m.from[0].address.as_deref(), Some("anne@en-marche.fr"));
        assert_eq!(m.from[0].name.as_deref(), Some("Anne Dupont"));
        assert_eq!(m.to[0].address.as_deref(), Some("paul@en-marche.fr"));
        assert_eq!(m.cc[0].name.as_deref(), Some("Zoé"));
        assert_eq!(m.message_id.as_deref(), Some("budget-1@en-marche.fr"));
        assert_eq!(m.date_unix, Some(1_491_818_400));
        assert_eq!(
            m.text.as_deref().map(str::trim),
            Some("Voici le budget.\r\nAnne")
        );
        assert!(m.html_bytes.is_some());
        let names: Vec<_> = parsed
            .attachments
            .iter()
            .map(|a| a.name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, ["budget.pdf", "Original request.eml"]);
        assert_eq!(parsed.attachments[0].bytes, b"%PDF-1.4 budget");

        // The embedded message is a message of its own, with its attachment.
        let inner = email::parse(&parsed.attachments[1].bytes).unwrap();
        assert_eq!(inner.meta.subject.as_deref(), Some("Original request"));
        assert_eq!(inner.attachments[0].name.as_deref(), Some("notes.txt"));
        assert_eq!(inner.attachments[0].bytes, b"figures: 12000");

        // Rebuilding is deterministic: the same .msg gives the same bytes.
        assert_eq!(open(&msg(&sample()).unwrap()).3, bytes);
    }

    #[test]
    fn transport_headers_are_kept_verbatim_less_the_old_mime_structure() {
        let headers = "Received: from mx.en-marche.fr by mail.example.org;\r\n\tMon, 10 Apr 2017 10:00:05 +0000\r\nDKIM-Signature: v=1; a=rsa-sha256; d=en-marche.fr; s=sel;\r\n\th=from:subject; bh=abc=; b=def=\r\nFrom: Anne Dupont <anne@en-marche.fr>\r\nTo: paul@en-marche.fr\r\nSubject: Budget\r\nDate: Mon, 10 Apr 2017 10:00:00 +0000\r\nMessage-ID: <budget-1@en-marche.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"old\"\r\n\r\n";
        let m = OutlookMessage {
            transport_headers: Some(headers.into()),
            ..sample()
        };
        let (_, _, extra, bytes) = open(&msg(&m).unwrap());
        assert_eq!(extra["transport_headers"], headers);
        let text = String::from_utf8_lossy(&bytes);
        let kept = "Received: from mx.en-marche.fr by mail.example.org;\r\n\tMon, 10 Apr 2017 10:00:05 +0000\r\nDKIM-Signature: v=1; a=rsa-sha256; d=en-marche.fr; s=sel;\r\n\th=from:subject; bh=abc=; b=def=\r\nFrom: Anne Dupont <anne@en-marche.fr>\r\nTo: paul@en-marche.fr\r\nSubject: Budget\r\nDate: Mon, 10 Apr 2017 10:00:00 +0000\r\nMessage-ID: <budget-1@en-marche.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;";
        assert!(text.starts_with(kept), "{text}");
        assert!(!text.contains("boundary=\"old\""));
        let parsed = email::parse(&bytes).unwrap();
        assert_eq!(parsed.meta.subject.as_deref(), Some("Budget"));
        assert_eq!(parsed.attachments.len(), 2);
    }

    #[test]
    fn an_rtf_only_body_and_a_contact_are_read() {
        let rtf = OutlookMessage {
            body: String::new(),
            html: None,
            rtf: Some(r"{\rtf1\ansi\ansicpg1252\fromhtml1 {\*\htmltag19 <html>}\htmlrtf {\htmlrtf0 Hello \'e9t\'e9}{\*\htmltag27 </html>}}".into()),
            attachments: Vec::new(),
            ..sample()
        };
        let (_, _, _, bytes) = open(&msg(&rtf).unwrap());
        let parsed = email::parse(&bytes).unwrap();
        assert_eq!(
            parsed.meta.text.as_deref().map(str::trim),
            Some("Hello été")
        );
        assert!(String::from_utf8_lossy(&bytes).contains("text/html"));

        let contact = OutlookMessage {
            class: "IPM.Contact".into(),
            subject: "Paul Martin".into(),
            body: "Met at the rally".into(),
            html: None,
            attachments: Vec::new(),
            ..sample()
        };
        let (listing, _, extra, bytes) = open(&msg(&contact).unwrap());
        assert_eq!(extra["message_class"], "IPM.Contact");
        assert_eq!(listing.detail.unwrap()["message_class"], "IPM.Contact");
        let text = email::parse(&bytes).unwrap().meta.text.unwrap();
        assert!(text.starts_with("Outlook item: IPM.Contact\r\n"), "{text}");
        assert!(text.contains("Met at the rally"));
    }

    #[test]
    fn not_a_msg_is_an_error_not_a_panic() {
        let mut sink = |_: Member<'_>| Flow::Continue;
        for bytes in [
            &b""[..],
            b"not a compound file",
            &msg(&sample()).unwrap()[..600],
        ] {
            assert!(expand_msg(bytes, &OutlookLimits::default(), &mut sink).is_err());
        }
    }
}
