//! MS-OLEPS property sets (`\x05SummaryInformation`,
//! `\x05DocumentSummaryInformation`). Written here: no crate reads them,
//! and reading needs only the section table and a dozen value types.
//! Every count and offset is checked against the stream.

use super::bytes::{u16_at, u32_at, u64_at, utf16le as utf16};
use super::codepage;

/// Properties read per section; real sets have a few dozen.
const MAX_PROPS: usize = 1_000;
/// Items read from one vector value.
const MAX_ITEMS: usize = 1_000;
/// Nesting of variant vectors (a variant may not hold a vector, but hostile ones try).
const MAX_NESTING: usize = 2;

/// The user-defined properties section of DocumentSummaryInformation.
pub const FMTID_USER_DEFINED: [u8; 16] = [
    0x05, 0xd5, 0xcd, 0xd5, 0x9c, 0x2e, 0x1b, 0x10, 0x93, 0x97, 0x08, 0x00, 0x2b, 0x2c, 0xf9, 0xae,
];

const VT_I2: u16 = 2;
const VT_I4: u16 = 3;
const VT_R4: u16 = 4;
const VT_R8: u16 = 5;
const VT_BSTR: u16 = 8;
const VT_BOOL: u16 = 11;
const VT_VARIANT: u16 = 12;
const VT_I1: u16 = 16;
const VT_UI1: u16 = 17;
const VT_UI2: u16 = 18;
const VT_UI4: u16 = 19;
const VT_I8: u16 = 20;
const VT_UI8: u16 = 21;
const VT_INT: u16 = 22;
const VT_UINT: u16 = 23;
const VT_LPSTR: u16 = 30;
const VT_LPWSTR: u16 = 31;
const VT_FILETIME: u16 = 64;
const VT_VECTOR: u16 = 0x1000;

/// A property value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Any integer type.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// VT_BOOL.
    Bool(bool),
    /// A string, decoded.
    Str(String),
    /// A FILETIME, raw ticks (a date, or a duration for edit time).
    Time(u64),
    /// A vector (strings and numbers as text).
    List(Vec<Value>),
    /// A type not read (blobs, clipboard data).
    Other(u16),
}

impl Value {
    /// The value as text (lists joined with `; `).
    pub fn text(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Real(r) => r.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => s.clone(),
            Value::Time(t) => t.to_string(),
            Value::List(items) => items.iter().map(Value::text).collect::<Vec<_>>().join("; "),
            Value::Other(_) => String::new(),
        }
    }
}

/// One section of a property set.
#[derive(Debug, Default)]
pub struct Section {
    /// Its format identifier, as stored.
    pub fmtid: [u8; 16],
    /// Code page of its strings (property 1), 1252 when absent.
    pub code_page: u32,
    /// Property id and value, in stored order (the dictionary excluded).
    pub props: Vec<(u32, Value)>,
    /// Names of user-defined properties (property 0).
    pub names: Vec<(u32, String)>,
}

impl Section {
    /// The name a dictionary gives a property id.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.as_str())
    }
}

/// Reads every section of a property set stream; `Err` says what is wrong
/// with the header. A broken property ends its section, not the set.
pub fn parse(stream: &[u8]) -> Result<Vec<Section>, String> {
    if u16_at(stream, 0) != Some(0xfffe) {
        return Err("property set has no byte-order mark".into());
    }
    let count = u32_at(stream, 24).ok_or("property set header is truncated")?;
    let mut out = Vec::new();
    for i in 0..count.min(4) as usize {
        let at = 28 + i * 20;
        let (Some(fmtid), Some(offset)) = (stream.get(at..at + 16), u32_at(stream, at + 16)) else {
            return Err("property set section table is truncated".into());
        };
        let Some(body) = stream.get(offset as usize..) else {
            return Err(format!("section offset {offset} is past the end"));
        };
        let mut section = section(body);
        section.fmtid.copy_from_slice(fmtid);
        out.push(section);
    }
    Ok(out)
}

fn section(body: &[u8]) -> Section {
    let size = u32_at(body, 0).unwrap_or(0) as usize;
    let body = body.get(..size.min(body.len())).unwrap_or_default();
    let count = u32_at(body, 4).unwrap_or(0) as usize;
    let entries: Vec<(u32, usize)> = (0..count.min(MAX_PROPS))
        .map_while(|i| Some((u32_at(body, 8 + i * 8)?, u32_at(body, 12 + i * 8)? as usize)))
        .collect();
    // The code page must be known before any string is decoded.
    let code_page = entries
        .iter()
        .find(|(id, _)| *id == 1)
        .and_then(|(_, at)| u16_at(body, at + 4))
        .map_or(1252, u32::from);
    let mut s = Section {
        code_page,
        ..Section::default()
    };
    for (id, at) in entries {
        match id {
            0 => s.names = dictionary(body, at, code_page),
            1 => {}
            _ => {
                if let Some(v) = value(body, at, code_page, 0) {
                    s.props.push((id, v));
                }
            }
        }
    }
    s
}

