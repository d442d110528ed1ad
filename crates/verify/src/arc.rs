//! `email.arc`: the ARC chain (RFC 8617) that intermediaries such as
//! mailing lists and Google add, verified offline like DKIM. A valid chain
//! shows who handled the message and what the first sealer's
//! Authentication-Results said; it is reported apart from DKIM.
//!
//! mail-auth parses the ARC headers and checks the cryptography; the chain
//! rules are applied here because its `verify_arc` needs DNS and judges
//! `x=` by today's clock.

use leakcheck_core::{CheckId, Finding, Verdict};
use mail_auth::arc::ChainValidation;
use mail_auth::common::crypto::Algorithm;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::Canonicalization;
use mail_auth::{AuthenticatedMessage, Error};
use serde_json::{Value, json};

use crate::dkim::{body_hash_matches, strip_b_value};
use crate::keys::{KeyOutcome, KeySet, key_name};

/// The chain's outcome, as RFC 8617 names it (`cv=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainResult {
    /// No ARC headers.
    None,
    /// Every seal and the newest message signature verify.
    Pass,
    /// The chain could not be validated, and why.
    Fail(ArcFailure),
}

/// Why a chain fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArcFailure {
    /// The case has no key for a signature of the chain.
    NoKey,
    /// A key the chain needs is revoked, unusable or too weak.
    KeyProblem,
    /// The chain is malformed, or a signature or body hash fails.
    Broken,
}

