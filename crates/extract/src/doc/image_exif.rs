//! EXIF (a TIFF structure) into the `exif.*` stores, with kamadak-exif.

use std::collections::HashSet;

use chrono::{Datelike, Timelike};
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use exif::{Context, Exif, Field, In, Reader, Tag, Value};
use leakcheck_core::{Store, doc::key, doc::store};

use super::dates;

/// Values longer than this (counts of numbers) are arrays nobody reads.
const MAX_VALUES: usize = 64;
/// IFDs walked by the size pre-check; real files have fewer than ten.
const MAX_IFDS: usize = 64;

/// What the EXIF block yields besides its stores.
#[derive(Default)]
pub struct ExifRead {
    /// ifd0, exif, gps, ifd1 (the non-empty ones).
    pub stores: Vec<Store>,
    /// IFD1 JPEG thumbnail: offset (from the TIFF header) and length.
    pub thumbnail: Option<(u64, u64)>,
    /// Orientation 1..8.
    pub orientation: Option<u8>,
    /// Declared size of the main image.
    pub size: Option<(u32, u32)>,
    /// TIFF tag 700 XMLPacket.
    pub xmp: Option<Vec<u8>>,
    /// TIFF tag 33723 IPTC-NAA.
    pub iptc: Option<Vec<u8>>,
    /// TIFF tag 34377 Photoshop resources.
    pub irb: Option<Vec<u8>>,
}

/// Reads a TIFF structure. `None` (with a warning) when it cannot be read.
pub fn read(tiff: &[u8], max_bytes: u64, warnings: &mut Vec<String>) -> Option<ExifRead> {
    // kamadak-exif allocates every value, and IFD entries may all point at
    // the same large range: refuse structures that would expand too much.
    let declared = declared_value_bytes(tiff);
    if declared > max_bytes {
        warnings.push(format!("EXIF skipped: its values declare {declared} bytes"));
        return None;
    }
    let exif = match Reader::new()
        .continue_on_error(true)
        .read_raw(tiff.to_vec())
    {
        Ok(e) => e,
        Err(e) => match e.distill_partial_result(|errs| {
            if let Some(first) = errs.first() {
                warnings.push(format!("EXIF partly read: {first}"));
            }
        }) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(format!("EXIF unreadable: {e}"));
                return None;
            }
        },
    };
    Some(collect(&exif))
}

fn collect(exif: &Exif) -> ExifRead {
    let mut out = ExifRead::default();
    let le = exif.little_endian();
    let mut stores = [
        Store::new(store::EXIF_IFD0),
        Store::new(store::EXIF_EXIF),
        Store::new(store::EXIF_GPS),
        Store::new(store::EXIF_IFD1),
    ];
    for f in exif.fields() {
        let slot = match (f.tag.context(), f.ifd_num) {
            (Context::Tiff, In::PRIMARY) => 0,
            (Context::Exif | Context::Interop, _) => 1,
            (Context::Gps, _) => 2,
            (Context::Tiff, In::THUMBNAIL) => 3,
            _ => continue, // later IFDs: further pages of a TIFF
        };
        match f.tag.number() {
            0x02bc if slot == 0 => out.xmp = raw_bytes(&f.value, le),
            0x83bb if slot == 0 => out.iptc = raw_bytes(&f.value, le),
            0x8649 if slot == 0 => out.irb = raw_bytes(&f.value, le),
            _ => push_field(&mut stores[slot], exif, f),
        }
    }
    let uint = |tag, ifd| exif.get_field(tag, ifd).and_then(|f| f.value.get_uint(0));
    let off = uint(Tag::JPEGInterchangeFormat, In::THUMBNAIL);
    let len = uint(Tag::JPEGInterchangeFormatLength, In::THUMBNAIL);
    out.thumbnail = off
        .zip(len)
        .filter(|&(_, l)| l > 0)
        .map(|(o, l)| (u64::from(o), u64::from(l)));
    out.orientation = uint(Tag::Orientation, In::PRIMARY).and_then(|o| u8::try_from(o).ok());
    let w = uint(Tag::ImageWidth, In::PRIMARY).or(uint(Tag::PixelXDimension, In::PRIMARY));
    let h = uint(Tag::ImageLength, In::PRIMARY).or(uint(Tag::PixelYDimension, In::PRIMARY));
    out.size = w.zip(h);
    out.stores = stores
        .into_iter()
        .filter(|s| !s.fields.is_empty())
        .collect();
    out
}

