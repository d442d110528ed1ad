//! PDF pages to pictures, and their embedded text, with poppler's
//! `pdftoppm` and `pdftotext` in child processes under a time limit.
//!
//! A renderer is a large native parser of hostile input; poppler's programs
//! are maintained, packaged by Debian beside Tesseract, and isolated the
//! same way as the engine (a crash or a hang costs one page). A crate
//! binding pdfium or poppler would run that code in our process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::OcrError;
use super::engine::wait_with_limit;

/// The long side of a rendered page, in pixels: 300 dpi on A4 and Letter,
/// and a bound on the memory a page with a huge media box can take.
pub const LONG_SIDE: u32 = 3508;

/// Renders page `page` (from 1) of the PDF at `pdf` into `dir`, in grey, and
/// returns the picture's path. An uncompressed TIFF: it carries the page's
/// resolution for Tesseract, and compressing a PNG of the page took twenty
/// times as long as rendering it (2.5 s against 0.13 s on an A4 scan).
pub fn render_page(
    pdf: &Path,
    page: u32,
    dir: &Path,
    limit: Duration,
) -> Result<PathBuf, OcrError> {
    let root = dir.join(format!("page-{page}"));
    let child = Command::new("pdftoppm")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .args([
            "-scale-to",
            &LONG_SIDE.to_string(),
            "-gray",
            "-tiff",
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (status, _, err) = wait_with_limit(child, limit)?;
    let out = root.with_extension("tif");
    if !status.success() || !out.exists() {
        let err = String::from_utf8_lossy(&err);
        return Err(OcrError::Failed(format!(
            "pdftoppm could not render page {page} ({status}): {}",
            err.lines().next().unwrap_or("").trim()
        )));
    }
    Ok(out)
}

/// The text the PDF itself carries on page `page` (from 1).
pub fn page_text(pdf: &Path, page: u32, limit: Duration) -> Result<String, OcrError> {
    let child = Command::new("pdftotext")
        .args([
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-enc",
            "UTF-8",
        ])
        .arg(pdf)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (status, out, err) = wait_with_limit(child, limit)?;
    if !status.success() {
        return Err(OcrError::Failed(format!(
            "pdftotext failed on page {page} ({status}): {}",
            String::from_utf8_lossy(&err)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Square inches a picture must cover on a page to be what the page shows
/// (a fifth of A4; a letterhead's logo is far less).
pub const LARGE_PICTURE_SQ_IN: f64 = 19.0;

/// Does page `page` draw a picture large enough to hold its text (a scan,
/// or an image pasted over text)? From `pdfimages -list`: each picture's
/// pixels and pixels per inch give the area it covers.
pub fn has_large_picture(pdf: &Path, page: u32, limit: Duration) -> Result<bool, OcrError> {
    let child = Command::new("pdfimages")
        .args(["-list", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (status, out, _) = wait_with_limit(child, limit)?;
    if !status.success() {
        return Err(OcrError::Failed(format!(
            "pdfimages could not list page {page} ({status})"
        )));
    }
    Ok(large_picture_listed(&String::from_utf8_lossy(&out)))
}

/// Reads `pdfimages -list`: `page num type width height color comp bpc
/// enc interp object ID x-ppi y-ppi size ratio`, after two header lines.
fn large_picture_listed(list: &str) -> bool {
    list.lines().skip(2).any(|l| {
        let c: Vec<&str> = l.split_whitespace().collect();
        let num = |i: usize| c.get(i).and_then(|v| v.parse::<f64>().ok());
        match (c.get(2), num(3), num(4), num(12), num(13)) {
            (Some(&"image"), Some(w), Some(h), Some(xp), Some(yp)) if xp > 0.0 && yp > 0.0 => {
                (w / xp) * (h / yp) >= LARGE_PICTURE_SQ_IN
            }
            _ => false,
        }
    })
}

/// Are poppler's programs installed?
pub fn available() -> bool {
    Command::new("pdftoppm")
        .arg("-v")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_sized_picture_is_large_and_a_logo_is_not() {
        let head = "page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio\n\
            --------------------------------------------------------------------------------------------\n";
        let scan = "   1     0 image    1240  1754  gray    1   8  jpeg   no         8  0   150   150  120K 5.6%\n";
        let logo = "   1     0 image     600   180  rgb     3   8  jpeg   no         8  0   288   288   20K 6.2%\n";
        assert!(large_picture_listed(&format!("{head}{scan}")));
        assert!(!large_picture_listed(&format!("{head}{logo}")));
        assert!(!large_picture_listed(head));
    }
}
