//! RTF: the `\info` group, generator, code page, rsid table, user
//! properties, and the body text.
//!
//! Our own small tokenizer: the RTF crates read text and formatting but not
//! `\info` or `\userprops`, and a destination-aware scan is short.

use leakcheck_core::doc::{key, store};
use leakcheck_core::{DocMeta, Store};

use super::{TextSink, codepage, dates};
use crate::{ExtractError, Result};

/// Groups nested deeper than this end the scan (real files stay under 30).
const MAX_DEPTH: usize = 256;
/// Largest input scanned; RTF with embedded pictures can be big, the
/// metadata sits at the start.
const MAX_INPUT: usize = 256 << 20;
/// Font table entries kept (each `\fN` searches them).
const MAX_FONTS: usize = 4_096;
/// Text a metadata field may hold.
const MAX_FIELD: usize = 64 << 10;

/// Where a group's text goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dest {
    Body,
    Skip,
    FontTbl,
    /// `\upr`: an ANSI group then its Unicode twin `\*\ud`; only the twin is read.
    Upr,
    Ud,
    Info,
    Field(&'static str, &'static str),
    Date(&'static str, &'static str),
    UserProps,
    PropName,
    StaticVal,
    Generator,
    RsidTbl,
}

impl Dest {
    fn collects_text(self) -> bool {
        matches!(
            self,
            Dest::Body | Dest::Field(..) | Dest::PropName | Dest::StaticVal | Dest::Generator
        )
    }
}

struct Group {
    dest: Dest,
    /// This group set `dest` (rather than inheriting it) and owns `out`.
    owner: bool,
    /// `\ucN`: characters to skip after a `\uN`.
    uc: u32,
    /// No control word seen yet: the next may name a destination.
    at_start: bool,
    /// `\*` seen at the start: an unknown destination is skipped.
    starred: bool,
    out: String,
    bytes: Vec<u8>,
    units: Vec<u16>,
    date: [u32; 6],
    rsids: u64,
    /// Code page of the font in use (`\fN` with a `\fcharset`), inherited.
    font_cp: Option<u32>,
}

impl Group {
    fn new(dest: Dest, uc: u32) -> Group {
        Group {
            dest,
            owner: false,
            uc,
            at_start: true,
            starred: false,
            out: String::new(),
            bytes: Vec::new(),
            units: Vec::new(),
            date: [0; 6],
            rsids: 0,
            font_cp: None,
        }
    }
}

struct Parser<'a, 't> {
    b: &'a [u8],
    i: usize,
    cp: u32,
    stack: Vec<Group>,
    skip: u32,
    info: Store,
    prop_name: String,
    /// Font number to code page, from the font table.
    fonts: Vec<(i64, u32)>,
    /// The font being described in the font table.
    table_font: i64,
    text: &'t mut TextSink,
}

/// Reads an RTF document.
pub fn read(bytes: &[u8], text: &mut TextSink) -> Result<DocMeta> {
    if !bytes.starts_with(b"{\\rtf") {
        return Err(ExtractError::malformed("rtf", "does not start with {\\rtf"));
    }
    let mut meta = DocMeta::new("rtf");
    if bytes.len() > MAX_INPUT {
        meta.warnings
            .push(format!("only the first {MAX_INPUT} bytes were read"));
    }
    let mut p = Parser {
        b: bytes.get(..MAX_INPUT).unwrap_or(bytes),
        i: 0,
        cp: 1252,
        stack: Vec::new(),
        skip: 0,
        info: Store::new(store::RTF_INFO),
        prop_name: String::new(),
        fonts: Vec::new(),
        table_font: 0,
        text,
    };
    if let Err(w) = p.run() {
        meta.warnings.push(w);
    }
    meta.pages = p.info.get(key::PAGES).and_then(|n| n.parse().ok());
    meta.add(p.info);
    Ok(meta)
}

