//! Small helpers over quick-xml shared by the XML-based readers: since
//! quick-xml 0.38 text arrives in pieces, split at each `&...;` reference.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, BytesText};

/// A text piece, line ends normalised.
pub fn text(e: &BytesText) -> String {
    e.xml10_content().into_owned()
}

/// A `&...;` reference as the character(s) it stands for; unknown entities
/// are kept as written rather than dropped.
pub fn reference(e: &BytesRef) -> String {
    if let Ok(Some(c)) = e.resolve_char_ref() {
        return c.to_string();
    }
    let name = e.xml10_content();
    match resolve_predefined_entity(&name) {
        Some(s) => s.to_string(),
        None => format!("&{name};"),
    }
}

/// An attribute value with entities resolved (kept raw if it cannot be).
pub fn attr(a: &Attribute) -> String {
    match a.normalized_value(XmlVersion::Implicit1_0) {
        Ok(v) => v.into_owned(),
        Err(_) => a.value.to_string(),
    }
}
