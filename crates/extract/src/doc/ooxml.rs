//! OOXML packages (docx, xlsx, pptx): docProps (core, app, custom), body
//! facts (comment and tracked-change authors, rsids, attached template),
//! ZIP entry dates and text.

use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Kind, Store};

use super::office_xml::{self, Elem, Leaf, Step};
use super::package::Package;
use super::{DocLimits, TextSink, dates};
use crate::Result;

/// Distinct body authors kept per kind (comments, tracked changes).
const MAX_AUTHORS: usize = 1_000;

/// Reads an OOXML package.
pub fn read(kind: Kind, bytes: &[u8], limits: &DocLimits, text: &mut TextSink) -> Result<DocMeta> {
    let mut meta = DocMeta::new(match kind {
        Kind::Xlsx => "xlsx",
        Kind::Pptx => "pptx",
        _ => "docx",
    });
    let mut pkg = Package::open("ooxml", bytes, limits.max_part_bytes, &mut meta)?;
    let rels = relationships(&mut pkg, "_rels/.rels", &mut meta);
    let target = |suffix: &str, default: &str| {
        rels.iter().find(|r| r.kind.ends_with(suffix)).map_or_else(
            || default.to_string(),
            |r| r.target.trim_start_matches('/').to_string(),
        )
    };
    let (core_at, app_at, custom_at) = (
        target("/core-properties", "docProps/core.xml"),
        target("/extended-properties", "docProps/app.xml"),
        target("/custom-properties", "docProps/custom.xml"),
    );
    if let Some(leaves) = part_leaves(&mut pkg, &core_at, &mut meta) {
        meta.add(core(&leaves));
    }
    if let Some(leaves) = part_leaves(&mut pkg, &app_at, &mut meta) {
        let app = app(&leaves);
        meta.pages = app.get(key::PAGES).and_then(|p| p.trim().parse().ok());
        meta.add(app);
    }
    if let Some(leaves) = part_leaves(&mut pkg, &custom_at, &mut meta) {
        meta.add(custom(&leaves));
    }
    let mut body = Store::new(store::OOXML_BODY);
    match kind {
        Kind::Xlsx => excel(&mut pkg, &mut meta, &mut body, text),
        Kind::Pptx => powerpoint(&mut pkg, &mut meta, &mut body, text),
        _ => {
            let main = target("/officeDocument", "word/document.xml");
            word(&mut pkg, &main, &mut meta, &mut body, text);
        }
    }
    meta.add(body);
    Ok(meta)
}

/// A part's leaves; warnings (too large, bad XML) go to `meta`.
fn part_leaves(pkg: &mut Package, name: &str, meta: &mut DocMeta) -> Option<Vec<Leaf>> {
    let bytes = pkg.part_or_warn(name, meta)?;
    let (leaves, warning) = office_xml::leaves(&bytes);
    if let Some(w) = warning {
        meta.warnings.push(format!("{name}: {w}"));
    }
    Some(leaves)
}

/// Walks a part for text or body facts, warnings going to `meta`.
fn walk_part(pkg: &mut Package, name: &str, meta: &mut DocMeta, f: impl FnMut(Step) -> bool) {
    if let Some(bytes) = pkg.part_or_warn(name, meta)
        && let Some(w) = office_xml::walk(&bytes, f)
    {
        meta.warnings.push(format!("{name}: {w}"));
    }
}

struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn relationships(pkg: &mut Package, name: &str, meta: &mut DocMeta) -> Vec<Rel> {
    let Some(leaves) = part_leaves(pkg, name, meta) else {
        return Vec::new();
    };
    leaves
        .iter()
        .filter_map(Leaf::elem)
        .filter(|e| e.name == "Relationship")
        .map(|e| Rel {
            id: e.attr("Id").unwrap_or_default().to_string(),
            kind: e.attr("Type").unwrap_or_default().to_string(),
            target: e.attr("Target").unwrap_or_default().to_string(),
        })
        .collect()
}

fn core_key(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "dc:title" => key::TITLE,
        "dc:subject" => key::SUBJECT,
        "dc:creator" => key::AUTHOR,
        "cp:keywords" => key::KEYWORDS,
        "dc:description" => key::DESCRIPTION,
        "cp:lastModifiedBy" => key::LAST_MODIFIED_BY,
        "cp:revision" => key::REVISION,
        "dcterms:created" => key::CREATED,
        "dcterms:modified" => key::MODIFIED,
        "cp:lastPrinted" => key::PRINTED,
        "dc:language" => key::LANGUAGE,
        _ => return None,
    })
}

