//! Message bodies kept as compressed RTF (`PR_RTF_COMPRESSED`): the
//! decompressor (MS-OXRTFCP, Microsoft's `compressed-rtf` crate), the HTML
//! that Outlook encapsulates in RTF when a message was HTML (`\fromhtml1`,
//! MS-OXRTFEX), and plain text through the document RTF reader.

use crate::doc::{TextSink, codepage, rtf};

/// `LZFu`: compressed; `MELA`: stored as is.
const COMPRESSED: u32 = 0x7546_5A4C;
const UNCOMPRESSED: u32 = 0x414C_454D;

/// Groups nested deeper than this end the scan.
const MAX_DEPTH: usize = 256;

/// Decompresses `PR_RTF_COMPRESSED`. The header's sizes are checked first:
/// the crate trusts them for its allocation and slicing.
pub fn decompress(data: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    if data.len() < 16 {
        return Err(format!("compressed RTF of {} bytes: no header", data.len()));
    }
    let word = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let (comp_size, raw_size, kind) = (word(0) as usize, word(4) as u64, word(8));
    if comp_size + 4 != data.len() {
        return Err(format!(
            "compressed RTF declares {} bytes, holds {}",
            comp_size + 4,
            data.len()
        ));
    }
    if raw_size > max_bytes {
        return Err(format!(
            "compressed RTF expands to {raw_size} bytes: over the limit"
        ));
    }
    if kind == UNCOMPRESSED && raw_size as usize > data.len() - 16 {
        return Err("uncompressed RTF shorter than it declares".into());
    }
    if kind != COMPRESSED && kind != UNCOMPRESSED {
        return Err(format!("unknown RTF compression 0x{kind:08X}"));
    }
    let text = compressed_rtf::decompress_rtf(data).map_err(|e| e.to_string())?;
    // The crate hands bytes back as Latin-1 characters; RTF is 7-bit with
    // escapes, so this is the byte string itself.
    Ok(text.chars().map(|c| c as u32 as u8).collect())
}

/// The plain text of an RTF body.
pub fn text(rtf_bytes: &[u8]) -> Option<String> {
    let mut sink = TextSink::new(usize::MAX);
    rtf::read(rtf_bytes, &mut sink).ok()?;
    let s = sink.into_string();
    (!s.trim().is_empty()).then_some(s)
}

/// The HTML encapsulated in an RTF body written from HTML (`\fromhtml1`):
/// `\*\htmltag` groups give the markup, text outside `\htmlrtf` runs gives
/// the content (MS-OXRTFEX 2.1.3.1). `None` when the RTF is not from HTML.
pub fn html(rtf_bytes: &[u8]) -> Option<String> {
    let head = &rtf_bytes[..rtf_bytes.len().min(1024)];
    if !head.windows(10).any(|w| w == b"\\fromhtml1") {
        return None;
    }
    let mut d = Decapsulator {
        b: rtf_bytes,
        i: 0,
        cp: 1252,
        out: String::new(),
        pending: Vec::new(),
    };
    d.run();
    Some(d.out)
}

#[derive(Clone, Copy)]
struct Group {
    /// Inside `\*\htmltag`: always written.
    tag: bool,
    /// A destination that holds no content (font table, `\*\...`).
    skip: bool,
    /// Inside `\htmlrtf`: RTF-only rendering, not written.
    htmlrtf: bool,
    /// No control word seen yet in this group.
    at_start: bool,
    /// `\*` seen at the start.
    starred: bool,
    /// Characters to skip after `\uN`.
    uc: u32,
}

struct Decapsulator<'a> {
    b: &'a [u8],
    i: usize,
    cp: u32,
    out: String,
    /// `\'hh` bytes waiting to be decoded together (multi-byte code pages).
    pending: Vec<u8>,
}

