//! `email.dkim`: every DKIM-Signature of an email, verified offline against
//! the case's archived keys, with forensic rather than delivery-time rules.
//!
//! mail-auth parses the message and signatures, canonicalises, computes body
//! hashes and checks the cryptography. The loop over signatures is ours,
//! because mail-auth's own (`verify_dkim`) checks `x=` against today's clock
//! before anything else (an old leak would read "expired" with no
//! cryptographic result), looks keys up in DNS, and cannot report key sizes,
//! `l=` coverage, unsigned or duplicated headers.

use std::borrow::Cow;

use leakcheck_core::{CheckId, Finding, KeyOrigin, Verdict};
use mail_auth::common::crypto::Algorithm;
use mail_auth::common::headers::Writable;
use mail_auth::dkim::{Canonicalization, Signature};
use mail_auth::{AuthenticatedMessage, Error};
use serde::Serialize;
use serde_json::json;

use crate::arc;
use crate::keys::{CaseKey, KeyOutcome, KeySet, KeyTime, is_weak, key_name};
use crate::signed::{SignaturePositions, body_hash_matches, canon_name, strip_b_value};

/// Headers a reader sees; each should be covered by `h=`.
const DISPLAYED: [&str; 5] = ["from", "date", "subject", "to", "cc"];

/// What one signature comes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DkimResult {
    /// The body hash and the signature verify with an archived key.
    Pass,
    /// The body hash does not match: the body changed after signing.
    BodyModified,
    /// The body hash matches but the signature does not verify with the key.
    HeaderModified,
    /// The case has no key for the signature's name.
    KeyMissing,
    /// The key record is revoked (empty `p=`).
    KeyRevoked,
    /// The key record is unusable, or an RSA key too weak to count.
    KeyInvalid,
    /// `x=` is not after the signing time: never valid.
    Expired,
    /// The signature verifies, but the key's private half was public when
    /// it was made: anyone could have signed.
    PrivateKeyPublic,
    /// The signature header cannot be used.
    #[default]
    Malformed,
}

impl DkimResult {
    /// The stable name (`pass`, `body-modified`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DkimResult::Pass => "pass",
            DkimResult::BodyModified => "body-modified",
            DkimResult::HeaderModified => "header-modified",
            DkimResult::KeyMissing => "key-missing",
            DkimResult::KeyRevoked => "key-revoked",
            DkimResult::KeyInvalid => "key-invalid",
            DkimResult::Expired => "expired",
            DkimResult::PrivateKeyPublic => "private-key-public",
            DkimResult::Malformed => "malformed",
        }
    }
}

/// The outcome for one signature.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SignatureResult {
    /// Position among the message's DKIM-Signature headers, top first.
    pub index: usize,
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// `a=`.
    pub algorithm: String,
    /// `c=`, header/body.
    pub canonicalization: String,
    /// What it comes to.
    pub result: DkimResult,
    /// What the result rests on, in words.
    pub detail: String,
    /// Size of the key that decided, when one did.
    pub key_bits: Option<usize>,
    /// Provenance of that key.
    pub key_source: Option<String>,
    /// When that key was obtained.
    pub key_obtained: Option<String>,
    /// Where that key's value comes from: `imported` (independent of the
    /// dump) or `recovered` (from the dump's own signatures).
    pub key_origin: Option<String>,
    /// A record of the other origin with the same modulus: for an imported
    /// key, the recovered one it confirms.
    pub key_twin: Option<String>,
    /// `t=` (Unix seconds), if present.
    pub signed_at: Option<u64>,
    /// `x=` (Unix seconds), if present.
    pub expires_at: Option<u64>,
    /// `h=`, as listed.
    pub signed_headers: Vec<String>,
    /// Displayed headers present in the message but not covered by `h=`.
    pub unsigned_displayed: Vec<String>,
    /// Headers listed in `h=` more times than present (protection against added copies).
    pub over_signed: Vec<String>,
    /// `l=`, if present, and how many canonical body bytes it leaves unsigned.
    pub body_length_limit: Option<u64>,
    /// Canonical body bytes after `l=` (content that could have been appended).
    pub unsigned_body_bytes: Option<u64>,
    /// `d=` matches the From domain (or is a parent of it).
    pub aligned: bool,
    /// Notes that weaken or qualify a pass: weak-key, key-1024, rsa-sha1,
    /// expired-now, l-partial, from-not-signed, not-aligned, header-injection,
    /// recovered-key, private-key-published-later, outside-key-window,
    /// far-outside-key-window.
    pub qualifiers: Vec<String>,
}

