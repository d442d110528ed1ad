//! Redacted PDFs: every page rasterised, personal data painted over in
//! black, written into a new PDF that holds only those pictures.
//!
//! Why rasterise rather than draw black boxes on the original: a box drawn
//! over text hides it from the eye only. The text stays in the content
//! stream under the box (copy, search and `pdftotext` find it), and the
//! original's Info dictionary, XMP packet, annotations, form fields and
//! earlier revisions travel with it. A page rebuilt from pixels cannot
//! carry any of that: what the reader sees is all there is.
//!
//! Where the values are comes from poppler, in child processes with a time
//! limit like OCR's rendering ([`leakcheck_extract::ocr::render`]): the
//! words and their boxes from `pdftotext -bbox-layout`, the pixels from
//! `pdftoppm`. A page's text is rebuilt from its words (spaces between
//! words, newlines between lines, in poppler's order) for the span finder
//! (a [`leakcheck_redact::Detector`], with the review's decisions applied by
//! the caller), and each word a span touches is painted over whole.
//!
//! A page whose pixels may show what its words do not say cannot be checked
//! that way, so it is painted black whole: a page that draws a large picture
//! (a scan, a photographed ID) or that has ink but no words at all (text
//! drawn as outlines). Annotations (form fields, comments, stamps) are not
//! drawn: pdftotext does not read them. Any failure (poppler missing, a
//! page it cannot read, a hostile file) fails the whole document: no
//! partial PDF is written.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use image::GrayImage;
use leakcheck_extract::ocr::engine::wait_with_limit;
use leakcheck_extract::ocr::{OcrError, render};
use leakcheck_redact::Span;
use lopdf::{Document, Object, Stream, dictionary};

/// Pixels per inch of the pictures: text stays legible, and an A4 page is
/// 1240 × 1754 pixels in grey.
pub const DPI: f64 = 150.0;

/// Pixels added around each word's box on every side: poppler's box is the
/// font's ascent and descent, and anti-aliasing bleeds a pixel beyond it.
const MARGIN: f64 = 2.0;

/// Pages rendered at most: each costs three child processes, and a hostile
/// page tree can claim millions.
pub const MAX_PAGES: u32 = 1000;

