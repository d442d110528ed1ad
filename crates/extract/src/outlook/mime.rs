//! Rebuilds an RFC 5322/MIME message from an Outlook message's properties,
//! so that it goes through the same email pipeline as any other mail.
//!
//! Written here rather than with mail-builder: a rebuilt message is stored
//! under the hash of its bytes, so they must be the same on every run
//! (mail-builder draws MIME boundaries from the clock and adds a generated
//! Message-ID and Date when the message has none), and where Outlook kept
//! the transport headers they are copied line for line, which a builder
//! that re-encodes headers cannot do.

use std::fmt::Write as _;

use super::props::{Props, Value, tag};
use super::{Attachment, Content, Message, OutlookLimits, rtf};

/// Headers of the transport block that describe the original MIME
/// structure: ours replaces them.
const STRUCTURAL: [&str; 3] = ["content-type", "content-transfer-encoding", "mime-version"];

/// A message rebuilt as RFC 5322 bytes.
#[derive(Debug, Default)]
pub struct Rebuilt {
    /// The message.
    pub bytes: Vec<u8>,
    /// `PR_TRANSPORT_MESSAGE_HEADERS` as Outlook kept them, when it did.
    pub transport_headers: Option<String>,
    /// Attachments the message lists (embedded messages included, at every level).
    pub attachments: u64,
    /// Attachments written as MIME parts.
    pub attachments_written: u64,
    /// What could not be rebuilt (an attachment without data, too deep...).
    pub problems: Vec<String>,
}

/// Rebuilds `msg`.
pub fn rebuild(msg: &Message, limits: &OutlookLimits) -> Rebuilt {
    let mut out = Rebuilt::default();
    out.bytes = build(msg, limits, &mut out);
    out.transport_headers = msg.props.text(tag::TRANSPORT_MESSAGE_HEADERS);
    out
}

/// Whether an Outlook class is mail (rebuilt as such) rather than an item
/// (contact, appointment, task, note, distribution list, journal entry).
pub fn is_mail(class: &str) -> bool {
    let c = class.to_ascii_uppercase();
    c.is_empty()
        || [
            "IPM.NOTE",
            "IPM.SCHEDULE",
            "IPM.POST",
            "REPORT.",
            "IPM.OUTLOOK.RECALL",
            "IPM.RECALL",
        ]
        .iter()
        .any(|p| c.starts_with(p))
}

