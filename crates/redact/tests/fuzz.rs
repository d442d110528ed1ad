//! No input makes the detector or `redact` panic, and spans always hold
//! their promises: sorted, non-overlapping, on char boundaries.

mod common;

use common::Rng;
use leakcheck_redact::{Detector, Kind, Rules, Span, redact};

/// Pieces of the patterns, so that random text gets near real matches.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "+33", "0033", "(0)", "(+33)", "06", "12", "7", " ", "\u{a0}", "\u{202f}", ".", "-", "/", "@",
    "né le ", "née", "naissance", "DOB", "born", "rue", " de la ", "l'", "Paix", "75011", "Paris",
    "CEDEX", "bis", "FR76", "FR", "2A", "2B", "é", "É", "\n", "\r\n", "<", ">", "Message-ID:",
    "References:", "mailto:", "cid:", "1er", "mars", "March", "1985", "4111", "3000", "Jean",
    "Dupont", ",", "'", "’", "x", "😀", "\u{301}", "(", ")", "00", "9", "+", "\t", "_", "Ⅻ", "ß",
    "İ", "\u{200b}",
];

fn check(detector: &Detector, text: &str) {
    let spans = detector.find(text);
    for pair in spans.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{text:?}: {spans:?}");
    }
    for span in &spans {
        assert!(
            span.start < span.end && span.end <= text.len(),
            "{text:?}: {span:?}"
        );
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        assert_eq!(text[span.start..span.end], span.text);
    }
    let redacted = redact(text, &spans);
    if spans.is_empty() {
        assert_eq!(redacted, text);
    }
}

fn detector() -> Detector {
    Detector::new(&Rules {
        names: [
            "Jean Dupont",
            "a.b",
            "(x)",
            "[",
            "\\",
            "é*",
            "O'Neil",
            "?|^$",
            "ß",
            "x y z",
        ]
        .map(String::from)
        .to_vec(),
        keep: ["+33", "(", "[", "", "rue"].map(String::from).to_vec(),
    })
    .unwrap()
}

#[test]
fn random_bytes() {
    let detector = detector();
    let mut rng = Rng::new(1);
    for _ in 0..3000 {
        let bytes: Vec<u8> = (0..rng.below(400)).map(|_| rng.next() as u8).collect();
        check(&detector, &String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn random_tokens() {
    let detector = detector();
    let mut rng = Rng::new(2);
    for _ in 0..5000 {
        let text: String = (0..rng.below(80)).map(|_| *rng.pick(TOKENS)).collect();
        check(&detector, &text);
    }
}

#[test]
fn redact_takes_any_spans() {
    let mut rng = Rng::new(3);
    for _ in 0..3000 {
        let text: String = (0..rng.below(20)).map(|_| *rng.pick(TOKENS)).collect();
        let spans: Vec<Span> = (0..rng.below(6))
            .map(|_| Span {
                start: rng.below(text.len() + 3),
                end: rng.below(text.len() + 3),
                kind: Kind::Name,
                text: String::new(),
            })
            .collect();
        redact(&text, &spans);
    }
}

#[test]
fn long_runs() {
    // Long runs of what the patterns look for stay linear and panic-free.
    let detector = detector();
    for unit in [
        "1 ",
        "06 ",
        "+3",
        "a@",
        "né le 1/1/1 ",
        "12 rue ",
        "FR76 ",
        "4111-",
        "é",
    ] {
        check(&detector, &unit.repeat(20_000));
    }
}
