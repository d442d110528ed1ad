//! A deterministic corpus of French and English emails, and the query sets
//! run against it.
//!
//! Email `n` is a pure function of `(seed, n)`: each engine regenerates the
//! texts as it indexes them, so a million emails (1.5 GB of text) never sit
//! in memory, and both engines see exactly the same bytes.

use chrono::{Datelike, NaiveDate};

use crate::words::*;

/// SplitMix64: tiny, fast, and good enough to draw words from.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A stream for one item: its number is mixed into the seed, so
    /// neighbouring items get unrelated streams.
    pub fn for_item(seed: u64, n: u64) -> Rng {
        let mut r = Rng(seed ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Zipf–Mandelbrot weights over ranks: rank `r` (from 0) weighs
/// `1 / (r + 1 + q)`. The offset `q` flattens the head, as in real text,
/// where "the" is about 5% of words rather than the 13% pure Zipf gives.
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, q: f64) -> Zipf {
        let mut sum = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                sum += 1.0 / (r as f64 + 1.0 + q);
                sum
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit() * self.cumulative[self.cumulative.len() - 1];
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1)
    }
}

/// The two languages of the corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    French,
    English,
}

/// One person: display name and address.
pub struct Person {
    pub first: &'static str,
    pub name: String,
    pub address: String,
    pub domain: &'static str,
}

/// What one language brings: its words, expressions, people and the
/// samplers over them.
struct Tongue {
    words: Vec<&'static str>,
    expressions: &'static [&'static str],
    greetings: &'static [&'static str],
    closings: &'static [&'static str],
    forward: &'static str,
    /// Indexes into `Corpus::people`.
    people: Vec<usize>,
    word_rank: Zipf,
    /// Subjects skip the first ranks (function words) and draw from the rest.
    subject_rank: Zipf,
    expression_rank: Zipf,
    person_rank: Zipf,
}

/// Ranks of the first words subjects skip.
const SUBJECT_SKIP: usize = 60;
/// Frequency bands for query words, by rank: common, medium, rare.
pub const BANDS: [(&str, usize, usize); 3] = [
    ("common", 0, 100),
    ("medium", 100, 600),
    ("rare", 600, usize::MAX),
];
/// Emails are dated uniformly over 2015–2018.
const FIRST_YEAR: i32 = 2015;
const YEARS: i32 = 4;

/// One generated email.
pub struct Email {
    pub subject: String,
    pub from: usize,
    pub to: Vec<usize>,
    pub date: i64,
    pub body: String,
    pub attachments: u32,
}

/// The generator: people and vocabularies, built once.
pub struct Corpus {
    seed: u64,
    pub people: Vec<Person>,
    french: Tongue,
    english: Tongue,
    start: i64,
    span: i64,
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl Corpus {
    pub fn new(seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let domain_rank = Zipf::new(DOMAINS.len(), 1.0);
        let mut people = Vec::new();
        let mut make = |firsts: &[&'static str], lasts: &[&'static str]| {
            let mut ids = Vec::new();
            for first in firsts {
                for last in lasts {
                    let domain = DOMAINS[domain_rank.sample(&mut rng)];
                    ids.push(people.len());
                    people.push(Person {
                        first,
                        name: format!("{first} {last}"),
                        address: format!("{}.{}@{domain}", ascii_fold(first), ascii_fold(last)),
                        domain,
                    });
                }
            }
            // Who writes most is arbitrary, not alphabetical.
            for i in (1..ids.len()).rev() {
                ids.swap(i, rng.below(i + 1));
            }
            ids
        };
        let fr_people = make(FRENCH_FIRST, FRENCH_LAST);
        let en_people = make(ENGLISH_FIRST, ENGLISH_LAST);
        let tongue = |words: &'static str,
                      expressions: &'static [&'static str],
                      greetings,
                      closings,
                      forward,
                      people: Vec<usize>| {
            let words: Vec<&str> = words.split_whitespace().collect();
            Tongue {
                word_rank: Zipf::new(words.len(), 2.7),
                subject_rank: Zipf::new(words.len() - SUBJECT_SKIP, 2.7),
                expression_rank: Zipf::new(expressions.len(), 1.0),
                person_rank: Zipf::new(people.len(), 10.0),
                words,
                expressions,
                greetings,
                closings,
                forward,
                people,
            }
        };
        let start = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(FIRST_YEAR + YEARS, 1, 1).unwrap();
        let secs = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        Corpus {
            seed,
            french: tongue(
                FRENCH,
                FRENCH_EXPRESSIONS,
                FRENCH_GREETINGS,
                FRENCH_CLOSINGS,
                "TR: ",
                fr_people,
            ),
            english: tongue(
                ENGLISH,
                ENGLISH_EXPRESSIONS,
                ENGLISH_GREETINGS,
                ENGLISH_CLOSINGS,
                "Fwd: ",
                en_people,
            ),
            people,
            start: secs(start),
            span: secs(end) - secs(start),
        }
    }

