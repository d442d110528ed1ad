/// Collects a document's text up to a byte limit, counting what it drops.
#[derive(Debug)]
pub struct TextSink {
    buf: String,
    max: usize,
    chars: u64,
    truncated: bool,
}

impl TextSink {
    /// A sink that keeps at most `max` bytes.
    pub fn new(max: usize) -> TextSink {
        TextSink {
            buf: String::new(),
            max,
            chars: 0,
            truncated: false,
        }
    }

    /// Appends text; past the limit it is only counted.
    pub fn push(&mut self, s: &str) {
        self.chars += s.chars().count() as u64;
        if self.truncated {
            return;
        }
        let room = self.max.saturating_sub(self.buf.len());
        if s.len() <= room {
            self.buf.push_str(s);
        } else {
            let mut cut = room;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            self.buf.push_str(&s[..cut]);
            self.truncated = true;
        }
    }

    /// Ends a paragraph or page: one line break, never a run of them.
    pub fn break_line(&mut self) {
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.push("\n");
        }
    }

    /// Whether the sink is already full (extractors may stop early).
    pub fn is_full(&self) -> bool {
        self.truncated
    }

    /// Characters seen, kept or not.
    pub fn chars(&self) -> u64 {
        self.chars
    }

    /// Whether text was dropped.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// The kept text.
    pub fn into_string(self) -> String {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_a_char_boundary_and_counts_the_rest() {
        let mut t = TextSink::new(5);
        t.push("abcé");
        t.push("éé");
        assert!(t.truncated());
        assert_eq!(t.chars(), 6);
        assert_eq!(t.into_string(), "abcé");
    }
}
