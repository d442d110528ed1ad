//! Raw scans for PDFs no object parser loads (broken xref, truncated files are
//! common in leaks): the XMP packet and the trailer's Info dictionary. A small
//! dictionary lexer of our own, since lopdf's parser is not public.

use super::pdf_layout::{find, is_space, reference_at};

/// Longest XMP packet looked for.
const MAX_PACKET: usize = 16 << 20;

/// The first `<x:xmpmeta …</x:xmpmeta>` packet in the bytes.
pub(super) fn xmp_packet(bytes: &[u8]) -> Option<&[u8]> {
    let start = find(bytes, b"<x:xmpmeta")?;
    let rest = bytes.get(start..bytes.len().min(start.saturating_add(MAX_PACKET)))?;
    let end = find(rest, b"</x:xmpmeta>")? + b"</x:xmpmeta>".len();
    rest.get(..end)
}

/// The string, name and number entries of object `id`'s dictionary (its last
/// definition in the file), as raw bytes.
pub(super) fn info_dict(bytes: &[u8], id: (u32, u16)) -> Option<Vec<(String, Vec<u8>)>> {
    let header = format!("{} {} obj", id.0, id.1);
    let at = rfind_token(bytes, header.as_bytes())?;
    let body = bytes.get(at + header.len()..)?;
    let open = body.iter().position(|b| !is_space(*b))?;
    if body.get(open..open + 2)? != b"<<" {
        return None;
    }
    Some(
        Lexer {
            s: body,
            i: open + 2,
        }
        .entries(),
    )
}

/// The last occurrence of `needle` that starts a token.
fn rfind_token(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    let mut end = bytes.len();
    while let Some(at) = bytes
        .get(..end)?
        .windows(needle.len())
        .rposition(|w| w == needle)
    {
        if at == 0 || bytes.get(at - 1).is_some_and(|b| is_space(*b)) {
            return Some(at);
        }
        end = at + needle.len() - 1;
    }
    None
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

/// Entries read from one dictionary, at most.
const MAX_ENTRIES: usize = 256;

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.i += 1;
        }
    }

    /// `/Key value` pairs up to `>>`; nested dictionaries and arrays are skipped.
    fn entries(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        while out.len() < MAX_ENTRIES {
            self.skip_space();
            if self.peek() != Some(b'/') {
                break;
            }
            self.i += 1;
            let key = self.name();
            self.skip_space();
            match self.value() {
                Some(Some(v)) => out.push((key, v)),
                Some(None) => {}
                None => break,
            }
        }
        out
    }

    fn name(&mut self) -> String {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|b| !is_space(b) && !b"()<>[]{}/%".contains(&b))
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    /// A value: `Some(Some(bytes))` for text, `Some(None)` for one skipped,
    /// `None` at the end of the dictionary or on a syntax error.
    fn value(&mut self) -> Option<Option<Vec<u8>>> {
        match self.peek()? {
            b'(' => {
                self.i += 1;
                self.literal().map(Some)
            }
            b'<' if self.s.get(self.i + 1) == Some(&b'<') => {
                self.skip_nested(b"<<", b">>").map(|_| None)
            }
            b'<' => self.hex().map(Some),
            b'[' => self.skip_nested(b"[", b"]").map(|_| None),
            b'/' => {
                self.i += 1;
                Some(Some(self.name().into_bytes()))
            }
            b'>' => None,
            _ => {
                let start = self.i;
                if reference_at(&self.s[self.i..]).is_some() {
                    let r = self.s[self.i..].iter().position(|b| *b == b'R')?;
                    self.i += r + 1;
                    return Some(None);
                }
                self.name();
                (self.i > start).then(|| Some(self.s[start..self.i].to_vec()))
            }
        }
    }

    /// A literal string after its `(` (ISO 32000-1 §7.3.4.2).
    fn literal(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'\\' => self.escape(&mut out)?,
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' if depth == 0 => return Some(out),
                b')' => {
                    depth -= 1;
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let b = self.peek()?;
        self.i += 1;
        match b {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.i += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut v = u32::from(b - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            other => out.push(other),
        }
        Some(())
    }

    fn hex(&mut self) -> Option<Vec<u8>> {
        self.i += 1;
        let len = self.s.get(self.i..)?.iter().position(|b| *b == b'>')?;
        let digits: Vec<u8> = self.s[self.i..self.i + len]
            .iter()
            .filter_map(|b| (*b as char).to_digit(16).map(|d| d as u8))
            .collect();
        self.i += len + 1;
        Some(
            digits
                .chunks(2)
                .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
                .collect(),
        )
    }

    fn skip_nested(&mut self, open: &[u8], close: &[u8]) -> Option<()> {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            let rest = &self.s[self.i..];
            if rest.first() == Some(&b'(') {
                self.i += 1;
                self.literal()?;
            } else if rest.starts_with(open) {
                depth += 1;
                self.i += open.len();
            } else if rest.starts_with(close) {
                depth = depth.saturating_sub(1);
                self.i += close.len();
                if depth == 0 {
                    return Some(());
                }
            } else {
                self.i += 1;
            }
        }
        None
    }
}
