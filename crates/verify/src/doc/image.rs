//! Image checks: `image.exif` (EXIF at odds with the image or itself),
//! `image.thumbnail` (the embedded thumbnail shows another picture) and
//! `image.software` (an editor saved it).

use leakcheck_core::doc::{key, store};
use leakcheck_core::{CheckId, DocMeta, Finding, Verdict};
use serde_json::json;

use super::{When, cite, finding};

/// Mean difference (per cent) from which a thumbnail shows another picture
/// (Ghiro's threshold; resampling and recompression stay well below).
const THUMBNAIL_DIFFERS: f64 = 15.0;
/// The Photoshop resource store (APP13), whose IPTC digest Adobe tools keep current.
const PHOTOSHOP: &str = "photoshop";
const EXIF_STORES: [&str; 3] = [store::EXIF_IFD0, store::EXIF_EXIF, store::EXIF_IFD1];

/// Programs that change pixels or metadata, as they name themselves.
const EDITORS: [(&str, &str); 24] = [
    ("photoshop", "image editor"),
    ("lightroom", "image editor"),
    ("gimp", "image editor"),
    ("paint.net", "image editor"),
    ("pixelmator", "image editor"),
    ("affinity photo", "image editor"),
    ("snapseed", "image editor"),
    ("picsart", "image editor"),
    ("canva", "image editor"),
    ("acdsee", "image editor"),
    ("paintshop", "image editor"),
    ("paint shop", "image editor"),
    ("corel", "image editor"),
    ("photoscape", "image editor"),
    ("luminar", "image editor"),
    ("capture one", "image editor"),
    ("darktable", "image editor"),
    ("rawtherapee", "image editor"),
    ("photopea", "image editor"),
    ("krita", "image editor"),
    ("fotor", "image editor"),
    ("facetune", "image editor"),
    ("exiftool", "metadata editor"),
    ("exiv2", "metadata editor"),
];

fn is_image(meta: &DocMeta) -> bool {
    meta.image.is_some()
        || meta
            .stores
            .iter()
            .any(|s| EXIF_STORES.contains(&s.name.as_str()))
}

/// `image.exif`: the size EXIF declares is not the image's, the IPTC digest
/// is stale, or the photo was taken after it was last modified.
pub fn exif(meta: &DocMeta) -> Option<Finding> {
    let exif_store = meta.store(store::EXIF_EXIF);
    let ifd0 = meta.store(store::EXIF_IFD0);
    let photoshop = meta.store(PHOTOSHOP);
    if exif_store.is_none() && ifd0.is_none() && photoshop.is_none() {
        return None;
    }
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    let mut evidence = json!({});

    let declared =
        |prefix: &str| exif_store.and_then(|s| s.fields.iter().find(|f| f.tag.starts_with(prefix)));
    let actual = meta.image.as_ref().and_then(|i| i.width.zip(i.height));
    if let (Some(w), Some(h), Some((aw, ah))) = (declared("0xa002"), declared("0xa003"), actual) {
        let (dw, dh) = (w.value.parse::<u32>().ok(), h.value.parse::<u32>().ok());
        if let (Some(dw), Some(dh)) = (dw, dh) {
            checked.push("size");
            evidence["size"] = json!({
                "declared": [cite(store::EXIF_EXIF, w), cite(store::EXIF_EXIF, h)],
                "image": [aw, ah],
            });
            if (dw, dh) != (aw, ah) && (dw, dh) != (ah, aw) {
                problems.push(format!(
                    "EXIF declares {dw}×{dh} pixels but the image is {aw}×{ah}: resized or cropped after the EXIF was written"
                ));
            }
        }
    }
    if let Some(d) =
        photoshop.and_then(|s| s.fields.iter().find(|f| f.key == "iptc_digest_current"))
    {
        checked.push("IPTC digest");
        evidence["iptc_digest"] = cite(PHOTOSHOP, d);
        if d.value == "no" {
            problems.push(
                "the IPTC digest is not current: a tool other than Adobe's changed the IPTC data after Photoshop saved it"
                    .to_string(),
            );
        }
    }
    let original = exif_store.and_then(|s| s.field(key::DATE_TIME_ORIGINAL));
    let modified = ifd0.and_then(|s| s.field(key::MODIFIED));
    if let (Some(o), Some(m)) = (original, modified)
        && let (Some(wo), Some(wm)) = (When::of(o), When::of(m))
    {
        checked.push("dates");
        evidence["dates"] =
            json!({"taken": cite(store::EXIF_EXIF, o), "modified": cite(store::EXIF_IFD0, m)});
        if wo.seconds_until(&wm).is_some_and(|s| s < -60) {
            problems.push(format!(
                "taken ({}) after it was last modified ({})",
                o.value, m.value
            ));
        }
    }
    let device: Vec<&str> = [key::MAKE, key::MODEL]
        .iter()
        .filter_map(|k| ifd0.and_then(|s| s.get(k)))
        .collect();
    evidence["device"] = json!(device.join(" "));
    if checked.is_empty() {
        return None;
    }
    evidence["checked"] = json!(checked);
    Some(if problems.is_empty() {
        finding(
            CheckId::ImageExif,
            Verdict::Consistent,
            format!("EXIF agrees with the image ({})", checked.join(", ")),
            evidence,
        )
    } else {
        finding(
            CheckId::ImageExif,
            Verdict::Suspicious,
            problems.join("; "),
            evidence,
        )
    })
}

