//! Self-extracting archives: a Windows executable (`MZ`) carrying a RAR,
//! 7z or zip payload after its stub, recognised by content. The stub stays
//! the item; its payload's members become its members.

use std::io::{self, Read, Seek, SeekFrom};

use leakcheck_core::Kind;

/// How far into an executable a payload is looked for (stubs are a few
/// hundred KiB).
const SCAN: usize = 8 << 20;

/// The payload's kind and where it starts, if `exe` is a self-extractor.
pub fn payload(exe: &[u8]) -> Option<(Kind, u64)> {
    if !exe.starts_with(b"MZ") {
        return None;
    }
    let hay = &exe[..exe.len().min(SCAN)];
    let signatures: [(&[u8], Kind); 3] = [
        (b"Rar!\x1a\x07", Kind::Rar),
        (b"7z\xbc\xaf\x27\x1c", Kind::SevenZip),
        (b"PK\x03\x04", Kind::Zip),
    ];
    signatures
        .iter()
        .filter_map(|(sig, kind)| {
            let at = hay.windows(sig.len()).position(|w| w == *sig)?;
            Some((at, *kind))
        })
        .min()
        .map(|(at, kind)| (kind, at as u64))
        // Executables carry zip-like bytes in resources: a zip payload must
        // also have a central directory the zip reader finds.
        .filter(|(kind, _)| {
            *kind != Kind::Zip || zip::ZipArchive::new(io::Cursor::new(exe)).is_ok()
        })
}

/// A reader that starts `base` bytes into another, so a reader that wants
/// its format at offset 0 (7z) can read a payload after a stub.
pub struct Offset<R> {
    inner: R,
    base: u64,
}

impl<R: Seek> Offset<R> {
    /// `inner` seen from `base` on.
    pub fn new(mut inner: R, base: u64) -> io::Result<Offset<R>> {
        inner.seek(SeekFrom::Start(base))?;
        Ok(Offset { inner, base })
    }
}

impl<R: Read> Read for Offset<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for Offset<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let pos = match pos {
            SeekFrom::Start(n) => SeekFrom::Start(self.base + n),
            other => other,
        };
        let at = self.inner.seek(pos)?;
        at.checked_sub(self.base)
            .ok_or_else(|| io::Error::other("seek before the payload"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_payload() {
        let mut exe = b"MZ\x90\x00stub code".to_vec();
        exe.extend(b"7z\xbc\xaf\x27\x1c rest");
        assert_eq!(payload(&exe), Some((Kind::SevenZip, 13)));
        assert_eq!(payload(b"MZ plain program"), None);
        assert_eq!(payload(b"7z\xbc\xaf\x27\x1c not an exe"), None);
        let mut r = Offset::new(io::Cursor::new(&exe), 13).unwrap();
        let mut head = [0u8; 2];
        r.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"7z");
        assert_eq!(r.seek(SeekFrom::Start(0)).unwrap(), 0);
    }
}
