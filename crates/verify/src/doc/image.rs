//! Image checks: `image.exif` (EXIF at odds with the image or itself),
//! `image.thumbnail` (the embedded thumbnail shows another picture, or a
//! region of it differs) and `image.software` (an editor saved it while the
//! other pictures from the same camera were not).

use leakcheck_core::doc::{key, store};
use leakcheck_core::{CheckId, DocMeta, Finding, Verdict};
use serde_json::json;

use leakcheck_extract::doc::image::{REGION_DIFFERS, REGION_RATIO, changed_regions};

use super::population::{MIN_POPULATION, Population};
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

/// Where a grid cell lies, in per cent of the picture's width and height.
fn region(cell: usize, columns: u32, rows: u32) -> serde_json::Value {
    let (c, r) = (cell as u32 % columns, cell as u32 / columns);
    let pct = |i: u32, n: u32| (100 * i).div_ceil(n);
    json!({
        "cell": cell, "row": r + 1, "column": c + 1,
        "x_percent": [pct(c, columns), pct(c + 1, columns)],
        "y_percent": [pct(r, rows), pct(r + 1, rows)],
    })
}

/// `image.thumbnail`: the EXIF thumbnail, scaled and compared with the
/// image as a whole and region by region.
pub fn thumbnail(meta: &DocMeta) -> Option<Finding> {
    let t = meta.image.as_ref()?.thumbnail.as_ref()?;
    let mean = t.mean_difference?;
    let changed = t.regions.as_ref().map(changed_regions).unwrap_or_default();
    let regions: Vec<_> = t
        .regions
        .as_ref()
        .map(|r| {
            changed
                .iter()
                .map(|&i| {
                    let mut v = region(i, r.columns, r.rows);
                    v["mean_difference_percent"] = json!(r.mean_difference[i]);
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    let evidence = json!({
        "thumbnail": {"width": t.width, "height": t.height, "offset": t.offset, "length": t.length},
        "mean_difference_percent": mean,
        "hash_distance": t.hash_distance,
        "aspect_differs": t.aspect_differs,
        "threshold_percent": THUMBNAIL_DIFFERS,
        "turned_degrees": t.turned,
        "grid": t.regions.as_ref().map(|r| json!({
            "columns": r.columns, "rows": r.rows, "mean_difference_percent": r.mean_difference,
            "region_threshold_percent": REGION_DIFFERS, "region_ratio_to_median": REGION_RATIO,
        })),
        "changed_regions": regions,
    });
    let hash = t
        .hash_distance
        .map(|d| format!(", perceptual hashes {d}/64 bits apart"))
        .unwrap_or_default();
    let turned = t
        .turned
        .map(|d| format!("; the pixels were turned {d}° after the thumbnail was made"))
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
    } else if !regions.is_empty() {
        let places: Vec<String> = regions
            .iter()
            .map(|r| {
                format!(
                    "row {} column {} ({:.1} % different; {}-{} % across, {}-{} % down)",
                    r["row"],
                    r["column"],
                    r["mean_difference_percent"].as_f64().unwrap_or_default(),
                    r["x_percent"][0],
                    r["x_percent"][1],
                    r["y_percent"][0],
                    r["y_percent"][1]
                )
            })
            .collect();
        finding(
            CheckId::ImageThumbnail,
            Verdict::Suspicious,
            format!(
                "a region of the image differs from its embedded thumbnail while the rest matches \
                 ({mean:.1} % mean difference overall{turned}): {}; the image was edited there after the thumbnail was made",
                places.join("; ")
            ),
            evidence,
        )
    } else {
        finding(
            CheckId::ImageThumbnail,
            Verdict::Consistent,
            format!(
                "the embedded thumbnail matches the image, region by region ({mean:.1} % mean difference{hash}{turned})"
            ),
            evidence,
        )
    })
}

/// The fields that name the software an image went through.
fn software_fields(meta: &DocMeta) -> Vec<(&str, &leakcheck_core::Field)> {
    meta.stores
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (s.name.as_str(), f)))
        .filter(|(_, f)| {
            f.key == key::SOFTWARE || f.key == key::CREATOR_TOOL || f.tag.ends_with("softwareAgent")
        })
        .collect()
}

/// The editor an image names first, as the needle that matched ("lightroom").
pub(crate) fn editor(meta: &DocMeta) -> Option<&'static str> {
    if !is_image(meta) {
        return None;
    }
    software_fields(meta).iter().find_map(|(_, f)| {
        let lower = f.value.to_lowercase();
        EDITORS
            .iter()
            .find(|(needle, _)| lower.contains(needle))
            .map(|(needle, _)| *needle)
    })
}

