//! Byte-exact mbox splitting (mboxo, mboxrd, mboxcl, mboxcl2).
//!
//! Written here rather than with mail-parser's mbox iterator because that
//! iterator rewrites the bytes (it un-quotes `>From ` lines); DKIM needs the
//! message exactly as stored. Each message's bytes are everything after its
//! envelope `From ` line up to the next one, less the one blank line that
//! separates messages; the envelope line and separator are handed over as
//! occurrence facts, so `envelope + message + separator`, concatenated,
//! reproduces the mbox byte for byte.

use std::io::{BufRead, Read};

use serde_json::json;

use crate::{Flow, Listing, Member, MemberData, Result, Sink};

/// Longest line read in one piece; longer lines are handed on in chunks.
const MAX_LINE: u64 = 1 << 20;

/// Splits an mbox, calling `sink` for each message. Messages longer than
/// `max_message` bytes are reported as too large, not buffered.
pub fn expand<R: BufRead>(mut reader: R, max_message: u64, sink: &mut dyn Sink) -> Result<Listing> {
    let mut s = Splitter {
        max_message,
        ..Splitter::default()
    };
    let mut line = Vec::new();
    let mut offset = 0u64;
    loop {
        line.clear();
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        if s.feed(&line, offset, sink) == Flow::Stop {
            return Ok(s.listing(true));
        }
        offset += n as u64;
        // mboxcl: a Content-Length header lets the body hold unquoted `From `
        // lines. Trust it only when the bytes after it start a new message.
        if let Some(len) = s.pending_content_length.take()
            && len <= max_message
        {
            let mut body = Vec::new();
            (&mut reader).take(len).read_to_end(&mut body)?;
            let next = reader.fill_buf()?;
            let ends_well = body.len() as u64 == len
                && (next.is_empty()
                    || next.starts_with(b"From ")
                    || next.starts_with(b"\nFrom ")
                    || next.starts_with(b"\r\nFrom "));
            offset += body.len() as u64;
            if ends_well {
                s.content_length_used += 1;
                s.body.extend_from_slice(&body);
                s.count_quoted_in(&body);
            } else {
                // Wrong length: read those bytes line by line instead.
                let mut at = offset - body.len() as u64;
                for l in body.split_inclusive(|&b| b == b'\n') {
                    if s.feed(l, at, sink) == Flow::Stop {
                        return Ok(s.listing(true));
                    }
                    at += l.len() as u64;
                }
                s.pending_content_length = None;
            }
        }
    }
    s.finish(sink);
    Ok(s.listing(false))
}

#[derive(Default)]
struct Splitter {
    max_message: u64,
    index: u64,
    envelope: Option<(Vec<u8>, u64)>,
    body: Vec<u8>,
    too_large: bool,
    in_headers: bool,
    prev_empty: bool,
    content_length: Option<u64>,
    pending_content_length: Option<u64>,
    content_length_used: u64,
    quoted_from: u64,
    nested_quoted_from: u64,
    leading_garbage: u64,
}

impl Splitter {
    fn feed(&mut self, line: &[u8], offset: u64, sink: &mut dyn Sink) -> Flow {
        let is_start = line.starts_with(b"From ")
            && (self.envelope.is_none() || self.prev_empty || looks_like_envelope(line));
        if is_start {
            if self.finish(sink) == Flow::Stop {
                return Flow::Stop;
            }
            self.envelope = Some((line.to_vec(), offset));
            self.in_headers = true;
            self.prev_empty = false;
            self.content_length = None;
            return Flow::Continue;
        }
        if self.envelope.is_none() {
            // Bytes before the first envelope line are not a message; count
            // them so the caller can say so.
            self.leading_garbage += line.len() as u64;
            return Flow::Continue;
        }
        let content = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(line);
        self.prev_empty = content.is_empty();
        if self.in_headers {
            if content.is_empty() {
                self.in_headers = false;
                self.pending_content_length = self.content_length.take();
            } else if let Some(v) = header_value(content, b"content-length") {
                self.content_length = std::str::from_utf8(v)
                    .ok()
                    .and_then(|v| v.trim().parse().ok());
            }
        } else {
            self.count_quoted(content);
        }
        if !self.too_large {
            if (self.body.len() + line.len()) as u64 > self.max_message {
                self.too_large = true;
                self.body = Vec::new();
            } else {
                self.body.extend_from_slice(line);
            }
        }
        Flow::Continue
    }

