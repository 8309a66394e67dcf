//! The question bank: what can be asked, about whom, how it is answered and which answer
//! is the worrying one. Question ids are resolved to indexes while a file is read, so a
//! misspelt id is reported at its line and column, with the nearest real id.

use crate::condition::Condition;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Index of a question in the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QId(pub u16);

impl QId {
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A set of questions, as a bit set: which answers made a rule hold. The bank holds at
/// most `QSet::CAPACITY` questions (validation refuses more), so it never allocates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QSet(u128);

impl QSet {
    pub const CAPACITY: usize = 128;

    pub fn of(q: QId) -> QSet {
        QSet(1u128 << q.index())
    }

    pub fn union(self, other: QSet) -> QSet {
        QSet(self.0 | other.0)
    }

    pub fn contains(self, q: QId) -> bool {
        q.index() < Self::CAPACITY && self.0 & (1u128 << q.index()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The questions, in bank order.
    pub fn iter(self) -> impl Iterator<Item = QId> {
        (0..Self::CAPACITY as u16)
            .map(QId)
            .filter(move |q| self.contains(*q))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum About {
    Household,
    Child,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Yes, no or not known.
    Yesno,
    /// A whole number >= 0, or not known.
    Count,
}

/// Which answer is the worrying one: used for "could reach" and to keep rules monotone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Worrying {
    Yes,
    No,
    /// For counts: the higher, the more worrying.
    More,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// A few words for tables and reasons ("adult mental ill health").
    pub short: String,
    pub about: About,
    pub kind: Kind,
    pub prompt: String,
    pub help: String,
    pub worrying: Worrying,
    /// Ask only when this holds for earlier answers (and, for a child, the child's age).
    #[serde(default)]
    pub ask_when: Option<Condition>,
    /// Asked about an unborn child too (child questions only).
    #[serde(default)]
    pub unborn: bool,
    pub source: String,
}

/// An answer as recorded. A missing answer is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    #[default]
    Unknown,
    No,
    Yes,
    Count(u32),
}

impl Answer {
    pub fn is_unknown(self) -> bool {
        self == Answer::Unknown
    }

    /// The answer as written in a case file.
    pub fn label(self) -> String {
        match self {
            Answer::Unknown => "unknown".into(),
            Answer::No => "no".into(),
            Answer::Yes => "yes".into(),
            Answer::Count(n) => n.to_string(),
        }
    }
}

/// The questions, in the order they are asked.
#[derive(Clone, Default)]
pub struct QuestionBank {
    names: Vec<String>,
    by_id: HashMap<String, QId>,
    questions: Vec<Question>,
}

/// The questions alone: the index by id follows from them (and, being a hash map, would
/// print in a different order each run).
impl fmt::Debug for QuestionBank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuestionBank")
            .field("names", &self.names)
            .field("questions", &self.questions)
            .finish_non_exhaustive()
    }
}

impl QuestionBank {
    /// A bank that knows only the ids: enough to resolve references while the questions
    /// themselves are being read.
    pub fn names_only(names: Vec<String>) -> QuestionBank {
        let by_id = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), QId(i as u16)))
            .collect();
        QuestionBank {
            names,
            by_id,
            questions: Vec::new(),
        }
    }

    pub fn new(questions: Vec<Question>) -> QuestionBank {
        let mut bank = QuestionBank::names_only(questions.iter().map(|q| q.id.clone()).collect());
        bank.questions = questions;
        bank
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<QId> {
        self.by_id.get(id).copied()
    }

    pub fn name(&self, q: QId) -> &str {
        &self.names[q.index()]
    }

    pub fn question(&self, q: QId) -> &Question {
        &self.questions[q.index()]
    }

    pub fn questions(&self) -> impl Iterator<Item = (QId, &Question)> {
        self.questions
            .iter()
            .enumerate()
            .map(|(i, q)| (QId(i as u16), q))
    }

    /// "unknown question id `x`", with the nearest real id when there is one.
    pub fn unknown_id_message(&self, id: &str) -> String {
        match crate::error::nearest(id, self.names.iter().map(String::as_str)) {
            Some(near) => format!("unknown question id `{id}` (did you mean `{near}`?)"),
            None => format!(
                "unknown question id `{id}`; `threshold rules show` and the README list the ids"
            ),
        }
    }
}

thread_local! {
    static IN_SCOPE: RefCell<Option<Arc<QuestionBank>>> = const { RefCell::new(None) };
}

/// Run `read` with `bank` as the bank that question ids in the file are resolved against.
/// serde's derive gives no way to pass context down to a field, and the parsers only
/// attach a line and column to errors raised during deserialization, hence a scoped
/// thread-local rather than a second validating pass.
pub fn with_bank<T>(bank: &Arc<QuestionBank>, read: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<QuestionBank>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            IN_SCOPE.with(|scope| *scope.borrow_mut() = previous);
        }
    }
    let previous = IN_SCOPE.with(|scope| scope.borrow_mut().replace(Arc::clone(bank)));
    let _restore = Restore(previous);
    read()
}

fn bank_in_scope<E: de::Error>() -> Result<Arc<QuestionBank>, E> {
    IN_SCOPE
        .with(|scope| scope.borrow().clone())
        .ok_or_else(|| E::custom("internal: no question bank in scope while reading question ids"))
}

/// How many questions the bank in scope has (for reading a case inside another file).
pub fn bank_len_in_scope<E: de::Error>() -> Result<usize, E> {
    bank_in_scope::<E>().map(|bank| bank.len())
}

/// A reference to a question by id, resolved as it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QRef(pub QId);

