//! PDF: Info dictionary, XMP, pages, revisions, text.
//!
//! The structure (revisions, linearisation, keywords) comes from our own byte
//! scan ([`pdf_layout`](super::pdf_layout)); objects come from lopdf. Each
//! earlier revision is loaded from its prefix of the file, because lopdf
//! merges the xref sections and keeps only the final state.

use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Store};
use lopdf::{Dictionary, Document, LoadOptions, Object};

use super::{DocLimits, TextSink, dates, pdf_layout, pdf_raw, pdf_text, xmp};
use crate::{ExtractError, Result};

/// Earlier revisions loaded to read their Info dictionary.
const MAX_REVISION_LOADS: usize = 32;

/// Reads a PDF.
pub fn read(bytes: &[u8], limits: &DocLimits, text: &mut TextSink) -> Result<DocMeta> {
    let scan = pdf_layout::scan(bytes);
    if scan.header_at.is_none() {
        return Err(ExtractError::malformed(
            "pdf",
            "no %PDF- header in the first 1024 bytes",
        ));
    }
    let mut meta = DocMeta::new("pdf");
    layout_warnings(&scan, &mut meta.warnings);
    let final_info = match load(bytes, limits) {
        Ok(doc) => read_document(&doc, limits, text, &mut meta),
        Err(e) => {
            meta.warnings
                .push(format!("object parser: {e}; metadata read by a raw scan"));
            meta.encrypted = scan.layout.keywords.iter().any(|(k, _)| k == "/Encrypt");
            read_raw(bytes, &scan, &mut meta)
        }
    };
    let mut layout = scan.layout;
    let earlier = layout.revisions.len().saturating_sub(1);
    if earlier > MAX_REVISION_LOADS {
        meta.warnings.push(format!(
            "{earlier} earlier revisions: Info read for the first {MAX_REVISION_LOADS} only"
        ));
    }
    for rev in layout
        .revisions
        .iter_mut()
        .take(earlier.min(MAX_REVISION_LOADS))
    {
        let prefix = bytes.get(..rev.end as usize).unwrap_or(bytes);
        rev.info = load(prefix, limits)
            .ok()
            .and_then(|doc| trailer_info(&doc))
            .filter(|info| Some(&info.fields) != final_info.as_ref().map(|f| &f.fields));
    }
    meta.pdf = Some(layout);
    Ok(meta)
}

