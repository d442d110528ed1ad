//! Images: EXIF (IFD0, Exif, IFD1, GPS), XMP, IPTC, PNG text, thumbnail comparison.
//!
//! The containers (JPEG segments, PNG and WebP chunks) are walked here: each
//! walk is a few lines of length-prefixed records, and owning it lets every
//! length be checked against the buffer and every loop be capped. EXIF itself
//! goes to kamadak-exif ([`image_exif`](super::image_exif)), pixels to the
//! `image` crate ([`image_thumb`](super::image_thumb)), IPTC to [`iptc`](super::iptc).

use std::collections::BTreeMap;
use std::io::Read;

use encoding_rs::WINDOWS_1252;
use leakcheck_core::{DocMeta, ImageFacts, Kind, Store, Thumbnail, doc::key, doc::store};

use super::{DocLimits, dates, image_exif, image_thumb, iptc, xmp};
use crate::{ExtractError, Result};

/// Segments or chunks walked per file; real files have a few dozen.
const MAX_SEGMENTS: usize = 10_000;
/// Extended XMP packets (distinct GUIDs) reassembled per file.
const MAX_EXTENDED_XMP: usize = 4;
/// `Exif\0\0` candidates tried when scanning a HEIC file.
const MAX_SCAN_HITS: usize = 100;
const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXT_SIG: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// What a container walk finds, before it is interpreted.
#[derive(Default)]
struct Parts<'a> {
    /// The TIFF structure of the EXIF block and its offset in the file.
    exif: Option<(usize, &'a [u8])>,
    /// XMP packets (a JPEG's main and extended packets are one store).
    xmp: Vec<Vec<u8>>,
    /// Photoshop resource blocks (JPEG APP13, possibly split over segments).
    irb: Vec<u8>,
    /// JPEG COM segments.
    comments: Vec<String>,
    /// PNG text chunks and tIME.
    png_text: Option<Store>,
    /// Pixel size from the container (SOF, IHDR, VP8X, ispe).
    size: Option<(u32, u32)>,
    /// A JFIF extension (JFXX) JPEG thumbnail: offset and length.
    jfxx: Option<(usize, usize)>,
}

/// Reads an image's metadata.
pub fn read(kind: Kind, bytes: &[u8], limits: &DocLimits) -> Result<DocMeta> {
    let mut meta = DocMeta::new(kind.as_str());
    let w = &mut meta.warnings;
    let parts = match kind {
        Kind::Jpeg => jpeg(bytes, limits, w)?,
        Kind::Png => png(bytes, limits, w)?,
        Kind::Webp => webp(bytes, w)?,
        Kind::Tiff => Parts {
            exif: Some((0, bytes)),
            ..Parts::default()
        },
        Kind::Heic => heic(bytes),
        _ => Parts::default(),
    };
    interpret(kind, bytes, parts, limits, &mut meta);
    Ok(meta)
}

fn interpret(kind: Kind, bytes: &[u8], mut parts: Parts, limits: &DocLimits, meta: &mut DocMeta) {
    let exif = parts
        .exif
        .and_then(|(off, tiff)| Some((off, image_exif::read(tiff, limits.max_part_bytes, &mut meta.warnings)?)));
    let (mut iptc_store, mut ps_store) = (iptc::iptc_store(), Store::new(iptc::PHOTOSHOP_STORE));
    if let Some((_, e)) = &exif {
        meta.stores.extend(e.stores.iter().cloned());
        parts.xmp.extend(e.xmp.clone());
        if let Some(iim) = &e.iptc {
            meta.warnings.extend(iptc::read_iim(iim, &mut iptc_store));
        }
        if let Some(irb) = &e.irb {
            meta.warnings.extend(iptc::read_irb(irb, &mut iptc_store, &mut ps_store));
        }
    }
    add_xmp(&parts.xmp, meta);
    if !parts.irb.is_empty() {
        meta.warnings.extend(iptc::read_irb(&parts.irb, &mut iptc_store, &mut ps_store));
    }
    meta.add(iptc_store);
    meta.add(ps_store);
    let mut comments = Store::new(store::JPEG_COMMENT);
    for c in &parts.comments {
        comments.push("COM", "COM", c.as_str());
    }
    meta.add(comments);
    if let Some(t) = parts.png_text.take() {
        meta.add(t);
    }
    let size = parts.size.or(exif.as_ref().and_then(|(_, e)| e.size));
    let thumb = exif
        .as_ref()
        .and_then(|(off, e)| Some(((*off as u64).checked_add(e.thumbnail?.0)?, e.thumbnail?.1)))
        .or(parts.jfxx.map(|(o, l)| (o as u64, l as u64)));
    let orientation = exif.as_ref().and_then(|(_, e)| e.orientation);
    let thumbnail = thumb.map(|(off, len)| thumbnail(kind, bytes, off, len, orientation, limits, &mut meta.warnings));
    if size.is_some() || thumbnail.is_some() {
        meta.image = Some(ImageFacts {
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            thumbnail,
        });
    }
}