/// Verifies every DKIM signature of `raw` and concludes.
pub fn check(raw: &[u8], keys: &KeySet, date_unix: Option<i64>) -> Finding {
    check_signed(raw, keys, date_unix).0
}

/// The `email.dkim` finding and, when the message has ARC headers, the
/// `email.arc` one, from a single parse of the message: what `verify` runs
/// for every email.
pub fn check_signed(
    raw: &[u8],
    keys: &KeySet,
    date_unix: Option<i64>,
) -> (Finding, Option<Finding>) {
    let (bytes, note) = normalise(raw);
    let mut normalised: Vec<String> = note.into_iter().collect();
    let Some(msg) = AuthenticatedMessage::parse_with_opts(&bytes, None, false) else {
        let none = finding(
            Verdict::Unverifiable,
            "no header could be parsed".into(),
            vec![],
            normalised,
            json!({}),
        );
        return (none, None);
    };
    let arc = arc::check(&msg, keys);
    let counts = HeaderCounts::of(&msg);
    let mut results = verify_all(&msg, keys, date_unix, &counts);
    drop(msg);
    // mbox `>From ` quoting breaks body hashes: when un-quoting the lines
    // makes a failed signature verify, the signed original had `From ` there.
    if results.iter().any(|r| r.result == DkimResult::BodyModified) && has_quoted_from(&bytes) {
        let unquoted = unquote_from(&bytes);
        if let Some(m2) = AuthenticatedMessage::parse_with_opts(&unquoted, None, false) {
            let again = verify_all(&m2, keys, date_unix, &counts);
            let mut used = false;
            for (r, a) in results.iter_mut().zip(again) {
                if r.result == DkimResult::BodyModified && a.result != DkimResult::BodyModified {
                    *r = a;
                    used = true;
                }
            }
            if used {
                normalised.push(
                    "mbox >From quoting undone (one '>' removed from each >From line)".into(),
                );
            }
        }
    }
    let injected: Vec<String> = DISPLAYED
        .iter()
        .filter(|h| counts.get(h) > 1)
        .map(|h| h.to_string())
        .collect();
    (conclude(results, normalised, injected, &counts), arc)
}

/// The bytes to verify: LF-only files get CRLF (every verifier's input
/// form), other oddities are kept and described.
pub(crate) fn normalise(raw: &[u8]) -> (Cow<'_, [u8]>, Option<String>) {
    match line_endings(raw) {
        Endings::Crlf => (Cow::Borrowed(raw), None),
        Endings::Lf => (
            Cow::Owned(lf_to_crlf(raw)),
            Some("LF line endings converted to CRLF before verifying".into()),
        ),
        Endings::Mixed => (
            Cow::Borrowed(raw),
            Some("mixed or CR-only line endings: verified as stored, not normalised".into()),
        ),
    }
}

