//! PDF files written by hand: a classic xref table, uncompressed content
//! streams, an Info dictionary, an optional XMP packet, and incremental
//! updates appended the way Acrobat's "Save" appends them.
//!
//! Object numbers of a file made by [`pdf`]: 1 the catalog, 2 the page tree,
//! 3 the font, 4 the Info dictionary, 5 the XMP stream when there is one,
//! then a page and its content stream for each page. [`pdf_update`] relies
//! on these numbers.

use std::fmt::Write as _;

use crate::xml_escape;

const CATALOG: u32 = 1;
const PAGES: u32 = 2;
const FONT: u32 = 3;
const INFO: u32 = 4;
const METADATA: u32 = 5;
/// A4 in points.
const MEDIA_BOX: &str = "[0 0 595 842]";

/// The document information dictionary (trailer `/Info`). `None` leaves the
/// entry out.
#[derive(Clone, Debug, Default)]
pub struct PdfInfo {
    /// `/Title`.
    pub title: Option<String>,
    /// `/Author`.
    pub author: Option<String>,
    /// `/Creator`, the authoring application (e.g. `Microsoft Word`).
    pub creator: Option<String>,
    /// `/Producer`, the program that wrote the PDF (e.g. `Acrobat Distiller 11.0`).
    pub producer: Option<String>,
    /// `/CreationDate`, a PDF date such as `D:20170410090000+02'00'`.
    pub created: Option<String>,
    /// `/ModDate`, a PDF date.
    pub modified: Option<String>,
}

/// An XMP packet for the catalog's `/Metadata` stream. `None` leaves the
/// property out. Dates are ISO 8601, e.g. `2017-04-10T09:00:00+02:00`.
#[derive(Clone, Debug, Default)]
pub struct Xmp {
    /// `dc:title` (its `x-default` alternative).
    pub title: Option<String>,
    /// `dc:creator` (one author in the sequence).
    pub creator: Option<String>,
    /// `xmp:CreateDate`.
    pub create_date: Option<String>,
    /// `xmp:ModifyDate`.
    pub modify_date: Option<String>,
    /// `xmp:CreatorTool`.
    pub creator_tool: Option<String>,
    /// `pdf:Producer`.
    pub producer: Option<String>,
}

/// A PDF 1.4 file with one A4 page per string, each drawn in Helvetica (a
/// line of the string per line of the page; characters outside Latin-1
/// become `?`). The trailer names the Info dictionary built from `info`;
/// with `xmp`, the catalog has a `/Metadata` stream too.
pub fn pdf(info: &PdfInfo, xmp: Option<&Xmp>, pages: &[&str]) -> Vec<u8> {
    // The second line's high bytes mark the file as binary for transfer tools.
    let mut file = Section::new(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec());
    let first_page = if xmp.is_some() {
        METADATA + 1
    } else {
        INFO + 1
    };
    let page_numbers: Vec<u32> = (0..pages.len() as u32)
        .map(|i| first_page + 2 * i)
        .collect();
    let metadata = if xmp.is_some() {
        format!(" /Metadata {METADATA} 0 R")
    } else {
        String::new()
    };
    file.object(
        CATALOG,
        format!("<< /Type /Catalog /Pages {PAGES} 0 R{metadata} >>").as_bytes(),
    );
    file.object(PAGES, pages_dict(&references(&page_numbers)).as_bytes());
    file.object(
        FONT,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    );
    file.object(INFO, info_dict(info).as_bytes());
    if let Some(xmp) = xmp {
        let packet = xmp_packet(xmp);
        file.object(
            METADATA,
            &stream(" /Type /Metadata /Subtype /XML", packet.as_bytes()),
        );
    }
    for (&page, text) in page_numbers.iter().zip(pages) {
        file.object(page, page_dict(page + 1).as_bytes());
        file.object(page + 1, &stream("", &content(text)));
    }
    let size = first_page + 2 * pages.len() as u32;
    file.finish(size, None)
}

