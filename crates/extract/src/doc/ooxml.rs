//! OOXML packages (docx, xlsx, pptx).
use leakcheck_core::{DocMeta, Kind};

use super::{DocLimits, TextSink};
use crate::Result;

/// Reads an OOXML package.
pub fn read(kind: Kind, _bytes: &[u8], _limits: &DocLimits, _text: &mut TextSink) -> Result<DocMeta> {
    Ok(DocMeta::new(kind.as_str()))
}
