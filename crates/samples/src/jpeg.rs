//! JPEG photos: a synthetic scene encoded by the `image` crate, with an EXIF
//! block (a little-endian TIFF structure) written here.

use image::codecs::jpeg::JpegEncoder;
use image::error::{EncodingError, ImageFormatHint};
use image::imageops::{self, FilterType};
use image::{ImageEncoder, ImageError, ImageFormat, ImageResult, Rgb, RgbImage};

/// Width of the EXIF thumbnail; cameras write 160×120.
const THUMBNAIL_WIDTH: u32 = 160;
const QUALITY: u8 = 90;
const THUMBNAIL_QUALITY: u8 = 75;
/// Rectangles drawn over the gradient.
const RECTANGLES: u32 = 4;
/// The largest TIFF structure an APP1 segment holds: 65535 less the length
/// field and `Exif\0\0`.
const MAX_TIFF: usize = 65535 - 2 - 6;

// TIFF field types.
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const UNDEFINED: u16 = 7;

// Tags.
const COMPRESSION: u16 = 0x0103;
const MAKE: u16 = 0x010f;
const MODEL: u16 = 0x0110;
const X_RESOLUTION: u16 = 0x011a;
const Y_RESOLUTION: u16 = 0x011b;
const RESOLUTION_UNIT: u16 = 0x0128;
const SOFTWARE: u16 = 0x0131;
const DATE_TIME: u16 = 0x0132;
const ARTIST: u16 = 0x013b;
const YCBCR_POSITIONING: u16 = 0x0213;
const JPEG_OFFSET: u16 = 0x0201;
const JPEG_LENGTH: u16 = 0x0202;
const EXIF_IFD: u16 = 0x8769;
const EXIF_VERSION: u16 = 0x9000;
const DATE_TIME_ORIGINAL: u16 = 0x9003;
const COMPONENTS_CONFIGURATION: u16 = 0x9101;
const FLASHPIX_VERSION: u16 = 0xa000;
const COLOR_SPACE: u16 = 0xa001;
const PIXEL_X_DIMENSION: u16 = 0xa002;
const PIXEL_Y_DIMENSION: u16 = 0xa003;

/// EXIF fields of a photo. `None` leaves the tag out. Dates are EXIF dates,
/// `YYYY:MM:DD HH:MM:SS`.
#[derive(Clone, Debug, Default)]
pub struct Exif {
    /// IFD0 `Make` (0x010f), the camera maker.
    pub make: Option<String>,
    /// IFD0 `Model` (0x0110).
    pub model: Option<String>,
    /// IFD0 `Software` (0x0131), the last program that saved the image.
    pub software: Option<String>,
    /// IFD0 `Artist` (0x013b).
    pub artist: Option<String>,
    /// IFD0 `DateTime` (0x0132, ExifTool's ModifyDate).
    pub date_time: Option<String>,
    /// Exif IFD `DateTimeOriginal` (0x9003), when the photo was taken.
    pub date_time_original: Option<String>,
    /// The thumbnail in IFD1.
    pub thumbnail: Thumbnail,
}

/// What the EXIF thumbnail (IFD1) shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Thumbnail {
    /// No IFD1.
    #[default]
    None,
    /// The image scaled down: what a camera writes.
    OfImage,
    /// Another picture: what a crop or edit that forgot to update the
    /// thumbnail leaves behind.
    Other,
    /// The image as it was before a local edit: a dark box was painted over
    /// [`EDITED_REGION`] of the image (a blacked-out face, a covered
    /// caption) after the camera wrote the thumbnail.
    BeforeEdit,
}

/// The part of the image [`Thumbnail::BeforeEdit`] paints over, in per cent
/// of the width and height: `[left, top, right, bottom]`.
pub const EDITED_REGION: [u32; 4] = [55, 20, 80, 40];

