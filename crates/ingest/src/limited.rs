//! A reader that enforces the size and ratio limits on a decompressing stream
//! (declared sizes in archives can lie, so the bytes themselves are counted).

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leakcheck_core::Limits;

pub struct Limited<'a> {
    inner: &'a mut dyn Read,
    read: u64,
    max: u64,
    compressed: Option<u64>,
    limits: &'a Limits,
    budget: &'a Arc<AtomicU64>,
    pub exceeded: Option<String>,
}

impl<'a> Limited<'a> {
    pub fn new(
        inner: &'a mut dyn Read,
        compressed: Option<u64>,
        limits: &'a Limits,
        budget: &'a Arc<AtomicU64>,
    ) -> Limited<'a> {
        Limited {
            inner,
            read: 0,
            max: limits.max_item_bytes,
            compressed,
            limits,
            budget,
            exceeded: None,
        }
    }

    fn check(&mut self, n: u64) -> Option<String> {
        if self.read > self.max {
            return Some(format!("larger than max_item_bytes ({} bytes)", self.max));
        }
        if let Some(c) = self.compressed
            && self.read > self.limits.ratio_floor_bytes
            && self.read > c.max(1).saturating_mul(self.limits.max_ratio)
        {
            return Some(format!(
                "expands more than {}x ({} compressed bytes gave over {} bytes): a decompression bomb?",
                self.limits.max_ratio, c, self.read
            ));
        }
        let within_budget = self
            .budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .is_ok();
        if !within_budget {
            return Some(format!(
                "the source expands to more than max_expanded_bytes ({} bytes)",
                self.limits.max_expanded_bytes
            ));
        }
        None
    }
}

impl Read for Limited<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some(why) = self.check(n as u64) {
            self.exceeded = Some(why.clone());
            return Err(io::Error::other(why));
        }
        Ok(n)
    }
}