impl Parser<'_, '_> {
    fn run(&mut self) -> std::result::Result<(), String> {
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'{' => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(format!("groups nested deeper than {MAX_DEPTH}"));
                    }
                    let (dest, uc, font_cp) = self
                        .stack
                        .last()
                        .map_or((Dest::Body, 1, None), |g| (g.dest, g.uc, g.font_cp));
                    let mut g = Group::new(dest, uc);
                    g.font_cp = font_cp;
                    self.stack.push(g);
                    if self.stack.len() == 1 {
                        self.top().owner = true;
                    }
                    self.skip = 0;
                }
                b'}' => {
                    self.close_group();
                    self.skip = 0;
                    if self.stack.is_empty() {
                        return Ok(());
                    }
                }
                b'\\' => self.control(),
                b'\r' | b'\n' => {}
                _ if self.stack.is_empty() => {}
                _ => self.byte(c),
            }
        }
        // A file cut short still gives what it had.
        while !self.stack.is_empty() {
            self.close_group();
        }
        Err("unbalanced braces: the file is truncated".into())
    }

    /// The code page bytes are read in: the font's, else the document's.
    fn cp(&self) -> u32 {
        self.stack.last().and_then(|g| g.font_cp).unwrap_or(self.cp)
    }

    /// Decodes pending bytes before the code page changes.
    fn flush_pending(&mut self) {
        let cp = self.cp();
        if let Some(g) = self.sink() {
            flush_bytes(g, cp);
        }
    }

    fn top(&mut self) -> &mut Group {
        if self.stack.is_empty() {
            self.stack.push(Group::new(Dest::Skip, 1));
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// The group that collects the current text, if it collects any.
    fn sink(&mut self) -> Option<&mut Group> {
        let dest = self.stack.last()?.dest;
        if !dest.collects_text() {
            return None;
        }
        self.stack.iter_mut().rev().find(|g| g.owner)
    }

    fn byte(&mut self, c: u8) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        let cp = self.cp();
        if let Some(g) = self.sink() {
            flush_units(g);
            if g.bytes.len() < MAX_FIELD {
                g.bytes.push(c);
            }
            if g.dest == Dest::Body && g.bytes.len() >= 4096 && c.is_ascii() {
                flush_bytes(g, cp);
            }
        }
        self.flush_body();
    }

    fn unit(&mut self, u: u16) {
        let cp = self.cp();
        if let Some(g) = self.sink() {
            flush_bytes(g, cp);
            g.units.push(u);
        }
    }

    fn push_str(&mut self, s: &str) {
        let cp = self.cp();
        if let Some(g) = self.sink() {
            flush_bytes(g, cp);
            flush_units(g);
            if g.out.len() < MAX_FIELD {
                g.out.push_str(s);
            }
        }
        self.flush_body();
    }

    /// Moves decoded body text to the sink.
    fn flush_body(&mut self) {
        if let Some(root) = self.stack.first_mut()
            && root.dest == Dest::Body
            && !root.out.is_empty()
        {
            self.text.push(&root.out);
            root.out.clear();
        }
    }

    fn control(&mut self) {
        let Some(&c) = self.b.get(self.i) else { return };
        if !c.is_ascii_alphabetic() {
            self.i += 1;
            self.symbol(c);
            return;
        }
        let (word, param, end) = control_word(self.b, self.i);
        self.i = end;
        self.word(word, param);
    }

    fn symbol(&mut self, c: u8) {
        match c {
            b'\'' => {
                if let Some(v) = hex_byte(self.b, self.i) {
                    self.i += 2;
                    self.byte(v);
                }
            }
            b'*' => {
                let g = self.top();
                if g.at_start {
                    g.starred = true;
                }
            }
            _ if self.skip > 0 => self.skip -= 1,
            b'{' | b'}' | b'\\' => self.push_str(char::from(c).encode_utf8(&mut [0; 4])),
            b'~' => self.push_str("\u{a0}"),
            b'_' => self.push_str("-"),
            b'\r' | b'\n' => self.push_str("\n"),
            _ => {}
        }
    }

    fn word(&mut self, word: &str, param: Option<i64>) {
        let at_start = std::mem::replace(&mut self.top().at_start, false);
        let starred = self.top().starred;
        if at_start && let Some(dest) = destination(word) {
            let g = self.top();
            g.dest = if g.dest == Dest::Upr && dest != Dest::Ud {
                Dest::Skip
            } else {
                dest
            };
            g.owner = true;
            return;
        }
        if at_start && starred {
            self.top().dest = Dest::Skip;
            return;
        }
        if self.skip > 0 && word != "u" {
            self.skip -= 1;
            return;
        }
        let p = param.unwrap_or(0);
        let dest = self.top().dest;
        match word {
            "ansicpg" => {
                self.cp = u32::try_from(p).unwrap_or(1252);
                if self.info.get(key::CODE_PAGE).is_none() {
                    self.info.push(key::CODE_PAGE, "\\ansicpg", p.to_string());
                }
            }
            "deflang" | "deflangfe" if self.stack.len() == 1 => {
                self.info
                    .push(key::LANGUAGE, &format!("\\{word}"), p.to_string());
            }
            "f" if dest == Dest::FontTbl => self.table_font = p,
            "fcharset" if dest == Dest::FontTbl => {
                if let Some(cp) = charset_cp(p)
                    && self.fonts.len() < MAX_FONTS
                {
                    self.fonts.push((self.table_font, cp));
                }
            }
            "f" => {
                self.flush_pending();
                let cp = self
                    .fonts
                    .iter()
                    .rev()
                    .find(|(f, _)| *f == p)
                    .map(|(_, cp)| *cp);
                self.top().font_cp = cp;
            }
            "uc" => self.top().uc = u32::try_from(p).unwrap_or(1).min(16),
            "u" => {
                // Negative values are the upper half of UTF-16.
                self.unit(p as i16 as u16);
                self.skip = self.top().uc;
            }
            "bin" => {
                let n = usize::try_from(p).unwrap_or(0);
                self.i = self.i.saturating_add(n).min(self.b.len());
            }
            "par" | "line" | "sect" | "page" | "row" => self.push_str("\n"),
            "tab" | "cell" => self.push_str("\t"),
            "ldblquote" => self.push_str("\u{201c}"),
            "rdblquote" => self.push_str("\u{201d}"),
            "lquote" => self.push_str("\u{2018}"),
            "rquote" => self.push_str("\u{2019}"),
            "bullet" => self.push_str("\u{2022}"),
            "endash" => self.push_str("\u{2013}"),
            "emdash" => self.push_str("\u{2014}"),
            "emspace" | "enspace" | "qmspace" => self.push_str(" "),
            "yr" | "mo" | "dy" | "hr" | "min" | "sec" if matches!(dest, Dest::Date(..)) => {
                let i = ["yr", "mo", "dy", "hr", "min", "sec"]
                    .iter()
                    .position(|w| *w == word)
                    .unwrap_or(0);
                if let Some(slot) = self.top().date.get_mut(i) {
                    *slot = u32::try_from(p).unwrap_or(0);
                }
            }
            _ if dest == Dest::RsidTbl && word == "rsid" => self.top().rsids += 1,
            _ if dest == Dest::Info => {
                if let Some((key, tag)) = info_number(word) {
                    self.info.push(key, tag, p.to_string());
                }
            }
            _ => {}
        }
    }

    fn close_group(&mut self) {
        self.flush_pending();
        let cp = self.cp();
        let Some(mut g) = self.stack.pop() else {
            return;
        };
        self.flush_body();
        if !g.owner {
            return;
        }
        flush_bytes(&mut g, cp);
        flush_units(&mut g);
        match g.dest {
            Dest::Field(key, tag) => self.info.push(key, tag, g.out),
            Dest::Date(key, tag) if g.date != [0; 6] => {
                let [y, mo, d, h, mi, s] = g.date;
                let date = dates::from_parts(y as i32, mo, d, h, mi, s, None);
                let raw = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
                self.info.push_date(key, tag, raw, date);
            }
            Dest::Generator => self.info.push(
                key::CREATOR_TOOL,
                "\\*\\generator",
                g.out.trim_end().trim_end_matches(';'),
            ),
            Dest::RsidTbl => self
                .info
                .push(key::RSID_COUNT, "\\*\\rsidtbl", g.rsids.to_string()),
            Dest::PropName => self.prop_name = g.out,
            Dest::StaticVal if !self.prop_name.is_empty() => {
                let name = std::mem::take(&mut self.prop_name);
                self.info.push(&name, &name, g.out);
            }
            Dest::Body if self.stack.is_empty() => self.text.push(&g.out),
            _ => {}
        }
    }
}

