//! The words a rule quotes from its source. Below both the question bank and the rules,
//! which both quote.

use serde::Deserialize;

/// The source's own words an item rests on: one quotation, or a list. Each must stand in
/// a document the item's `source:` cites, as shipped in `rules/sources/` (`rules check`
/// finds it there, and says where the nearest words are when it cannot).
///
/// Quotations are for checking the rules and for the rules book, never for working out a
/// result: the pre-parsed rules a result is worked out from leave them out, and they are
/// left out of `Debug` too, so that rules read back from that form compare equal to the
/// rules they were prepared from.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Quotes(pub Vec<String>);

impl std::fmt::Debug for Quotes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Quotes")
    }
}

impl<'de> Deserialize<'de> for Quotes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        Ok(Quotes(match OneOrMany::deserialize(deserializer)? {
            OneOrMany::One(quote) => vec![quote],
            OneOrMany::Many(quotes) => quotes,
        }))
    }
}

impl Quotes {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.iter()
    }
}