/// Main and extended packets are one XMP store (the extension only exists
/// because a JPEG segment holds 64 KiB).
fn add_xmp(packets: &[Vec<u8>], meta: &mut DocMeta) {
    let mut out = Store::new(store::XMP);
    for p in packets {
        let (s, warning) = xmp::parse(p);
        out.fields.extend(s.fields);
        meta.warnings.extend(warning);
    }
    meta.add(out);
}

/// Locates, measures and compares the thumbnail at `off..off + len`.
fn thumbnail(
    kind: Kind,
    bytes: &[u8],
    off: u64,
    len: u64,
    orientation: Option<u8>,
    limits: &DocLimits,
    warnings: &mut Vec<String>,
) -> Thumbnail {
    let mut t = Thumbnail {
        offset: off,
        length: len,
        ..Thumbnail::default()
    };
    let data = usize::try_from(off)
        .ok()
        .zip(usize::try_from(off.saturating_add(len)).ok())
        .and_then(|(a, b)| bytes.get(a..b));
    let Some(data) = data else {
        warnings.push(format!("thumbnail at {off}+{len} lies outside the file"));
        return t;
    };
    let decoded = image_thumb::decode(data, limits.max_pixels);
    let Ok(small) = decoded else {
        (t.width, t.height) = jpeg_size(data).unwrap_or_default();
        warnings.push("thumbnail does not decode".into());
        return t;
    };
    (t.width, t.height) = (small.width(), small.height());
    if kind == Kind::Heic {
        return t; // the image crate has no HEVC decoder
    }
    match image_thumb::decode(bytes, limits.max_pixels) {
        Ok(main) => {
            let c = image_thumb::compare(&small, main, orientation);
            t.mean_difference = c.mean_difference;
            t.hash_distance = c.hash_distance;
            t.aspect_differs = c.aspect_differs;
        }
        Err(e) => warnings.push(format!("thumbnail not compared: image {e}")),
    }
    t
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One JPEG marker segment: marker, offset of its data, data.
struct Segment<'a> {
    marker: u8,
    at: usize,
    data: &'a [u8],
}

/// The marker segments before the first scan, and what stopped the walk
/// early (a truncated file).
fn segments(b: &[u8]) -> (Vec<Segment<'_>>, Option<&'static str>) {
    let mut out = Vec::new();
    let mut pos = 2;
    while out.len() < MAX_SEGMENTS {
        while b.get(pos) == Some(&0xff) && b.get(pos + 1) == Some(&0xff) {
            pos += 1; // fill bytes
        }
        let (Some(&0xff), Some(&marker)) = (b.get(pos), b.get(pos + 1)) else {
            return (out, Some("JPEG ends or breaks before its image data"));
        };
        pos += 2;
        match marker {
            0xd9 | 0xda => return (out, None),
            0x01 | 0xd0..=0xd7 => continue,
            _ => {}
        }
        let Some(len) = be16(b, pos).map(usize::from).filter(|&l| l >= 2) else {
            return (out, Some("JPEG segment length is missing or invalid"));
        };
        let Some(data) = b.get(pos + 2..pos + len) else {
            return (out, Some("JPEG segment is truncated"));
        };
        out.push(Segment {
            marker,
            at: pos + 2,
            data,
        });
        pos += len;
    }
    (out, Some("JPEG has too many segments"))
}

