//! The embedded thumbnail against the image it claims to show.
//!
//! The image is decoded (within `max_pixels`), turned by its EXIF
//! Orientation, scaled down to the thumbnail's size with a Triangle filter,
//! and compared three ways: the mean absolute RGB difference (Ghiro's preview
//! comparer, which flags 15 % and more), the Hamming distance between
//! 64-bit gradient hashes (dHash), which shrugs off recompression, and the
//! mean difference cell by cell on a [`COLUMNS`] × [`ROWS`] grid (both
//! pictures slightly blurred first, so that resampling and recompression
//! noise stay low), so that a local edit (a caption, a face, a figure on a
//! whiteboard) shows even when the rest of the picture matches.
//!
//! When the proportions differ, or the picture does not match as it is, the
//! image is also tried turned by 90°, 180° and 270°: a tool that turns the
//! pixels and leaves the old thumbnail made a rotation, not an edit.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{DynamicImage, ImageReader, Limits, Rgb, RgbImage};
use image_hasher::{HashAlg, HasherConfig};
use leakcheck_core::doc::Regions;

/// Aspect ratios further apart than this (relative) count as different.
const ASPECT_TOLERANCE: f64 = 0.05;
/// Bytes per pixel allowed to the decoder (16-bit RGBA, the widest).
const BYTES_PER_PIXEL: u64 = 8;
/// Grid cells across and down.
pub const COLUMNS: u32 = 8;
/// Grid cells down.
pub const ROWS: u32 = 8;
/// Blur (Gaussian sigma, in thumbnail pixels) applied to both pictures
/// before the grid comparison: resampling and JPEG noise is finer than this.
const BLUR: f32 = 1.0;
/// A region differs when its mean difference is at least this (per cent)...
pub const REGION_DIFFERS: f32 = 12.0;
/// ...and this many times the median region's (a uniform shift, like a
/// colour profile or an exposure change, moves every region alike).
pub const REGION_RATIO: f32 = 3.0;
/// A turn replaces the unturned match only when it halves the difference...
const TURN_GAIN: f64 = 2.0;
/// ...and the turned picture matches: a mean difference under this (per
/// cent; the corpus's turned photos stay under 1 %), so that a thumbnail of
/// another picture is never explained away by a turn.
const TURN_MATCHES: f64 = 5.0;