/// Verifies the chain: its result, why, and what each set says.
pub fn validate(
    msg: &AuthenticatedMessage<'_>,
    keys: &KeySet,
) -> (ChainResult, String, Vec<Value>) {
    let fail = |why: String, sets: Vec<Value>| (ChainResult::Fail(ArcFailure::Broken), why, sets);
    if msg.ams_headers.is_empty() && msg.as_headers.is_empty() && msg.aar_headers.is_empty() {
        if msg.has_arc_errors {
            return fail(arc_error(msg), vec![]);
        }
        return (ChainResult::None, "no ARC headers".into(), vec![]);
    }
    if msg.has_arc_errors {
        return fail(arc_error(msg), vec![]);
    }
    let n = msg.as_headers.len();
    if n > 50 {
        return fail(format!("{n} ARC sets: more than the 50 allowed"), vec![]);
    }
    if msg.ams_headers.len() != n || msg.aar_headers.len() != n {
        return fail(
            format!(
                "incomplete ARC sets: {} seals, {} message signatures, {} results",
                n,
                msg.ams_headers.len(),
                msg.aar_headers.len()
            ),
            vec![],
        );
    }
    // Sets are identified by i=, not by position.
    let mut seals: Vec<_> = msg.as_headers.iter().collect();
    let mut sigs: Vec<_> = msg.ams_headers.iter().collect();
    let mut results: Vec<_> = msg.aar_headers.iter().collect();
    seals.sort_by_key(|h| h.header.i);
    sigs.sort_by_key(|h| h.header.i);
    results.sort_by_key(|h| h.header.i);
    let mut sets = Vec::new();
    for (pos, ((seal, sig), res)) in seals.iter().zip(&sigs).zip(&results).enumerate() {
        let i = pos as u32 + 1;
        sets.push(json!({
            "instance": seal.header.i,
            "seal": {"d": seal.header.d, "s": seal.header.s, "cv": cv_name(&seal.header.cv)},
            "message_signature": {"d": sig.header.d, "s": sig.header.s, "h": sig.header.h},
            "authentication_results": String::from_utf8_lossy(res.value).split_whitespace().collect::<Vec<_>>().join(" "),
        }));
        if seal.header.i != i || sig.header.i != i || res.header.i != i {
            return fail(
                format!("ARC instances are not 1..{n} without gaps or repeats"),
                sets,
            );
        }
        // mail-auth's tag parser is lenient; RFC 8617 sets are not.
        for (what, value, required) in [
            ("ARC-Seal", seal.value, &["i", "a", "b", "d", "s", "cv"][..]),
            (
                "ARC-Message-Signature",
                sig.value,
                &["i", "a", "b", "bh", "d", "h", "s"][..],
            ),
        ] {
            if let Err(why) = strict_tags(value, required) {
                return fail(format!("{what} i={i}: {why}"), sets);
            }
        }
        if seal.header.a == Algorithm::RsaSha1 || sig.header.a == Algorithm::RsaSha1 {
            return fail(
                format!("set i={i} uses rsa-sha1, which ARC does not allow"),
                sets,
            );
        }
        if sig
            .header
            .h
            .iter()
            .any(|h| h.eq_ignore_ascii_case("arc-seal"))
        {
            return fail(
                format!(
                    "ARC-Message-Signature i={i} signs ARC-Seal headers, which RFC 8617 forbids"
                ),
                sets,
            );
        }
        if seal.header.cv == ChainValidation::Fail {
            // An intermediary already judged the chain broken: nothing more
            // can be validated (RFC 8617 5.2 gives no result).
            return (
                ChainResult::None,
                format!("seal i={i} says cv=fail: an intermediary found the chain already broken"),
                sets,
            );
        }
        let expected_cv = if i == 1 {
            ChainValidation::None
        } else {
            ChainValidation::Pass
        };
        if seal.header.cv != expected_cv {
            return fail(
                format!(
                    "seal i={i} says cv={} where cv={} is required",
                    cv_name(&seal.header.cv),
                    cv_name(&expected_cv)
                ),
                sets,
            );
        }
    }
    // The newest message signature covers the message as it is now.
    let newest = sigs[n - 1];
    let sig = &newest.header;
    if !body_hash_matches(msg, sig.cb, sig.a, sig.l, &sig.bh) {
        return fail(
            format!(
                "the newest message signature (i={n}) has a body hash mismatch: the body changed after it"
            ),
            sets,
        );
    }
    let stripped = strip_b_value(newest.value);
    let verified = verify_with(keys, &sig.s, &sig.d, sig.a, |key| {
        let mut headers = msg.signed_headers(&sig.h, newest.name, &stripped);
        key.p.verify(&mut headers, &sig.b, sig.ch, sig.a)
    });
    if let Err((failure, why)) = verified {
        let why = match failure {
            ArcFailure::Broken => {
                format!("the newest message signature (i={n}) does not verify: {why}")
            }
            _ => why,
        };
        return (ChainResult::Fail(failure), why, sets);
    }
    // Each seal signs every ARC header of its own and earlier sets.
    for pos in (0..n).rev() {
        let seal = seals[pos];
        let stripped = strip_b_value(seal.value);
        let verified = verify_with(keys, &seal.header.s, &seal.header.d, seal.header.a, |key| {
            let mut headers = (0..pos)
                .flat_map(|k| {
                    [
                        (results[k].name, results[k].value),
                        (sigs[k].name, sigs[k].value),
                        (seals[k].name, seals[k].value),
                    ]
                })
                .chain([
                    (results[pos].name, results[pos].value),
                    (sigs[pos].name, sigs[pos].value),
                    (seal.name, stripped.as_slice()),
                ]);
            key.p.verify(
                &mut headers,
                &seal.header.b,
                Canonicalization::Relaxed,
                seal.header.a,
            )
        });
        if let Err((failure, why)) = verified {
            let why = match failure {
                ArcFailure::Broken => format!("seal i={} does not verify: {why}", pos + 1),
                _ => why,
            };
            return (ChainResult::Fail(failure), why, sets);
        }
    }
    (
        ChainResult::Pass,
        format!("{n} ARC sets, every seal verifies"),
        sets,
    )
}