impl<'de> Deserialize<'de> for QRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        let bank = bank_in_scope::<D::Error>()?;
        bank.get(&id).map(QRef).ok_or_else(|| {
            de::Error::custom(crate::error::Code::CaseUnknownId.tag(bank.unknown_id_message(&id)))
        })
    }
}

/// Answers to the bank's questions, one slot per question, `Unknown` where not answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers(pub Vec<Answer>);

impl Answers {
    pub fn unknown(len: usize) -> Answers {
        Answers(vec![Answer::Unknown; len])
    }

    pub fn get(&self, q: QId) -> Answer {
        self.0.get(q.index()).copied().unwrap_or_default()
    }

    pub fn set(&mut self, q: QId, answer: Answer) {
        self.0[q.index()] = answer;
    }

    /// The questions that have an answer other than unknown, in bank order.
    pub fn given(&self) -> impl Iterator<Item = (QId, Answer)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.is_unknown())
            .map(|(i, a)| (QId(i as u16), *a))
    }
}

/// Reads an `answers:` mapping of a case file for questions about `about`.
pub struct AnswersFor(pub About);

impl<'de> de::DeserializeSeed<'de> for AnswersFor {
    type Value = Answers;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Answers, D::Error> {
        let bank = bank_in_scope::<D::Error>()?;
        deserializer.deserialize_map(AnswersVisitor {
            about: self.0,
            bank,
        })
    }
}

struct AnswersVisitor {
    about: About,
    bank: Arc<QuestionBank>,
}

impl<'de> Visitor<'de> for AnswersVisitor {
    type Value = Answers;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of question ids to answers")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Answers, E> {
        Ok(Answers::unknown(self.bank.len()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answers, A::Error> {
        let mut answers = Answers::unknown(self.bank.len());
        let mut seen = vec![false; self.bank.len()];
        while let Some(id) = map.next_key::<String>()? {
            let Some(q) = self.bank.get(&id) else {
                return Err(de::Error::custom(
                    crate::error::Code::CaseUnknownId.tag(self.bank.unknown_id_message(&id)),
                ));
            };
            let question = self.bank.question(q);
            if question.about != self.about {
                let (is, put) = match question.about {
                    About::Child => ("about a child", "under the child's `answers`"),
                    About::Household => (
                        "about the household or adult",
                        "in the case's top-level `answers`",
                    ),
                };
                return Err(de::Error::custom(
                    crate::error::Code::CaseWrongPlace
                        .tag(format!("`{id}` is a question {is}: put it {put}")),
                ));
            }
            if std::mem::replace(&mut seen[q.index()], true) {
                return Err(de::Error::custom(
                    crate::error::Code::CaseDuplicate
                        .tag(format!("`{id}` is answered twice: keep one answer")),
                ));
            }
            let answer = map.next_value_seed(AnswerOf {
                id: &id,
                kind: question.kind,
            })?;
            answers.set(q, answer);
        }
        Ok(answers)
    }
}

struct AnswerOf<'a> {
    id: &'a str,
    kind: Kind,
}

impl<'de> de::DeserializeSeed<'de> for AnswerOf<'_> {
    type Value = Answer;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Answer, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl AnswerOf<'_> {
    fn refuse<E: de::Error>(&self, got: &str) -> E {
        let expected = match self.kind {
            Kind::Yesno => "yes, no or unknown",
            Kind::Count => "a whole number 0 or more, or unknown",
        };
        E::custom(crate::error::Code::CaseAnswer.tag(format!(
            "`{}` has the answer {got}, which is not an answer: use {expected}",
            self.id
        )))
    }

    fn count<E: de::Error>(&self, n: i128) -> Result<Answer, E> {
        match self.kind {
            Kind::Count if n < 0 => Err(E::custom(crate::error::Code::CaseAnswer.tag(format!(
                "`{}` is a count and cannot be negative ({n}): use 0 or more, or unknown",
                self.id
            )))),
            Kind::Count => u32::try_from(n)
                .map(Answer::Count)
                .map_err(|_| self.refuse(&n.to_string())),
            Kind::Yesno => Err(self.refuse(&n.to_string())),
        }
    }
}

impl<'de> Visitor<'de> for AnswerOf<'_> {
    type Value = Answer;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.kind {
            Kind::Yesno => f.write_str("yes, no or unknown"),
            Kind::Count => f.write_str("a whole number or unknown"),
        }
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Answer, E> {
        match self.kind {
            Kind::Yesno => Ok(if value { Answer::Yes } else { Answer::No }),
            Kind::Count => Err(self.refuse(&value.to_string())),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Answer, E> {
        let word = value.trim().to_ascii_lowercase();
        match (self.kind, word.as_str()) {
            (_, "unknown") => Ok(Answer::Unknown),
            (Kind::Yesno, "yes" | "true") => Ok(Answer::Yes),
            (Kind::Yesno, "no" | "false") => Ok(Answer::No),
            (Kind::Count, _) => match word.parse::<i128>() {
                Ok(n) => self.count(n),
                Err(_) => Err(self.refuse(&format!("`{value}`"))),
            },
            _ => Err(self.refuse(&format!("`{value}`"))),
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Answer, E> {
        self.count(i128::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Answer, E> {
        self.count(i128::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Answer, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Answer, E> {
        let number = if self.kind == Kind::Count {
            " (or a number)"
        } else {
            ""
        };
        Err(E::custom(crate::error::Code::CaseAnswer.tag(format!(
            "`{}` has no answer: write yes, no or unknown{number}",
            self.id
        ))))
    }
}
