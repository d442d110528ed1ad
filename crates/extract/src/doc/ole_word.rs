//! Word 97+ binary (MS-DOC): the FIB, the DOP, the saved-by and comment
//! author lists, and the main text through the piece table. Written here:
//! no Rust crate reads .doc. Offsets follow [MS-DOC] and ExifTool's reader.

use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Store};

use super::bytes::{u16_at, u32_at, utf16le as utf16};
use super::{TextSink, codepage, dates};

const WORD97_IDENT: u16 = 0xa5ec;
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TABLE: u16 = 0x0200;
const F_OBFUSCATED: u16 = 0x8000;
/// fibRgFcLcb pair indexes.
const DOP: usize = 31;
const CLX: usize = 33;
const GRP_XST_ATN_OWNERS: usize = 36;
const STTB_SAVED_BY: usize = 71;
/// Byte offset in fibRgFcLcb of the last-save FILETIME (dwLowDateTime).
const SAVE_TIME: usize = 0x2b8;
/// Pieces and names read; real documents have far fewer.
const MAX_PIECES: usize = 100_000;
const MAX_NAMES: usize = 1_000;

/// The parts of the FIB used here.
struct Fib<'a> {
    flags: u16,
    n_fib: u16,
    ccp_text: u32,
    /// fibRgFcLcb, as stored.
    fc_lcb: &'a [u8],
}

impl Fib<'_> {
    fn parse(wd: &[u8]) -> Option<Fib<'_>> {
        let csw = usize::from(u16_at(wd, 32)?);
        let lw = 34 + csw * 2;
        let cslw = usize::from(u16_at(wd, lw)?);
        let rg = lw + 2 + cslw * 4;
        let cb = usize::from(u16_at(wd, rg)?);
        let blob = wd.get(rg + 2..)?;
        Some(Fib {
            flags: u16_at(wd, 0x0a)?,
            n_fib: u16_at(wd, 2)?,
            ccp_text: if cslw > 3 {
                u32_at(wd, lw + 2 + 12)?
            } else {
                0
            },
            fc_lcb: blob.get(..(cb * 8).min(blob.len()))?,
        })
    }

    /// The (fc, lcb) pair at an index, when present and not empty.
    fn pair(&self, i: usize) -> Option<(usize, usize)> {
        let fc = u32_at(self.fc_lcb, i * 8)? as usize;
        let lcb = u32_at(self.fc_lcb, i * 8 + 4)? as usize;
        (lcb > 0).then_some((fc, lcb))
    }

    /// That pair's bytes in the table stream.
    fn slice<'t>(&self, table: &'t [u8], i: usize) -> Option<&'t [u8]> {
        let (fc, lcb) = self.pair(i)?;
        table.get(fc..fc.checked_add(lcb)?)
    }
}

/// Reads a WordDocument stream; `table` opens another root stream
/// (`0Table`/`1Table`).
pub fn read(
    wd: &[u8],
    mut table: impl FnMut(&str) -> Option<Vec<u8>>,
    meta: &mut DocMeta,
    text: &mut TextSink,
) {
    if u16_at(wd, 0) != Some(WORD97_IDENT) {
        // Word 6/95 FIBs have another layout; their property sets were read.
        return;
    }
    let Some(fib) = Fib::parse(wd) else {
        meta.warnings.push("WordDocument: FIB is truncated".into());
        return;
    };
    let mut s = Store::new(store::WORD_FIB);
    s.push("nFib", "nFib", fib.n_fib.to_string());
    let encrypted = fib.flags & F_ENCRYPTED != 0;
    if encrypted {
        meta.encrypted = true;
        s.push(
            "fEncrypted",
            "fEncrypted",
            if fib.flags & F_OBFUSCATED != 0 {
                "XOR"
            } else {
                "RC4"
            },
        );
    }
    if let Some(t) = fib.fc_lcb.get(SAVE_TIME..SAVE_TIME + 8) {
        let ticks = u64::from_le_bytes(t.try_into().unwrap_or_default());
        // Writers that do not keep this field leave zeros or noise in it
        // (seen: 1601-01-01T00:05, year 2804); only a plausible time is a date.
        if let Some(d) = dates::filetime(ticks).filter(|d| ("1990".."2100").contains(&&d[..4])) {
            s.push_date(key::MODIFIED, "dwLowDateTime", d.clone(), Some(d));
        }
    }
    let table_name = if fib.flags & F_WHICH_TABLE != 0 {
        "1Table"
    } else {
        "0Table"
    };
    // An encrypted file's table stream is encrypted too.
    match table(table_name).filter(|_| !encrypted) {
        Some(t) => {
            if let Some(dop) = fib.slice(&t, DOP) {
                dop_fields(dop, &mut s);
            }
            if let Some(b) = fib.slice(&t, STTB_SAVED_BY) {
                saved_by(b, &mut s);
            }
            if let Some(b) = fib.slice(&t, GRP_XST_ATN_OWNERS) {
                for name in xsts(b) {
                    s.push(key::COMMENT_AUTHOR, "GrpXstAtnOwners", name);
                }
            }
            if let Some(clx) = fib.slice(&t, CLX) {
                piece_text(clx, wd, fib.ccp_text, text);
            }
        }
        None if !encrypted => meta
            .warnings
            .push(format!("WordDocument: no {table_name} stream")),
        None => {}
    }
    meta.add(s);
}

