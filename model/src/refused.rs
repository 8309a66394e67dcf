//! What our readers refuse while a parser is reading, as data. Serde's errors carry only
//! text, and the parsers add where the value stands only to errors raised while they read
//! it; so a reader raises its refusal through the parser ([`raise`]), which gives it a
//! line and column, and the refusal itself is kept beside the parse and taken back with
//! the parser's error by the one who started the parse ([`parsing`]). Its code, its words
//! and its help are made here, once.

use crate::error::Code;
use crate::values::{About, Kind};
use std::cell::RefCell;
use std::fmt;

/// One refusal of a value in a file, with what the words need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// An answer to, or a reference to, a question id the bank does not have; `near` is the
    /// nearest id, if one is near enough to be a slip.
    UnknownId { id: String, near: Option<String> },
    /// A question answered where it does not belong (a child's question at the top level).
    WrongPlace { id: String, about: About },
    /// One question answered twice in one `answers`.
    AnsweredTwice { id: String },
    /// An answer that is not one for its question (`got` as it is shown: quoted if text).
    NotAnAnswer { id: String, kind: Kind, got: String },
    /// A negative count.
    Negative { id: String, n: i128 },
    /// A question written with nothing after it.
    NoAnswer { id: String, kind: Kind },
    /// An age that is a number outside 0-17.
    AgeOutside { age: i64 },
    /// An age that is not a whole number.
    AgeNotNumber,
    /// A child with both an age and `unborn: true`.
    AgeAndUnborn { child: String },
    /// A child with neither an age nor `unborn: true`.
    NoAge { child: String },
    /// A second child with the same id.
    ChildTwice { child: String },
    /// A case with no `schema:`.
    NoSchema,
    /// A key written twice in a mapping whose keys are data (a map's `codes:`).
    KeyTwice { key: String },
}

impl Refused {
    pub fn code(&self) -> Code {
        match self {
            Refused::UnknownId { .. } => Code::CaseUnknownId,
            Refused::WrongPlace { .. } => Code::CaseWrongPlace,
            Refused::AnsweredTwice { .. } | Refused::KeyTwice { .. } => Code::CaseDuplicate,
            Refused::NotAnAnswer { .. } | Refused::Negative { .. } | Refused::NoAnswer { .. } => {
                Code::CaseAnswer
            }
            Refused::AgeOutside { .. }
            | Refused::AgeNotNumber
            | Refused::AgeAndUnborn { .. }
            | Refused::NoAge { .. } => Code::CaseAge,
            Refused::ChildTwice { .. } => Code::CaseChild,
            Refused::NoSchema => Code::CaseSyntax,
        }
    }

    /// What to do about it, where there is more to say than the reader's general help.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            Refused::AgeAndUnborn { .. } => Some("an unborn child has no age: remove one of them"),
            Refused::NoAge { .. } => Some("give `age:` in whole years 0-17, or `unborn: true`"),
            Refused::ChildTwice { .. } => Some("give each child its own label"),
            Refused::NoSchema => Some("add `schema: 1` at the top"),
            _ => None,
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expected = |kind: &Kind| match kind {
            Kind::Yesno => "yes, no or unknown",
            Kind::Count => "a whole number 0 or more, or unknown",
        };
        match self {
            Refused::UnknownId {
                id,
                near: Some(near),
            } => {
                write!(f, "unknown question id `{id}` (did you mean `{near}`?)")
            }
            Refused::UnknownId { id, near: None } => write!(
                f,
                "unknown question id `{id}`; docs/case-files.md and rules/questions.yaml list the ids"
            ),
            Refused::WrongPlace { id, about } => {
                let (is, put) = match about {
                    About::Child => ("about a child", "under the child's `answers`"),
                    About::Household => (
                        "about the household or adult",
                        "in the case's top-level `answers`",
                    ),
                };
                write!(f, "`{id}` is a question {is}: put it {put}")
            }
            Refused::AnsweredTwice { id } => write!(f, "`{id}` is answered twice: keep one answer"),
            Refused::NotAnAnswer { id, kind, got } => write!(
                f,
                "`{id}` has the answer {got}, which is not an answer: use {}",
                expected(kind)
            ),
            Refused::Negative { id, n } => write!(
                f,
                "`{id}` is a count and cannot be negative ({n}): use 0 or more, or unknown"
            ),
            Refused::NoAnswer { id, kind } => {
                let number = if *kind == Kind::Count {
                    " (or a number)"
                } else {
                    ""
                };
                write!(f, "`{id}` has no answer: write yes, no or unknown{number}")
            }
            Refused::AgeOutside { age } => write!(
                f,
                "`age` {age} is outside 0-17: record children under 18 only, in whole years (0 for a baby)"
            ),
            Refused::AgeNotNumber => f.write_str("`age` must be whole years from 0 to 17"),
            Refused::AgeAndUnborn { child } => {
                write!(f, "child `{child}` has an age and `unborn: true`")
            }
            Refused::NoAge { child } => write!(f, "child `{child}` has no age"),
            Refused::ChildTwice { child } => write!(f, "two children have the id `{child}`"),
            Refused::NoSchema => f.write_str("the case has no `schema:`"),
            Refused::KeyTwice { key } => write!(
                f,
                "`{key}` is written twice: the second would silently replace the first"
            ),
        }
    }
}

