//! RTF: the `\info` group, generator, code page, text.
use leakcheck_core::DocMeta;

use super::TextSink;
use crate::Result;

/// Reads an RTF document.
pub fn read(_bytes: &[u8], _text: &mut TextSink) -> Result<DocMeta> {
    Ok(DocMeta::new("rtf"))
}