fn verify_all(
    msg: &AuthenticatedMessage<'_>,
    keys: &KeySet,
    date_unix: Option<i64>,
    counts: &HeaderCounts,
) -> Vec<SignatureResult> {
    let positions = SignaturePositions::of(msg);
    let index_of = |v: &[u8]| positions.index(v);
    let from_domain = msg
        .from
        .first()
        .and_then(|f| f.rsplit_once('@'))
        .map(|(_, d)| d.to_ascii_lowercase());
    let mut out = Vec::new();
    for h in &msg.errors {
        if let Error::Dkim(e) = &h.header {
            out.push(malformed(
                index_of(h.value),
                format!("unusable DKIM-Signature: {e}"),
            ));
        } else if h.name.eq_ignore_ascii_case(b"dkim-signature") {
            out.push(malformed(
                index_of(h.value),
                format!("unparsable DKIM-Signature: {}", h.header),
            ));
        }
    }
    for h in &msg.dkim_headers {
        let sig = &h.header;
        let mut r = describe(index_of(h.value), sig, counts, from_domain.as_deref());
        // A d= or s= that is not a DNS name could point the key lookup
        // anywhere (`d=legitimate.com(.attacker.com`): refuse it.
        if !is_dns_name(&sig.d) || !is_dns_name(&sig.s) {
            r.detail = format!("d={:?} s={:?} is not a valid domain name", sig.d, sig.s);
            out.push(r);
            continue;
        }
        // The forensic clock: the signature's own time, else the Date header.
        let at = if sig.t > 0 {
            sig.t
        } else {
            date_unix.unwrap_or(0).max(0) as u64
        };
        if sig.x != 0 && sig.x <= at {
            r.result = DkimResult::Expired;
            r.detail = format!(
                "x={} is not after the signing time {at}: the signature was never valid",
                sig.x
            );
            out.push(r);
            continue;
        }
        let body = &msg.raw_message[(msg.body_offset as usize).min(msg.raw_message.len())..];
        if sig.l > 0 {
            let total = canonical_len(sig.cb, body);
            r.unsigned_body_bytes = Some(total.saturating_sub(sig.l));
        }
        if !body_hash_matches(msg, sig.cb, sig.a, sig.l, &sig.bh) {
            r.result = DkimResult::BodyModified;
            r.detail = "the body hash (bh=) does not match the body: the body differs from what was signed".into();
            out.push(r);
            continue;
        }
        let name = key_name(&sig.s, &sig.d);
        let stripped = strip_b_value(h.value);
        let best = keys.best(&name, sig.a, |key| {
            let mut headers = msg.signed_headers(&sig.h, h.name, &stripped);
            key.p.verify(&mut headers, &sig.b, sig.ch, sig.a)
        });
        let Some((key, outcome)) = best else {
            r.result = DkimResult::KeyMissing;
            r.detail = format!("no key for {name} in the case (add one with `leakcheck keys add`)");
            out.push(r);
            continue;
        };
        r.key_source = Some(key.record.source.clone());
        r.key_obtained = key.record.obtained.clone();
        r.key_origin = Some(key.record.origin.as_str().into());
        r.key_twin = key.twin.clone();
        r.key_bits = outcome.bits();
        (r.result, r.detail) = match &outcome {
            KeyOutcome::Verified { .. } => (
                DkimResult::Pass,
                format!("signature and body hash verify with the key for {name}"),
            ),
            KeyOutcome::Fails { error, .. } => (
                DkimResult::HeaderModified,
                format!(
                    "the body hash matches but the signature does not verify with this key ({error}): \
                     a signed header was changed, or the key is not the one that signed"
                ),
            ),
            KeyOutcome::Weak { bits } => (
                DkimResult::KeyInvalid,
                format!(
                    "{bits}-bit RSA key for {name}: below the 1024-bit minimum (RFC 8301); a key this \
                     small can be factored, so the signature proves nothing and is not checked"
                ),
            ),
            KeyOutcome::Revoked | KeyOutcome::Unusable(_) => (
                if outcome == KeyOutcome::Revoked {
                    DkimResult::KeyRevoked
                } else {
                    DkimResult::KeyInvalid
                },
                outcome.key_problem(&name).unwrap_or_default(),
            ),
        };
        qualify(&mut r, sig);
        if r.result == DkimResult::Pass {
            let signed_at = if sig.t > 0 {
                Some(sig.t as i64)
            } else {
                date_unix
            };
            provenance(&mut r, key, signed_at);
        }
        out.push(r);
    }
    out.sort_by_key(|r| r.index);
    out
}

