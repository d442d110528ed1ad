//! MAPI properties as both readers hand them over: one map per object
//! (message, recipient, attachment), keyed by property id.

use std::collections::BTreeMap;

use crate::doc::codepage;

/// Property ids used here, named as MS-OXPROPS names them (`PidTag...`).
#[allow(missing_docs)]
pub mod tag {
    pub const MESSAGE_CLASS: u16 = 0x001A;
    pub const SUBJECT: u16 = 0x0037;
    pub const CLIENT_SUBMIT_TIME: u16 = 0x0039;
    pub const SENT_REPRESENTING_NAME: u16 = 0x0042;
    pub const SENT_REPRESENTING_ADDRTYPE: u16 = 0x0064;
    pub const SENT_REPRESENTING_EMAIL: u16 = 0x0065;
    pub const TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
    pub const RECIPIENT_TYPE: u16 = 0x0C15;
    pub const SENDER_NAME: u16 = 0x0C1A;
    pub const SENDER_ADDRTYPE: u16 = 0x0C1E;
    pub const SENDER_EMAIL: u16 = 0x0C1F;
    pub const DISPLAY_BCC: u16 = 0x0E02;
    pub const DISPLAY_CC: u16 = 0x0E03;
    pub const DISPLAY_TO: u16 = 0x0E04;
    pub const MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
    pub const BODY: u16 = 0x1000;
    pub const RTF_COMPRESSED: u16 = 0x1009;
    pub const HTML: u16 = 0x1013;
    pub const INTERNET_MESSAGE_ID: u16 = 0x1035;
    pub const INTERNET_REFERENCES: u16 = 0x1039;
    pub const IN_REPLY_TO_ID: u16 = 0x1042;
    pub const DISPLAY_NAME: u16 = 0x3001;
    pub const ADDRTYPE: u16 = 0x3002;
    pub const EMAIL_ADDRESS: u16 = 0x3003;
    pub const CREATION_TIME: u16 = 0x3007;
    pub const LAST_MODIFICATION_TIME: u16 = 0x3008;
    pub const CONTENT_COUNT: u16 = 0x3602;
    pub const ASSOC_CONTENT_COUNT: u16 = 0x3617;
    pub const ATTACH_DATA: u16 = 0x3701;
    pub const ATTACH_FILENAME: u16 = 0x3704;
    pub const ATTACH_METHOD: u16 = 0x3705;
    pub const ATTACH_LONG_FILENAME: u16 = 0x3707;
    pub const ATTACH_MIME_TAG: u16 = 0x370E;
    pub const ATTACH_CONTENT_ID: u16 = 0x3712;
    pub const SMTP_ADDRESS: u16 = 0x39FE;
    pub const INTERNET_CPID: u16 = 0x3FDE;
    pub const MESSAGE_CODEPAGE: u16 = 0x3FFD;
    pub const SENDER_SMTP_ADDRESS: u16 = 0x5D01;
    pub const SENT_REPRESENTING_SMTP_ADDRESS: u16 = 0x5D02;
    pub const PST_PASSWORD: u16 = 0x67FF;
}

/// `PidTagAttachMethod` values (MS-OXCMSG 2.2.2.9).
#[allow(missing_docs)]
pub mod method {
    pub const BY_VALUE: i64 = 1;
    pub const EMBEDDED_MESSAGE: i64 = 5;
    pub const STORAGE: i64 = 6;
}

/// One property value, as far as rebuilding a message needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `PtypString` (already decoded from UTF-16).
    Text(String),
    /// `PtypString8`: bytes in the object's code page.
    Text8(Vec<u8>),
    /// `PtypBinary`.
    Binary(Vec<u8>),
    /// Integers of any width, and booleans (0/1).
    Int(i64),
    /// `PtypTime`: 100-nanosecond intervals since 1601-01-01 UTC.
    Time(i64),
}

/// The properties of one MAPI object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Props {
    values: BTreeMap<u16, Value>,
    /// Code page for `PtypString8` values (the message's, inherited by its
    /// recipients and attachments).
    pub codepage: u32,
}

impl Props {
    /// An empty set whose 8-bit strings are in `codepage`.
    pub fn new(codepage: u32) -> Props {
        Props {
            values: BTreeMap::new(),
            codepage,
        }
    }

    /// Sets a property (the first value read for an id wins: a Unicode and
    /// an 8-bit copy of one property say the same).
    pub fn insert(&mut self, id: u16, value: Value) {
        self.values.entry(id).or_insert(value);
    }

    /// The raw value.
    pub fn get(&self, id: u16) -> Option<&Value> {
        self.values.get(&id)
    }

