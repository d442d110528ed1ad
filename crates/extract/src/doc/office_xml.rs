//! A namespace-aware walk over the XML parts of OOXML and ODF packages,
//! shared by their readers. Names are spelled with the standard prefix of
//! their namespace (`dc:title`, `w:t`, `text:p`) whatever the file calls it,
//! so that a renamed prefix cannot hide a field.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};

use super::xml;

/// Deeper than any real part nests (docx tables in tables stay far below).
const MAX_DEPTH: usize = 256;
/// Leaves kept from one metadata part.
const MAX_LEAVES: usize = 20_000;

/// An open element: its name and attributes.
#[derive(Clone, Debug)]
pub struct Elem {
    /// `prefix:local`, with the standard prefix of its namespace.
    pub name: String,
    /// Attributes, named the same way.
    pub attrs: Vec<(String, String)>,
}

impl Elem {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the walk meets; `stack` ends with the element concerned (for text,
/// the element that holds it).
pub enum Step<'a> {
    /// An element starts (an empty element gives `Open` then `Close`).
    Open(&'a [Elem]),
    /// Text inside the last element of the stack.
    Text(&'a [Elem], &'a str),
    /// An element ends.
    Close(&'a [Elem]),
}

fn prefix_of(ns: &str) -> Option<&'static str> {
    Some(match ns {
        "http://purl.org/dc/elements/1.1/" => "dc",
        "http://purl.org/dc/terms/" => "dcterms",
        "http://schemas.openxmlformats.org/package/2006/metadata/core-properties" => "cp",
        "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
        | "http://purl.oclc.org/ooxml/officeDocument/extendedProperties"
        | "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
        | "http://purl.oclc.org/ooxml/officeDocument/customProperties"
        | "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        | "http://purl.oclc.org/ooxml/spreadsheetml/main"
        | "http://schemas.openxmlformats.org/package/2006/relationships" => "",
        "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
        | "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes" => "vt",
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        | "http://purl.oclc.org/ooxml/wordprocessingml/main" => "w",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        | "http://purl.oclc.org/ooxml/officeDocument/relationships" => "r",
        "http://schemas.openxmlformats.org/drawingml/2006/main"
        | "http://purl.oclc.org/ooxml/drawingml/main" => "a",
        "http://schemas.openxmlformats.org/presentationml/2006/main"
        | "http://purl.oclc.org/ooxml/presentationml/main" => "p",
        "urn:oasis:names:tc:opendocument:xmlns:office:1.0" => "office",
        "urn:oasis:names:tc:opendocument:xmlns:meta:1.0" => "meta",
        "urn:oasis:names:tc:opendocument:xmlns:text:1.0" => "text",
        "urn:oasis:names:tc:opendocument:xmlns:table:1.0" => "table",
        "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" => "draw",
        "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" => "presentation",
        "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" => "manifest",
        _ => return None,
    })
}

fn qualified(ns: ResolveResult, local: &str, written: QName) -> String {
    let prefix = match ns {
        ResolveResult::Bound(n) => prefix_of(n.as_ref()).map(str::to_string),
        _ => None,
    }
    .or_else(|| written.prefix().map(|p| p.as_ref().to_string()))
    .unwrap_or_default();
    if prefix.is_empty() {
        local.to_string()
    } else {
        format!("{prefix}:{local}")
    }
}

fn elem(reader: &NsReader<&[u8]>, e: &BytesStart) -> Elem {
    let (ns, local) = reader.resolver().resolve_element(e.name());
    let name = qualified(ns, local.as_ref(), e.name());
    let attrs = e
        .attributes()
        .flatten()
        .filter(|a| !a.key.as_ref().starts_with("xmlns"))
        .map(|a| {
            let (ns, local) = reader.resolver().resolve_attribute(a.key);
            (qualified(ns, local.as_ref(), a.key), xml::attr(&a))
        })
        .collect();
    Elem { name, attrs }
}

/// Walks a part, calling `f` for each step; `f` returns `false` to stop.
/// Malformed XML ends the walk with a warning; what came before it stands.
pub fn walk(bytes: &[u8], mut f: impl FnMut(Step) -> bool) -> Option<String> {
    let mut reader = NsReader::from_reader(bytes);
    let mut stack: Vec<Elem> = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let go_on = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                if stack.len() >= MAX_DEPTH {
                    return Some(format!("XML nested deeper than {MAX_DEPTH} levels"));
                }
                stack.push(elem(&reader, &e));
                f(Step::Open(&stack))
            }
            Ok(Event::Empty(e)) => {
                stack.push(elem(&reader, &e));
                let go_on = f(Step::Open(&stack)) && f(Step::Close(&stack));
                stack.pop();
                go_on
            }
            Ok(Event::End(_)) => {
                let go_on = stack.is_empty() || f(Step::Close(&stack));
                stack.pop();
                go_on
            }
            Ok(Event::Text(t)) => stack.is_empty() || f(Step::Text(&stack, &xml::text(&t))),
            Ok(Event::GeneralRef(r)) => {
                stack.is_empty() || f(Step::Text(&stack, &xml::reference(&r)))
            }
            Ok(Event::CData(t)) => stack.is_empty() || f(Step::Text(&stack, &t.xml10_content())),
            Ok(Event::Eof) => return None,
            Ok(_) => true,
            Err(e) => return Some(format!("XML is not well-formed: {e}")),
        };
        if !go_on {
            return None;
        }
    }
}