fn build(msg: &Message, limits: &OutlookLimits, acc: &mut Rebuilt) -> Vec<u8> {
    let p = &msg.props;
    let mut head = String::new();
    match p
        .text(tag::TRANSPORT_MESSAGE_HEADERS)
        .filter(|h| h.contains(':'))
    {
        Some(transport) => head.push_str(&kept_headers(&transport)),
        None => head.push_str(&synthesised_headers(msg)),
    }
    let class = p.text(tag::MESSAGE_CLASS).unwrap_or_default();
    // A signed S/MIME message keeps its whole signed entity as its one
    // attachment: that entity is the body, so the signature stays whole.
    if class
        .to_ascii_uppercase()
        .starts_with("IPM.NOTE.SMIME.MULTIPARTSIGNED")
        && let [a] = msg.attachments.as_slice()
        && let Content::Bytes(entity) = &a.content
        && let Some(entity_head) = signed_entity_head(entity)
    {
        acc.attachments += 1;
        acc.attachments_written += 1;
        if !entity_head.contains("\nmime-version:") {
            head.push_str("MIME-Version: 1.0\r\n");
        }
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(entity);
        return bytes;
    }
    head.push_str("MIME-Version: 1.0\r\n");

    let mut text = p.text(tag::BODY);
    let mut html = html_body(p);
    // The compressed RTF body is read only when it is needed (no HTML);
    // when it cannot be, the message says so rather than lose its body quietly.
    let rtf = match p.binary(tag::RTF_COMPRESSED) {
        Some(b) if html.is_none() => match rtf::decompress(b, limits.max_part_bytes) {
            Ok(r) => Some(r),
            Err(why) => {
                acc.problems.push(format!("RTF body not read: {why}"));
                None
            }
        },
        _ => None,
    };
    if let Some(rtf) = &rtf {
        if html.is_none() {
            html = rtf::html(rtf);
        }
        if text.is_none() && html.is_none() {
            text = rtf::text(rtf);
        }
    }
    if !is_mail(&class) {
        let fields = item_fields(msg, &class);
        text = Some(match text {
            Some(t) => format!("{fields}\r\n{t}"),
            None => fields,
        });
    }

    let mut body = match (text, html) {
        (Some(t), Some(h)) => multipart(
            "alternative",
            vec![text_part("plain", &t), text_part("html", &h)],
        ),
        (None, Some(h)) => text_part("html", &h),
        (Some(t), None) => text_part("plain", &t),
        (None, None) => text_part("plain", ""),
    };
    let mut parts = Vec::new();
    for (i, a) in msg.attachments.iter().enumerate() {
        acc.attachments += 1;
        match attachment_part(a, i, limits, acc) {
            Ok(part) => {
                acc.attachments_written += 1;
                parts.push(part);
            }
            Err(why) => acc.problems.push(format!("attachment {}: {why}", i + 1)),
        }
    }
    if !parts.is_empty() {
        parts.insert(0, body);
        body = multipart("mixed", parts);
    }
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// The header block of a MIME entity whose type is multipart/signed,
/// lower-cased and starting with a line break; `None` for anything else.
fn signed_entity_head(entity: &[u8]) -> Option<String> {
    let head = &entity[..entity.len().min(8192)];
    let end = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| head.windows(2).position(|w| w == b"\n\n"))?;
    let text = format!(
        "\n{}",
        String::from_utf8_lossy(&head[..end]).to_ascii_lowercase()
    );
    let signed = text
        .split("\ncontent-type:")
        .skip(1)
        .any(|v| v.trim_start().starts_with("multipart/signed"));
    signed.then_some(text)
}

/// The transport headers, unfolded into fields and written back line for
/// line, less the structural ones.
fn kept_headers(transport: &str) -> String {
    let mut out = String::new();
    let mut keep = true;
    for line in transport.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break; // the blank line some stores keep after the block
        }
        if !line.starts_with([' ', '\t']) {
            let name = line.split(':').next().unwrap_or("").trim();
            keep = !STRUCTURAL.iter().any(|s| name.eq_ignore_ascii_case(s));
        }
        if keep {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out
}

fn synthesised_headers(msg: &Message) -> String {
    let p = &msg.props;
    let mut h = String::new();
    let sender = mailbox(
        p.text(tag::SENDER_NAME),
        smtp(
            p,
            tag::SENDER_SMTP_ADDRESS,
            tag::SENDER_ADDRTYPE,
            tag::SENDER_EMAIL,
        ),
    );
    let from = mailbox(
        p.text(tag::SENT_REPRESENTING_NAME),
        smtp(
            p,
            tag::SENT_REPRESENTING_SMTP_ADDRESS,
            tag::SENT_REPRESENTING_ADDRTYPE,
            tag::SENT_REPRESENTING_EMAIL,
        ),
    );
    if let Some(d) = p
        .time(tag::CLIENT_SUBMIT_TIME)
        .or_else(|| p.time(tag::MESSAGE_DELIVERY_TIME))
    {
        let _ = write!(h, "Date: {}\r\n", d.to_rfc2822());
    }
    match (&from, &sender) {
        (Some(f), Some(s)) if f != s => {
            let _ = write!(h, "From: {f}\r\nSender: {s}\r\n");
        }
        (Some(f), _) | (None, Some(f)) => {
            let _ = write!(h, "From: {f}\r\n");
        }
        (None, None) => {}
    }
    for (kind, name, display) in [
        (1, "To", tag::DISPLAY_TO),
        (2, "Cc", tag::DISPLAY_CC),
        (3, "Bcc", tag::DISPLAY_BCC),
    ] {
        let mut list: Vec<String> = msg
            .recipients
            .iter()
            .filter(|r| r.int(tag::RECIPIENT_TYPE).unwrap_or(1) & 0xF == kind)
            .filter_map(|r| {
                mailbox(
                    r.text(tag::DISPLAY_NAME),
                    smtp(r, tag::SMTP_ADDRESS, tag::ADDRTYPE, tag::EMAIL_ADDRESS),
                )
            })
            .collect();
        if list.is_empty()
            && msg.recipients.is_empty()
            && let Some(names) = p.text(display)
        {
            list = names
                .split(';')
                .filter_map(|n| mailbox(Some(n.trim().to_string()), None))
                .collect();
        }
        if !list.is_empty() {
            let _ = write!(h, "{name}: {}\r\n", list.join(",\r\n "));
        }
    }
    if let Some(s) = p.text(tag::SUBJECT) {
        let _ = write!(h, "Subject: {}\r\n", unstructured(&s));
    }
    for (name, id) in [
        ("Message-ID", tag::INTERNET_MESSAGE_ID),
        ("In-Reply-To", tag::IN_REPLY_TO_ID),
        ("References", tag::INTERNET_REFERENCES),
    ] {
        if let Some(v) = p.text(id) {
            let v = one_line(&v);
            if v.is_ascii() {
                let _ = write!(h, "{name}: {}\r\n", v.trim());
            }
        }
    }
    h
}