/// Why a redacted PDF could not be made. Each is recorded beside the item;
/// none leaves a partial file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// A poppler program is not installed.
    #[error("poppler's {0} is not installed (Debian package poppler-utils)")]
    Missing(&'static str),
    /// A poppler program failed, timed out or wrote what cannot be read.
    #[error("{tool}: {why}")]
    Tool {
        /// The program.
        tool: &'static str,
        /// What went wrong.
        why: String,
    },
    /// The document has more pages than [`MAX_PAGES`].
    #[error("{0} pages, more than the {MAX_PAGES} rendered at most")]
    TooManyPages(u32),
    /// A page's size or picture does not fit what poppler said of it.
    #[error("page {page}: {why}")]
    Page {
        /// The page, from 1.
        page: u32,
        /// What does not fit.
        why: String,
    },
    /// A temporary file could not be written.
    #[error("temporary file: {0}")]
    Io(#[from] std::io::Error),
    /// The new PDF could not be written.
    #[error("writing the PDF: {0}")]
    Write(#[from] lopdf::Error),
}

/// One page of a redacted PDF, as the log needs it.
#[derive(Clone, Debug)]
pub struct RedactedPage {
    /// The page's text as rebuilt from its words; spans index it.
    pub text: String,
    /// The spans found in `text`, each painted over.
    pub spans: Vec<Span>,
    /// Why the whole page was painted black, when it was.
    pub blacked_out: Option<String>,
}

/// A redacted PDF: its bytes and what was painted on each page.
#[derive(Clone, Debug)]
pub struct RedactedPdf {
    /// The new PDF: one picture per page, no text, no metadata.
    pub bytes: Vec<u8>,
    /// Pages in order.
    pub pages: Vec<RedactedPage>,
}

/// A word and its box, in points from the page's top left corner.
#[derive(Clone, Debug, PartialEq)]
struct Word {
    text: String,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
}

/// A page as `pdftotext -bbox-layout` describes it.
#[derive(Clone, Debug, Default, PartialEq)]
struct PageWords {
    /// Width and height in points.
    width: f64,
    height: f64,
    lines: Vec<Vec<Word>>,
}

/// Makes the redacted copy of the PDF file `original`, painting what `find`
/// finds in each page's text, with `limit` for each poppler call. Poppler reads a copy in a temporary folder: the
/// original (a blob of the case) is only ever read, by this copy.
pub fn redact_pdf(
    original: &Path,
    find: &dyn Fn(&str) -> Vec<Span>,
    limit: Duration,
) -> Result<RedactedPdf, PdfError> {
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("original.pdf");
    std::fs::copy(original, &pdf)?;
    let count = page_count(&pdf, limit)?;
    if count > MAX_PAGES {
        return Err(PdfError::TooManyPages(count));
    }
    let mut pictures = Vec::new();
    let mut pages = Vec::new();
    for page in 1..=count {
        let (picture, done) = redact_page(&pdf, page, dir.path(), find, limit)?;
        pictures.push(picture);
        pages.push(done);
    }
    Ok(RedactedPdf {
        bytes: picture_pdf(pictures)?,
        pages,
    })
}

/// A page's picture for the new PDF.
struct Picture {
    /// Grey pixels, a byte each, row by row, Flate-compressed.
    pixels: Vec<u8>,
    width: u32,
    height: u32,
    /// The page's width and height in points.
    points: (f64, f64),
}

fn redact_page(
    pdf: &Path,
    page: u32,
    dir: &Path,
    find: &dyn Fn(&str) -> Vec<Span>,
    limit: Duration,
) -> Result<(Picture, RedactedPage), PdfError> {
    let bbox = run(
        "pdftotext",
        &[
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-bbox-layout",
            "-enc",
            "UTF-8",
        ],
        pdf,
        Some(Path::new("-")),
        limit,
    )?;
    let words = parse_bbox(&String::from_utf8_lossy(&bbox))
        .map_err(|why| PdfError::Tool {
            tool: "pdftotext",
            why,
        })?
        .into_iter()
        .next()
        .ok_or_else(|| PdfError::Page {
            page,
            why: "pdftotext described no page".into(),
        })?;
    let (text, at) = page_text(&words);
    let spans = find(&text);
    let picture = render::has_large_picture(pdf, page, limit).map_err(|e| tool("pdfimages", e))?;

    let (mut img, dpi) = render_gray(pdf, page, &words, dir, limit)?;
    // Poppler's text boxes are in the rotated page's frame, as the picture
    // is; the size it prints may be the unrotated media box. A picture of
    // another size than the page's (give or take the rounding) would put
    // the boxes in the wrong place: refused.
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let size = [(words.width, words.height), (words.height, words.width)]
        .into_iter()
        .find(|&(pw, ph)| (w - pw * dpi / 72.0).abs() <= 2.0 && (h - ph * dpi / 72.0).abs() <= 2.0)
        .ok_or_else(|| PdfError::Page {
            page,
            why: format!(
                "a {w}×{h} picture for a page of {}×{} points",
                words.width, words.height
            ),
        })?;
    let (sx, sy) = (w / size.0, h / size.1);

    let blacked_out = if picture {
        Some("it draws a large picture (a scan?) whose text cannot be checked".to_string())
    } else if at.is_empty() && inked(&img) {
        Some("it shows marks but has no text to check (text drawn as outlines?)".to_string())
    } else {
        None
    };
    if blacked_out.is_some() {
        img.pixels_mut().for_each(|p| p.0 = [0]);
    } else {
        for (word, &(start, end)) in words.lines.iter().flatten().zip(&at) {
            if spans.iter().any(|s| start < s.end && s.start < end) {
                paint(&mut img, word, sx, sy);
            }
        }
    }
    // Flate, not JPEG: measured on a dense A4 page of text at 150 dpi,
    // 259 KB against 558 KB for a JPEG of quality 85, and lossless.
    let (width, height) = img.dimensions();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(img.as_raw())?;
    Ok((
        Picture {
            pixels: z.finish()?,
            width,
            height,
            points: size,
        },
        RedactedPage {
            text,
            spans,
            blacked_out,
        },
    ))
}

/// The page's text rebuilt from its words, and each word's byte range in it.
fn page_text(page: &PageWords) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut at = Vec::new();
    for (i, line) in page.lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        for (j, w) in line.iter().enumerate() {
            if j > 0 {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(&w.text);
            at.push((start, text.len()));
        }
    }
    (text, at)
}

/// Paints the word's box black, scaled to pixels, with [`MARGIN`].
fn paint(img: &mut GrayImage, w: &Word, sx: f64, sy: f64) {
    let clamp = |v: f64, max: u32| (v as i64).clamp(0, i64::from(max)) as u32;
    let x0 = clamp((w.x_min.min(w.x_max) * sx).floor() - MARGIN, img.width());
    let x1 = clamp((w.x_min.max(w.x_max) * sx).ceil() + MARGIN, img.width());
    let y0 = clamp((w.y_min.min(w.y_max) * sy).floor() - MARGIN, img.height());
    let y1 = clamp((w.y_min.max(w.y_max) * sy).ceil() + MARGIN, img.height());
    for y in y0..y1 {
        for x in x0..x1 {
            img.put_pixel(x, y, image::Luma([0]));
        }
    }
}

/// Does the picture show anything? More than one pixel in ten thousand
/// darker than mid-grey: a blank page has none.
fn inked(img: &GrayImage) -> bool {
    let dark = img.pixels().filter(|p| p.0[0] < 128).count() as u64;
    dark * 10_000 > u64::from(img.width()) * u64::from(img.height())
}

/// Renders the page in grey at [`DPI`], or less when the page is so large
/// that its long side would pass [`render::LONG_SIDE`] pixels; returns the
/// picture and its resolution.
fn render_gray(
    pdf: &Path,
    page: u32,
    words: &PageWords,
    dir: &Path,
    limit: Duration,
) -> Result<(GrayImage, f64), PdfError> {
    let long = words.width.max(words.height);
    if !(long.is_finite() && long > 0.0) {
        return Err(PdfError::Page {
            page,
            why: format!("a size of {}×{} points", words.width, words.height),
        });
    }
    let dpi = DPI.min(f64::from(render::LONG_SIDE) * 72.0 / long);
    let root = dir.join(format!("page-{page}"));
    let p = page.to_string();
    run(
        "pdftoppm",
        &[
            "-f",
            &p,
            "-l",
            &p,
            "-r",
            &format!("{dpi:.3}"),
            "-gray",
            "-tiff",
            "-singlefile",
            // Annotations (form fields, comments, stamps) are drawn from
            // their own appearance streams, which pdftotext does not read:
            // shown, their values would go unchecked.
            "-hide-annotations",
        ],
        pdf,
        Some(&root),
        limit,
    )?;
    let file: PathBuf = root.with_extension("tif");
    let img = image::open(&file)
        .map_err(|e| PdfError::Page {
            page,
            why: format!("pdftoppm's picture: {e}"),
        })?
        .to_luma8();
    let _ = std::fs::remove_file(&file);
    Ok((img, dpi))
}

/// The page count, from `pdfinfo`. Its last `Pages:` line: the metadata
/// printed before it is the document's to choose.
fn page_count(pdf: &Path, limit: Duration) -> Result<u32, PdfError> {
    let out = run("pdfinfo", &[], pdf, None, limit)?;
    String::from_utf8_lossy(&out)
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| PdfError::Tool {
            tool: "pdfinfo",
            why: "no page count".into(),
        })
}

