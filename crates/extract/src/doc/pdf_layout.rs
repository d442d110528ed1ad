//! PDF file structure from the raw bytes: header, `%%EOF` markers, revisions,
//! linearisation, trailing bytes, keyword counts. Written here rather than
//! taken from lopdf because lopdf merges the xref sections and drops `/Prev`,
//! and because this must work on files no object parser can load.

use leakcheck_core::{PdfLayout, PdfRevision};

/// Names counted in the raw bytes (the pdfid list, less the structural ones).
const KEYWORDS: &[&str] = &[
    "/JavaScript",
    "/JS",
    "/AA",
    "/OpenAction",
    "/Launch",
    "/EmbeddedFile",
    "/Encrypt",
    "/AcroForm",
    "/Sig",
    "/ObjStm",
    "/XFA",
    "/URI",
];

/// Longest name decoded while counting keywords (the longest keyword, with room for `#xx`).
const MAX_NAME: usize = 64;

/// What the byte scan found, beyond [`PdfLayout`].
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// The layout, ready for `DocMeta::pdf`.
    pub layout: PdfLayout,
    /// Offset of `%PDF-`, when found in the first 1024 bytes.
    pub header_at: Option<usize>,
    /// Keywords written with `#xx` escapes (an obfuscation sign), decoded.
    pub obfuscated: Vec<String>,
    /// Distinct `/Info N G R` references, in file order.
    pub info_refs: Vec<(u32, u16)>,
}

/// Scans the bytes of a PDF.
pub(super) fn scan(bytes: &[u8]) -> Scan {
    let header_at = find(&bytes[..bytes.len().min(1024)], b"%PDF-");
    let version = header_at.and_then(|at| header_version(bytes.get(at + 5..)?));
    let linearized = header_at.is_some_and(|at| first_object_is_linearized(bytes, at));
    let mut eofs = eof_ends(bytes);
    let trailing_bytes = eofs.last().map_or(0, |&(_, end)| {
        bytes.get(end..).map_or(0, |rest| {
            rest.iter().filter(|b| !is_space(**b)).count() as u64
        })
    });
    // The first-page section of a linearized file ends with its own %%EOF.
    if linearized && eofs.len() >= 2 {
        eofs.remove(0);
    }
    let mut start = 0;
    let revisions = eofs
        .iter()
        .map(|&(at, end)| {
            let body = bytes.get(start..at).unwrap_or_default();
            start = end;
            PdfRevision {
                end: end as u64,
                startxref: startxref(body),
                objects: count_objects(body),
                info: None,
            }
        })
        .collect();
    let (keywords, obfuscated) = keywords(bytes);
    Scan {
        layout: PdfLayout {
            version,
            revisions,
            linearized,
            trailing_bytes,
            keywords,
        },
        header_at,
        obfuscated,
        info_refs: info_refs(bytes),
    }
}

/// The first position of `needle` in `hay`.
pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// PDF white-space characters (ISO 32000-1 §7.2.2).
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// PDF delimiters.
fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn header_version(after: &[u8]) -> Option<String> {
    let len = after
        .iter()
        .take(8)
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    let v = std::str::from_utf8(after.get(..len)?).ok()?;
    (v.contains('.') && v.len() >= 3).then(|| v.to_string())
}

/// Whether the first object after the header is a linearization dictionary.
fn first_object_is_linearized(bytes: &[u8], header_at: usize) -> bool {
    let head = bytes
        .get(header_at..bytes.len().min(header_at + 1024))
        .unwrap_or_default();
    let Some(obj) = find(head, b" obj") else {
        return false;
    };
    let first = &head[obj..];
    let end = find(first, b"endobj").unwrap_or(first.len());
    find(&first[..end], b"/Linearized").is_some()
}

/// Each `%%EOF`: its offset, and the offset just past it and one end of line.
fn eof_ends(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = bytes.get(from..).and_then(|rest| find(rest, b"%%EOF")) {
        let at = from + i;
        let mut end = at + 5;
        match (bytes.get(end), bytes.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => end += 2,
            (Some(b'\r' | b'\n'), _) => end += 1,
            _ => {}
        }
        out.push((at, end));
        from = end;
    }
    out
}