/// The SMTP address of a sender or recipient: the SMTP property, else the
/// address when its type is SMTP (Exchange `EX` addresses are X.500 paths).
fn smtp(p: &Props, smtp_id: u16, type_id: u16, addr_id: u16) -> Option<String> {
    p.text(smtp_id).or_else(|| {
        let addr = p.text(addr_id)?;
        let is_smtp = p
            .text(type_id)
            .is_none_or(|t| t.eq_ignore_ascii_case("SMTP"));
        (is_smtp && addr.contains('@')).then_some(addr)
    })
}

/// `"Name" <address>`, `address`, or a name with an empty address.
fn mailbox(name: Option<String>, address: Option<String>) -> Option<String> {
    let address = address
        .map(|a| one_line(&a).trim().trim_matches(['<', '>']).to_string())
        .filter(|a| a.contains('@') && a.is_ascii() && !a.contains([' ', ',', ';']));
    let name = name
        .map(|n| one_line(&n).trim().trim_matches('\'').to_string())
        .filter(|n| !n.is_empty() && Some(n) != address.as_ref());
    match (name, address) {
        (Some(n), Some(a)) => Some(format!("{} <{a}>", phrase(&n))),
        (None, Some(a)) => Some(a),
        // No SMTP address (an Exchange X.500 one, or none): the name alone,
        // with the empty address mail readers accept.
        (Some(n), None) => Some(format!("{} <>", phrase(&n))),
        (None, None) => None,
    }
}

/// A display name: quoted when ASCII, RFC 2047-encoded otherwise.
fn phrase(s: &str) -> String {
    if s.is_ascii() {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encoded_words(s)
    }
}

/// An unstructured header value (Subject): as is when short ASCII.
fn unstructured(s: &str) -> String {
    let s = one_line(s);
    if s.is_ascii() && s.len() < 900 {
        s
    } else {
        encoded_words(&s)
    }
}

/// RFC 2047 `B` words of at most 45 bytes of UTF-8 each, folded.
fn encoded_words(s: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes(), false)));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes(), false)));
    }
    words.join("\r\n ")
}

/// A value on one line: a CR or LF in a property must not start a header.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The HTML body: `PR_HTML` is bytes in the message's Internet code page
/// (or, in some stores, a string).
fn html_body(p: &Props) -> Option<String> {
    let s = match p.get(tag::HTML)? {
        Value::Binary(b) | Value::Text8(b) => {
            let cp = p
                .int(tag::INTERNET_CPID)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(p.codepage);
            crate::doc::codepage::decode(b, cp)
        }
        Value::Text(s) => s.clone(),
        _ => return None,
    };
    (!s.trim().is_empty()).then_some(s)
}

