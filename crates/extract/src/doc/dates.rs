//! One normal form for the date spellings found in documents:
//! `YYYY-MM-DDTHH:MM:SS`, followed by `Z` or `±HH:MM` when the source says
//! which zone, and by nothing when it does not (EXIF, DOS, Word DOP dates
//! are local time of an unknown zone).

use chrono::{DateTime, NaiveDate};

/// Formats validated parts; `None` for impossible dates (month 13, Feb 30).
/// `zone` is the UTC offset in minutes, `Some(0)` printing as `Z`.
pub fn from_parts(
    y: i32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    zone: Option<i32>,
) -> Option<String> {
    let dt = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, s)?;
    Some(format!(
        "{}{}",
        dt.format("%Y-%m-%dT%H:%M:%S"),
        zone_suffix(zone)
    ))
}

fn zone_suffix(zone: Option<i32>) -> String {
    match zone {
        None => String::new(),
        Some(0) => "Z".into(),
        Some(m) => {
            let sign = if m < 0 { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
        }
    }
}

fn num(s: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// A PDF date (ISO 32000-1 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, every part
/// after the year optional. Tolerates a missing `D:` and a trailing `'`.
pub fn pdf(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 4 {
        return None;
    }
    let y = num(s, 0..4)? as i32;
    let part = |r: std::ops::Range<usize>, default: u32| {
        if digits >= r.end {
            num(s, r)
        } else {
            Some(default)
        }
    };
    let (mo, d) = (part(4..6, 1)?, part(6..8, 1)?);
    let (h, mi, sec) = (part(8..10, 0)?, part(10..12, 0)?, part(12..14, 0)?);
    let rest = &s[digits.min(14)..];
    let zone = match rest.as_bytes().first() {
        Some(b'Z') => Some(0),
        Some(&c @ (b'+' | b'-')) => {
            let z: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let hh: i32 = z.get(0..2)?.parse().ok()?;
            let mm: i32 = z.get(2..4).and_then(|m| m.parse().ok()).unwrap_or(0);
            let m = hh * 60 + mm;
            Some(if c == b'-' { -m } else { m })
        }
        _ => None,
    };
    from_parts(y, mo, d, h, mi, sec, zone)
}

/// An EXIF date `YYYY:MM:DD HH:MM:SS` (local time, zone unknown). The
/// all-zero and blank placeholders cameras write give `None`.
pub fn exif(raw: &str) -> Option<String> {
    let s = raw.trim().trim_end_matches('\0');
    if s.len() < 10 {
        return None;
    }
    let y = num(s, 0..4)? as i32;
    let (mo, d) = (num(s, 5..7)?, num(s, 8..10)?);
    let (h, mi, sec) = if s.len() >= 19 {
        (num(s, 11..13)?, num(s, 14..16)?, num(s, 17..19)?)
    } else {
        (0, 0, 0)
    };
    from_parts(y, mo, d, h, mi, sec, None)
}

/// An ISO 8601 / W3C-DTF date as XMP, OOXML and ODF write it: `YYYY`,
/// `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.f]][Z|±hh:mm]`.
pub fn iso(raw: &str) -> Option<String> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        let off = dt.offset().local_minus_utc() / 60;
        let zone = if s.ends_with('Z') || s.ends_with('z') {
            0
        } else {
            off
        };
        return Some(format!(
            "{}{}",
            dt.naive_local().format("%Y-%m-%dT%H:%M:%S"),
            zone_suffix(Some(zone))
        ));
    }
    let y = num(s, 0..4)? as i32;
    let mo = if s.len() >= 7 { num(s, 5..7)? } else { 1 };
    let d = if s.len() >= 10 { num(s, 8..10)? } else { 1 };
    if s.len() <= 10 {
        return from_parts(y, mo, d, 0, 0, 0, None);
    }
    let (time, zone) = split_zone(&s[11..]);
    let zone = match zone {
        Some(z) => Some(parse_zone(z)?),
        None => None,
    };
    let h = num(time, 0..2)?;
    let mi = num(time, 3..5).unwrap_or(0);
    let sec = num(time, 6..8).unwrap_or(0);
    from_parts(y, mo, d, h, mi, sec, zone)
}

fn split_zone(t: &str) -> (&str, Option<&str>) {
    match t.find(['Z', 'z', '+', '-']) {
        Some(i) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    }
}

fn parse_zone(z: &str) -> Option<i32> {
    if z.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z[1..].chars().filter(char::is_ascii_digit).collect();
    let hh: i32 = digits.get(0..2)?.parse().ok()?;
    let mm: i32 = digits.get(2..4).and_then(|m| m.parse().ok()).unwrap_or(0);
    Some(sign * (hh * 60 + mm))
}

/// A Windows FILETIME (100 ns ticks since 1601-01-01 UTC); zero means unset.
pub fn filetime(ticks: u64) -> Option<String> {
    if ticks == 0 {
        return None;
    }
    let secs = (ticks / 10_000_000) as i64 - 11_644_473_600;
    let dt = DateTime::from_timestamp(secs, 0)?;
    Some(format!("{}Z", dt.naive_utc().format("%Y-%m-%dT%H:%M:%S")))
}

/// A DOS date and time pair (ZIP entries): local time, two-second steps.
pub fn dos(date: u16, time: u16) -> Option<String> {
    let y = 1980 + i32::from(date >> 9);
    let mo = u32::from((date >> 5) & 0x0f);
    let d = u32::from(date & 0x1f);
    let h = u32::from(time >> 11);
    let mi = u32::from((time >> 5) & 0x3f);
    let s = u32::from(time & 0x1f) * 2;
    from_parts(y, mo, d, h, mi, s, None)
}

pub use leakcheck_core::doc::parse_date as parse;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf("D:20230327101500+02'00'").as_deref(),
            Some("2023-03-27T10:15:00+02:00")
        );
        assert_eq!(
            pdf("D:20230327101500Z").as_deref(),
            Some("2023-03-27T10:15:00Z")
        );
        assert_eq!(pdf("D:2001").as_deref(), Some("2001-01-01T00:00:00"));
        assert_eq!(pdf("D:20011301").as_deref(), None);
        assert_eq!(pdf("yesterday"), None);
    }

    #[test]
    fn exif_iso_filetime_dos() {
        assert_eq!(
            exif("2003:12:14 12:01:44").as_deref(),
            Some("2003-12-14T12:01:44")
        );
        assert_eq!(exif("0000:00:00 00:00:00"), None);
        assert_eq!(exif("    :  :     :  :  "), None);
        assert_eq!(
            iso("2009-11-05T12:01:00Z").as_deref(),
            Some("2009-11-05T12:01:00Z")
        );
        assert_eq!(
            iso("2009-11-05T12:01-05:00").as_deref(),
            Some("2009-11-05T12:01:00-05:00")
        );
        assert_eq!(iso("2009-11-05").as_deref(), Some("2009-11-05T00:00:00"));
        assert_eq!(
            iso("2010-03-04T11:08:47.03").as_deref(),
            Some("2010-03-04T11:08:47")
        );
        assert_eq!(filetime(0), None);
        assert_eq!(
            filetime(116_444_736_000_000_000).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
        assert_eq!(dos(0x0021, 0).as_deref(), Some("1980-01-01T00:00:00"));
        let (dt, z) = parse("2009-11-05T12:01:00-05:00").unwrap();
        assert_eq!(
            (dt.to_string().as_str(), z),
            ("2009-11-05 12:01:00", Some(-300))
        );
    }
}