fn core(leaves: &[Leaf]) -> Store {
    let mut s = Store::new(store::OOXML_CORE);
    for leaf in leaves.iter().filter(|l| l.path.len() == 2) {
        let tag = leaf.name();
        let key = core_key(tag).unwrap_or(tag);
        if matches!(
            tag,
            "dcterms:created" | "dcterms:modified" | "cp:lastPrinted"
        ) {
            s.push_date(key, tag, &leaf.text, dates::iso(&leaf.text));
        } else {
            s.push(key, tag, &leaf.text);
        }
    }
    s
}

fn app_key(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "Application" => key::CREATOR_TOOL,
        "AppVersion" => key::APP_VERSION,
        "Company" => key::COMPANY,
        "Manager" => key::MANAGER,
        "Template" => key::TEMPLATE,
        "TotalTime" => key::TOTAL_TIME,
        "Pages" | "Slides" => key::PAGES,
        _ => return None,
    })
}

fn app(leaves: &[Leaf]) -> Store {
    let mut s = Store::new(store::OOXML_APP);
    for leaf in leaves {
        // Vector properties (TitlesOfParts, HLinks) keep the property's name;
        // HeadingPairs only counts them.
        let Some(tag) = leaf.path.get(1).map(|e| e.name.as_str()) else {
            continue;
        };
        if tag == "HeadingPairs"
            || (leaf.path.len() > 2 && !matches!(leaf.name(), "vt:lpstr" | "vt:lpwstr"))
        {
            continue;
        }
        s.push(app_key(tag).unwrap_or(tag), tag, &leaf.text);
    }
    s
}

fn custom(leaves: &[Leaf]) -> Store {
    let mut s = Store::new(store::OOXML_CUSTOM);
    for leaf in leaves.iter().filter(|l| l.path.len() == 3) {
        let Some(name) = leaf.parent().and_then(|p| p.attr("name")) else {
            continue;
        };
        if leaf.name() == "vt:filetime" || leaf.name() == "vt:date" {
            s.push_date(name, name, &leaf.text, dates::iso(&leaf.text));
        } else {
            s.push(name, name, &leaf.text);
        }
    }
    s
}

/// Adds a body author once per (tag, value).
fn push_author(body: &mut Store, key: &str, tag: &str, value: &str) {
    let seen = body.fields.iter().filter(|f| f.key == key);
    if seen.clone().count() < MAX_AUTHORS
        && !seen
            .into_iter()
            .any(|f| f.tag == tag && f.value == value.trim())
    {
        body.push(key, tag, value);
    }
}

fn word(pkg: &mut Package, main: &str, meta: &mut DocMeta, body: &mut Store, text: &mut TextSink) {
    walk_part(pkg, main, meta, |step| {
        match step {
            Step::Text(stack, t) if stack.last().is_some_and(|e| e.name == "w:t") => text.push(t),
            Step::Open(stack) => word_open(stack, body, text),
            Step::Close(stack) if stack.last().is_some_and(|e| e.name == "w:p") => {
                text.break_line()
            }
            _ => {}
        }
        true
    });
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
    walk_part(pkg, &format!("{dir}/comments.xml"), meta, |step| {
        if let Step::Open([.., e]) = step
            && e.name == "w:comment"
            && let Some(a) = e.attr("w:author")
        {
            push_author(body, key::COMMENT_AUTHOR, "w:comment/@w:author", a);
        }
        true
    });
    settings(pkg, dir, meta, body);
}

fn word_open(stack: &[Elem], body: &mut Store, text: &mut TextSink) {
    let Some(e) = stack.last() else { return };
    let in_run = stack.len() >= 2 && stack.get(stack.len() - 2).is_some_and(|p| p.name == "w:r");
    match e.name.as_str() {
        "w:tab" if in_run => text.push("\t"),
        "w:br" | "w:cr" if in_run => text.push("\n"),
        _ => {}
    }
    if let Some(a) = e.attr("w:author") {
        push_author(
            body,
            key::REVISION_AUTHOR,
            &format!("{}/@w:author", e.name),
            a,
        );
    }
}