fn push_field(store: &mut Store, exif: &Exif, f: &Field) {
    let (ctx, num) = (f.tag.context(), f.tag.number());
    if matches!(num, 0x927c | 0x8773 | 0xc4a5) {
        return; // MakerNote, ICC profile, PrintIM: binary blobs
    }
    let name = tag_name(f.tag);
    let tag = if name.is_empty() {
        format!("0x{num:04x}")
    } else {
        format!("0x{num:04x} {name}")
    };
    let Some(value) = value_text(f, exif.little_endian()) else {
        return;
    };
    let canon = canonical(ctx, num);
    match date_zone_tag(ctx, num) {
        Some(zone_tag) => {
            let zone = exif
                .get_field(Tag(Context::Exif, zone_tag), In::PRIMARY)
                .and_then(|z| value_text(z, exif.little_endian()))
                .and_then(|z| offset_minutes(&z));
            let date = exif_date(&value, zone);
            store.push_date(canon.unwrap_or(&tag), &tag, value, date);
        }
        None => store.push(canon.unwrap_or(&tag), &tag, value),
    }
}

/// kamadak-exif names the tags it knows; the Windows XP ones it does not.
fn tag_name(tag: Tag) -> String {
    if tag.description().is_some() {
        return tag.to_string();
    }
    match (tag.context(), tag.number()) {
        (Context::Tiff, 0x9c9b) => "XPTitle",
        (Context::Tiff, 0x9c9c) => "XPComment",
        (Context::Tiff, 0x9c9d) => "XPAuthor",
        (Context::Tiff, 0x9c9e) => "XPKeywords",
        (Context::Tiff, 0x9c9f) => "XPSubject",
        (Context::Exif, 0xa430) => "OwnerName",
        (Context::Exif, 0xa431) => "SerialNumber",
        (Context::Exif, 0xa434) => "LensModel",
        _ => "",
    }
    .to_string()
}

fn canonical(ctx: Context, num: u16) -> Option<&'static str> {
    Some(match (ctx, num) {
        (Context::Tiff, 0x010e) => key::DESCRIPTION,
        (Context::Tiff, 0x010f) => key::MAKE,
        (Context::Tiff, 0x0110) => key::MODEL,
        (Context::Tiff, 0x0131) => key::SOFTWARE,
        (Context::Tiff, 0x0132) => key::MODIFIED,
        (Context::Tiff, 0x013b) => key::ARTIST,
        (Context::Tiff, 0x8298) => key::COPYRIGHT,
        (Context::Tiff, 0x9c9b) => key::TITLE,
        (Context::Tiff, 0x9c9d) => key::AUTHOR,
        (Context::Tiff, 0x9c9e) => key::KEYWORDS,
        (Context::Tiff, 0x9c9f) => key::SUBJECT,
        (Context::Exif, 0x9003) => key::DATE_TIME_ORIGINAL,
        // ExifTool calls DateTimeDigitized CreateDate.
        (Context::Exif, 0x9004) => key::CREATED,
        _ => return None,
    })
}

/// For a date tag, the Exif 2.31 tag holding its UTC offset.
fn date_zone_tag(ctx: Context, num: u16) -> Option<u16> {
    match (ctx, num) {
        (Context::Tiff, 0x0132) => Some(0x9010),
        (Context::Exif, 0x9003) => Some(0x9011),
        (Context::Exif, 0x9004) => Some(0x9012),
        _ => None,
    }
}

