//! Windows code page numbers (OLE property 1, RTF `\ansicpg`) to encodings.

use encoding_rs::Encoding;

/// The encoding of a Windows code page; `None` when encoding_rs lacks it.
pub fn encoding(cp: u32) -> Option<&'static Encoding> {
    use encoding_rs::*;
    Some(match cp {
        874 => WINDOWS_874,
        932 => SHIFT_JIS,
        936 => GBK,
        949 => EUC_KR,
        950 => BIG5,
        1200 => UTF_16LE,
        1201 => UTF_16BE,
        1250 => WINDOWS_1250,
        1251 => WINDOWS_1251,
        1252 => WINDOWS_1252,
        1253 => WINDOWS_1253,
        1254 => WINDOWS_1254,
        1255 => WINDOWS_1255,
        1256 => WINDOWS_1256,
        1257 => WINDOWS_1257,
        1258 => WINDOWS_1258,
        866 => IBM866,
        10000 => MACINTOSH,
        10007 => X_MAC_CYRILLIC,
        20866 => KOI8_R,
        21866 => KOI8_U,
        20932 | 51932 => EUC_JP,
        28591 => WINDOWS_1252,
        28592 => ISO_8859_2,
        28595 => ISO_8859_5,
        28597 => ISO_8859_7,
        28605 => ISO_8859_15,
        50220..=50222 => ISO_2022_JP,
        54936 => GB18030,
        65001 => UTF_8,
        _ => return None,
    })
}

/// Decodes bytes in a code page; unknown code pages are read as
/// windows-1252 (what Western Office writes), never failing.
pub fn decode(bytes: &[u8], cp: u32) -> String {
    let enc = encoding(cp).unwrap_or(encoding_rs::WINDOWS_1252);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_common_pages() {
        assert_eq!(decode(b"\xe8", 1250), "č");
        assert_eq!(decode(b"\xc0", 1251), "А");
        assert_eq!(decode(b"\x83\x5e", 932), "タ");
        assert_eq!(decode(b"caf\xe9", 4242), "café");
    }
}
