//! XMP packets (ISO 16684-1): RDF/XML flattened into one [`Store`].
//!
//! Written here rather than taken from a crate: the XMP crates wrap Adobe's
//! C++ SDK, and reading (never writing) needs only a walk over the RDF.
//! Properties keep their path (`xmpMM:History/stEvt:softwareAgent`), spelled
//! with the standard prefix of their namespace whatever the file calls it.

use leakcheck_core::{Store, doc::key, doc::store};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::{dates, xml};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// Deeper nesting than any real packet has; stops hostile ones early.
const MAX_DEPTH: usize = 64;
const MAX_FIELDS: usize = 20_000;

fn prefix_of(ns: &str) -> Option<&'static str> {
    Some(match ns {
        "http://purl.org/dc/elements/1.1/" => "dc",
        "http://ns.adobe.com/xap/1.0/" => "xmp",
        "http://ns.adobe.com/pdf/1.3/" => "pdf",
        "http://ns.adobe.com/xap/1.0/mm/" => "xmpMM",
        "http://ns.adobe.com/xap/1.0/rights/" => "xmpRights",
        "http://ns.adobe.com/photoshop/1.0/" => "photoshop",
        "http://ns.adobe.com/exif/1.0/" => "exif",
        "http://ns.adobe.com/tiff/1.0/" => "tiff",
        "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#" => "stEvt",
        "http://ns.adobe.com/xap/1.0/sType/ResourceRef#" => "stRef",
        "http://ns.adobe.com/pdfx/1.3/" => "pdfx",
        "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" => "Iptc4xmpCore",
        "http://ns.adobe.com/camera-raw-settings/1.0/" => "crs",
        "http://www.aiim.org/pdfa/ns/id/" => "pdfaid",
        _ => return None,
    })
}

fn canonical(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "dc:title" | "pdf:Title" => key::TITLE,
        "dc:creator" | "pdf:Author" => key::AUTHOR,
        "dc:description" => key::DESCRIPTION,
        "dc:subject" | "pdf:Keywords" => key::KEYWORDS,
        "dc:rights" => key::COPYRIGHT,
        "dc:language" => key::LANGUAGE,
        "xmp:CreateDate" => key::CREATED,
        "xmp:ModifyDate" => key::MODIFIED,
        "xmp:MetadataDate" => key::METADATA_DATE,
        "xmp:CreatorTool" | "pdf:Creator" => key::CREATOR_TOOL,
        "pdf:Producer" => key::PRODUCER,
        "tiff:Make" => key::MAKE,
        "tiff:Model" => key::MODEL,
        "tiff:Software" => key::SOFTWARE,
        "tiff:Artist" => key::ARTIST,
        "exif:DateTimeOriginal" => key::DATE_TIME_ORIGINAL,
        _ => return None,
    })
}

fn is_date(tag: &str) -> bool {
    let last = tag.rsplit('/').next().unwrap_or(tag);
    last.ends_with("Date") || last == "stEvt:when" || last.starts_with("exif:DateTime")
}

/// Reads a packet into the `xmp` store. Malformed XML ends the walk and is
/// reported in the returned warning; what was read before it is kept.
pub fn parse(bytes: &[u8]) -> (Store, Option<String>) {
    let mut out = Store::new(store::XMP);
    let start = find(bytes, b"<x:xmpmeta")
        .or_else(|| find(bytes, b"<rdf:RDF"))
        .unwrap_or(0);
    let mut reader = NsReader::from_reader(&bytes[start..]);
    let mut path: Vec<Option<String>> = Vec::new();
    let mut buf = Vec::new();
    let mut pending = String::new();
    let warning = loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                flush(&mut out, &path, &mut pending);
                if path.len() >= MAX_DEPTH {
                    break Some(format!("XMP nested deeper than {MAX_DEPTH} levels"));
                }
                let name = element_tag(&reader, &e);
                attributes(&reader, &e, &path, name.as_deref(), &mut out);
                path.push(name);
            }
            Ok(Event::Empty(e)) => {
                let name = element_tag(&reader, &e);
                attributes(&reader, &e, &path, name.as_deref(), &mut out);
                if let Some(res) = e.try_get_attribute("rdf:resource").ok().flatten() {
                    emit(&mut out, &path, name.as_deref(), &xml::attr(&res));
                }
            }
            Ok(Event::Text(t)) => pending.push_str(&xml::text(&t)),
            Ok(Event::GeneralRef(r)) => pending.push_str(&xml::reference(&r)),
            Ok(Event::CData(t)) => pending.push_str(&t.xml10_content()),
            Ok(Event::End(_)) => {
                flush(&mut out, &path, &mut pending);
                path.pop();
                if path.is_empty() {
                    break None;
                }
            }
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(format!("XMP packet is not well-formed XML: {e}")),
        }
        if out.fields.len() >= MAX_FIELDS {
            break Some(format!(
                "XMP packet has more than {MAX_FIELDS} values; the rest were skipped"
            ));
        }
    };
    (out, warning)
}