fn flush_bytes(g: &mut Group, cp: u32) {
    if !g.bytes.is_empty() {
        g.out.push_str(&codepage::decode(&g.bytes, cp));
        g.bytes.clear();
    }
}

fn flush_units(g: &mut Group) {
    if !g.units.is_empty() {
        g.out.push_str(&String::from_utf16_lossy(&g.units));
        g.units.clear();
    }
}

/// Letters a control word may have (RFC: at most 32); a longer run is cut.
const MAX_WORD: usize = 32;
/// Digits a control word's parameter may have (after an optional `-`).
const MAX_DIGITS: usize = 10;

/// The RTF tokenizer's one rule for control words, shared with the Outlook
/// body reader: `\word` then an optional signed number, read from `at`
/// (just after the backslash, on a letter). Returns the word, its number
/// and where reading goes on (the one space that ends a word is consumed).
pub(crate) fn control_word(b: &[u8], at: usize) -> (&str, Option<i64>, usize) {
    let letters = b[at.min(b.len())..]
        .iter()
        .take(MAX_WORD)
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let mut i = at + letters;
    // ASCII letters only: always UTF-8.
    let word = std::str::from_utf8(&b[at.min(b.len())..i]).unwrap_or_default();
    let num_start = i;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let digits = b[i.min(b.len())..]
        .iter()
        .take(MAX_DIGITS)
        .take_while(|c| c.is_ascii_digit())
        .count();
    i += digits;
    let param = (digits > 0)
        .then(|| std::str::from_utf8(&b[num_start..i]).ok()?.parse().ok())
        .flatten();
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    (word, param, i)
}