/// A one-page PDF that draws `picture` (a grey JPEG of `w` × `h` pixels)
/// over the whole page and, with `invisible`, carries that text as an invisible layer
/// (render mode 3), the way a scanner's OCR writes it.
pub fn picture_pdf(picture: &[u8], (w, h): (u32, u32), invisible: Option<&str>) -> Vec<u8> {
    // The page has the picture's proportions, its long side A4's.
    let long = w.max(h) as f32;
    let (pw, ph) = (
        (w as f32 * 842.0 / long).round(),
        (h as f32 * 842.0 / long).round(),
    );
    let mut content = format!("q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q\n");
    if let Some(text) = invisible {
        content.push_str("BT 3 Tr /F1 12 Tf 14 TL 72 770 Td\n");
        for line in text.lines() {
            let _ = writeln!(
                content,
                "({}) Tj T*",
                line.replace('(', "\\(").replace(')', "\\)")
            );
        }
        content.push_str("ET\n");
    }
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw} {ph}] /Resources << /XObject << /Im0 4 0 R >> /Font << /F1 6 0 R >> >> /Contents 5 0 R >>").into_bytes(),
    ];
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        picture.len()
    )
    .into_bytes();
    image.extend_from_slice(picture);
    image.extend_from_slice(b"\nendstream");
    objects.push(image);
    objects.push(
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(table, "{o:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

/// Appends an incremental update to `original`, as Acrobat's "Save" does:
/// new objects, an xref section pointing back with `/Prev`, a new trailer
/// and `%%EOF`. The update holds a new version of the Info dictionary made
/// from `info` (it replaces the old one whole) and, with `extra_page`, a
/// page added at the end of the page tree (the page tree object is written
/// again too). The XMP packet, if any, is left as it was.
///
/// Only files made by [`pdf`] (and updated by this function) are supported:
/// the update needs their object numbers. `None` when `original` has no
/// trailer `/Size`, no `startxref` or, for a new page, no page tree object 2.
pub fn pdf_update(original: &[u8], info: &PdfInfo, extra_page: Option<&str>) -> Option<Vec<u8>> {
    let size = number_after(&original[rfind(original, b"trailer")?..], b"/Size")?;
    let mut size = u32::try_from(size).ok()?;
    let prev = number_after(&original[rfind(original, b"startxref")?..], b"startxref")?;
    let mut file = original.to_vec();
    if !file.ends_with(b"\n") {
        file.push(b'\n');
    }
    let mut update = Section::append(file);
    if let Some(text) = extra_page {
        let kids = last_kids(original)?;
        let kids = format!("{} {size} 0 R", kids.trim());
        update.object(PAGES, pages_dict(&kids).as_bytes());
        update.object(size, page_dict(size + 1).as_bytes());
        update.object(size + 1, &stream("", &content(text)));
        size += 2;
    }
    // Acrobat writes the Info object again under its old number; a trailer
    // naming another object would leave two Info dictionaries in the file.
    update.object(INFO, info_dict(info).as_bytes());
    Some(update.finish(size, Some(prev)))
}

/// A body being written and the xref entries of its objects.
struct Section {
    file: Vec<u8>,
    /// Object number and its 20-byte xref line.
    xref: Vec<(u32, String)>,
}

impl Section {
    /// A new file starting with `header`; its xref starts with the head of
    /// the free list, object 0.
    fn new(header: Vec<u8>) -> Section {
        Section {
            file: header,
            xref: vec![(0, "0000000000 65535 f \n".into())],
        }
    }

    /// An update appended to a whole file.
    fn append(file: Vec<u8>) -> Section {
        Section {
            file,
            xref: Vec::new(),
        }
    }

    fn object(&mut self, number: u32, body: &[u8]) {
        self.xref
            .push((number, format!("{:010} 00000 n \n", self.file.len())));
        self.file
            .extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        self.file.extend_from_slice(body);
        self.file.extend_from_slice(b"\nendobj\n");
    }

    /// Writes the xref section (a subsection per run of consecutive
    /// numbers), the trailer, `startxref` and `%%EOF`.
    fn finish(mut self, size: u32, prev: Option<u64>) -> Vec<u8> {
        let xref_at = self.file.len();
        self.xref.sort();
        let mut text = String::from("xref\n");
        for run in self.xref.chunk_by(|a, b| b.0 == a.0 + 1) {
            let Some((first, _)) = run.first() else {
                continue; // chunk_by yields no empty runs
            };
            text.push_str(&format!("{first} {}\n", run.len()));
            for (_, line) in run {
                text.push_str(line);
            }
        }
        let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        text.push_str(&format!(
            "trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R{prev} >>\nstartxref\n{xref_at}\n%%EOF\n"
        ));
        self.file.extend_from_slice(text.as_bytes());
        self.file
    }
}

fn references(numbers: &[u32]) -> String {
    let refs: Vec<String> = numbers.iter().map(|n| format!("{n} 0 R")).collect();
    refs.join(" ")
}

fn pages_dict(kids: &str) -> String {
    let count = kids.split_whitespace().filter(|t| *t == "R").count();
    format!("<< /Type /Pages /Kids [{kids}] /Count {count} >>")
}

fn page_dict(contents: u32) -> String {
    format!(
        "<< /Type /Page /Parent {PAGES} 0 R /MediaBox {MEDIA_BOX} \
         /Resources << /Font << /F1 {FONT} 0 R >> >> /Contents {contents} 0 R >>"
    )
}

fn stream(extra: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {}{extra} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A page's content stream: each line of `text` one line below the last,
/// from the top left margin.
fn content(text: &str) -> Vec<u8> {
    let mut out = String::from("BT\n/F1 12 Tf\n14 TL\n72 770 Td\n");
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push_str("T*\n");
        }
        let latin1: Vec<u8> = line
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect();
        out.push_str(&literal(&latin1));
        out.push_str(" Tj\n");
    }
    out.push_str("ET");
    out.into_bytes()
}

fn info_dict(info: &PdfInfo) -> String {
    let entries: String = [
        ("Title", &info.title),
        ("Author", &info.author),
        ("Creator", &info.creator),
        ("Producer", &info.producer),
        ("CreationDate", &info.created),
        ("ModDate", &info.modified),
    ]
    .iter()
    .filter_map(|(name, value)| Some(format!("/{name} {} ", text_string(value.as_deref()?))))
    .collect();
    format!("<< {entries}>>")
}

/// A PDF text string: a literal string when ASCII, else UTF-16BE with a byte
/// order mark, written in hex (ISO 32000-1 §7.9.2.2).
fn text_string(s: &str) -> String {
    if s.is_ascii() {
        return literal(s.as_bytes());
    }
    let hex: String = s.encode_utf16().map(|u| format!("{u:04X}")).collect();
    format!("<FEFF{hex}>")
}

/// A literal string; bytes outside printable ASCII as octal escapes, so the
/// file stays readable text.
fn literal(bytes: &[u8]) -> String {
    let mut out = String::from("(");
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push(')');
    out
}

fn xmp_packet(x: &Xmp) -> String {
    // Language alternatives and sequences wrap their value in RDF containers.
    let alt = (
        "<rdf:Alt><rdf:li xml:lang=\"x-default\">",
        "</rdf:li></rdf:Alt>",
    );
    let seq = ("<rdf:Seq><rdf:li>", "</rdf:li></rdf:Seq>");
    let simple = ("", "");
    let properties: String = [
        ("dc:title", &x.title, alt),
        ("dc:creator", &x.creator, seq),
        ("xmp:CreateDate", &x.create_date, simple),
        ("xmp:ModifyDate", &x.modify_date, simple),
        ("xmp:CreatorTool", &x.creator_tool, simple),
        ("pdf:Producer", &x.producer, simple),
    ]
    .iter()
    .filter_map(|(tag, value, (open, close))| {
        let value = xml_escape(value.as_deref()?);
        Some(format!("   <{tag}>{open}{value}{close}</{tag}>\n"))
    })
    .collect();
    // The packet header's begin attribute is a byte order mark (U+FEFF).
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         \x20 <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
         {properties}  </rdf:Description>\n\
         </rdf:RDF>\n\
         </x:xmpmeta>\n\
         <?xpacket end=\"w\"?>"
    )
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The number after the first `key` in `hay`.
fn number_after(hay: &[u8], key: &[u8]) -> Option<u64> {
    let at = hay.windows(key.len()).position(|w| w == key)? + key.len();
    let digits: String = hay[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .take(19)
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

/// The `/Kids` of the last definition of the page tree object. Every object
/// of our files starts a line, which tells `2 0 obj` from `12 0 obj`.
fn last_kids(file: &[u8]) -> Option<String> {
    let at = rfind(file, format!("\n{PAGES} 0 obj").as_bytes())?;
    let object = &file[at..];
    let start = object.windows(7).position(|w| w == b"/Kids [")? + 7;
    let len = object[start..].iter().position(|&b| b == b']')?;
    Some(String::from_utf8_lossy(&object[start..start + len]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(text_string("a (b) \\"), r"(a \(b\) \\)");
        assert_eq!(text_string("Zoë"), "<FEFF005A006F00EB>");
        assert_eq!(literal(b"caf\xe9\n"), r"(caf\351\012)");
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let file = pdf(&PdfInfo::default(), Some(&Xmp::default()), &["a", "b"]);
        let updated = pdf_update(&file, &PdfInfo::default(), Some("c")).unwrap();
        let text = String::from_utf8_lossy(&updated);
        let mut checked = 0;
        for section in text.split("\nxref\n").skip(1) {
            let mut lines = section.lines();
            while let Some(header) = lines.next().filter(|l| !l.starts_with("trailer")) {
                let (start, count) = header.split_once(' ').unwrap();
                let (start, count): (u32, u32) = (start.parse().unwrap(), count.parse().unwrap());
                for n in start..start + count {
                    let line = lines.next().unwrap();
                    assert_eq!(line.len(), 19, "{line:?} plus its newline is 20 bytes");
                    if line.ends_with(" n ") {
                        let at: usize = line[..10].parse().unwrap();
                        assert!(updated[at..].starts_with(format!("{n} 0 obj\n").as_bytes()));
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 9 + 4, "pages, page, contents, Info");
    }

    #[test]
    fn update_needs_a_file_of_ours() {
        assert!(pdf_update(b"%PDF-1.4\n", &PdfInfo::default(), None).is_none());
    }
}