    fn tongue(&self, lang: Lang) -> &Tongue {
        match lang {
            Lang::French => &self.french,
            Lang::English => &self.english,
        }
    }

    /// Email number `n`; even numbers are French, odd ones English.
    pub fn email(&self, n: u64) -> Email {
        let mut rng = Rng::for_item(self.seed, n);
        let lang = if n.is_multiple_of(2) {
            Lang::French
        } else {
            Lang::English
        };
        let t = self.tongue(lang);
        let person = |rng: &mut Rng| t.people[t.person_rank.sample(rng)];
        let from = person(&mut rng);
        let count = rng.between(1, 3);
        let mut to = Vec::with_capacity(count);
        while to.len() < count {
            let p = person(&mut rng);
            if p != from && !to.contains(&p) {
                to.push(p);
            }
        }

        let mut subject = String::new();
        if rng.chance(0.3) {
            subject.push_str("Re: ");
        } else if rng.chance(0.1) {
            subject.push_str(t.forward);
        }
        for i in 0..rng.between(4, 8) {
            let w = t.words[SUBJECT_SKIP + t.subject_rank.sample(&mut rng)];
            if i == 0 {
                capitalise(w, &mut subject);
            } else {
                subject.push(' ');
                subject.push_str(w);
            }
        }

        let mut body = String::with_capacity(2400);
        body.push_str(
            &rng.pick(t.greetings)
                .replace("{}", self.people[to[0]].first),
        );
        body.push_str("\n\n");
        let target = rng.between(100, 400);
        let mut written = 0;
        let mut in_paragraph = 0;
        while written < target {
            written += self.sentence(t, &mut rng, &mut body);
            in_paragraph += 1;
            if in_paragraph >= 2 && rng.chance(0.3) {
                body.push_str("\n\n");
                in_paragraph = 0;
            } else {
                body.push(' ');
            }
        }
        body.push_str("\n\n");
        body.push_str(rng.pick(t.closings));
        body.push('\n');
        body.push_str(&self.people[from].name);

        let date = self.start + (rng.unit() * self.span as f64) as i64;
        let attachments = if rng.chance(0.2) {
            rng.between(1, 3) as u32
        } else {
            0
        };
        Email {
            subject,
            from,
            to,
            date,
            body,
            attachments,
        }
    }

    /// Appends one sentence (5–16 words, sometimes a fixed expression or a
    /// figure among them); returns how many words it wrote.
    fn sentence(&self, t: &Tongue, rng: &mut Rng, out: &mut String) -> usize {
        let len = rng.between(5, 16);
        let expression_at = rng.chance(0.2).then(|| rng.below(len));
        let mut words = 0;
        for i in 0..len {
            let piece = if expression_at == Some(i) {
                t.expressions[t.expression_rank.sample(rng)]
            } else {
                t.words[t.word_rank.sample(rng)]
            };
            if i == 0 {
                capitalise(piece, out);
            } else {
                out.push(' ');
                out.push_str(piece);
            }
            words += piece.split(' ').count();
            if i + 1 < len && rng.chance(0.05) {
                // A figure: amounts, references, phone extensions.
                out.push_str(&format!(" {}", rng.between(2, 99_999)));
                words += 1;
            }
            if i + 1 < len && rng.chance(0.06) {
                out.push(',');
            }
        }
        out.push(match rng.below(20) {
            0 | 1 => '?',
            2 => '!',
            _ => '.',
        });
        words
    }

