//! The embedded thumbnail against the image it claims to show.
//!
//! The image is decoded (within `max_pixels`), turned by its EXIF
//! Orientation, scaled down to the thumbnail's size with a Triangle filter,
//! and compared two ways: the mean absolute RGB difference (Ghiro's preview
//! comparer, which flags 15 % and more) and the Hamming distance between
//! 64-bit gradient hashes (dHash), which shrugs off recompression.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageReader, Limits, RgbImage};
use image_hasher::{HashAlg, HasherConfig};

/// Aspect ratios further apart than this (relative) count as different.
const ASPECT_TOLERANCE: f64 = 0.05;
/// Bytes per pixel allowed to the decoder (16-bit RGBA, the widest).
const BYTES_PER_PIXEL: u64 = 8;

/// How far the thumbnail is from the image.
#[derive(Debug, Default, PartialEq)]
pub struct Comparison {
    /// Mean absolute difference, per cent of 255.
    pub mean_difference: Option<f64>,
    /// Hamming distance of the 64-bit gradient hashes.
    pub hash_distance: Option<u32>,
    /// Aspect ratios differ by more than 5 %.
    pub aspect_differs: bool,
}

/// The 64-bit gradient hash used for every image comparison: it survives
/// re-encoding and resizing, not a change of content.
fn hasher() -> image_hasher::Hasher {
    HasherConfig::new()
        .hash_size(8, 8)
        .hash_alg(HashAlg::Gradient)
        .to_hasher()
}

/// An image's perceptual hash, after its EXIF orientation is applied.
pub fn perceptual_hash(image: DynamicImage, orientation: Option<u8>) -> u64 {
    let mut image = image;
    if let Some(o) = orientation.and_then(Orientation::from_exif) {
        image.apply_orientation(o);
    }
    let hash = hasher().hash_image(&image);
    let mut out = [0u8; 8];
    for (o, b) in out.iter_mut().zip(hash.as_bytes()) {
        *o = *b;
    }
    u64::from_be_bytes(out)
}

/// Decodes an image no larger than `max_pixels`; `Err` says why not.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, String> {
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| e.to_string())
    };
    let (w, h) = reader()?.into_dimensions().map_err(|e| e.to_string())?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > max_pixels {
        return Err(format!("{w}x{h} exceeds the {max_pixels}-pixel limit"));
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(BYTES_PER_PIXEL).max(1 << 20));
    let mut r = reader()?;
    r.limits(limits);
    r.decode().map_err(|e| e.to_string())
}

/// Compares a decoded thumbnail with the decoded main image.
pub fn compare(thumb: &DynamicImage, main: DynamicImage, orientation: Option<u8>) -> Comparison {
    let mut main = main;
    if let Some(o) = orientation.and_then(Orientation::from_exif) {
        main.apply_orientation(o);
    }
    let (tw, th) = (thumb.width(), thumb.height());
    if tw == 0 || th == 0 || main.width() == 0 || main.height() == 0 {
        return Comparison::default();
    }
    let ratio = |w: u32, h: u32| f64::from(w) / f64::from(h);
    let (rt, rm) = (ratio(tw, th), ratio(main.width(), main.height()));
    let aspect_differs = (rt - rm).abs() / rm > ASPECT_TOLERANCE;
    let scaled = imageops::resize(&main.to_rgb8(), tw, th, FilterType::Triangle);
    let thumb_rgb = thumb.to_rgb8();
    let hasher = hasher();
    let hash_distance = hasher
        .hash_image(&DynamicImage::ImageRgb8(scaled.clone()))
        .dist(&hasher.hash_image(&DynamicImage::ImageRgb8(thumb_rgb.clone())));
    Comparison {
        mean_difference: Some(mean_difference(&scaled, &thumb_rgb)),
        hash_distance: Some(hash_distance),
        aspect_differs,
    }
}

/// Mean absolute per-channel difference in per cent of full scale.
fn mean_difference(a: &RgbImage, b: &RgbImage) -> f64 {
    let (sum, n) = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .fold((0u64, 0u64), |(s, n), (&x, &y)| {
            (s + u64::from(x.abs_diff(y)), n + 1)
        });
    if n == 0 {
        return 0.0;
    }
    let pct = 100.0 * sum as f64 / (n as f64 * 255.0);
    (pct * 100.0).round() / 100.0
}