/// The finding for a parsed email (see [`crate::dkim::check_signed`]);
/// `None` when it has no ARC headers.
pub fn check(msg: &AuthenticatedMessage<'_>, keys: &KeySet) -> Option<Finding> {
    let (result, why, sets) = validate(msg, keys);
    let (verdict, summary) = match result {
        ChainResult::None if sets.is_empty() => return None,
        ChainResult::None => (
            Verdict::Suspicious,
            format!("ARC chain not validated: {why}"),
        ),
        ChainResult::Pass => (Verdict::Consistent, format!("ARC chain passes: {why}")),
        // Without the key, nothing is shown either way.
        ChainResult::Fail(ArcFailure::NoKey | ArcFailure::KeyProblem) => (
            Verdict::Unverifiable,
            format!("ARC chain not checked: {why}"),
        ),
        ChainResult::Fail(ArcFailure::Broken) => {
            (Verdict::Suspicious, format!("ARC chain fails: {why}"))
        }
    };
    Some(Finding {
        check: CheckId::EmailArc,
        verdict,
        summary,
        evidence: json!({
            "result": match result {
                ChainResult::Pass => "pass",
                ChainResult::Fail(_) => "fail",
                ChainResult::None => "none",
            },
            "reason": why,
            "sets": sets
        }),
    })
}

/// Verifies one ARC signature with the case's keys for `s=`/`d=` (every
/// archived key is tried, as for DKIM); the error says why not, in words.
fn verify_with(
    keys: &KeySet,
    s: &str,
    d: &str,
    a: Algorithm,
    verify: impl FnMut(&DomainKey) -> Result<(), mail_auth::Error>,
) -> Result<(), (ArcFailure, String)> {
    let name = key_name(s, d);
    let Some((_, outcome)) = keys.best(&name, a, verify) else {
        return Err((ArcFailure::NoKey, format!("no key for {name} in the case")));
    };
    match outcome {
        KeyOutcome::Verified { .. } => Ok(()),
        KeyOutcome::Fails { error, .. } => Err((ArcFailure::Broken, error)),
        KeyOutcome::Weak { bits } => Err((
            ArcFailure::KeyProblem,
            format!(
                "the key record for {name} is a {bits}-bit RSA key, too weak to count (RFC 8301)"
            ),
        )),
        KeyOutcome::Revoked | KeyOutcome::Unusable(_) => Err((
            ArcFailure::KeyProblem,
            outcome.key_problem(&name).unwrap_or_default(),
        )),
    }
}

/// RFC 6376 tag-list syntax, strictly: lower-case tag names, no repeats, no
/// empty elements but a trailing one, and the required tags present.
fn strict_tags(value: &[u8], required: &[&str]) -> Result<(), String> {
    let text = String::from_utf8_lossy(value);
    let parts: Vec<&str> = text.split(';').collect();
    let mut seen: Vec<String> = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        let part = part.trim();
        if part.is_empty() {
            if k + 1 == parts.len() {
                continue;
            }
            return Err("an empty tag (a stray semicolon)".into());
        }
        let Some((name, _)) = part.split_once('=') else {
            return Err(format!("{part:?} is not a tag=value pair"));
        };
        let name = name.trim();
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(format!("{name:?} is not a valid tag name"));
        }
        if seen.iter().any(|s| s == name) {
            return Err(format!("tag {name}= appears twice"));
        }
        seen.push(name.to_string());
    }
    match required.iter().find(|r| !seen.iter().any(|s| s == *r)) {
        Some(r) => Err(format!("required tag {r}= is missing")),
        None => Ok(()),
    }
}

fn arc_error(msg: &AuthenticatedMessage<'_>) -> String {
    msg.errors
        .iter()
        .find_map(|h| match &h.header {
            Error::Arc(e) => Some(format!("malformed ARC header: {e}")),
            Error::Dkim(e) if is_arc(h.name) => Some(format!("malformed ARC header: {e}")),
            _ => None,
        })
        .unwrap_or_else(|| "malformed ARC header".into())
}

fn is_arc(name: &[u8]) -> bool {
    name.len() > 4 && name[..4].eq_ignore_ascii_case(b"arc-")
}

fn cv_name(cv: &ChainValidation) -> &'static str {
    match cv {
        ChainValidation::None => "none",
        ChainValidation::Fail => "fail",
        ChainValidation::Pass => "pass",
    }
}
