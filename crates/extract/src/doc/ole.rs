//! Legacy Office (OLE compound files): property sets and the Word FIB.
use leakcheck_core::DocMeta;

use super::{DocLimits, TextSink};
use crate::Result;

/// Reads an OLE compound document.
pub fn read(_bytes: &[u8], _limits: &DocLimits, _text: &mut TextSink) -> Result<DocMeta> {
    Ok(DocMeta::new("ole"))
}