impl Decapsulator<'_> {
    fn writes(g: &Group) -> bool {
        g.tag || (!g.skip && !g.htmlrtf)
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.out.push_str(&codepage::decode(&self.pending, self.cp));
            self.pending.clear();
        }
    }

    fn emit(&mut self, g: &Group, s: &str) {
        if Self::writes(g) {
            self.flush();
            self.out.push_str(s);
        }
    }

    fn run(&mut self) {
        let mut stack = vec![Group {
            tag: false,
            skip: false,
            htmlrtf: false,
            at_start: true,
            starred: false,
            uc: 1,
        }];
        let mut skip_chars = 0u32;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            self.i += 1;
            match c {
                b'{' => {
                    let top = *stack.last().expect("stack is never empty");
                    if stack.len() >= MAX_DEPTH {
                        break;
                    }
                    stack.push(Group {
                        at_start: true,
                        starred: false,
                        ..top
                    });
                }
                b'}' => {
                    if stack.len() > 1 {
                        stack.pop();
                    }
                }
                b'\r' | b'\n' => {}
                b'\\' => {
                    let g = stack.last_mut().expect("stack is never empty");
                    let Some(&next) = self.b.get(self.i) else {
                        break;
                    };
                    if !next.is_ascii_alphabetic() {
                        self.i += 1;
                        let g = *g;
                        match next {
                            b'*' => stack.last_mut().expect("non-empty").starred = true,
                            b'\'' => {
                                let byte = rtf::hex_byte(self.b, self.i);
                                self.i = (self.i + 2).min(self.b.len());
                                if skip_chars > 0 {
                                    skip_chars -= 1;
                                } else if let Some(byte) = byte.filter(|_| Self::writes(&g)) {
                                    self.pending.push(byte);
                                }
                            }
                            b'{' | b'}' | b'\\' => self.emit(&g, &(next as char).to_string()),
                            b'~' => self.emit(&g, "\u{a0}"),
                            _ => {}
                        }
                        continue;
                    }
                    let (word, param) = self.control_word();
                    let g = stack.last_mut().expect("stack is never empty");
                    let was_start = std::mem::replace(&mut g.at_start, false);
                    match word.as_str() {
                        "htmltag" if was_start => {
                            g.tag = true;
                            g.skip = false;
                        }
                        "htmlrtf" => g.htmlrtf = param != Some(0),
                        "ansicpg" => {
                            if let Some(cp) = param.and_then(|p| u32::try_from(p).ok()) {
                                self.cp = cp;
                            }
                        }
                        "uc" => g.uc = param.and_then(|p| u32::try_from(p).ok()).unwrap_or(1),
                        "u" => {
                            let n = param.unwrap_or(0);
                            let unit = if n < 0 { n + 65_536 } else { n } as u32;
                            let g = *g;
                            self.emit(&g, &char::from_u32(unit).unwrap_or('\u{fffd}').to_string());
                            skip_chars = g.uc;
                        }
                        "par" | "line" => {
                            let g = *g;
                            self.emit(&g, "\r\n");
                        }
                        "tab" => {
                            let g = *g;
                            self.emit(&g, "\t");
                        }
                        "fonttbl" | "colortbl" | "stylesheet" | "info" | "pict" | "object"
                        | "header" | "footer" | "listtable" | "listoverridetable" => g.skip = true,
                        _ if was_start && g.starred => g.skip = true,
                        _ => {}
                    }
                }
                _ => {
                    if skip_chars > 0 {
                        skip_chars -= 1;
                        continue;
                    }
                    let g = *stack.last().expect("stack is never empty");
                    if Self::writes(&g) {
                        self.flush();
                        self.out.push(c as char);
                    }
                }
            }
        }
        self.flush();
    }

    /// Reads a control word with the document reader's tokenizer.
    fn control_word(&mut self) -> (String, Option<i64>) {
        let (word, param, end) = rtf::control_word(self.b, self.i);
        self.i = end;
        (word.to_string(), param)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM_HTML: &[u8] =
        br"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}
{\*\htmltag19 <html>}{\*\htmltag34 <body>}\htmlrtf {\htmlrtf0 Caf\'e9 \{ok\}}\htmlrtf0
{\*\htmltag84 <b>}bold\u8364?{\*\htmltag92 </b>}\par
{\*\htmltag35 </body></html>}}";

    #[test]
    fn de_encapsulates_html() {
        assert_eq!(
            html(FROM_HTML).unwrap(),
            "<html><body>Café {ok}<b>bold€</b>\r\n</body></html>"
        );
        assert_eq!(html(br"{\rtf1\ansi plain}"), None);
    }

    #[test]
    fn decompresses_and_checks_the_header() {
        let plain = r"{\rtf1\ansi hello hello hello}";
        let packed = compressed_rtf::compress_rtf(plain).unwrap();
        assert_eq!(decompress(&packed, 1 << 20).unwrap(), plain.as_bytes());
        assert!(
            decompress(&packed, 4)
                .unwrap_err()
                .contains("over the limit")
        );
        assert!(decompress(&packed[..10], 1 << 20).is_err());
        let mut bad = packed.clone();
        bad[0] ^= 1;
        assert!(decompress(&bad, 1 << 20).is_err());
        assert_eq!(text(plain.as_bytes()).unwrap().trim(), "hello hello hello");
    }
}