    /// `n` queries of one class, drawn with their own seed (warm-up sets
    /// use another seed, so they do not pre-load the measured queries).
    pub fn queries(&self, class: Class, n: usize, seed: u64) -> Vec<Query> {
        let mut rng = Rng::for_item(self.seed ^ seed, class as u64);
        (0..n)
            .map(|i| {
                let lang = if rng.chance(0.5) {
                    Lang::French
                } else {
                    Lang::English
                };
                let t = self.tongue(lang);
                let band = BANDS[i % BANDS.len()];
                match class {
                    Class::Term => Query::Term {
                        band: band.0,
                        word: self.word_in(t, band, &mut rng),
                    },
                    Class::Phrase => Query::Phrase(rng.pick(t.expressions).to_string()),
                    Class::Boolean => {
                        // Two words that co-occur often enough to intersect
                        // (a common-to-medium one and a medium one), minus a third.
                        let a = self.word_in(t, ("", 0, 300), &mut rng);
                        let mut b = self.word_in(t, ("", 100, 1000), &mut rng);
                        while b == a {
                            b = self.word_in(t, ("", 100, 1000), &mut rng);
                        }
                        let mut c = self.word_in(t, ("", 0, usize::MAX), &mut rng);
                        while c == a || c == b {
                            c = self.word_in(t, ("", 0, usize::MAX), &mut rng);
                        }
                        Query::Boolean { a, b, not: c }
                    }
                    Class::Date => {
                        let month = rng.below(YEARS as usize * 12);
                        let months = rng.between(1, 3);
                        let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1)
                            .unwrap()
                            .checked_add_months(chrono::Months::new(month as u32))
                            .unwrap();
                        Query::Date {
                            band: band.0,
                            word: self.word_in(t, band, &mut rng),
                            first,
                            months: months as u32,
                        }
                    }
                }
            })
            .collect()
    }

    fn word_in(&self, t: &Tongue, band: (&str, usize, usize), rng: &mut Rng) -> String {
        let hi = band.2.min(t.words.len());
        t.words[rng.between(band.1, hi - 1)].to_string()
    }
}

fn capitalise(word: &str, out: &mut String) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Query classes, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Term,
    Phrase,
    Boolean,
    Date,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Term, Class::Phrase, Class::Boolean, Class::Date];

    pub fn name(self) -> &'static str {
        match self {
            Class::Term => "term",
            Class::Phrase => "phrase",
            Class::Boolean => "boolean + facets",
            Class::Date => "term + date range",
        }
    }
}

/// One query, independent of the engine; each engine writes it its way.
#[derive(Clone, Debug)]
pub enum Query {
    Term {
        band: &'static str,
        word: String,
    },
    Phrase(String),
    Boolean {
        a: String,
        b: String,
        not: String,
    },
    Date {
        band: &'static str,
        word: String,
        first: NaiveDate,
        months: u32,
    },
}

impl Query {
    /// In leakcheck's query language.
    pub fn leakcheck(&self) -> String {
        match self {
            Query::Term { word, .. } => word.clone(),
            Query::Phrase(p) => format!("\"{p}\""),
            Query::Boolean { a, b, not } => format!("{a} AND {b} NOT {not}"),
            Query::Date {
                word,
                first,
                months,
                ..
            } => {
                let last = first
                    .checked_add_months(chrono::Months::new(months - 1))
                    .unwrap();
                format!(
                    "{word} date:{}-{:02}..{}-{:02}",
                    first.year(),
                    first.month(),
                    last.year(),
                    last.month()
                )
            }
        }
    }

    /// The FTS5 MATCH expression (every word quoted, so none is read as an
    /// operator) and, for dated queries, the seconds `[from, to)`.
    pub fn fts5(&self) -> (String, Option<(i64, i64)>) {
        let q = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
        match self {
            Query::Term { word, .. } => (q(word), None),
            Query::Phrase(p) => (q(p), None),
            Query::Boolean { a, b, not } => (format!("{} AND {} NOT {}", q(a), q(b), q(not)), None),
            Query::Date {
                word,
                first,
                months,
                ..
            } => {
                let end = first
                    .checked_add_months(chrono::Months::new(*months))
                    .unwrap();
                let secs = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
                (q(word), Some((secs(*first), secs(end))))
            }
        }
    }

    /// The frequency band of its word, for term and dated queries.
    pub fn band(&self) -> Option<&'static str> {
        match self {
            Query::Term { band, .. } | Query::Date { band, .. } => Some(band),
            _ => None,
        }
    }
}
