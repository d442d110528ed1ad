//! Photoshop image resource blocks (JPEG APP13, TIFF tag 34377) and the
//! IPTC IIM records inside them.
//!
//! Own parsers: no maintained crate reads IIM, and the IRB walk is twenty
//! lines. Both formats are length-prefixed records, walked with `get` so that
//! a lying length ends the walk instead of reading past the buffer.

use encoding_rs::WINDOWS_1252;
use leakcheck_core::{Store, doc::key, doc::store};
use md5::{Digest, Md5};

use super::bytes::{be16, be32};
use super::dates;

/// Store of the Photoshop resources themselves (the IPTC digest, thumbnails).
pub const PHOTOSHOP_STORE: &str = "photoshop";
/// More resources or datasets than any real file has.
const MAX_RECORDS: usize = 10_000;
const IRB_SIGNATURES: [&[u8; 4]; 5] = [b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa"];
const RES_IPTC: u16 = 0x0404;
const RES_IPTC_DIGEST: u16 = 0x0425;

/// One image resource: its id and data.
struct Resource<'a> {
    id: u16,
    data: &'a [u8],
}

/// Walks a resource block: signature, id, padded Pascal name, size, padded data.
fn resources(irb: &[u8]) -> (Vec<Resource<'_>>, bool) {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 12 <= irb.len() && out.len() < MAX_RECORDS {
        let Some(sig) = irb.get(pos..pos + 4) else {
            break;
        };
        if !IRB_SIGNATURES.iter().any(|s| s.as_slice() == sig) {
            return (out, true);
        }
        let Some(id) = be16(irb, pos + 4) else { break };
        let name_len = usize::from(irb.get(pos + 6).copied().unwrap_or(0));
        // The name (length byte included) is padded to an even size.
        let size_at = pos + 6 + ((name_len + 2) & !1);
        let Some(size) = be32(irb, size_at) else {
            return (out, true);
        };
        let start = size_at + 4;
        let Some(data) = irb.get(start..start.saturating_add(size as usize)) else {
            return (out, true);
        };
        out.push(Resource { id, data });
        pos = start + ((data.len() + 1) & !1);
    }
    (out, false)
}

/// Reads a Photoshop resource block into the `iptc` and `photoshop` stores.
/// Returns a warning when the block is malformed (what came before is kept).
pub fn read_irb(irb: &[u8], iptc: &mut Store, photoshop: &mut Store) -> Option<String> {
    let (res, broken) = resources(irb);
    let mut warning = broken.then(|| "Photoshop resource block is malformed".to_string());
    let mut iptc_data: Option<&[u8]> = None;
    for r in &res {
        let tag = format!("0x{:04x} {}", r.id, resource_name(r.id));
        match r.id {
            RES_IPTC => {
                iptc_data = Some(r.data);
                if let Some(w) = read_iim(r.data, iptc) {
                    warning.get_or_insert(w);
                }
            }
            RES_IPTC_DIGEST => photoshop.push(&tag, &tag, hex(r.data)),
            _ => photoshop.push(&tag, &tag, format!("{} bytes", r.data.len())),
        }
    }
    let digest = res.iter().find(|r| r.id == RES_IPTC_DIGEST);
    if let (Some(d), Some(data)) = (digest, iptc_data) {
        // Adobe tools refresh the digest; other writers leave it stale.
        let current = Md5::digest(data).as_slice() == d.data;
        photoshop.push(
            "iptc_digest_current",
            "IPTCDigest current",
            if current { "yes" } else { "no" },
        );
    }
    warning
}

fn resource_name(id: u16) -> &'static str {
    match id {
        0x03ed => "ResolutionInfo",
        0x0404 => "IPTC-NAA",
        0x0409 | 0x040c => "PhotoshopThumbnail",
        0x040f => "ICC_Profile",
        0x0421 => "VersionInfo",
        0x0422 => "EXIFInfo",
        0x0424 => "XMP",
        0x0425 => "IPTCDigest",
        _ => "",
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One IIM dataset: record, dataset number and data.
struct DataSet<'a> {
    record: u8,
    number: u8,
    data: &'a [u8],
}

