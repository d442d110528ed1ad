//! Single-file compressors: bzip2, xz and zstd (gzip is [`crate::readers::gzip`]).
//! One member, the decompressed stream, read through the same size, ratio
//! and expansion limits as any member (ingest counts the bytes). The
//! decoders are pure Rust (bzip2's libbz2-rs-sys, lzma-rust2, ruzstd), so
//! they run in process under `guard`, not in a decoder child.

use std::io::{self, BufRead, BufReader, Read};

use leakcheck_core::Kind;
use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

use crate::{ExtractError, Listing, Member, MemberData, Result, Sink};

/// The member's name: the container's name without the compressor's
/// extension (`dump.tar.xz` → `dump.tar`), else "decompressed".
pub fn member_name(kind: Kind, container_name: &str) -> String {
    let exts: &[&str] = match kind {
        Kind::Bzip2 => &[".bz2", ".bz", ".tbz2", ".tbz"],
        Kind::Xz => &[".xz", ".txz"],
        Kind::Zstd => &[".zst", ".zstd", ".tzst"],
        _ => &[],
    };
    let base = container_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(container_name);
    let lower = base.to_ascii_lowercase();
    for ext in exts {
        if let Some(stem) = lower.strip_suffix(ext)
            && !stem.is_empty()
        {
            let stem = &base[..stem.len()];
            // `.tbz2`, `.txz`, `.tzst` are tar archives.
            return if ext.starts_with(".t") {
                format!("{stem}.tar")
            } else {
                stem.to_string()
            };
        }
    }
    "decompressed".into()
}

/// Hands the decompressed stream of a `kind` (bzip2, xz, zstd) container to
/// `sink` as its single member. `size` is the container's size, for the
/// ratio check.
pub fn expand<R: Read>(
    kind: Kind,
    reader: R,
    name: String,
    size: u64,
    sink: &mut dyn Sink,
) -> Result<Listing> {
    let mut decoder: Box<dyn Read + '_> = match kind {
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        // Concatenated xz streams are one stream, as `xz -d` reads them.
        Kind::Xz => Box::new(lzma_rust2::XzReader::new(reader, true)),
        Kind::Zstd => Box::new(ZstdFrames::new(reader)),
        k => {
            return Err(ExtractError::malformed(
                "compressed",
                format!("{k} is not a single-file compressor"),
            ));
        }
    };
    sink.member(Member {
        name,
        index: 0,
        declared_size: None,
        compressed_size: Some(size),
        extra: None,
        data: MemberData::Reader(&mut decoder),
    });
    Ok(Listing {
        expected: 1,
        detail: None,
        warning: None,
    })
}

/// Every zstd frame of a stream, one after another (as `zstd -d` writes
/// concatenated frames out); skippable frames are skipped by the decoder.
struct ZstdFrames<R: Read> {
    source: Option<BufReader<R>>,
    frame: Option<StreamingDecoder<BufReader<R>, FrameDecoder>>,
}

impl<R: Read> ZstdFrames<R> {
    fn new(r: R) -> ZstdFrames<R> {
        ZstdFrames {
            source: Some(BufReader::new(r)),
            frame: None,
        }
    }
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(out)?;
                if n > 0 || out.is_empty() {
                    return Ok(n);
                }
                let frame = self.frame.take().expect("frame present");
                self.source = Some(frame.into_inner());
            }
            let Some(mut source) = self.source.take() else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            let frame = StreamingDecoder::new(source).map_err(io::Error::other)?;
            self.frame = Some(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(member_name(Kind::Xz, "a/dump.tar.xz"), "dump.tar");
        assert_eq!(member_name(Kind::Zstd, "x.TZST"), "x.tar");
        assert_eq!(member_name(Kind::Bzip2, "box.mbox.bz2"), "box.mbox");
        assert_eq!(member_name(Kind::Bzip2, "noext"), "decompressed");
    }

    #[test]
    fn two_zstd_frames_are_one_stream() {
        let mut z = ruzstd::encoding::compress_to_vec(
            &b"first "[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        z.extend(ruzstd::encoding::compress_to_vec(
            &b"second"[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
        let mut out = String::new();
        ZstdFrames::new(&z[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, "first second");
    }
}