/// An element without child elements, with its text and its ancestors.
#[derive(Debug)]
pub struct Leaf {
    /// Ancestors then the element itself.
    pub path: Vec<Elem>,
    /// Its text, pieces joined.
    pub text: String,
}

impl Leaf {
    /// The element itself.
    pub fn elem(&self) -> Option<&Elem> {
        self.path.last()
    }

    /// Its name.
    pub fn name(&self) -> &str {
        self.elem().map_or("", |e| e.name.as_str())
    }

    /// Its parent, if any.
    pub fn parent(&self) -> Option<&Elem> {
        self.path
            .len()
            .checked_sub(2)
            .and_then(|i| self.path.get(i))
    }
}

/// The leaves of a small metadata part (core.xml, app.xml, meta.xml).
pub fn leaves(bytes: &[u8]) -> (Vec<Leaf>, Option<String>) {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut has_child = false;
    let mut truncated = false;
    let warning = walk(bytes, |step| {
        match step {
            Step::Open(_) => {
                has_child = false;
                text.clear();
            }
            Step::Text(_, t) => text.push_str(t),
            Step::Close(stack) => {
                if !has_child {
                    out.push(Leaf {
                        path: stack.to_vec(),
                        text: std::mem::take(&mut text),
                    });
                }
                has_child = true;
            }
        }
        truncated = out.len() >= MAX_LEAVES;
        !truncated
    });
    let warning = warning.or_else(|| {
        truncated.then(|| format!("more than {MAX_LEAVES} XML values; the rest were skipped"))
    });
    (out, warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_have_canonical_names_and_parents() {
        let xml = br#"<x:r xmlns:x="http://purl.org/dc/elements/1.1/" xmlns:m="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">
            <x:title>A &amp; B</x:title><m:user-defined m:name="N">v</m:user-defined><m:s m:page-count="3"/></x:r>"#;
        let (l, w) = leaves(xml);
        assert_eq!(w, None);
        let names: Vec<_> = l.iter().map(Leaf::name).collect();
        assert_eq!(names, ["dc:title", "meta:user-defined", "meta:s"]);
        assert_eq!(l[0].text, "A & B");
        assert_eq!(l[1].elem().and_then(|e| e.attr("meta:name")), Some("N"));
        assert_eq!(
            l[2].elem().and_then(|e| e.attr("meta:page-count")),
            Some("3")
        );
        assert_eq!(l[2].parent().map(|e| e.name.as_str()), Some("dc:r"));
    }

    #[test]
    fn broken_xml_warns() {
        let (l, w) = leaves(b"<a><b>x</b><c></a>");
        assert_eq!(l.len(), 1);
        assert!(w.is_some());
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(walk(deep.as_bytes(), |_| true).is_some());
    }
}