/// A DTTM: packed local time, no seconds, no zone.
fn dttm(v: u32) -> Option<String> {
    if v == 0 {
        return None;
    }
    let year = 1900 + ((v >> 20) & 0x1ff) as i32;
    dates::from_parts(
        year,
        (v >> 16) & 0x0f,
        (v >> 11) & 0x1f,
        (v >> 6) & 0x1f,
        v & 0x3f,
        0,
        None,
    )
}

fn dop_fields(dop: &[u8], s: &mut Store) {
    for (at, key, tag) in [
        (20, key::CREATED, "dttmCreated"),
        (24, key::MODIFIED, "dttmRevised"),
        (28, key::PRINTED, "dttmLastPrint"),
    ] {
        if let Some(d) = u32_at(dop, at).and_then(dttm) {
            s.push_date(key, tag, d.clone(), Some(d));
        }
    }
    if let Some(n) = u16_at(dop, 32) {
        s.push(key::REVISION, "nRevision", n.to_string());
    }
    if let Some(n) = u32_at(dop, 34) {
        s.push(key::TOTAL_TIME, "tmEdited", n.to_string());
    }
    if let Some(n) = u32_at(dop, 38) {
        s.push("cWords", "cWords", n.to_string());
    }
    if let Some(n) = u32_at(dop, 42) {
        s.push("cCh", "cCh", n.to_string());
    }
    if let Some(n) = u16_at(dop, 46) {
        s.push(key::PAGES, "cPg", n.to_string());
    }
}

/// Length-prefixed UTF-16 strings one after the other.
fn xsts(b: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while out.len() < MAX_NAMES {
        let Some(len) = u16_at(b, at) else { break };
        let Some(bytes) = b.get(at + 2..at + 2 + usize::from(len) * 2) else {
            break;
        };
        out.push(utf16(bytes));
        at += 2 + bytes.len();
    }
    out
}

/// SttbSavedBy: an extended STTB of (author, path) pairs, oldest first.
fn saved_by(b: &[u8], s: &mut Store) {
    let Some(count) = u16_at(b, 2) else { return };
    let names = xsts(b.get(6..).unwrap_or_default());
    for pair in names.chunks_exact(2).take(usize::from(count) / 2) {
        s.push(
            "SttbSavedBy",
            "SttbSavedBy",
            format!("{} ({})", pair[0], pair[1]),
        );
    }
}

/// The main document's text through the piece table (the CLX's PlcPcd).
fn piece_text(clx: &[u8], wd: &[u8], ccp_text: u32, text: &mut TextSink) {
    let mut at = 0;
    // Skip the Prc entries (formatting) before the Pcdt.
    while clx.get(at) == Some(&1) {
        let Some(cb) = u16_at(clx, at + 1) else {
            return;
        };
        at += 3 + usize::from(cb);
    }
    if clx.get(at) != Some(&2) {
        return;
    }
    let Some(lcb) = u32_at(clx, at + 1) else {
        return;
    };
    let Some(plc) = clx.get(at + 5..(at + 5).saturating_add(lcb as usize)) else {
        return;
    };
    let n = (plc.len().saturating_sub(4) / 12).min(MAX_PIECES);
    let mut in_field_code = false;
    for i in 0..n {
        let (Some(start), Some(end)) = (u32_at(plc, i * 4), u32_at(plc, i * 4 + 4)) else {
            return;
        };
        if start >= ccp_text || text.is_full() {
            return;
        }
        let chars = (end.min(ccp_text).saturating_sub(start)) as usize;
        let Some(fc) = u32_at(plc, (n + 1) * 4 + i * 8 + 2) else {
            return;
        };
        let piece = if fc & 0x4000_0000 != 0 {
            let off = ((fc & !0x4000_0000) / 2) as usize;
            wd.get(off..off.saturating_add(chars))
                .map(|b| codepage::decode(b, 1252))
        } else {
            let off = fc as usize;
            wd.get(off..off.saturating_add(chars * 2)).map(utf16)
        };
        let Some(piece) = piece else { continue };
        push_word_chars(&piece, &mut in_field_code, text);
    }
}

