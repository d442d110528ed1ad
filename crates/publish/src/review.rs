//! The workbench's review applied to a text: each detection with the
//! decision in force about it (accepted, rejected, or none: automatic), and
//! the spans marked by hand. The catalog keeps the decisions by position in
//! the rendered text ([`leakcheck_store::RENDERING`]); a decision about a
//! span the detector no longer finds there, or a hand-made span that no
//! longer fits the text, is stale and left out (counted).

use leakcheck_redact::{Kind, Span};
use leakcheck_store::{Decision, RENDERING, RedactionDecision};
use serde::Serialize;

/// How a span came to be redacted, or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    /// Found by the detector and not reviewed: redacted.
    Automatic,
    /// Found by the detector and accepted by a reviewer: redacted.
    Accepted,
    /// Found by the detector and rejected by a reviewer: left in the text.
    Rejected,
    /// Marked by a reviewer by hand: redacted.
    Manual,
}

/// A span with its review.
#[derive(Clone, Debug)]
pub struct Reviewed {
    /// Where, what kind, and the value (never logged).
    pub span: Span,
    /// Its review.
    pub review: Review,
    /// The reviewer, for a reviewed span.
    pub by: Option<String>,
    /// When it was reviewed.
    pub at: Option<String>,
}

impl Reviewed {
    /// Whether it is redacted.
    pub fn redacted(&self) -> bool {
        self.review != Review::Rejected
    }
}

/// A text's spans after review.
#[derive(Clone, Debug, Default)]
pub struct ReviewedText {
    /// The detections (with their decisions) and the hand-made spans, in
    /// text order.
    pub spans: Vec<Reviewed>,
    /// Decisions that no longer fit the text.
    pub stale: usize,
}

impl ReviewedText {
    /// Detections no reviewer has looked at.
    pub fn unreviewed(&self) -> usize {
        self.spans
            .iter()
            .filter(|s| s.review == Review::Automatic)
            .count()
    }

    /// The spans to redact, overlapping ones joined (a hand-made span may
    /// overlap a detection: their union is redacted, under the first one's
    /// kind).
    pub fn to_redact(&self) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        for r in self.spans.iter().filter(|r| r.redacted()) {
            match out.last_mut() {
                Some(last) if r.span.start < last.end => last.end = last.end.max(r.span.end),
                _ => out.push(r.span.clone()),
            }
        }
        out
    }
}

/// `detected` (the detector's spans of `text`) with `decisions` applied.
pub fn review(text: &str, detected: Vec<Span>, decisions: &[RedactionDecision]) -> ReviewedText {
    let mut stale = 0;
    let mut spans: Vec<Reviewed> = detected
        .into_iter()
        .map(|span| Reviewed {
            span,
            review: Review::Automatic,
            by: None,
            at: None,
        })
        .collect();
    for d in decisions.iter().filter(|d| d.span.text == RENDERING) {
        let (start, end) = (d.span.start, d.span.end);
        let kind = Kind::parse(&d.span.kind);
        if d.decision == Decision::Manual {
            let fits = start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end);
            match kind {
                Some(kind) if fits => spans.push(Reviewed {
                    span: Span {
                        start,
                        end,
                        kind,
                        text: text[start..end].to_string(),
                    },
                    review: Review::Manual,
                    by: Some(d.user.clone()),
                    at: Some(d.at.clone()),
                }),
                _ => stale += 1,
            }
            continue;
        }
        let found = spans.iter_mut().find(|r| {
            r.review == Review::Automatic
                && (r.span.start, r.span.end) == (start, end)
                && Some(r.span.kind) == kind
        });
        match found {
            Some(r) => {
                r.review = if d.decision == Decision::Accept {
                    Review::Accepted
                } else {
                    Review::Rejected
                };
                r.by = Some(d.user.clone());
                r.at = Some(d.at.clone());
            }
            None => stale += 1,
        }
    }
    spans.sort_by_key(|r| (r.span.start, r.span.end));
    ReviewedText { spans, stale }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakcheck_store::SpanRef;

    fn decision(start: usize, end: usize, kind: &str, d: Decision) -> RedactionDecision {
        RedactionDecision {
            span: SpanRef {
                text: RENDERING.into(),
                start,
                end,
                kind: kind.into(),
            },
            decision: d,
            user: "eve".into(),
            at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn decisions_accept_reject_and_add_spans() {
        let text = "Call 06 12 34 56 78 or write to jean@example.org, Jeanne Martin.";
        let detector = leakcheck_redact::Detector::new(&Default::default()).unwrap();
        let detected = detector.find(text);
        assert_eq!(detected.len(), 2, "{detected:?}");
        let phone = (detected[0].start, detected[0].end);
        let email = (detected[1].start, detected[1].end);
        let name = text.find("Jeanne Martin").unwrap();
        let r = review(
            text,
            detected,
            &[
                decision(phone.0, phone.1, "phone", Decision::Reject),
                decision(email.0, email.1, "email", Decision::Accept),
                decision(name, name + 13, "name", Decision::Manual),
                // Stale: no detection there, and a span past the end.
                decision(0, 4, "phone", Decision::Accept),
                decision(60, 99, "name", Decision::Manual),
            ],
        );
        assert_eq!(r.stale, 2);
        assert_eq!(r.unreviewed(), 0);
        let reviews: Vec<Review> = r.spans.iter().map(|s| s.review).collect();
        assert_eq!(
            reviews,
            [Review::Rejected, Review::Accepted, Review::Manual]
        );
        let out = leakcheck_redact::redact(text, &r.to_redact());
        assert_eq!(out, "Call 06 12 34 56 78 or write to [EMAIL], [NAME].");
    }

    #[test]
    fn a_hand_made_span_over_a_detection_redacts_their_union() {
        let text = "mail jean@example.org now";
        let detector = leakcheck_redact::Detector::new(&Default::default()).unwrap();
        let r = review(
            text,
            detector.find(text),
            &[decision(0, 10, "name", Decision::Manual)],
        );
        assert_eq!(r.unreviewed(), 1);
        assert_eq!(leakcheck_redact::redact(text, &r.to_redact()), "[NAME] now");
    }
}
