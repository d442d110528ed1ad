//! PDF: Info dictionary, XMP, pages, revisions, text.
use leakcheck_core::DocMeta;

use super::{DocLimits, TextSink};
use crate::Result;

/// Reads a PDF.
pub fn read(_bytes: &[u8], _limits: &DocLimits, _text: &mut TextSink) -> Result<DocMeta> {
    Ok(DocMeta::new("pdf"))
}