/// The byte of a `\'hh` escape whose two hex digits start at `at`.
pub(crate) fn hex_byte(b: &[u8], at: usize) -> Option<u8> {
    let hex = std::str::from_utf8(b.get(at..at + 2)?).ok()?;
    u8::from_str_radix(hex, 16).ok()
}

/// Control words that start a destination this reader knows.
fn destination(word: &str) -> Option<Dest> {
    Some(match word {
        "info" => Dest::Info,
        "upr" => Dest::Upr,
        "ud" => Dest::Ud,
        "title" => Dest::Field(key::TITLE, "\\title"),
        "subject" => Dest::Field(key::SUBJECT, "\\subject"),
        "author" => Dest::Field(key::AUTHOR, "\\author"),
        "operator" => Dest::Field(key::LAST_MODIFIED_BY, "\\operator"),
        "keywords" => Dest::Field(key::KEYWORDS, "\\keywords"),
        "doccomm" => Dest::Field(key::DESCRIPTION, "\\doccomm"),
        "comment" => Dest::Field("\\comment", "\\comment"),
        "company" => Dest::Field(key::COMPANY, "\\company"),
        "manager" => Dest::Field(key::MANAGER, "\\manager"),
        "category" => Dest::Field("\\category", "\\category"),
        "copyright" => Dest::Field(key::COPYRIGHT, "\\copyright"),
        "hlinkbase" => Dest::Field("\\hlinkbase", "\\hlinkbase"),
        "creatim" => Dest::Date(key::CREATED, "\\creatim"),
        "revtim" => Dest::Date(key::MODIFIED, "\\revtim"),
        "printim" => Dest::Date(key::PRINTED, "\\printim"),
        "buptim" => Dest::Date("\\buptim", "\\buptim"),
        "generator" => Dest::Generator,
        "rsidtbl" => Dest::RsidTbl,
        "userprops" => Dest::UserProps,
        "propname" => Dest::PropName,
        "staticval" => Dest::StaticVal,
        // Tables, pictures, field instructions and binary data are not text.
        "fonttbl" => Dest::FontTbl,
        "colortbl" | "stylesheet" | "pict" | "revtbl" | "filetbl" | "fldinst" | "objdata"
        | "listtable" | "listoverridetable" | "xe" | "tc" | "txe" | "themedata"
        | "colorschememapping" | "latentstyles" | "datastore" | "xmlnstbl" | "bkmkstart"
        | "bkmkend" => Dest::Skip,
        _ => return None,
    })
}

