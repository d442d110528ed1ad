//! `doc.authorship` and `doc.script`: who the metadata names, and in which
//! writing system, against the organisation and the rest of the dump.

use std::collections::{BTreeMap, BTreeSet};

use leakcheck_core::doc::key;
use leakcheck_core::{CheckId, DocMeta, Field, Finding, Verdict};
use serde_json::json;
use unicode_script::{Script, UnicodeScript};

use super::population::{MIN_POPULATION, Population};
use super::{OrgNames, cite, finding, squash};

/// Fields that name a person or an organisation.
const PEOPLE: [&str; 7] = [
    key::AUTHOR,
    key::LAST_MODIFIED_BY,
    key::COMPANY,
    key::MANAGER,
    key::COMMENT_AUTHOR,
    key::REVISION_AUTHOR,
    key::ARTIST,
];
/// Word's list of the last authors and where they saved, `name (path)`.
const SAVED_BY: &str = "SttbSavedBy";
/// Fields written by people, whose script says something about who wrote them.
const WRITTEN: [&str; 6] = [
    key::TITLE,
    key::SUBJECT,
    key::TEMPLATE,
    key::KEYWORDS,
    key::DESCRIPTION,
    key::COPYRIGHT,
];

/// Default account names that say nothing about who used the machine.
const GENERIC: [&str; 14] = [
    "user",
    "admin",
    "administrator",
    "administrateur",
    "utilisateur",
    "owner",
    "windowsuser",
    "utilisateurwindows",
    "microsoftofficeuser",
    "utilisateurdemicrosoftoffice",
    "unknown",
    "author",
    "auteur",
    "guest",
];

/// Every person or organisation named, with the store and field it is in.
pub(crate) fn people(meta: &DocMeta) -> impl Iterator<Item = (&str, &Field, String)> {
    meta.stores.iter().flat_map(|s| {
        s.fields.iter().filter_map(move |f| {
            if PEOPLE.contains(&f.key.as_str()) {
                Some((s.name.as_str(), f, f.value.clone()))
            } else if f.key == SAVED_BY {
                let name = f.value.split(" (").next().unwrap_or_default();
                Some((s.name.as_str(), f, name.to_string()))
            } else {
                None
            }
        })
    })
}

/// Fields written by people: names, titles, subjects, templates.
pub(crate) fn named(meta: &DocMeta) -> impl Iterator<Item = (&str, &Field)> {
    meta.stores.iter().flat_map(|s| {
        s.fields
            .iter()
            .filter(|f| {
                PEOPLE.contains(&f.key.as_str())
                    || WRITTEN.contains(&f.key.as_str())
                    || f.key == SAVED_BY
            })
            .map(move |f| (s.name.as_str(), f))
    })
}

/// Declared code pages (OLE property 1, RTF `\ansicpg`).
pub(crate) fn code_pages(meta: &DocMeta) -> impl Iterator<Item = (&str, &Field)> {
    meta.fields(key::CODE_PAGE)
}

/// The scripts letters of `values` are written in (Latin, Cyrillic, Han...),
/// leaving out digits, punctuation and marks, which every script shares.
pub(crate) fn scripts<'a>(values: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    values
        .into_iter()
        .flat_map(str::chars)
        .map(|c| c.script())
        .filter(|s| !matches!(s, Script::Common | Script::Inherited | Script::Unknown))
        .map(|s| s.full_name().to_string())
        .collect()
}

/// The script a Windows code page is made for, when it is not Latin.
pub(crate) fn code_page_script(cp: &str) -> Option<&'static str> {
    Some(match cp.trim() {
        "1251" | "866" | "855" | "10007" | "20866" | "21866" | "28595" => "Cyrillic",
        "1253" | "737" | "869" | "28597" => "Greek",
        "1255" | "862" | "28598" => "Hebrew",
        "1256" | "720" | "28596" => "Arabic",
        "874" => "Thai",
        "932" | "936" | "950" | "54936" => "Han",
        "949" => "Hangul",
        _ => return None,
    })
}

/// A document's scripts: those of its named fields and those its code pages imply.
pub(crate) fn doc_scripts(meta: &DocMeta) -> BTreeSet<String> {
    let mut all = scripts(named(meta).map(|(_, f)| f.value.as_str()));
    all.extend(
        code_pages(meta)
            .filter_map(|(_, f)| code_page_script(&f.value))
            .map(String::from),
    );
    all
}