/// The fields of a contact, appointment, task or note, one per line.
fn item_fields(msg: &Message, class: &str) -> String {
    let mut s = format!("Outlook item: {}\r\n", one_line(class));
    for (id, v) in msg.props.iter() {
        let Some(name) = super::props::field_name(id) else {
            continue;
        };
        let value = match v {
            Value::Time(_) => msg.props.time(id).map(|d| d.to_rfc3339()),
            Value::Int(n) => Some(n.to_string()),
            _ => msg.props.text(id),
        };
        if let Some(value) = value {
            let _ = write!(s, "{name}: {}\r\n", one_line(&value));
        }
    }
    for r in &msg.recipients {
        if let Some(m) = mailbox(
            r.text(tag::DISPLAY_NAME),
            smtp(r, tag::SMTP_ADDRESS, tag::ADDRTYPE, tag::EMAIL_ADDRESS),
        ) {
            let _ = write!(s, "Member: {m}\r\n");
        }
    }
    s
}

fn attachment_part(
    a: &Attachment,
    index: usize,
    limits: &OutlookLimits,
    acc: &mut Rebuilt,
) -> Result<Vec<u8>, String> {
    let p = &a.props;
    let name = p
        .text(tag::ATTACH_LONG_FILENAME)
        .or_else(|| p.text(tag::ATTACH_FILENAME))
        .or_else(|| p.text(tag::DISPLAY_NAME))
        .map(|n| one_line(&n));
    let mut h = String::new();
    if let Some(cid) = p.text(tag::ATTACH_CONTENT_ID).map(|c| one_line(&c))
        && cid.is_ascii()
    {
        let _ = write!(
            h,
            "Content-ID: <{}>\r\n",
            cid.trim().trim_matches(['<', '>'])
        );
    }
    match &a.content {
        Content::Bytes(data) => {
            let mime = p
                .text(tag::ATTACH_MIME_TAG)
                .map(|m| one_line(&m).trim().to_ascii_lowercase())
                .filter(|m| {
                    is_mime_type(m) && !m.starts_with("multipart/") && !m.starts_with("message/")
                })
                .unwrap_or_else(|| "application/octet-stream".into());
            // A nameless attachment stays nameless: no name is made up.
            let disposition = match &name {
                Some(n) => format!("attachment; {}", filename_param(n)),
                None => "attachment".into(),
            };
            let _ = write!(
                h,
                "Content-Type: {mime}\r\nContent-Disposition: {disposition}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            );
            let mut part = h.into_bytes();
            part.extend_from_slice(base64(data, true).as_bytes());
            Ok(part)
        }
        Content::Message(inner) => {
            let mut nested = Rebuilt::default();
            let bytes = build(inner, limits, &mut nested);
            acc.attachments += nested.attachments;
            acc.attachments_written += nested.attachments_written;
            acc.problems.extend(
                nested
                    .problems
                    .into_iter()
                    .map(|p| format!("in embedded message {}: {p}", index + 1)),
            );
            let name = format!("{}.eml", name.as_deref().unwrap_or("message"));
            let _ = write!(
                h,
                "Content-Type: message/rfc822\r\nContent-Disposition: attachment; {}\r\n\r\n",
                filename_param(&name)
            );
            let mut part = h.into_bytes();
            part.extend_from_slice(&bytes);
            Ok(part)
        }
        Content::Unreadable(why) => Err(why.clone()),
    }
}

fn is_mime_type(m: &str) -> bool {
    let mut it = m.split('/');
    let ok = |s: Option<&str>| {
        s.is_some_and(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
        })
    };
    ok(it.next()) && ok(it.next()) && it.next().is_none()
}

/// `filename="x"` for plain ASCII names, RFC 2231 `filename*=` otherwise.
fn filename_param(name: &str) -> String {
    if name.is_ascii() && !name.contains(['"', '\\']) && name.len() < 200 {
        return format!("filename=\"{name}\"");
    }
    let mut enc = String::from("filename*=UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            enc.push(b as char);
        } else {
            let _ = write!(enc, "%{b:02X}");
        }
    }
    enc
}