/// The property name of an element; `None` for RDF syntax elements
/// (`rdf:Description`, `rdf:Seq`, `rdf:li`...), which add no level.
fn element_tag(reader: &NsReader<&[u8]>, e: &BytesStart) -> Option<String> {
    let (ns, local) = reader.resolver().resolve_element(e.name());
    qualified(
        ns,
        local.as_ref(),
        e.name().prefix().map(|p| p.as_ref().to_string()),
    )
    .filter(|t| !t.starts_with("rdf:") && !t.starts_with("x:"))
}

fn qualified(ns: ResolveResult, local: &str, prefix: Option<String>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == RDF => Some(format!("rdf:{local}")),
        ResolveResult::Bound(n) if n.as_ref() == "adobe:ns:meta/" => Some(format!("x:{local}")),
        ResolveResult::Bound(n) => {
            let p = prefix_of(n.as_ref())
                .map(str::to_string)
                .or(prefix)
                .unwrap_or_default();
            Some(format!("{p}:{local}"))
        }
        _ => match prefix {
            Some(p) => Some(format!("{p}:{local}")),
            None => Some(local.to_string()),
        },
    }
}

/// Non-RDF attributes are properties too (the RDF abbreviated form).
fn attributes(
    reader: &NsReader<&[u8]>,
    e: &BytesStart,
    path: &[Option<String>],
    own: Option<&str>,
    out: &mut Store,
) {
    for attr in e.attributes().flatten() {
        let key = attr.key;
        if key.as_ref().starts_with("xmlns") {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(key);
        let Some(tag) = qualified(
            ns,
            local.as_ref(),
            key.prefix().map(|p| p.as_ref().to_string()),
        ) else {
            continue;
        };
        if tag.starts_with("rdf:") || tag.starts_with("x:") || tag.starts_with("xml:") {
            continue;
        }
        let mut full: Vec<Option<String>> = path.to_vec();
        full.push(own.map(str::to_string));
        emit(out, &full, Some(&tag), &xml::attr(&attr));
    }
}

fn flush(out: &mut Store, path: &[Option<String>], pending: &mut String) {
    if !pending.trim().is_empty() {
        emit(out, path, None, pending);
    }
    pending.clear();
}

fn emit(out: &mut Store, path: &[Option<String>], leaf: Option<&str>, value: &str) {
    let mut parts: Vec<&str> = path.iter().flatten().map(String::as_str).collect();
    parts.extend(leaf);
    if parts.is_empty() {
        return;
    }
    let tag = parts.join("/");
    let key = canonical(&tag).unwrap_or(&tag).to_string();
    if is_date(&tag) {
        out.push_date(&key, &tag, value, dates::iso(value));
    } else {
        out.push(&key, &tag, value);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attribute_element_and_list_forms() {
        let packet = br#"<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:a="http://ns.adobe.com/xap/1.0/" a:CreatorTool="Word" a:CreateDate="2020-01-02T03:04:05+01:00"/>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
 <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Budget &amp; plan</rdf:li></rdf:Alt></dc:title>
 <dc:creator><rdf:Seq><rdf:li>Ann</rdf:li><rdf:li>Bob</rdf:li></rdf:Seq></dc:creator>
</rdf:Description>
<rdf:Description xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#">
 <xmpMM:History><rdf:Seq><rdf:li stEvt:action="saved" stEvt:softwareAgent="Adobe Photoshop CS2"/></rdf:Seq></xmpMM:History>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>"#;
        let (s, warn) = parse(packet);
        assert_eq!(warn, None);
        assert_eq!(s.get(key::CREATOR_TOOL), Some("Word"));
        assert_eq!(
            s.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2020-01-02T03:04:05+01:00")
        );
        assert_eq!(s.get(key::TITLE), Some("Budget & plan"));
        let authors: Vec<_> = s
            .fields
            .iter()
            .filter(|f| f.key == key::AUTHOR)
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(authors, ["Ann", "Bob"]);
        assert_eq!(
            s.get("xmpMM:History/stEvt:softwareAgent"),
            Some("Adobe Photoshop CS2")
        );
    }

    #[test]
    fn broken_packet_keeps_what_was_read() {
        let (s, warn) = parse(br#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="X"><oops></rdf:RDF>"#);
        assert_eq!(s.get(key::CREATOR_TOOL), Some("X"));
        assert!(warn.is_some());
    }
}