/// `doc.authorship`: names that few documents of the dump carry and that
/// are not in the organisation's circle (its names, its senders, the people
/// who write to it or receive its mail).
pub fn authorship(meta: &DocMeta, pop: &Population, org: &OrgNames) -> Option<Finding> {
    let mut names = BTreeMap::new();
    for (store, f, name) in people(meta) {
        let key = squash(&name);
        if key.is_empty() || names.contains_key(&key) {
            continue;
        }
        let count = pop.people.get(&key).copied().unwrap_or(0);
        let generic = GENERIC.contains(&key.as_str());
        let known = org.contains(&name);
        let outlier = !generic && !known && Population::rare(count, pop.documents);
        names.insert(key, (name, store, f, count, generic, known, outlier));
    }
    if names.is_empty() {
        return None;
    }
    let evidence = json!({
        "names": names.values().map(|(name, store, f, count, generic, known, outlier)| {
            let mut c = cite(store, f);
            c["name"] = json!(name);
            c["documents_with_name"] = json!(count);
            c["generic"] = json!(generic);
            c["in_organisation"] = json!(known);
            c["outlier"] = json!(outlier);
            c
        }).collect::<Vec<_>>(),
        "documents": pop.documents,
        "organisation_names": org.len(),
    });
    let outliers: Vec<String> = names
        .values()
        .filter(|n| n.6)
        .map(|(name, store, f, count, ..)| {
            format!(
                "{name:?} ({store} {}, in {count} of {} documents)",
                f.tag, pop.documents
            )
        })
        .collect();
    Some(if !outliers.is_empty() {
        finding(
            CheckId::DocAuthorship,
            Verdict::Suspicious,
            format!(
                "named by few documents of the dump, and neither the organisation nor anyone who corresponds with it: {}",
                outliers.join("; ")
            ),
            evidence,
        )
    } else if pop.documents < MIN_POPULATION {
        finding(
            CheckId::DocAuthorship,
            Verdict::Consistent,
            format!(
                "{}; the dump has {} documents, too few to call a name rare",
                leakcheck_core::words::count(names.len(), "name", "names"),
                pop.documents
            ),
            evidence,
        )
    } else {
        finding(
            CheckId::DocAuthorship,
            Verdict::Consistent,
            format!(
                "{}, each common in the dump, generic, or in the organisation's circle",
                leakcheck_core::words::count(names.len(), "name", "names")
            ),
            evidence,
        )
    })
}