thread_local! {
    static RAISED: RefCell<Option<Refused>> = const { RefCell::new(None) };
}

/// `refused` as the error of the parser reading it: the parser gets its words (and adds
/// where the value stands), and the refusal is kept for [`parsing`] to hand back.
pub fn raise<E: serde::de::Error>(refused: Refused) -> E {
    let error = E::custom(&refused);
    RAISED.with_borrow_mut(|raised| *raised = Some(refused));
    error
}

/// Run `parse`, and if it fails, hand back with its error the refusal that caused it. A
/// refusal raised during this parse is the cause only if the parser's error carries its
/// words: a parser that set it aside and failed otherwise (an untagged enum trying its
/// next variant) did not fail on it. Nothing a file says can choose a code: only a
/// refusal raised in this process during this parse is handed back.
pub fn parsing<T, E: fmt::Display>(
    parse: impl FnOnce() -> Result<T, E>,
) -> Result<T, (E, Option<Refused>)> {
    RAISED.with_borrow_mut(|raised| *raised = None);
    let result = parse();
    let raised = RAISED.with_borrow_mut(Option::take);
    result.map_err(|error| {
        let cause = raised.filter(|r| error.to_string().contains(&r.to_string()));
        (error, cause)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    struct Refusing;
    impl<'de> Deserialize<'de> for Refusing {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            u8::deserialize(d)?;
            Err(raise(Refused::AgeNotNumber))
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum EitherOr {
        Refusing(Refusing),
        Text(bool),
    }

    #[test]
    fn a_refusal_comes_back_with_the_error_it_caused() {
        let (error, cause) = parsing(|| serde_json::from_str::<Refusing>("3"))
            .err()
            .unwrap();
        assert_eq!(cause, Some(Refused::AgeNotNumber));
        assert!(error.to_string().contains("`age` must be whole years"));
    }

    #[test]
    fn a_refusal_set_aside_by_the_parser_is_not_the_cause() {
        // The untagged enum tries `Refusing` (which refuses), then `bool`, then fails in
        // its own words: the refusal did not cause that.
        let (_, cause) = parsing(|| serde_json::from_str::<EitherOr>("3"))
            .err()
            .unwrap();
        assert_eq!(cause, None);
    }

    #[test]
    fn a_refusal_of_an_earlier_parse_is_never_handed_back() {
        assert!(parsing(|| serde_json::from_str::<Refusing>("3")).is_err());
        let (_, cause) = parsing(|| serde_json::from_str::<u8>("\"x\""))
            .err()
            .unwrap();
        assert_eq!(cause, None);
        // And a parse that succeeds leaves nothing behind for the next.
        RAISED.with_borrow_mut(|r| *r = Some(Refused::NoSchema));
        assert!(parsing(|| serde_json::from_str::<u8>("3")).is_ok());
        assert_eq!(RAISED.with_borrow(Option::clone), None);
    }

    #[test]
    fn words_a_file_writes_set_no_code() {
        // The words of a refusal, written in a file and quoted back by the parser, are
        // not a refusal: none was raised.
        let forged = "\"unknown question id `x`; docs/case-files.md\"";
        let (_, cause) = parsing(|| serde_json::from_str::<u8>(forged))
            .err()
            .unwrap();
        assert_eq!(cause, None);
    }
}
