//! TNEF (`winmail.dat`, MS-OXTNEF): the stream Outlook sends in place of a
//! MIME message's attachments.

/// Builds a TNEF stream with a subject, a plain-text body and file
/// attachments `(8.3 title, long name, bytes, modified "YYYY-MM-DD hh:mm:ss")`.
pub fn winmail(subject: &str, body: &str, attachments: &[(&str, &str, &[u8], &str)]) -> Vec<u8> {
    let mut t = 0x223E_9F78u32.to_le_bytes().to_vec();
    t.extend(0x0102u16.to_le_bytes());
    t.extend(attribute(1, 0x0008_9006, &[0, 0, 1, 0]));
    t.extend(attribute(1, 0x0006_9007, &[0xE4, 0x04, 0, 0, 0, 0, 0, 0]));
    t.extend(attribute(1, 0x0007_8008, b"IPM.Microsoft Mail.Note\0"));
    t.extend(attribute(
        1,
        0x0001_8004,
        &[subject.as_bytes(), b"\0"].concat(),
    ));
    t.extend(attribute(1, 0x0002_800C, body.as_bytes()));
    for (title, long, bytes, modified) in attachments {
        t.extend(attribute(
            2,
            0x0006_9002,
            &[1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        t.extend(attribute(
            2,
            0x0001_8010,
            &[title.as_bytes(), b"\0"].concat(),
        ));
        t.extend(attribute(2, 0x0003_8013, &date(modified)));
        t.extend(attribute(2, 0x0006_800F, bytes));
        // attAttachment: PR_ATTACH_LONG_FILENAME as PT_UNICODE.
        let name: Vec<u8> = long
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut props = 1u32.to_le_bytes().to_vec();
        props.extend(0x001Fu16.to_le_bytes());
        props.extend(0x3707u16.to_le_bytes());
        props.extend(1u32.to_le_bytes());
        props.extend((name.len() as u32).to_le_bytes());
        props.extend(&name);
        props.resize(props.len() + (4 - name.len() % 4) % 4, 0);
        t.extend(attribute(2, 0x0006_9005, &props));
    }
    t
}

fn attribute(level: u8, id: u32, data: &[u8]) -> Vec<u8> {
    let mut a = vec![level];
    a.extend(id.to_le_bytes());
    a.extend((data.len() as u32).to_le_bytes());
    a.extend(data);
    let sum = data.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
    a.extend(sum.to_le_bytes());
    a
}

/// "YYYY-MM-DD hh:mm:ss" as TNEF's seven 16-bit words (weekday left 0).
fn date(s: &str) -> Vec<u8> {
    let n: Vec<u16> = s
        .split(['-', ' ', ':'])
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let mut out = Vec::new();
    for i in 0..7 {
        out.extend(n.get(i).copied().unwrap_or(0).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extract_reads_it_back() {
        let t = winmail(
            "Devis",
            "see attached",
            &[(
                "DEVIS~1.TXT",
                "devis imprimeur.txt",
                b"12 000 euros",
                "2017-04-11 10:00:00",
            )],
        );
        let mut names = Vec::new();
        let listing = leakcheck_extract::readers::tnef::expand(
            &t,
            1 << 20,
            &mut |m: leakcheck_extract::Member<'_>| {
                names.push((m.name, m.extra.unwrap()["modified"].clone()));
                leakcheck_extract::Flow::Continue
            },
        )
        .unwrap();
        assert_eq!(listing.expected, 2);
        assert_eq!(listing.warning, None);
        assert_eq!(names[1].0, "devis imprimeur.txt");
        assert_eq!(names[1].1, "2017-04-11T10:00:00");
    }
}
