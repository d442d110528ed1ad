//! Documents and images: plain text and metadata, store by store.
//!
//! [`extract`] reads one item's bytes and returns its [`DocMeta`] (every
//! metadata store kept apart) and its text. Each format has its own module;
//! they share [`xmp`] (XMP packets appear in PDFs, JPEGs, TIFFs and PNGs),
//! [`dates`] (one normal form for a dozen date spellings) and [`TextSink`].

use leakcheck_core::{DocMeta, Kind};

use crate::Result;

mod bytes;
pub(crate) mod codepage;
pub mod dates;
pub mod html;
pub mod image;
mod image_exif;
mod image_thumb;
mod iptc;
pub mod odf;
mod office_xml;
pub mod ole;
mod ole_props;
mod ole_text;
mod ole_word;
pub mod ooxml;
mod package;
pub mod pdf;
mod pdf_layout;
mod pdf_raw;
mod pdf_text;
pub mod rtf;
mod text;
mod xml;
pub mod xmp;

pub use text::TextSink;

/// Bounds on the work done for one document.
#[derive(Clone, Debug)]
pub struct DocLimits {
    /// Text kept per document, in bytes; the rest is counted, not kept.
    pub max_text_bytes: usize,
    /// Largest XML part (or PDF stream) decompressed for metadata or text.
    pub max_part_bytes: u64,
    /// Largest image decoded for the thumbnail comparison, in pixels.
    pub max_pixels: u64,
}

impl Default for DocLimits {
    fn default() -> DocLimits {
        DocLimits {
            max_text_bytes: 4 << 20,
            max_part_bytes: 64 << 20,
            max_pixels: 64_000_000,
        }
    }
}

/// What one document yields.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Its metadata.
    pub meta: DocMeta,
    /// Its plain text (cut at `max_text_bytes`; `meta` says so).
    pub text: String,
}

/// Whether [`extract`] reads items of this kind.
pub fn handles(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pdf
            | Kind::Docx
            | Kind::Xlsx
            | Kind::Pptx
            | Kind::Odt
            | Kind::Ods
            | Kind::Odp
            | Kind::OleDocument
            | Kind::Rtf
            | Kind::Html
            | Kind::Jpeg
            | Kind::Png
            | Kind::Tiff
            | Kind::Heic
            | Kind::Webp
    )
}

/// Reads one document or image. Call it under [`guard`](crate::guard): the
/// third-party parsers below meet hostile input.
pub fn extract(kind: Kind, bytes: &[u8], limits: &DocLimits) -> Result<Extracted> {
    let mut text = TextSink::new(limits.max_text_bytes);
    let mut meta = match kind {
        Kind::Pdf => pdf::read(bytes, limits, &mut text)?,
        Kind::Docx | Kind::Xlsx | Kind::Pptx => ooxml::read(kind, bytes, limits, &mut text)?,
        Kind::Odt | Kind::Ods | Kind::Odp => odf::read(kind, bytes, limits, &mut text)?,
        Kind::OleDocument => ole::read(bytes, limits, &mut text)?,
        Kind::Rtf => rtf::read(bytes, &mut text)?,
        Kind::Html => html::read(bytes, &mut text)?,
        Kind::Jpeg | Kind::Png | Kind::Tiff | Kind::Heic | Kind::Webp => {
            image::read(kind, bytes, limits)?
        }
        _ => DocMeta::new(kind.as_str()),
    };
    meta.text_chars = text.chars();
    meta.text_truncated = text.truncated();
    Ok(Extracted {
        meta,
        text: text.into_string(),
    })
}

#[cfg(test)]
pub(crate) mod testing {
    use std::io::Write;

    /// A shared-corpus file, or `None` (saying so) when the corpus is absent.
    pub fn corpus(rel: &str) -> Option<Vec<u8>> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus")
            .join(rel);
        let bytes = std::fs::read(&p).ok();
        if bytes.is_none() {
            leakcheck_core::testing::skip(&format!("{} not found", p.display()));
        }
        bytes
    }

    /// A ZIP package of text parts, for OOXML and ODF tests.
    pub fn zip(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, body) in parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }
}
