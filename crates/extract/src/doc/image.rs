//! Images: EXIF (IFD0, Exif, IFD1, GPS), XMP, IPTC, PNG text, thumbnail comparison.
//!
//! The containers (JPEG segments, PNG and WebP chunks) are walked here: each
//! walk is a few lines of length-prefixed records, and owning it lets every
//! length be checked against the buffer and every loop be capped. EXIF itself
//! goes to kamadak-exif ([`image_exif`](super::image_exif)), pixels to the
//! `image` crate ([`image_thumb`](super::image_thumb)), IPTC to [`iptc`](super::iptc).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use leakcheck_core::{DocMeta, ImageFacts, Kind, Store, Thumbnail, doc::key, doc::store};

pub use super::image_thumb::{COLUMNS, REGION_DIFFERS, REGION_RATIO, ROWS, changed_regions};

use super::bytes::{be16, be32, u32_at as le32};
use super::{DocLimits, dates, image_exif, image_thumb, iptc, xmp};
use crate::{ExtractError, Result};

/// Segments or chunks walked per file; real files have a few dozen.
const MAX_SEGMENTS: usize = 10_000;
/// Extended XMP packets (distinct GUIDs) reassembled per file.
const MAX_EXTENDED_XMP: usize = 4;
/// `Exif\0\0` candidates tried when scanning a HEIC file.
const MAX_SCAN_HITS: usize = 100;
/// Standard XMP in APP1; some writers put a space before the NUL.
const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/";
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

/// The perceptual hash of an image file (64-bit gradient hash, after EXIF
/// orientation), for finding re-encoded, resized or lightly cropped copies.
/// Compare two with the Hamming distance of their bits.
pub fn perceptual_hash(
    kind: Kind,
    bytes: &[u8],
    limits: &DocLimits,
) -> std::result::Result<u64, String> {
    let orientation = read(kind, bytes, limits).ok().and_then(|m| {
        let ifd0 = m.store(store::EXIF_IFD0)?;
        let f = ifd0.fields.iter().find(|f| f.tag.starts_with("0x0112"))?;
        f.value.parse::<u8>().ok()
    });
    let image = image_thumb::decode(bytes, limits.max_pixels)?;
    Ok(image_thumb::perceptual_hash(image, orientation))
}

/// A PNG picture of where an image differs from its EXIF thumbnail: the
/// thumbnail, the image as compared, and their difference, with the
/// `changed` grid cells (see [`image_thumb::changed_regions`]) framed.
pub fn difference_picture(
    kind: Kind,
    bytes: &[u8],
    limits: &DocLimits,
    changed: &[usize],
) -> std::result::Result<Vec<u8>, String> {
    let meta = read(kind, bytes, limits).map_err(|e| e.to_string())?;
    let t = meta
        .image
        .as_ref()
        .and_then(|i| i.thumbnail.as_ref())
        .ok_or("no thumbnail")?;
    let orientation = meta.store(store::EXIF_IFD0).and_then(|s| {
        let f = s.fields.iter().find(|f| f.tag.starts_with("0x0112"))?;
        f.value.parse::<u8>().ok()
    });
    let data = usize::try_from(t.offset)
        .ok()
        .zip(usize::try_from(t.offset.saturating_add(t.length)).ok())
        .and_then(|(a, b)| bytes.get(a..b))
        .ok_or("thumbnail outside the file")?;
    let small = image_thumb::decode(data, limits.max_pixels)?;
    let main = image_thumb::decode(bytes, limits.max_pixels)?;
    let picture = image_thumb::difference_picture(&small, main, orientation, changed)
        .ok_or("empty picture")?;
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}

