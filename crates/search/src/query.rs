//! The query language, parsed here into tantivy queries.
//!
//! Ours rather than tantivy's `QueryParser`: a word must run through the
//! analyser of each body language at once, dates are written
//! `date:2017-04-01..2017-04-24`, fuzzy and prefix words work in any field,
//! and a malformed query must still give a best-effort result with a note
//! saying what was ignored (tantivy's parser either fails or guesses
//! silently, and its `a AND b AND NOT c` has returned nothing here).
//!
//! Grammar: `or := and (OR and)*`, `and := unary+` (`AND` optional: words
//! are ANDed), `unary := (NOT|-) unary | + unary | '(' or ')' | clause`,
//! `clause := [field:] (word | word* | word~[N] | "phrase")`, dates
//! `date:A..B`, `date:A..`, `date:..B`, `date:A` (A, B: `YYYY`, `YYYY-MM`,
//! `YYYY-MM-DD`; B's whole period is included).
//!
//! A query is untrusted input (a workbench viewer types it): the parser
//! bounds its own work. A query longer than [`MAX_QUERY_CHARS`], nested
//! deeper than [`MAX_DEPTH`], with more than [`MAX_CLAUSES`] words and
//! phrases, or more than [`MAX_EXPANDING`] fuzzy and prefix words (each at
//! most [`MAX_EXPANDING_CHARS`] long) is refused whole with a [`Refused`]
//! that says which limit, rather than cut silently: a result for half a
//! query would look like an answer. The parser never recurses deeper than
//! [`MAX_DEPTH`], so no query can overflow the stack.

use std::ops::Bound;

use chrono::{Datelike, NaiveDate};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DateTime, Index, Term};

use crate::schema::Fields;

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 4_000;
/// Deepest nesting of parentheses, `NOT`, `-` and `+`.
pub const MAX_DEPTH: usize = 16;
/// Most words and phrases in one query.
pub const MAX_CLAUSES: usize = 256;
/// Most fuzzy (`word~`) and prefix (`word*`) words in one query: each is
/// expanded against the index's term dictionary, once per field searched,
/// and a fuzzy word builds an automaton whose size grows with its length.
pub const MAX_EXPANDING: usize = 8;
/// Longest fuzzy or prefix word, in characters.
pub const MAX_EXPANDING_CHARS: usize = 24;

/// A query the engine will not run, and which limit it passed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("query refused: {0}")]
pub struct Refused(pub String);

/// A parsed query and what was not understood in it.
pub struct Parsed {
    /// The query to run.
    pub query: Box<dyn Query>,
    /// Each part that was ignored or repaired, and why.
    pub notes: Vec<String>,
}

/// Fields a user can name, and the index fields each searches.
pub const FIELD_NAMES: [&str; 17] = [
    "from",
    "to",
    "cc",
    "subject",
    "title",
    "author",
    "body",
    "ocr",
    "path",
    "kind",
    "verdict",
    "check",
    "lang",
    "date",
    "tag",
    "domain",
    "attachment",
];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Must,
    Word(String),
    Phrase(Option<String>, String),
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Word(Option<String>, String),
    Phrase(Option<String>, String),
}

fn lex(q: &str, notes: &mut Vec<String>) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            out.push(Tok::Close);
            i += 1;
        } else if (c == '-' || c == '+') && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            out.push(if c == '-' { Tok::Not } else { Tok::Must });
            i += 1;
        } else {
            // A word, possibly `field:` followed by a quoted phrase.
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !"()\"".contains(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if chars.get(i) == Some(&'"') && (word.is_empty() || word.ends_with(':')) {
                let end = chars[i + 1..].iter().position(|&c| c == '"');
                let text: String = match end {
                    Some(e) => chars[i + 1..i + 1 + e].iter().collect(),
                    None => {
                        notes.push("a quote was not closed: closed at the end".into());
                        chars[i + 1..].iter().collect()
                    }
                };
                i += end.map_or(chars.len() - i, |e| e + 2);
                let field = word.strip_suffix(':').map(str::to_lowercase);
                out.push(Tok::Phrase(field, text));
                continue;
            }
            match word.as_str() {
                "AND" | "&&" => out.push(Tok::And),
                "OR" | "||" => out.push(Tok::Or),
                "NOT" => out.push(Tok::Not),
                "" => i += 1, // a lone quote inside a word: skip it
                _ => out.push(Tok::Word(word)),
            }
        }
    }
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Current nesting of parentheses and unary operators.
    depth: usize,
    /// Words and phrases read so far.
    clauses: usize,
    /// The first limit passed; parsing stops there.
    refused: Option<Refused>,
}