    /// A string property, decoded; empty strings count as absent.
    pub fn text(&self, id: u16) -> Option<String> {
        let s = match self.values.get(&id)? {
            Value::Text(s) => s.clone(),
            Value::Text8(b) => codepage::decode(b, self.codepage),
            _ => return None,
        };
        let mut s = s.trim_end_matches('\0');
        if id == tag::SUBJECT && s.starts_with('\u{1}') {
            // A subject may start with SOH and a character giving the length
            // of its prefix ("RE: "); both are markers, not text.
            s = s.get(1..).map_or("", |r| {
                r.get(r.chars().next().map_or(0, char::len_utf8)..)
                    .unwrap_or("")
            });
        }
        (!s.trim().is_empty()).then(|| s.to_string())
    }

    /// A binary property (a string property's bytes are given as they are).
    pub fn binary(&self, id: u16) -> Option<&[u8]> {
        match self.values.get(&id)? {
            Value::Binary(b) | Value::Text8(b) => Some(b),
            _ => None,
        }
    }

    /// An integer or boolean property.
    pub fn int(&self, id: u16) -> Option<i64> {
        match self.values.get(&id)? {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// A time property as a date.
    pub fn time(&self, id: u16) -> Option<chrono::DateTime<chrono::Utc>> {
        match self.values.get(&id)? {
            Value::Time(t) => filetime(*t),
            _ => None,
        }
    }

    /// Every property, by id.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &Value)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    /// The code page the message declares for its 8-bit strings.
    pub fn declared_codepage(&self) -> Option<u32> {
        [tag::MESSAGE_CODEPAGE, tag::INTERNET_CPID]
            .into_iter()
            .filter_map(|t| self.int(t))
            .find_map(|n| u32::try_from(n).ok().filter(|&cp| cp > 0))
    }
}

/// A Windows FILETIME as a date; zero and out-of-range values are no date.
pub fn filetime(t: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    // 100 ns intervals between 1601-01-01 and 1970-01-01.
    const EPOCH_DIFF: i64 = 116_444_736_000_000_000;
    if t <= 0 {
        return None;
    }
    let since_1970 = t.checked_sub(EPOCH_DIFF)?;
    chrono::DateTime::from_timestamp(
        since_1970.div_euclid(10_000_000),
        (since_1970.rem_euclid(10_000_000) * 100) as u32,
    )
}

/// A property id's name, for the fields of items that are not mail.
pub fn field_name(id: u16) -> Option<&'static str> {
    Some(match id {
        0x3001 => "Name",
        0x3A06 => "Given name",
        0x3A11 => "Surname",
        0x3A16 => "Company",
        0x3A17 => "Job title",
        0x3A18 => "Department",
        0x3A19 => "Office",
        0x3A08 => "Business phone",
        0x3A09 => "Home phone",
        0x3A1C => "Mobile phone",
        0x3A24 => "Business fax",
        0x3A29 => "Street",
        0x3A27 => "City",
        0x3A28 => "State",
        0x3A2A => "Postal code",
        0x3A26 => "Country",
        0x3A45 => "Title",
        0x3A4E => "Manager",
        0x3A51 => "Web page",
        0x3A05 => "Generation",
        0x3A0F => "Mail",
        0x0060 => "Start",
        0x0061 => "End",
        0x0063 => "Response requested",
        0x1090 => "Flag status",
        _ => return None,
    })
}

/// Decodes a UTF-16LE stream, without its trailing NULs.
pub fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
        .trim_end_matches('\0')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_strings_times_and_code_pages() {
        let mut p = Props::new(1251);
        p.insert(
            tag::SUBJECT,
            Value::Text8(b"\xcf\xf0\xe8\xe2\xe5\xf2\0".to_vec()),
        );
        p.insert(tag::SUBJECT, Value::Text("ignored".into()));
        p.insert(tag::DISPLAY_TO, Value::Text("  ".into()));
        p.insert(
            tag::CLIENT_SUBMIT_TIME,
            Value::Time(132_000_000_000_000_000),
        );
        assert_eq!(p.text(tag::SUBJECT).as_deref(), Some("Привет"));
        assert_eq!(p.text(tag::DISPLAY_TO), None);
        let mut q = Props::new(1252);
        q.insert(tag::SUBJECT, Value::Text("\u{1}\u{5}RE: hi".into()));
        assert_eq!(q.text(tag::SUBJECT).as_deref(), Some("RE: hi"));
        assert_eq!(
            p.time(tag::CLIENT_SUBMIT_TIME).unwrap().to_rfc3339(),
            "2019-04-17T18:40:00+00:00"
        );
        assert_eq!(filetime(0), None);
        assert_eq!(utf16(b"h\0i\0\0\0"), "hi");
    }
}
