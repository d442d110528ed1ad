//! The documents of `leakcheck demo`: a dozen files the campaign could have
//! written (Word 2016, its own people, April 2017), enough for the dump to
//! have a population, and five planted ones that do not fit it.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use leakcheck_samples::{
    Exif, OfficeProps, PdfInfo, Thumbnail, Xmp, ZipDate, docx, jpeg, pdf, pdf_update, picture_pdf,
    xlsx,
};

/// The company every genuine file names (also in the demo's `org_names`).
pub const COMPANY: &str = "Campaign HQ";

fn word(author: &str, title: &str, day: u32) -> OfficeProps {
    OfficeProps {
        title: Some(title.into()),
        creator: Some(author.into()),
        last_modified_by: Some(author.into()),
        created: Some(format!("2017-04-{day:02}T08:30:00Z")),
        modified: Some(format!("2017-04-{:02}T17:05:00Z", day + 1)),
        revision: Some("3".into()),
        application: Some("Microsoft Office Word".into()),
        app_version: Some("16.0000".into()),
        company: Some(COMPANY.into()),
        ..OfficeProps::default()
    }
}

fn excel(author: &str, title: &str, day: u32) -> OfficeProps {
    OfficeProps {
        application: Some("Microsoft Excel".into()),
        ..word(author, title, day)
    }
}

fn pdf_info(author: &str, title: &str, day: u32) -> (PdfInfo, Xmp) {
    let tool = "Microsoft® Word 2016";
    let info = PdfInfo {
        title: Some(title.into()),
        author: Some(author.into()),
        creator: Some(tool.into()),
        producer: Some(tool.into()),
        created: Some(format!("D:201704{day:02}090000+02'00'")),
        modified: Some(format!("D:201704{day:02}090000+02'00'")),
    };
    let xmp = Xmp {
        title: info.title.clone(),
        creator: info.author.clone(),
        create_date: Some(format!("2017-04-{day:02}T09:00:00+02:00")),
        modify_date: Some(format!("2017-04-{day:02}T09:00:00+02:00")),
        creator_tool: Some(tool.into()),
        producer: Some(tool.into()),
    };
    (info, xmp)
}