impl Parser {
    fn new(toks: Vec<Tok>) -> Parser {
        Parser {
            toks,
            pos: 0,
            depth: 0,
            clauses: 0,
            refused: None,
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    /// Records a refusal and moves to the end, so every loop stops.
    fn refuse(&mut self, why: String) -> Option<Node> {
        self.refused.get_or_insert(Refused(why));
        self.pos = self.toks.len();
        None
    }

    fn or(&mut self, notes: &mut Vec<String>) -> Option<Node> {
        let mut parts = Vec::new();
        parts.extend(self.and(notes));
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            match self.and(notes) {
                Some(n) => parts.push(n),
                None => notes.push("OR with nothing after it: ignored".into()),
            }
        }
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::Or(parts)),
        }
    }

    fn and(&mut self, notes: &mut Vec<String>) -> Option<Node> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Or) | Some(Tok::Close) => break,
                Some(Tok::And) => {
                    self.pos += 1;
                }
                _ => match self.unary(notes) {
                    Some(n) => parts.push(n),
                    None => break,
                },
            }
        }
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Node::And(parts)),
        }
    }

    fn unary(&mut self, notes: &mut Vec<String>) -> Option<Node> {
        let tok = self.peek()?.clone();
        self.pos += 1;
        if matches!(tok, Tok::Not | Tok::Must | Tok::Open) {
            if self.depth >= MAX_DEPTH {
                return self.refuse(format!(
                    "nested deeper than {MAX_DEPTH} levels of parentheses, NOT, - or +"
                ));
            }
            self.depth += 1;
            let node = self.nested(tok, notes);
            self.depth -= 1;
            return node;
        }
        if matches!(tok, Tok::Word(_) | Tok::Phrase(..)) {
            self.clauses += 1;
            if self.clauses > MAX_CLAUSES {
                return self.refuse(format!("more than {MAX_CLAUSES} words and phrases"));
            }
        }
        match tok {
            Tok::Word(w) => Some(match w.split_once(':') {
                Some((f, v)) if !f.is_empty() && !v.is_empty() => {
                    Node::Word(Some(f.to_lowercase()), v.to_string())
                }
                _ => Node::Word(None, w),
            }),
            Tok::Phrase(f, p) => Some(Node::Phrase(f, p)),
            _ => None,
        }
    }

    /// What follows `NOT`, `-`, `+` or `(`, one level deeper.
    fn nested(&mut self, tok: Tok, notes: &mut Vec<String>) -> Option<Node> {
        match tok {
            Tok::Not => match self.unary(notes) {
                Some(n) => Some(Node::Not(Box::new(n))),
                None if self.refused.is_some() => None,
                None => {
                    notes.push("NOT (or -) with nothing after it: ignored".into());
                    None
                }
            },
            Tok::Must => self.unary(notes),
            _ => {
                let inner = self.or(notes);
                if self.peek() == Some(&Tok::Close) {
                    self.pos += 1;
                } else if self.refused.is_none() {
                    notes.push("a parenthesis was not closed: closed at the end".into());
                }
                inner
            }
        }
    }
}

/// Parses `q`. What cannot be understood is left out and named in the
/// notes; only a query beyond the limits above is refused. An empty query
/// matches everything.
pub fn parse(q: &str, index: &Index, fields: &Fields) -> Result<Parsed, Refused> {
    let (node, mut notes) = tree(q)?;
    let mut b = Builder {
        index,
        fields,
        notes: &mut notes,
        expanding: 0,
        refused: None,
    };
    let query = match node {
        None => Box::new(AllQuery) as Box<dyn Query>,
        Some(n) => b.node(n),
    };
    if let Some(r) = b.refused {
        return Err(r);
    }
    Ok(Parsed { query, notes })
}

