//! Does an image carry text? Decided from its pixels in a few milliseconds,
//! before a second or more of OCR is spent on a holiday photo.
//!
//! Printed or displayed text is dark strokes on a plain ground: the grey
//! levels split cleanly in two (Otsu's threshold explains most of the
//! variance), the ink is a small share of the picture, and the strokes make
//! sharp edges. A photo's levels spread over the whole range and its edges
//! are soft. The figures below were measured on the bench's pages and the
//! generator's photos (README, "OCR").

use std::io::Cursor;

use image::{GrayImage, ImageReader, imageops::FilterType};

/// Images with more pixels than this are refused (a decompression bomb
/// declares a huge size in a few bytes).
pub const MAX_PIXELS: u64 = 64_000_000;

/// The long side the decision looks at.
const SIDE: u32 = 1200;

/// What the decision saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextLikelihood {
    /// Share of the grey variance Otsu's two classes explain (0–1).
    pub split: f32,
    /// Share of pixels on the minority (ink) side.
    pub ink: f32,
    /// Share of horizontal neighbours that differ by more than a quarter
    /// of the range.
    pub edges: f32,
    /// The verdict: worth an OCR call.
    pub text: bool,
}

/// Reads the image's header, refuses bombs, decodes it within limits and
/// decides. An image that cannot be decoded is an error, said in words.
pub fn carries_text(bytes: &[u8]) -> Result<TextLikelihood, String> {
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| format!("unreadable image: {e}"))
    };
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| format!("unreadable image: {e}"))?;
    check_size(w, h)?;
    let mut r = reader()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    r.limits(limits);
    let img = r.decode().map_err(|e| format!("undecodable image: {e}"))?;
    let long = w.max(h);
    let img = if long > SIDE {
        let scale = f64::from(SIDE) / f64::from(long);
        img.resize(
            ((f64::from(w) * scale) as u32).max(1),
            ((f64::from(h) * scale) as u32).max(1),
            FilterType::Triangle,
        )
    } else {
        img
    };
    Ok(judge(&img.to_luma8()))
}

/// Refuses a size no page needs.
pub fn check_size(w: u32, h: u32) -> Result<(), String> {
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "{w} × {h} pixels: more than the {MAX_PIXELS} an image may have to be read (a decompression bomb?)"
        ));
    }
    Ok(())
}

fn judge(g: &GrayImage) -> TextLikelihood {
    let mut hist = [0u64; 256];
    for p in g.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let n = (g.width() as u64 * g.height() as u64).max(1) as f64;
    let mean: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, c)| i as f64 * *c as f64)
        .sum::<f64>()
        / n;
    let var: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, c)| (i as f64 - mean).powi(2) * *c as f64)
        .sum::<f64>()
        / n;
    // Otsu: the threshold that maximises the between-class variance.
    let (mut best, mut best_t, mut w0, mut sum0) = (0.0f64, 0usize, 0.0f64, 0.0f64);
    for (t, c) in hist.iter().enumerate() {
        w0 += *c as f64;
        sum0 += t as f64 * *c as f64;
        let w1 = n - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let m0 = sum0 / w0;
        let m1 = (mean * n - sum0) / w1;
        let between = w0 * w1 * (m0 - m1).powi(2) / (n * n);
        if between > best {
            (best, best_t) = (between, t);
        }
    }
    let split = if var > 0.0 { (best / var) as f32 } else { 0.0 };
    let dark: u64 = hist[..=best_t].iter().sum();
    let ink = (dark.min(n as u64 - dark) as f64 / n) as f32;
    let (mut sharp, mut pairs) = (0u64, 0u64);
    for y in 0..g.height() {
        for x in 1..g.width() {
            let a = i16::from(g.get_pixel(x - 1, y).0[0]);
            let b = i16::from(g.get_pixel(x, y).0[0]);
            pairs += 1;
            if (a - b).abs() > 64 {
                sharp += 1;
            }
        }
    }
    let edges = sharp as f32 / pairs.max(1) as f32;
    let text = split > 0.80 && (0.003..0.35).contains(&ink) && edges > 0.004;
    TextLikelihood {
        split,
        ink,
        edges,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Luma, Rgb, RgbImage};

    fn png(img: &RgbImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// Black glyph-like strokes on white, in lines.
    fn page() -> RgbImage {
        let mut img = RgbImage::from_pixel(800, 600, Rgb([250, 250, 250]));
        for line in 0..12u32 {
            for ch in 0..60u32 {
                let (x0, y0) = (20 + ch * 12, 30 + line * 45);
                for dy in 0..16 {
                    img.put_pixel(x0 + (dy + ch) % 7, y0 + dy, Rgb([20, 20, 20]));
                    img.put_pixel(x0 + 1 + (dy + ch) % 7, y0 + dy, Rgb([20, 20, 20]));
                }
            }
        }
        img
    }

    /// Smooth gradients with noise, as a photo.
    fn photo() -> RgbImage {
        let mut seed = 7u32;
        RgbImage::from_fn(800, 600, |x, y| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (seed >> 16) % 24;
            let v = ((x / 4 + y / 3) % 200 + n) as u8;
            Rgb([v, v.saturating_add(20), v / 2])
        })
    }

    #[test]
    fn text_is_told_from_a_photo() {
        let t = carries_text(&png(&page())).unwrap();
        assert!(t.text, "{t:?}");
        let p = carries_text(&png(&photo())).unwrap();
        assert!(!p.text, "{p:?}");
    }

    #[test]
    fn garbage_and_bombs_are_errors() {
        assert!(carries_text(b"\x89PNG\r\n\x1a\nnot really").is_err());
        // A TIFF header declaring 100,000 × 100,000 pixels.
        let mut tiff = GrayImage::from_pixel(4, 4, Luma([0]));
        tiff.put_pixel(0, 0, Luma([255]));
        let mut bytes = Cursor::new(Vec::new());
        tiff.write_to(&mut bytes, image::ImageFormat::Tiff).unwrap();
        let bomb = enlarge_tiff(bytes.into_inner(), 100_000);
        let e = carries_text(&bomb).unwrap_err();
        assert!(e.contains("decompression bomb"), "{e}");
    }

    /// Rewrites a little-endian TIFF's width and length tags to `side`.
    fn enlarge_tiff(mut t: Vec<u8>, side: u32) -> Vec<u8> {
        let ifd = u32::from_le_bytes(t[4..8].try_into().unwrap()) as usize;
        let n = u16::from_le_bytes(t[ifd..ifd + 2].try_into().unwrap()) as usize;
        for i in 0..n {
            let e = ifd + 2 + i * 12;
            let tag = u16::from_le_bytes(t[e..e + 2].try_into().unwrap());
            if tag == 256 || tag == 257 {
                t[e + 2..e + 4].copy_from_slice(&4u16.to_le_bytes()); // LONG
                t[e + 4..e + 8].copy_from_slice(&1u32.to_le_bytes());
                t[e + 8..e + 12].copy_from_slice(&side.to_le_bytes());
            }
        }
        t
    }
}
