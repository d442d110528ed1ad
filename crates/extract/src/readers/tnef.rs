//! TNEF (`winmail.dat`, `application/ms-tnef`, MS-OXTNEF): the message
//! bodies and the attachments, with their names and dates, as members.
//!
//! Written here rather than with the `tnef` crate (0.1.1, unchanged since
//! 2019): it rejects unknown attribute ids and OEM code pages, and does not
//! read the MAPI properties that hold what matters (an attachment's long
//! file name and MIME type, embedded messages, the RTF and HTML bodies).
//! The format is small: a signature, then attributes (level, id, length,
//! data, 16-bit checksum); two of them carry MAPI property lists.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink};

const SIGNATURE: u32 = 0x223E_9F78;

// Attribute ids (the low 16 bits of MS-OXTNEF's attribute values).
const ATT_SUBJECT: u16 = 0x8004;
const ATT_DATE_SENT: u16 = 0x8005;
const ATT_MESSAGE_CLASS: u16 = 0x8008;
const ATT_BODY: u16 = 0x800C;
const ATT_ATTACH_DATA: u16 = 0x800F;
const ATT_ATTACH_TITLE: u16 = 0x8010;
const ATT_ATTACH_CREATE_DATE: u16 = 0x8012;
const ATT_ATTACH_MODIFY_DATE: u16 = 0x8013;
const ATT_ATTACH_REND_DATA: u16 = 0x9002;
const ATT_MSG_PROPS: u16 = 0x9003;
const ATT_ATTACHMENT: u16 = 0x9005;

// MAPI property ids read from the property lists.
const PR_BODY: u16 = 0x1000;
const PR_RTF_COMPRESSED: u16 = 0x1009;
const PR_HTML: u16 = 0x1013;
const PR_ATTACH_DATA: u16 = 0x3701;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_MIME_TAG: u16 = 0x370E;
const PR_CREATION_TIME: u16 = 0x3007;
const PR_LAST_MODIFICATION_TIME: u16 = 0x3008;

/// One attachment as the stream describes it.
#[derive(Default)]
struct Attachment {
    title: Option<String>,
    long_name: Option<String>,
    mime: Option<String>,
    data: Option<Vec<u8>>,
    created: Option<String>,
    modified: Option<String>,
}

/// A property value, as far as this reader needs one.
enum Prop {
    Bytes(Vec<u8>),
    Text(String),
    Time(String),
    Other,
}

