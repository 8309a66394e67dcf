//! The values a person types or a file gives, each checked one way wherever it comes in:
//! the case reader, the CSV and map readers, the interview and the page all take a child's
//! label, a case reference, a level and a number of children through these, so one that
//! one way in accepts is never refused by another.

use crate::text::{IDENTIFIER_RULE, identifier_problem};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// Whom a question is about: the household (and the adult), or each child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum About {
    Household,
    Child,
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Yes, no or not known.
    Yesno,
    /// A whole number >= 0, or not known.
    Count,
}

/// A child's label ("A", "eldest", "baby"): never a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildLabel(String);

/// A case's reference: an opaque code from the case system, never a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference(String);

/// A level on the common ladder, 1 to 4: each area names its own rungs ("Universal",
/// "Getting Advice", "Level 3"), so the tiers are known by their numbers. Written and read
/// (JSON, YAML, CSV) as the plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    One = 1,
    Two = 2,
    Three = 3,
    Four = 4,
}

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
    /// Every tier, lowest first.
    pub const ALL: [Tier; 4] = [Tier::One, Tier::Two, Tier::Three, Tier::Four];
    /// The lowest tier: no additional needs.
    pub const BOTTOM: Tier = Tier::One;
    /// The highest tier: significant harm.
    pub const TOP: Tier = Tier::Four;

    /// The tier numbered `level`; anything but 1 to 4 is refused in words.
    pub fn new(level: u64) -> Result<Tier, String> {
        match level {
            1 => Ok(Tier::One),
            2 => Ok(Tier::Two),
            3 => Ok(Tier::Three),
            4 => Ok(Tier::Four),
            _ => Err(format!("a level is 1 to 4, not {level}")),
        }
    }

    /// The tier's number, 1 to 4.
    pub fn get(self) -> u8 {
        self as u8
    }

    /// The tier's place in [`Tier::ALL`] (and in anything kept per tier): 0 to 3.
    pub fn index(self) -> usize {
        usize::from(self.get() - 1)
    }

    /// `steps` tiers lower, stopping at the bottom.
    pub fn lowered_by(self, steps: u8) -> Tier {
        Tier::ALL[self.index().saturating_sub(usize::from(steps))]
    }

    /// How many tiers apart `self` and `other` are, either way round.
    pub fn distance(self, other: Tier) -> u8 {
        self.get().abs_diff(other.get())
    }
}

impl TryFrom<u8> for Tier {
    type Error = String;

    fn try_from(level: u8) -> Result<Tier, String> {
        Tier::new(u64::from(level))
    }
}

/// The number, as a `u8` shows it (width and alignment included).
impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&self.get(), f)
    }
}

impl Serialize for Tier {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.get())
    }
}

impl<'de> Deserialize<'de> for Tier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Number;
        impl Visitor<'_> for Number {
            type Value = Tier;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tier from 1 to 4")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tier, E> {
                Tier::new(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tier, E> {
                u64::try_from(v)
                    .map_err(|_| format!("a level is 1 to 4, not {v}"))
                    .and_then(Tier::new)
                    .map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Number)
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

    #[test]
    fn a_tier_is_its_number_and_nothing_else() {
        for (number, tier) in (1..=4u8).zip(Tier::ALL) {
            assert_eq!(tier.get(), number);
            assert_eq!(Tier::ALL[tier.index()], tier);
            assert_eq!(Tier::try_from(number), Ok(tier));
            assert_eq!(Tier::new(u64::from(number)), Ok(tier));
            assert_eq!(tier.to_string(), number.to_string());
            assert_eq!(format!("{tier:>3}"), format!("{number:>3}"));
        }
        assert_eq!(
            Tier::try_from(0),
            Err("a level is 1 to 4, not 0".to_string())
        );
        assert_eq!(
            Tier::try_from(5),
            Err("a level is 1 to 4, not 5".to_string())
        );
        assert_eq!(
            Tier::new(256),
            Err("a level is 1 to 4, not 256".to_string())
        );
        assert!(Tier::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((Tier::BOTTOM, Tier::TOP), (Tier::One, Tier::Four));
    }

    #[test]
    fn a_tier_moves_within_the_ladder() {
        assert_eq!(Tier::Four.lowered_by(1), Tier::Three);
        assert_eq!(Tier::Three.lowered_by(2), Tier::One);
        assert_eq!(Tier::Two.lowered_by(3), Tier::One);
        assert_eq!(Tier::Two.lowered_by(0), Tier::Two);
        assert_eq!(Tier::One.distance(Tier::Four), 3);
        assert_eq!(Tier::Four.distance(Tier::Three), 1);
        assert_eq!(Tier::Two.distance(Tier::Two), 0);
    }

    #[test]
    fn a_tier_is_written_and_read_as_a_plain_number() {
        assert_eq!(serde_json::to_string(&Tier::Three).unwrap(), "3");
        assert_eq!(
            serde_json::to_string(&Some(Tier::One)).unwrap(),
            "1",
            "an optional tier is the number too"
        );
        for tier in Tier::ALL {
            let json = serde_json::to_string(&tier).unwrap();
            assert_eq!(serde_json::from_str::<Tier>(&json).unwrap(), tier);
            let yaml = crate::yaml::to_string(&tier).unwrap();
            assert_eq!(yaml.trim(), tier.to_string());
            assert_eq!(crate::yaml::from_str::<Tier>(&yaml), Ok(tier));
        }
        for (text, refusal) in [
            ("0", "a level is 1 to 4, not 0"),
            ("5", "a level is 1 to 4, not 5"),
            ("-1", "a level is 1 to 4, not -1"),
        ] {
            let json = serde_json::from_str::<Tier>(text).unwrap_err().to_string();
            assert!(json.contains(refusal), "{text}: {json}");
            let yaml = crate::yaml::from_str::<Tier>(text).unwrap_err().message;
            assert!(yaml.contains(refusal), "{text}: {yaml}");
        }
        for text in ["\"3\"", "2.5", "true"] {
            assert!(serde_json::from_str::<Tier>(text).is_err(), "{text}");
        }
    }
}
