//! HTML: `<title>`, `<meta>` tags, Office's `<o:DocumentProperties>`, and
//! the text.
//!
//! A small lenient scanner rather than an XML parser (HTML is not XML:
//! unclosed tags, unquoted attributes, raw `<` in scripts) or an HTML5
//! crate (a full tree builder is heavy for reading a head and some text).

use encoding_rs::Encoding;
use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Store};

use super::{TextSink, dates};
use crate::Result;

/// Bytes searched for a charset declaration.
const SNIFF: usize = 4096;
/// Meta tags and Office properties kept.
const MAX_FIELDS: usize = 2_000;

/// Reads an HTML page.
pub fn read(bytes: &[u8], text: &mut TextSink) -> Result<DocMeta> {
    let page = decode(bytes);
    let mut meta = DocMeta::new("html");
    let mut s = Store::new(store::HTML_META);
    office_properties(&page, &mut s);
    scan(&page, &mut s, text);
    meta.pages = s.get(key::PAGES).and_then(|p| p.trim().parse().ok());
    meta.add(s);
    Ok(meta)
}

/// The page as text: BOM, then a declared charset, then UTF-8 if valid,
/// else windows-1252.
fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(bytes.get(bom..).unwrap_or_default())
            .0
            .into_owned();
    }
    let head = String::from_utf8_lossy(bytes.get(..SNIFF).unwrap_or(bytes)).to_ascii_lowercase();
    let declared = ["charset=", "encoding="].iter().find_map(|needle| {
        let at = head.find(needle)? + needle.len();
        let label: String = head[at..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        Encoding::for_label(label.as_bytes())
    });
    // A page claiming UTF-16 in ASCII is not UTF-16.
    let declared = declared.filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE);
    match declared {
        Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        },
    }
}

fn meta_key(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let n = n
        .strip_prefix("dc:")
        .or_else(|| n.strip_prefix("dc."))
        .unwrap_or(&n)
        .to_string();
    Some(match n.as_str() {
        "title" => key::TITLE,
        "author" | "creator" => key::AUTHOR,
        "generator" | "ncc:generator" => key::CREATOR_TOOL,
        "description" => key::DESCRIPTION,
        "keywords" => key::KEYWORDS,
        "subject" => key::SUBJECT,
        "language" | "content-language" => key::LANGUAGE,
        "copyright" | "rights" => key::COPYRIGHT,
        "company" => key::COMPANY,
        "created" | "dcterms.created" | "creation-date" | "date" => key::CREATED,
        "modified" | "dcterms.modified" | "last-modified" | "revised" => key::MODIFIED,
        _ => return None,
    })
}

/// Office's `<o:DocumentProperties>` and `<o:CustomDocumentProperties>`
/// (inside a conditional comment, so the scanner does not see them).
fn office_properties(page: &str, s: &mut Store) {
    for block in ["o:DocumentProperties", "o:CustomDocumentProperties"] {
        let Some(start) = page.find(&format!("<{block}>")) else {
            continue;
        };
        let body = &page[start + block.len() + 2..];
        let body = &body[..body.find(&format!("</{block}>")).unwrap_or(body.len())];
        let mut rest = body;
        while let Some(open) = rest.find("<o:") {
            let after = &rest[open + 3..];
            let Some(gt) = after.find('>') else { break };
            let name = after[..gt]
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            let value_at = &after[gt + 1..];
            let Some(end) = value_at.find(&format!("</o:{name}>")) else {
                rest = value_at;
                continue;
            };
            office_field(s, &unescape_name(&name), &entities(&value_at[..end]));
            rest = &value_at[end..];
            if s.fields.len() >= MAX_FIELDS {
                return;
            }
        }
    }
}

/// Office writes characters not allowed in XML names as `_xHHHH_`
/// (`Checked_x0020_by`).
fn unescape_name(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 2..at + 6)
            .filter(|_| rest.get(at + 6..at + 7) == Some("_"));
        match code
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
        {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn office_field(s: &mut Store, name: &str, value: &str) {
    let tag = format!("o:{name}");
    let key = match name {
        "Title" => key::TITLE,
        "Subject" => key::SUBJECT,
        "Author" => key::AUTHOR,
        "LastAuthor" => key::LAST_MODIFIED_BY,
        "Keywords" => key::KEYWORDS,
        "Description" => key::DESCRIPTION,
        "Company" => key::COMPANY,
        "Manager" => key::MANAGER,
        "Template" => key::TEMPLATE,
        "Revision" => key::REVISION,
        "TotalTime" => key::TOTAL_TIME,
        "Pages" => key::PAGES,
        "Version" => key::APP_VERSION,
        "Created" => key::CREATED,
        "LastSaved" => key::MODIFIED,
        "LastPrinted" => key::PRINTED,
        _ => tag.as_str(),
    };
    if matches!(name, "Created" | "LastSaved" | "LastPrinted") {
        s.push_date(key, &tag, value, dates::iso(value));
    } else {
        s.push(key, &tag, value);
    }
}

/// Tags whose end starts a new line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "tr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "table"
            | "ul"
            | "ol"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "blockquote"
            | "pre"
            | "hr"
            | "dt"
            | "dd"
            | "title"
            | "body"
            | "form"
            | "address"
            | "nav"
            | "main"
            | "aside"
            | "figure"
            | "figcaption"
    )
}

