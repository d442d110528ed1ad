//! An email's HTML made safe to look at: scripts, handlers, styles, forms
//! and every remote load removed by ammonia, then served with a
//! Content-Security-Policy that forbids scripts and remote loads anyway and
//! shown in a frame sandboxed without scripts. Each layer alone should hold;
//! together a sanitiser bug is not enough to run code or leak the reader's
//! address to a tracking pixel.

use std::borrow::Cow;
use std::collections::HashSet;

/// The policy of the cleaned HTML: inline styles are the only thing it may
/// use; images only from `data:` URLs (no remote loads); no scripts.
pub const FRAME_CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
                             frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox";

/// Cleans `html` for display.
pub fn clean(html: &str) -> String {
    let schemes: HashSet<&str> = ["http", "https", "mailto", "data"].into();
    let body = ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Anything that loads by itself may only be inline data: a
            // remote image is a tracking pixel that tells the sender who
            // read the leak, and when.
            (_, "src" | "srcset" | "background" | "poster") => {
                if value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("data:image/")
                {
                    Some(Cow::Borrowed(value))
                } else {
                    None
                }
            }
            // Links stay readable but lead nowhere by data: URLs.
            ("a", "href") if value.trim_start().to_ascii_lowercase().starts_with("data:") => None,
            _ => Some(Cow::Borrowed(value)),
        })
        .clean(html)
        .to_string();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><style>body{{font-family:sans-serif;\
         margin:8px;overflow-wrap:anywhere}}img{{max-width:100%}}</style></head><body>{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_remote_loads_go_text_stays() {
        let dirty = r#"<p onclick="steal()">Hello <b>reader</b></p>
            <script>alert(1)</script>
            <img src="http://tracker.example/p.gif" onerror="alert(2)">
            <img src="data:image/png;base64,iVBORw0KGgo=">
            <a href="javascript:alert(3)">click</a>
            <a href="https://example.org/">link</a>
            <div style="width: expression(alert(4))">styled</div>
            <style>body { background: url(http://tracker.example/bg) }</style>
            <iframe src="https://evil.example/"></iframe>"#;
        let clean = clean(dirty);
        for bad in [
            "script",
            "onclick",
            "onerror",
            "javascript:",
            "expression",
            "tracker.example",
            "iframe",
            "evil",
        ] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        for good in [
            "Hello <b>reader</b>",
            "data:image/png",
            "https://example.org/",
            "styled",
            "click",
        ] {
            assert!(clean.contains(good), "{good} lost: {clean}");
        }
    }
}
