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
/// returns the picture's path.
pub fn render_page(pdf: &Path, page: u32, dir: &Path, limit: Duration) -> Result<PathBuf, OcrError> {
    let root = dir.join(format!("page-{page}"));
    let child = Command::new("pdftoppm")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .args(["-scale-to", &LONG_SIDE.to_string(), "-gray", "-png", "-singlefile"])
        .arg(pdf)
        .arg(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (status, _, err) = wait_with_limit(child, limit)?;
    let out = root.with_extension("png");
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
        .args(["-f", &page.to_string(), "-l", &page.to_string(), "-enc", "UTF-8"])
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
            String::from_utf8_lossy(&err).lines().next().unwrap_or("").trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
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
