//! Counts in sentences: "1 item", "3 items". Every message that states a
//! number of things goes through here, so that none reads "1 items" or
//! hedges with "item(s)".

/// `n` followed by the noun's singular or plural: `count(1, "item", "items")`
/// is "1 item".
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    format!("{n} {}", noun(n, one, many))
}

/// The singular when `n` is 1, else the plural (for tables that pad the
/// number apart).
pub fn noun<'a>(n: impl TryInto<u64>, one: &'a str, many: &'a str) -> &'a str {
    if n.try_into().ok() == Some(1) {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_every_other_count_plural() {
        assert_eq!(count(1u64, "item", "items"), "1 item");
        assert_eq!(count(0u64, "item", "items"), "0 items");
        assert_eq!(count(2usize, "copy", "copies"), "2 copies");
        assert_eq!(noun(1u8, "place", "places"), "place");
        assert_eq!(noun(21u64, "place", "places"), "places");
    }
}
