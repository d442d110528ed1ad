//! Unix seconds as text: the one formatter, so that every date leakcheck
//! derives from a timestamp reads the same (`2017-04-10T07:00:00+00:00`).

/// `unix` seconds as RFC 3339 in UTC; `None` when out of chrono's range.
pub fn rfc3339(unix: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix, 0).map(|d| d.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc_and_refuses_what_is_out_of_range() {
        assert_eq!(
            rfc3339(1_491_807_600).as_deref(),
            Some("2017-04-10T07:00:00+00:00")
        );
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00+00:00"));
        assert_eq!(rfc3339(i64::MAX), None);
    }
}