fn describe(
    index: usize,
    sig: &Signature,
    counts: &HeaderCounts,
    from_domain: Option<&str>,
) -> SignatureResult {
    let signed: Vec<String> = sig.h.iter().map(|h| h.to_ascii_lowercase()).collect();
    let unsigned_displayed = DISPLAYED
        .iter()
        .filter(|h| counts.get(h) > 0 && !signed.iter().any(|s| s == *h))
        .map(|h| h.to_string())
        .collect();
    let mut over_signed: Vec<String> = signed
        .iter()
        .filter(|h| signed.iter().filter(|s| s == h).count() > counts.get(h))
        .cloned()
        .collect();
    over_signed.dedup();
    let d = sig.d.to_ascii_lowercase();
    let aligned = from_domain.is_some_and(|f| f == d || f.ends_with(&format!(".{d}")));
    SignatureResult {
        index,
        domain: sig.d.clone(),
        selector: sig.s.clone(),
        algorithm: match sig.a {
            Algorithm::RsaSha1 => "rsa-sha1",
            Algorithm::RsaSha256 => "rsa-sha256",
            Algorithm::Ed25519Sha256 => "ed25519-sha256",
        }
        .into(),
        canonicalization: format!("{}/{}", canon_name(sig.ch), canon_name(sig.cb)),
        result: DkimResult::Malformed,
        detail: String::new(),
        key_bits: None,
        key_source: None,
        key_obtained: None,
        key_origin: None,
        key_twin: None,
        signed_at: (sig.t > 0).then_some(sig.t),
        expires_at: (sig.x > 0).then_some(sig.x),
        signed_headers: sig.h.clone(),
        unsigned_displayed,
        over_signed,
        body_length_limit: (sig.l > 0).then_some(sig.l),
        unsigned_body_bytes: None,
        aligned,
        qualifiers: Vec::new(),
    }
}

/// What the key's provenance makes of a signature that verifies with it,
/// made at `signed_at` (`t=`, else the Date header).
fn provenance(r: &mut SignatureResult, key: &CaseKey, signed_at: Option<i64>) {
    if key.record.origin == KeyOrigin::Recovered {
        r.qualifiers.push("recovered-key".into());
        r.detail = format!(
            "{}, a key recovered from this dump's own signatures ({}): the same private key \
             signed them, whoever held it; not independently attested",
            r.detail, key.record.source
        );
    } else if let Some(twin) = &key.twin {
        r.detail = format!(
            "{}; the key recovered from the dump's signatures is the same key ({twin})",
            r.detail
        );
    }
    match key.at(signed_at) {
        KeyTime::Usual => {}
        KeyTime::PrivatePublic(date) => {
            r.result = DkimResult::PrivateKeyPublic;
            r.detail = format!(
                "the signing key's private half has been public since {date}: anyone could have \
                 signed (the signature verifies, and was made {})",
                signed_at
                    .and_then(leakcheck_core::time::rfc3339)
                    .map_or("at an unknown time".into(), |t| format!("at {t}"))
            );
        }
        KeyTime::PrivatePublicLater(date) => {
            r.qualifiers.push("private-key-published-later".into());
            r.detail = format!(
                "{}; the key's private half was published on {date}, after this signature",
                r.detail
            );
        }
        KeyTime::OutsideWindow { days, far } => {
            r.qualifiers.push(
                if far {
                    "far-outside-key-window"
                } else {
                    "outside-key-window"
                }
                .into(),
            );
            r.detail = format!(
                "{}; signed {days} days outside the dates the key archive saw this key in DNS \
                 ({} to {})",
                r.detail,
                key.record.first_seen.as_deref().unwrap_or("?"),
                key.record.last_seen.as_deref().unwrap_or("?")
            );
        }
    }
}

