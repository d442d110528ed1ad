//! A zip whose members are encrypted with the traditional PKWARE cipher
//! ("ZipCrypto", APPNOTE.TXT section 6.1), stored uncompressed.
//!
//! Written by hand because no maintained crate writes ZipCrypto any more (the
//! `zip` crate reads it but writes only AES): leaks still arrive in it, and
//! ingest's password handling needs a sample to open.

/// One step of CRC-32 (polynomial 0xEDB88320) over a byte, on the raw
/// register: the cipher's key schedule uses this step without the usual
/// inversions, which CRC crates do not expose.
fn crc_step(crc: u32, byte: u8) -> u32 {
    let mut c = (crc ^ u32::from(byte)) & 0xff;
    for _ in 0..8 {
        c = if c & 1 == 1 {
            0xEDB8_8320 ^ (c >> 1)
        } else {
            c >> 1
        };
    }
    (crc >> 8) ^ c
}

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0, |crc, &b| crc_step(crc, b))
}

/// The cipher's three keys (APPNOTE 6.1.5-6.1.6).
struct Keys([u32; 3]);

impl Keys {
    fn new(password: &[u8]) -> Keys {
        let mut k = Keys([0x1234_5678, 0x2345_6789, 0x3456_7890]);
        for &b in password {
            k.update(b);
        }
        k
    }

    fn update(&mut self, plain: u8) {
        let [k0, k1, k2] = &mut self.0;
        *k0 = crc_step(*k0, plain);
        *k1 = k1
            .wrapping_add(*k0 & 0xff)
            .wrapping_mul(134_775_813)
            .wrapping_add(1);
        *k2 = crc_step(*k2, (*k1 >> 24) as u8);
    }

    fn encrypt(&mut self, plain: u8) -> u8 {
        let t = (self.0[2] | 2) & 0xffff;
        let stream = ((t * (t ^ 1)) >> 8) as u8;
        self.update(plain);
        plain ^ stream
    }
}

/// A zip of `files` (name, bytes), each stored and encrypted with
/// `password` by ZipCrypto. The twelve-byte encryption header is derived from
/// the name (not random) so that the sample is reproducible; its last byte is
/// the CRC's high byte, the check readers use to reject a wrong password.
pub fn zipcrypto(password: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    const DOS_TIME: u16 = 9 << 11; // 09:00:00
    const DOS_DATE: u16 = ((2017 - 1980) << 9) | (4 << 5) | 10; // 2017-04-10
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let crc = crc32(data);
        let mut header: Vec<u8> = (0..11u8)
            .map(|i| name.len() as u8 ^ i.wrapping_mul(37))
            .collect();
        header.push((crc >> 24) as u8);
        let mut keys = Keys::new(password.as_bytes());
        let body: Vec<u8> = header
            .iter()
            .chain(data.iter())
            .map(|&b| keys.encrypt(b))
            .collect();
        let offset = out.len() as u32;
        // Fields shared by the local and the central header, from "version
        // needed" to the name's length.
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&1u16.to_le_bytes()); // flags: encrypted
        common.extend_from_slice(&0u16.to_le_bytes()); // method: stored
        common.extend_from_slice(&DOS_TIME.to_le_bytes());
        common.extend_from_slice(&DOS_DATE.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(body.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&body);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        // Comment length, first disk, internal and external attributes.
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]); // this disk, the directory's disk
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    /// The `zip` crate, an independent reader, decrypts it with the
    /// password and refuses it without.
    #[test]
    fn the_zip_crate_decrypts_it() {
        use std::io::Read;
        let bytes = zipcrypto(
            "pass word",
            &[("a.txt", b"alpha"), ("b/c.eml", b"bravo charlie")],
        );
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        for (i, want) in [&b"alpha"[..], b"bravo charlie"].into_iter().enumerate() {
            assert!(archive.by_index(i).is_err(), "read without the password");
            let mut f = archive.by_index_decrypt(i, b"pass word").unwrap();
            let mut got = Vec::new();
            f.read_to_end(&mut got).unwrap();
            assert_eq!(got, want);
        }
        let wrong = archive
            .by_index_decrypt(1, b"wrong")
            .ok()
            .and_then(|mut f| {
                let mut v = Vec::new();
                f.read_to_end(&mut v).ok().map(|_| v)
            });
        assert_eq!(wrong, None, "a wrong password fails its check or the CRC");
    }
}