/// Reads a TNEF stream and hands its bodies and attachments to `sink`.
/// `expected` counts the bodies found and the attachments the stream
/// starts (`attAttachRendData`); one without data is unreadable.
pub fn expand(bytes: &[u8], max_part_bytes: u64, sink: &mut dyn Sink) -> Result<Listing> {
    let mut r = Cursor { b: bytes, pos: 0 };
    if r.u32()? != SIGNATURE {
        return Err(ExtractError::malformed("tnef", "no TNEF signature"));
    }
    let key = r.u16()?;
    let mut message = Map::new();
    message.insert("legacy_key".into(), json!(key));
    let (mut text, mut rtf, mut html) = (None, None, None);
    let mut attachments: Vec<Attachment> = Vec::new();
    let mut warning = None;
    let mut code_page = 1252u16;
    while r.pos < bytes.len() {
        let attr = match r.attribute() {
            Ok(a) => a,
            Err(e) => {
                warning = Some(format!("tnef: stream broken after {} bytes: {e}", r.pos));
                break;
            }
        };
        let (level, id, data) = attr;
        match (level, id) {
            (1, 0x9007) if data.len() >= 4 => {
                code_page = u16::try_from(le32(data, 0)).unwrap_or(1252);
            }
            (1, ATT_SUBJECT) => {
                message.insert("subject".into(), json!(ansi(data, code_page)));
            }
            (1, ATT_MESSAGE_CLASS) => {
                message.insert("message_class".into(), json!(ansi(data, code_page)));
            }
            (1, ATT_DATE_SENT) => {
                message.insert("sent".into(), json!(tnef_date(data)));
            }
            (1, ATT_BODY) => text = Some(data.to_vec()),
            (1, ATT_MSG_PROPS) => {
                for (pid, value) in props(data, code_page)? {
                    match (pid, value) {
                        (PR_BODY, Prop::Text(t)) if text.is_none() => text = Some(t.into_bytes()),
                        (PR_RTF_COMPRESSED, Prop::Bytes(b)) => rtf = Some(b),
                        (PR_HTML, Prop::Bytes(b)) => html = Some(b),
                        (PR_HTML, Prop::Text(t)) => html = Some(t.into_bytes()),
                        _ => {}
                    }
                }
            }
            (2, ATT_ATTACH_REND_DATA) => attachments.push(Attachment::default()),
            (2, _) => {
                let Some(a) = attachments.last_mut() else {
                    warning = Some("tnef: attachment data before any attachment starts".into());
                    continue;
                };
                match id {
                    ATT_ATTACH_DATA => a.data = Some(data.to_vec()),
                    ATT_ATTACH_TITLE => a.title = Some(ansi(data, code_page)),
                    ATT_ATTACH_CREATE_DATE => a.created = tnef_date(data),
                    ATT_ATTACH_MODIFY_DATE => a.modified = tnef_date(data),
                    ATT_ATTACHMENT => {
                        for (pid, value) in props(data, code_page)? {
                            match (pid, value) {
                                (PR_ATTACH_LONG_FILENAME, Prop::Text(t)) => a.long_name = Some(t),
                                (PR_ATTACH_FILENAME, Prop::Text(t)) if a.title.is_none() => {
                                    a.title = Some(t)
                                }
                                (PR_ATTACH_MIME_TAG, Prop::Text(t)) => a.mime = Some(t),
                                (PR_ATTACH_DATA, Prop::Bytes(b)) if a.data.is_none() => {
                                    a.data = Some(b)
                                }
                                (PR_CREATION_TIME, Prop::Time(t)) if a.created.is_none() => {
                                    a.created = Some(t)
                                }
                                (PR_LAST_MODIFICATION_TIME, Prop::Time(t))
                                    if a.modified.is_none() =>
                                {
                                    a.modified = Some(t)
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let mut index = 0u64;
    let mut emit = |sink: &mut dyn Sink, name: String, extra: Value, data: MemberData<'_>| {
        let flow = sink.member(Member {
            name,
            index,
            declared_size: None,
            compressed_size: None,
            extra: Some(extra),
            data,
        });
        index += 1;
        flow
    };
    let mut stopped = false;
    let bodies = [
        ("body.txt", text.map(Ok)),
        (
            "body.rtf",
            rtf.map(|b| crate::outlook::rtf::decompress(&b, max_part_bytes)),
        ),
        ("body.html", html.map(Ok)),
    ];
    for (name, body) in bodies {
        let Some(body) = body else { continue };
        let data = match body {
            Ok(b) => MemberData::Bytes(b),
            Err(why) => MemberData::Unreadable(why),
        };
        if emit(
            sink,
            name.into(),
            json!({"derived": "tnef", "part": "body"}),
            data,
        ) == Flow::Stop
        {
            stopped = true;
            break;
        }
    }
    for (i, a) in attachments.into_iter().enumerate() {
        if stopped {
            break;
        }
        let name = a
            .long_name
            .clone()
            .or(a.title.clone())
            .unwrap_or_else(|| format!("attachment {}", i + 1));
        let extra = json!({
            "derived": "tnef",
            "part": "attachment",
            "title": a.title,
            "mime_type": a.mime,
            "created": a.created,
            "modified": a.modified,
        });
        let data = match a.data {
            Some(d) => MemberData::Bytes(d),
            None => MemberData::Unreadable("the TNEF stream gives this attachment no data".into()),
        };
        stopped = emit(sink, name, extra, data) == Flow::Stop;
    }
    Ok(Listing {
        expected: index,
        detail: Some(Value::Object(message)),
        warning: warning.or(stopped.then(|| "stopped early: a limit was reached".into())),
    })
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(ExtractError::malformed(
                "tnef",
                format!(
                    "{n} bytes wanted at byte {}: the stream ends first",
                    self.pos
                ),
            ));
        };
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(le32(self.take(4)?, 0))
    }

    /// One attribute: level, id (low 16 bits), data; the checksum checked.
    fn attribute(&mut self) -> Result<(u8, u16, &'a [u8])> {
        let level = self.take(1)?[0];
        let id = self.u32()?;
        let len = self.u32()? as usize;
        let data = self.take(len)?;
        let sum = self.u16()?;
        let computed = data.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
        if sum != computed {
            return Err(ExtractError::malformed(
                "tnef",
                format!(
                    "checksum of attribute {id:#010x} is {sum:#06x}, its data sums to {computed:#06x}"
                ),
            ));
        }
        Ok((level, (id & 0xFFFF) as u16, data))
    }

    fn align4(&mut self, len: usize) -> Result<()> {
        let pad = (4 - len % 4) % 4;
        self.take(pad).map(|_| ())
    }
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// An 8-bit string in the stream's code page, without its NUL.
fn ansi(data: &[u8], code_page: u16) -> String {
    let data = data.split(|&b| b == 0).next().unwrap_or(data);
    crate::doc::codepage::decode(data, u32::from(code_page))
}

/// attDate: seven 16-bit words (year, month, day, hour, minute, second, weekday).
fn tnef_date(data: &[u8]) -> Option<String> {
    if data.len() < 12 {
        return None;
    }
    let w = |i: usize| u32::from(u16::from_le_bytes([data[2 * i], data[2 * i + 1]]));
    let dt = NaiveDate::from_ymd_opt(w(0) as i32, w(1), w(2))?.and_hms_opt(w(3), w(4), w(5))?;
    Some(dt.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// A FILETIME (100 ns since 1601) as a UTC date.
fn filetime(v: u64) -> Option<String> {
    let secs = (v / 10_000_000).checked_sub(11_644_473_600)?;
    let dt = chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?;
    Some(dt.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A MAPI property list (attMsgProps, attAttachment): a count, then each
/// property's type, id, name (for named properties) and value(s), every
/// variable-length value padded to 4 bytes.
fn props(data: &[u8], code_page: u16) -> Result<Vec<(u16, Prop)>> {
    let mut r = Cursor { b: data, pos: 0 };
    let count = r.u32()?;
    let mut out = Vec::new();
    for _ in 0..count {
        if r.pos >= data.len() {
            break;
        }
        let ptype = r.u16()?;
        let pid = r.u16()?;
        if pid >= 0x8000 {
            r.take(16)?; // property set GUID
            if r.u32()? == 0 {
                r.u32()?; // numeric name
            } else {
                let len = r.u32()? as usize;
                r.take(len)?;
                r.align4(len)?;
            }
        }
        let multi = ptype & 0x1000 != 0;
        let base = ptype & !0x1000;
        let values = if multi || matches!(base, 0x1E | 0x1F | 0x102 | 0x0D) {
            r.u32()?
        } else {
            1
        };
        let mut last = Prop::Other;
        for _ in 0..values {
            last = match base {
                0x02 | 0x03 | 0x04 | 0x0A | 0x0B => {
                    r.take(4)?;
                    Prop::Other
                }
                0x05 | 0x06 | 0x07 | 0x14 => {
                    r.take(8)?;
                    Prop::Other
                }
                0x40 => {
                    let b = r.take(8)?;
                    let v = u64::from(le32(b, 0)) | u64::from(le32(b, 4)) << 32;
                    filetime(v).map_or(Prop::Other, Prop::Time)
                }
                0x48 => {
                    r.take(16)?;
                    Prop::Other
                }
                0x1E | 0x1F | 0x102 | 0x0D => {
                    let len = r.u32()? as usize;
                    let b = r.take(len)?;
                    r.align4(len)?;
                    match base {
                        0x1E => Prop::Text(ansi(b, code_page)),
                        0x1F => Prop::Text(utf16(b)),
                        // An object's data starts with its interface id.
                        0x0D => Prop::Bytes(b.get(16..).unwrap_or_default().to_vec()),
                        _ => Prop::Bytes(b.to_vec()),
                    }
                }
                t => {
                    return Err(ExtractError::malformed(
                        "tnef",
                        format!("property {pid:#06x} has unknown type {t:#06x}"),
                    ));
                }
            };
        }
        if !multi {
            out.push((pid, last));
        }
    }
    Ok(out)
}

fn utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(level: u8, id: u32, data: &[u8]) -> Vec<u8> {
        let mut v = vec![level];
        v.extend(id.to_le_bytes());
        v.extend((data.len() as u32).to_le_bytes());
        v.extend(data);
        let sum = data.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
        v.extend(sum.to_le_bytes());
        v
    }

    #[test]
    fn attachments_and_body() {
        let mut t = SIGNATURE.to_le_bytes().to_vec();
        t.extend(1u16.to_le_bytes());
        t.extend(attr(1, 0x0008_9006, &[0, 0, 1, 0]));
        t.extend(attr(1, 0x0001_8004, b"Hello\0"));
        t.extend(attr(1, 0x0002_800C, b"the body"));
        t.extend(attr(
            2,
            0x0006_9002,
            &[1, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        t.extend(attr(2, 0x0001_8010, b"REPORT~1.TXT\0"));
        let date: Vec<u8> = [2017u16, 4, 10, 9, 30, 0, 1]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        t.extend(attr(2, 0x0003_8013, &date));
        t.extend(attr(2, 0x0006_800F, b"attached bytes"));
        // attAttachment: the long name as a PT_UNICODE property.
        let name: Vec<u8> = "report 2017.txt\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let mut p = 1u32.to_le_bytes().to_vec();
        p.extend(0x001Fu16.to_le_bytes());
        p.extend(PR_ATTACH_LONG_FILENAME.to_le_bytes());
        p.extend(1u32.to_le_bytes());
        p.extend((name.len() as u32).to_le_bytes());
        p.extend(&name);
        p.extend(vec![0; (4 - name.len() % 4) % 4]);
        t.extend(attr(2, 0x0006_9005, &p));
        let mut got = Vec::new();
        let listing = expand(&t, 1 << 20, &mut |m: Member<'_>| {
            let bytes = match m.data {
                MemberData::Bytes(b) => b,
                _ => Vec::new(),
            };
            got.push((m.name, bytes, m.extra));
            Flow::Continue
        })
        .unwrap();
        assert_eq!(listing.expected, 2);
        assert_eq!(listing.detail.unwrap()["subject"], "Hello");
        assert_eq!(got[0].0, "body.txt");
        assert_eq!(got[0].1, b"the body");
        assert_eq!(got[1].0, "report 2017.txt");
        assert_eq!(got[1].1, b"attached bytes");
        let extra = got[1].2.as_ref().unwrap();
        assert_eq!(extra["title"], "REPORT~1.TXT");
        assert_eq!(extra["modified"], "2017-04-10T09:30:00");
    }

    #[test]
    fn a_broken_checksum_is_reported() {
        let mut t = SIGNATURE.to_le_bytes().to_vec();
        t.extend(1u16.to_le_bytes());
        let mut a = attr(1, 0x0002_800C, b"body");
        let n = a.len();
        a[n - 1] ^= 0xff;
        t.extend(a);
        let listing = expand(&t, 1 << 20, &mut |_: Member<'_>| Flow::Continue).unwrap();
        assert!(listing.warning.unwrap().contains("checksum"));
        assert!(expand(b"not tnef", 1 << 20, &mut |_: Member<'_>| Flow::Continue).is_err());
    }
}