fn load(bytes: &[u8], limits: &DocLimits) -> lopdf::Result<Document> {
    let options = LoadOptions {
        max_decompressed_size: Some(usize::try_from(limits.max_part_bytes).unwrap_or(usize::MAX)),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(bytes, options)
}

fn layout_warnings(scan: &pdf_layout::Scan, warnings: &mut Vec<String>) {
    if scan.layout.revisions.is_empty() {
        warnings.push("no %%EOF marker: the file is truncated or damaged".into());
    }
    if !scan.obfuscated.is_empty() {
        warnings.push(format!(
            "names hidden with #xx escapes: {}",
            scan.obfuscated.join(", ")
        ));
    }
    if scan.info_refs.len() > 1 {
        let refs: Vec<String> = scan
            .info_refs
            .iter()
            .map(|(n, g)| format!("{n} {g} R"))
            .collect();
        warnings.push(format!(
            "duplicate Info dictionaries: trailers name {}",
            refs.join(", ")
        ));
    }
}

/// Reads what a loaded document holds; returns its Info store (before the
/// page count is added) for comparison with earlier revisions.
fn read_document(
    doc: &Document,
    limits: &DocLimits,
    text: &mut TextSink,
    meta: &mut DocMeta,
) -> Option<Store> {
    meta.encrypted = doc.was_encrypted() || doc.is_encrypted();
    if doc.is_encrypted() {
        meta.warnings
            .push("encrypted: metadata not readable without the password".into());
        return None;
    }
    let info = trailer_info(doc);
    let pages = doc.get_pages();
    meta.pages = (!pages.is_empty()).then_some(pages.len() as u64);
    let mut info_store = info.clone().unwrap_or_else(|| Store::new(store::PDF_INFO));
    if let Some(n) = meta.pages {
        info_store.push(key::PAGES, "PageCount", n.to_string());
    }
    meta.add(info_store);
    match catalog_xmp(doc, limits) {
        Ok(Some(packet)) => add_xmp(&packet, meta),
        Ok(None) => {}
        Err(e) => meta.warnings.push(format!("XMP stream: {e}")),
    }
    meta.warnings
        .extend(pdf_text::extract(doc, &pages, limits, text));
    info
}

/// Falls back to raw scans for a file lopdf cannot load: the XMP packet and,
/// unless encrypted (its strings would be ciphertext), the trailer's Info.
fn read_raw(bytes: &[u8], scan: &pdf_layout::Scan, meta: &mut DocMeta) -> Option<Store> {
    if let Some(packet) = pdf_raw::xmp_packet(bytes) {
        add_xmp(packet, meta);
    }
    if meta.encrypted {
        meta.warnings
            .push("encrypted: metadata not readable without the password".into());
        return None;
    }
    let info = scan
        .info_refs
        .last()
        .and_then(|r| pdf_raw::info_dict(bytes, *r))?;
    let mut out = Store::new(store::PDF_INFO);
    for (name, value) in &info {
        push_info(&mut out, name, &decode_text(value));
    }
    meta.add(out.clone());
    Some(out)
}

fn add_xmp(packet: &[u8], meta: &mut DocMeta) {
    let (xmp, warning) = xmp::parse(packet);
    meta.add(xmp);
    meta.warnings.extend(warning.map(|w| format!("XMP: {w}")));
}

/// The catalog's `/Metadata` stream, decompressed.
fn catalog_xmp(doc: &Document, limits: &DocLimits) -> lopdf::Result<Option<Vec<u8>>> {
    let Ok(metadata) = doc.catalog().and_then(|c| c.get(b"Metadata")) else {
        return Ok(None);
    };
    let stream = doc.dereference(metadata)?.1.as_stream()?;
    let max = usize::try_from(limits.max_part_bytes).unwrap_or(usize::MAX);
    stream.get_plain_content_with_limit(max).map(Some)
}

/// The trailer's Info dictionary as a store.
fn trailer_info(doc: &Document) -> Option<Store> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = doc.dereference(info).ok()?.1.as_dict().ok()?;
    Some(info_store(doc, dict))
}

fn info_store(doc: &Document, dict: &Dictionary) -> Store {
    let mut out = Store::new(store::PDF_INFO);
    for (name, value) in dict.iter() {
        let value = doc.dereference(value).map_or(value, |(_, v)| v);
        if let Some(text) = object_text(value) {
            push_info(&mut out, &String::from_utf8_lossy(name), &text);
        }
    }
    out
}

/// A scalar Info value as text; arrays and dictionaries are skipped.
fn object_text(value: &Object) -> Option<String> {
    Some(match value {
        Object::String(bytes, _) => decode_text(bytes),
        Object::Name(name) => String::from_utf8_lossy(name).into_owned(),
        Object::Integer(i) => i.to_string(),
        Object::Real(r) => r.to_string(),
        Object::Boolean(b) => b.to_string(),
        _ => return None,
    })
}

/// Adds one Info entry under its canonical key.
fn push_info(out: &mut Store, name: &str, value: &str) {
    let tag = format!("/{name}");
    match name {
        "CreationDate" => out.push_date(key::CREATED, &tag, value, dates::pdf(value)),
        "ModDate" => out.push_date(key::MODIFIED, &tag, value, dates::pdf(value)),
        _ => {
            let canonical = match name {
                "Title" => key::TITLE,
                "Author" => key::AUTHOR,
                "Subject" => key::SUBJECT,
                "Keywords" => key::KEYWORDS,
                "Creator" => key::CREATOR_TOOL,
                "Producer" => key::PRODUCER,
                _ => tag.as_str(),
            };
            out.push(canonical, &tag, value);
        }
    }
}

/// A PDF text string (ISO 32000-1 §7.9.2.2): UTF-16BE with a byte-order
/// mark, UTF-8 with one (PDF 2.0), else PDFDocEncoding. UTF-16LE with its
/// mark is not standard but some writers produce it.
pub(super) fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xfe, 0xff, rest @ ..] => encoding_rs::UTF_16BE
            .decode_without_bom_handling(rest)
            .0
            .into_owned(),
        [0xff, 0xfe, rest @ ..] => encoding_rs::UTF_16LE
            .decode_without_bom_handling(rest)
            .0
            .into_owned(),
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => bytes.iter().map(|&b| pdf_doc_char(b)).collect(),
    }
}