/// Writes `documents/` (genuine) and `documents/planted/` into `dir`.
pub fn write(dir: &Path) -> Result<()> {
    let docs = dir.join("documents");
    let planted = docs.join("planted");
    fs::create_dir_all(&planted)?;
    let put = |name: &str, bytes: Vec<u8>| {
        let path = match name.strip_prefix("planted/") {
            Some(rest) => planted.join(rest),
            None => docs.join(name),
        };
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    let office = ZipDate::OFFICE;

    for (name, author, title, day, text) in [
        (
            "plan-lyon.docx",
            "Anne Martin",
            "Plan Lyon",
            3,
            "Meetings in Lyon, 20 April.",
        ),
        (
            "compte-rendu.docx",
            "Bruno Petit",
            "Compte rendu",
            4,
            "Monday meeting: posters, halls.",
        ),
        (
            "discours.docx",
            "Anne Martin",
            "Discours",
            6,
            "Mes chers amis,",
        ),
        (
            "agenda.docx",
            "Bruno Petit",
            "Agenda",
            10,
            "Tuesday: press; Wednesday: Lyon.",
        ),
        (
            "benevoles.docx",
            "Claire Roux",
            "Bénévoles",
            11,
            "Volunteers per district.",
        ),
    ] {
        put(name, docx(&word(author, title, day), &[text], office)?)?;
    }
    for (name, author, title, day, rows) in [
        (
            "budget-avril.xlsx",
            "Claire Roux",
            "Budget avril",
            5,
            &[&["poste", "montant"][..], &["affiches", "12000"]][..],
        ),
        (
            "affiches.xlsx",
            "Claire Roux",
            "Affiches",
            7,
            &[&["ville", "affiches"][..], &["Lyon", "800"]],
        ),
        (
            "donateurs.xlsx",
            "Claire Roux",
            "Donateurs",
            12,
            &[&["semaine", "dons"][..], &["15", "12000"]],
        ),
    ] {
        put(name, xlsx(&excel(author, title, day), rows, office)?)?;
    }
    for (name, author, title, day, text) in [
        (
            "programme.pdf",
            "Anne Martin",
            "Programme",
            8,
            "Programme: twelve proposals.",
        ),
        (
            "communique.pdf",
            "Bruno Petit",
            "Communiqué",
            13,
            "Press release: rally in Lyon.",
        ),
    ] {
        let (info, xmp) = pdf_info(author, title, day);
        put(name, pdf(&info, Some(&xmp), &[text]))?;
    }
    let camera = Exif {
        make: Some("Canon".into()),
        model: Some("Canon EOS 80D".into()),
        software: Some("Firmware Version 1.0.2".into()),
        artist: Some("Bruno Petit".into()),
        date_time: Some("2017:04:20 19:02:11".into()),
        date_time_original: Some("2017:04:20 19:02:11".into()),
        thumbnail: Thumbnail::OfImage,
    };
    put("meeting-lyon.jpg", jpeg(640, 480, 7, &camera)?)?;

    // Planted 1: a spreadsheet by an outsider, in Cyrillic (the 2017 pattern).
    let outsider = OfficeProps {
        creator: Some("Рошка Георгий Петрович".into()),
        last_modified_by: Some("Рошка Георгий Петрович".into()),
        company: Some("Evrika".into()),
        ..excel("", "Virements", 28)
    };
    put(
        "planted/virements.xlsx",
        xlsx(
            &outsider,
            &[&["bénéficiaire", "montant"], &["Cayman Trust", "250000"]],
            office,
        )?,
    )?;
    // Planted 2: Word properties, but repacked by another tool after the
    // leak, and modified before it was created.
    let repacked = OfficeProps {
        created: Some("2017-04-27T10:00:00Z".into()),
        modified: Some("2017-04-20T10:00:00Z".into()),
        ..word("Anne Martin", "Contrat", 1)
    };
    let after_leak = ZipDate {
        year: 2017,
        month: 5,
        day: 6,
        hour: 22,
        minute: 14,
        second: 0,
    };
    put(
        "planted/contrat.docx",
        docx(
            &repacked,
            &["Contract: 2,000,000 euros, paid offshore."],
            after_leak,
        )?,
    )?;
    // Planted 3: a PDF saved again after the window by another program, with
    // a new author and an extra page; its XMP still tells the first version.
    let (info, xmp) = pdf_info("Anne Martin", "Rapport", 14);
    let original = pdf(
        &info,
        Some(&xmp),
        &["Report: the campaign accounts are in order."],
    );
    let edited = PdfInfo {
        title: Some("Rapport confidentiel".into()),
        author: Some("K. Ivanov".into()),
        producer: Some("iLovePDF".into()),
        modified: Some("D:20170507103000+03'00'".into()),
        ..info
    };
    let updated = pdf_update(
        &original,
        &edited,
        Some("Annex: transfers to offshore accounts."),
    )
    .context("updating the demo PDF")?;
    put("planted/rapport.pdf", updated)?;
    // Planted 4: a photo retouched in an editor that forgot the thumbnail.
    let edited_photo = Exif {
        software: Some("Adobe Photoshop CC 2017 (Windows)".into()),
        thumbnail: Thumbnail::Other,
        ..camera.clone()
    };
    put("planted/rally.jpg", jpeg(640, 480, 11, &edited_photo)?)?;
    // Planted 5: a local edit. The camera's own picture, no editor named,
    // but a box painted over part of it after the camera wrote the
    // thumbnail (a covered face, a changed figure on a whiteboard): the
    // grid comparison names the region and draws the difference.
    let covered = Exif {
        date_time: Some("2017:04:20 19:04:37".into()),
        date_time_original: Some("2017:04:20 19:04:37".into()),
        thumbnail: Thumbnail::BeforeEdit,
        ..camera
    };
    put("planted/whiteboard.jpg", jpeg(640, 480, 13, &covered)?)?;
    Ok(())
}

/// The printer's invoice, typed, whose scan and screenshot the demo adds.
const INVOICE: &str = "Imprimerie du Rhône, 12 quai Perrache, 69002 Lyon
Facture n° 2017-0412 du 12 avril 2017
Campagne : affiches et tracts pour la tournée de Lyon
Affiches 60 x 80 cm, 40 000 exemplaires : 9 600 euros
Tracts A5 recto verso, 50 000 exemplaires : 2 400 euros
Total toutes taxes comprises : 12 000 euros
Règlement à trente jours par virement, référence RHONE-412.
Contact : Bruno Petit, Anne Martin";

/// A typed invoice in `documents/`, its scan (a picture-only PDF, turned
/// half a degree, as a scanner writes it) beside it, and outside the dump
/// a screenshot of it with the total changed, as it would circulate. The
/// scan and the screenshot are pictures of text, drawn by poppler's
/// `pdftoppm`; without it they are left out and the reason returned.
pub fn write_scans(dir: &Path) -> Result<Option<String>> {
    let (info, xmp) = pdf_info("Bruno Petit", "Facture imprimerie", 12);
    let typed = pdf(&info, Some(&xmp), &[INVOICE]);
    fs::write(dir.join("documents/facture-imprimerie.pdf"), &typed)?;
    let Some(page) = render(&typed, 150, dir)? else {
        return Ok(Some(
            "the scanned letter and the screenshot were left out: pdftoppm (poppler-utils) not found".into(),
        ));
    };
    let (w, h) = page.dimensions();
    let (sin, cos) = 0.5f32.to_radians().sin_cos();
    let skewed = image::GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - w as f32 / 2.0, y as f32 - h as f32 / 2.0);
        let (sx, sy) = (
            cos * dx + sin * dy + w as f32 / 2.0,
            -sin * dx + cos * dy + h as f32 / 2.0,
        );
        match (sx >= 0.0 && sy >= 0.0).then(|| page.get_pixel_checked(sx as u32, sy as u32)) {
            Some(Some(p)) => *p,
            _ => image::Luma([255]),
        }
    });
    let mut scan = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut scan, 60).encode_image(&skewed)?;
    fs::write(
        dir.join("documents/Scan_20170413_0001.pdf"),
        picture_pdf(&scan, (w, h), None),
    )?;
    let viral = INVOICE.replace("12 000 euros", "42 000 euros");
    let (info, xmp) = pdf_info("Bruno Petit", "Facture imprimerie", 12);
    if let Some(shot) = render(&pdf(&info, Some(&xmp), &[&viral]), 110, dir)? {
        let outside = dir.with_file_name("demo-outside");
        fs::create_dir_all(&outside)?;
        shot.save(outside.join("capture-facture.png"))?;
    }
    Ok(None)
}

/// The first page of `pdf` as a grey picture at `dpi`, or `None` without
/// `pdftoppm`.
fn render(pdf: &[u8], dpi: u32, dir: &Path) -> Result<Option<image::GrayImage>> {
    let work = dir.with_file_name("demo-render");
    fs::create_dir_all(&work)?;
    let src = work.join("page.pdf");
    fs::write(&src, pdf)?;
    let out = work.join("page");
    let run = std::process::Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(&src)
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status();
    let page = match run {
        Ok(s) if s.success() => Some(image::open(out.with_extension("png"))?.to_luma8()),
        Ok(s) => anyhow::bail!("pdftoppm failed on the demo invoice ({s})"),
        Err(_) => None,
    };
    fs::remove_dir_all(&work)?;
    Ok(page)
}