fn settings(pkg: &mut Package, dir: &str, meta: &mut DocMeta, body: &mut Store) {
    let mut rsids = 0u64;
    let mut template_id = None;
    walk_part(pkg, &format!("{dir}/settings.xml"), meta, |step| {
        if let Step::Open([.., parent, e]) = step {
            match (parent.name.as_str(), e.name.as_str()) {
                ("w:rsids", "w:rsid") => rsids += 1,
                ("w:rsids", "w:rsidRoot") => body.push(
                    key::RSID_ROOT,
                    "w:rsidRoot",
                    e.attr("w:val").unwrap_or_default(),
                ),
                (_, "w:attachedTemplate") => template_id = e.attr("r:id").map(str::to_string),
                _ => {}
            }
        }
        true
    });
    if rsids > 0 {
        body.push(key::RSID_COUNT, "w:rsids", rsids.to_string());
    }
    if let Some(id) = template_id {
        let rels = relationships(pkg, &format!("{dir}/_rels/settings.xml.rels"), meta);
        if let Some(rel) = rels.iter().find(|r| r.id == id) {
            body.push(key::TEMPLATE, "w:attachedTemplate", &rel.target);
        }
    }
}

/// Parts named `prefix` + number + `.xml`, in numeric order (slide2 before slide10).
fn numbered(pkg: &Package, prefix: &str) -> Vec<String> {
    let mut parts: Vec<(u64, String)> = pkg
        .names()
        .iter()
        .filter_map(|n| {
            let num = n.strip_prefix(prefix)?.strip_suffix(".xml")?;
            Some((num.parse().ok()?, n.clone()))
        })
        .collect();
    parts.sort();
    parts.into_iter().map(|(_, n)| n).collect()
}

fn excel(pkg: &mut Package, meta: &mut DocMeta, body: &mut Store, text: &mut TextSink) {
    let shared = shared_strings(pkg, meta);
    for sheet in numbered(pkg, "xl/worksheets/sheet") {
        if text.is_full() {
            break;
        }
        let mut cell = String::new();
        let mut cell_type = String::new();
        walk_part(pkg, &sheet, meta, |step| {
            match step {
                Step::Open([.., e]) if e.name == "c" => {
                    cell.clear();
                    cell_type = e.attr("t").unwrap_or_default().to_string();
                }
                Step::Text([.., p, e], t) if e.name == "v" && p.name == "c" => cell.push_str(t),
                Step::Text([.., e], t) if e.name == "t" => cell.push_str(t),
                Step::Close([.., e]) if e.name == "c" => {
                    let value = if cell_type == "s" {
                        cell.trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i))
                            .map_or("", String::as_str)
                    } else {
                        cell.as_str()
                    };
                    if !value.is_empty() {
                        text.push(value);
                        text.push("\t");
                    }
                }
                Step::Close([.., e]) if e.name == "row" => text.break_line(),
                _ => {}
            }
            !text.is_full()
        });
        text.break_line();
    }
    for name in numbered(pkg, "xl/comments") {
        walk_part(pkg, &name, meta, |step| {
            if let Step::Text([.., p, e], t) = step
                && p.name == "authors"
                && e.name == "author"
            {
                push_author(body, key::COMMENT_AUTHOR, "authors/author", t);
            }
            true
        });
    }
}

/// The shared string table; phonetic runs (`rPh`) are left out.
fn shared_strings(pkg: &mut Package, meta: &mut DocMeta) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    walk_part(pkg, "xl/sharedStrings.xml", meta, |step| {
        match step {
            Step::Text(stack, t)
                if stack.last().is_some_and(|e| e.name == "t")
                    && !stack.iter().any(|e| e.name == "rPh") =>
            {
                current.push_str(t)
            }
            Step::Close([.., e]) if e.name == "si" => out.push(std::mem::take(&mut current)),
            _ => {}
        }
        true
    });
    out
}

