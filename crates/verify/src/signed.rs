//! What DKIM and ARC signatures share once mail-auth has parsed them: the
//! body hash check and the signature header as it is signed (`b=` empty).
//! Both `dkim` and `arc` use these; neither imports the other for them.

use mail_auth::AuthenticatedMessage;
use mail_auth::common::crypto::{Algorithm, HashAlgorithm};
use mail_auth::dkim::Canonicalization;

/// The body hash mail-auth computed for these parameters, if it did.
pub(crate) fn computed_body_hash<'m>(
    msg: &'m AuthenticatedMessage<'_>,
    cb: Canonicalization,
    a: Algorithm,
    l: u64,
) -> Option<&'m [u8]> {
    let ha = HashAlgorithm::from(a);
    msg.body_hashes
        .iter()
        .find(|(c, h, len, _)| *c == cb && *h == ha && *len == l)
        .map(|x| x.3.as_slice())
}

/// Does the body hash mail-auth computed for these parameters match `bh`?
pub(crate) fn body_hash_matches(
    msg: &AuthenticatedMessage<'_>,
    cb: Canonicalization,
    a: Algorithm,
    l: u64,
    bh: &[u8],
) -> bool {
    computed_body_hash(msg, cb, a, l) == Some(bh)
}

/// Each DKIM-Signature header's position among the message's, top first,
/// parsed or not: mail-auth keeps the parsed ones and the unparsable ones
/// apart, and a header is known by where its value lies in the message.
pub(crate) struct SignaturePositions(Vec<*const u8>);

impl SignaturePositions {
    pub(crate) fn of(msg: &AuthenticatedMessage<'_>) -> SignaturePositions {
        SignaturePositions(
            msg.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(b"dkim-signature"))
                .map(|(_, v)| v.as_ptr())
                .collect(),
        )
    }

    /// The position of the header whose value is `value` (`usize::MAX` if
    /// it is none of them).
    pub(crate) fn index(&self, value: &[u8]) -> usize {
        self.0
            .iter()
            .position(|p| *p == value.as_ptr())
            .unwrap_or(usize::MAX)
    }
}

/// A canonicalisation's name in `c=`.
pub(crate) fn canon_name(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    }
}

/// The DKIM-Signature value with the `b=` tag's value and the header's
/// final line break removed (RFC 6376 3.7), as mail-auth's canonicaliser
/// expects it. mail-auth has this but does not export it.
pub(crate) fn strip_b_value(value: &[u8]) -> Vec<u8> {
    let value = value
        .strip_suffix(b"\r\n")
        .or_else(|| value.strip_suffix(b"\n"))
        .unwrap_or(value);
    let mut out = Vec::with_capacity(value.len());
    // Tag by tag: each runs to the next `;` (tag values cannot hold one).
    let mut rest = value;
    loop {
        let end = memchr::memchr(b';', rest).map_or(rest.len(), |i| i + 1);
        let (tag, tail) = rest.split_at(end);
        let name_at = tag
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(tag.len());
        let after_b = tag.get(name_at + 1..).unwrap_or_default();
        let eq = after_b
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        // Is this tag `b` (and not `bh`)? Keep its name and `=`, drop its value.
        if matches!(tag.get(name_at), Some(b'b' | b'B')) && after_b.get(eq) == Some(&b'=') {
            out.extend_from_slice(&tag[..=name_at + 1 + eq]);
            if tag.ends_with(b";") {
                out.push(b';');
            }
        } else {
            out.extend_from_slice(tag);
        }
        if tail.is_empty() {
            return out;
        }
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_the_b_tag() {
        assert_eq!(
            strip_b_value(b" v=1; a=rsa-sha256; bh=AAA=; b=XYZ\r\n\t123=; d=x"),
            b" v=1; a=rsa-sha256; bh=AAA=; b=; d=x".to_vec()
        );
        assert_eq!(strip_b_value(b"v=1; b=abc\r\n"), b"v=1; b=".to_vec());
        assert_eq!(strip_b_value(b"bh=1; b =x;"), b"bh=1; b =;".to_vec());
        assert_eq!(strip_b_value(b"B=x; bh=y; b"), b"B=; bh=y; b".to_vec());
        assert_eq!(
            strip_b_value(b"d=a;\r\n b\t= x y ;  "),
            b"d=a;\r\n b\t=;  ".to_vec()
        );
        assert_eq!(strip_b_value(b""), b"".to_vec());
        assert_eq!(strip_b_value(b" ; ;"), b" ; ;".to_vec());
    }
}
