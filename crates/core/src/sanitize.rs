//! Makes untrusted text (leaked file names, header values, account names)
//! safe where it goes: on a terminal, control, bidirectional and zero-width
//! characters are shown as escapes so they cannot move the cursor, recolour
//! the screen or hide text; in a CSV cell, a formula stays text.

/// Escapes characters that could change how a terminal shows the text.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_dangerous(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A control, bidirectional or zero-width character: one that can move a
/// terminal's cursor or make text read other than it is.
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width and direction marks
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}')
}

/// A CSV cell, quoted; a cell a spreadsheet could read as a formula (one
/// starting with `=`, `+`, `-`, `@`, their full-width forms `＝＋－＠`, a
/// tab or a line break) gets a leading `'`, so a formula planted in the dump
/// or in a post stays text.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with([
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ]) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_stay_text() {
        for planted in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\r=x",
            "\u{FF1D}1+1",
            "\u{FF0B}1",
            "\u{FF0D}1",
            "\u{FF20}x",
        ] {
            assert!(csv_cell(planted).starts_with("\"'"), "{planted:?}");
        }
        assert_eq!(csv_cell("a \"b\""), "\"a \"\"b\"\"\"");
    }

    #[test]
    fn escapes_escape_sequences_and_bidi() {
        assert_eq!(for_terminal("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(
            for_terminal("invoice\u{202E}fdp.exe"),
            "invoice\\u{202e}fdp.exe"
        );
        assert_eq!(for_terminal("Élysée"), "Élysée");
    }
}
