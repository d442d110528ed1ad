//! French postal addresses: a house number, a street type and a street
//! name, with the postcode and city when they follow on the same line or
//! the next (`12 bis rue de la Paix, 75002 Paris`).

use regex::Regex;

use crate::{Error, Kind, Span, compile};

#[derive(Debug)]
pub(crate) struct Finder {
    /// Capitalised street names (`rue de la Paix`), postcode optional.
    named: Regex,
    /// Street names in any case (`rue de la paix`), which only a postcode
    /// and city after them tell from prose.
    lower: Regex,
}

/// `12`, `12-14`, `12 bis`, `12b`, then the street type.
const NUMBER: &str = r"(?-u:\b)[0-9]{1,4}(?:[ \x{a0}]?[\-/][ \x{a0}]?[0-9]{1,4})?(?:[ \x{a0}]?(?i:bis|ter|quater|[a-d]))?,?[ \x{a0}]+";

const TYPE: &str = r"(?i:rue|avenue|av\.|ave\.?|boulevard|boul\.|bd\.?|bld|blvd\.?|place|pl\.|all[ée]e|all\.|impasse|imp\.|chemin|ch\.|quai|cours|cour|route|rte|square|sq\.|passage|faubourg|fbg|cit[ée]|villa|hameau|r[ée]sidence|sentier|voie|parvis|esplanade|promenade|rond-point|mont[ée]e|ruelle|lotissement|lieu-dit|domaine|carrefour|galerie|venelle|traverse|quartier)[ \x{a0}]+";

/// Lower-case particles of street names: `de la`, `l'`, `sur`…, and the
/// titles that people often leave in lower case (`avenue du général de Gaulle`).
const PARTICLE: &str = r"(?:(?i:de|du|des|la|le|les|et|sur|sous|en|aux|au|à|g[ée]n[ée]ral|mar[ée]chal|docteur|dr|pr[ée]sident|colonel|commandant|capitaine|lieutenant|professeur|abb[ée]|p[èe]re|amiral|fr[èe]res|comte|sainte?)[ \x{a0}]+|(?i:l|d)['’])";

/// A capitalised word (`Hugo`, `Saint-Michel`, `ÉGLISE`) or a number, as in
/// `rue du 8 Mai 1945`.
const WORD: &str = r"(?:\p{Lu}[\p{L}\p{M}'’\-]*|[0-9]{1,4}(?:er|e)?(?-u:\b))";

/// `, 75011 Paris`, ` – 75011 Paris`, ` 75011 PARIS CEDEX 11`, or the postcode
/// on the next line.
const POSTCODE: &str = r"(?:[ \x{a0}]*[,\-–—][ \x{a0}]*|[ \x{a0}]+|[ \x{a0}]*\r?\n[ \t\x{a0}]*)(?:F-)?(?:[0-9]{5}|[0-9]{2}[ \x{a0}][0-9]{3})(?-u:\b)[ \x{a0}]+";

const CEDEX: &str = r"(?i:cedex)(?:[ \x{a0}]+[0-9]{1,2}(?-u:\b))?";

impl Finder {
    pub(crate) fn new() -> Result<Finder, Error> {
        let name = format!(r"{PARTICLE}*{WORD}(?:[ \x{{a0}}]+{PARTICLE}*{WORD}){{0,6}}");
        // CEDEX first, so that its number comes with it.
        let city_word = format!(r"(?:{CEDEX}|\p{{Lu}}[\p{{L}}\p{{M}}'’]*)");
        let city = format!(
            r"{city_word}(?:(?:[ \x{{a0}}]+|-)(?:(?i:sur|sous|en|le|la|les|de|du|des|lès|lez|aux|au|et)(?:[ \x{{a0}}]+|-)|(?i:l|d)['’])?{city_word}){{0,4}}"
        );
        let named = format!(r"{NUMBER}{TYPE}{name}(?:{POSTCODE}{city})?");
        // In lower case, one word and its article: `la rochelle`, `l'haÿ-les-roses`.
        let lower_city = format!(
            r"(?:(?:le|la|les)[ \x{{a0}}]+|l['’])?\p{{L}}[\p{{L}}\p{{M}}'’\-]*(?:[ \x{{a0}}]+{CEDEX})?"
        );
        let any_word = r"[\p{L}\p{M}0-9'’\-]+";
        let lower = format!(
            r"{NUMBER}{TYPE}{any_word}(?:[ \x{{a0}}]+{any_word}){{0,6}}{POSTCODE}(?:{city}|{lower_city})"
        );
        Ok(Finder {
            named: compile(&named)?,
            lower: compile(&lower)?,
        })
    }

    pub(crate) fn find(&self, text: &str, out: &mut Vec<Span>) {
        // Both run: the longer of two overlapping matches wins later.
        for re in [&self.named, &self.lower] {
            for m in re.find_iter(text) {
                out.push(Span::new(text, m.start(), m.end(), Kind::PostalAddress));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        Finder::new().unwrap().find(text, &mut out);
        crate::longest_first(out)
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn addresses() {
        for address in [
            "12 rue de la Paix",
            "12 bis rue de la Paix, 75002 Paris",
            "3, avenue des Champs-Élysées 75008 PARIS CEDEX 08",
            "14 impasse des Lilas\n69003 Lyon",
            "5 av. du Général Leclerc, 92100 Boulogne-Billancourt",
            "56 rue du Faubourg Saint-Antoine",
            "7 allée de l'Église, 78100 Saint-Germain-en-Laye",
            "10 rue du 8 Mai 1945",
            "2 bd Haussmann",
            "9 chemin du moulin, 33000 bordeaux",
            "1 quai d'Orsay 75007 Paris",
            "4 place Bellecour, 69002 Lyon Cedex",
            "190 cours pasteur, 17000 la rochelle",
            "8 avenue du général de Gaulle – 94000 Créteil",
            "3 rue du docteur Roux",
        ] {
            assert_eq!(
                found(&format!("J'habite au {address}. Venez !")),
                [address],
                "{address}"
            );
        }
    }

    #[test]
    fn not_addresses() {
        for s in [
            "j'ai pris 10 cours de piano",
            "150 square meters",
            "2 places de cinéma",
            "Rendez-vous place de la Bastille",
            "75011 Paris",
            "le 12 mars rue de la Paix",
        ] {
            assert!(found(s).is_empty(), "{s}: {:?}", found(s));
        }
    }
}