/// How far the thumbnail is from the image.
#[derive(Debug, Default, PartialEq)]
pub struct Comparison {
    /// Mean absolute difference, per cent of 255.
    pub mean_difference: Option<f64>,
    /// Hamming distance of the 64-bit gradient hashes.
    pub hash_distance: Option<u32>,
    /// Aspect ratios differ by more than 5 %.
    pub aspect_differs: bool,
    /// Degrees the image was turned back to match best, if not 0.
    pub turned: Option<u16>,
    /// Mean difference per grid cell.
    pub regions: Option<Regions>,
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

/// The image turned by `degrees` clockwise.
fn turn(image: &DynamicImage, degrees: u16) -> DynamicImage {
    match degrees {
        90 => image.rotate90(),
        180 => image.rotate180(),
        270 => image.rotate270(),
        _ => image.clone(),
    }
}

/// The main image (oriented) as the thumbnail would show it, turned by
/// each angle that keeps the proportions close, and its mean difference.
fn fits(thumb: &RgbImage, main: &DynamicImage) -> Vec<(u16, bool, RgbImage, f64)> {
    let (tw, th) = thumb.dimensions();
    let ratio = |w: u32, h: u32| f64::from(w) / f64::from(h);
    let rt = ratio(tw, th);
    let differs = |w: u32, h: u32| (rt - ratio(w, h)).abs() / ratio(w, h) > ASPECT_TOLERANCE;
    let as_is = differs(main.width(), main.height());
    let turned = differs(main.height(), main.width());
    // Scaled once per orientation (the costly step), then turned small.
    let straight = imageops::resize(&main.to_rgb8(), tw, th, FilterType::Triangle);
    let across = (!turned && tw != th)
        .then(|| imageops::resize(&main.to_rgb8(), th, tw, FilterType::Triangle));
    let mut out = Vec::new();
    let small = DynamicImage::ImageRgb8(straight);
    out.push((0, as_is, small.to_rgb8()));
    if !as_is {
        out.push((180, false, turn(&small, 180).to_rgb8()));
    }
    if let Some(across) = across {
        let across = DynamicImage::ImageRgb8(across);
        out.push((90, false, turn(&across, 270).to_rgb8()));
        out.push((270, false, turn(&across, 90).to_rgb8()));
    } else if tw == th && !as_is {
        out.push((90, false, turn(&small, 270).to_rgb8()));
        out.push((270, false, turn(&small, 90).to_rgb8()));
    }
    out.into_iter()
        .filter(|(_, _, img)| img.dimensions() == (tw, th))
        .map(|(d, a, img)| {
            let m = mean_difference(&img, thumb);
            (d, a, img, m)
        })
        .collect()
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
    let thumb_rgb = thumb.to_rgb8();
    let candidates = fits(&thumb_rgb, &main);
    let Some(first) = candidates.first() else {
        return Comparison::default();
    };
    // As it is, unless a turn matches (a picture turned since the
    // thumbnail was made) where the picture as it is does not fit the
    // proportions or matches half as well.
    let mut best = first;
    for c in &candidates[1..] {
        if c.3 < TURN_MATCHES && ((best.1 && !c.1) || c.3 * TURN_GAIN < best.3) {
            best = c;
        }
    }
    let (degrees, aspect_differs, scaled, mean) = best;
    let hasher = hasher();
    let hash_distance = hasher
        .hash_image(&DynamicImage::ImageRgb8(scaled.clone()))
        .dist(&hasher.hash_image(&DynamicImage::ImageRgb8(thumb_rgb.clone())));
    Comparison {
        mean_difference: Some(*mean),
        hash_distance: Some(hash_distance),
        aspect_differs: *aspect_differs,
        turned: (*degrees != 0).then_some(*degrees),
        regions: Some(regions(scaled, &thumb_rgb)),
    }
}

/// The per-cell difference of two pictures of one size, both blurred.
fn regions(a: &RgbImage, b: &RgbImage) -> Regions {
    let (a, b) = (imageops::blur(a, BLUR), imageops::blur(b, BLUR));
    let (w, h) = a.dimensions();
    let (columns, rows) = (COLUMNS.min(w), ROWS.min(h));
    let mut sums = vec![(0u64, 0u64); (columns * rows) as usize];
    for (x, y, p) in a.enumerate_pixels() {
        let q = b.get_pixel(x, y);
        let cell = (y * rows / h * columns + x * columns / w) as usize;
        let d: u64 =
            p.0.iter()
                .zip(q.0)
                .map(|(s, t)| u64::from(s.abs_diff(t)))
                .sum();
        sums[cell].0 += d;
        sums[cell].1 += 3;
    }
    Regions {
        columns,
        rows,
        mean_difference: sums
            .into_iter()
            .map(|(s, n)| ((1000.0 * s as f64 / (n.max(1) as f64 * 255.0)).round() / 10.0) as f32)
            .collect(),
    }
}

/// Side of the square two pictures are scaled into to be compared region
/// by region: a thumbnail's size.
const COMPARED_SIDE: u32 = 160;

/// Two copies of a picture compared region by region, both scaled into a
/// thumbnail-sized box (the second's proportions).
pub fn compare_images(reference: &DynamicImage, other: &DynamicImage) -> Regions {
    let (w, h) = (other.width().max(1), other.height().max(1));
    let scale = f64::from(COMPARED_SIDE) / f64::from(w.max(h));
    let (sw, sh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let a = imageops::resize(&reference.to_rgb8(), sw, sh, FilterType::Triangle);
    let b = imageops::resize(&other.to_rgb8(), sw, sh, FilterType::Triangle);
    regions(&a, &b)
}

/// The cells (indices, row by row) whose difference stands out: at least
/// [`REGION_DIFFERS`] per cent and [`REGION_RATIO`] times the median cell's.
pub fn changed_regions(r: &Regions) -> Vec<usize> {
    let mut sorted = r.mean_difference.clone();
    sorted.sort_by(f32::total_cmp);
    let Some(&median) = sorted.get(sorted.len() / 2) else {
        return Vec::new();
    };
    r.mean_difference
        .iter()
        .enumerate()
        .filter(|(_, d)| **d >= REGION_DIFFERS && **d >= REGION_RATIO * median)
        .map(|(i, _)| i)
        .collect()
}

/// A picture of the difference between the thumbnail and the image (as
/// compared), three times as bright as it is, beside the thumbnail, with the
/// `changed` cells framed in red: what a reader looks at first.
pub fn difference_picture(
    thumb: &DynamicImage,
    main: DynamicImage,
    orientation: Option<u8>,
    changed: &[usize],
) -> Option<RgbImage> {
    let mut main = main;
    if let Some(o) = orientation.and_then(Orientation::from_exif) {
        main.apply_orientation(o);
    }
    let c = compare(thumb, main.clone(), None);
    let main = turn(&main, c.turned.map_or(0, |d| (360 - d) % 360));
    let thumb = thumb.to_rgb8();
    let (tw, th) = thumb.dimensions();
    if tw == 0 || th == 0 || main.width() == 0 || main.height() == 0 {
        return None;
    }
    let scaled = imageops::resize(&main.to_rgb8(), tw, th, FilterType::Triangle);
    let mut out = RgbImage::new(tw * 3, th);
    for (x, y, p) in thumb.enumerate_pixels() {
        let q = scaled.get_pixel(x, y);
        out.put_pixel(x, y, *p);
        out.put_pixel(x + tw, y, *q);
        let d: u32 =
            p.0.iter()
                .zip(q.0)
                .map(|(s, t)| u32::from(s.abs_diff(t)))
                .sum();
        let v = d.min(255) as u8;
        out.put_pixel(x + 2 * tw, y, Rgb([v, v, v]));
    }
    let (columns, rows) = (COLUMNS.min(tw), ROWS.min(th));
    for &cell in changed {
        let (cx, cy) = (cell as u32 % columns, cell as u32 / columns);
        let (x0, x1) = (cx * tw / columns, ((cx + 1) * tw / columns).max(1) - 1);
        let (y0, y1) = (cy * th / rows, ((cy + 1) * th / rows).max(1) - 1);
        for panel in 0..3 {
            let dx = panel * tw;
            for x in x0..=x1 {
                out.put_pixel(x + dx, y0, Rgb([255, 0, 0]));
                out.put_pixel(x + dx, y1, Rgb([255, 0, 0]));
            }
            for y in y0..=y1 {
                out.put_pixel(x0 + dx, y, Rgb([255, 0, 0]));
                out.put_pixel(x1 + dx, y, Rgb([255, 0, 0]));
            }
        }
    }
    Some(out)
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