/// Two image files (a dump's item and an outside copy) compared region by
/// region, the second's proportions kept.
pub fn compare_pictures(
    reference: &[u8],
    other: &[u8],
    max_pixels: u64,
) -> std::result::Result<leakcheck_core::doc::Regions, String> {
    let a = image_thumb::decode(reference, max_pixels)?;
    let b = image_thumb::decode(other, max_pixels)?;
    Ok(image_thumb::compare_images(&a, &b))
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
    let exif = parts.exif.and_then(|(off, tiff)| {
        Some((
            off,
            image_exif::read(tiff, limits.max_part_bytes, &mut meta.warnings)?,
        ))
    });
    let (mut iptc_store, mut ps_store) = (iptc::iptc_store(), Store::new(iptc::PHOTOSHOP_STORE));
    if let Some((_, e)) = &exif {
        meta.stores.extend(e.stores.iter().cloned());
        parts.xmp.extend(e.xmp.clone());
        if let Some(iim) = &e.iptc {
            meta.warnings.extend(iptc::read_iim(iim, &mut iptc_store));
        }
        if let Some(irb) = &e.irb {
            meta.warnings
                .extend(iptc::read_irb(irb, &mut iptc_store, &mut ps_store));
        }
    }
    add_xmp(&parts.xmp, meta);
    if !parts.irb.is_empty() {
        meta.warnings
            .extend(iptc::read_irb(&parts.irb, &mut iptc_store, &mut ps_store));
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
    let thumbnail = thumb.map(|(off, len)| {
        thumbnail(
            kind,
            bytes,
            off,
            len,
            orientation,
            limits,
            &mut meta.warnings,
        )
    });
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
        let (s, warning) = xmp::parse(&as_utf8(p));
        out.fields.extend(s.fields);
        meta.warnings.extend(warning);
    }
    meta.add(out);
}

/// XMP may be UTF-16 or UTF-32 (ISO 16684-1 §7.1); the XML reader wants UTF-8.
/// The encoding shows in the first character, `<` or the BOM.
fn as_utf8(p: &[u8]) -> Cow<'_, [u8]> {
    let utf32 = |le: bool| -> Vec<u8> {
        let units = p.chunks_exact(4).filter_map(|c| {
            let b: [u8; 4] = c.try_into().ok()?;
            char::from_u32(if le {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            })
        });
        units.collect::<String>().into_bytes()
    };
    match p.get(..4) {
        Some([0, 0, _, _]) => Cow::Owned(utf32(false)),
        Some([_, _, 0, 0]) if p.first() != Some(&0) => Cow::Owned(utf32(true)),
        Some([0, _, ..] | [0xfe, 0xff, ..]) => {
            Cow::Owned(UTF_16BE.decode(p).0.into_owned().into_bytes())
        }
        Some([_, 0, ..] | [0xff, 0xfe, ..]) => {
            Cow::Owned(UTF_16LE.decode(p).0.into_owned().into_bytes())
        }
        _ => Cow::Borrowed(p),
    }
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
            t.turned = c.turned;
            t.regions = c.regions;
        }
        Err(e) => warnings.push(format!("thumbnail not compared: image {e}")),
    }
    t
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
    segments(b)
        .0
        .iter()
        .find(|s| is_sof(s.marker))
        .and_then(|s| sof_size(s.data))
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
            0xe1 if d.starts_with(XMP_SIG) => {
                let nul = d.iter().take(XMP_SIG.len() + 2).position(|&c| c == 0);
                p.xmp
                    .extend(nul.and_then(|n| d.get(n + 1..)).map(<[u8]>::to_vec));
            }
            0xe1 if d.starts_with(XMP_EXT_SIG) => extended.extend(d.get(XMP_EXT_SIG.len()..)),
            0xed if d.starts_with(b"Photoshop 3.0\0") => {
                p.irb.extend_from_slice(d.get(14..).unwrap_or_default())
            }
            0xfe => p.comments.push(latin1_or_utf8(d)),
            0xe0 if d.starts_with(b"JFXX\0") && d.get(5) == Some(&0x10) => {
                p.jfxx = Some((s.at + 6, d.len() - 6))
            }
            m if is_sof(m) && p.size.is_none() => p.size = sof_size(d),
            _ => {}
        }
    }
    p.xmp
        .extend(extended_xmp(&extended, limits.max_part_bytes, warnings));
    Ok(p)
}

