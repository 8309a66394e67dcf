//! The values a person types or a file gives, each checked one way wherever it comes in:
//! the case reader, the CSV and map readers, the interview and the page all take a child's
//! label, a case reference, a level and a number of children through these, so one that
//! one way in accepts is never refused by another.

use crate::text::{IDENTIFIER_RULE, identifier_problem};

/// A child's label ("A", "eldest", "baby"): never a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildLabel(String);

/// A case's reference: an opaque code from the case system, never a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference(String);

/// A level on the common ladder, 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier(u8);

/// How many children live in the household or often stay there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildCount(usize);

impl ChildLabel {
    pub const MAX: usize = 20;

    pub fn new(text: &str) -> Result<ChildLabel, String> {
        identifier(text, Self::MAX).map(ChildLabel)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl Reference {
    pub const MAX: usize = 40;

    pub fn new(text: &str) -> Result<Reference, String> {
        identifier(text, Self::MAX).map(Reference)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl Tier {
    pub fn new(level: u64) -> Result<Tier, String> {
        match level {
            1..=4 => Ok(Tier(level as u8)),
            _ => Err(format!("a level is 1 to 4, not {level}")),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl ChildCount {
    pub const MAX: usize = 20;

    pub fn new(count: u64) -> Result<ChildCount, String> {
        match usize::try_from(count) {
            Ok(n) if n <= Self::MAX => Ok(ChildCount(n)),
            _ => Err(format!(
                "a number of children is 0 to {}, not {count}",
                Self::MAX
            )),
        }
    }

    /// Typed text: a whole number 0 to [`ChildCount::MAX`].
    pub fn parse(text: &str) -> Result<ChildCount, String> {
        text.trim()
            .parse::<u64>()
            .map_err(|_| format!("type a whole number from 0 to {}", Self::MAX))
            .and_then(ChildCount::new)
    }

    pub fn get(self) -> usize {
        self.0
    }
}

/// `text` as an identifier: printable ASCII, no space at either end, 1 to `max` characters.
/// A refusal says what is wrong after the value's name ("`Zoë` has the non-ASCII …").
fn identifier(text: &str, max: usize) -> Result<String, String> {
    if let Some(problem) = identifier_problem(text) {
        return Err(format!("has {problem}: {IDENTIFIER_RULE}"));
    }
    if text.is_empty() {
        return Err("is empty: give a short code, never a name".into());
    }
    if text.chars().count() > max {
        return Err(format!("is over {max} characters: keep it a short code"));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_each_value() {
        assert!(ChildLabel::new("A").is_ok());
        assert!(ChildLabel::new("eldest").is_ok());
        for bad in ["Zoë", " A", "", "a-label-that-is-far-too-long"] {
            assert!(ChildLabel::new(bad).is_err(), "{bad}");
        }
        assert!(Reference::new("CASE-2026-000123").is_ok());
        assert!(Reference::new(&"R".repeat(41)).is_err());
        assert_eq!(Tier::new(4).map(Tier::get), Ok(4));
        assert!(Tier::new(0).is_err() && Tier::new(5).is_err());
        assert_eq!(ChildCount::parse(" 3 ").map(ChildCount::get), Ok(3));
        assert!(ChildCount::parse("21").is_err() && ChildCount::parse("two").is_err());
    }
}