/// A typed value at `at`: a 2-byte type, 2 bytes of padding, the data.
fn value(b: &[u8], at: usize, cp: u32, depth: usize) -> Option<Value> {
    let vt = u16_at(b, at)?;
    let data = at.checked_add(4)?;
    if vt & VT_VECTOR != 0 {
        return vector(b, data, vt & !VT_VECTOR, cp, depth).map(|(v, _)| v);
    }
    scalar(b, data, vt, cp, depth).map(|(v, _)| v)
}

/// A scalar of type `vt` at `at`, and the offset just past it.
fn scalar(b: &[u8], at: usize, vt: u16, cp: u32, depth: usize) -> Option<(Value, usize)> {
    Some(match vt {
        VT_I2 => (Value::Int(i64::from(u16_at(b, at)? as i16)), at + 4),
        VT_UI2 => (Value::Int(i64::from(u16_at(b, at)?)), at + 4),
        VT_I1 => (Value::Int(i64::from(*b.get(at)? as i8)), at + 4),
        VT_UI1 => (Value::Int(i64::from(*b.get(at)?)), at + 4),
        VT_I4 | VT_INT => (Value::Int(i64::from(u32_at(b, at)? as i32)), at + 4),
        VT_UI4 | VT_UINT => (Value::Int(i64::from(u32_at(b, at)?)), at + 4),
        VT_I8 | VT_UI8 => (Value::Int(u64_at(b, at)? as i64), at + 8),
        VT_R4 => (
            Value::Real(f64::from(f32::from_bits(u32_at(b, at)?))),
            at + 4,
        ),
        VT_R8 => (Value::Real(f64::from_bits(u64_at(b, at)?)), at + 8),
        VT_BOOL => (Value::Bool(u16_at(b, at)? != 0), at + 4),
        VT_FILETIME => (Value::Time(u64_at(b, at)?), at + 8),
        VT_LPSTR | VT_BSTR => {
            let len = u32_at(b, at)? as usize;
            let bytes = b.get(at + 4..(at + 4).checked_add(len)?)?;
            let text = if cp == 1200 {
                utf16(bytes)
            } else {
                codepage::decode(bytes, cp)
            };
            (
                Value::Str(text.trim_end_matches('\0').to_string()),
                pad4(at + 4 + len),
            )
        }
        VT_LPWSTR => {
            let chars = u32_at(b, at)? as usize;
            let bytes = b.get(at + 4..(at + 4).checked_add(chars.checked_mul(2)?)?)?;
            (
                Value::Str(utf16(bytes).trim_end_matches('\0').to_string()),
                pad4(at + 4 + chars * 2),
            )
        }
        VT_VARIANT if depth < MAX_NESTING => {
            let inner = u16_at(b, at)?;
            if inner & VT_VECTOR != 0 {
                return None;
            }
            scalar(b, at + 4, inner, cp, depth + 1)?
        }
        other => (Value::Other(other), usize::MAX),
    })
}

/// A vector: a count, then its items one after the other.
fn vector(b: &[u8], at: usize, vt: u16, cp: u32, depth: usize) -> Option<(Value, usize)> {
    let count = u32_at(b, at)? as usize;
    let mut pos = at + 4;
    let mut items = Vec::new();
    for _ in 0..count.min(MAX_ITEMS) {
        let Some((v, next)) = scalar(b, pos, vt, cp, depth) else {
            break;
        };
        if matches!(v, Value::Other(_)) {
            break;
        }
        items.push(v);
        pos = next;
    }
    Some((Value::List(items), pos))
}

fn pad4(n: usize) -> usize {
    n.div_ceil(4).saturating_mul(4)
}