/// The query as a tree, and the notes on what was repaired.
fn tree(q: &str) -> Result<(Option<Node>, Vec<String>), Refused> {
    let chars = q.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Refused(format!(
            "{chars} characters, more than {MAX_QUERY_CHARS}"
        )));
    }
    let mut notes = Vec::new();
    let toks = lex(q, &mut notes);
    let mut parser = Parser::new(toks);
    let mut parts = Vec::new();
    while parser.pos < parser.toks.len() {
        match parser.or(&mut notes) {
            Some(n) => parts.push(n),
            None => {
                if parser.peek() == Some(&Tok::Close) {
                    notes.push("a closing parenthesis without an opening one: ignored".into());
                }
                parser.pos += 1;
            }
        }
    }
    if let Some(r) = parser.refused {
        return Err(r);
    }
    let node = match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Node::And(parts)),
    };
    Ok((node, notes))
}

struct Builder<'a> {
    index: &'a Index,
    fields: &'a Fields,
    notes: &'a mut Vec<String>,
    /// Fuzzy and prefix words so far.
    expanding: usize,
    /// The first limit passed.
    refused: Option<Refused>,
}

impl Builder<'_> {
    /// Counts a fuzzy or prefix word against the limits; false (and the
    /// refusal recorded) when it passes one.
    fn expand(&mut self, word: &str) -> bool {
        self.expanding += 1;
        let why = if self.expanding > MAX_EXPANDING {
            format!("more than {MAX_EXPANDING} fuzzy (~) and prefix (*) words")
        } else if word.chars().count() > MAX_EXPANDING_CHARS {
            format!(
                "a fuzzy or prefix word longer than {MAX_EXPANDING_CHARS} characters ({})",
                word.chars().take(MAX_EXPANDING_CHARS).collect::<String>() + "…"
            )
        } else {
            return true;
        };
        self.refused.get_or_insert(Refused(why));
        false
    }

    fn node(&mut self, node: Node) -> Box<dyn Query> {
        match node {
            Node::And(parts) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for p in parts {
                    match p {
                        Node::Not(inner) => clauses.push((Occur::MustNot, self.node(*inner))),
                        other => clauses.push((Occur::Must, self.node(other))),
                    }
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Node::Or(parts) => Box::new(BooleanQuery::new(
                parts
                    .into_iter()
                    .map(|p| (Occur::Should, self.node(p)))
                    .collect(),
            )),
            Node::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.node(*inner)),
            ])),
            Node::Word(field, w) => self.clause(field, &w, false),
            Node::Phrase(field, p) => self.clause(field, &p, true),
        }
    }

    /// The index fields a user's field name searches (`None`: the default set).
    fn targets(&self, field: Option<&str>) -> Option<Vec<Field>> {
        let f = self.fields;
        let bodies = [f.body_fr, f.body_en, f.body_other];
        Some(match field {
            None => [f.subject, f.from, f.to, f.cc, f.path, f.ocr]
                .into_iter()
                .chain(bodies)
                .collect(),
            Some("from" | "author") => vec![f.from],
            Some("to") => vec![f.to],
            Some("cc") => vec![f.cc],
            Some("subject" | "title") => vec![f.subject],
            Some("body") => bodies.to_vec(),
            Some("ocr") => vec![f.ocr],
            Some("path") => vec![f.path],
            _ => return None,
        })
    }

    fn clause(&mut self, field: Option<String>, text: &str, phrase: bool) -> Box<dyn Query> {
        let exact = |f: Field| (f, true);
        let raw = match field.as_deref() {
            Some("kind") => Some(exact(self.fields.kind)),
            Some("verdict") => Some(exact(self.fields.verdict)),
            Some("check") => Some(exact(self.fields.check)),
            Some("lang") => Some(exact(self.fields.lang)),
            Some("tag") => Some(exact(self.fields.tag)),
            Some("id") => Some((self.fields.id, false)),
            _ => None,
        };
        if let Some((f, whole)) = raw {
            let value = text.trim_end_matches('*').to_lowercase();
            let term = Term::from_field_text(f, &value);
            return if whole && !text.ends_with('*') {
                Box::new(TermQuery::new(term, IndexRecordOption::Basic))
            } else if self.expand(&value) {
                Box::new(FuzzyTermQuery::new_prefix(term, 0, false))
            } else {
                Box::new(EmptyQuery)
            };
        }
        if field.as_deref() == Some("date") {
            return self.date(text);
        }
        // The sender's domain and having attachments are facets: a query
        // names the facet value the result page showed.
        if let Some(dim @ ("domain" | "attachment")) = field.as_deref() {
            let value = text.trim().to_lowercase();
            let facet = Facet::from_path([dim, value.as_str()]);
            return Box::new(TermQuery::new(
                Term::from_facet(self.fields.facets, &facet),
                IndexRecordOption::Basic,
            ));
        }
        let targets = match self.targets(field.as_deref()) {
            Some(t) => t,
            None => {
                let name = field.unwrap_or_default();
                self.notes.push(format!(
                    "unknown field {name:?} (known: {}): searched as text",
                    FIELD_NAMES.join(", ")
                ));
                return self.clause(None, &format!("{name} {text}"), true);
            }
        };
        // `word*` is a prefix, `word~` / `word~2` fuzzy (edit distance 1 or 2).
        let (word, prefix, fuzzy) = if phrase {
            (text, false, 0)
        } else if let Some(w) = text.strip_suffix('*') {
            (w, true, 0)
        } else if let Some((w, d)) = text.rsplit_once('~') {
            (w, false, d.parse::<u8>().unwrap_or(1).clamp(1, 2))
        } else {
            (text, false, 0)
        };
        if (prefix || fuzzy > 0) && !self.expand(word) {
            return Box::new(EmptyQuery);
        }
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for f in targets {
            // Prefixes and fuzzy words are matched as typed (folded, not
            // stemmed): a stemmer would cut or change the letters they count on.
            let analyzer_field = if prefix || fuzzy > 0 {
                self.fields.subject
            } else {
                f
            };
            let tokens = self.tokens(analyzer_field, word);
            let terms: Vec<Term> = tokens.iter().map(|t| Term::from_field_text(f, t)).collect();
            let q: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 if prefix => Box::new(FuzzyTermQuery::new_prefix(terms[0].clone(), 0, false)),
                1 if fuzzy > 0 => Box::new(FuzzyTermQuery::new(terms[0].clone(), fuzzy, true)),
                1 => Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new(terms)),
            };
            per_field.push((Occur::Should, q));
        }
        if per_field.is_empty() {
            self.notes
                .push(format!("{text:?} has nothing to search for: ignored"));
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(per_field))
    }

    fn tokens(&self, field: Field, text: &str) -> Vec<String> {
        let Ok(mut analyzer) = self.index.tokenizer_for_field(field) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    fn date(&mut self, text: &str) -> Box<dyn Query> {
        let Some((from, to)) = date_range(text) else {
            self.notes.push(format!(
                "date:{text} is not a date range (write date:2017-04-01..2017-04-24, date:2017-04, date:..2017-04-24): ignored"
            ));
            return Box::new(AllQuery);
        };
        let term = |d: NaiveDate| {
            let secs = d
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp();
            Term::from_field_date_for_search(self.fields.date, DateTime::from_timestamp_secs(secs))
        };
        Box::new(RangeQuery::new(
            from.map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
            to.map_or(Bound::Unbounded, |d| Bound::Excluded(term(d))),
        ))
    }
}

