//! The sample dump of `leakcheck demo`, built here so the first command of the
//! README works on a fresh machine with no data. Each part shows one thing
//! ingest does; later capabilities add their own parts.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::dkim::generate::DkimKeyPair;

pub const CASE_NAME: &str = "leakcheck demo";

/// The signed agreement's attachment (authentic: its email's DKIM signature
/// covers it), which the demo's posts spread.
pub const AGREEMENT: &str = "Agreement between the campaign and Printing Lyon SARL. The printer \
    delivers 40 000 posters and 200 000 leaflets before 20 April 2017. The campaign pays \
    12 000 euros on delivery, by bank transfer to the account named on the invoice. \
    Any change to quantities or price must be agreed in writing by both parties.";

/// The password the demo's locked zip was "published" with.
pub const ZIP_PASSWORD: &str = "printemps2017";

fn email(
    from: &str,
    to: &str,
    date: &str,
    subject: &str,
    id: &str,
    extra: &str,
    body: &str,
) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nDate: {date}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

fn with_attachment(head: &str, text: &str, name: &str, ctype: &str, part: &str) -> String {
    format!(
        "{head}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
         --b1\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n\
         {part}\r\n--b1--\r\n"
    )
}

/// Signs mail with a key made for the demo.
struct DemoSigner {
    key: DemoKey,
    selector: &'static str,
    domain: &'static str,
}

/// The campaign signs with Ed25519; the newspaper of the key-recovery part
/// with RSA (only an RSA key can be recomputed from its signatures). 1024
/// bits keeps the demo's recovery to seconds.
enum DemoKey {
    Ed25519(DkimKeyPair),
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// The headers the demo signs (From twice: a From added above is not signed).
const SIGNED: [&str; 6] = ["From", "To", "Subject", "Date", "Message-ID", "From"];

/// RFC 6376 relaxed canonicalisation of one header field.
fn relaxed_header(name: &str, value: &str) -> String {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}:{value}", name.trim().to_lowercase())
}

