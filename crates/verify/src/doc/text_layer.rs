//! `doc.text-layer`: does a PDF's text layer say what its page shows?
//!
//! The text a PDF carries (what search, copy and paste and every tool
//! read) is independent of what it draws. A scan with an invisible OCR
//! layer can have a figure edited in that layer only; an image pasted over
//! text hides words the layer still holds. OCR of the rendered page reads
//! what a person sees; the two are compared word by word. OCR makes its own
//! errors, so a difference counts only when OCR cannot explain it: a
//! look-alike letter (`0`/`O`, `1`/`l`, `rn`/`m`), a lost accent, or one
//! letter in five misread in a long word are OCR's; a different figure, or
//! words only one side has, are not.

use leakcheck_core::{CheckId, Finding, Verdict};
use leakcheck_store::OcrLayer;
use leakcheck_variants::diff;
use serde_json::json;

/// Pages whose OCR confidence is under this are not compared: OCR's own
/// errors there would pass for differences.
pub const MIN_CONFIDENCE: f32 = 75.0;

/// Share of words that may differ without explanation (OCR drops or splits
/// a word now and then, even on a clean page).
pub const MAX_UNEXPLAINED: f64 = 0.03;

/// The finding for one PDF's OCR'd pages that carry their own text; none
/// when no page could be compared.
pub fn check(layer: &OcrLayer) -> Option<Finding> {
    let mut compared = Vec::new();
    let mut flagged = Vec::new();
    for p in &layer.pages {
        let Some(embedded) = p.embedded.as_deref() else {
            continue;
        };
        if p.error.is_some() || p.confidence.is_none_or(|c| c < MIN_CONFIDENCE) {
            continue;
        }
        let (own, seen) = (words(embedded), words(&p.text));
        if own.len() < 5 || seen.len() < 5 {
            continue;
        }
        let d = diff(&own.join(" "), &seen.join(" "));
        let unexplained: Vec<&diff::Change> =
            d.changes.iter().filter(|c| !ocr_explains(c)).collect();
        let unexplained_words: usize = unexplained
            .iter()
            .map(|c| c.removed.split(' ').count().max(c.added.split(' ').count()))
            .sum();
        let share = unexplained_words as f64 / own.len().max(seen.len()) as f64;
        let figures = unexplained
            .iter()
            .any(|c| has_digit(&c.removed) || has_digit(&c.added));
        compared.push(p.page);
        if figures || share > MAX_UNEXPLAINED {
            flagged.push(json!({
                "page": p.page,
                "ocr_confidence": p.confidence,
                "words": own.len(),
                "unexplained_share": (share * 1000.0).round() / 1000.0,
                "differing_words": unexplained.iter().map(|c| json!({
                    "text_layer": c.removed, "page_shows": c.added,
                    "context": c.render(),
                })).collect::<Vec<_>>(),
                "text_layer": cut(embedded),
                "ocr": cut(&p.text),
            }));
        }
    }
    if compared.is_empty() {
        return None;
    }
    let engine = layer.engine.clone().unwrap_or_default();
    Some(if flagged.is_empty() {
        Finding {
            check: CheckId::DocTextLayer,
            verdict: Verdict::Consistent,
            summary: format!(
                "the text layer says what the page shows (OCR of {} page{} agrees within OCR's errors)",
                compared.len(),
                if compared.len() == 1 { "" } else { "s" }
            ),
            evidence: json!({"pages_compared": compared, "engine": engine}),
        }
    } else {
        let first = &flagged[0]["differing_words"][0];
        Finding {
            check: CheckId::DocTextLayer,
            verdict: Verdict::Suspicious,
            summary: format!(
                "the text layer differs from what the page shows: {} page{} (e.g. text layer {:?}, page shows {:?})",
                flagged.len(),
                if flagged.len() == 1 { "" } else { "s" },
                first["text_layer"].as_str().unwrap_or(""),
                first["page_shows"].as_str().unwrap_or("")
            ),
            evidence: json!({"pages_compared": compared, "engine": engine, "pages": flagged}),
        }
    })
}

/// Words, lower case, without accents or punctuation: what OCR and the
/// text layer can be expected to agree on.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().map(fold).collect())
        .collect()
}

/// Lower case without the accent (the letters of French and English).
fn fold(c: char) -> char {
    let c = c.to_lowercase().next().unwrap_or(c);
    match c {
        'à' | 'â' | 'ä' | 'á' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ç' => 'c',
        'ÿ' => 'y',
        _ => c,
    }
}

/// Characters OCR takes for one another, mapped to one of them.
fn lookalike(w: &str) -> String {
    w.replace("rn", "m")
        .replace("vv", "w")
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' | '|' => 'l',
            '5' => 's',
            '8' => 'b',
            _ => c,
        })
        .collect()
}

/// Is this difference one OCR makes?
fn ocr_explains(c: &diff::Change) -> bool {
    let (a, b) = (c.removed.as_str(), c.added.as_str());
    // A word split or joined by OCR.
    if a.replace(' ', "") == b.replace(' ', "") {
        return true;
    }
    let (la, lb) = (
        lookalike(&a.replace(' ', "")),
        lookalike(&b.replace(' ', "")),
    );
    if la == lb {
        return true;
    }
    // A figure read as another figure is not an OCR slip we forgive.
    if has_digit(a) || has_digit(b) || a.is_empty() || b.is_empty() {
        return false;
    }
    let longest = la.chars().count().max(lb.chars().count());
    longest >= 5 && edit_distance(&la, &lb) * 5 <= longest
}

fn has_digit(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

/// The first 2,000 characters, for the evidence.
fn cut(s: &str) -> String {
    s.chars().take(2000).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_store::OcrPageRow;

    const PAGE: &str = "Facture numéro 2017-044 du 12 mars 2017. Montant total : 1 250 euros, \
        payable à trente jours. Merci de votre confiance, la direction financière.";

    fn layer(embedded: &str, ocr: &str, confidence: f32) -> OcrLayer {
        OcrLayer {
            status: "read".into(),
            engine: Some("tesseract 5.3.0".into()),
            pages: vec![OcrPageRow {
                page: 1,
                text: ocr.into(),
                confidence: Some(confidence),
                words: 20,
                embedded: Some(embedded.into()),
                error: None,
            }],
            ..OcrLayer::default()
        }
    }

    #[test]
    fn ocr_slips_are_forgiven() {
        let slipped = PAGE
            .replace("numéro", "numero")
            .replace("financière", "flnanciere")
            .replace("confiance", "conf iance")
            .replace("Merci", "Merc1");
        let f = check(&layer(PAGE, &slipped, 90.0)).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{f:?}");
    }

    #[test]
    fn a_changed_figure_is_flagged_with_both_versions() {
        let shown = PAGE.replace("1 250", "9 250");
        let f = check(&layer(PAGE, &shown, 90.0)).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        let w = &f.evidence["pages"][0]["differing_words"][0];
        assert_eq!(
            (w["text_layer"].as_str(), w["page_shows"].as_str()),
            (Some("1"), Some("9"))
        );
        assert!(
            f.evidence["pages"][0]["ocr"]
                .as_str()
                .unwrap()
                .contains("9 250")
        );
    }

    #[test]
    fn hidden_words_are_flagged() {
        let shown = PAGE.replace(", payable à trente jours", "");
        let f = check(&layer(PAGE, &shown, 90.0)).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious, "{f:?}");
    }

    #[test]
    fn low_confidence_pages_are_not_judged() {
        assert!(check(&layer(PAGE, "tout autre chose ici vraiment rien", 40.0)).is_none());
    }
}