fn is_sof(marker: u8) -> bool {
    matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc)
}

/// Width and height from the first SOF segment.
fn sof_size(data: &[u8]) -> Option<(u32, u32)> {
    let h = be16(data, 1)?;
    let w = be16(data, 3)?;
    Some((u32::from(w), u32::from(h)))
}

fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    segments(b).0.iter().find(|s| is_sof(s.marker)).and_then(|s| sof_size(s.data))
}

fn jpeg<'a>(b: &'a [u8], limits: &DocLimits, warnings: &mut Vec<String>) -> Result<Parts<'a>> {
    if !b.starts_with(&[0xff, 0xd8]) {
        return Err(ExtractError::malformed("jpeg", "no SOI marker"));
    }
    let (segs, problem) = segments(b);
    warnings.extend(problem.map(String::from));
    let mut p = Parts::default();
    let mut extended = Vec::new();
    for s in &segs {
        let d = s.data;
        match s.marker {
            0xe1 if d.starts_with(b"Exif\0") && p.exif.is_none() => {
                p.exif = d.get(6..).map(|t| (s.at + 6, t));
            }
            0xe1 if d.starts_with(XMP_SIG) => p.xmp.extend(d.get(XMP_SIG.len()..).map(<[u8]>::to_vec)),
            0xe1 if d.starts_with(XMP_EXT_SIG) => extended.extend(d.get(XMP_EXT_SIG.len()..)),
            0xed if d.starts_with(b"Photoshop 3.0\0") => p.irb.extend_from_slice(d.get(14..).unwrap_or_default()),
            0xfe => p.comments.push(latin1_or_utf8(d)),
            0xe0 if d.starts_with(b"JFXX\0") && d.get(5) == Some(&0x10) => p.jfxx = Some((s.at + 6, d.len() - 6)),
            m if is_sof(m) && p.size.is_none() => p.size = sof_size(d),
            _ => {}
        }
    }
    p.xmp.extend(extended_xmp(&extended, limits.max_part_bytes, warnings));
    Ok(p)
}

/// Reassembles Extended XMP: chunks of GUID (32), full length, offset, data.
fn extended_xmp(chunks: &[&[u8]], cap: u64, warnings: &mut Vec<String>) -> Vec<Vec<u8>> {
    let mut by_guid: BTreeMap<&[u8], (usize, Vec<(usize, &[u8])>)> = BTreeMap::new();
    for c in chunks {
        let (Some(guid), Some(total), Some(off), Some(data)) = (c.get(..32), be32(c, 32), be32(c, 36), c.get(40..))
        else {
            warnings.push("Extended XMP chunk is truncated".into());
            continue;
        };
        if by_guid.len() >= MAX_EXTENDED_XMP && !by_guid.contains_key(guid) {
            continue;
        }
        let entry = by_guid.entry(guid).or_insert((total as usize, Vec::new()));
        entry.1.push((off as usize, data));
    }
    let mut out = Vec::new();
    for (total, parts) in by_guid.into_values() {
        let have: usize = parts.iter().map(|(_, d)| d.len()).sum();
        // The declared length may lie; the chunks must actually cover it.
        if total as u64 > cap || have < total {
            warnings.push("Extended XMP is incomplete or too large".into());
            continue;
        }
        let mut buf = vec![0u8; total];
        for (off, d) in parts {
            if let Some(dst) = buf.get_mut(off..off.saturating_add(d.len())) {
                dst.copy_from_slice(d);
            }
        }
        out.push(buf);
    }
    out
}

fn latin1_or_utf8(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(b).0.into_owned(),
    }
}

