//! Names a kind from content. File names are never consulted: a leaked
//! `invoice.pdf` that is really an email is an email.

use leakcheck_core::Kind;

/// How many leading bytes [`detect`] looks at.
pub const SNIFF_LEN: usize = 8192;

/// Headers that make a block of `Name: value` lines an email rather than,
/// say, an HTTP response or a config file.
const MAIL_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
    "delivered-to",
    "reply-to",
    "sender",
    "in-reply-to",
    "references",
    "dkim-signature",
    "arc-seal",
    "x-mailer",
    "envelope-to",
    "x-original-to",
];

/// The kind of a whole file in memory: [`detect`] on its first bytes, then
/// zip and OLE files refined by their directories, as ingest does.
pub fn sniff(bytes: &[u8]) -> Kind {
    match detect(bytes) {
        Kind::Zip => crate::readers::zip::refine(std::io::Cursor::new(bytes)),
        Kind::OleDocument => ole_kind(std::io::Cursor::new(bytes)),
        k => k,
    }
}

/// Detects the kind of an item from its first bytes (up to [`SNIFF_LEN`]).
/// Zip and OLE files are refined later by their directories
/// ([`crate::readers::zip::refine`], [`crate::ole_kind`]).
pub fn detect(head: &[u8]) -> Kind {
    let head = &head[..head.len().min(SNIFF_LEN)];
    if head.is_empty() {
        return Kind::Empty;
    }
    let magic: &[(&[u8], Kind)] = &[
        (b"PK\x03\x04", Kind::Zip),
        (b"PK\x05\x06", Kind::Zip),
        (b"PK\x07\x08", Kind::Zip),
        (b"\x1f\x8b", Kind::Gzip),
        (b"7z\xbc\xaf\x27\x1c", Kind::SevenZip),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Kind::OleDocument),
        (b"!BDN", Kind::Pst),
        (b"\x78\x9f\x3e\x22", Kind::Tnef),
        (b"{\\rtf", Kind::Rtf),
        (b"\xff\xd8\xff", Kind::Jpeg),
        (b"\x89PNG\r\n\x1a\n", Kind::Png),
        (b"GIF87a", Kind::Gif),
        (b"GIF89a", Kind::Gif),
        (b"II*\x00", Kind::Tiff),
        (b"MM\x00*", Kind::Tiff),
        (b"BM", Kind::Bmp),
        (b"BZh", Kind::Bzip2),
        (b"\xfd7zXZ\x00", Kind::Xz),
        (b"Rar!\x1a\x07", Kind::Rar),
        (b"\x28\xb5\x2f\xfd", Kind::Zstd),
    ];
    for (m, k) in magic {
        if head.starts_with(m) {
            // "BM" and "BZh" are short: check a little more before trusting them.
            let plausible = match k {
                Kind::Bmp => head.len() >= 14 && head[6..10] == [0, 0, 0, 0],
                Kind::Bzip2 => head.len() >= 4 && (b'1'..=b'9').contains(&head[3]),
                _ => true,
            };
            if plausible {
                return *k;
            }
        }
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        if matches!(
            &head[8..12],
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis"
        ) {
            return Kind::Heic;
        }
        return Kind::Binary;
    }
    if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        return Kind::Webp;
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Kind::Tar;
    }
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Kind::Pdf;
    }
    let text = strip_bom(head);
    if let Some((_, start)) = crate::readers::emlx::byte_count(text)
        && looks_like_headers(&text[start..])
    {
        return Kind::Emlx;
    }
    if is_envelope(text) && looks_like_headers(after_first_line(text)) {
        return Kind::Mbox;
    }
    if looks_like_headers(text) {
        return Kind::Email;
    }
    let lower: Vec<u8> = text.iter().take(1024).map(u8::to_ascii_lowercase).collect();
    let trimmed = trim_start(&lower);
    if trimmed.starts_with(b"<!doctype html")
        || trimmed.starts_with(b"<html")
        || find(&lower, b"<html").is_some()
    {
        return Kind::Html;
    }
    if trimmed.starts_with(b"<?xml") {
        return Kind::Xml;
    }
    if is_text(head) {
        return Kind::Text;
    }
    Kind::Binary
}

