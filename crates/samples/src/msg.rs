//! Outlook `.msg` files (MS-OXMSG) written with `cfb`: a compound file with
//! a property stream per object, one stream per string or binary property,
//! and storages for recipients, attachments and embedded messages.

use std::io::{Cursor, Write};

use cfb::CompoundFile;

/// An Outlook message to write.
#[derive(Clone, Debug, Default)]
pub struct OutlookMessage {
    /// `PidTagMessageClass` (`IPM.Note` when empty).
    pub class: String,
    /// Subject.
    pub subject: String,
    /// Sender: display name and SMTP address.
    pub from: (String, String),
    /// To recipients: display name and SMTP address.
    pub to: Vec<(String, String)>,
    /// Cc recipients.
    pub cc: Vec<(String, String)>,
    /// Plain-text body (`PidTagBody`).
    pub body: String,
    /// HTML body (`PidTagHtml`), if any.
    pub html: Option<String>,
    /// An RTF body, stored uncompressed in `PidTagRtfCompressed`.
    pub rtf: Option<String>,
    /// `PidTagTransportMessageHeaders`, as a server wrote them.
    pub transport_headers: Option<String>,
    /// Client submit time, in Unix seconds.
    pub submitted: Option<i64>,
    /// `PidTagInternetMessageId`.
    pub message_id: Option<String>,
    /// Attachments, in order.
    pub attachments: Vec<MsgAttachment>,
}

/// An attachment of an [`OutlookMessage`].
#[derive(Clone, Debug)]
pub enum MsgAttachment {
    /// A file: its name, MIME type and bytes.
    File {
        /// File name.
        name: String,
        /// MIME type.
        mime: String,
        /// Contents.
        data: Vec<u8>,
    },
    /// An embedded message.
    Message(Box<OutlookMessage>),
}

const PT_LONG: u16 = 0x0003;
const PT_UNICODE: u16 = 0x001F;
const PT_BINARY: u16 = 0x0102;
const PT_SYSTIME: u16 = 0x0040;

/// One property of an object.
enum Prop {
    Int(u16, i32),
    Text(u16, String),
    Binary(u16, Vec<u8>),
    Time(u16, i64),
}

/// Writes `msg` as a `.msg` file.
pub fn msg(msg: &OutlookMessage) -> std::io::Result<Vec<u8>> {
    let mut cf = CompoundFile::create(Cursor::new(Vec::new()))?;
    write_message(&mut cf, "", msg, true)?;
    cf.flush()?;
    Ok(cf.into_inner().into_inner())
}