    fn count_quoted(&mut self, content: &[u8]) {
        let stripped = content.iter().take_while(|&&b| b == b'>').count();
        if stripped > 0 && content[stripped..].starts_with(b"From ") {
            self.quoted_from += 1;
            if stripped > 1 {
                self.nested_quoted_from += 1;
            }
        }
    }

    fn count_quoted_in(&mut self, body: &[u8]) {
        for l in body.split(|&b| b == b'\n') {
            self.count_quoted(l.strip_suffix(b"\r").unwrap_or(l));
        }
    }

    /// Hands over the message collected so far.
    fn finish(&mut self, sink: &mut dyn Sink) -> Flow {
        let Some((envelope, offset)) = self.envelope.take() else {
            return Flow::Continue;
        };
        let mut body = std::mem::take(&mut self.body);
        let separator: &[u8] = if body.ends_with(b"\r\n\r\n") {
            b"\r\n"
        } else if body.ends_with(b"\n\n") {
            b"\n"
        } else {
            b""
        };
        body.truncate(body.len() - separator.len());
        let extra = json!({
            "envelope": String::from_utf8_lossy(&envelope),
            "offset": offset,
            "separator": String::from_utf8_lossy(separator),
        });
        let data = if std::mem::take(&mut self.too_large) {
            MemberData::TooLarge(self.max_message)
        } else {
            MemberData::Bytes(body)
        };
        let index = self.index;
        self.index += 1;
        sink.member(Member {
            name: format!("message {}", index + 1),
            index,
            declared_size: None,
            compressed_size: None,
            extra: Some(extra),
            data,
        })
    }

    fn listing(&self, stopped: bool) -> Listing {
        let variant = if self.content_length_used > 0 {
            if self.quoted_from == 0 {
                "mboxcl2"
            } else {
                "mboxcl"
            }
        } else if self.nested_quoted_from > 0 {
            "mboxrd"
        } else if self.quoted_from > 0 {
            "mboxo or mboxrd"
        } else {
            "mbox (no quoted From lines)"
        };
        let mut warning = None;
        if self.leading_garbage > 0 {
            warning = Some(format!(
                "{} bytes before the first envelope line are not part of any message",
                self.leading_garbage
            ));
        }
        if stopped {
            warning = Some("stopped early: a limit was reached".into());
        }
        Listing {
            expected: self.index,
            detail: Some(json!({
                "variant": variant,
                "quoted_from_lines": self.quoted_from,
                "unquoting_may_apply": self.quoted_from > 0,
                "content_length_messages": self.content_length_used,
            })),
            warning,
        }
    }
}

/// `From sender date...`: a sender token and something with a digit.
fn looks_like_envelope(line: &[u8]) -> bool {
    let rest = &line[5..];
    let mut parts = rest.splitn(2, |&b| b == b' ');
    let sender = parts.next().unwrap_or_default();
    let date = parts.next().unwrap_or_default();
    !sender.is_empty() && date.iter().any(u8::is_ascii_digit)
}

fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    line[..colon]
        .eq_ignore_ascii_case(name)
        .then(|| &line[colon + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(mbox: &[u8]) -> (Vec<(Vec<u8>, serde_json::Value)>, Listing) {
        let mut out = Vec::new();
        let listing = expand(mbox, 1 << 20, &mut |m: Member<'_>| {
            let MemberData::Bytes(b) = m.data else {
                panic!("bytes expected")
            };
            out.push((b, m.extra.unwrap()));
            Flow::Continue
        })
        .unwrap();
        (out, listing)
    }

    fn rebuild(parts: &[(Vec<u8>, serde_json::Value)]) -> Vec<u8> {
        let mut v = Vec::new();
        for (b, e) in parts {
            v.extend_from_slice(e["envelope"].as_str().unwrap().as_bytes());
            v.extend_from_slice(b);
            v.extend_from_slice(e["separator"].as_str().unwrap().as_bytes());
        }
        v
    }

    #[test]
    fn mboxrd_quoting_is_kept_and_reported() {
        let mbox =
            b"From a@x Mon Jan  1 00:00:00 2001\nSubject: 1\n\n>From the start\n>>From nested\n\n\
From b@x Mon Jan  1 00:00:01 2001\nSubject: 2\n\nbody\n";
        let (parts, listing) = split(mbox);
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0].0,
            b"Subject: 1\n\n>From the start\n>>From nested\n"
        );
        assert_eq!(parts[1].0, b"Subject: 2\n\nbody\n");
        assert_eq!(rebuild(&parts), mbox);
        let d = listing.detail.unwrap();
        assert_eq!(d["variant"], "mboxrd");
        assert_eq!(d["unquoting_may_apply"], true);
    }

    #[test]
    fn mboxcl2_content_length_allows_unquoted_from_lines() {
        let body = b"line\nFrom inside the body, unquoted 2001\nend\n";
        let mut mbox = format!(
            "From a@x Mon Jan  1 00:00:00 2001\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        mbox.extend_from_slice(body);
        mbox.extend_from_slice(b"\nFrom b@x Mon Jan  1 00:00:01 2001\r\nSubject: 2\r\n\r\nx\r\n");
        let (parts, listing) = split(&mbox);
        assert_eq!(parts.len(), 2, "the body's From line is not a separator");
        assert_eq!(rebuild(&parts), mbox);
        assert_eq!(listing.detail.unwrap()["variant"], "mboxcl2");
    }

    #[test]
    fn a_wrong_content_length_falls_back_to_from_lines() {
        let mbox = b"From a@x Mon Jan  1 00:00:00 2001\nContent-Length: 9999\n\nshort\n\nFrom b@x Mon Jan  1 00:00:01 2001\nSubject: 2\n\nx\n";
        let (parts, _) = split(mbox);
        assert_eq!(parts.len(), 2);
        assert_eq!(rebuild(&parts), mbox);
    }

    #[test]
    fn crlf_separators_and_leading_garbage() {
        let mbox = b"junk\r\nFrom a@x Mon Jan  1 00:00:00 2001\r\nSubject: 1\r\n\r\nhi\r\n\r\nFrom b@x Mon Jan  1 00:00:01 2001\r\nSubject: 2\r\n\r\nyo\r\n";
        let (parts, listing) = split(mbox);
        assert_eq!(parts[0].0, b"Subject: 1\r\n\r\nhi\r\n");
        assert_eq!(parts[0].1["separator"], "\r\n");
        assert!(
            listing
                .warning
                .unwrap()
                .contains("6 bytes before the first envelope")
        );
    }

    #[test]
    fn oversized_messages_are_reported_not_buffered() {
        let mut mbox = b"From a@x Mon Jan  1 00:00:00 2001\nSubject: big\n\n".to_vec();
        mbox.extend(std::iter::repeat_n(b'z', 5000));
        mbox.extend_from_slice(b"\n\nFrom b@x Mon Jan  1 00:00:01 2001\nSubject: 2\n\nx\n");
        let mut kinds = Vec::new();
        expand(&mbox[..], 1000, &mut |m: Member<'_>| {
            kinds.push(matches!(m.data, MemberData::TooLarge(1000)));
            Flow::Continue
        })
        .unwrap();
        assert_eq!(kinds, [true, false]);
    }
}
