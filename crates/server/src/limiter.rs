//! The login limiter: how many password guesses a client gets.
//!
//! An attempt is *reserved* before its password is checked and counts as a
//! failure unless it succeeds, so simultaneous guesses cannot all pass the
//! check before the first failure is written down. Attempts are counted per
//! (name, address) and per address, never per name alone: failing a
//! password from one place does not lock the account for anyone else.
//! Memory is bounded: at most [`MAX_TRACKED`] keys, the oldest evicted
//! first, and a refused attempt stores nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts allowed for one name from one address within [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES: usize = 5;
/// Attempts allowed from one address, whatever the names, within the window.
pub const ADDRESS_FAILURES: usize = 20;
/// The window attempts are counted in.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Keys (name and address, or address) the limiter remembers at most.
pub const MAX_TRACKED: usize = 10_000;

/// Where a login comes from: an IPv4 address, or an IPv6 /64 (one machine
/// usually holds a whole /64, so counting single IPv6 addresses would give
/// it billions of tries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Origin {
    V4(u32),
    V6(u64),
    /// No address known (in-process callers).
    Unknown,
}

fn origin(peer: Option<IpAddr>) -> Origin {
    match peer {
        Some(IpAddr::V4(a)) => Origin::V4(a.into()),
        Some(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(v4) => Origin::V4(v4.into()),
            None => Origin::V6((u128::from(a) >> 64) as u64),
        },
        None => Origin::Unknown,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// A lower-cased user name from an origin.
    Pair(String, Origin),
    /// An origin.
    From(Origin),
}

impl Key {
    fn limit(&self) -> usize {
        match self {
            Key::Pair(..) => LOGIN_FAILURES,
            Key::From(_) => ADDRESS_FAILURES,
        }
    }
}

/// Recent attempts by key.
#[derive(Default)]
pub struct Limiter {
    attempts: Mutex<HashMap<Key, Vec<Instant>>>,
}

/// A reserved attempt: a failure unless [`Attempt::succeeded`] is called
/// (so an attempt whose request is dropped half-way still counts).
pub struct Attempt<'a> {
    limiter: &'a Limiter,
    keys: Vec<Key>,
    at: Instant,
}

impl Limiter {
    /// Reserves an attempt for `name` (when it could be a user's name) from
    /// `peer`, or says how many seconds to wait.
    pub fn reserve(&self, name: Option<&str>, peer: Option<IpAddr>) -> Result<Attempt<'_>, u64> {
        let from = origin(peer);
        let mut keys = vec![Key::From(from)];
        if let Some(n) = name {
            keys.push(Key::Pair(n.to_lowercase(), from));
        }
        let now = Instant::now();
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for key in &keys {
            if let Some(list) = map.get_mut(key) {
                list.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
                if list.len() >= key.limit() {
                    let left = LOGIN_WINDOW.saturating_sub(now.duration_since(list[0]));
                    wait = wait.max(Some(left.as_secs().max(1)));
                }
            }
        }
        if let Some(w) = wait {
            return Err(w);
        }
        for key in &keys {
            if !map.contains_key(key) && map.len() >= MAX_TRACKED {
                evict(&mut map, now);
            }
            map.entry(key.clone()).or_default().push(now);
        }
        Ok(Attempt {
            limiter: self,
            keys,
            at: now,
        })
    }

    /// Keys remembered now (for tests and the README's bound).
    pub fn tracked(&self) -> usize {
        self.attempts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

/// Makes room: drops expired attempts and empty keys, then, if still
/// full, the tenth of the keys whose last attempt is oldest (a tenth at a
/// time, so that a flood of new keys does not rescan the map for each).
fn evict(map: &mut HashMap<Key, Vec<Instant>>, now: Instant) {
    map.retain(|_, list| {
        list.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
        !list.is_empty()
    });
    if map.len() < MAX_TRACKED {
        return;
    }
    let mut last: Vec<Instant> = map.values().filter_map(|l| l.last().copied()).collect();
    let tenth = last.len() / 10;
    let (_, cutoff, _) = last.select_nth_unstable(tenth);
    let cutoff = *cutoff;
    map.retain(|_, list| list.last().is_some_and(|t| *t > cutoff));
}

impl Attempt<'_> {
    /// The password was right: the attempt does not count, and the name's
    /// earlier failures from this address are forgotten.
    pub fn succeeded(self) {
        self.release(true);
    }

    /// The password was never checked (the server was busy): the attempt
    /// does not count.
    pub fn cancel(self) {
        self.release(false);
    }

    fn release(self, forget_pair: bool) {
        let mut map = self
            .limiter
            .attempts
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for key in &self.keys {
            let Some(list) = map.get_mut(key) else {
                continue;
            };
            if forget_pair && matches!(key, Key::Pair(..)) {
                list.clear();
            } else if let Some(i) = list.iter().position(|t| *t == self.at) {
                list.remove(i);
            }
            if list.is_empty() {
                map.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_name_is_limited_per_address_and_an_address_across_names() {
        let l = Limiter::default();
        for _ in 0..LOGIN_FAILURES {
            l.reserve(Some("Ada"), ip("10.0.0.1")).unwrap();
        }
        assert!(l.reserve(Some("ada"), ip("10.0.0.1")).is_err());
        // Another address may still try the same name: no lock for everyone.
        l.reserve(Some("ada"), ip("10.0.0.2")).unwrap().succeeded();
        // One address trying many names stops at ADDRESS_FAILURES.
        for i in 0..ADDRESS_FAILURES - LOGIN_FAILURES {
            l.reserve(Some(&format!("n{i}")), ip("10.0.0.1")).unwrap();
        }
        assert!(l.reserve(Some("zed"), ip("10.0.0.1")).is_err());
        assert!(l.reserve(None, ip("10.0.0.1")).is_err());
        // An IPv6 /64 is one origin.
        for i in 0..LOGIN_FAILURES {
            l.reserve(Some("ada"), ip(&format!("2001:db8::{i}")))
                .unwrap();
        }
        assert!(l.reserve(Some("ada"), ip("2001:db8::ffff")).is_err());
    }

    #[test]
    fn success_frees_its_reservation_and_refusals_store_nothing() {
        let l = Limiter::default();
        for _ in 0..LOGIN_FAILURES - 1 {
            l.reserve(Some("ada"), ip("10.0.0.1")).unwrap();
        }
        l.reserve(Some("ada"), ip("10.0.0.1")).unwrap().succeeded();
        for _ in 0..LOGIN_FAILURES {
            l.reserve(Some("ada"), ip("10.0.0.1")).unwrap();
        }
        // The address has 9 failures: 11 new names pass, the rest are
        // refused without being remembered.
        let before = l.tracked();
        let passed = (0..100)
            .filter(|i| l.reserve(Some(&format!("x{i}")), ip("10.0.0.1")).is_ok())
            .count();
        assert_eq!(passed, ADDRESS_FAILURES - (2 * LOGIN_FAILURES - 1));
        assert_eq!(l.tracked(), before + passed);
    }

    #[test]
    fn memory_is_bounded() {
        let l = Limiter::default();
        for i in 0..(MAX_TRACKED as u32 + 500) {
            let peer = Some(IpAddr::V4(i.into()));
            l.reserve(Some("ada"), peer).unwrap();
        }
        assert!(l.tracked() <= MAX_TRACKED, "{}", l.tracked());
    }
}