/// A period written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: its first day and
/// the day after its last.
fn period(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u32>().ok());
    // Four-digit years only: beyond them the index has no dates (and its
    // nanosecond clock would overflow).
    let y = parts
        .first()
        .filter(|y| y.len() == 4)?
        .parse::<i32>()
        .ok()?;
    match parts.len() {
        1 => Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
        )),
        2 => {
            let start = NaiveDate::from_ymd_opt(y, num(1)?, 1)?;
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(y, start.month() + 1, 1)?
            };
            Some((start, next))
        }
        3 => {
            let d = NaiveDate::from_ymd_opt(y, num(1)?, num(2)?)?;
            Some((d, d.succ_opt()?))
        }
        _ => None,
    }
}

/// `A..B`, `A..`, `..B` or `A`: the first day included and the day after
/// the last, either open.
fn date_range(s: &str) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    match s.split_once("..") {
        Some((a, b)) => {
            let from = if a.is_empty() {
                None
            } else {
                Some(period(a)?.0)
            };
            let to = if b.is_empty() {
                None
            } else {
                Some(period(b)?.1)
            };
            (from.is_some() || to.is_some()).then_some((from, to))
        }
        None => period(s).map(|(a, b)| (Some(a), Some(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(q: &str) -> (Option<Node>, Vec<String>) {
        let mut notes = Vec::new();
        let toks = lex(q, &mut notes);
        let mut p = Parser::new(toks);
        (p.or(&mut notes), notes)
    }

    fn w(f: Option<&str>, s: &str) -> Node {
        Node::Word(f.map(String::from), s.into())
    }

    #[test]
    fn operators_fields_and_phrases() {
        assert_eq!(
            nodes(r#"from:macron "offshore account" -cancelled"#)
                .0
                .unwrap(),
            Node::And(vec![
                w(Some("from"), "macron"),
                Node::Phrase(None, "offshore account".into()),
                Node::Not(Box::new(w(None, "cancelled"))),
            ])
        );
        assert_eq!(
            nodes("a AND b OR NOT c").0.unwrap(),
            Node::Or(vec![
                Node::And(vec![w(None, "a"), w(None, "b")]),
                Node::Not(Box::new(w(None, "c"))),
            ])
        );
        assert_eq!(
            nodes(r#"(budget OR devis) subject:"plan de campagne""#)
                .0
                .unwrap(),
            Node::And(vec![
                Node::Or(vec![w(None, "budget"), w(None, "devis")]),
                Node::Phrase(Some("subject".into()), "plan de campagne".into()),
            ])
        );
    }

    #[test]
    fn broken_queries_are_repaired_and_said_so() {
        let (n, notes) = nodes(r#"(budget "open phrase"#);
        assert_eq!(
            n.unwrap(),
            Node::And(vec![
                w(None, "budget"),
                Node::Phrase(None, "open phrase".into())
            ])
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        let (n, notes) = nodes("budget AND");
        assert_eq!(n.unwrap(), w(None, "budget"));
        assert!(notes.is_empty());
        let (n, notes) = nodes("NOT");
        assert!(n.is_none());
        assert_eq!(notes.len(), 1);
    }

    /// An index in memory with a few documents, to run parsed queries on.
    fn small_index() -> (Index, Fields) {
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_ram(schema);
        crate::schema::register(index.tokenizers());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, text) in [
            "budget de la campagne",
            "offshore account",
            "réunion à l'Élysée",
        ]
        .iter()
        .enumerate()
        {
            let mut d = tantivy::TantivyDocument::default();
            d.add_text(fields.id, format!("{i}"));
            d.add_text(fields.subject, *text);
            d.add_text(fields.body_fr, *text);
            d.add_text(fields.body_other, *text);
            w.add_document(d).unwrap();
        }
        w.commit().unwrap();
        (index, fields)
    }

    fn refused(q: &str) -> String {
        let (index, fields) = small_index();
        match parse(q, &index, &fields) {
            Err(Refused(why)) => why,
            Ok(_) => panic!("{q:.80} was accepted"),
        }
    }

    #[test]
    fn every_limit_refuses_with_its_reason() {
        // The probe's stack overflows: 300 `-` and 9,000 parentheses.
        assert!(refused(&format!("{}budget", "-".repeat(300))).contains("nested deeper"));
        assert!(refused(&format!("{}budget", "(".repeat(9_000))).contains("more than 4000"));
        assert!(refused(&format!("{}budget{}", "(".repeat(17), ")".repeat(17))).contains("nested"));
        assert!(refused(&"NOT ".repeat(17)).contains("nested"));
        assert!(refused(&"+".repeat(40)).contains("nested"));
        // The probe's memory: 300 fuzzy words of edit distance 2.
        assert!(refused(&"campagne~2 ".repeat(300)).contains("more than 256"));
        assert!(refused(&"campagne~2 ".repeat(9)).contains("fuzzy"));
        assert!(refused(&"a* ".repeat(9)).contains("more than 8"));
        assert!(
            refused("kind:a* kind:b* kind:c* kind:d* kind:e* kind:f* kind:g* kind:h* kind:i*")
                .contains("more than 8")
        );
        assert!(refused(&format!("{}~2", "x".repeat(25))).contains("longer than 24"));
        assert!(refused(&"w ".repeat(257)).contains("more than 256"));
        // Just under every limit is fine.
        let (index, fields) = small_index();
        for q in [
            format!("{}budget{}", "(".repeat(16), ")".repeat(16)),
            format!("{}budget", "-".repeat(16)),
            "campagne~2 ".repeat(8),
            format!("{}~2", "x".repeat(24)),
            "w ".repeat(256),
            "é".repeat(MAX_QUERY_CHARS),
        ] {
            assert!(parse(&q, &index, &fields).is_ok(), "{q:.60}");
        }
    }

    /// Random queries of every shape: nested, long, unicode, broken. None
    /// may panic, overflow the stack or take long, parsed or run; those
    /// within the limits parse. Seeded (LEAKCHECK_QUERY_SEED to replay).
    #[test]
    fn random_queries_never_panic_and_stay_quick() {
        let seed = std::env::var("LEAKCHECK_QUERY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x1eac_c4ec);
        // A tokio worker's stack: what the server runs queries on.
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || random_queries(seed))
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("seed {seed}: a query panicked"));
    }

    fn random_queries(seed: u64) {
        const PIECES: [&str; 34] = [
            "(",
            ")",
            "-",
            "+",
            "NOT ",
            "AND ",
            "OR ",
            "&&",
            "||",
            "\"",
            " ",
            " ",
            "budget",
            "campagne",
            "off*",
            "réu~",
            "acount~2",
            "x~9",
            "from:",
            "subject:",
            "date:",
            "2017-04..2017-05",
            "..",
            "kind:email",
            "tag:",
            "nosuchfield:",
            "é",
            "\u{202e}",
            "\u{0}",
            "𝔘𝔫𝔦",
            "中文",
            "~",
            "*",
            ":",
        ];
        let (index, fields) = small_index();
        let searcher = index.reader().unwrap().searcher();
        let mut rng = fastrand::Rng::with_seed(seed);
        let started = std::time::Instant::now();
        let mut accepted = 0;
        for round in 0..1_500 {
            let pieces = match round % 10 {
                0 => rng.usize(0..3_000),
                1..=3 => rng.usize(0..200),
                _ => rng.usize(0..30),
            };
            let mut q = String::new();
            for _ in 0..pieces {
                if rng.u8(..) < 8 {
                    q.push(rng.char(..));
                } else {
                    q.push_str(PIECES[rng.usize(..PIECES.len())]);
                }
            }
            let one = std::time::Instant::now();
            if let Ok(p) = parse(&q, &index, &fields) {
                accepted += 1;
                searcher
                    .search(&*p.query, &tantivy::collector::Count)
                    .unwrap_or_else(|e| panic!("seed {seed} round {round}: {e}: {q:.200}"));
            }
            assert!(
                one.elapsed() < std::time::Duration::from_secs(2),
                "seed {seed} round {round}: {:?} for {q:.200}",
                one.elapsed()
            );
        }
        assert!(
            accepted > 500,
            "only {accepted} of 1,500 random queries parsed"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(120));
    }

    #[test]
    fn date_ranges() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            date_range("2017-04..2017-04-24"),
            Some((Some(d("2017-04-01")), Some(d("2017-04-25"))))
        );
        assert_eq!(
            date_range("2017-12"),
            Some((Some(d("2017-12-01")), Some(d("2018-01-01"))))
        );
        assert_eq!(date_range("..2017"), Some((None, Some(d("2018-01-01")))));
        assert_eq!(date_range("2017-02-30"), None);
        assert_eq!(date_range(".."), None);
        assert_eq!(date_range("soon"), None);
        assert_eq!(date_range("99999"), None);
    }
}