/// The code page of a font charset other than ANSI/default (those follow `\ansicpg`).
fn charset_cp(charset: i64) -> Option<u32> {
    Some(match charset {
        77 => 10000,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    })
}

fn info_number(word: &str) -> Option<(&'static str, &'static str)> {
    Some(match word {
        "version" => (key::REVISION, "\\version"),
        "vern" => ("\\vern", "\\vern"),
        "edmins" => (key::TOTAL_TIME, "\\edmins"),
        "nofpages" => (key::PAGES, "\\nofpages"),
        "nofwords" => ("\\nofwords", "\\nofwords"),
        "nofchars" => ("\\nofchars", "\\nofchars"),
        "nofcharsws" => ("\\nofcharsws", "\\nofcharsws"),
        "id" => ("\\id", "\\id"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r"{\rtf1\ansi\ansicpg1250\deff0\deflang1029{\fonttbl{\f0 Times;}}{\*\generator Riched20 10.0;}
{\*\rsidtbl \rsid123\rsid456\rsid789}
{\info{\title P\'f8\'edli\'9a {\b tricky}}{\author an author \{x\}}{\operator Bob}{\*\company ACME\\}
{\creatim\yr2011\mo9\dy17\hr8\min42}{\revtim\yr2010\mo6\dy19\hr20}{\doccomm \uc0\u12473 \u12488 \uc2\u12489 ab(end)\
line}{\nofpages3}{\edmins12}}
{\*\userprops{{\propname Client}\proptype30{\staticval Mega}}}
{\*\unknown hidden}\pard Hello\tab world\par {\pict 0a0b0c}second \u8364?\bin3 {}} line}";

    #[test]
    fn control_words_and_their_numbers() {
        let b = br"ansicpg1252 uc-1\par x";
        assert_eq!(control_word(b, 0), ("ansicpg", Some(1252), 12));
        assert_eq!(control_word(b, 12), ("uc", Some(-1), 16));
        assert_eq!(control_word(b, 17), ("par", None, 21));
        // A word is cut at 32 letters and a number at 10 digits.
        let long = [b'a'; 40];
        assert_eq!(control_word(&long, 0).0.len(), 32);
        let (_, p, end) = control_word(b"u123456789012 ", 0);
        assert_eq!((p, end), (Some(1_234_567_890), 11));
        assert_eq!(control_word(b"u-", 0), ("u", None, 2));
        assert_eq!(control_word(b"", 0), ("", None, 0));
        assert_eq!(hex_byte(b"e9x", 0), Some(0xe9));
        assert_eq!(hex_byte(b"zz", 0), None);
        assert_eq!(hex_byte(b"e", 0), None);
    }

    #[test]
    fn reads_the_unicode_twin_of_upr() {
        let rtf = br"{\rtf1{\info{\upr{\title ???}{\*\ud{\title \u26085 ?\u26412 ?}}}{\author A}}}";
        let meta = read(rtf, &mut TextSink::new(100)).unwrap();
        let titles: Vec<_> = meta.stores[0]
            .fields
            .iter()
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(titles, ["日本", "A"]);
    }

    #[test]
    fn reads_info_and_text() {
        let mut text = TextSink::new(1000);
        let meta = read(SAMPLE.as_bytes(), &mut text).unwrap();
        assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
        let s = meta.store(store::RTF_INFO).unwrap();
        assert_eq!(s.get(key::TITLE), Some("Příliš tricky"));
        assert_eq!(s.get(key::AUTHOR), Some("an author {x}"));
        assert_eq!(s.get(key::LAST_MODIFIED_BY), Some("Bob"));
        assert_eq!(s.get(key::COMPANY), Some("ACME\\"));
        assert_eq!(s.get(key::CODE_PAGE), Some("1250"));
        assert_eq!(s.get(key::LANGUAGE), Some("1029"));
        assert_eq!(s.get(key::CREATOR_TOOL), Some("Riched20 10.0"));
        assert_eq!(s.get(key::RSID_COUNT), Some("3"));
        assert_eq!(s.get(key::DESCRIPTION), Some("ストド(end)\nline"));
        assert_eq!(s.get(key::PAGES), Some("3"));
        assert_eq!(s.get(key::TOTAL_TIME), Some("12"));
        assert_eq!(s.get("Client"), Some("Mega"));
        assert_eq!(
            s.field(key::CREATED).and_then(|f| f.date.as_deref()),
            Some("2011-09-17T08:42:00")
        );
        assert_eq!(
            s.field(key::MODIFIED).and_then(|f| f.date.as_deref()),
            Some("2010-06-19T20:00:00")
        );
        assert_eq!(meta.pages, Some(3));
        assert_eq!(text.into_string(), "Hello\tworld\nsecond € line");
    }

    #[test]
    fn font_charsets_choose_the_code_page() {
        let mut text = TextSink::new(100);
        let rtf = br"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0\fcharset0 Times;}{\f1\fcharset128 MS Mincho{\*\falt x};}}\f1 \'83\'5e{\f0 \'e9}\'83\'43}";
        read(rtf, &mut text).unwrap();
        assert_eq!(text.into_string(), "タéイ");
    }

    #[test]
    fn hostile_rtf() {
        let mut text = TextSink::new(100);
        assert!(read(b"hello", &mut text).is_err());
        let meta = read(br"{\rtf1{\info{\title cut", &mut text).unwrap();
        assert_eq!(
            meta.store(store::RTF_INFO).and_then(|s| s.get(key::TITLE)),
            Some("cut")
        );
        assert!(!meta.warnings.is_empty());
        let deep = format!("{{\\rtf1{}", "{".repeat(10_000));
        let meta = read(deep.as_bytes(), &mut text).unwrap();
        assert!(meta.warnings.iter().any(|w| w.contains("deeper")));
        for s in [
            &br"{\rtf1\'"[..],
            br"{\rtf1\'zz\u\uc-5\bin99999999999 x}",
            br"{\rtf1\u-99999999999999 }}}}",
        ] {
            read(s, &mut text).unwrap();
        }
    }

    #[test]
    fn corpus_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        let Ok(b) = std::fs::read(dir.join("exiftool/RTF.rtf")) else {
            return leakcheck_core::testing::skip("shared corpus exiftool/RTF.rtf not found");
        };
        let meta = read(&b, &mut TextSink::new(1 << 20)).unwrap();
        let s = meta.store(store::RTF_INFO).unwrap();
        assert_eq!(
            s.get(key::TITLE),
            Some("ExifTool RTF test (with spécîål çhars)")
        );
        assert_eq!(
            s.get(key::SUBJECT),
            Some("a \u{201c}subject\u{201d} in funny quotes")
        );
        assert_eq!(s.get("CustomNumber"), Some("123456"));
        if let Ok(b) = std::fs::read(dir.join("tika/testRTF-ms932.rtf")) {
            let meta = read(&b, &mut TextSink::new(1 << 20)).unwrap();
            assert_eq!(
                meta.store(store::RTF_INFO).and_then(|s| s.get(key::TITLE)),
                Some("タイトル")
            );
        }
    }
}