/// Runs a poppler program on `pdf` (then `out`, when given) under `limit`
/// and returns its standard output.
fn run(
    tool: &'static str,
    args: &[&str],
    pdf: &Path,
    out: Option<&Path>,
    limit: Duration,
) -> Result<Vec<u8>, PdfError> {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(pdf);
    if let Some(out) = out {
        cmd.arg(out);
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PdfError::Missing(tool),
            _ => PdfError::Io(e),
        })?;
    let (status, out, err) = wait_with_limit(child, limit).map_err(|e| self::tool(tool, e))?;
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        return Err(PdfError::Tool {
            tool,
            why: format!(
                "{status}: {}",
                err.lines().next().unwrap_or("no message").trim()
            ),
        });
    }
    Ok(out)
}

fn tool(tool: &'static str, e: OcrError) -> PdfError {
    match e {
        OcrError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => PdfError::Missing(tool),
        e => PdfError::Tool {
            tool,
            why: e.to_string(),
        },
    }
}

/// Reads `pdftotext -bbox-layout`: `<page width height>`, then `<line>`s of
/// `<word xMin yMin xMax yMax>text</word>`. Only what follows `<doc>` is
/// read (the head repeats the document's metadata), and output without its
/// closing `</doc>` was cut short: an error, since a page missing from it
/// would go unchecked.
fn parse_bbox(html: &str) -> Result<Vec<PageWords>, String> {
    let body = html
        .find("<doc>")
        .map(|at| &html[at..])
        .ok_or("no <doc> in its output")?;
    if !body.contains("</doc>") {
        return Err("its output was cut short".into());
    }
    let mut pages: Vec<PageWords> = Vec::new();
    for tag in body.split('<') {
        if tag.starts_with("page ") {
            pages.push(PageWords {
                width: attr(tag, "width")?,
                height: attr(tag, "height")?,
                lines: Vec::new(),
            });
        } else if tag.starts_with("line ") || tag.starts_with("line>") {
            let page = pages.last_mut().ok_or("a line outside any page")?;
            page.lines.push(Vec::new());
        } else if tag.starts_with("word ") {
            let page = pages.last_mut().ok_or("a word outside any page")?;
            let text = tag.split_once('>').map(|(_, t)| t).unwrap_or("");
            let word = Word {
                text: unescape(text),
                x_min: attr(tag, "xMin")?,
                y_min: attr(tag, "yMin")?,
                x_max: attr(tag, "xMax")?,
                y_max: attr(tag, "yMax")?,
            };
            if page.lines.is_empty() {
                page.lines.push(Vec::new());
            }
            if let Some(line) = page.lines.last_mut() {
                line.push(word);
            }
        }
    }
    Ok(pages)
}

