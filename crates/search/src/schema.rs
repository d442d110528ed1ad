//! The index's fields and how their text is analysed.
//!
//! Body text goes to one of three fields by its language: French and
//! English are stemmed, everything else is only tokenised. All three fold
//! accents and case first, so "elysee" finds "Élysée" and the stemmer sees
//! the same letters at index and at query time. A query runs against every
//! field, each analysing the words its own way. Text read by OCR has a
//! field of its own, so that a query can ask for it alone (`ocr:`) or
//! leave it out (`body:`).

use tantivy::schema::{
    DateOptions, FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenizerManager,
};

/// Analyser names.
pub const FOLDED: &str = "folded";
const FRENCH: &str = "french";
const ENGLISH: &str = "english";

/// The language a text is indexed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Stemmed as French.
    French,
    /// Stemmed as English.
    English,
    /// Tokenised and folded only.
    Other,
}

impl Lang {
    /// Detects the language of `text` from its first few KB; short or
    /// mixed texts whose language is unsure are `Other`.
    pub fn detect(text: &str) -> Lang {
        let mut end = text.len().min(4096);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match whatlang::detect(&text[..end]) {
            Some(info) if info.is_reliable() => match info.lang() {
                whatlang::Lang::Fra => Lang::French,
                whatlang::Lang::Eng => Lang::English,
                _ => Lang::Other,
            },
            _ => Lang::Other,
        }
    }

    /// The language a code names (as [`Lang::code`] writes it).
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::French),
            "en" => Some(Lang::English),
            "other" => Some(Lang::Other),
            _ => None,
        }
    }

    /// Stable code, for the `lang` field.
    pub fn code(self) -> &'static str {
        match self {
            Lang::French => "fr",
            Lang::English => "en",
            Lang::Other => "other",
        }
    }
}

/// Every field of the index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Item id (sha256 hex), exact.
    pub id: Field,
    /// Item kind, exact.
    pub kind: Field,
    /// Where it was found.
    pub path: Field,
    /// Email subject or document title.
    pub subject: Field,
    /// Body text in French.
    pub body_fr: Field,
    /// Body text in English.
    pub body_en: Field,
    /// Body text in any other language.
    pub body_other: Field,
    /// Text OCR read in the item's pictures (folded, not stemmed: OCR
    /// text mixes languages and misreads, where a stemmer helps little).
    pub ocr: Field,
    /// Sender (address and name); for documents, their authors.
    pub from: Field,
    /// Recipients (To).
    pub to: Field,
    /// Copy recipients (Cc).
    pub cc: Field,
    /// Email Date, or a document's modification (else creation) date.
    pub date: Field,
    /// Size in bytes.
    pub size: Field,
    /// Verdict, exact.
    pub verdict: Field,
    /// Checks that flagged the item, exact.
    pub check: Field,
    /// Detected language code, exact.
    pub lang: Field,
    /// Tags people put on the item, exact.
    pub tag: Field,
    /// Facets: `/kind/…`, `/domain/…`, `/month/…`, `/verdict/…`, `/attachment/…`.
    pub facets: Field,
}

impl Fields {
    /// The schema and its fields.
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = |analyzer: &str, stored: bool| {
            let o = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            if stored { o.set_stored() } else { o }
        };
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED),
            kind: b.add_text_field("kind", STRING | STORED),
            path: b.add_text_field("path", text(FOLDED, true)),
            subject: b.add_text_field("subject", text(FOLDED, true)),
            body_fr: b.add_text_field("body_fr", text(FRENCH, false)),
            body_en: b.add_text_field("body_en", text(ENGLISH, false)),
            body_other: b.add_text_field("body_other", text(FOLDED, false)),
            ocr: b.add_text_field("ocr", text(FOLDED, false)),
            from: b.add_text_field("from", text(FOLDED, true)),
            to: b.add_text_field("to", text(FOLDED, false)),
            cc: b.add_text_field("cc", text(FOLDED, false)),
            date: b.add_date_field(
                "date",
                DateOptions::from(INDEXED | STORED | FAST)
                    .set_precision(tantivy::schema::DateTimePrecision::Seconds),
            ),
            size: b.add_u64_field("size", STORED | FAST),
            verdict: b.add_text_field("verdict", STRING | STORED),
            check: b.add_text_field("check", STRING),
            lang: b.add_text_field("lang", STRING | STORED),
            tag: b.add_text_field("tag", STRING | STORED),
            facets: b.add_facet_field("facets", FacetOptions::default()),
        };
        (b.build(), fields)
    }

    /// The body field for a language.
    pub fn body(&self, lang: Lang) -> Field {
        match lang {
            Lang::French => self.body_fr,
            Lang::English => self.body_en,
            Lang::Other => self.body_other,
        }
    }
}

/// Registers the analysers the schema names.
pub fn register(manager: &TokenizerManager) {
    let base = || {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
    };
    manager.register(FOLDED, base().build());
    manager.register(
        FRENCH,
        base().filter(Stemmer::new(Language::French)).build(),
    );
    manager.register(
        ENGLISH,
        base().filter(Stemmer::new(Language::English)).build(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(analyzer: &str, text: &str) -> Vec<String> {
        let manager = TokenizerManager::default();
        register(&manager);
        let mut a = manager.get(analyzer).unwrap();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn accents_fold_before_stemming() {
        assert_eq!(tokens(FRENCH, "Élysée"), tokens(FRENCH, "elysee"));
        assert_eq!(tokens(FRENCH, "réunions"), tokens(FRENCH, "reunion"));
        assert_eq!(tokens(ENGLISH, "Meetings"), tokens(ENGLISH, "meeting"));
        assert_eq!(tokens(FOLDED, "Ça coûte"), ["ca", "coute"]);
    }

    #[test]
    fn languages_are_detected_when_sure() {
        let fr = "Bonjour à tous, la réunion de lancement aura lieu lundi prochain à neuf heures dans la grande salle.";
        let en = "Hello everyone, the kickoff meeting will take place next Monday at nine in the large room.";
        assert_eq!(Lang::detect(fr), Lang::French);
        assert_eq!(Lang::detect(en), Lang::English);
        assert_eq!(Lang::detect("ok"), Lang::Other);
    }
}