/// The camera that took an image (EXIF make and model): its siblings are
/// the dump's other pictures from the same camera.
pub(crate) fn camera(meta: &DocMeta) -> Option<String> {
    if !is_image(meta) {
        return None;
    }
    let ifd0 = meta.store(store::EXIF_IFD0)?;
    let parts: Vec<&str> = [key::MAKE, key::MODEL]
        .iter()
        .filter_map(|k| ifd0.get(k))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// `image.software`: the software an image names, whether it edits images,
/// and whether the camera's other pictures went through it too. An editor
/// is a photographer's workflow (Lightroom exports) when more than a
/// handful of the camera's pictures name it; on one picture among siblings
/// that lack it, that picture was treated apart.
pub fn software(meta: &DocMeta, pop: &Population) -> Option<Finding> {
    if !is_image(meta) {
        return None;
    }
    let named = software_fields(meta);
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
    let camera = camera(meta);
    let mut evidence = json!({
        "software": named.iter().map(|(s, f)| cite(s, f)).collect::<Vec<_>>(),
        "editors": editors,
        "photoshop_resources": meta.store(PHOTOSHOP).is_some(),
        "camera": camera,
    });
    if editors.is_empty() {
        let mut names: Vec<&str> = named.iter().map(|(_, f)| f.value.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        return Some(finding(
            CheckId::ImageSoftware,
            Verdict::Consistent,
            format!("saved by {}, not a known editor", names.join(", ")),
            evidence,
        ));
    }
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
    let names = names.join(", ");
    let (Some(camera), Some(needle)) = (camera, editor(meta)) else {
        return Some(finding(
            CheckId::ImageSoftware,
            Verdict::Consistent,
            format!(
                "saved by {names}; no camera named, so no sibling pictures to compare with: an editor's export is not a sign by itself"
            ),
            evidence,
        ));
    };
    let (n, total) = pop.camera_share(&camera, needle);
    evidence["siblings"] = json!({"camera": camera, "editor": needle,
                                 "population": Population::share(n, total)});
    Some(if Population::rare(n, total) {
        finding(
            CheckId::ImageSoftware,
            Verdict::Suspicious,
            format!(
                "saved by {names}, as only {n} of the dump's {total} pictures from the {camera}: \
                 this one was treated apart from its siblings"
            ),
            evidence,
        )
    } else {
        let how = if Population::norm(n, total) {
            "this camera's workflow"
        } else if total < MIN_POPULATION {
            "too few pictures from this camera to compare"
        } else {
            "not rare among them"
        };
        finding(
            CheckId::ImageSoftware,
            Verdict::Consistent,
            format!(
                "saved by {names}, as {n} of the dump's {total} pictures from the {camera} ({how})"
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
        let shot = |sw: &str| photo(sw, (1, 1), ("1", "1"));
        let mut dump: Vec<DocMeta> = (0..11).map(|_| shot("Ver.1.00")).collect();
        dump.push(shot("Adobe Photoshop CS2 Macintosh"));
        let pop = Population::new(&dump, []);
        let f = software(&dump[11], &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious, "{}", f.summary);
        assert!(
            f.summary
                .contains("Adobe Photoshop CS2 Macintosh (image editor), as only 1 of the dump's 12 pictures from the Canon EOS 5D"),
            "{}",
            f.summary
        );
        let f = software(&dump[0], &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
        assert!(f.summary.contains("not a known editor"), "{}", f.summary);
        // A photographer's Lightroom exports: the camera's workflow.
        let mut dump: Vec<DocMeta> = (0..8).map(|_| shot("Ver.1.00")).collect();
        dump.extend((0..5).map(|_| shot("Adobe Photoshop Lightroom 6.8 (Windows)")));
        let pop = Population::new(&dump, []);
        let f = software(&dump[12], &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert!(
            f.summary.contains(
                "5 of the dump's 13 pictures from the Canon EOS 5D (this camera's workflow)"
            ),
            "{}",
            f.summary
        );
        // Alone, an editor is not a sign.
        let pop = Population::new(&dump[12..], []);
        let f = software(&dump[12], &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        assert!(
            software(
                &doc(
                    "pdf",
                    vec![mk(store::PDF_INFO, &[(key::CREATOR_TOOL, "GIMP")])]
                ),
                &pop
            )
            .is_none()
        );
    }
}