/// RFC 6376 relaxed canonicalisation of a body: runs of white space
/// become one space, none at line ends, no empty lines at the end.
fn relaxed_body(body: &str) -> String {
    let mut lines: Vec<String> = body
        .split("\r\n")
        .map(|l| {
            let mut out = String::new();
            for c in l.chars() {
                if c == ' ' || c == '\t' {
                    if !out.ends_with(' ') {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
            out.trim_end().to_string()
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

impl DemoSigner {
    /// Signs as the campaign's server does when the message leaves: `t=`
    /// is the message's Date.
    fn sign(&self, msg: &str) -> Result<String> {
        let date = msg
            .split("\r\n")
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix("Date: "))
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map_or(0, |d| d.timestamp());
        self.sign_at(msg, date)
    }

    /// Signs with `t=` set to `t` (Unix seconds), relaxed/relaxed, SHA-256.
    /// Written here because mail-auth's signer always dates a signature now,
    /// and a 2017 message signed today is exactly what `email.signature-time`
    /// flags.
    fn sign_at(&self, msg: &str, t: i64) -> Result<String> {
        use base64::Engine;
        use mail_auth::common::crypto::{HashAlgorithm, SigningKey};
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let (head, body) = msg.split_once("\r\n\r\n").unwrap_or((msg, ""));
        let bh = b64(HashAlgorithm::Sha256
            .hash(relaxed_body(body).as_bytes())
            .as_ref());
        // Header fields, unfolded, and each signed name taken from the
        // bottom up, as RFC 6376 5.4.2 says.
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            match (line.starts_with([' ', '\t']), fields.last_mut()) {
                (true, Some(last)) => last.1.push_str(line),
                _ => {
                    if let Some((n, v)) = line.split_once(':') {
                        fields.push((n.to_string(), v.to_string()));
                    }
                }
            }
        }
        let mut used = vec![false; fields.len()];
        let mut data = String::new();
        for name in SIGNED {
            let found = (0..fields.len())
                .rev()
                .find(|&i| !used[i] && fields[i].0.eq_ignore_ascii_case(name));
            if let Some(i) = found {
                used[i] = true;
                data.push_str(&relaxed_header(&fields[i].0, &fields[i].1));
                data.push_str("\r\n");
            }
        }
        let a = match self.key {
            DemoKey::Ed25519(_) => "ed25519-sha256",
            DemoKey::Rsa(_) => "rsa-sha256",
        };
        let tags = format!(
            "v=1; a={a}; s={}; d={}; c=relaxed/relaxed; h={}; t={t}; bh={bh}; b=",
            self.selector,
            self.domain,
            SIGNED.join(":")
        );
        data.push_str(&relaxed_header("DKIM-Signature", &tags));
        let signature = match &self.key {
            DemoKey::Ed25519(pair) => {
                Ed25519Key::from_pkcs8_der(pair.private_key())?.sign(data.as_bytes())?
            }
            DemoKey::Rsa(key) => {
                let digest = HashAlgorithm::Sha256.hash(data.as_bytes());
                key.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest.as_ref())?
            }
        };
        let b = b64(&signature);
        Ok(format!("DKIM-Signature: {tags}{b}\r\n{msg}"))
    }

    /// The public key as a `keys import` line.
    fn record(&self) -> Result<String> {
        let txt = match &self.key {
            DemoKey::Ed25519(pair) => {
                format!("v=DKIM1; k=ed25519; p={}", pair.encoded_public_key())
            }
            DemoKey::Rsa(key) => {
                use rsa::traits::PublicKeyParts;
                leakcheck_verify::keys::rsa_txt(&key.n().to_bytes_be(), &key.e().to_bytes_be())
                    .map_err(anyhow::Error::msg)?
            }
        };
        Ok(format!(
            "{}._domainkey.{} {txt}",
            self.selector, self.domain
        ))
    }
}

/// Writes the sample dump into `dir` (replacing files of the same names) and
/// returns the DKIM key record its signed mail verifies with.
pub fn write_dump(dir: &Path) -> Result<String> {
    let mail = dir.join("mail");
    fs::create_dir_all(mail.join("eml"))?;
    let signer = DemoSigner {
        key: DemoKey::Ed25519(DkimKeyPair::generate_ed25519()?),
        selector: "demo2017",
        domain: "campaign.example",
    };

    let kickoff = email(
        "Anne Martin <anne@campaign.example>",
        "team@campaign.example",
        "Mon, 10 Apr 2017 09:00:00 +0200",
        "Réunion de lancement",
        "kickoff-1@campaign.example",
        "",
        "Bonjour à tous,\r\n\r\nFrom now on we meet every Monday at 9.\r\n\r\nAnne",
    );
    // Signed, then stored in an mbox: LF endings and >From quoting, both undone to verify.
    let kickoff = signer.sign(&kickoff)?;
    let reply = email(
        "Bruno Petit <bruno@campaign.example>",
        "Anne Martin <anne@campaign.example>",
        "Mon, 10 Apr 2017 10:15:00 +0200",
        "Re: Réunion de lancement",
        "kickoff-2@campaign.example",
        "In-Reply-To: <kickoff-1@campaign.example>\r\nReferences: <kickoff-1@campaign.example>\r\n",
        "Noted.\r\n\r\n> From now on we meet every Monday at 9.",
    );
    // Signed: the copy with another figure (below) is altered, with the
    // difference from this authentic copy.
    let budget = signer.sign(&email(
        "Claire Roux <claire@campaign.example>",
        "anne@campaign.example",
        "Wed, 12 Apr 2017 18:02:00 +0200",
        "Budget avril",
        "budget-1@campaign.example",
        "",
        "The April figures are in the shared folder.",
    ))?;
    let outsider = email(
        "Press Office <press@news.example>",
        "anne@campaign.example",
        "Thu, 13 Apr 2017 08:30:00 +0000",
        "Interview request",
        "press-7@news.example",
        "",
        "Would you be available on Friday?",
    );

    // An mbox in the mboxrd style: the body line "From now on" is quoted as ">From".
    let mut mbox = Vec::new();
    for (env, msg) in [
        (
            "From anne@campaign.example Mon Apr 10 07:00:00 2017",
            &kickoff,
        ),
        (
            "From bruno@campaign.example Mon Apr 10 08:15:00 2017",
            &reply,
        ),
        (
            "From claire@campaign.example Wed Apr 12 16:02:00 2017",
            &budget,
        ),
        (
            "From press@news.example Thu Apr 13 08:30:00 2017",
            &outsider,
        ),
    ] {
        let quoted = msg
            .replace("\r\nFrom now on", "\r\n>From now on")
            .replace("\r\n", "\n");
        mbox.extend_from_slice(format!("{env}\n{quoted}\n").as_bytes());
    }
    fs::write(mail.join("campaign.mbox"), mbox)?;

    // The same budget email as a loose .eml: one item, two places.
    fs::write(mail.join("eml/budget.eml"), budget.replace("\r\n", "\n"))?;
    fs::write(mail.join("eml/outsider.eml"), &outsider)?;

    // A forwarded message nested inside another, with its own attachment.
    let inner = with_attachment(
        "From: Claire Roux <claire@campaign.example>\r\nTo: anne@campaign.example\r\n\
         Date: Fri, 14 Apr 2017 11:00:00 +0200\r\nSubject: Tableau\r\nMessage-ID: <table-1@campaign.example>\r\n",
        "Voici le tableau.",
        "tableau.csv",
        "text/csv",
        "poste,montant\r\naffiches,12000\r\nsalles,8000",
    );
    let forward = format!(
        "From: Anne Martin <anne@campaign.example>\r\nTo: bruno@campaign.example\r\n\
         Date: Fri, 14 Apr 2017 12:00:00 +0200\r\nSubject: Fwd: Tableau\r\nMessage-ID: <fwd-1@campaign.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
         --outer\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
         --outer\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--outer--\r\n"
    );
    fs::write(mail.join("eml/forward.eml"), &forward)?;

    // A maildir with one new and one read message.
    let maildir = dir.join("maildir/bruno");
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(maildir.join(sub))?;
    }
    fs::write(maildir.join("cur/1491814500.M1.host:2,S"), &reply)?;
    fs::write(maildir.join("new/1492160400.M2.host"), &forward)?;

    // A zip with documents and an email inside.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("memo.txt", opts)?;
    zip.write_all("Note interne : ne pas diffuser avant le 24 avril.\n".as_bytes())?;
    zip.start_file("finances/budget.csv", opts)?;
    zip.write_all(b"poste,montant\naffiches,12000\nsalles,8000\n")?;
    zip.start_file("mails/outsider.eml", opts)?;
    zip.write_all(outsider.as_bytes())?;
    let zip_bytes = zip.finish()?.into_inner();
    fs::write(dir.join("attachments.zip"), &zip_bytes)?;

    // A download cut short: the members before the cut are recovered, the
    // loss is recorded.
    fs::write(
        dir.join("truncated-download.zip"),
        &zip_bytes[..zip_bytes.len() * 2 / 3],
    )?;

    // A gzipped tar of notes: gzip → tar → files.
    let mut tar = tar::Builder::new(Vec::new());
    for (name, text) in [
        ("notes/lundi.txt", "ordre du jour\n"),
        ("notes/mardi.txt", "compte rendu\n"),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_491_800_000);
        header.set_cksum();
        tar.append_data(&mut header, name, text.as_bytes())?;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar.into_inner()?)?;
    fs::write(dir.join("notes.tar.gz"), gz.finish()?)?;

    // DKIM: a signed email with an attachment (both authentic), a signed
    // email whose figure was changed after signing (altered), a copy of the
    // signed budget email with the same Message-ID and another figure
    // (altered: it differs from the authentic copy in signed content), and
    // an email dated after the leak window (suspicious).
    let signed = dir.join("signed");
    fs::create_dir_all(&signed)?;
    let plan = with_attachment(
        "From: Anne Martin <anne@campaign.example>\r\nTo: team@campaign.example\r\n\
         Subject: Signed: plan de campagne\r\nDate: Tue, 18 Apr 2017 08:00:00 +0200\r\n\
         Message-ID: <plan-1@campaign.example>\r\n",
        "Le plan est en pièce jointe.",
        "plan.txt",
        "text/plain",
        "1. Meetings in Lyon\r\n2. Posters in Paris",
    );
    fs::write(signed.join("plan.eml"), signer.sign(&plan)?)?;
    // A 2017 message whose signature is dated today: it verifies, but
    // whoever held the key signed it long after the Date (planted for
    // `email.signature-time`).
    let resigned = email(
        "Anne Martin <anne@campaign.example>",
        "team@campaign.example",
        "Thu, 20 Apr 2017 09:00:00 +0200",
        "Signed: consignes",
        "consignes-1@campaign.example",
        "",
        "Consignes pour le meeting de Lyon : rendez-vous à 8 h.",
    );
    let now = chrono::Utc::now().timestamp();
    fs::write(signed.join("resigned.eml"), signer.sign_at(&resigned, now)?)?;
    // A signed agreement, and a copy of its attachment on a shared drive
    // with one figure changed: a near-copy of an authentic item.
    let agreement = AGREEMENT;
    let accord = with_attachment(
        "From: Anne Martin <anne@campaign.example>\r\nTo: claire@campaign.example\r\n\
         Subject: Signed: printing agreement\r\nDate: Wed, 12 Apr 2017 11:00:00 +0200\r\n\
         Message-ID: <accord-1@campaign.example>\r\n",
        "The signed agreement is attached.",
        "agreement.txt",
        "text/plain",
        agreement,
    );
    fs::write(signed.join("agreement.eml"), signer.sign(&accord)?)?;
    fs::create_dir_all(dir.join("shared-drive"))?;
    fs::write(
        dir.join("shared-drive/agreement.txt"),
        agreement.replace("12 000 euros", "120 000 euros"),
    )?;
    let figures = email(
        "Claire Roux <claire@campaign.example>",
        "anne@campaign.example",
        "Wed, 19 Apr 2017 17:00:00 +0200",
        "Signed: figures",
        "figures-1@campaign.example",
        "",
        "Donations this week: 12000 euros.",
    );
    let tampered = signer
        .sign(&figures)?
        .replace("12000 euros", "120000 euros");
    fs::write(signed.join("figures.eml"), tampered)?;
    // Its reply quotes the figure as it was sent, not as the dump now has it.
    let quote = email(
        "Anne Martin <anne@campaign.example>",
        "Claire Roux <claire@campaign.example>",
        "Wed, 19 Apr 2017 18:30:00 +0200",
        "Re: Signed: figures",
        "figures-2@campaign.example",
        "In-Reply-To: <figures-1@campaign.example>\r\nReferences: <figures-1@campaign.example>\r\n",
        "Thanks, noted.\r\n\r\n> Donations this week: 12000 euros.",
    );
    fs::write(mail.join("eml/figures-reply.eml"), quote)?;
    fs::write(
        mail.join("eml/budget-copy.eml"),
        budget.replace("shared folder", "shared folder (and 50000 in cash)"),
    )?;
    let late = email(
        "Anne Martin <anne@campaign.example>",
        "team@campaign.example",
        "Mon, 12 Jun 2017 10:00:00 +0200",
        "Après le vote",
        "late-1@campaign.example",
        "",
        "Merci à tous.",
    );
    fs::write(mail.join("eml/late.eml"), late)?;

    // Documents and images, four of them planted.
    crate::demo_docs::write(dir)?;
    // A scanned invoice beside its typed original, and a screenshot of it
    // outside the dump (OCR reads both).
    if let Some(why) = crate::demo_docs::write_scans(dir)? {
        eprintln!("note: {why}");
    }

    // An Outlook message saved as .msg: Outlook kept the signed mail's
    // transport headers (DKIM-Signature included) but not its MIME, so the
    // message is rebuilt from properties and its signature cannot be checked.
    fs::create_dir_all(dir.join("outlook"))?;
    let minutes = email(
        "Bruno Petit <bruno@campaign.example>",
        "anne@campaign.example",
        "Fri, 14 Apr 2017 16:00:00 +0200",
        "Compte rendu du comité",
        "minutes-1@campaign.example",
        "Received: from mail.campaign.example by mx.campaign.example; Fri, 14 Apr 2017 16:00:02 +0200\r\n",
        "Le compte rendu est en pièce jointe.",
    );
    let signed_minutes = signer.sign(&minutes)?;
    let (headers, _) = signed_minutes
        .split_once("\r\n\r\n")
        .expect("a message has a header block");
    let outlook = leakcheck_samples::OutlookMessage {
        subject: "Compte rendu du comité".into(),
        from: ("Bruno Petit".into(), "bruno@campaign.example".into()),
        to: vec![("Anne Martin".into(), "anne@campaign.example".into())],
        body: "Le compte rendu est en pièce jointe.".into(),
        transport_headers: Some(format!("{headers}\r\n\r\n")),
        submitted: Some(1_492_178_400),
        message_id: Some("<minutes-1@campaign.example>".into()),
        attachments: vec![leakcheck_samples::MsgAttachment::File {
            name: "compte-rendu.txt".into(),
            mime: "text/plain".into(),
            data: "Présents : Anne, Bruno, Claire.\r\nDécision : affiches à Lyon.\r\n".into(),
        }],
        ..Default::default()
    };
    fs::write(
        dir.join("outlook/compte-rendu.msg"),
        leakcheck_samples::msg(&outlook)?,
    )?;

    // What Outlook sends in place of a message's attachments: winmail.dat.
    let winmail = leakcheck_samples::winmail(
        "Devis imprimeur",
        "Le devis est en pièce jointe.",
        &[(
            "DEVIS~1.TXT",
            "devis imprimeur.txt",
            "Affiches : 40 000 exemplaires, 12 000 euros.\r\n".as_bytes(),
            "2017-04-11 10:00:00",
        )],
    );
    fs::write(dir.join("outlook/winmail.dat"), winmail)?;

    // A zip locked with a password (AES-256) published with the leak.
    let mut locked = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let aes = zip::write::SimpleFileOptions::default()
        .with_aes_encryption(zip::AesMode::Aes256, ZIP_PASSWORD);
    locked.start_file("confidentiel/donateurs.csv", aes)?;
    locked.write_all(b"donateur,montant\nA. Durand,7500\nB. Leroy,7500\n")?;
    fs::write(dir.join("locked.zip"), locked.finish()?.into_inner())?;
    signer.record()
}

/// Writes the key-recovery sample into `dir`: two emails a newspaper
/// signed with an RSA key the demo then withholds. Returns that key as a
/// `keys import` line, for the step that imports it afterwards.
pub fn write_key_dump(dir: &Path) -> Result<String> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    fs::create_dir_all(dir)?;
    let pair = DkimKeyPair::generate_rsa(1024)?;
    let signer = DemoSigner {
        key: DemoKey::Rsa(Box::new(rsa::RsaPrivateKey::from_pkcs1_der(
            pair.private_key(),
        )?)),
        selector: "press2017",
        domain: "news.example",
    };
    for (n, (date, subject, body)) in [
        (
            "Thu, 13 Apr 2017 08:30:00 +0000",
            "Interview request",
            "Would you be available on Friday?",
        ),
        (
            "Fri, 14 Apr 2017 09:10:00 +0000",
            "Re: Interview request",
            "Friday at 10 in our office, then.",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let msg = email(
            "Press Office <press@news.example>",
            "anne@campaign.example",
            date,
            subject,
            &format!("press-{}@news.example", n + 1),
            "",
            body,
        );
        fs::write(dir.join(format!("press-{}.eml", n + 1)), signer.sign(&msg)?)?;
    }
    signer.record()
}