/// One Extended XMP packet being gathered: declared length, (offset, data) chunks.
type ExtendedParts<'a> = (usize, Vec<(usize, &'a [u8])>);

/// Reassembles Extended XMP: chunks of GUID (32), full length, offset, data.
fn extended_xmp(chunks: &[&[u8]], cap: u64, warnings: &mut Vec<String>) -> Vec<Vec<u8>> {
    let mut by_guid: BTreeMap<&[u8], ExtendedParts> = BTreeMap::new();
    for c in chunks {
        let (Some(guid), Some(total), Some(off), Some(data)) =
            (c.get(..32), be32(c, 32), be32(c, 36), c.get(40..))
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
    let Some(nul) = data.iter().position(|&c| c == 0) else {
        return;
    };
    let keyword = WINDOWS_1252
        .decode_without_bom_handling(&data[..nul])
        .0
        .into_owned();
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
                warnings.push(format!(
                    "PNG text {keyword:?} does not inflate within limits"
                ));
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
        WINDOWS_1252
            .decode_without_bom_handling(&bytes)
            .0
            .into_owned()
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
        .or_else(|| {
            if s.get(4..5) == Some(":") {
                dates::exif(s)
            } else {
                dates::iso(s)
            }
        })
}

/// tIME: the last modification, in UTC.
fn png_time(d: &[u8], out: &mut Store) {
    let (Some(y), Some(&[mo, day, h, mi, s])) = (be16(d, 0), d.get(2..7)) else {
        return;
    };
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
        let (Some(fourcc), Some(len)) = (b.get(pos..pos + 4), le32(b, pos + 4)) else {
            break;
        };
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
        let Some(i) = b
            .get(from..)
            .and_then(|r| find(r, b"Exif\0\0"))
            .map(|i| from + i)
        else {
            break;
        };
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
        let Some(i) = b
            .get(from..)
            .and_then(|r| find(r, b"ispe"))
            .map(|i| from + i)
        else {
            break;
        };
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

#[cfg(test)]
mod tests {
    use crate::doc::testing::corpus;

    use ::image::codecs::jpeg::JpegEncoder;
    use ::image::{DynamicImage, ImageEncoder, RgbImage, imageops};

    use super::*;

    /// One IFD entry to lay out: tag, type, count, value bytes.
    struct Entry(u16, u16, u32, Vec<u8>);

    fn ascii(tag: u16, s: &str) -> Entry {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        Entry(tag, 2, v.len() as u32, v)
    }

    fn long(tag: u16, n: u32) -> Entry {
        Entry(tag, 4, 1, n.to_be_bytes().to_vec())
    }

    /// A big-endian IFD at `at`: entries, next-IFD offset, then the values.
    fn ifd(entries: &[Entry], at: usize, next: u32) -> Vec<u8> {
        let data_at = at + 2 + 12 * entries.len() + 4;
        let (mut head, mut data) = ((entries.len() as u16).to_be_bytes().to_vec(), Vec::new());
        for Entry(tag, typ, count, value) in entries {
            head.extend(tag.to_be_bytes());
            head.extend(typ.to_be_bytes());
            head.extend(count.to_be_bytes());
            if value.len() <= 4 {
                let mut v = value.clone();
                v.resize(4, 0);
                head.extend(v);
            } else {
                head.extend(((data_at + data.len()) as u32).to_be_bytes());
                data.extend(value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        head.extend(next.to_be_bytes());
        head.extend(data);
        head
    }

    /// TIFF with IFD0 (Make, Model, Software, DateTime) and an IFD1 JPEG thumbnail.
    fn tiff(thumb: &[u8]) -> Vec<u8> {
        let ifd0 = [
            ascii(0x010f, "Canon"),
            ascii(0x0110, "Canon EOS 40D"),
            ascii(0x0131, "GIMP 2.10"),
            ascii(0x0132, "2009:10:02 23:02:49"),
        ];
        let size0 = ifd(&ifd0, 8, 0).len();
        let ifd1_at = 8 + size0;
        let thumb_at = ifd1_at + 2 + 12 * 3 + 4;
        let ifd1 = [
            Entry(0x0103, 3, 1, 6u16.to_be_bytes().to_vec()),
            long(0x0201, thumb_at as u32),
            long(0x0202, thumb.len() as u32),
        ];
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
        t.extend(ifd(&ifd0, 8, ifd1_at as u32));
        t.extend(ifd(&ifd1, ifd1_at, 0));
        t.extend(thumb);
        t
    }

    fn encode(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ::image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn picture() -> RgbImage {
        RgbImage::from_fn(96, 72, |x, y| {
            let v = |n: u32| (n % 256) as u8;
            ::image::Rgb([v(x * 3), v(y * 3), v(40 + (x + y) * 2)])
        })
    }

    fn with_exif(main: &[u8], tiff: &[u8]) -> Vec<u8> {
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = main[..2].to_vec();
        out.extend([0xff, 0xe1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&main[2..]);
        out
    }

    fn small(img: &RgbImage) -> Vec<u8> {
        encode(&imageops::resize(
            img,
            24,
            18,
            imageops::FilterType::Triangle,
        ))
    }

    fn read_jpeg(bytes: &[u8]) -> DocMeta {
        read(Kind::Jpeg, bytes, &DocLimits::default()).unwrap()
    }

    fn encode_q(img: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ::image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    /// The corpus's real pictures stored as a camera stores a photo (the
    /// image, and a 160-pixel-wide thumbnail of it in EXIF), then
    /// re-encoded, resized and turned the way tools do it while keeping the
    /// EXIF block: no region may stand out. A box painted over part of the
    /// same pictures must.
    #[test]
    fn clean_photos_show_no_changed_region_and_a_painted_box_does() {
        let scenes = [
            "tika/testJPEG_EXIF.jpg",
            "tika/testJPEG_GEO.jpg",
            "tika/testJPEG_commented_pspcs2mac.jpg",
            "tika/testJPEG_commented_xnviewmp026.jpg",
            "tika/testJPEG_EXIF_emptyDateTime.jpg",
            "tika/testPNG.png",
            "exiftool/GPS.jpg",
        ];
        let mut worst: f32 = 0.0;
        for name in scenes {
            let Some(bytes) = corpus(name) else {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "{name} is required in CI"
                );
                continue;
            };
            let small_scene = ::image::load_from_memory(&bytes).unwrap().to_rgb8();
            // A photo-sized picture of the scene (cameras shoot thousands of pixels).
            let (w, h) = (small_scene.width() * 8, small_scene.height() * 8);
            let photo = imageops::resize(&small_scene, w, h, imageops::FilterType::CatmullRom);
            let thumb = encode_q(
                &imageops::resize(&photo, 160, 160 * h / w, imageops::FilterType::Triangle),
                75,
            );
            let exif = tiff(&thumb);
            let variants: [(&str, RgbImage, u8, Option<u16>); 6] = [
                ("as shot", photo.clone(), 92, None),
                ("re-encoded", photo.clone(), 55, None),
                (
                    "resized",
                    imageops::resize(&photo, w / 2, h / 2, imageops::FilterType::Lanczos3),
                    85,
                    None,
                ),
                ("turned 90°", imageops::rotate90(&photo), 90, Some(90)),
                ("turned 180°", imageops::rotate180(&photo), 90, Some(180)),
                ("turned 270°", imageops::rotate270(&photo), 90, Some(270)),
            ];
            for (how, img, quality, turned) in variants {
                let meta = read_jpeg(&with_exif(&encode_q(&img, quality), &exif));
                let t = meta.image.unwrap().thumbnail.unwrap();
                let r = t.regions.as_ref().unwrap();
                let changed = changed_regions(r);
                assert!(changed.is_empty(), "{name} {how}: {changed:?} in {r:?}");
                assert!(t.mean_difference.unwrap() < 15.0, "{name} {how}: {t:?}");
                assert!(!t.aspect_differs, "{name} {how}: {t:?}");
                // A picture that looks the same turned (a flat one) need not say it was.
                assert!(
                    t.turned == turned || t.mean_difference.unwrap() < 1.0,
                    "{name} {how}: {t:?}"
                );
                worst = r.mean_difference.iter().copied().fold(worst, f32::max);
            }
            // A box over 55-80 % across, 20-40 % down: row 3, column 6 is in it.
            // Dark on a light picture, light on a dark one (GPS.jpg is nearly
            // black: a black box there changes nothing anyone could see).
            let (xs, ys) = (w * 55 / 100..w * 80 / 100, h * 20 / 100..h * 40 / 100);
            let sum: u64 = ys
                .clone()
                .flat_map(|y| xs.clone().map(move |x| (x, y)))
                .map(|(x, y)| {
                    photo
                        .get_pixel(x, y)
                        .0
                        .iter()
                        .map(|&c| u64::from(c))
                        .sum::<u64>()
                })
                .sum();
            let area = (xs.len() * ys.len()).max(1) as u64;
            let ink = if sum / area / 3 > 127 { 12 } else { 243 };
            let mut boxed = photo.clone();
            for y in ys {
                for x in xs.clone() {
                    boxed.put_pixel(x, y, ::image::Rgb([ink, ink, ink]));
                }
            }
            let meta = read_jpeg(&with_exif(&encode_q(&boxed, 90), &exif));
            let t = meta.image.unwrap().thumbnail.unwrap();
            let changed = changed_regions(t.regions.as_ref().unwrap());
            assert!(
                changed.contains(&(2 * 8 + 5)),
                "{name} boxed: {changed:?} {t:?}"
            );
            assert!(
                changed
                    .iter()
                    .all(|c| (1..=3).contains(&(c / 8)) && (4..=6).contains(&(c % 8))),
                "{name} boxed: {changed:?}"
            );
            let png = difference_picture(
                Kind::Jpeg,
                &with_exif(&encode_q(&boxed, 90), &exif),
                &DocLimits::default(),
                &changed,
            )
            .unwrap();
            assert!(png.starts_with(b"\x89PNG"));
        }
        eprintln!("largest region difference on clean photos: {worst} %");
    }

    #[test]
    fn exif_stores_and_matching_thumbnail() {
        let img = picture();
        let file = with_exif(&encode(&img), &tiff(&small(&img)));
        let meta = read_jpeg(&file);
        let ifd0 = meta.store(store::EXIF_IFD0).unwrap();
        assert_eq!(ifd0.get(key::MAKE), Some("Canon"));
        assert_eq!(ifd0.get(key::MODEL), Some("Canon EOS 40D"));
        assert_eq!(ifd0.get(key::SOFTWARE), Some("GIMP 2.10"));
        assert_eq!(
            ifd0.field(key::MODIFIED).unwrap().date.as_deref(),
            Some("2009-10-02T23:02:49")
        );
        assert_eq!(ifd0.fields[1].tag, "0x0110 Model");
        let facts = meta.image.unwrap();
        assert_eq!((facts.width, facts.height), (Some(96), Some(72)));
        let t = facts.thumbnail.unwrap();
        assert_eq!((t.width, t.height), (24, 18));
        assert_eq!(&file[t.offset as usize..][..2], &[0xff, 0xd8]);
        assert!(t.mean_difference.unwrap() < 5.0, "{t:?}");
        assert!(t.hash_distance.unwrap() <= 8, "{t:?}");
        assert!(!t.aspect_differs);
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
    }

    #[test]
    fn thumbnail_of_another_picture_differs() {
        let img = picture();
        let mut other = DynamicImage::ImageRgb8(img.clone());
        other.invert();
        let other = imageops::crop_imm(&other.to_rgb8(), 0, 0, 48, 72).to_image();
        let file = with_exif(&encode(&img), &tiff(&small(&other)));
        let t = read_jpeg(&file).image.unwrap().thumbnail.unwrap();
        assert!(t.mean_difference.unwrap() >= 15.0, "{t:?}");
        assert!(t.hash_distance.unwrap() >= 20, "{t:?}");
        assert!(!t.aspect_differs, "the thumbnail keeps the 4:3 frame");
    }

    #[test]
    fn comments_xmp_iptc_and_extended_xmp() {
        let mut file = encode(&picture());
        let seg = |marker: u8, data: &[u8]| {
            let mut s = vec![0xff, marker];
            s.extend(((data.len() + 2) as u16).to_be_bytes());
            s.extend(data);
            s
        };
        let packet = |body: &str| {
            format!(
                "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:xmp='http://ns.adobe.com/xap/1.0/' {body}/></rdf:RDF></x:xmpmeta>"
            )
        };
        let mut main = XMP_SIG.to_vec();
        main.push(0);
        main.extend(packet("xmp:CreatorTool='Tool A'").as_bytes());
        let ext = packet("xmp:Label='from the extension'");
        let mut chunks = Vec::new();
        for (off, part) in [(0, &ext[..40]), (40, &ext[40..])] {
            let mut c = XMP_EXT_SIG.to_vec();
            c.extend([b'A'; 32]);
            c.extend((ext.len() as u32).to_be_bytes());
            c.extend((off as u32).to_be_bytes());
            c.extend(part.as_bytes());
            chunks.push(c);
        }
        let mut irb = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
        let iim = [
            b"\x1c\x02\x50\x00\x05Alice".as_slice(),
            b"\x1c\x02\x41\x00\x04GIMP",
        ]
        .concat();
        irb.extend((iim.len() as u32).to_be_bytes());
        irb.extend(&iim);
        let mut inserted = seg(0xfe, b"hello");
        inserted.extend(seg(0xe1, &main));
        inserted.extend(seg(0xe1, &chunks[1]));
        inserted.extend(seg(0xe1, &chunks[0]));
        inserted.extend(seg(0xed, &irb));
        file.splice(2..2, inserted);
        let meta = read_jpeg(&file);
        assert_eq!(
            meta.store(store::JPEG_COMMENT).unwrap().get("COM"),
            Some("hello")
        );
        let x = meta.store(store::XMP).unwrap();
        assert_eq!(x.get(key::CREATOR_TOOL), Some("Tool A"));
        assert_eq!(x.get("xmp:Label"), Some("from the extension"));
        let iptc = meta.store(store::IPTC).unwrap();
        assert_eq!(iptc.get(key::AUTHOR), Some("Alice"));
        assert_eq!(iptc.get(key::CREATOR_TOOL), Some("GIMP"));
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
    }

    #[test]
    fn utf16_xmp_is_transcoded() {
        let p = "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>";
        let be: Vec<u8> = p.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = p.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(as_utf8(&be).as_ref(), p.as_bytes());
        assert_eq!(as_utf8(&le).as_ref(), p.as_bytes());
        assert_eq!(as_utf8(p.as_bytes()).as_ref(), p.as_bytes());
    }

    fn chunk(typ: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend(typ);
        c.extend(data);
        c.extend([0; 4]); // CRC, not checked
        c
    }

    #[test]
    fn png_text_time_and_xmp() {
        let mut file = Vec::new();
        let img = picture();
        ::image::codecs::png::PngEncoder::new(&mut file)
            .write_image(img.as_raw(), 96, 72, ::image::ExtendedColorType::Rgb8)
            .unwrap();
        let iend = file.len() - 12;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, b"Bob").unwrap();
        let mut ztxt = b"Author\0\0".to_vec();
        ztxt.extend(z.finish().unwrap());
        let mut chunks = chunk(b"tEXt", b"Software\0Paint 1.0");
        chunks.extend(chunk(b"zTXt", &ztxt));
        chunks.extend(chunk(
            b"tEXt",
            b"Creation Time\0Tue, 06 May 2008 06:18:47 GMT",
        ));
        chunks.extend(chunk(b"tIME", &[0x07, 0xd8, 5, 6, 6, 18, 47]));
        let xmp = "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:xmp='http://ns.adobe.com/xap/1.0/' xmp:CreatorTool='T'/></rdf:RDF></x:xmpmeta>";
        chunks.extend(chunk(b"iTXt", xmp.as_bytes()));
        file.splice(iend..iend, chunks);
        let meta = read(Kind::Png, &file, &DocLimits::default()).unwrap();
        let t = meta.store(store::PNG_TEXT).unwrap();
        assert_eq!(t.get(key::SOFTWARE), Some("Paint 1.0"));
        assert_eq!(t.get(key::AUTHOR), Some("Bob"));
        assert_eq!(
            t.field(key::CREATED).unwrap().date.as_deref(),
            Some("2008-05-06T06:18:47Z")
        );
        assert_eq!(
            t.field(key::MODIFIED).unwrap().date.as_deref(),
            Some("2008-05-06T06:18:47Z")
        );
        assert_eq!(
            meta.store(store::XMP).unwrap().get(key::CREATOR_TOOL),
            Some("T")
        );
        assert_eq!(meta.image.unwrap().width, Some(96));
    }

    #[test]
    fn webp_chunks() {
        let mut body = b"WEBP".to_vec();
        let mut vp8x = vec![0x08, 0, 0, 0];
        vp8x.extend([99, 0, 0, 49, 0, 0]);
        for (cc, data) in [
            (b"VP8X", vp8x),
            (b"EXIF", tiff(b"")),
            (b"XMP ", b"<x:xmpmeta/>".to_vec()),
        ] {
            body.extend(cc);
            body.extend((data.len() as u32).to_le_bytes());
            body.extend(&data);
            if data.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut file = b"RIFF".to_vec();
        file.extend((body.len() as u32).to_le_bytes());
        file.extend(body);
        let meta = read(Kind::Webp, &file, &DocLimits::default()).unwrap();
        assert_eq!(
            meta.store(store::EXIF_IFD0).unwrap().get(key::MAKE),
            Some("Canon")
        );
        let facts = meta.image.unwrap();
        assert_eq!((facts.width, facts.height), (Some(100), Some(50)));
    }

    #[test]
    fn hostile_inputs_warn_or_fail() {
        let img = picture();
        let good = with_exif(&encode(&img), &tiff(&small(&img)));
        // Truncated in the middle of the EXIF segment.
        let meta = read_jpeg(&good[..40]);
        assert!(!meta.warnings.is_empty());
        // IFD0 offset far outside the TIFF.
        let mut bad = good.clone();
        bad[2 + 4 + 6 + 4..][..4].copy_from_slice(&0xffff_ff00u32.to_be_bytes());
        let meta = read_jpeg(&bad);
        assert!(
            meta.warnings.iter().any(|w| w.contains("EXIF")),
            "{:?}",
            meta.warnings
        );
        // Thumbnail pointing past the end of the file.
        let t = tiff(&small(&img));
        let at = t.windows(4).position(|w| w == [0x02, 0x01, 0, 4]).unwrap();
        let mut t2 = t.clone();
        t2[at + 8..at + 12].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
        let meta = read_jpeg(&with_exif(&encode(&img), &t2));
        assert!(
            meta.warnings.iter().any(|w| w.contains("outside")),
            "{:?}",
            meta.warnings
        );
        for kind in [Kind::Jpeg, Kind::Png, Kind::Webp] {
            assert!(read(kind, b"garbage", &DocLimits::default()).is_err());
        }
    }

    #[test]
    fn image_over_the_pixel_limit_is_not_decoded() {
        let img = picture();
        let file = with_exif(&encode(&img), &tiff(&small(&img)));
        let limits = DocLimits {
            max_pixels: 1000,
            ..DocLimits::default()
        };
        let meta = read(Kind::Jpeg, &file, &limits).unwrap();
        let t = meta.image.unwrap().thumbnail.unwrap();
        assert_eq!(t.mean_difference, None);
        assert!(
            meta.warnings.iter().any(|w| w.contains("limit")),
            "{:?}",
            meta.warnings
        );
    }

    #[test]
    fn mutated_files_never_panic() {
        let img = picture();
        let jpeg = with_exif(&encode(&img), &tiff(&small(&img)));
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let mut b = jpeg.clone();
            for _ in 0..1 + round % 8 {
                let i = (next() % b.len() as u64) as usize;
                b[i] = next() as u8;
            }
            let cut = b.len() - (next() % 64) as usize;
            for kind in [Kind::Jpeg, Kind::Tiff, Kind::Heic] {
                let slice = if kind == Kind::Tiff {
                    &b[12..cut]
                } else {
                    &b[..cut]
                };
                let _ = read(kind, slice, &DocLimits::default());
            }
        }
    }

    #[test]
    fn corpus_exiftool_jpg() {
        let Some(b) = corpus("exiftool/ExifTool.jpg") else {
            return;
        };
        let meta = read_jpeg(&b);
        let ifd0 = meta.store(store::EXIF_IFD0).unwrap();
        assert_eq!(ifd0.get(key::SOFTWARE), Some("Adobe Photoshop 7.0"));
        let iptc = meta.store(store::IPTC).unwrap();
        assert_eq!(iptc.get(key::AUTHOR), Some("Phil Harvey"));
        assert_eq!(iptc.get(key::TITLE), Some("Test IPTC picture"));
        assert_eq!(
            iptc.field(key::CREATED).unwrap().date.as_deref(),
            Some("2004-02-26T00:00:00")
        );
        assert_eq!(
            meta.store(store::XMP).unwrap().get(key::AUTHOR),
            Some("Phil Harvey")
        );
        assert_eq!(
            meta.store(iptc::PHOTOSHOP_STORE)
                .unwrap()
                .get("iptc_digest_current"),
            Some("no")
        );
        // IFD1 declares an empty thumbnail; the JFXX one (45x60) is a different picture.
        let t = meta.image.unwrap().thumbnail.unwrap();
        assert_eq!((t.width, t.height, t.length), (45, 60, 1558));
        assert!(t.aspect_differs);
    }

    #[test]
    fn corpus_photoshop_cs2_with_camera_thumbnail() {
        let Some(b) = corpus("tika/testJPEG_commented_pspcs2mac.jpg") else {
            return;
        };
        let meta = read_jpeg(&b);
        let ifd0 = meta.store(store::EXIF_IFD0).unwrap();
        assert_eq!(
            ifd0.get(key::SOFTWARE),
            Some("Adobe Photoshop CS2 Macintosh")
        );
        let t = meta.image.unwrap().thumbnail.unwrap();
        assert_eq!((t.offset, t.length), (1088, 2832));
        assert!(t.mean_difference.unwrap() < 15.0);
    }

    #[test]
    fn corpus_heic_exif() {
        let Some(b) = corpus("tika/testHEIF.heic") else {
            return;
        };
        let meta = read(Kind::Heic, &b, &DocLimits::default()).unwrap();
        let ifd0 = meta.store(store::EXIF_IFD0).unwrap();
        assert_eq!(
            ifd0.get(key::SOFTWARE),
            Some("Adobe Photoshop CS3 Macintosh")
        );
        let exif = meta.store(store::EXIF_EXIF).unwrap();
        assert_eq!(
            exif.field(key::DATE_TIME_ORIGINAL).unwrap().date.as_deref(),
            Some("2009-08-11T09:09:45")
        );
        assert_eq!(meta.image.unwrap().width, Some(800));
    }

    #[test]
    fn corpus_canon_has_no_thumbnail() {
        let Some(b) = corpus("exiftool/Canon.jpg") else {
            return;
        };
        let meta = read_jpeg(&b);
        assert_eq!(
            meta.store(store::EXIF_IFD0).unwrap().get(key::MAKE),
            Some("Canon")
        );
        // ExifTool's sample was cut down to 8x8 and lost its IFD1.
        assert_eq!(meta.image.unwrap().thumbnail, None);
    }
}