/// A JPEG of `width`×`height` showing a synthetic scene (a colour gradient
/// and a few rectangles placed by `seed`), with an EXIF block: IFD0 (Make,
/// Model, Software, DateTime, Artist), an Exif IFD (DateTimeOriginal, pixel
/// size) and, when asked, an IFD1 with a JPEG thumbnail 160 pixels wide.
///
/// The scene of [`Thumbnail::Other`] is that of another seed turned upside
/// down, so it differs from the image whatever the seeds (a mean absolute
/// difference of about 50 %; the image's own is about 0.5 %).
///
/// Fails when a side is 0 or over 65535, or when the EXIF block would not
/// fit in its 64 KiB segment (a long text, or the thumbnail of a very tall
/// image).
pub fn jpeg(width: u32, height: u32, seed: u32, exif: &Exif) -> ImageResult<Vec<u8>> {
    // Checked before the pixels are allocated; the encoder would only refuse them after.
    let sides = 1..=u32::from(u16::MAX);
    if !sides.contains(&width) || !sides.contains(&height) {
        return Err(encoding_error(format!("a JPEG cannot be {width}×{height}")));
    }
    let mut picture = scene(width, height, seed);
    let thumb_height = (THUMBNAIL_WIDTH * height / width).max(1);
    let thumbnail = match exif.thumbnail {
        Thumbnail::None => None,
        Thumbnail::OfImage => Some(encode(
            &imageops::resize(
                &picture,
                THUMBNAIL_WIDTH,
                thumb_height,
                FilterType::Triangle,
            ),
            THUMBNAIL_QUALITY,
            Vec::new(),
        )?),
        Thumbnail::Other => Some(encode(
            &imageops::rotate180(&scene(THUMBNAIL_WIDTH, thumb_height, seed.wrapping_add(1))),
            THUMBNAIL_QUALITY,
            Vec::new(),
        )?),
        Thumbnail::BeforeEdit => {
            let before = encode(
                &imageops::resize(
                    &picture,
                    THUMBNAIL_WIDTH,
                    thumb_height,
                    FilterType::Triangle,
                ),
                THUMBNAIL_QUALITY,
                Vec::new(),
            )?;
            let [l, t, r, b] = EDITED_REGION;
            for y in height * t / 100..height * b / 100 {
                for x in width * l / 100..width * r / 100 {
                    picture.put_pixel(x, y, Rgb([12, 12, 12]));
                }
            }
            Some(before)
        }
    };
    let tiff = tiff(exif, width, height, thumbnail.as_deref());
    if tiff.len() > MAX_TIFF {
        return Err(encoding_error(format!(
            "EXIF block of {} bytes exceeds its segment",
            tiff.len()
        )));
    }
    encode(&picture, QUALITY, tiff)
}

fn encoding_error(message: String) -> ImageError {
    ImageError::Encoding(EncodingError::new(
        ImageFormatHint::Exact(ImageFormat::Jpeg),
        message,
    ))
}

/// Encodes a JPEG; a non-empty `tiff` goes into an APP1 `Exif` segment
/// after the JFIF header.
fn encode(picture: &RgbImage, quality: u8, tiff: Vec<u8>) -> ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
    encoder
        .set_exif_metadata(tiff)
        .map_err(ImageError::Unsupported)?;
    encoder.encode_image(picture)?;
    Ok(out)
}

/// A gradient (red across, green down, a blue of the seed's) under a few
/// rectangles of the seed's colours.
fn scene(width: u32, height: u32, seed: u32) -> RgbImage {
    let mut rng = Lcg(seed);
    let blue = rng.byte();
    let rects: Vec<([u32; 4], Rgb<u8>)> = (0..RECTANGLES)
        .map(|_| {
            let (x, y) = (rng.below(width), rng.below(height));
            let (w, h) = (rng.below(width / 4) + 1, rng.below(height / 4) + 1);
            (
                [x, y, x + w, y + h],
                Rgb([rng.byte(), rng.byte(), rng.byte()]),
            )
        })
        .collect();
    let ramp = |i: u32, n: u32| (u64::from(i) * 255 / u64::from(n.max(2) - 1)) as u8;
    RgbImage::from_fn(width, height, |x, y| {
        rects
            .iter()
            .rev()
            .find(|([x0, y0, x1, y1], _)| (*x0..*x1).contains(&x) && (*y0..*y1).contains(&y))
            .map_or(Rgb([ramp(x, width), ramp(y, height), blue]), |(_, c)| *c)
    })
}

/// A linear congruential generator (Numerical Recipes constants): enough to
/// place rectangles, and the same on every platform.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0 >> 8 // the low bits of an LCG cycle quickly
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// One IFD entry; its value as it is stored, before any offset is known.
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

fn ascii(tag: u16, text: &str) -> Entry {
    let mut value = text.as_bytes().to_vec();
    value.push(0);
    Entry {
        tag,
        kind: ASCII,
        count: value.len() as u32,
        value,
    }
}

fn short(tag: u16, n: u16) -> Entry {
    Entry {
        tag,
        kind: SHORT,
        count: 1,
        value: n.to_le_bytes().to_vec(),
    }
}

fn long(tag: u16, n: u32) -> Entry {
    Entry {
        tag,
        kind: LONG,
        count: 1,
        value: n.to_le_bytes().to_vec(),
    }
}

fn undefined(tag: u16, value: &[u8]) -> Entry {
    Entry {
        tag,
        kind: UNDEFINED,
        count: value.len() as u32,
        value: value.to_vec(),
    }
}

fn rational(tag: u16, numerator: u32, denominator: u32) -> Entry {
    let mut value = numerator.to_le_bytes().to_vec();
    value.extend_from_slice(&denominator.to_le_bytes());
    Entry {
        tag,
        kind: RATIONAL,
        count: 1,
        value,
    }
}

/// 72 dots per inch: EXIF requires a resolution in IFD0 and IFD1.
fn resolution() -> [Entry; 3] {
    [
        rational(X_RESOLUTION, 72, 1),
        rational(Y_RESOLUTION, 72, 1),
        short(RESOLUTION_UNIT, 2),
    ]
}