/// `doc.script`: a writing system in the metadata that the rest of the dump
/// (documents and emails) hardly uses: Cyrillic names in a French dump.
pub fn script(meta: &DocMeta, pop: &Population) -> Option<Finding> {
    let mut seen: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for (store, f) in named(meta) {
        for s in scripts([f.value.as_str()]) {
            seen.entry(s).or_default().push(cite(store, f));
        }
    }
    for (store, f) in code_pages(meta) {
        if let Some(s) = code_page_script(&f.value) {
            seen.entry(s.to_string()).or_default().push(cite(store, f));
        }
    }
    if seen.is_empty() {
        return None;
    }
    let rare: Vec<&String> = seen
        .keys()
        .filter(|s| Population::rare(pop.scripts.get(*s).copied().unwrap_or(0), pop.texts))
        .collect();
    let evidence = json!({
        "scripts": seen.iter().map(|(s, fields)| json!({
            "script": s,
            "fields": fields,
            "population": Population::share(pop.scripts.get(s).copied().unwrap_or(0), pop.texts),
        })).collect::<Vec<_>>(),
        "code_pages": code_pages(meta).map(|(store, f)| cite(store, f)).collect::<Vec<_>>(),
    });
    Some(if rare.is_empty() {
        let names: Vec<&str> = seen.keys().map(String::as_str).collect();
        finding(
            CheckId::DocScript,
            Verdict::Consistent,
            format!(
                "metadata in {}, as in the rest of the dump",
                names.join(", ")
            ),
            evidence,
        )
    } else {
        let parts: Vec<String> = rare
            .iter()
            .map(|s| {
                let first = &seen[*s][0];
                format!(
                    "{s} in {} {:?} ({} of {} documents and emails use it)",
                    first["tag"].as_str().unwrap_or_default(),
                    first["value"].as_str().unwrap_or_default(),
                    pop.scripts.get(*s).copied().unwrap_or(0),
                    pop.texts
                )
            })
            .collect();
        finding(
            CheckId::DocScript,
            Verdict::Suspicious,
            format!("a script foreign to the dump: {}", parts.join("; ")),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{doc, store};
    use super::*;
    use leakcheck_core::doc::store as st;
    use leakcheck_core::{Address, EmailMeta};

    fn french(n: usize) -> Vec<DocMeta> {
        (0..n)
            .map(|i| {
                doc(
                    "docx",
                    vec![store(
                        st::OOXML_CORE,
                        &[
                            (
                                key::AUTHOR,
                                if i % 2 == 0 {
                                    "Anne Martin"
                                } else {
                                    "Bruno Petit"
                                },
                            ),
                            (key::TITLE, "Réunion de l'équipe"),
                        ],
                    )],
                )
            })
            .collect()
    }

    fn foreign() -> DocMeta {
        doc(
            "xls",
            vec![
                store(
                    st::OLE_SUMMARY,
                    &[
                        (key::CODE_PAGE, "1251"),
                        (key::AUTHOR, "Рошка Георгий Петрович"),
                    ],
                ),
                store(st::OLE_DOC_SUMMARY, &[(key::COMPANY, "Evrika")]),
            ],
        )
    }

    #[test]
    fn a_rare_outside_author_is_flagged_and_a_common_one_is_not() {
        let mut docs = french(19);
        docs.push(foreign());
        let pop = Population::new(&docs, []);
        let org = OrgNames::new(&["Anne Martin".into()], &[], []);
        let f = authorship(&foreign(), &pop, &org).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious, "{}", f.summary);
        assert!(
            f.summary.contains("Рошка Георгий Петрович"),
            "{}",
            f.summary
        );
        assert!(f.summary.contains("Evrika"));
        // Bruno is not in the organisation list, but half the dump names him.
        let f = authorship(&docs[1], &pop, &org).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        // Known to the organisation: never an outlier, however rare.
        let org = OrgNames::new(&["Evrika".into(), "Рошка Георгий Петрович".into()], &[], []);
        assert_eq!(
            authorship(&foreign(), &pop, &org).unwrap().verdict,
            Verdict::Consistent
        );
        // Too small a dump to say.
        let pop = Population::new(&docs[15..], []);
        let f = authorship(&foreign(), &pop, &OrgNames::default()).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
        assert!(f.summary.contains("too few"));
    }

    #[test]
    fn a_volunteer_from_a_personal_address_is_in_the_circle() {
        let mut docs = french(39);
        let leaflet = doc(
            "docx",
            vec![store(st::OOXML_CORE, &[(key::AUTHOR, "Paul Girard")])],
        );
        docs.push(leaflet.clone());
        let pop = Population::new(&docs, []);
        let volunteer = EmailMeta {
            from: vec![Address {
                name: Some("Paul Girard".into()),
                address: Some("paul.girard1987@gmail.example".into()),
            }],
            to: vec![Address {
                name: None,
                address: Some("contact@campaign.example".into()),
            }],
            ..EmailMeta::default()
        };
        let org = OrgNames::new(&[], &["campaign.example".into()], [&volunteer]);
        let f = authorship(&leaflet, &pop, &org).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        // Nobody in the dump writes to or from him: an outsider.
        let org = OrgNames::new(&[], &["campaign.example".into()], []);
        let f = authorship(&leaflet, &pop, &org).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious, "{}", f.summary);
        assert!(f.summary.contains("Paul Girard"), "{}", f.summary);
    }

    #[test]
    fn generic_account_names_are_never_outliers() {
        let mut docs = french(19);
        let admin = doc(
            "docx",
            vec![store(
                st::OOXML_CORE,
                &[(key::LAST_MODIFIED_BY, "Administrator")],
            )],
        );
        docs.push(admin.clone());
        let pop = Population::new(&docs, []);
        let f = authorship(&admin, &pop, &OrgNames::default()).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent);
        assert_eq!(f.evidence["names"][0]["generic"], true);
    }

    #[test]
    fn cyrillic_and_code_page_1251_are_foreign_to_a_french_dump() {
        let mut docs = french(19);
        docs.push(foreign());
        let pop = Population::new(&docs, []);
        let f = script(&foreign(), &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Suspicious, "{}", f.summary);
        assert!(f.summary.contains("Cyrillic"), "{}", f.summary);
        let cyr = &f.evidence["scripts"][0];
        assert_eq!(cyr["script"], "Cyrillic");
        assert_eq!(cyr["fields"].as_array().unwrap().len(), 2, "{cyr}");
        let f = script(&docs[0], &pop).unwrap();
        assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
        // In a Russian dump the same file is ordinary.
        let russian: Vec<DocMeta> = (0..20).map(|_| foreign()).collect();
        let pop = Population::new(&russian, []);
        assert_eq!(
            script(&foreign(), &pop).unwrap().verdict,
            Verdict::Consistent
        );
    }

    #[test]
    fn scripts_skip_digits_and_punctuation() {
        let s = scripts(["2017 — Budget (v2)", "東京"]);
        assert_eq!(s.into_iter().collect::<Vec<_>>(), ["Han", "Latin"]);
        assert_eq!(code_page_script("1252"), None);
        assert_eq!(code_page_script("1251"), Some("Cyrillic"));
    }
}
