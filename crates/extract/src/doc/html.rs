//! HTML: title, meta tags, text.
use leakcheck_core::DocMeta;

use super::TextSink;
use crate::Result;

/// Reads an HTML page.
pub fn read(_bytes: &[u8], _text: &mut TextSink) -> Result<DocMeta> {
    Ok(DocMeta::new("html"))
}
