//! Helpers every reader of a file shares, below the readers (cases, rules, scenarios,
//! batch inputs): bytes to text, refused in one set of words, and a parser's error placed
//! where a person will find the mistake.

use crate::error::{Code, Location};

/// Bytes to text: a UTF-8 byte-order mark is dropped; anything not UTF-8 is refused with
/// where the first bad byte is.
pub fn decode_text(bytes: &[u8]) -> Result<String, (Code, String, Option<Location>)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            Code::CaseUtf16,
            "the file is UTF-16, not UTF-8".into(),
            None,
        ));
    }
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        let good = std::str::from_utf8(&bytes[..nul]).unwrap_or_default();
        return Err((
            Code::CaseUtf16,
            "the file has NUL bytes: it is probably UTF-16, or not a text file".into(),
            Some(Location::of_offset(good, good.len())),
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let at = Location::of_offset(good, good.len());
            Err((
                Code::CaseEncoding,
                format!(
                    "the file is not valid UTF-8 (bad byte at line {}, column {})",
                    at.line, at.column
                ),
                Some(at),
            ))
        }
    }
}

/// A refusal raised as a value is read ([`FromScalar`], the readers' seeds) is placed by
/// the parser on that value. What the parser itself refuses once a mapping is read (a
/// field written twice or missing), and what a reader refuses of a whole mapping (a child
/// with no age), it places at the mapping's start. When the message quotes the offending
/// word (`like_this`), point at that word instead: the second time it stands when the
/// message is about a repeat.
pub fn narrow(text: &str, mut error: crate::yaml::ParseError) -> crate::yaml::ParseError {
    if let (Some(at), Some(word)) = (error.location, quoted_word(&error.message)) {
        let from = at.offset_in(text);
        let repeat = error.code == Some(crate::error::Code::CaseDuplicate);
        let first = find_word(text, word, from);
        let found = if repeat {
            first.and_then(|f| find_word(text, word, f.offset_in(text) + word.len()))
        } else {
            first
        };
        if let Some(found) = found {
            error.location = Some(found);
        }
    }
    error
}

/// serde_json places errors just after the value it was reading. When the message quotes
/// the offending word, point at where that word last stands before the error.
pub fn narrow_back(text: &str, at: Location, message: &str) -> Location {
    let Some(word) = quoted_word(message) else {
        return at;
    };
    let end = at.offset_in(text);
    let mut found = None;
    let mut from = 0;
    while let Some(hit) = find_word(&text[..end], word, from) {
        let offset = hit.offset_in(text);
        found = Some(hit);
        from = offset + word.len();
    }
    found.unwrap_or(at)
}

fn quoted_word(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end]).filter(|w| !w.is_empty())
}

/// The first whole-word occurrence of `word` at or after byte `from`.
pub fn find_word(text: &str, word: &str, from: usize) -> Option<Location> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = from.min(text.len());
    while let Some(found) = text[start..].find(word) {
        let begin = start + found;
        let end = begin + word.len();
        let before_ok = text[..begin]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word(c));
        let after_ok = text[end..].chars().next().is_none_or(|c| !is_word(c));
        if before_ok && after_ok {
            return Some(Location::of_offset(text, begin));
        }
        start = end;
    }
    None
}

/// One scalar as a file wrote it, for a reader that checks it as the parser reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Text(&'a str),
    Whole(i128),
    Fraction(f64),
    Bool(bool),
    /// Nothing written (`~`, `null`, an empty value).
    Null,
    /// A list or a mapping where a scalar belongs.
    Collection,
}

/// A value read from one scalar and checked as it is read: a refusal is raised inside the
/// parser's reading of the scalar, so the parser places it on the value itself rather
/// than at the start of the mapping around it.
pub trait FromScalar: Sized {
    fn from_scalar<E: serde::de::Error>(scalar: Scalar<'_>) -> Result<Self, E>;
}

/// As [`FromScalar`], for a reader that needs what came before (a child's id, checked
/// against the ids of the children before it).
pub trait ScalarSeed {
    type Value;
    fn read<E: serde::de::Error>(self, scalar: Scalar<'_>) -> Result<Self::Value, E>;
}

/// Read a `T` from one scalar (see [`FromScalar`]).
pub fn scalar<'de, D: serde::Deserializer<'de>, T: FromScalar>(d: D) -> Result<T, D::Error> {
    scalar_with(d, Stateless(std::marker::PhantomData))
}

/// Read one scalar with `seed` (see [`ScalarSeed`]).
pub fn scalar_with<'de, D: serde::Deserializer<'de>, S: ScalarSeed>(
    d: D,
    seed: S,
) -> Result<S::Value, D::Error> {
    d.deserialize_any(ScalarOf(seed))
}

struct Stateless<T>(std::marker::PhantomData<T>);

impl<T: FromScalar> ScalarSeed for Stateless<T> {
    type Value = T;

    fn read<E: serde::de::Error>(self, scalar: Scalar<'_>) -> Result<T, E> {
        T::from_scalar(scalar)
    }
}

struct ScalarOf<S>(S);

impl<'de, S: ScalarSeed> serde::de::Visitor<'de> for ScalarOf<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a single value")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<S::Value, E> {
        self.0.read(Scalar::Text(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<S::Value, E> {
        self.0.read(Scalar::Whole(i128::from(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<S::Value, E> {
        self.0.read(Scalar::Whole(i128::from(v)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<S::Value, E> {
        self.0.read(Scalar::Fraction(v))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<S::Value, E> {
        self.0.read(Scalar::Bool(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<S::Value, E> {
        self.0.read(Scalar::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<S::Value, E> {
        self.0.read(Scalar::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<S::Value, A::Error> {
        self.0.read(Scalar::Collection)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<S::Value, A::Error> {
        self.0.read(Scalar::Collection)
    }
}
