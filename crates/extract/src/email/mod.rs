//! Email parsing with mail-parser: the catalog fields and the attachments.

use leakcheck_core::{Address, EmailMeta};
use std::sync::OnceLock;

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use crate::{ExtractError, Result, guard};

/// Longest body text kept in the catalog (the original is always in the blob
/// store). Measured: keeping whole bodies and HTML doubled the catalog's size
/// and made its writer the bottleneck of ingest.
const MAX_TEXT: usize = 64 << 10;

/// An email taken apart.
pub struct ParsedEmail {
    /// Fields for the catalog.
    pub meta: EmailMeta,
    /// Attachments and nested messages, in MIME order.
    pub attachments: Vec<Attachment>,
}

/// One attachment (or nested message) of an email.
pub struct Attachment {
    /// The file name given by the sender, if any.
    pub name: Option<String>,
    /// MIME position in the message (stable across runs).
    pub part: u32,
    /// `type/subtype` as declared.
    pub content_type: Option<String>,
    /// The decoded bytes (for a nested message: its raw bytes).
    pub bytes: Vec<u8>,
}

/// Parses an email. Malformed mail is parsed on a best-effort basis;
/// only input that yields no message at all is an error.
pub fn parse(raw: &[u8]) -> Result<ParsedEmail> {
    guard(|| {
        let msg = parser()
            .parse(raw)
            .ok_or_else(|| ExtractError::malformed("email", "no header or body could be parsed"))?;
        Ok(take_apart(&msg))
    })
}

/// Parses only the headers the catalog uses; the others (Received above all,
/// whose structured parse was a tenth of ingest time) stay raw.
fn parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .with_mime_headers()
            .with_date_headers()
            .with_address_headers()
            .with_message_ids()
            .header_text(HeaderName::Subject)
            .default_header_raw()
    })
}

fn take_apart(msg: &Message<'_>) -> ParsedEmail {
    let mut problems = Vec::new();
    let mut attachments = Vec::new();
    for (i, part) in msg.parts.iter().enumerate() {
        if part.is_encoding_problem {
            problems.push(format!(
                "MIME part {i}: content could not be decoded as declared"
            ));
        }
    }
    for &id in &msg.attachments {
        let Some(part) = msg.parts.get(id as usize) else {
            continue;
        };
        let bytes = match &part.body {
            // The nested message's own bytes, as they appear in the outer one.
            PartType::Message(inner) => inner.raw_message().to_vec(),
            _ => part.contents().to_vec(),
        };
        attachments.push(Attachment {
            name: part.attachment_name().map(str::to_string),
            part: id,
            content_type: part.content_type().map(|c| match c.subtype() {
                Some(s) => format!("{}/{}", c.ctype(), s),
                None => c.ctype().to_string(),
            }),
            bytes,
        });
    }
    let raw = msg.raw_message();
    let root = msg.root_part();
    let headers = root
        .headers
        .iter()
        .map(|h| {
            let name = String::from_utf8_lossy(slice(raw, h.offset_field, h.offset_start))
                .trim_end_matches(':')
                .to_string();
            let value = String::from_utf8_lossy(slice(raw, h.offset_start, h.offset_end))
                .trim()
                .to_string();
            (name, value)
        })
        .collect();
    let date = msg.date().filter(|d| d.is_valid());
    let text = msg.body_text(0);
    let meta = EmailMeta {
        message_id: msg.message_id().map(str::to_string),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        subject: msg.subject().map(str::to_string),
        from: addresses(msg.from()),
        sender: addresses(msg.sender()),
        to: addresses(msg.to()),
        cc: addresses(msg.cc()),
        bcc: addresses(msg.bcc()),
        reply_to: addresses(msg.reply_to()),
        date: date.map(|d| d.to_rfc3339()),
        date_unix: date.map(|d| d.to_timestamp()),
        date_raw: msg.header_raw("Date").map(|s| s.trim().to_string()),
        headers,
        text_truncated: text.as_ref().is_some_and(|t| t.len() > MAX_TEXT),
        text: text.map(|t| cut(&t)),
        // Only a real HTML part: for text-only mail the parser would make HTML up.
        html_bytes: msg
            .html_part(0)
            .filter(|p| p.is_text_html())
            .map(|p| p.contents().len() as u64),
        attachments: attachments.len() as u32,
        problems,
    };
    ParsedEmail { meta, attachments }
}

fn slice(raw: &[u8], start: u32, end: u32) -> &[u8] {
    let (s, e) = (start as usize, end as usize);
    if s <= e && e <= raw.len() {
        &raw[s..e]
    } else {
        &[]
    }
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn addresses(a: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    a.map(|a| {
        a.iter()
            .map(|m| Address {
                name: m.name().map(str::to_string),
                address: m.address().map(str::to_string),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn cut(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &[u8] = b"From: \"Ann\" <ann@example.org>\r\n\
To: bob@example.org, Cy <cy@example.org>\r\n\
Subject: =?utf-8?q?R=C3=A9union?=\r\n\
Date: Mon, 24 Apr 2017 10:00:00 +0200\r\n\
Message-ID: <m1@example.org>\r\n\
In-Reply-To: <m0@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Bonjour\r\n\
--b\r\n\
Content-Type: application/octet-stream; name=\"a.bin\"\r\n\
Content-Disposition: attachment; filename=\"a.bin\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAEC\r\n\
--b\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: inner@example.org\r\n\
Subject: inner\r\n\
\r\n\
inside\r\n\
--b--\r\n";

    #[test]
    fn fields_and_attachments() {
        let p = parse(MAIL).unwrap();
        let m = &p.meta;
        assert_eq!(m.subject.as_deref(), Some("Réunion"));
        assert_eq!(m.message_id.as_deref(), Some("m1@example.org"));
        assert_eq!(m.in_reply_to, vec!["m0@example.org".to_string()]);
        assert_eq!(m.from[0].name.as_deref(), Some("Ann"));
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.date_unix, Some(1_493_020_800));
        assert_eq!(m.text.as_deref().map(str::trim), Some("Bonjour"));
        assert_eq!(
            m.headers[2],
            ("Subject".into(), "=?utf-8?q?R=C3=A9union?=".into())
        );
        assert_eq!(p.attachments.len(), 2);
        assert_eq!(p.attachments[0].bytes, vec![0, 1, 2]);
        assert_eq!(p.attachments[0].name.as_deref(), Some("a.bin"));
        assert!(
            p.attachments[1]
                .bytes
                .starts_with(b"From: inner@example.org")
        );
    }

    #[test]
    fn garbage_gives_an_error_or_what_could_be_read() {
        let empty = parse(b"");
        assert!(empty.is_err(), "{:?}", empty.map(|p| p.meta));
        let bytes = parse(b"\xff\xfe").map(|p| (p.meta.subject, p.meta.text, p.attachments.len()));
        // Read as a header block with nothing in it: no subject, text or part.
        assert_eq!(bytes.as_ref().ok(), Some(&(None, None, 0)), "{bytes:?}");
        let read = |raw: &[u8]| {
            let p = parse(raw).unwrap();
            (p.meta.subject, p.meta.text, p.attachments.len())
        };
        assert_eq!(
            [
                read(b"Subject: x"),
                read(b"Subject: x\r\n\r\n"),
                read(b"Content-Type: multipart/mixed; boundary=\r\n\r\n--"),
            ],
            // A header line that never ends is not read; one that does gives
            // the subject and an empty text; a multipart with an empty
            // boundary keeps what follows as one part rather than lose it.
            [
                (None, None, 0),
                (Some("x".into()), Some(String::new()), 0),
                (None, None, 1)
            ]
        );
    }
}