/// `image.thumbnail`: the EXIF thumbnail, scaled and compared with the image.
pub fn thumbnail(meta: &DocMeta) -> Option<Finding> {
    let t = meta.image.as_ref()?.thumbnail.as_ref()?;
    let mean = t.mean_difference?;
    let evidence = json!({
        "thumbnail": {"width": t.width, "height": t.height, "offset": t.offset, "length": t.length},
        "mean_difference_percent": mean,
        "hash_distance": t.hash_distance,
        "aspect_differs": t.aspect_differs,
        "threshold_percent": THUMBNAIL_DIFFERS,
    });
    let hash = t
        .hash_distance
        .map(|d| format!(", perceptual hashes {d}/64 bits apart"))
        .unwrap_or_default();
    Some(if mean >= THUMBNAIL_DIFFERS || t.aspect_differs {
        let aspect = if t.aspect_differs {
            "; its proportions differ from the image's (a crop?)"
        } else {
            ""
        };
        finding(
            CheckId::ImageThumbnail,
            Verdict::Suspicious,
            format!(
                "the embedded thumbnail shows another picture: {mean:.1} % mean difference{hash}{aspect}; \
                 extract it at offset {} ({} bytes) to see what it shows",
                t.offset, t.length
            ),
            evidence,
        )
    } else {
        finding(
            CheckId::ImageThumbnail,
            Verdict::Consistent,
            format!("the embedded thumbnail matches the image ({mean:.1} % mean difference{hash})"),
            evidence,
        )
    })
}

