//! Text of legacy Excel and PowerPoint files: the BIFF8 shared string table
//! and PowerPoint's text atoms. Written here: no Rust crate reads either
//! without pulling a full spreadsheet or presentation model.

use super::bytes::{u16_at, u32_at, utf16le};
use super::{TextSink, codepage};

/// Records walked per stream; a hostile stream of empty records stops here.
const MAX_RECORDS: usize = 4_000_000;
/// Shared strings read.
const MAX_STRINGS: usize = 4_000_000;

const BIFF_SST: u16 = 0x00fc;
const BIFF_CONTINUE: u16 = 0x003c;
const PPT_TEXT_CHARS: u16 = 0x0fa0;
const PPT_TEXT_BYTES: u16 = 0x0fa8;

/// BIFF records: type and body.
fn biff_records(wb: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let kind = u16_at(wb, at)?;
        let len = usize::from(u16_at(wb, at + 2)?);
        let body = wb.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, body))
    })
    .take(MAX_RECORDS)
}

/// Writes the workbook's shared strings, one per line (the table holds
/// every distinct cell string, not in cell order).
pub fn excel(wb: &[u8], text: &mut TextSink) {
    let mut segments: Vec<&[u8]> = Vec::new();
    for (kind, body) in biff_records(wb) {
        match kind {
            BIFF_SST if segments.is_empty() => segments.push(body),
            BIFF_CONTINUE if !segments.is_empty() => segments.push(body),
            _ if !segments.is_empty() => break,
            _ => {}
        }
    }
    let mut r = Segments {
        segs: segments,
        seg: 0,
        pos: 0,
    };
    let (Some(_total), Some(unique)) = (r.u32(), r.u32()) else {
        return;
    };
    for _ in 0..(unique as usize).min(MAX_STRINGS) {
        let Some(s) = r.xl_string() else { return };
        text.push(&s);
        text.break_line();
        if text.is_full() {
            return;
        }
    }
}

/// A record body continued over CONTINUE records.
struct Segments<'a> {
    segs: Vec<&'a [u8]>,
    seg: usize,
    pos: usize,
}

impl Segments<'_> {
    /// Moves to the next segment when this one is used up.
    fn settle(&mut self) -> Option<()> {
        while self.pos >= self.segs.get(self.seg)?.len() {
            self.seg += 1;
            self.pos = 0;
        }
        Some(())
    }

    fn byte(&mut self) -> Option<u8> {
        self.settle()?;
        let b = *self.segs.get(self.seg)?.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([
            self.byte()?,
            self.byte()?,
            self.byte()?,
            self.byte()?,
        ]))
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            self.settle()?;
            let avail = self.segs.get(self.seg)?.len() - self.pos;
            let step = avail.min(n);
            self.pos += step;
            n -= step;
        }
        Some(())
    }

    /// An XLUnicodeRichExtendedString. Characters that cross into a
    /// CONTINUE record start with a fresh flags byte there.
    fn xl_string(&mut self) -> Option<String> {
        let mut remaining = usize::from(self.u16()?);
        let flags = self.byte()?;
        let mut wide = flags & 0x01 != 0;
        let runs = if flags & 0x08 != 0 {
            usize::from(self.u16()?)
        } else {
            0
        };
        let ext = if flags & 0x04 != 0 {
            self.u32()? as usize
        } else {
            0
        };
        let mut out = String::new();
        while remaining > 0 {
            if self.pos >= self.segs.get(self.seg)?.len() {
                self.seg += 1;
                self.pos = 0;
                wide = self.segs.get(self.seg)?.first()? & 0x01 != 0;
                self.pos = 1;
            }
            let seg = self.segs.get(self.seg)?;
            let width = if wide { 2 } else { 1 };
            let n = remaining.min((seg.len() - self.pos) / width);
            if n == 0 {
                return None;
            }
            let bytes = seg.get(self.pos..self.pos + n * width)?;
            if wide {
                out.push_str(&utf16le(bytes));
            } else {
                // Compressed characters are the low bytes of UTF-16 (Latin-1).
                out.extend(bytes.iter().map(|&b| char::from(b)));
            }
            self.pos += n * width;
            remaining -= n;
        }
        self.skip(runs * 4 + ext)?;
        Some(out)
    }
}

