//! Where a value stands in a file, found by the parser. A reader keeps what a file says,
//! not where it says it; a refusal that can only be made once the whole file is read (an
//! answer that cannot apply given the answers after it, an area the rules do not have) is
//! placed by reading the file again along the value's path ([`Seek`]), failing where the
//! path ends: the parser gives that failure the line and column of the node it was
//! reading, as it does for any refusal raised while it reads. Nothing is searched for in
//! the text, so a comment or another key that mentions the same words is never taken for
//! the value.

use crate::error::Location;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One step of the path to a value: a mapping's key, or a list's element (from 0); a path
/// that ends with a key stands at the key, unless `Value` follows it: then at its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
    Value,
}

/// The words of the failure raised where the path ends, which no file can write (a
/// control character ends every YAML and JSON scalar that is not escaped).
pub const FOUND: &str = "\u{1}sought";

/// Follows a path through one document, reading nothing else, and fails where the path
/// ends: on the key itself when the last step is a key (the line where `key:` is
/// written), on the element when it is an index. A path that is not in the document reads
/// to the end and succeeds.
#[derive(Clone, Copy)]
pub struct Seek<'p>(pub &'p [Step<'p>]);

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (want, rest) = match self.0.split_first() {
            Some((Step::Key(want), rest)) => (Some(*want), rest),
            _ => (None, &[][..]),
        };
        while let Some(found) = map.next_key_seed(Key {
            want,
            last: rest.is_empty(),
        })? {
            if found && rest == [Step::Value] {
                map.next_value_seed(Here)?;
            } else if found {
                map.next_value_seed(Seek(rest))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (want, rest) = match self.0.split_first() {
            Some((Step::Index(want), rest)) => (Some(*want), rest),
            _ => (None, &[][..]),
        };
        let mut index = 0;
        loop {
            let more = if want == Some(index) {
                if rest.is_empty() {
                    seq.next_element_seed(Here)?
                } else {
                    seq.next_element_seed(Seek(rest))?
                }
            } else {
                seq.next_element::<IgnoredAny>()?.map(|_| ())
            };
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// A mapping's key: whether it is the one wanted, failing on it if the path ends there.
struct Key<'a> {
    want: Option<&'a str>,
    last: bool,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        let wanted = self.want == Some(key);
        if wanted && self.last {
            return Err(E::custom(FOUND));
        }
        Ok(wanted)
    }

    // A key the parser reads as a number or a truth value (`1:`, `yes:` in some parsers)
    // is the key wanted if it is written as the wanted text.
    fn visit_bool<E: de::Error>(self, key: bool) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }

    fn visit_i64<E: de::Error>(self, key: i64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }

    fn visit_u64<E: de::Error>(self, key: u64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }

    fn visit_f64<E: de::Error>(self, key: f64) -> Result<bool, E> {
        self.visit_str(&key.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        Seek(&[]).visit_map(map).map(|()| false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        Seek(&[]).visit_seq(seq).map(|()| false)
    }
}

/// The element the path ends on: fails on it, whatever it is.
struct Here;

impl<'de> DeserializeSeed<'de> for Here {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Here {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(FOUND))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(FOUND))
    }
}

/// Where the value at `path` stands in the JSON `text`. serde_json places a failure just
/// after the token it was reading: the value's start is where that token begins, a
/// quoted key or string at its opening quote, a list or mapping at its bracket.
pub fn in_json(text: &str, path: &[Step]) -> Option<Location> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let error = Seek(path).deserialize(&mut reader).err()?;
    if !error.to_string().contains(FOUND) || error.line() == 0 {
        return None;
    }
    // serde_json counts the column in bytes, up to and including the token's last byte.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(error.line() - 1)
        .map(str::len)
        .sum();
    let mut end = (line_start + error.column()).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let before = before.trim_end_matches(|c: char| c.is_whitespace() || c == ':');
    let start = if let Some(inside) = before.strip_suffix('"') {
        // A quoted key or string: back to its opening quote (ids and labels hold no
        // escaped quote).
        inside.rfind('"')?
    } else if before.ends_with(['{', '[']) {
        before.len() - 1
    } else {
        // A number, true, false or null: back to where the word starts.
        before
            .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '+' | '.')))
            .map_or(0, |i| i + 1)
    };
    Some(Location::of_offset(text, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str, path: &[Step]) -> Option<(usize, usize)> {
        in_json(text, path).map(|l| (l.line, l.column))
    }

    #[test]
    fn a_key_in_json_is_found_at_its_opening_quote() {
        let text = "{\"note\": \"area\", \"area\": \"nowhere\"}";
        assert_eq!(json(text, &[Step::Key("area")]), Some((1, 18)));
        let text =
            "{\n  \"children\": [\n    {\"id\": \"A\"},\n    {\"id\": \"B\", \"age\": 4}\n  ]\n}";
        assert_eq!(
            json(
                text,
                &[Step::Key("children"), Step::Index(1), Step::Key("age")]
            ),
            Some((4, 17))
        );
    }

    #[test]
    fn a_key_in_json_after_letters_of_several_bytes_is_found_at_its_quote() {
        let text = "{\"r\": \"é—ü 🙂\",\n \"note\": \"ø\", \"area\": \"x\"}";
        assert_eq!(json(text, &[Step::Key("area")]), Some((2, 15)));
        assert_eq!(json(text, &[Step::Key("note")]), Some((2, 2)));
    }

    #[test]
    fn an_element_in_json_is_found_where_it_starts() {
        let text = "{\"a\": [1, {\"b\": 2}, true, \"x\", -12]}";
        let at = |i| json(text, &[Step::Key("a"), Step::Index(i)]);
        assert_eq!(at(0), Some((1, 8)));
        assert_eq!(at(1), Some((1, 11)));
        assert_eq!(at(2), Some((1, 21)));
        assert_eq!(at(3), Some((1, 27)));
        assert_eq!(at(4), Some((1, 32)));
    }

    fn yaml(text: &str, path: &[Step]) -> Option<(usize, usize)> {
        crate::yaml::locate(text, path).map(|l| (l.line, l.column))
    }

    #[test]
    fn a_key_in_yaml_is_found_where_it_is_written_not_where_it_is_mentioned() {
        let text = "schema: 1\n# area: nowhere is wrong\nnote: \"area: nowhere\"\narea: nowhere\n";
        assert_eq!(yaml(text, &[Step::Key("area")]), Some((4, 1)));
        let text = "children:\n  - id: A\n    answers:\n      x: yes\n  - id: B\n    answers: {y: no, x: yes}\n";
        let at = |i| {
            yaml(
                text,
                &[
                    Step::Key("children"),
                    Step::Index(i),
                    Step::Key("answers"),
                    Step::Key("x"),
                ],
            )
        };
        assert_eq!(at(0), Some((4, 7)));
        assert_eq!(at(1), Some((6, 22)));
        assert_eq!(
            yaml(text, &[Step::Key("children"), Step::Index(1)]),
            Some((5, 5))
        );
    }

    #[test]
    fn a_key_the_parser_reads_as_a_number_is_found_as_written() {
        let text = "values:\n  low: 1\n  2: 2\n";
        assert_eq!(
            yaml(text, &[Step::Key("values"), Step::Key("2")]),
            Some((3, 3))
        );
    }

    #[test]
    fn a_value_is_found_where_it_starts() {
        let text = "a:\n  b: \"quoted\"\n  c: {d: 1}\n";
        let value = |key| yaml(text, &[Step::Key("a"), Step::Key(key), Step::Value]);
        assert_eq!(value("b"), Some((2, 6)));
        assert_eq!(value("c"), Some((3, 6)));
        assert_eq!(
            json(
                "{\"a\": {\"b\": \"quoted\"}}",
                &[Step::Key("a"), Step::Key("b"), Step::Value]
            ),
            Some((1, 13))
        );
    }

    #[test]
    fn a_block_scalar_is_found_where_its_words_start() {
        let text = "quote:\n  - >-\n\n    the words\n    go on\n  - |\n    more\n";
        assert_eq!(
            yaml(text, &[Step::Key("quote"), Step::Index(0)]),
            Some((4, 5))
        );
        assert_eq!(
            yaml(text, &[Step::Key("quote"), Step::Index(1)]),
            Some((7, 5))
        );
    }

    #[test]
    fn a_path_not_in_yaml_is_nowhere() {
        let text = "a: [1]\nb: {c: 1}\n";
        assert_eq!(yaml(text, &[Step::Key("a"), Step::Index(1)]), None);
        assert_eq!(yaml(text, &[Step::Key("b"), Step::Key("d")]), None);
        assert_eq!(yaml(text, &[Step::Key("c")]), None);
    }

    #[test]
    fn a_path_not_in_json_is_nowhere() {
        let text = "{\"a\": [1], \"b\": {\"c\": 1}}";
        assert_eq!(json(text, &[Step::Key("a"), Step::Index(1)]), None);
        assert_eq!(json(text, &[Step::Key("b"), Step::Key("d")]), None);
        assert_eq!(json(text, &[Step::Key("c")]), None);
        assert_eq!(json(text, &[Step::Index(0)]), None);
    }
}