/// `image.software`: the software an image names, and whether it edits images.
pub fn software(meta: &DocMeta) -> Option<Finding> {
    if !is_image(meta) {
        return None;
    }
    let named: Vec<_> = meta
        .stores
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (s.name.as_str(), f)))
        .filter(|(_, f)| {
            f.key == key::SOFTWARE || f.key == key::CREATOR_TOOL || f.tag.ends_with("softwareAgent")
        })
        .collect();
    if named.is_empty() {
        return None;
    }
    let editors: Vec<_> = named
        .iter()
        .filter_map(|(s, f)| {
            let lower = f.value.to_lowercase();
            let (_, what) = EDITORS.iter().find(|(needle, _)| lower.contains(needle))?;
            let mut c = cite(s, f);
            c["kind"] = json!(what);
            Some(c)
        })
        .collect();
    let evidence = json!({
        "software": named.iter().map(|(s, f)| cite(s, f)).collect::<Vec<_>>(),
        "editors": editors,
        "photoshop_resources": meta.store(PHOTOSHOP).is_some(),
    });
    Some(if editors.is_empty() {
        let mut names: Vec<&str> = named.iter().map(|(_, f)| f.value.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        finding(
            CheckId::ImageSoftware,
            Verdict::Consistent,
            format!("saved by {}, not a known editor", names.join(", ")),
            evidence,
        )
    } else {
        let mut names: Vec<String> = editors
            .iter()
            .map(|e| {
                format!(
                    "{} ({})",
                    e["value"].as_str().unwrap_or_default(),
                    e["kind"].as_str().unwrap_or_default()
                )
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        finding(
            CheckId::ImageSoftware,
            Verdict::Suspicious,
            format!(
                "saved by {}: the image may have been changed after it was taken",
                names.join(", ")
            ),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{doc, store as mk};
    use super::*;
    use leakcheck_core::{ImageFacts, Thumbnail};

    fn photo(software: &str, size: (u32, u32), declared: (&str, &str)) -> DocMeta {
        let mut m = doc(
            "jpeg",
            vec![
                mk(
                    store::EXIF_IFD0,
                    &[
                        (key::MAKE, "Canon"),
                        (key::MODEL, "EOS 5D"),
                        (key::SOFTWARE, software),
                        (key::MODIFIED, "2017:04:10 10:00:00"),
                    ],
                ),
                mk(
                    store::EXIF_EXIF,
                    &[
                        (key::DATE_TIME_ORIGINAL, "2017-04-10T09:00:00"),
                        ("0xa002 PixelXDimension", declared.0),
                        ("0xa003 PixelYDimension", declared.1),
                    ],
                ),
            ],
        );
        m.image = Some(ImageFacts {
            width: Some(size.0),
            height: Some(size.1),
            thumbnail: None,
        });
        m
    }

    #[test]
    fn declared_size_and_dates() {
        let f = exif(&photo("Firmware 1.0", (640, 480), ("640", "480"))).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert_eq!(f.evidence["device"], "Canon EOS 5D");
        let f = exif(&photo("Firmware 1.0", (480, 640), ("640", "480"))).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "rotated, not resized");
        let f = exif(&photo("Firmware 1.0", (400, 480), ("640", "480"))).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary
                .contains("declares 640×480 pixels but the image is 400×480"),
            "{}",
            f.summary
        );
        let mut late = photo("Firmware 1.0", (640, 480), ("640", "480"));
        late.stores[1].fields[0].date = Some("2017-04-11T09:00:00".into());
        late.stores[0].fields[3].date = Some("2017-04-10T10:00:00".into());
        let f = exif(&late).unwrap();
        assert!(
            f.summary.contains("after it was last modified"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn stale_iptc_digest() {
        let mut m = photo("Firmware 1.0", (640, 480), ("640", "480"));
        m.stores
            .push(mk(PHOTOSHOP, &[("iptc_digest_current", "no")]));
        let f = exif(&m).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(f.summary.contains("IPTC digest is not current"));
        m.stores.last_mut().unwrap().fields[0].value = "yes".into();
        assert_eq!(exif(&m).unwrap().verdict, Verdict::Consistent);
    }

    #[test]
    fn thumbnails() {
        let mut m = photo("x", (640, 480), ("640", "480"));
        assert!(thumbnail(&m).is_none());
        let t = Thumbnail {
            width: 160,
            height: 120,
            mean_difference: Some(2.5),
            hash_distance: Some(3),
            ..Thumbnail::default()
        };
        m.image.as_mut().unwrap().thumbnail = Some(t.clone());
        assert_eq!(thumbnail(&m).unwrap().verdict, Verdict::Consistent);
        m.image.as_mut().unwrap().thumbnail = Some(Thumbnail {
            mean_difference: Some(31.0),
            ..t.clone()
        });
        let f = thumbnail(&m).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(f.summary.contains("31.0 %"), "{}", f.summary);
        m.image.as_mut().unwrap().thumbnail = Some(Thumbnail {
            aspect_differs: true,
            ..t
        });
        assert_eq!(thumbnail(&m).unwrap().verdict, Verdict::Suspicious);
    }

    #[test]
    fn editors() {
        let f = software(&photo("Adobe Photoshop CS2 Macintosh", (1, 1), ("1", "1"))).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious);
        assert!(
            f.summary
                .contains("Adobe Photoshop CS2 Macintosh (image editor)"),
            "{}",
            f.summary
        );
        let f = software(&photo("Firmware Version 1.0.2", (1, 1), ("1", "1"))).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
        assert!(
            software(&doc(
                "pdf",
                vec![mk(store::PDF_INFO, &[(key::CREATOR_TOOL, "GIMP")])]
            ))
            .is_none()
        );
    }
}
