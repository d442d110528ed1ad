//! Outlook `.msg` files (MS-OXMSG): a compound file whose storages hold
//! a message's properties, its recipients and its attachments.
//!
//! Our own reader over `cfb` (already a dependency). The `msg_parser` crate
//! (0.3.6) reads 8-bit strings (`PtypString8`) as UTF-8 and
//! fails on any other code page, rejects UTF-16 with an unpaired surrogate,
//! and hands over every value as a string: the HTML body's code page, the
//! fixed-size properties and most attachment properties are lost, and it
//! brings an OLE reader of its own.
//!
//! The format is short: a `__properties_version1.0` stream of 16-byte
//! entries for fixed-size values, one `__substg1.0_IIIITTTT` stream per
//! variable-size value, and one storage per recipient and attachment.

use std::io::{Cursor, Read, Seek, Write};

use cfb::CompoundFile;

use super::props::{self, Props, Value};
use super::{Attachment, Content, Message, OutlookLimits};
use crate::{ExtractError, Result};

const PROPERTIES: &str = "__properties_version1.0";
const EMBEDDED: &str = "__substg1.0_3701000D";

/// Reads a `.msg` file's message.
pub fn read(bytes: &[u8], limits: &OutlookLimits) -> Result<Message> {
    let mut cf = CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| ExtractError::malformed("msg", format!("not a compound file: {e}")))?;
    if !cf.is_stream(format!("/{PROPERTIES}")) {
        return Err(ExtractError::malformed(
            "msg",
            "no __properties_version1.0 stream: not an Outlook message",
        ));
    }
    let mut reader = Reader {
        cf: &mut cf,
        limits,
    };
    reader.message("", 32, 0, 1252)
}

struct Reader<'a, F> {
    cf: &'a mut CompoundFile<F>,
    limits: &'a OutlookLimits,
}

impl<F: Read + Seek> Reader<'_, F> {
    /// A message in the storage at `base` ("" for the root). Its property
    /// stream has a `header` of 32 bytes (top level) or 24 (embedded).
    fn message(&mut self, base: &str, header: usize, depth: u32, codepage: u32) -> Result<Message> {
        let mut props = self.props(base, header, codepage)?;
        props.codepage = props.declared_codepage().unwrap_or(codepage);
        let mut recipients = Vec::new();
        let mut attachments = Vec::new();
        let mut children: Vec<(String, String)> = self
            .cf
            .read_storage(if base.is_empty() { "/" } else { base })?
            .filter(|e| e.is_storage())
            .map(|e| {
                (
                    e.name().to_string(),
                    e.path().to_string_lossy().into_owned(),
                )
            })
            .collect();
        children.sort();
        for (name, path) in children {
            if name.starts_with("__recip_version1.0_") {
                let mut r = self.props(&path, 8, props.codepage)?;
                r.codepage = props.codepage;
                recipients.push(r);
            } else if name.starts_with("__attach_version1.0_") {
                attachments.push(self.attachment(&path, depth, props.codepage)?);
            }
        }
        Ok(Message {
            props,
            recipients,
            attachments,
        })
    }

    fn attachment(&mut self, path: &str, depth: u32, codepage: u32) -> Result<Attachment> {
        let mut props = self.props(path, 8, codepage)?;
        props.codepage = codepage;
        let object = format!("{path}/{EMBEDDED}");
        let content = if !self.cf.is_storage(&object) {
            match props.binary(props::tag::ATTACH_DATA) {
                Some(b) => Content::Bytes(b.to_vec()),
                None => Content::Unreadable("the attachment holds no data".into()),
            }
        } else if !self.cf.is_stream(format!("{object}/{PROPERTIES}")) {
            // afStorage: an OLE object of its own, given as a compound file.
            match self.storage_copy(&object) {
                Ok(b) => Content::Bytes(b),
                Err(e) => Content::Unreadable(format!("OLE storage attachment: {e}")),
            }
        } else if depth + 1 > self.limits.max_depth {
            Content::Unreadable(format!(
                "embedded message nested deeper than {} levels: not rebuilt",
                self.limits.max_depth
            ))
        } else {
            Content::Message(Box::new(self.message(&object, 24, depth + 1, codepage)?))
        };
        Ok(Attachment { props, content })
    }

    /// The properties of the object at `base`: fixed-size values from its
    /// property stream, variable-size ones from their own streams.
    fn props(&mut self, base: &str, header: usize, codepage: u32) -> Result<Props> {
        let mut props = Props::new(codepage);
        let stream = format!("{base}/{PROPERTIES}");
        if self.cf.is_stream(&stream) {
            let raw = self.stream(&stream)?;
            for entry in raw.get(header..).unwrap_or_default().chunks_exact(16) {
                let ptype = u16::from_le_bytes([entry[0], entry[1]]);
                let id = u16::from_le_bytes([entry[2], entry[3]]);
                let v = &entry[8..16];
                let int = |n: usize| {
                    let mut b = [0u8; 8];
                    b[..n].copy_from_slice(&v[..n]);
                    i64::from_le_bytes(b)
                };
                let value = match ptype {
                    0x0002 => Value::Int(i16::from_le_bytes([v[0], v[1]]) as i64),
                    0x0003 => Value::Int(i32::from_le_bytes([v[0], v[1], v[2], v[3]]) as i64),
                    0x000B => Value::Int((v[0] != 0) as i64),
                    0x0014 => Value::Int(int(8)),
                    0x0040 => Value::Time(int(8)),
                    _ => continue,
                };
                props.insert(id, value);
            }
        }
        let streams: Vec<(String, String)> = self
            .cf
            .read_storage(if base.is_empty() { "/" } else { base })?
            .filter(|e| e.is_stream())
            .map(|e| {
                (
                    e.name().to_string(),
                    e.path().to_string_lossy().into_owned(),
                )
            })
            .collect();
        for (name, path) in streams {
            let Some(hex) = name.strip_prefix("__substg1.0_") else {
                continue;
            };
            let Ok(tag) = u32::from_str_radix(hex, 16) else {
                continue;
            };
            let (id, ptype) = ((tag >> 16) as u16, (tag & 0xFFFF) as u16);
            let value = match ptype {
                0x001F => Value::Text(props::utf16(&self.stream(&path)?)),
                0x001E => Value::Text8(self.stream(&path)?),
                0x0102 => Value::Binary(self.stream(&path)?),
                _ => continue,
            };
            props.insert(id, value);
        }
        Ok(props)
    }

    fn stream(&mut self, path: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.cf
            .open_stream(path)?
            .take(self.limits.max_part_bytes)
            .read_to_end(&mut out)?;
        Ok(out)
    }

    /// The storage at `path` as a compound file of its own.
    fn storage_copy(&mut self, path: &str) -> Result<Vec<u8>> {
        let entries: Vec<(bool, String)> = self
            .cf
            .walk_storage(path)?
            .map(|e| (e.is_stream(), e.path().to_string_lossy().into_owned()))
            .collect();
        let mut copy = CompoundFile::create(Cursor::new(Vec::new()))?;
        for (is_stream, p) in entries {
            let Some(rel) = p.strip_prefix(path).filter(|r| !r.is_empty()) else {
                continue;
            };
            if is_stream {
                let data = self.stream(&p)?;
                copy.create_stream(rel)?.write_all(&data)?;
            } else {
                copy.create_storage(rel)?;
            }
        }
        copy.flush()?;
        Ok(copy.into_inner().into_inner())
    }
}