fn scan(page: &str, s: &mut Store, text: &mut TextSink) {
    let mut rest = page;
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut line_start = true;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            body_text(rest, in_title, &mut title, &mut line_start, text);
            break;
        };
        body_text(&rest[..lt], in_title, &mut title, &mut line_start, text);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        let Some((tag, after)) = Tag::parse(rest) else {
            body_text("<", in_title, &mut title, &mut line_start, text);
            rest = &rest[1..];
            continue;
        };
        rest = after;
        match (tag.name.as_str(), tag.closing) {
            ("script" | "style" | "noscript" | "template", false) => {
                let end = format!("</{}", tag.name);
                rest = find_ci(rest, &end).map_or("", |e| &rest[e..]);
            }
            ("title", false) => in_title = title.is_none(),
            ("title", true) => in_title = false,
            ("meta", false) if s.fields.len() < MAX_FIELDS => meta_tag(&tag, s),
            ("td" | "th", true) => text.push("\t"),
            (name, _) if is_block(name) => {
                text.break_line();
                line_start = true;
            }
            _ => {}
        }
    }
    if let Some(t) = title.filter(|t| !t.trim().is_empty()) {
        let mut first = Store::new(store::HTML_META);
        first.push(key::TITLE, "<title>", t);
        first.fields.append(&mut s.fields);
        *s = first;
    }
}

fn meta_tag(tag: &Tag, s: &mut Store) {
    let Some(content) = tag.attr("content") else {
        return;
    };
    if let Some(equiv) = tag.attr("http-equiv") {
        s.push(
            &format!("http-equiv:{equiv}"),
            &format!("http-equiv:{equiv}"),
            content,
        );
        return;
    }
    let Some(name) = tag
        .attr("name")
        .or_else(|| tag.attr("property"))
        .or_else(|| tag.attr("itemprop"))
    else {
        return;
    };
    let key = meta_key(name).unwrap_or(name);
    if key == key::CREATED || key == key::MODIFIED {
        s.push_date(key, name, content, dates::iso(content));
    } else {
        s.push(key, name, content);
    }
}

/// Text between tags; whitespace at the start of a line is dropped.
fn body_text(
    raw: &str,
    in_title: bool,
    title: &mut Option<String>,
    line_start: &mut bool,
    text: &mut TextSink,
) {
    let collapsed = collapse(&entities(raw));
    if in_title {
        title.get_or_insert_with(String::new).push_str(&collapsed);
        return;
    }
    let piece = if *line_start {
        collapsed.trim_start()
    } else {
        &collapsed
    };
    if !piece.is_empty() {
        text.push(piece);
        *line_start = false;
    }
}

/// Runs of whitespace as one space, as a browser shows them.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    (0..hay.len().saturating_sub(n - 1))
        .filter(|&i| hay.is_char_boundary(i) && hay.is_char_boundary(i + n))
        .find(|&i| hay[i..i + n].eq_ignore_ascii_case(needle))
}

struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    /// A tag at the start of `s` (which begins with `<`), and what follows it.
    fn parse(s: &str) -> Option<(Tag, &str)> {
        let body = s.strip_prefix('<')?;
        let (closing, body) = match body.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, body),
        };
        if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let name_len = body
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        let mut rest = &body[name_len..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() {
                return Some((
                    Tag {
                        name,
                        closing,
                        attrs,
                    },
                    rest,
                ));
            }
            if let Some(after) = rest.strip_prefix('>') {
                return Some((
                    Tag {
                        name,
                        closing,
                        attrs,
                    },
                    after,
                ));
            }
            let n = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len())
                .max(1);
            let attr = rest[..n].to_ascii_lowercase();
            rest = rest[n..].trim_start();
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (v, next) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let inner = &after[1..];
                        let end = inner.find(q).unwrap_or(inner.len());
                        (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                value = entities(v);
                rest = next;
            }
            if attrs.len() < 100 {
                attrs.push((attr, value));
            }
        }
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Latin-1 entity names from U+00A0 on, in code point order.
const LATIN1: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
    "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
    "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
    "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
    "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
    "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc",
    "uuml", "yacute", "thorn", "yuml",
];
/// Lower-case Greek entity names from U+03B1 on.
const GREEK: [&str; 25] = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
];

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    let fixed = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "euro" => '€',
        "trade" => '™',
        _ => {
            if let Some(i) = LATIN1.iter().position(|n| *n == name) {
                return char::from_u32(0xa0 + i as u32);
            }
            let i = GREEK.iter().position(|n| *n == name)?;
            return char::from_u32(0x3b1 + i as u32);
        }
    };
    Some(fixed)
}