/// The offset named by the last `startxref` of a revision's bytes.
fn startxref(body: &[u8]) -> Option<u64> {
    let at = rfind(body, b"startxref")?;
    let rest = body.get(at + 9..)?;
    let digits: Vec<u8> = rest
        .iter()
        .skip_while(|b| is_space(**b))
        .take_while(|b| b.is_ascii_digit())
        .take(20)
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Counts `N G obj` headers.
fn count_objects(body: &[u8]) -> u64 {
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = body.get(from..).and_then(|rest| find(rest, b"obj")) {
        let at = from + i;
        from = at + 3;
        let after_ok = body
            .get(at + 3)
            .is_none_or(|b| is_space(*b) || is_delimiter(*b));
        if after_ok && object_number_before(body, at).is_some() {
            n += 1;
        }
    }
    n
}

/// For an `obj` keyword at `at`, the `N G` before it, when well formed.
fn object_number_before(body: &[u8], at: usize) -> Option<(u32, u16)> {
    let mut i = at;
    let mut words = [0u64; 2];
    for word in words.iter_mut().rev() {
        let spaces = body[..i].iter().rev().take_while(|b| is_space(**b)).count();
        if spaces == 0 {
            return None;
        }
        i -= spaces;
        let digits = body[..i]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .take(11)
            .count();
        if digits == 0 {
            return None;
        }
        i -= digits;
        *word = std::str::from_utf8(&body[i..i + digits])
            .ok()?
            .parse()
            .ok()?;
    }
    let starts_clean = i == 0
        || body
            .get(i - 1)
            .is_some_and(|b| is_space(*b) || is_delimiter(*b));
    let (num, generation) = (u32::try_from(words[0]).ok()?, u16::try_from(words[1]).ok()?);
    starts_clean.then_some((num, generation))
}

/// Counts each keyword as a whole name, decoding `#xx` escapes.
fn keywords(bytes: &[u8]) -> (Vec<(String, u64)>, Vec<String>) {
    let mut counts = [0u64; KEYWORDS.len()];
    let mut obfuscated = Vec::new();
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'/'))
    {
        let start = i + off + 1;
        let len = bytes[start..]
            .iter()
            .take_while(|b| !is_space(**b) && !is_delimiter(**b))
            .count();
        i = start + len;
        if len == 0 || len > MAX_NAME {
            continue;
        }
        let raw = &bytes[start..start + len];
        let name = decode_name(raw);
        if let Some(k) = KEYWORDS.iter().position(|k| k.as_bytes()[1..] == name[..]) {
            counts[k] += 1;
            if raw.contains(&b'#') && !obfuscated.iter().any(|o| o == KEYWORDS[k]) {
                obfuscated.push(KEYWORDS[k].to_string());
            }
        }
    }
    let found = KEYWORDS
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    (found, obfuscated)
}

/// A name's bytes with `#xx` escapes decoded (ISO 32000-1 §7.3.5).
fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) if b == b'#' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Distinct `/Info N G R` references in trailers, in file order.
fn info_refs(bytes: &[u8]) -> Vec<(u32, u16)> {
    let mut out: Vec<(u32, u16)> = Vec::new();
    let mut from = 0;
    while let Some(i) = bytes.get(from..).and_then(|rest| find(rest, b"/Info")) {
        let at = from + i + 5;
        from = at;
        if let Some(r) = reference_at(bytes.get(at..).unwrap_or_default())
            && !out.contains(&r)
        {
            out.push(r);
        }
    }
    out
}

/// Parses `N G R` after optional white space.
pub(super) fn reference_at(s: &[u8]) -> Option<(u32, u16)> {
    let mut parts = [0u64; 2];
    let mut i = 0;
    for (k, part) in parts.iter_mut().enumerate() {
        let spaces = s.get(i..)?.iter().take_while(|b| is_space(**b)).count();
        let digits = s
            .get(i + spaces..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .take(11)
            .count();
        if digits == 0 || (k == 1 && spaces == 0) {
            return None;
        }
        i += spaces;
        *part = std::str::from_utf8(s.get(i..i + digits)?)
            .ok()?
            .parse()
            .ok()?;
        i += digits;
    }
    let spaces = s.get(i..)?.iter().take_while(|b| is_space(**b)).count();
    if spaces == 0 || s.get(i + spaces) != Some(&b'R') {
        return None;
    }
    Some((u32::try_from(parts[0]).ok()?, u16::try_from(parts[1]).ok()?))
}