fn write_message(
    cf: &mut CompoundFile<Cursor<Vec<u8>>>,
    base: &str,
    m: &OutlookMessage,
    top: bool,
) -> std::io::Result<()> {
    let class = if m.class.is_empty() {
        "IPM.Note"
    } else {
        &m.class
    };
    let mut props = vec![
        Prop::Text(0x001A, class.into()),
        Prop::Text(0x0037, m.subject.clone()),
        Prop::Text(0x0C1A, m.from.0.clone()),
        Prop::Text(0x0C1F, m.from.1.clone()),
        Prop::Text(0x0C1E, "SMTP".into()),
        Prop::Text(0x0042, m.from.0.clone()),
        Prop::Text(0x0065, m.from.1.clone()),
        Prop::Text(0x0064, "SMTP".into()),
        Prop::Text(0x1000, m.body.clone()),
    ];
    if let Some(h) = &m.html {
        props.push(Prop::Binary(0x1013, h.as_bytes().to_vec()));
        props.push(Prop::Int(0x3FDE, 65001));
    }
    if let Some(r) = &m.rtf {
        // "MELA": an RTF body stored without compression (MS-OXRTFCP 2.1.3.1).
        let mut b = Vec::new();
        b.extend_from_slice(&(r.len() as u32 + 12).to_le_bytes());
        b.extend_from_slice(&(r.len() as u32).to_le_bytes());
        b.extend_from_slice(b"MELA");
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(r.as_bytes());
        props.push(Prop::Binary(0x1009, b));
    }
    if let Some(h) = &m.transport_headers {
        props.push(Prop::Text(0x007D, h.clone()));
    }
    if let Some(id) = &m.message_id {
        props.push(Prop::Text(0x1035, id.clone()));
    }
    if let Some(t) = m.submitted {
        props.push(Prop::Time(0x0039, unix_to_filetime(t)));
        props.push(Prop::Time(0x0E06, unix_to_filetime(t)));
    }
    let recipients: Vec<(i32, &(String, String))> =
        m.to.iter()
            .map(|r| (1, r))
            .chain(m.cc.iter().map(|r| (2, r)))
            .collect();
    // Top-level header: reserved, next recipient and attachment ids,
    // recipient and attachment counts, reserved (MS-OXMSG 2.4.1.1).
    let mut header = vec![0u8; 8];
    for n in [recipients.len(), m.attachments.len()]
        .into_iter()
        .chain([recipients.len(), m.attachments.len()])
    {
        header.extend_from_slice(&(n as u32).to_le_bytes());
    }
    if top {
        header.extend_from_slice(&[0u8; 8]);
    }
    write_props(cf, base, &header, &props)?;
    for (i, (kind, (name, addr))) in recipients.iter().enumerate() {
        let path = format!("{base}/__recip_version1.0_#{i:08X}");
        cf.create_storage(&path)?;
        let props = [
            Prop::Int(0x0C15, *kind),
            Prop::Text(0x3001, name.clone()),
            Prop::Text(0x3003, addr.clone()),
            Prop::Text(0x3002, "SMTP".into()),
            Prop::Text(0x39FE, addr.clone()),
        ];
        write_props(cf, &path, &[0u8; 8], &props)?;
    }
    for (i, a) in m.attachments.iter().enumerate() {
        let path = format!("{base}/__attach_version1.0_#{i:08X}");
        cf.create_storage(&path)?;
        match a {
            MsgAttachment::File { name, mime, data } => {
                let props = [
                    Prop::Int(0x3705, 1),
                    Prop::Text(0x3707, name.clone()),
                    Prop::Text(0x3704, name.clone()),
                    Prop::Text(0x370E, mime.clone()),
                    Prop::Binary(0x3701, data.clone()),
                    Prop::Int(0x0E20, data.len() as i32),
                ];
                write_props(cf, &path, &[0u8; 8], &props)?;
            }
            MsgAttachment::Message(inner) => {
                let props = [
                    Prop::Int(0x3705, 5),
                    Prop::Text(0x3001, inner.subject.clone()),
                ];
                write_props(cf, &path, &[0u8; 8], &props)?;
                let object = format!("{path}/__substg1.0_3701000D");
                cf.create_storage(&object)?;
                write_message(cf, &object, inner, false)?;
            }
        }
    }
    Ok(())
}

/// The property stream of an object, and a stream per variable-size value.
fn write_props(
    cf: &mut CompoundFile<Cursor<Vec<u8>>>,
    base: &str,
    header: &[u8],
    props: &[Prop],
) -> std::io::Result<()> {
    let mut stream = header.to_vec();
    for p in props {
        let (id, ptype, value): (u16, u16, [u8; 8]) = match p {
            Prop::Int(id, n) => (*id, PT_LONG, widen(&n.to_le_bytes())),
            Prop::Time(id, t) => (*id, PT_SYSTIME, t.to_le_bytes()),
            Prop::Text(id, s) => {
                let bytes: Vec<u8> = s
                    .encode_utf16()
                    .chain([0])
                    .flat_map(u16::to_le_bytes)
                    .collect();
                sub_stream(cf, base, *id, PT_UNICODE, &bytes)?;
                (*id, PT_UNICODE, widen(&(bytes.len() as u32).to_le_bytes()))
            }
            Prop::Binary(id, b) => {
                sub_stream(cf, base, *id, PT_BINARY, b)?;
                (*id, PT_BINARY, widen(&(b.len() as u32).to_le_bytes()))
            }
        };
        stream.extend_from_slice(&ptype.to_le_bytes());
        stream.extend_from_slice(&id.to_le_bytes());
        stream.extend_from_slice(&6u32.to_le_bytes()); // readable | writable
        stream.extend_from_slice(&value);
    }
    cf.create_stream(format!("{base}/__properties_version1.0"))?
        .write_all(&stream)
}

fn sub_stream(
    cf: &mut CompoundFile<Cursor<Vec<u8>>>,
    base: &str,
    id: u16,
    ptype: u16,
    bytes: &[u8],
) -> std::io::Result<()> {
    cf.create_stream(format!("{base}/__substg1.0_{id:04X}{ptype:04X}"))?
        .write_all(bytes)
}

fn widen(b: &[u8; 4]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(b);
    out
}

/// Unix seconds as a Windows FILETIME.
fn unix_to_filetime(t: i64) -> i64 {
    (t + 11_644_473_600) * 10_000_000
}