/// Character references decoded; unknown ones kept as written.
fn entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        match end.and_then(|e| entity(&after[..e]).map(|c| (c, e))) {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>My  page &amp; more</title>
<meta name="author" content="John Doe"><meta name="generator" content="Word 15">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name=dcterms.modified content="2020-01-02T03:04:05Z">
<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>an author</o:Author><o:LastAuthor>Phil</o:LastAuthor>
<o:Created>2010-06-28T23:52:00Z</o:Created><o:Pages>3</o:Pages><o:Category>a cat&#233;gory</o:Category></o:DocumentProperties></xml><![endif]-->
<style>p { color: red }</style><script>if (a < b) { x = "</p>" }</script></head>
<body><h1>Head</h1><p>One &eacute;t&eacute;
 two</p><table><tr><td>a</td><td>b</td></tr></table></body></html>"#;

    #[test]
    fn reads_head_office_properties_and_text() {
        let mut text = TextSink::new(1000);
        let meta = read(PAGE.as_bytes(), &mut text).unwrap();
        let s = meta.store(store::HTML_META).unwrap();
        assert_eq!(s.get(key::TITLE), Some("My page & more"));
        assert_eq!(s.get(key::AUTHOR), Some("an author"));
        assert_eq!(s.get(key::LAST_MODIFIED_BY), Some("Phil"));
        assert_eq!(s.get(key::CREATOR_TOOL), Some("Word 15"));
        assert_eq!(s.get("o:Category"), Some("a catégory"));
        assert_eq!(
            s.get("http-equiv:Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            s.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2010-06-28T23:52:00Z")
        );
        assert_eq!(
            s.field(key::MODIFIED).and_then(|f| f.date.as_deref()),
            Some("2020-01-02T03:04:05Z")
        );
        assert_eq!(meta.pages, Some(3));
        let authors: Vec<_> = s
            .fields
            .iter()
            .filter(|f| f.key == key::AUTHOR)
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(authors, ["an author", "John Doe"]);
        assert_eq!(text.into_string().trim(), "Head\nOne été two\na\tb");
    }

    #[test]
    fn decodes_declared_and_fallback_charsets() {
        let page = b"<html><head><meta http-equiv=Content-Type content='text/html; charset=windows-1251'><title>\xcf\xf0\xe8</title>";
        let meta = read(page, &mut TextSink::new(100)).unwrap();
        assert_eq!(
            meta.store(store::HTML_META).and_then(|s| s.get(key::TITLE)),
            Some("При")
        );
        let meta = read(b"<title>caf\xe9</title>", &mut TextSink::new(100)).unwrap();
        assert_eq!(
            meta.store(store::HTML_META).and_then(|s| s.get(key::TITLE)),
            Some("café")
        );
        let meta = read(b"\xff\xfe<\0t\0i\0t\0l\0e\0>\0x\0", &mut TextSink::new(100)).unwrap();
        assert_eq!(
            meta.store(store::HTML_META).and_then(|s| s.get(key::TITLE)),
            Some("x")
        );
    }

    #[test]
    fn hostile_html() {
        for page in [
            "<",
            "<<<>>>",
            "<a href='x",
            "<!--",
            "<script>",
            "&#xFFFFFFFF; &#99999999999; &;",
            "<meta name=x content",
            "<o:DocumentProperties><o:A>x",
        ] {
            read(page.as_bytes(), &mut TextSink::new(100)).unwrap();
        }
        assert_eq!(entities("&#xD800;&amp"), "&#xD800;&amp");
        assert_eq!(
            unescape_name("Checked_x0020_by_x_x00zz_"),
            "Checked by_x_x00zz_"
        );
    }

    #[test]
    fn corpus_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        let Ok(b) = std::fs::read(dir.join("exiftool/HTML.html")) else {
            return leakcheck_core::testing::skip("shared corpus exiftool/HTML.html not found");
        };
        let meta = read(&b, &mut TextSink::new(1 << 20)).unwrap();
        let s = meta.store(store::HTML_META).unwrap();
        assert_eq!(s.get("o:Category"), Some("a catégory"));
        assert_eq!(s.get(key::CREATOR_TOOL), Some("ExifTool 6.73"));
    }
}