/// PDFDocEncoding (ISO 32000-1 Annex D): Latin-1 except these code points.
fn pdf_doc_char(b: u8) -> char {
    const LOW: [char; 8] = [
        '\u{02d8}', '\u{02c7}', '\u{02c6}', '\u{02d9}', '\u{02dd}', '\u{02db}', '\u{02da}',
        '\u{02dc}',
    ];
    const HIGH: [char; 32] = [
        '\u{2022}', '\u{2020}', '\u{2021}', '\u{2026}', '\u{2014}', '\u{2013}', '\u{0192}',
        '\u{2044}', '\u{2039}', '\u{203a}', '\u{2212}', '\u{2030}', '\u{201e}', '\u{201c}',
        '\u{201d}', '\u{2018}', '\u{2019}', '\u{201a}', '\u{2122}', '\u{fb01}', '\u{fb02}',
        '\u{0141}', '\u{0152}', '\u{0160}', '\u{0178}', '\u{017d}', '\u{0131}', '\u{0142}',
        '\u{0153}', '\u{0161}', '\u{017e}', '\u{fffd}',
    ];
    match b {
        0x18..=0x1f => LOW[usize::from(b - 0x18)],
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        0xa0 => '\u{20ac}',
        0xad => '\u{fffd}',
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XMP: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreatorTool>XMP Tool</xmp:CreatorTool></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
    const CONTENT: &str =
        "BT /F1 12 Tf 72 720 Td (Hello World) Tj 0 -14 Td [(Second)-300(line)] TJ ET";

    fn stream(body: &str) -> String {
        format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len())
    }

    /// Appends objects, an xref table and a trailer to `out` (a new file when empty).
    fn section(out: &mut Vec<u8>, objects: &[(u32, String)], trailer: &str) {
        if out.is_empty() {
            out.extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
        }
        let prev = super::pdf_layout::scan(out)
            .layout
            .revisions
            .last()
            .and_then(|r| r.startxref);
        let mut offsets = Vec::new();
        for (n, body) in objects {
            offsets.push((*n, out.len()));
            out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
        }
        let xref = out.len();
        let mut table = String::from("xref\n");
        if prev.is_none() {
            table.push_str("0 1\n0000000000 65535 f \n");
        }
        for (n, at) in &offsets {
            table.push_str(&format!("{n} 1\n{at:010} 00000 n \n"));
        }
        let prev = prev.map(|p| format!(" /Prev {p}")).unwrap_or_default();
        out.extend_from_slice(
            format!("{table}trailer\n<< /Size 9 /Root 1 0 R {trailer}{prev} >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
    }

    fn one_page() -> Vec<u8> {
        let objects = vec![
            (1, "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>".to_string()),
            (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
            (
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>"
                    .into(),
            ),
            (4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into()),
            (5, stream(XMP).replace("<< ", "<< /Type /Metadata /Subtype /XML ")),
            (6, stream(CONTENT)),
            (
                7,
                r"<< /Title (Test \(title\)) /Author <FEFF0041006C006900630065> /CreationDate (D:20230327163701Z) /Producer (caf\351 \200) >>"
                    .into(),
            ),
        ];
        let mut out = Vec::new();
        section(&mut out, &objects, "/Info 7 0 R");
        out
    }

    fn read_bytes(bytes: &[u8]) -> (Result<DocMeta>, String) {
        let mut text = TextSink::new(1 << 20);
        let meta = read(bytes, &DocLimits::default(), &mut text);
        (meta, text.into_string())
    }

    #[test]
    fn reads_info_xmp_pages_and_text_of_a_minimal_pdf() {
        let (meta, text) = read_bytes(&one_page());
        let meta = meta.unwrap();
        let info = meta.store(store::PDF_INFO).unwrap();
        assert_eq!(info.get(key::TITLE), Some("Test (title)"));
        assert_eq!(info.get(key::AUTHOR), Some("Alice"));
        assert_eq!(info.get(key::PRODUCER), Some("café •"));
        assert_eq!(
            info.field(key::CREATED).unwrap().date.as_deref(),
            Some("2023-03-27T16:37:01Z")
        );
        assert_eq!(info.get(key::PAGES), Some("1"));
        assert_eq!(
            meta.store(store::XMP).unwrap().get(key::CREATOR_TOOL),
            Some("XMP Tool")
        );
        assert_eq!(meta.pages, Some(1));
        assert_eq!(text, "Hello World\nSecond line\n");
        let layout = meta.pdf.unwrap();
        assert_eq!(layout.version.as_deref(), Some("1.4"));
        assert_eq!(layout.revisions.len(), 1);
        assert_eq!(layout.revisions[0].objects, 7);
        assert!(layout.revisions[0].startxref.is_some());
        assert!(
            !layout.linearized && meta.warnings.is_empty(),
            "{:?}",
            meta.warnings
        );
    }

    #[test]
    fn an_incremental_update_keeps_the_earlier_info() {
        let mut bytes = one_page();
        let first_end = bytes.len() as u64;
        section(
            &mut bytes,
            &[(8, "<< /Author (Mallory) /Title (Test) >>".into())],
            "/Info 8 0 R",
        );
        let meta = read_bytes(&bytes).0.unwrap();
        assert_eq!(
            meta.store(store::PDF_INFO).unwrap().get(key::AUTHOR),
            Some("Mallory")
        );
        let layout = meta.pdf.unwrap();
        assert_eq!(layout.revisions.len(), 2);
        assert_eq!(layout.revisions[0].end, first_end);
        assert_eq!(layout.revisions[1].objects, 1);
        let old = layout.revisions[0].info.as_ref().unwrap();
        assert_eq!(old.get(key::AUTHOR), Some("Alice"));
        assert!(layout.revisions[1].info.is_none());
        assert!(
            meta.warnings.iter().any(|w| w.contains("duplicate Info")),
            "{:?}",
            meta.warnings
        );
    }

    #[test]
    fn the_linearization_eof_is_not_a_revision() {
        let mut bytes = b"%PDF-1.4\n9 0 obj\n<< /Linearized 1 /L 1000 >>\nendobj\ntrailer\n<< /Size 9 >>\nstartxref\n0\n%%EOF\n".to_vec();
        let good = one_page();
        bytes.extend_from_slice(&good[good.iter().position(|b| *b == b'\n').unwrap() + 1..]);
        let scan = super::pdf_layout::scan(&bytes);
        assert!(scan.layout.linearized);
        assert_eq!(scan.layout.revisions.len(), 1);
        assert_eq!(scan.layout.revisions[0].objects, 8);
    }

    #[test]
    fn counts_keywords_and_obfuscated_names() {
        let scan = super::pdf_layout::scan(
            b"%PDF-1.7\n<< /S /J#61vaScript /JS (x) /JavaScript >> /JSX /AA%%EOF\r\n junk",
        );
        let kw: Vec<(&str, u64)> = scan
            .layout
            .keywords
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        assert_eq!(kw, [("/JavaScript", 2), ("/JS", 1), ("/AA", 1)]);
        assert_eq!(scan.obfuscated, ["/JavaScript"]);
        assert_eq!(scan.layout.trailing_bytes, 4);
    }

    #[test]
    fn decodes_pdf_text_strings() {
        assert_eq!(decode_text(b"\xfe\xff\x04\x1f\x04\x40"), "Пр");
        assert_eq!(decode_text(b"\xef\xbb\xbfna\xc3\xafve"), "naïve");
        assert_eq!(decode_text(b"\x18\x80\x84\x92\xa0\xe9"), "˘•—™€é");
    }

    #[test]
    fn raw_scans_read_a_dictionary_and_a_packet() {
        let bytes = b"junk 17 0 obj\n<< /Title (A \\(b\\) \\101) /Author <FEFF0042> /Kids [1 0 R] /Info 3 0 R /N 5 >>";
        let dict = pdf_raw::info_dict(bytes, (17, 0)).unwrap();
        let got: Vec<(&str, String)> = dict
            .iter()
            .map(|(k, v)| (k.as_str(), decode_text(v)))
            .collect();
        assert_eq!(
            got,
            [
                ("Title", "A (b) A".into()),
                ("Author", "B".into()),
                ("N", "5".into())
            ]
        );
        let packet = format!("xx{XMP}yy");
        assert!(
            pdf_raw::xmp_packet(packet.as_bytes())
                .unwrap()
                .ends_with(b"</x:xmpmeta>")
        );
    }

    #[test]
    fn hostile_input_gives_an_error_or_a_warning_never_a_panic() {
        assert!(read_bytes(b"not a pdf").0.is_err());
        let good = one_page();
        for cut in (0..good.len()).step_by(7) {
            let started = std::time::Instant::now();
            let _ = read_bytes(&good[..cut]);
            assert!(started.elapsed().as_secs() < 5, "cut at {cut}");
        }
        let mut garbage = good.clone();
        let xref = super::pdf_layout::find(&garbage, b"xref\n").unwrap();
        garbage.splice(
            xref..,
            b"xref\n0 999999999\n<< /Type /XRef /W [99 99 99] >>\nstartxref\n1\n%%EOF"
                .iter()
                .copied(),
        );
        let (meta, _) = read_bytes(&garbage);
        assert!(meta.is_ok());
        assert!(
            read_bytes(b"%PDF-1.4\n1 0 obj << /Title (x")
                .0
                .unwrap()
                .pdf
                .unwrap()
                .revisions
                .is_empty()
        );
        let broken = b"%PDF-1.4\n7 0 obj\n<< /Title (Raw) >>\nendobj\ntrailer\n<< /Info 7 0 R >>\nstartxref\n999\n%%EOF\n";
        let meta = read_bytes(broken).0.unwrap();
        assert_eq!(
            meta.store(store::PDF_INFO).unwrap().get(key::TITLE),
            Some("Raw"),
            "{:?}",
            meta.warnings
        );
    }

    fn corpus_pdf(name: &str) -> Option<Vec<u8>> {
        crate::doc::testing::corpus(&format!("tika/{name}"))
    }

    #[test]
    fn corpus_revisions_and_encryption() {
        if let Some(bytes) = corpus_pdf("testPDF_incrementalUpdates.pdf") {
            let meta = read_bytes(&bytes).0.unwrap();
            let layout = meta.pdf.unwrap();
            assert!(layout.linearized);
            assert_eq!(layout.revisions.len(), 3, "pdfresurrect -q says 3");
        }
        if let Some(bytes) = corpus_pdf("testPDF_twoAuthors.pdf") {
            let meta = read_bytes(&bytes).0.unwrap();
            assert!(meta.warnings.iter().any(|w| w.contains("duplicate Info")));
            assert!(meta.pdf.unwrap().revisions[0].info.is_some());
        }
        if let Some(bytes) = corpus_pdf("testPDF_protected.pdf") {
            let (meta, text) = read_bytes(&bytes);
            let meta = meta.unwrap();
            assert!(meta.encrypted);
            assert_eq!(meta.pages, Some(41));
            assert_eq!(
                meta.store(store::PDF_INFO).unwrap().get(key::AUTHOR),
                Some("The Bank of England")
            );
            assert!(text.contains("Haldane"));
        }
        if let Some(bytes) = corpus_pdf("testPassword4Spaces.pdf") {
            let meta = read_bytes(&bytes).0.unwrap();
            assert!(meta.encrypted && meta.warnings.iter().any(|w| w.contains("password")));
        }
    }

    #[test]
    fn every_corpus_pdf_reads_in_time() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        let Ok(dirs) = std::fs::read_dir(&root) else {
            return leakcheck_core::testing::skip(&format!("{} not found", root.display()));
        };
        for file in dirs
            .flatten()
            .filter_map(|d| std::fs::read_dir(d.path()).ok())
            .flatten()
            .flatten()
        {
            let path = file.path();
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
            {
                let bytes = std::fs::read(&path).unwrap();
                let started = std::time::Instant::now();
                let result = crate::guard(|| read_bytes(&bytes).0);
                assert!(result.is_ok(), "{}: {:?}", path.display(), result.err());
                assert!(started.elapsed().as_secs() < 10, "{}", path.display());
            }
        }
    }
}