/// The TIFF structure: header, IFD0, Exif IFD, IFD1, thumbnail. Besides
/// the caller's fields it holds those EXIF 2.32 requires (ExifTool's
/// `-validate` finds nothing missing), with the values cameras write.
fn tiff(exif: &Exif, width: u32, height: u32, thumbnail: Option<&[u8]>) -> Vec<u8> {
    let text = |tag, value: &Option<String>| value.as_deref().map(|v| ascii(tag, v));
    let mut ifd0: Vec<Entry> = [
        text(MAKE, &exif.make),
        text(MODEL, &exif.model),
        text(SOFTWARE, &exif.software),
        text(DATE_TIME, &exif.date_time),
        text(ARTIST, &exif.artist),
        Some(short(YCBCR_POSITIONING, 1)), // centred
        Some(long(EXIF_IFD, 0)),
    ]
    .into_iter()
    .flatten()
    .chain(resolution())
    .collect();
    let exif_ifd: Vec<Entry> = [
        Some(undefined(EXIF_VERSION, b"0232")),
        text(DATE_TIME_ORIGINAL, &exif.date_time_original),
        Some(undefined(COMPONENTS_CONFIGURATION, &[1, 2, 3, 0])), // Y Cb Cr
        Some(undefined(FLASHPIX_VERSION, b"0100")),
        Some(short(COLOR_SPACE, 1)), // sRGB
        Some(long(PIXEL_X_DIMENSION, width)),
        Some(long(PIXEL_Y_DIMENSION, height)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut ifd1: Vec<Entry> = thumbnail.map_or_else(Vec::new, |t| {
        let mut entries = vec![
            short(COMPRESSION, 6), // JPEG
            long(JPEG_OFFSET, 0),
            long(JPEG_LENGTH, t.len() as u32),
        ];
        entries.extend(resolution());
        entries
    });
    // An IFD's length does not depend on the offsets it holds: lay the
    // structure out first, then fill the offsets in.
    let exif_at = 8 + ifd_len(&ifd0);
    let ifd1_at = exif_at + ifd_len(&exif_ifd);
    let thumbnail_at = ifd1_at + ifd_len(&ifd1);
    set_long(&mut ifd0, EXIF_IFD, exif_at);
    set_long(&mut ifd1, JPEG_OFFSET, thumbnail_at);
    let next = if ifd1.is_empty() { 0 } else { ifd1_at };
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    write_ifd(&mut out, ifd0, next);
    write_ifd(&mut out, exif_ifd, 0);
    if let Some(t) = thumbnail {
        write_ifd(&mut out, ifd1, 0);
        out.extend_from_slice(t);
    }
    out
}

fn set_long(entries: &mut [Entry], tag: u16, n: u32) {
    if let Some(e) = entries.iter_mut().find(|e| e.tag == tag) {
        e.value = n.to_le_bytes().to_vec();
    }
}

/// Bytes of an IFD: count, 12-byte entries, next offset, then the values
/// longer than 4 bytes, each starting on an even offset.
fn ifd_len(entries: &[Entry]) -> u32 {
    let values: usize = entries
        .iter()
        .filter(|e| e.value.len() > 4)
        .map(|e| e.value.len().next_multiple_of(2))
        .sum();
    (2 + 12 * entries.len() + 4 + values) as u32
}

/// Appends an IFD at the end of `out` (offsets count from the TIFF header,
/// which `out` starts with).
fn write_ifd(out: &mut Vec<u8>, mut entries: Vec<Entry>, next: u32) {
    // TIFF requires entries in ascending tag order.
    entries.sort_by_key(|e| e.tag);
    let values_at = out.len() + 2 + 12 * entries.len() + 4;
    let mut values = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for e in &entries {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.kind.to_le_bytes());
        out.extend_from_slice(&e.count.to_le_bytes());
        if e.value.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..e.value.len()].copy_from_slice(&e.value);
            out.extend_from_slice(&inline);
        } else {
            out.extend_from_slice(&((values_at + values.len()) as u32).to_le_bytes());
            values.extend_from_slice(&e.value);
            if values.len() % 2 == 1 {
                values.push(0);
            }
        }
    }
    out.extend_from_slice(&next.to_le_bytes());
    out.extend_from_slice(&values);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifd_length_matches_what_is_written() {
        let entries = || {
            vec![
                ascii(MAKE, "Odd"),
                ascii(MODEL, "Even!"),
                short(RESOLUTION_UNIT, 2),
            ]
        };
        let mut out = Vec::new();
        write_ifd(&mut out, entries(), 0);
        assert_eq!(out.len() as u32, ifd_len(&entries()));
    }

    #[test]
    fn impossible_sizes_are_errors() {
        assert!(jpeg(0, 10, 1, &Exif::default()).is_err());
        assert!(jpeg(10, 70_000, 1, &Exif::default()).is_err());
        let long_text = Exif {
            artist: Some("x".repeat(70_000)),
            ..Exif::default()
        };
        assert!(jpeg(8, 8, 1, &long_text).is_err());
    }
}