/// Writes the text atoms of a `PowerPoint Document` stream, in stream order.
pub fn powerpoint(doc: &[u8], text: &mut TextSink) {
    let mut at = 0usize;
    for _ in 0..MAX_RECORDS {
        let (Some(ver_inst), Some(kind), Some(len)) =
            (u16_at(doc, at), u16_at(doc, at + 2), u32_at(doc, at + 4))
        else {
            return;
        };
        if ver_inst & 0x000f == 0x000f {
            // A container: its children follow its header.
            at += 8;
            continue;
        }
        let Some(body) = doc.get(at + 8..(at + 8).saturating_add(len as usize)) else {
            return;
        };
        let piece = match kind {
            PPT_TEXT_CHARS => Some(utf16le(body)),
            PPT_TEXT_BYTES => Some(codepage::decode(body, 1252)),
            _ => None,
        };
        if let Some(p) = piece {
            text.push(&p.replace(['\r', '\u{0b}'], "\n"));
            text.break_line();
            if text.is_full() {
                return;
            }
        }
        at += 8 + body.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend((body.len() as u16).to_le_bytes());
        r.extend(body);
        r
    }

    #[test]
    fn shared_strings_across_continue() {
        let mut sst = 2u32.to_le_bytes().to_vec();
        sst.extend(2u32.to_le_bytes());
        sst.extend([3, 0, 0]);
        sst.extend(b"abc");
        // A wide string of 4 characters split after 2; the CONTINUE restarts
        // with a flags byte saying compressed.
        sst.extend([4, 0, 1]);
        sst.extend([0x1f, 0x04, 0x40, 0x04]);
        let mut cont = vec![0u8];
        cont.extend(b"xy");
        let wb = [
            record(0x0809, &[0; 4]),
            record(BIFF_SST, &sst),
            record(BIFF_CONTINUE, &cont),
            record(0x000a, &[]),
        ]
        .concat();
        let mut text = TextSink::new(100);
        excel(&wb, &mut text);
        assert_eq!(text.into_string(), "abc\nПрxy\n");
    }

    #[test]
    fn powerpoint_atoms() {
        let atom = |kind: u16, body: &[u8]| {
            let mut r = 0u16.to_le_bytes().to_vec();
            r.extend(kind.to_le_bytes());
            r.extend((body.len() as u32).to_le_bytes());
            r.extend(body);
            r
        };
        let inner = [
            atom(PPT_TEXT_BYTES, b"Title\rline"),
            atom(PPT_TEXT_CHARS, &[0x41, 0, 0x42, 0]),
        ]
        .concat();
        let mut doc = 0x000fu16.to_le_bytes().to_vec();
        doc.extend(1000u16.to_le_bytes());
        doc.extend((inner.len() as u32).to_le_bytes());
        doc.extend(inner);
        let mut text = TextSink::new(100);
        powerpoint(&doc, &mut text);
        assert_eq!(text.into_string(), "Title\nline\nAB\n");
    }

    #[test]
    fn hostile_streams() {
        let mut text = TextSink::new(100);
        excel(&record(BIFF_SST, &[0xff; 12]), &mut text);
        excel(b"\xfc", &mut text);
        powerpoint(&[0x0f, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], &mut text);
        powerpoint(&[0; 7], &mut text);
        let mut sst = 1u32.to_le_bytes().to_vec();
        sst.extend(1u32.to_le_bytes());
        sst.extend([0xff, 0xff, 0x0d, 0xff, 0xff, 0xff, 0xff, 0xff]);
        excel(&record(BIFF_SST, &sst), &mut text);
        // Nothing readable in any of them: no text, rather than garbage.
        assert_eq!(text.into_string(), "");
    }
}