/// True when `text` opens with an RFC 5322 header block that names at least
/// one mail header.
fn looks_like_headers(text: &[u8]) -> bool {
    let mut known = false;
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // Stray indentation before the very first header is seen in the wild.
        let line = if i == 0 {
            line.trim_ascii_start()
        } else {
            line
        };
        if line.is_empty() {
            return known && i > 0;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if i == 0 {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            // A broken line inside an otherwise good block: tolerate it after
            // the first line, as mail parsers do.
            if i == 0 {
                return false;
            }
            continue;
        };
        // RFC 5322 obsolete syntax allows white space before the colon.
        let name = line[..colon].trim_ascii_end();
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic() && b != b':') {
            if i == 0 {
                return false;
            }
            continue;
        }
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        if MAIL_HEADERS.contains(&name.as_str()) {
            known = true;
        }
    }
    // The sniff window ended inside the header block.
    known
}

/// `From sender ...` — not `From: x` nor the obsolete `From  : x` header form.
fn is_envelope(text: &[u8]) -> bool {
    text.starts_with(b"From ")
        && text
            .get(5)
            .is_some_and(|&b| !b.is_ascii_whitespace() && b != b':')
}

fn after_first_line(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == b'\n') {
        Some(i) => &b[i + 1..],
        None => &[],
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Text: no NUL, and either valid UTF-8 (allowing a cut last character) or
/// mostly printable single-byte text (legacy code pages).
fn is_text(b: &[u8]) -> bool {
    if b.contains(&0) {
        return false;
    }
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) if e.error_len().is_none() => true,
        Err(_) => {
            let printable = b
                .iter()
                .filter(|&&c| c >= 0x20 || matches!(c, b'\n' | b'\r' | b'\t' | 0x0c))
                .count();
            printable * 100 >= b.len() * 95
        }
    }
}

/// Refines an OLE compound file: Outlook `.msg` has `__substg1.0_` streams;
/// anything else stays a generic OLE document (doc, xls, ppt...).
pub fn ole_kind<R: std::io::Read + std::io::Seek>(reader: R) -> Kind {
    let Ok(cfb) = cfb::CompoundFile::open(reader) else {
        return Kind::OleDocument;
    };
    let is_msg = cfb.read_root_storage().any(|e| {
        let n = e.name();
        n.starts_with("__substg1.0_") || n == "__properties_version1.0"
    });
    if is_msg { Kind::Msg } else { Kind::OleDocument }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_content_not_name() {
        assert_eq!(detect(b""), Kind::Empty);
        assert_eq!(detect(b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(detect(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(detect(b"From: a@b\r\nSubject: x\r\n\r\nbody"), Kind::Email);
        assert_eq!(
            detect(b"Received: from x\n\tby y\nX-Odd\nMessage-ID: <1@x>\n\nb"),
            Kind::Email
        );
        assert_eq!(
            detect(b"From someone Mon Jan 1 2001\nFrom: a@b\n\nhi\n"),
            Kind::Mbox
        );
        assert_eq!(detect(b"From here to there we go\n"), Kind::Text);
        assert_eq!(
            detect(b"From  : John Doe <j@x>\nTo: a@b\n\nhi\n"),
            Kind::Email
        );
        assert_eq!(detect(b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), Kind::Text);
        assert_eq!(detect(b"<!DOCTYPE html><html>"), Kind::Html);
        assert_eq!(detect(b"Name: x\nColour: blue\n\n"), Kind::Text);
        assert_eq!(detect(b"\x00\x01\x02"), Kind::Binary);
        assert_eq!(detect(b"!BDN\x00\x00"), Kind::Pst);
        assert_eq!(detect(b"31\nFrom: a@b\nSubject: x\n\nbody\n"), Kind::Emlx);
        assert_eq!(detect(b"31\nnot a mail\n"), Kind::Text);
    }
}