/// Walks IIM datasets: 0x1C, record, dataset, length (extended when the top
/// bit is set), data.
fn datasets(iim: &[u8]) -> (Vec<DataSet<'_>>, bool) {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < iim.len() && out.len() < MAX_RECORDS {
        if iim.get(pos) != Some(&0x1c) {
            // Padding zeros after the last dataset are common.
            let rest_is_padding = iim.get(pos..).is_some_and(|r| r.iter().all(|&b| b == 0));
            return (out, !rest_is_padding);
        }
        let (Some(&record), Some(&number), Some(len)) =
            (iim.get(pos + 1), iim.get(pos + 2), be16(iim, pos + 3))
        else {
            return (out, true);
        };
        let mut start = pos + 5;
        let mut size = usize::from(len);
        if len & 0x8000 != 0 {
            let n = usize::from(len & 0x7fff);
            let Some(bytes) = iim.get(start..start + n).filter(|_| n <= 4) else {
                return (out, true);
            };
            size = bytes.iter().fold(0, |acc, &b| (acc << 8) | usize::from(b));
            start += n;
        }
        let Some(data) = iim.get(start..start.saturating_add(size)) else {
            return (out, true);
        };
        out.push(DataSet {
            record,
            number,
            data,
        });
        pos = start + size;
    }
    (out, false)
}

/// Reads IIM datasets into the `iptc` store; returns a warning when broken.
pub fn read_iim(iim: &[u8], out: &mut Store) -> Option<String> {
    let (sets, broken) = datasets(iim);
    // 1:90 CodedCharacterSet `ESC % G` declares UTF-8.
    let utf8 = sets
        .iter()
        .any(|d| d.record == 1 && d.number == 90 && d.data == b"\x1b%G");
    let text = |d: &DataSet| decode(d.data, utf8);
    for d in &sets {
        let name = dataset_name(d.record, d.number);
        let tag = format!("{}:{:02} {name}", d.record, d.number);
        let tag = tag.trim_end();
        match (d.record, d.number) {
            (2, 55) => {
                let time = sets.iter().find(|t| t.record == 2 && t.number == 60);
                let time_raw = time.map(text).unwrap_or_default();
                let raw = format!("{} {time_raw}", text(d));
                out.push_date(key::CREATED, tag, raw, iim_date(&text(d), &time_raw));
            }
            (2, 62) => {
                let time = sets.iter().find(|t| t.record == 2 && t.number == 63);
                let time_raw = time.map(text).unwrap_or_default();
                let raw = format!("{} {time_raw}", text(d));
                out.push_date(tag, tag, raw, iim_date(&text(d), &time_raw));
            }
            (2, 60 | 63) => {} // folded into its date
            (1, 90) => out.push(tag, tag, hex(d.data)),
            (1, 0) | (2, 0) => {
                let n = d
                    .data
                    .iter()
                    .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
                out.push(tag, tag, n.to_string());
            }
            (r, n) => out.push(canonical(r, n).unwrap_or(tag), tag, text(d)),
        }
    }
    broken.then(|| "IPTC IIM data is malformed".to_string())
}

fn decode(b: &[u8], utf8: bool) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) if utf8 => String::from_utf8_lossy(b).into_owned(),
        // Without 1:90 the charset is unstated; Latin-1 is what writers meant.
        Err(_) => WINDOWS_1252.decode_without_bom_handling(b).0.into_owned(),
    }
}

/// `CCYYMMDD` and `HHMMSS±HHMM` (the time and its zone optional).
fn iim_date(date: &str, time: &str) -> Option<String> {
    let d = date.trim();
    let num = |s: &str, r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let (y, mo, day) = (num(d, 0..4)?, num(d, 4..6)?, num(d, 6..8)?);
    let t = time.trim();
    let (h, mi, s) = if t.len() >= 6 {
        (num(t, 0..2)?, num(t, 2..4)?, num(t, 4..6)?)
    } else {
        (0, 0, 0)
    };
    let zone = match (t.get(6..7), num(t, 7..9), num(t, 9..11)) {
        (Some(sign @ ("+" | "-")), Some(zh), Some(zm)) => {
            let m = (zh * 60 + zm) as i32;
            Some(if sign == "-" { -m } else { m })
        }
        _ => None,
    };
    dates::from_parts(y as i32, mo, day, h, mi, s, zone)
}

fn canonical(record: u8, number: u8) -> Option<&'static str> {
    Some(match (record, number) {
        (2, 5) => key::TITLE,
        (2, 25) => key::KEYWORDS,
        (2, 65) => key::CREATOR_TOOL,
        (2, 70) => key::APP_VERSION,
        (2, 80) => key::AUTHOR,
        (2, 116) => key::COPYRIGHT,
        (2, 120) => key::DESCRIPTION,
        _ => return None,
    })
}