/// The dictionary (property 0): id and name pairs. Names are in the code
/// page, or UTF-16 padded to 4 bytes when it is 1200.
fn dictionary(b: &[u8], at: usize, cp: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let Some(count) = u32_at(b, at) else {
        return out;
    };
    let mut pos = at + 4;
    for _ in 0..(count as usize).min(MAX_PROPS) {
        let (Some(id), Some(len)) = (u32_at(b, pos), u32_at(b, pos + 4)) else {
            break;
        };
        let len = len as usize;
        let start = pos + 8;
        let (name, next) = if cp == 1200 {
            let Some(bytes) = len
                .checked_mul(2)
                .and_then(|n| b.get(start..start.checked_add(n)?))
            else {
                break;
            };
            (utf16(bytes), pad4(start + bytes.len()))
        } else {
            let Some(bytes) = b.get(start..start.saturating_add(len)) else {
                break;
            };
            (codepage::decode(bytes, cp), start + len)
        };
        out.push((id, name.trim_end_matches('\0').to_string()));
        pos = next;
    }
    out
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Property ids and their typed bytes.
    pub type Props = Vec<(u32, Vec<u8>)>;

    /// A property set stream with one section per `(fmtid, properties)`,
    /// each property given as its id and its typed bytes.
    pub fn build(sections: &[([u8; 16], Props)]) -> Vec<u8> {
        let mut out = vec![0xfe, 0xff, 0, 0, 0x06, 0x01, 0x02, 0x00];
        out.extend([0u8; 16]);
        out.extend((sections.len() as u32).to_le_bytes());
        let mut bodies = Vec::new();
        let mut offset = 28 + 20 * sections.len();
        for (fmtid, props) in sections {
            let mut body = Vec::new();
            let header = 8 + 8 * props.len();
            let mut data = Vec::new();
            let mut table = Vec::new();
            for (id, bytes) in props {
                table.extend(id.to_le_bytes());
                table.extend(((header + data.len()) as u32).to_le_bytes());
                data.extend(bytes);
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            body.extend(((header + data.len()) as u32).to_le_bytes());
            body.extend((props.len() as u32).to_le_bytes());
            body.extend(table);
            body.extend(data);
            out.extend(fmtid);
            out.extend((offset as u32).to_le_bytes());
            offset += body.len();
            bodies.push(body);
        }
        for b in bodies {
            out.extend(b);
        }
        out
    }

    /// A VT_LPSTR value.
    pub fn lpstr(bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![0x1e, 0, 0, 0];
        v.extend((bytes.len() as u32 + 1).to_le_bytes());
        v.extend(bytes);
        v.push(0);
        v
    }

    /// A VT_I2 value.
    pub fn i2(n: i16) -> Vec<u8> {
        let mut v = vec![2, 0, 0, 0];
        v.extend(n.to_le_bytes());
        v.extend([0, 0]);
        v
    }

    /// A VT_FILETIME value.
    pub fn filetime(t: u64) -> Vec<u8> {
        let mut v = vec![0x40, 0, 0, 0];
        v.extend(t.to_le_bytes());
        v
    }

    #[test]
    fn reads_strings_in_their_code_page_and_a_dictionary() {
        let mut dict = vec![];
        dict.extend(1u32.to_le_bytes());
        dict.extend(2u32.to_le_bytes());
        dict.extend(4u32.to_le_bytes());
        dict.extend(b"Cl\xe9\0");
        let mut wide = vec![0x1f, 0, 0, 0, 3, 0, 0, 0];
        wide.extend([b'h', 0, b'i', 0, 0, 0]);
        let set = build(&[(
            FMTID_USER_DEFINED,
            vec![
                (0, dict),
                (1, i2(1250)),
                (2, lpstr(b"\xe8ern\xfd")),
                (3, filetime(5)),
                (4, wide),
            ],
        )]);
        let sections = parse(&set).unwrap();
        let s = &sections[0];
        assert_eq!(s.code_page, 1250);
        assert_eq!(s.fmtid, FMTID_USER_DEFINED);
        assert_eq!(s.name(2), Some("Clé"));
        assert_eq!(s.props[0], (2, Value::Str("černý".into())));
        assert_eq!(s.props[1], (3, Value::Time(5)));
        assert_eq!(s.props[2], (4, Value::Str("hi".into())));
    }

    #[test]
    fn hostile_sets_do_not_panic() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\xfe\xff").is_err());
        let set = build(&[(
            [0; 16],
            vec![
                (2, lpstr(b"title")),
                (3, vec![0x1e, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f]),
            ],
        )]);
        for cut in 0..set.len() {
            let _ = parse(&set[..cut]);
        }
        let s = parse(&set).unwrap();
        assert_eq!(s[0].props, [(2, Value::Str("title".into()))]);
        // A huge vector count stops at the data's end.
        let mut vec = vec![0x1e, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff];
        vec.extend(lpstr(b"a").split_off(4));
        let s = parse(&build(&[([0; 16], vec![(13, vec)])])).unwrap();
        assert_eq!(s[0].props[0].1, Value::List(vec![Value::Str("a".into())]));
    }
}