/// Qualifiers on a signature whose key was usable.
fn qualify(r: &mut SignatureResult, sig: &Signature) {
    let q = &mut r.qualifiers;
    if let Some(bits) = r.key_bits.filter(|_| sig.a != Algorithm::Ed25519Sha256) {
        if is_weak(sig.a, bits) {
            q.push("weak-key".into());
        } else if bits == 1024 {
            q.push("key-1024".into());
        }
    }
    if sig.a == Algorithm::RsaSha1 {
        q.push("rsa-sha1".into());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if sig.x != 0 && sig.x <= now {
        q.push("expired-now".into());
    }
    if r.unsigned_body_bytes.is_some_and(|n| n > 0) {
        q.push("l-partial".into());
    }
    if !sig.h.iter().any(|h| h.eq_ignore_ascii_case("from")) {
        q.push("from-not-signed".into());
    }
    if !r.aligned {
        q.push("not-aligned".into());
    }
}

fn conclude(
    results: Vec<SignatureResult>,
    normalised: Vec<String>,
    injected: Vec<String>,
    counts: &HeaderCounts,
) -> Finding {
    if results.is_empty() {
        return finding(
            Verdict::Unverifiable,
            "no DKIM signature".into(),
            results,
            normalised,
            json!({}),
        );
    }
    // A passing signature proves the content only if it covers the From
    // header and the whole body, every From present is signed, and the key
    // is strong enough that nobody else could have made it.
    let proves = |r: &SignatureResult| {
        r.result == DkimResult::Pass
            && !r.qualifiers.iter().any(|q| weakens(q))
            && counts.get("from")
                <= r.signed_headers
                    .iter()
                    .filter(|h| h.eq_ignore_ascii_case("from"))
                    .count()
    };
    let describe = |r: &SignatureResult| format!("d={} s={}", r.domain, r.selector);
    let extra = json!({"duplicated_headers": injected});
    let recovered = |r: &SignatureResult| r.qualifiers.iter().any(|q| q == "recovered-key");
    if let Some(r) = results.iter().find(|r| proves(r) && !recovered(r)) {
        let summary = format!(
            "DKIM signature {} verifies with an archived key ({}), covering From and the whole body",
            describe(r),
            r.key_source.as_deref().unwrap_or("?")
        );
        return finding(Verdict::Authentic, summary, results, normalised, extra);
    }
    if let Some(r) = results.iter().find(|r| {
        matches!(
            r.result,
            DkimResult::BodyModified | DkimResult::HeaderModified
        )
    }) {
        let what = if r.result == DkimResult::BodyModified {
            "body"
        } else {
            "signed headers"
        };
        let summary = format!(
            "DKIM signature {}: the {what} changed after signing",
            describe(r)
        );
        return finding(Verdict::Altered, summary, results, normalised, extra);
    }
    if let Some(r) = results.iter().find(|r| proves(r)) {
        let summary = format!(
            "DKIM signature {} verifies with the key recovered from this dump's own signatures \
             ({}): signed by the same key as those; not independently attested",
            describe(r),
            r.key_source.as_deref().unwrap_or("?")
        );
        return finding(Verdict::Consistent, summary, results, normalised, extra);
    }
    if let Some(r) = results.iter().find(|r| r.result == DkimResult::Pass) {
        let mut why: Vec<String> = r
            .qualifiers
            .iter()
            .filter(|q| weakens(q))
            .cloned()
            .collect();
        if !injected.is_empty() {
            why.push(format!("duplicated headers: {}", injected.join(", ")));
        }
        let summary = format!(
            "DKIM signature {} verifies but does not prove the content ({})",
            describe(r),
            why.join("; ")
        );
        return finding(Verdict::Suspicious, summary, results, normalised, extra);
    }
    if let Some(r) = results
        .iter()
        .find(|r| r.result == DkimResult::PrivateKeyPublic)
    {
        let summary = format!("DKIM signature {}: {}", describe(r), r.detail);
        return finding(Verdict::Unverifiable, summary, results, normalised, extra);
    }
    let reasons: Vec<String> = results
        .iter()
        .map(|r| format!("{}: {}", describe(r), r.result.as_str()))
        .collect();
    let summary = format!("DKIM could not be checked ({})", reasons.join(", "));
    finding(Verdict::Unverifiable, summary, results, normalised, extra)
}

/// Qualifiers that keep a passing signature from proving the content.
fn weakens(q: &str) -> bool {
    matches!(
        q,
        "weak-key" | "l-partial" | "from-not-signed" | "far-outside-key-window"
    )
}

fn finding(
    verdict: Verdict,
    summary: String,
    signatures: Vec<SignatureResult>,
    normalised: Vec<String>,
    extra: serde_json::Value,
) -> Finding {
    let mut evidence = match extra {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    evidence.insert("signatures".into(), json!(signatures));
    evidence.insert("normalised".into(), json!(normalised));
    Finding {
        check: CheckId::EmailDkim,
        verdict,
        summary,
        evidence: evidence.into(),
    }
}

fn malformed(index: usize, detail: String) -> SignatureResult {
    SignatureResult {
        index,
        domain: String::new(),
        selector: String::new(),
        algorithm: String::new(),
        canonicalization: String::new(),
        result: DkimResult::Malformed,
        detail,
        key_bits: None,
        key_source: None,
        key_obtained: None,
        key_origin: None,
        key_twin: None,
        signed_at: None,
        expires_at: None,
        signed_headers: vec![],
        unsigned_displayed: vec![],
        over_signed: vec![],
        body_length_limit: None,
        unsigned_body_bytes: None,
        aligned: false,
        qualifiers: vec![],
    }
}

fn is_dns_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn canonical_len(c: Canonicalization, body: &[u8]) -> u64 {
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    c.canonical_body(body, 0).write(&mut out);
    out.len() as u64
}

/// How many times each header name occurs, names compared without case.
/// A list, not a map: a message has a dozen or so distinct names, and this
/// runs for every message of the dump.
struct HeaderCounts<'a>(Vec<(&'a [u8], usize)>);

