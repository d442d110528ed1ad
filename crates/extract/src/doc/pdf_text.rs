//! Page text from content streams, on lopdf's objects and font encodings.
//! Our own walker because lopdf's `extract_text` ignores glyph positions (no
//! spaces between positioned runs, no line breaks on `Td`/`Tm`), prefers
//! `/Encoding` over `/ToUnicode` and skips form XObjects.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

use super::{DocLimits, TextSink};

/// Content-stream operators run per document, at most.
const MAX_OPERATIONS: usize = 5_000_000;
/// Form XObjects nested in one another, at most.
const MAX_FORM_DEPTH: usize = 8;
/// Saved graphics states (`q`) kept, at most.
const MAX_STATE_DEPTH: usize = 64;
/// Warnings kept per document.
const MAX_WARNINGS: usize = 5;

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m × n` for PDF's row-vector affine matrices.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn translate(tx: f32, ty: f32) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

/// Extracts the text of `pages` into `sink`; returns warnings.
pub(super) fn extract(
    doc: &Document,
    pages: &BTreeMap<u32, ObjectId>,
    limits: &DocLimits,
    sink: &mut TextSink,
) -> Vec<String> {
    let mut walker = Walker {
        doc,
        max_stream: usize::try_from(limits.max_part_bytes).unwrap_or(usize::MAX),
        budget: MAX_OPERATIONS,
        fonts: HashMap::new(),
        glyphs: HashMap::new(),
        sink,
        last: None,
        warnings: Vec::new(),
    };
    for page in pages.values() {
        if walker.sink.is_full() || walker.budget == 0 {
            break;
        }
        walker.page(*page);
        walker.sink.break_line();
        walker.last = None;
    }
    if walker.budget == 0 {
        walker.warn(format!(
            "text: stopped after {MAX_OPERATIONS} content operators"
        ));
    }
    walker.warnings
}

/// How one font turns string bytes into text and advances.
struct Font<'a> {
    /// Codes are two bytes (composite fonts).
    two_byte: bool,
    /// Simple fonts: text per byte code.
    table: Option<Vec<String>>,
    /// Composite fonts: lopdf's decoder (a ToUnicode CMap), when there is one.
    composite: Option<Encoding<'a>>,
    widths: Widths,
    /// Decoded composite codes.
    cache: RefCell<HashMap<u16, String>>,
}

/// Glyph widths in thousandths of text space.
enum Widths {
    Simple {
        first: i64,
        widths: Vec<f32>,
        missing: f32,
    },
    Composite {
        default: f32,
        widths: HashMap<u32, f32>,
    },
}

impl Widths {
    fn get(&self, code: u32) -> f32 {
        match self {
            Widths::Simple {
                first,
                widths,
                missing,
            } => usize::try_from(i64::from(code) - first)
                .ok()
                .and_then(|i| widths.get(i).copied())
                .unwrap_or(*missing),
            Widths::Composite { default, widths } => widths.get(&code).copied().unwrap_or(*default),
        }
    }
}

/// Graphics state the text depends on.
#[derive(Clone)]
struct State<'a> {
    ctm: Matrix,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
    size: f32,
    font: Option<Rc<Font<'a>>>,
}

/// Where the last glyph ended, in device space, and its height.
#[derive(Clone, Copy)]
struct Pen {
    x: f32,
    y: f32,
    height: f32,
}

struct Walker<'a, 's> {
    doc: &'a Document,
    max_stream: usize,
    budget: usize,
    /// Fonts by dictionary address (fonts are shared between pages).
    fonts: HashMap<usize, Rc<Font<'a>>>,
    /// Glyph names to text, resolved through lopdf.
    glyphs: HashMap<Vec<u8>, String>,
    sink: &'s mut TextSink,
    last: Option<Pen>,
    warnings: Vec<String>,
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn matrix(operands: &[Object]) -> Option<Matrix> {
    let v: Vec<f32> = operands.iter().filter_map(number).collect();
    (v.len() == 6).then(|| [v[0], v[1], v[2], v[3], v[4], v[5]])
}

impl<'a> Walker<'a, '_> {
    fn warn(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS && !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn deref(&self, o: &'a Object) -> &'a Object {
        self.doc.dereference(o).map_or(o, |(_, o)| o)
    }

    fn dict(&self, o: &'a Object) -> Option<&'a Dictionary> {
        self.deref(o).as_dict().ok()
    }

    fn page(&mut self, id: ObjectId) {
        let Ok((own, inherited)) = self.doc.get_page_resources(id) else {
            return;
        };
        let mut resources: Vec<&'a Dictionary> = own.into_iter().collect();
        resources.extend(
            inherited
                .iter()
                .filter_map(|i| self.doc.get_dictionary(*i).ok()),
        );
        match self.doc.get_page_content_with_limit(id, self.max_stream) {
            Ok(content) => self.run(&content, &resources, IDENTITY, 0),
            Err(e) => self.warn(format!("text: page content: {e}")),
        }
    }

    /// Finds a named resource of one category (`/Font`, `/XObject`).
    fn resource(
        &self,
        resources: &[&'a Dictionary],
        category: &[u8],
        name: &[u8],
    ) -> Option<&'a Object> {
        resources.iter().find_map(|r| {
            let group = self.dict(r.get(category).ok()?)?;
            group.get(name).ok().map(|o| self.deref(o))
        })
    }

    fn run(&mut self, content: &[u8], resources: &[&'a Dictionary], ctm: Matrix, depth: usize) {
        let operations = match Content::decode(content) {
            Ok(c) => c.operations,
            Err(e) => {
                self.warn(format!("text: content stream: {e}"));
                return;
            }
        };
        let mut gs = State {
            ctm,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            size: 0.0,
            font: None,
        };
        let mut saved: Vec<State> = Vec::new();
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        for op in &operations {
            if self.budget == 0 || self.sink.is_full() {
                return;
            }
            self.budget -= 1;
            let args = &op.operands;
            let num = |i: usize| args.get(i).and_then(number);
            match op.operator.as_str() {
                "q" if saved.len() < MAX_STATE_DEPTH => saved.push(gs.clone()),
                "Q" => gs = saved.pop().unwrap_or(gs),
                "cm" => gs.ctm = matrix(args).map_or(gs.ctm, |m| mul(&m, &gs.ctm)),
                "BT" => (tm, tlm) = (IDENTITY, IDENTITY),
                "Tf" => {
                    gs.size = num(1).unwrap_or(gs.size);
                    gs.font = args
                        .first()
                        .and_then(|n| n.as_name().ok())
                        .and_then(|n| self.font(resources, n));
                }
                "Tc" => gs.char_spacing = num(0).unwrap_or(0.0),
                "Tw" => gs.word_spacing = num(0).unwrap_or(0.0),
                "Tz" => gs.scale = num(0).unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = num(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (num(0).unwrap_or(0.0), num(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        gs.leading = -ty;
                    }
                    tlm = mul(&translate(tx, ty), &tlm);
                    tm = tlm;
                }
                "Tm" => {
                    tlm = matrix(args).unwrap_or(IDENTITY);
                    tm = tlm;
                }
                "T*" | "'" | "\"" => {
                    tlm = mul(&translate(0.0, -gs.leading), &tlm);
                    tm = tlm;
                    if op.operator == "\"" {
                        gs.word_spacing = num(0).unwrap_or(gs.word_spacing);
                        gs.char_spacing = num(1).unwrap_or(gs.char_spacing);
                    }
                    let string = if op.operator == "\"" {
                        args.get(2)
                    } else {
                        args.first()
                    };
                    if let Some(Object::String(s, _)) = string {
                        self.show(s, &gs, &mut tm);
                    }
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = args.first() {
                        self.show(s, &gs, &mut tm);
                    }
                }
                "TJ" => {
                    for item in args
                        .first()
                        .and_then(|a| a.as_array().ok())
                        .into_iter()
                        .flatten()
                    {
                        match item {
                            Object::String(s, _) => self.show(s, &gs, &mut tm),
                            other => {
                                let n = number(other).unwrap_or(0.0);
                                tm = mul(&translate(-n / 1000.0 * gs.size * gs.scale, 0.0), &tm);
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    if let Some(name) = args.first().and_then(|n| n.as_name().ok()) {
                        self.form(resources, name, &gs.ctm, depth);
                    }
                }
                _ => {}
            }
        }
    }

    /// Runs a form XObject's content with its own resources.
    fn form(&mut self, resources: &[&'a Dictionary], name: &[u8], ctm: &Matrix, depth: usize) {
        let Some(Ok(stream)) = self
            .resource(resources, b"XObject", name)
            .map(Object::as_stream)
        else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return;
        }
        let content = match stream.get_plain_content_with_limit(self.max_stream) {
            Ok(c) => c,
            Err(e) => return self.warn(format!("text: form XObject: {e}")),
        };
        let form_matrix = stream
            .dict
            .get(b"Matrix")
            .ok()
            .and_then(|m| m.as_array().ok());
        let form_matrix = form_matrix.and_then(|m| matrix(m)).unwrap_or(IDENTITY);
        let own = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| self.dict(r));
        let mut inner: Vec<&'a Dictionary> = own.into_iter().collect();
        inner.extend_from_slice(resources);
        self.run(&content, &inner, mul(&form_matrix, ctm), depth + 1);
    }

    /// Shows one string: a space or line break first when its position says
    /// so, then its text; advances the text matrix.
    fn show(&mut self, bytes: &[u8], gs: &State<'a>, tm: &mut Matrix) {
        let Some(font) = gs.font.clone() else { return };
        let start = mul(tm, &gs.ctm);
        let height = gs.size * start[2].hypot(start[3]);
        self.place(&start, height);
        let mut advance = 0.0;
        if font.two_byte {
            for pair in bytes.chunks(2) {
                let code = u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]);
                let text = self.composite_text(&font, code);
                self.emit(&text);
                advance += font.widths.get(u32::from(code)) / 1000.0 * gs.size + gs.char_spacing;
            }
        } else if let Some(table) = &font.table {
            for &b in bytes {
                self.emit(table.get(usize::from(b)).map_or("", String::as_str));
                let space = if b == b' ' { gs.word_spacing } else { 0.0 };
                advance +=
                    font.widths.get(u32::from(b)) / 1000.0 * gs.size + gs.char_spacing + space;
            }
        }
        *tm = mul(&translate(advance * gs.scale, 0.0), tm);
        let end = mul(tm, &gs.ctm);
        self.last = Some(Pen {
            x: end[4],
            y: end[5],
            height,
        });
    }

    fn composite_text(&self, font: &Font<'a>, code: u16) -> String {
        if let Some(t) = font.cache.borrow().get(&code) {
            return t.clone();
        }
        let text = font
            .composite
            .as_ref()
            .and_then(|e| e.bytes_to_string(&code.to_be_bytes()).ok())
            .unwrap_or_default();
        let text: String = text
            .chars()
            .filter(|c| *c != '\u{fffd}' && *c != '\0')
            .collect();
        let mut cache = font.cache.borrow_mut();
        if cache.len() < 65536 {
            cache.insert(code, text.clone());
        }
        text
    }

    fn emit(&mut self, text: &str) {
        self.sink.push(text);
    }

    /// A line break when the baseline moved, a space when the pen jumped.
    fn place(&mut self, at: &Matrix, height: f32) {
        let Some(last) = self.last else { return };
        let len = at[0].hypot(at[1]);
        let (ux, uy) = if len > 0.0 {
            (at[0] / len, at[1] / len)
        } else {
            (1.0, 0.0)
        };
        let (dx, dy) = (at[4] - last.x, at[5] - last.y);
        let along = dx * ux + dy * uy;
        let across = dy * ux - dx * uy;
        let size = height.max(last.height).max(0.01);
        if across.abs() > 0.5 * size {
            self.sink.break_line();
        } else if along > 0.15 * size || along < -size {
            self.sink.push(" ");
        }
    }

    /// The font of that resource name, built once per document.
    fn font(&mut self, resources: &[&'a Dictionary], name: &[u8]) -> Option<Rc<Font<'a>>> {
        let dict = self.resource(resources, b"Font", name)?.as_dict().ok()?;
        let id = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&id) {
            return Some(f.clone());
        }
        let font = Rc::new(self.build_font(dict));
        self.fonts.insert(id, font.clone());
        Some(font)
    }

    fn build_font(&mut self, dict: &'a Dictionary) -> Font<'a> {
        let composite = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
        if composite {
            let encoding = dict
                .get_font_encoding_with_limit(self.doc, self.max_stream)
                .ok()
                .filter(|e| !matches!(e, Encoding::OneByteEncoding(_) | Encoding::Differences(_)));
            return Font {
                two_byte: true,
                table: None,
                composite: encoding,
                widths: self.composite_widths(dict),
                cache: RefCell::new(HashMap::new()),
            };
        }
        Font {
            two_byte: false,
            table: Some(self.simple_table(dict)),
            composite: None,
            widths: self.simple_widths(dict),
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// Text per code of a simple font: its ToUnicode CMap where it maps the
    /// code, else its encoding (base encoding plus `/Differences`).
    fn simple_table(&mut self, dict: &'a Dictionary) -> Vec<String> {
        let mut table = self.encoding_table(dict);
        if dict.has(b"ToUnicode") {
            let mut only_cmap = dict.clone();
            only_cmap.remove(b"Encoding");
            if let Ok(e @ Encoding::UnicodeMapEncoding(_)) =
                only_cmap.get_font_encoding_with_limit(self.doc, self.max_stream)
            {
                for (code, slot) in table.iter_mut().enumerate() {
                    let text = e.bytes_to_string(&[code as u8]).unwrap_or_default();
                    if !text.is_empty() && !text.contains('\u{fffd}') && !text.contains('\0') {
                        *slot = text;
                    }
                }
            }
        }
        table
    }

    fn encoding_table(&mut self, dict: &'a Dictionary) -> Vec<String> {
        let truetype = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"TrueType");
        let default: &[u8] = if truetype {
            b"WinAnsiEncoding"
        } else {
            b"StandardEncoding"
        };
        let encoding = dict.get(b"Encoding").ok().map(|e| self.deref(e));
        let (base, differences) = match encoding {
            Some(Object::Name(n)) => (n.as_slice(), None),
            Some(Object::Dictionary(d)) => (
                d.get(b"BaseEncoding")
                    .and_then(Object::as_name)
                    .unwrap_or(b"StandardEncoding"),
                d.get(b"Differences").ok().map(|a| self.deref(a)),
            ),
            _ => (default, None),
        };
        let mut table = base_table(base).unwrap_or_else(|| base_table(default).unwrap_or_default());
        table.resize(256, String::new());
        let mut code = 0usize;
        for item in differences
            .and_then(|d| d.as_array().ok())
            .into_iter()
            .flatten()
        {
            match item {
                Object::Integer(i) => code = usize::try_from(*i).unwrap_or(256),
                Object::Name(n) => {
                    if let Some(slot) = table.get_mut(code) {
                        *slot = glyph_text(&mut self.glyphs, n);
                    }
                    code += 1;
                }
                _ => {}
            }
        }
        table
    }

    fn simple_widths(&self, dict: &'a Dictionary) -> Widths {
        let first = dict.get(b"FirstChar").and_then(Object::as_i64).unwrap_or(0);
        let widths: Vec<f32> = dict
            .get(b"Widths")
            .ok()
            .and_then(|w| self.deref(w).as_array().ok())
            .map(|w| {
                w.iter()
                    .take(256)
                    .map(|o| number(self.deref(o)).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let descriptor = dict.get(b"FontDescriptor").ok().and_then(|d| self.dict(d));
        let missing = descriptor
            .and_then(|d| d.get(b"MissingWidth").ok().and_then(number))
            .filter(|w| *w > 0.0);
        // Without widths (the standard 14 fonts) an average advance keeps gaps measurable.
        let missing = missing.unwrap_or(if widths.is_empty() { 500.0 } else { 0.0 });
        Widths::Simple {
            first,
            widths,
            missing,
        }
    }

    fn composite_widths(&self, dict: &'a Dictionary) -> Widths {
        let descendant = dict
            .get(b"DescendantFonts")
            .ok()
            .and_then(|d| self.deref(d).as_array().ok())
            .and_then(|a| a.first())
            .and_then(|d| self.dict(d));
        let default = descendant
            .and_then(|d| d.get(b"DW").ok().and_then(number))
            .unwrap_or(1000.0);
        let mut widths = HashMap::new();
        let w = descendant
            .and_then(|d| d.get(b"W").ok())
            .and_then(|w| self.deref(w).as_array().ok());
        let items: Vec<&Object> = w.into_iter().flatten().map(|o| self.deref(o)).collect();
        let mut i = 0;
        while i < items.len() && widths.len() < 65536 {
            let first = items.get(i).and_then(|o| o.as_i64().ok()).unwrap_or(-1);
            let Ok(first) = u32::try_from(first) else {
                break;
            };
            match items.get(i + 1) {
                Some(Object::Array(list)) => {
                    for (k, w) in list.iter().take(65536).enumerate() {
                        widths.insert(
                            first.saturating_add(k as u32),
                            number(self.deref(w)).unwrap_or(default),
                        );
                    }
                    i += 2;
                }
                Some(last) => {
                    let last = last
                        .as_i64()
                        .ok()
                        .and_then(|l| u32::try_from(l).ok())
                        .unwrap_or(first);
                    let w = items.get(i + 2).and_then(|o| number(o)).unwrap_or(default);
                    for c in first..=last.min(first.saturating_add(65535)) {
                        widths.insert(c, w);
                    }
                    i += 3;
                }
                None => break,
            }
        }
        Widths::Composite { default, widths }
    }
}

/// One of lopdf's base encodings as text per code.
fn base_table(name: &[u8]) -> Option<Vec<String>> {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Font".to_vec()));
    dict.set("Encoding", Object::Name(name.to_vec()));
    let doc = Document::new();
    let encoding = dict.get_font_encoding(&doc).ok()?;
    if !matches!(encoding, Encoding::OneByteEncoding(_)) {
        return None;
    }
    Some(
        (0..=255u8)
            .map(|b| encoding.bytes_to_string(&[b]).unwrap_or_default())
            .collect(),
    )
}

/// The text of a glyph name: lopdf's glyph list, `uniXXXX`/`uXXXX[XX]`
/// names, else nothing.
fn glyph_text(cache: &mut HashMap<Vec<u8>, String>, name: &[u8]) -> String {
    if let Some(t) = cache.get(name) {
        return t.clone();
    }
    let text = lopdf_glyph(name)
        .or_else(|| uni_name(name))
        .unwrap_or_default();
    if cache.len() < 4096 {
        cache.insert(name.to_vec(), text.clone());
    }
    text
}

fn lopdf_glyph(name: &[u8]) -> Option<String> {
    let mut enc = Dictionary::new();
    enc.set(
        "Differences",
        Object::Array(vec![Object::Integer(65), Object::Name(name.to_vec())]),
    );
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Font".to_vec()));
    dict.set("Encoding", Object::Dictionary(enc));
    let doc = Document::new();
    match dict.get_font_encoding(&doc).ok()? {
        e @ Encoding::Differences(_) => e.bytes_to_string(b"A").ok(),
        _ => None,
    }
}

fn uni_name(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let hex = name
        .strip_prefix("uni")
        .or_else(|| name.strip_prefix('u'))?;
    let hex = hex.split('.').next()?;
    if !(4..=6).contains(&hex.len()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some(c.to_string())
}