/// `+02:00` / `-04:00` to minutes.
fn offset_minutes(z: &str) -> Option<i32> {
    let z = z.trim();
    let sign = match z.get(0..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let h: i32 = z.get(1..3)?.parse().ok()?;
    let m: i32 = z.get(4..6)?.parse().ok()?;
    Some(sign * (h * 60 + m))
}

/// An EXIF date, in ISO form when a writer put one there, with the zone
/// from its OffsetTime tag when the date itself has none.
fn exif_date(raw: &str, zone: Option<i32>) -> Option<String> {
    let iso_like = raw.get(4..5) == Some("-");
    let norm = if iso_like {
        dates::iso(raw)
    } else {
        dates::exif(raw)
    }?;
    let Some(zone) = zone else { return Some(norm) };
    let (dt, stated) = dates::parse(&norm)?;
    if stated.is_some() {
        return Some(norm);
    }
    let (d, t) = (dt.date(), dt.time());
    dates::from_parts(
        d.year(),
        d.month(),
        d.day(),
        t.hour(),
        t.minute(),
        t.second(),
        Some(zone),
    )
}

/// The value as text; `None` for blobs and long arrays.
fn value_text(f: &Field, le: bool) -> Option<String> {
    match (&f.value, f.tag.context(), f.tag.number()) {
        (Value::Ascii(parts), _, _) => {
            let s: Vec<String> = parts.iter().map(|p| latin1_or_utf8(p)).collect();
            Some(s.join(", "))
        }
        (Value::Undefined(b, _), Context::Exif, 0x9286) => user_comment(b, le),
        (Value::Byte(b), Context::Tiff, 0x9c9b..=0x9c9f) => Some(
            UTF_16LE
                .decode_without_bom_handling(b)
                .0
                .trim_end_matches('\0')
                .to_string(),
        ),
        (Value::Byte(b) | Value::Undefined(b, _), _, _) if b.len() > MAX_VALUES => None,
        (v, _, _) if value_count(v) > MAX_VALUES => None,
        _ => Some(f.display_value().to_string()),
    }
}

fn value_count(v: &Value) -> usize {
    match v {
        Value::Short(x) => x.len(),
        Value::Long(x) => x.len(),
        Value::Rational(x) => x.len(),
        Value::SShort(x) => x.len(),
        Value::SLong(x) => x.len(),
        Value::SRational(x) => x.len(),
        Value::Float(x) => x.len(),
        Value::Double(x) => x.len(),
        Value::SByte(x) => x.len(),
        _ => 0,
    }
}

fn latin1_or_utf8(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(b).0.into_owned(),
    }
}

/// UserComment: an 8-byte charset code, then the text.
fn user_comment(b: &[u8], le: bool) -> Option<String> {
    let (code, text) = (b.get(..8)?, b.get(8..)?);
    let s = match code {
        b"ASCII\0\0\0" | b"\0\0\0\0\0\0\0\0" => latin1_or_utf8(text),
        b"UNICODE\0" => {
            let enc = if le { UTF_16LE } else { UTF_16BE };
            enc.decode_without_bom_handling(text).0.into_owned()
        }
        _ => return None,
    };
    Some(s.trim_end_matches(['\0', ' ']).to_string())
}

/// TIFF 700/33723/34377 payloads back to bytes (writers type them BYTE,
/// UNDEFINED or LONG).
fn raw_bytes(v: &Value, le: bool) -> Option<Vec<u8>> {
    match v {
        Value::Byte(b) | Value::Undefined(b, _) => Some(b.clone()),
        Value::Long(l) => Some(
            l.iter()
                .flat_map(|x| if le { x.to_le_bytes() } else { x.to_be_bytes() })
                .collect(),
        ),
        _ => None,
    }
}

/// Sum of the value sizes the IFDs declare (those that fit in the buffer),
/// walked without allocating. Own walk: kamadak-exif has no size hook.
fn declared_value_bytes(tiff: &[u8]) -> u64 {
    let le = match tiff.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return 0,
    };
    let u16_at = |o: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(o..o + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| -> Option<usize> {
        let b: [u8; 4] = tiff.get(o..o + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        } as usize)
    };
    let mut todo: Vec<usize> = u32_at(4).into_iter().collect();
    let mut seen = HashSet::new();
    let mut total = 0u64;
    while let Some(ifd) = todo.pop() {
        if ifd == 0 || seen.len() >= MAX_IFDS || !seen.insert(ifd) {
            continue;
        }
        let Some(n) = u16_at(ifd) else { continue };
        let entries = ifd + 2;
        for e in (0..usize::from(n)).map(|i| entries + 12 * i) {
            let (Some(tag), Some(typ), Some(count)) = (u16_at(e), u16_at(e + 2), u32_at(e + 4))
            else {
                break;
            };
            let size = unit_size(typ) as u64 * count as u64;
            if size > 4 && size <= tiff.len() as u64 {
                total += size;
            }
            if matches!(tag, 0x8769 | 0x8825 | 0xa005) {
                todo.extend(u32_at(e + 8));
            }
        }
        todo.extend(u32_at(entries + 12 * usize::from(n)));
    }
    total
}

fn unit_size(typ: u16) -> usize {
    match typ {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 => 4,
        5 | 10 | 12 => 8,
        _ => 0,
    }
}
