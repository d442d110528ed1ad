//! `email.leak-window`: an email dated outside the claimed leak period.

use chrono::DateTime;
use leakcheck_core::{CheckId, EmailMeta, Finding, Verdict};
use leakcheck_store::Window;
use serde_json::json;

/// `None` when the case has no window or the email no parsable Date.
pub fn check(meta: &EmailMeta, window: Option<&Window>) -> Option<Finding> {
    let window = window?;
    let day = DateTime::from_timestamp(meta.date_unix?, 0)?.date_naive();
    let inside = window.start <= day && day <= window.end;
    Some(Finding {
        check: CheckId::EmailLeakWindow,
        verdict: if inside {
            Verdict::Consistent
        } else {
            Verdict::Suspicious
        },
        summary: if inside {
            format!("dated {day} (UTC), inside the leak window")
        } else {
            format!(
                "dated {day} (UTC), outside the leak window {}..{}",
                window.start, window.end
            )
        },
        evidence: json!({
            "date": meta.date,
            "date_header": meta.date_raw,
            "window": {"start": window.start.to_string(), "end": window.end.to_string()},
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_and_outside() {
        let w = Window::parse("2017-01-01..2017-04-24").unwrap();
        let mut m = EmailMeta {
            date_unix: Some(1_493_020_800), // 2017-04-24T08:00Z
            ..EmailMeta::default()
        };
        assert_eq!(check(&m, Some(&w)).unwrap().verdict, Verdict::Consistent);
        m.date_unix = Some(1_493_164_800); // 2017-04-26
        let f = check(&m, Some(&w)).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(f.summary.contains("2017-04-26"));
        assert!(check(&m, None).is_none());
        m.date_unix = None;
        assert!(check(&m, Some(&w)).is_none());
    }
}