/// A text part: 7bit when it is short-lined ASCII, base64 UTF-8 otherwise.
fn text_part(subtype: &str, text: &str) -> Vec<u8> {
    let plain = text.is_ascii() && text.lines().all(|l| l.len() <= 900);
    let mut out = format!("Content-Type: text/{subtype}; charset=utf-8\r\n");
    if plain {
        out.push_str("Content-Transfer-Encoding: 7bit\r\n\r\n");
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("\r\n");
            }
            out.push_str(line.strip_suffix('\r').unwrap_or(line));
        }
    } else {
        out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        out.push_str(&base64(text.as_bytes(), true));
    }
    out.into_bytes()
}

/// A multipart entity whose boundary occurs in none of its parts.
fn multipart(subtype: &str, parts: Vec<Vec<u8>>) -> Vec<u8> {
    let mut n = 0u32;
    let boundary = loop {
        let b = format!("=_leakcheck_{subtype}_{n}");
        if !parts
            .iter()
            .any(|p| p.windows(b.len()).any(|w| w == b.as_bytes()))
        {
            break b;
        }
        n += 1;
    };
    let mut out =
        format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(&p);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// Base64, in lines of 76 characters when `wrap`.
fn base64(data: &[u8], wrap: bool) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 38 + 4);
    for (i, c) in data.chunks(3).enumerate() {
        if wrap && i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_rfcs() {
        assert_eq!(base64(b"hello!?", false), "aGVsbG8hPw==");
        assert_eq!(base64(&[0u8; 60], true).lines().next().unwrap().len(), 76);
        assert_eq!(encoded_words("café"), "=?UTF-8?B?Y2Fmw6k=?=");
        assert_eq!(filename_param("a b.pdf"), "filename=\"a b.pdf\"");
        assert_eq!(filename_param("é.txt"), "filename*=UTF-8''%C3%A9.txt");
        assert_eq!(
            mailbox(Some("Doe, Jane".into()), Some("<jane@x.org>".into())).unwrap(),
            "\"Doe, Jane\" <jane@x.org>"
        );
        assert_eq!(
            mailbox(Some("x@y.z".into()), Some("x@y.z".into())).unwrap(),
            "x@y.z"
        );
        assert_eq!(one_line("a\r\nBcc: evil"), "a  Bcc: evil");
        assert_eq!(
            mailbox(Some("Terry".into()), Some("/O=EX/CN=T".into())).unwrap(),
            "\"Terry\" <>"
        );
    }

    #[test]
    fn recognises_a_signed_entity() {
        let e = b"MIME-Version: 1.0\r\nContent-Type: multipart/signed;\r\n\tprotocol=\"application/pkcs7-signature\"\r\n\r\nbody";
        assert!(signed_entity_head(e).unwrap().contains("\nmime-version:"));
        assert!(signed_entity_head(b"Content-Type: text/plain\r\n\r\nx").is_none());
        assert!(signed_entity_head(b"no header block").is_none());
    }

    #[test]
    fn an_unreadable_rtf_body_is_a_problem_on_the_message() {
        let mut msg = Message::default();
        msg.props
            .insert(tag::RTF_COMPRESSED, Value::Binary(vec![1, 2, 3]));
        let r = rebuild(&msg, &OutlookLimits::default());
        assert_eq!(
            r.problems,
            vec!["RTF body not read: compressed RTF of 3 bytes: no header".to_string()]
        );
        // A readable one gives the body, and no problem.
        let mut msg = Message::default();
        let packed = compressed_rtf::compress_rtf(r"{\rtf1\ansi hello there}").unwrap();
        msg.props.insert(tag::RTF_COMPRESSED, Value::Binary(packed));
        let r = rebuild(&msg, &OutlookLimits::default());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(String::from_utf8_lossy(&r.bytes).contains("hello there"));
    }

    #[test]
    fn keeps_transport_headers_but_not_the_old_structure() {
        let t = "Received: from a\r\n\tby b\r\nContent-Type: multipart/mixed;\r\n boundary=x\r\nDKIM-Signature: v=1;\r\n b=abc\r\nMIME-Version: 1.0\r\n\r\n";
        assert_eq!(
            kept_headers(t),
            "Received: from a\r\n\tby b\r\nDKIM-Signature: v=1;\r\n b=abc\r\n"
        );
    }
}
