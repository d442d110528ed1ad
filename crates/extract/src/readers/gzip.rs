//! Gzip: one member, the decompressed stream (concatenated gzip members are
//! one stream, as `gunzip` reads them).

use std::io::Read;

use flate2::read::MultiGzDecoder;
use serde_json::json;

use crate::{Listing, Member, MemberData, Result, Sink};

/// Hands the decompressed stream to `sink` as the single member. `size` is
/// the compressed file's, for the ratio check.
pub fn expand<R: Read>(reader: R, size: u64, sink: &mut dyn Sink) -> Result<Listing> {
    let mut decoder = MultiGzDecoder::new(reader);
    let header = decoder.header();
    let name = header
        .and_then(|h| h.filename())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .unwrap_or_else(|| "decompressed".into());
    let mtime = header.map(|h| h.mtime()).filter(|&m| m != 0);
    sink.member(Member {
        name,
        index: 0,
        declared_size: None,
        compressed_size: Some(size),
        extra: mtime.map(|m| json!({"mtime": m})),
        data: MemberData::Reader(&mut decoder),
    });
    Ok(Listing {
        expected: 1,
        detail: None,
        warning: None,
    })
}