impl<'a> HeaderCounts<'a> {
    fn of(msg: &AuthenticatedMessage<'a>) -> HeaderCounts<'a> {
        let mut counts: Vec<(&[u8], usize)> = Vec::with_capacity(msg.headers.len());
        for &(name, _) in &msg.headers {
            let name = name.trim_ascii();
            match counts
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
        HeaderCounts(counts)
    }

    fn get(&self, name: &str) -> usize {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map_or(0, |(_, c)| *c)
    }
}

enum Endings {
    Crlf,
    Lf,
    Mixed,
}

fn line_endings(raw: &[u8]) -> Endings {
    // Only the CR and LF bytes matter: memchr finds them many bytes at a
    // time (a byte-by-byte scan was 7 % of verifying a 2 KB message).
    let (mut crlf, mut bare_lf, mut bare_cr) = (0usize, 0usize, 0usize);
    for at in memchr::memchr2_iter(b'\r', b'\n', raw) {
        if raw[at] == b'\n' {
            if at > 0 && raw[at - 1] == b'\r' {
                crlf += 1;
            } else {
                bare_lf += 1;
            }
        } else if raw.get(at + 1) != Some(&b'\n') {
            bare_cr += 1;
        }
        if bare_cr > 0 || (bare_lf > 0 && crlf > 0) {
            return Endings::Mixed;
        }
    }
    match (crlf, bare_lf, bare_cr) {
        (_, 0, 0) => Endings::Crlf,
        (0, _, 0) => Endings::Lf,
        _ => Endings::Mixed,
    }
}

fn lf_to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    for &b in raw {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn has_quoted_from(raw: &[u8]) -> bool {
    raw.split(|&b| b == b'\n').any(is_quoted_from)
}

fn is_quoted_from(line: &[u8]) -> bool {
    let n = line.iter().take_while(|&&b| b == b'>').count();
    n > 0 && line[n..].starts_with(b"From ")
}

fn unquote_from(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, line) in raw.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(if is_quoted_from(line) {
            &line[1..]
        } else {
            line
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ending_classes() {
        assert!(matches!(line_endings(b"a\r\nb\r\n"), Endings::Crlf));
        assert!(matches!(line_endings(b"a\nb\n"), Endings::Lf));
        assert!(matches!(line_endings(b"a\r\nb\n"), Endings::Mixed));
        assert!(matches!(line_endings(b"a\rb\r"), Endings::Mixed));
        assert!(matches!(line_endings(b"a\r\nb\r"), Endings::Mixed));
        assert!(matches!(line_endings(b"a\r\r\n"), Endings::Mixed));
        assert!(matches!(line_endings(b"\na\n"), Endings::Lf));
        assert!(matches!(line_endings(b"no ending"), Endings::Crlf));
        assert_eq!(lf_to_crlf(b"a\nb\n"), b"a\r\nb\r\n");
        assert_eq!(
            unquote_from(b"x\n>From a\n>>From b\n"),
            b"x\nFrom a\n>From b\n"
        );
    }
}