fn dataset_name(record: u8, number: u8) -> &'static str {
    match (record, number) {
        (1, 0) => "EnvelopeRecordVersion",
        (1, 90) => "CodedCharacterSet",
        (2, 0) => "ApplicationRecordVersion",
        (2, 5) => "ObjectName",
        (2, 10) => "Urgency",
        (2, 15) => "Category",
        (2, 20) => "SupplementalCategories",
        (2, 25) => "Keywords",
        (2, 40) => "SpecialInstructions",
        (2, 55) => "DateCreated",
        (2, 62) => "DigitalCreationDate",
        (2, 65) => "OriginatingProgram",
        (2, 70) => "ProgramVersion",
        (2, 80) => "By-line",
        (2, 85) => "By-lineTitle",
        (2, 90) => "City",
        (2, 92) => "Sub-location",
        (2, 95) => "Province-State",
        (2, 100) => "Country-PrimaryLocationCode",
        (2, 101) => "Country-PrimaryLocationName",
        (2, 103) => "OriginalTransmissionReference",
        (2, 105) => "Headline",
        (2, 110) => "Credit",
        (2, 115) => "Source",
        (2, 116) => "CopyrightNotice",
        (2, 118) => "Contact",
        (2, 120) => "Caption-Abstract",
        (2, 122) => "Writer-Editor",
        _ => "",
    }
}

/// A fresh `iptc` store.
pub fn iptc_store() -> Store {
    Store::new(store::IPTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(record: u8, number: u8, data: &[u8]) -> Vec<u8> {
        let mut v = vec![0x1c, record, number];
        v.extend_from_slice(&(data.len() as u16).to_be_bytes());
        v.extend_from_slice(data);
        v
    }

    fn resource(id: u16, data: &[u8]) -> Vec<u8> {
        let mut v = b"8BIM".to_vec();
        v.extend_from_slice(&id.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&(data.len() as u32).to_be_bytes());
        v.extend_from_slice(data);
        if data.len() % 2 == 1 {
            v.push(0);
        }
        v
    }

    #[test]
    fn reads_iim_in_irb_with_digest() {
        let mut iim = dataset(1, 90, b"\x1b%G");
        iim.extend(dataset(2, 80, "Zoë".as_bytes()));
        iim.extend(dataset(2, 5, b"Title"));
        iim.extend(dataset(2, 55, b"20040226"));
        iim.extend(dataset(2, 60, b"093646+0100"));
        iim.extend(dataset(2, 25, b"a"));
        iim.extend(dataset(2, 25, b"b"));
        let mut irb = resource(RES_IPTC, &iim);
        irb.extend(resource(RES_IPTC_DIGEST, &Md5::digest(&iim)));
        let (mut iptc, mut ps) = (iptc_store(), Store::new(PHOTOSHOP_STORE));
        assert_eq!(read_irb(&irb, &mut iptc, &mut ps), None);
        assert_eq!(iptc.get(key::AUTHOR), Some("Zoë"));
        assert_eq!(iptc.get(key::TITLE), Some("Title"));
        let created = iptc.field(key::CREATED).unwrap();
        assert_eq!(created.date.as_deref(), Some("2004-02-26T09:36:46+01:00"));
        assert_eq!(
            iptc.fields
                .iter()
                .filter(|f| f.key == key::KEYWORDS)
                .count(),
            2
        );
        assert_eq!(ps.get("iptc_digest_current"), Some("yes"));
    }

    #[test]
    fn latin1_without_charset_and_stale_digest() {
        let iim = dataset(2, 80, b"Zo\xeb");
        let mut irb = resource(RES_IPTC, &iim);
        irb.extend(resource(RES_IPTC_DIGEST, &[0; 16]));
        let (mut iptc, mut ps) = (iptc_store(), Store::new(PHOTOSHOP_STORE));
        read_irb(&irb, &mut iptc, &mut ps);
        assert_eq!(iptc.get(key::AUTHOR), Some("Zoë"));
        assert_eq!(ps.get("iptc_digest_current"), Some("no"));
    }

    #[test]
    fn hostile_lengths_warn() {
        let mut iim = dataset(2, 80, b"ok");
        iim.extend_from_slice(&[0x1c, 2, 5, 0xff, 0xff, 1]);
        let mut iptc = iptc_store();
        assert!(read_iim(&iim, &mut iptc).is_some());
        assert_eq!(iptc.get(key::AUTHOR), Some("ok"));
        let mut irb = resource(RES_IPTC, &iim);
        irb.truncate(irb.len() - 3);
        irb.extend_from_slice(b"8BIM\x04\x04\xff");
        let mut ps = Store::new(PHOTOSHOP_STORE);
        assert!(read_irb(&irb, &mut iptc_store(), &mut ps).is_some());
        assert!(read_irb(b"garbage!garbage!", &mut iptc_store(), &mut ps).is_some());
    }
}
