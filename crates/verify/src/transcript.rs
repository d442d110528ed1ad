//! The DKIM transcript of a message, for evidence reports: per signature,
//! the header as it stands, the exact bytes the signature covers (the
//! canonicalised signed header block, RFC 6376 3.7) and the body hash
//! computed beside the one the signature claims. With these and the key a
//! reader can redo the RSA or Ed25519 check with any tool.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_auth::AuthenticatedMessage;
use serde::Serialize;

use crate::dkim::normalise;
use crate::signed::{SignaturePositions, canon_name, computed_body_hash, strip_b_value};

/// What one DKIM-Signature header signs, recomputed from the message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DkimTranscript {
    /// Position among the message's DKIM-Signature headers, top first
    /// (the `index` of the verification's signature results).
    pub index: usize,
    /// The header's value as stored (unfolded lines kept).
    pub header: String,
    /// `d=` and `s=`: the key's DNS name is `s._domainkey.d`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// `c=`, header/body.
    pub canonicalization: String,
    /// `h=`, as listed.
    pub signed_headers: Vec<String>,
    /// The canonicalised header block the signature `b=` is computed over,
    /// the DKIM-Signature itself last with its `b=` value emptied.
    pub signed_block: String,
    /// `bh=` as claimed (base64).
    pub body_hash_claimed: String,
    /// The body hash of the message as it is (base64), same canonicalisation,
    /// algorithm and `l=`.
    pub body_hash_computed: Option<String>,
    /// Whether the two agree.
    pub body_hash_matches: bool,
}

/// The transcript of every parsable DKIM signature of `raw`, verified as
/// `verify` verifies it (LF-only files get CRLF first).
pub fn dkim_transcript(raw: &[u8]) -> Vec<DkimTranscript> {
    let (bytes, _) = normalise(raw);
    let Some(msg) = AuthenticatedMessage::parse_with_opts(&bytes, None, false) else {
        return Vec::new();
    };
    let positions = SignaturePositions::of(&msg);
    msg.dkim_headers
        .iter()
        .map(|h| {
            let sig = &h.header;
            let stripped = strip_b_value(h.value);
            let mut block: Vec<u8> = Vec::new();
            sig.ch
                .canonicalize_headers(msg.signed_headers(&sig.h, h.name, &stripped), &mut block);
            let computed = computed_body_hash(&msg, sig.cb, sig.a, sig.l);
            DkimTranscript {
                index: positions.index(h.value),
                header: String::from_utf8_lossy(h.value).trim().to_string(),
                domain: sig.d.clone(),
                selector: sig.s.clone(),
                canonicalization: format!("{}/{}", canon_name(sig.ch), canon_name(sig.cb)),
                signed_headers: sig.h.clone(),
                signed_block: String::from_utf8_lossy(&block).into_owned(),
                body_hash_claimed: STANDARD.encode(&sig.bh),
                body_hash_matches: computed == Some(&sig.bh[..]),
                body_hash_computed: computed.map(|h| STANDARD.encode(h)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message signed (relaxed/relaxed) by a test key; its body hash is
    /// that of the body below, so the transcript must agree with it, and
    /// must not once the body changes.
    const SIGNED: &str = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel;\r\n h=from:subject; bh=j+uJ1+KwQjMpdNiCngwvlv2FTzZnzkokoCYASnN36NE=; b=AAAA\r\nFrom: A <a@example.org>\r\nSubject:  Hello\r\n\r\nHi\r\n";

    #[test]
    fn the_transcript_shows_what_is_signed() {
        let t = dkim_transcript(SIGNED.as_bytes());
        assert_eq!(t.len(), 1);
        let t = &t[0];
        assert_eq!(
            (t.domain.as_str(), t.selector.as_str()),
            ("example.org", "sel")
        );
        assert_eq!(t.canonicalization, "relaxed/relaxed");
        // Relaxed: names lower-cased, runs of spaces folded, the signature
        // last with b= empty and no final CRLF.
        assert!(
            t.signed_block
                .starts_with("from:A <a@example.org>\r\nsubject:Hello\r\n")
        );
        assert!(
            t.signed_block.starts_with("from:") && t.signed_block.contains("dkim-signature:v=1;")
        );
        assert!(t.signed_block.ends_with("b="), "{:?}", t.signed_block);
        assert_eq!(
            t.body_hash_computed.as_deref(),
            Some(t.body_hash_claimed.as_str())
        );
        assert!(t.body_hash_matches);
        let changed = SIGNED.replace("Hi\r\n", "Hi there\r\n");
        let t = &dkim_transcript(changed.as_bytes())[0];
        assert!(!t.body_hash_matches);
        assert_ne!(
            t.body_hash_computed.as_deref(),
            Some(t.body_hash_claimed.as_str())
        );
    }

    #[test]
    fn no_signature_no_transcript() {
        assert!(dkim_transcript(b"From: a@b\r\n\r\nx").is_empty());
        assert!(dkim_transcript(b"\xff\xfe").is_empty());
    }
}