fn png<'a>(b: &'a [u8], limits: &DocLimits, warnings: &mut Vec<String>) -> Result<Parts<'a>> {
    if !b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(ExtractError::malformed("png", "no PNG signature"));
    }
    let mut p = Parts::default();
    let mut text = Store::new(store::PNG_TEXT);
    let mut pos = 8;
    for _ in 0..MAX_SEGMENTS {
        let (Some(len), Some(typ)) = (be32(b, pos), b.get(pos + 4..pos + 8)) else {
            warnings.push("PNG ends without IEND".into());
            break;
        };
        let start = pos + 8;
        let Some(data) = b.get(start..start.saturating_add(len as usize)) else {
            warnings.push("PNG chunk is truncated".into());
            break;
        };
        match typ {
            b"IHDR" => p.size = be32(data, 0).zip(be32(data, 4)),
            b"tEXt" | b"zTXt" | b"iTXt" => png_text(typ, data, limits, &mut p, &mut text, warnings),
            b"tIME" => png_time(data, &mut text),
            b"eXIf" => p.exif = Some((start, data)),
            b"IEND" => break,
            _ => {}
        }
        pos = start + data.len() + 4;
    }
    p.png_text = Some(text);
    Ok(p)
}

/// tEXt (Latin-1), zTXt (deflated Latin-1), iTXt (UTF-8, maybe deflated).
fn png_text(
    typ: &[u8],
    data: &[u8],
    limits: &DocLimits,
    p: &mut Parts,
    out: &mut Store,
    warnings: &mut Vec<String>,
) {
    let Some(nul) = data.iter().position(|&c| c == 0) else { return };
    let keyword = WINDOWS_1252.decode_without_bom_handling(&data[..nul]).0.into_owned();
    let rest = &data[nul + 1..];
    let (raw, compressed, utf8) = match typ {
        b"tEXt" => (rest, false, false),
        b"zTXt" => (rest.get(1..).unwrap_or_default(), true, false),
        _ => {
            let flag = rest.first().copied().unwrap_or(0);
            // compression flag, method, language tag\0, translated keyword\0
            let mut t = rest.get(2..).unwrap_or_default();
            for _ in 0..2 {
                let n = t.iter().position(|&c| c == 0).map_or(t.len(), |n| n + 1);
                t = &t[n..];
            }
            (t, flag == 1, true)
        }
    };
    let bytes = if compressed {
        match inflate(raw, limits.max_part_bytes) {
            Some(v) => v,
            None => {
                warnings.push(format!("PNG text {keyword:?} does not inflate within limits"));
                return;
            }
        }
    } else {
        raw.to_vec()
    };
    if keyword == "XML:com.adobe.xmp" {
        p.xmp.push(bytes);
        return;
    }
    let value = if utf8 {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        WINDOWS_1252.decode_without_bom_handling(&bytes).0.into_owned()
    };
    match png_key(&keyword) {
        Some(k) if k == key::CREATED => {
            let date = png_date(&value);
            out.push_date(k, &keyword, value, date);
        }
        k => out.push(k.unwrap_or(&keyword), &keyword, value),
    }
}

fn png_key(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "Title" => key::TITLE,
        "Author" => key::AUTHOR,
        "Description" => key::DESCRIPTION,
        "Copyright" => key::COPYRIGHT,
        "Creation Time" => key::CREATED,
        "Software" => key::SOFTWARE,
        _ => return None,
    })
}

/// PNG's Creation Time is free text; RFC 1123 is recommended, EXIF-style
/// and ISO are common.
fn png_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    chrono::DateTime::parse_from_rfc2822(s)
        .ok()
        .and_then(|d| dates::iso(&d.to_rfc3339()))
        .or_else(|| if s.get(4..5) == Some(":") { dates::exif(s) } else { dates::iso(s) })
}

/// tIME: the last modification, in UTC.
fn png_time(d: &[u8], out: &mut Store) {
    let (Some(y), Some(&[mo, day, h, mi, s])) = (be16(d, 0), d.get(2..7)) else { return };
    let raw = format!("{y:04}:{mo:02}:{day:02} {h:02}:{mi:02}:{s:02}");
    let date = dates::from_parts(
        i32::from(y),
        u32::from(mo),
        u32::from(day),
        u32::from(h),
        u32::from(mi),
        u32::from(s),
        Some(0),
    );
    out.push_date(key::MODIFIED, "tIME", raw, date);
}

