//! Apple Mail `.emlx`: a line with the message's byte count, the message
//! (RFC 5322, stored exactly), then an XML property list of Apple Mail's
//! own (flags, dates, the original mailbox), kept on the occurrence.

use serde_json::json;

use crate::{ExtractError, Listing, Member, MemberData, Result, Sink};

/// The byte count on the first line and where the message starts, when
/// `head` opens like an `.emlx`.
pub fn byte_count(head: &[u8]) -> Option<(u64, usize)> {
    let end = head.iter().take(24).position(|&b| b == b'\n')?;
    let line = head[..end].trim_ascii();
    if line.is_empty() || !line.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((std::str::from_utf8(line).ok()?.parse().ok()?, end + 1))
}

/// Hands the message of an `.emlx` to `sink`, with the property list that
/// follows it in the member's `extra`.
pub fn expand(bytes: &[u8], sink: &mut dyn Sink) -> Result<Listing> {
    let (count, start) =
        byte_count(bytes).ok_or_else(|| ExtractError::malformed("emlx", "no byte count line"))?;
    let available = (bytes.len() - start) as u64;
    let (message, plist, warning) = if count <= available {
        let end = start + count as usize;
        let plist = String::from_utf8_lossy(&bytes[end..]).into_owned();
        (&bytes[start..end], Some(plist), None)
    } else {
        (
            &bytes[start..],
            None,
            Some(format!(
                "emlx declares a {count}-byte message and holds {available} bytes: the message is cut short"
            )),
        )
    };
    let data = if warning.is_some() {
        MemberData::Unreadable(format!(
            "message cut short: {available} of the {count} bytes its first line declares"
        ))
    } else {
        MemberData::Bytes(message.to_vec())
    };
    sink.member(Member {
        name: "message.eml".into(),
        index: 0,
        declared_size: Some(count),
        compressed_size: None,
        extra: Some(json!({"derived": "emlx", "plist": plist})),
        data,
    });
    Ok(Listing {
        expected: 1,
        detail: Some(json!({"byte_count": count})),
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flow;

    #[test]
    fn message_and_plist() {
        let msg = b"From: a@b\r\nSubject: hi\r\n\r\nbody\r\n";
        let mut f = format!("{}\n", msg.len()).into_bytes();
        f.extend(msg);
        f.extend(b"<?xml version=\"1.0\"?>\n<plist><dict><key>flags</key><integer>8590195713</integer></dict></plist>\n");
        assert_eq!(byte_count(&f), Some((msg.len() as u64, 3)));
        let mut got = None;
        expand(&f, &mut |m: Member<'_>| {
            if let MemberData::Bytes(b) = m.data {
                got = Some((b, m.extra));
            }
            Flow::Continue
        })
        .unwrap();
        let (bytes, extra) = got.unwrap();
        assert_eq!(bytes, msg);
        assert!(
            extra.unwrap()["plist"]
                .as_str()
                .unwrap()
                .contains("<key>flags</key>")
        );
        // Cut short: no bytes handed over as the message.
        let l = expand(&f[..20], &mut |m: Member<'_>| {
            assert!(matches!(m.data, MemberData::Unreadable(_)));
            Flow::Continue
        })
        .unwrap();
        assert!(l.warning.is_some());
        assert_eq!(byte_count(b"From: x\n"), None);
    }
}