/// Word's control characters to plain text; field instructions (between
/// 0x13 and 0x14) are left out, their results kept.
fn push_word_chars(piece: &str, in_field_code: &mut bool, text: &mut TextSink) {
    let mut out = String::with_capacity(piece.len());
    for c in piece.chars() {
        match c {
            '\u{13}' => *in_field_code = true,
            '\u{14}' | '\u{15}' => *in_field_code = false,
            _ if *in_field_code => {}
            '\r' | '\u{0b}' | '\u{0c}' => out.push('\n'),
            '\u{07}' => out.push('\t'),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    text.push(&out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WordDocument stream with a minimal FIB and `body` text at 0x400,
    /// and its table stream with a DOP and a one-piece CLX.
    fn word(body: &str) -> (Vec<u8>, Vec<u8>) {
        let mut wd = vec![0u8; 0x400];
        wd[0..2].copy_from_slice(&WORD97_IDENT.to_le_bytes());
        wd[2..4].copy_from_slice(&193u16.to_le_bytes());
        wd[0x0a..0x0c].copy_from_slice(&F_WHICH_TABLE.to_le_bytes());
        wd[32..34].copy_from_slice(&0u16.to_le_bytes()); // csw
        wd[34..36].copy_from_slice(&4u16.to_le_bytes()); // cslw
        wd[36 + 12..36 + 16].copy_from_slice(&(body.len() as u32).to_le_bytes());
        let rg = 36 + 16;
        wd[rg..rg + 2].copy_from_slice(&93u16.to_le_bytes());
        let blob = rg + 2;
        let mut table = vec![0u8; 100];
        // DOP at 0: created 2015-10-07 14:18 local, pages 3.
        let created: u32 = (115 << 20) | (10 << 16) | (7 << 11) | (14 << 6) | 18;
        table[20..24].copy_from_slice(&created.to_le_bytes());
        table[46..48].copy_from_slice(&3u16.to_le_bytes());
        let set = |wd: &mut Vec<u8>, i: usize, fc: u32, lcb: u32| {
            wd[blob + i * 8..blob + i * 8 + 4].copy_from_slice(&fc.to_le_bytes());
            wd[blob + i * 8 + 4..blob + i * 8 + 8].copy_from_slice(&lcb.to_le_bytes());
        };
        set(&mut wd, DOP, 0, 60);
        let clx_at = table.len();
        let mut clx = vec![2u8];
        clx.extend(16u32.to_le_bytes());
        clx.extend(0u32.to_le_bytes());
        clx.extend((body.len() as u32).to_le_bytes());
        clx.extend([0, 0]);
        clx.extend((0x4000_0000u32 | (0x400 * 2)).to_le_bytes());
        clx.extend([0, 0]);
        set(&mut wd, CLX, clx_at as u32, clx.len() as u32);
        table.extend(clx);
        wd.extend(body.as_bytes());
        (wd, table)
    }

    #[test]
    fn reads_fib_dop_and_text() {
        let (wd, table) = word("Hello\x13 HYPERLINK x \x14link\x15\rnext\x07");
        let mut meta = DocMeta::new("doc");
        let mut text = TextSink::new(1000);
        read(
            &wd,
            |n| (n == "1Table").then(|| table.clone()),
            &mut meta,
            &mut text,
        );
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
        let s = meta.store(store::WORD_FIB).unwrap();
        assert_eq!(
            s.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2015-10-07T14:18:00")
        );
        assert_eq!(s.get(key::PAGES), Some("3"));
        assert_eq!(text.into_string(), "Hellolink\nnext\t");
    }

    #[test]
    fn saved_by_pairs_and_comment_owners() {
        let xst = |s: &str| {
            let units: Vec<u16> = s.encode_utf16().collect();
            let mut v = (units.len() as u16).to_le_bytes().to_vec();
            v.extend(units.iter().flat_map(|u| u.to_le_bytes()));
            v
        };
        let mut sttb = vec![0xff, 0xff, 4, 0, 0, 0];
        for s in ["Ann", "C:\\a.doc", "Bob", "D:\\b.doc"] {
            sttb.extend(xst(s));
        }
        let mut s = Store::new(store::WORD_FIB);
        saved_by(&sttb, &mut s);
        saved_by(&sttb[..sttb.len() - 3], &mut s);
        let values: Vec<_> = s.fields.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(
            values,
            ["Ann (C:\\a.doc)", "Bob (D:\\b.doc)", "Ann (C:\\a.doc)"]
        );
        assert_eq!(xsts(&[xst("Eve"), vec![9, 0, 1]].concat()), ["Eve"]);
    }

    #[test]
    fn truncated_streams_do_not_panic() {
        let (wd, table) = word("some text here");
        for cut in (0..wd.len()).step_by(7) {
            let mut meta = DocMeta::new("doc");
            read(
                &wd[..cut],
                |_| Some(table[..cut.min(table.len())].to_vec()),
                &mut meta,
                &mut TextSink::new(100),
            );
        }
        let mut meta = DocMeta::new("doc");
        read(&wd, |_| None, &mut meta, &mut TextSink::new(100));
        assert!(meta.warnings.iter().any(|w| w.contains("1Table")));
    }
}