fn inflate(data: &[u8], max: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut z = flate2::read::ZlibDecoder::new(data).take(max.saturating_add(1));
    z.read_to_end(&mut out).ok()?;
    (out.len() as u64 <= max).then_some(out)
}

fn webp<'a>(b: &'a [u8], warnings: &mut Vec<String>) -> Result<Parts<'a>> {
    if !(b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP")) {
        return Err(ExtractError::malformed("webp", "no RIFF WEBP header"));
    }
    let mut p = Parts::default();
    let mut pos = 12;
    for _ in 0..MAX_SEGMENTS {
        let (Some(fourcc), Some(len)) = (b.get(pos..pos + 4), le32(b, pos + 4)) else { break };
        let start = pos + 8;
        let Some(data) = b.get(start..start.saturating_add(len as usize)) else {
            warnings.push("WebP chunk is truncated".into());
            break;
        };
        match fourcc {
            b"VP8X" => p.size = vp8x_size(data),
            b"VP8 " if p.size.is_none() => p.size = vp8_size(data),
            b"VP8L" if p.size.is_none() => p.size = vp8l_size(data),
            b"EXIF" => {
                // Some writers keep the JPEG `Exif\0\0` prefix.
                let skip = if data.starts_with(b"Exif\0\0") { 6 } else { 0 };
                p.exif = data.get(skip..).map(|t| (start + skip, t));
            }
            b"XMP " => p.xmp.push(data.to_vec()),
            _ => {}
        }
        pos = start + data.len() + (data.len() & 1);
    }
    Ok(p)
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn vp8x_size(d: &[u8]) -> Option<(u32, u32)> {
    Some((le24(d, 4)? + 1, le24(d, 7)? + 1))
}

fn vp8_size(d: &[u8]) -> Option<(u32, u32)> {
    if d.get(3..6) != Some(&[0x9d, 0x01, 0x2a]) {
        return None;
    }
    let w = u32::from(u16::from_le_bytes(d.get(6..8)?.try_into().ok()?) & 0x3fff);
    let h = u32::from(u16::from_le_bytes(d.get(8..10)?.try_into().ok()?) & 0x3fff);
    Some((w, h))
}

fn vp8l_size(d: &[u8]) -> Option<(u32, u32)> {
    if d.first() != Some(&0x2f) {
        return None;
    }
    let v = le32(d, 1)?;
    Some(((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1))
}

/// HEIC: a raw scan rather than an ISO-BMFF walk. The Exif item starts with
/// `Exif\0\0` and a TIFF header; the XMP item is a plain packet; the largest
/// `ispe` (image spatial extents) box is the full image, not a grid tile.
fn heic(b: &[u8]) -> Parts<'_> {
    let mut p = Parts::default();
    let mut from = 0;
    for _ in 0..MAX_SCAN_HITS {
        let Some(i) = b.get(from..).and_then(|r| find(r, b"Exif\0\0")).map(|i| from + i) else { break };
        let tiff = &b[i + 6..];
        if tiff.starts_with(b"MM\0\x2a") || tiff.starts_with(b"II\x2a\0") {
            p.exif = Some((i + 6, tiff));
            break;
        }
        from = i + 6;
    }
    if let Some(start) = find(b, b"<x:xmpmeta") {
        let end = find(&b[start..], b"</x:xmpmeta>").map_or(b.len(), |e| start + e + 12);
        p.xmp.push(b[start..end].to_vec());
    }
    let mut from = 0;
    for _ in 0..MAX_SCAN_HITS {
        let Some(i) = b.get(from..).and_then(|r| find(r, b"ispe")).map(|i| from + i) else { break };
        if let Some(s) = be32(b, i + 8).zip(be32(b, i + 12)) {
            let area = |s: (u32, u32)| u64::from(s.0) * u64::from(s.1);
            if p.size.is_none_or(|old| area(s) > area(old)) {
                p.size = Some(s);
            }
        }
        from = i + 4;
    }
    p
}