fn powerpoint(pkg: &mut Package, meta: &mut DocMeta, body: &mut Store, text: &mut TextSink) {
    for slide in numbered(pkg, "ppt/slides/slide") {
        if text.is_full() {
            break;
        }
        walk_part(pkg, &slide, meta, |step| {
            match step {
                Step::Text([.., e], t) if e.name == "a:t" => text.push(t),
                Step::Open([.., e]) if e.name == "a:br" => text.push("\n"),
                Step::Close([.., e]) if e.name == "a:p" => text.break_line(),
                _ => {}
            }
            !text.is_full()
        });
        text.break_line();
    }
    walk_part(pkg, "ppt/commentAuthors.xml", meta, |step| {
        if let Step::Open([.., e]) = step
            && e.name == "p:cmAuthor"
            && let Some(a) = e.attr("name")
        {
            push_author(body, key::COMMENT_AUTHOR, "p:cmAuthor/@name", a);
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::testing::{corpus, zip};

    const CORE: &str = r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Plan</dc:title><dc:creator>Ann</dc:creator><cp:lastModifiedBy>Bob</cp:lastModifiedBy><cp:revision>4</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">2016-12-09T15:08:00Z</dcterms:created></cp:coreProperties>"#;
    const APP: &str = r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<Template>t.dotx</Template><Pages>3</Pages><Application>Microsoft Office Word</Application><Company>ACME</Company>
<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Title</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>
<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>Part one</vt:lpstr></vt:vector></TitlesOfParts><AppVersion>16.0000</AppVersion></Properties>"#;
    const CUSTOM: &str = r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Client"><vt:lpwstr>Mega</vt:lpwstr></property>
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Due"><vt:filetime>2009-10-23T07:00:00Z</vt:filetime></property></Properties>"#;
    const DOC: &str = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Hello</w:t><w:tab/><w:t xml:space="preserve">world &amp; co</w:t></w:r></w:p>
<w:p><w:ins w:id="1" w:author="Carol" w:date="2020-01-01T00:00:00Z"><w:r><w:t>added</w:t></w:r></w:ins><w:del w:author="Carol"><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>
</w:body></w:document>"#;
    const SETTINGS: &str = r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<w:attachedTemplate r:id="rId1"/><w:rsids><w:rsidRoot w:val="00AB12CD"/><w:rsid w:val="00AB12CD"/><w:rsid w:val="00FF0011"/></w:rsids></w:settings>"#;
    const SETTINGS_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>"#;
    const COMMENTS: &str = r#"<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="Dave"><w:p><w:r><w:t>c</w:t></w:r></w:p></w:comment></w:comments>"#;

    #[test]
    fn reads_a_docx_built_here() {
        let bytes = zip(&[
            ("docProps/core.xml", CORE),
            ("docProps/app.xml", APP),
            ("docProps/custom.xml", CUSTOM),
            ("word/document.xml", DOC),
            ("word/settings.xml", SETTINGS),
            ("word/_rels/settings.xml.rels", SETTINGS_RELS),
            ("word/comments.xml", COMMENTS),
        ]);
        let mut text = TextSink::new(1000);
        let meta = read(Kind::Docx, &bytes, &DocLimits::default(), &mut text).unwrap();
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
        let core = meta.store(store::OOXML_CORE).unwrap();
        assert_eq!(core.get(key::AUTHOR), Some("Ann"));
        assert_eq!(core.get(key::LAST_MODIFIED_BY), Some("Bob"));
        assert_eq!(
            core.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2016-12-09T15:08:00Z")
        );
        let app = meta.store(store::OOXML_APP).unwrap();
        assert_eq!(app.get(key::TEMPLATE), Some("t.dotx"));
        assert_eq!(app.get(key::CREATOR_TOOL), Some("Microsoft Office Word"));
        assert_eq!(app.get("TitlesOfParts"), Some("Part one"));
        assert_eq!(app.get("HeadingPairs"), None);
        assert_eq!(meta.pages, Some(3));
        let custom = meta.store(store::OOXML_CUSTOM).unwrap();
        assert_eq!(custom.get("Client"), Some("Mega"));
        assert_eq!(
            custom.field("Due").and_then(|f| f.date.as_deref()),
            Some("2009-10-23T07:00:00Z")
        );
        let body = meta.store(store::OOXML_BODY).unwrap();
        assert_eq!(body.get(key::RSID_COUNT), Some("2"));
        assert_eq!(body.get(key::RSID_ROOT), Some("00AB12CD"));
        assert_eq!(body.get(key::TEMPLATE), Some("http://evil.example/t.dotm"));
        assert_eq!(body.get(key::COMMENT_AUTHOR), Some("Dave"));
        let revisers: Vec<_> = body
            .fields
            .iter()
            .filter(|f| f.key == key::REVISION_AUTHOR)
            .map(|f| f.tag.as_str())
            .collect();
        assert_eq!(revisers, ["w:ins/@w:author", "w:del/@w:author"]);
        assert_eq!(text.into_string(), "Hello\tworld & co\nadded\n");
        assert_eq!(meta.zip_entries.len(), 7);
    }

    #[test]
    fn reads_xlsx_and_pptx_text() {
        let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>alpha</t></si><si><r><t>be</t></r><r><t>ta</t></r><rPh><t>x</t></rPh></si></sst>"#;
        let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="s"><v>1</v></c><c><v>42</v></c><c t="inlineStr"><is><t>inl</t></is></c><c t="s"><v>99</v></c></row></sheetData></worksheet>"#;
        let comments = r#"<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>Eve</author></authors></comments>"#;
        let bytes = zip(&[
            ("xl/sharedStrings.xml", sst),
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/comments1.xml", comments),
        ]);
        let mut text = TextSink::new(1000);
        let meta = read(Kind::Xlsx, &bytes, &DocLimits::default(), &mut text).unwrap();
        assert_eq!(text.into_string(), "beta\t42\tinl\t\n");
        assert_eq!(
            meta.store(store::OOXML_BODY)
                .and_then(|s| s.get(key::COMMENT_AUTHOR)),
            Some("Eve")
        );

        let slide = |t: &str| {
            format!(
                r#"<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:p><a:r><a:t>{t}</a:t></a:r></a:p></p:sld>"#
            )
        };
        let bytes = zip(&[
            ("ppt/slides/slide10.xml", &slide("ten")),
            ("ppt/slides/slide2.xml", &slide("two")),
        ]);
        let mut text = TextSink::new(1000);
        read(Kind::Pptx, &bytes, &DocLimits::default(), &mut text).unwrap();
        assert_eq!(text.into_string(), "two\nten\n");
    }

    #[test]
    fn hostile_packages() {
        let mut text = TextSink::new(100);
        assert!(
            read(
                Kind::Docx,
                b"PK\x03\x04garbage",
                &DocLimits::default(),
                &mut text
            )
            .is_err()
        );
        let bytes = zip(&[
            ("docProps/core.xml", &CORE[..CORE.len() / 2]),
            ("word/document.xml", DOC),
        ]);
        let mut cut = bytes.clone();
        cut.truncate(bytes.len() - 10);
        assert!(read(Kind::Docx, &cut, &DocLimits::default(), &mut text).is_err());
        let meta = read(Kind::Docx, &bytes, &DocLimits::default(), &mut text).unwrap();
        assert!(!meta.warnings.is_empty());
        let small = DocLimits {
            max_part_bytes: 100,
            ..DocLimits::default()
        };
        let meta = read(Kind::Docx, &bytes, &small, &mut text).unwrap();
        assert!(meta.warnings.iter().any(|w| w.contains("larger than")));
        // No parts at all: an empty record, not an error.
        let meta = read(
            Kind::Docx,
            &zip(&[("x", "y")]),
            &DocLimits::default(),
            &mut text,
        )
        .unwrap();
        assert!(meta.stores.is_empty());
    }

    #[test]
    fn corpus_signals() {
        let limits = DocLimits::default();
        if let Some(b) = corpus("tika/testWORD_template.docx") {
            let meta = read(Kind::Docx, &b, &limits, &mut TextSink::new(1 << 20)).unwrap();
            assert_eq!(
                meta.store(store::OOXML_APP)
                    .and_then(|s| s.get(key::TEMPLATE)),
                Some("tika_2163.dotx")
            );
            let body = meta.store(store::OOXML_BODY).unwrap();
            assert!(
                body.fields.iter().any(|f| f.tag == "w:attachedTemplate"),
                "{body:?}"
            );
        }
        if let Some(b) = corpus("tika/testWORD_custom_props.docx") {
            let meta = read(Kind::Docx, &b, &limits, &mut TextSink::new(1 << 20)).unwrap();
            assert_eq!(
                meta.store(store::OOXML_BODY)
                    .and_then(|s| s.get(key::RSID_COUNT)),
                Some("15")
            );
            assert_eq!(
                meta.store(store::OOXML_APP)
                    .and_then(|s| s.get(key::COMPANY)),
                Some("EDF-DIT")
            );
        }
        for name in ["exiftool/OOXML.docx", "tika/testWORD.docx"] {
            if let Some(b) = corpus(name) {
                let meta = read(Kind::Docx, &b, &limits, &mut TextSink::new(1 << 20)).unwrap();
                assert!(
                    meta.zip_entries.iter().any(|e| e
                        .modified
                        .as_deref()
                        .is_some_and(|d| !d.starts_with("1980"))),
                    "{name}"
                );
            }
        }
    }
}