/// A number attribute of a tag; a missing or non-finite one is an error,
/// since the word it places could not be painted over.
fn attr(tag: &str, name: &str) -> Result<f64, String> {
    let head = tag.split_once('>').map(|(h, _)| h).unwrap_or(tag);
    let key = format!(" {name}=\"");
    let v = head
        .find(&key)
        .map(|at| &head[at + key.len()..])
        .and_then(|rest| rest.split_once('"'))
        .and_then(|(v, _)| v.parse::<f64>().ok())
        .filter(|v| v.is_finite());
    v.ok_or_else(|| {
        format!(
            "no number {name} in <{}>",
            head.chars().take(80).collect::<String>()
        )
    })
}

/// The XML escapes poppler writes in word text.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest.find(';').map(|end| (&rest[1..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A PDF of pictures: a page per picture, of its size in points, the
/// picture drawn over all of it. Nothing else: no text, no Info
/// dictionary, no XMP.
fn picture_pdf(pages: Vec<Picture>) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::with_version("1.4");
    let tree = doc.new_object_id();
    let mut kids = Vec::new();
    for Picture {
        pixels,
        width,
        height,
        points: (pw, ph),
    } in pages
    {
        // Already compressed: lopdf must not compress it again.
        let picture = doc.add_object(
            Stream::new(
                dictionary! {
                    "Type" => "XObject",
                    "Subtype" => "Image",
                    "Width" => width,
                    "Height" => height,
                    "ColorSpace" => "DeviceGray",
                    "BitsPerComponent" => 8,
                    "Filter" => "FlateDecode",
                },
                pixels,
            )
            .with_compression(false),
        );
        let content = doc.add_object(Stream::new(
            dictionary! {},
            format!("q {pw:.3} 0 0 {ph:.3} 0 0 cm /P Do Q").into_bytes(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => tree,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(pw as f32), Object::Real(ph as f32)],
            "Resources" => dictionary! { "XObject" => dictionary! { "P" => picture } },
            "Contents" => content,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.set_object(
        tree,
        dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        },
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => tree,
    });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_redact::{Detector, Rules};

    const BBOX: &str = r#"<html><head><title>&lt;doc&gt; Jeanne</title></head><body>
<doc>
  <page width="595.000000" height="842.000000">
    <flow><block xMin="72" yMin="60" xMax="300" yMax="90">
        <line xMin="72" yMin="60" xMax="300" yMax="74">
          <word xMin="72.0" yMin="60.0" xMax="100.0" yMax="74.0">Appeler</word>
          <word xMin="104.0" yMin="60.0" xMax="116.0" yMax="74.0">06</word>
          <word xMin="120.0" yMin="60.0" xMax="132.0" yMax="74.0">12</word>
          <word xMin="136.0" yMin="60.0" xMax="148.0" yMax="74.0">34</word>
          <word xMin="152.0" yMin="60.0" xMax="164.0" yMax="74.0">56</word>
          <word xMin="168.0" yMin="60.0" xMax="180.0" yMax="74.0">78</word>
        </line>
        <line xMin="72" yMin="76" xMax="300" yMax="90">
          <word xMin="72.0" yMin="76.0" xMax="140.0" yMax="90.0">R&amp;D&#233;</word>
        </line>
    </block></flow>
  </page>
</doc></body></html>"#;

    #[test]
    fn words_rebuild_the_text_and_a_span_paints_its_words() {
        let pages = parse_bbox(BBOX).unwrap();
        assert_eq!(pages.len(), 1);
        let (text, at) = page_text(&pages[0]);
        assert_eq!(text, "Appeler 06 12 34 56 78\nR&Dé");
        assert_eq!(at.len(), 7);
        let detector = Detector::new(&Rules::default()).unwrap();
        let spans = detector.find(&text);
        assert_eq!(spans.len(), 1, "{spans:?}");

        // A white page at 1 px per point: the phone's five words go black,
        // "Appeler" stays white.
        let mut img = GrayImage::from_pixel(595, 842, image::Luma([255]));
        for (word, &(start, end)) in pages[0].lines.iter().flatten().zip(&at) {
            if start < spans[0].end && spans[0].start < end {
                paint(&mut img, word, 1.0, 1.0);
            }
        }
        assert_eq!(img.get_pixel(110, 67).0, [0]);
        assert_eq!(img.get_pixel(175, 67).0, [0]);
        assert_eq!(img.get_pixel(85, 67).0, [255]);
        assert!(inked(&img));
    }

    #[test]
    fn cut_or_broken_output_is_refused() {
        let cut = &BBOX[..BBOX.find("</doc>").unwrap()];
        assert!(parse_bbox(cut).is_err());
        let nan = BBOX.replace("xMin=\"72.0\"", "xMin=\"nan\"");
        assert!(parse_bbox(&nan).is_err());
        assert!(parse_bbox("").is_err());
        assert_eq!(unescape("a &bogus; &#x41;&lt;"), "a &bogus; A<");
    }

    #[test]
    fn a_sample_pdf_becomes_pictures_without_its_text_or_metadata() {
        let original = leakcheck_samples::pdf(
            &leakcheck_samples::PdfInfo {
                title: Some("Fiche secrete".into()),
                author: Some("Jeanne Dufour".into()),
                ..Default::default()
            },
            None,
            &["Joindre Jeanne au 06 12 34 56 78 demain.", "Page deux."],
        );
        let detector = Detector::new(&Rules {
            names: vec!["Jeanne Dufour".into()],
            keep: vec![],
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fiche.pdf");
        std::fs::write(&path, &original).unwrap();
        let made = match redact_pdf(&path, &|t: &str| detector.find(t), Duration::from_secs(60)) {
            Err(PdfError::Missing(tool)) => {
                leakcheck_core::testing::skip(&format!("{tool} not installed"));
                return;
            }
            made => made.unwrap(),
        };
        assert_eq!(made.pages.len(), 2);
        assert_eq!(made.pages[0].spans.len(), 1, "{:?}", made.pages[0]);
        assert!(made.pages.iter().all(|p| p.blacked_out.is_none()));
        let bytes = String::from_utf8_lossy(&made.bytes);
        for gone in [
            "06 12", "Jeanne", "Dufour", "Fiche", "Joindre", "/Info", "/Font",
        ] {
            assert!(!bytes.contains(gone), "{gone} in the redacted PDF");
        }
        let doc = Document::load_mem(&made.bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 2);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            original,
            "the original is untouched"
        );
    }

    #[test]
    fn a_scanned_page_is_painted_black_whole() {
        // A page-sized picture with an OCR layer, as scanners write them:
        // the layer may miss what the picture shows.
        let scan = GrayImage::from_fn(600, 800, |x, y| {
            image::Luma([if (x / 20 + y / 20) % 2 == 0 { 40 } else { 230 }])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&scan)
            .unwrap();
        let original =
            leakcheck_samples::picture_pdf(&jpeg, (600, 800), Some("Tel. 06 12 34 56 78"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scan.pdf");
        std::fs::write(&path, &original).unwrap();
        let detector = Detector::new(&Rules::default()).unwrap();
        let made = match redact_pdf(&path, &|t: &str| detector.find(t), Duration::from_secs(60)) {
            Err(PdfError::Missing(tool)) => {
                leakcheck_core::testing::skip(&format!("{tool} not installed"));
                return;
            }
            made => made.unwrap(),
        };
        assert!(made.pages[0].blacked_out.is_some(), "{:?}", made.pages[0]);
        assert_eq!(made.pages[0].spans.len(), 1);
    }

    #[test]
    fn a_hostile_pdf_is_an_error() {
        let detector = Detector::new(&Rules::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.pdf");
        std::fs::write(&path, b"%PDF-1.4\ngarbage").unwrap();
        match redact_pdf(&path, &|t: &str| detector.find(t), Duration::from_secs(20)) {
            Err(PdfError::Missing(tool)) => {
                leakcheck_core::testing::skip(&format!("{tool} not installed"))
            }
            Err(_) => {}
            Ok(_) => panic!("a PDF made of garbage"),
        }
    }
}
