//! The question bank: what can be asked, about whom, how it is answered and which answer
//! is the worrying one. Question ids are resolved to indexes while a file is read, so a
//! misspelt id is reported at its line and column, with the nearest real id.

pub use crate::answer::{Answer, Answers, Ids, QId, QRef, QSet};
use crate::condition::{Condition, Test};
use crate::refused::{Refused, raise};
use crate::values::Tier;
pub use crate::values::{About, Kind};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// Which answer is the worrying one: used for "could reach" and to keep rules monotone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Worrying {
    Yes,
    No,
    /// For counts: the higher, the more worrying.
    More,
}

impl Worrying {
    /// The most worrying answer: what "could reach" assumes of a question not known.
    pub fn worst(self) -> Answer {
        match self {
            Worrying::Yes => Answer::Yes,
            Worrying::No => Answer::No,
            Worrying::More => Answer::Count(u32::MAX),
        }
    }

    /// The reassuring answer (for a count, none).
    pub fn reassuring(self) -> Answer {
        match self {
            Worrying::Yes => Answer::No,
            Worrying::No => Answer::Yes,
            Worrying::More => Answer::Count(0),
        }
    }
}

/// What a question means to the program itself, beyond what the rules make of it: the
/// bank declares it (`role: immediate_danger`) and no code names the question by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionRole {
    /// Whether a child is in immediate danger now: asked before anything else; "yes" fires
    /// the area's emergency route, and "yes" or "not known" puts 999 first.
    ImmediateDanger,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// What the question means to the program, if anything (see [`QuestionRole`]).
    #[serde(default)]
    pub role: Option<QuestionRole>,
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
    /// For a child question not asked before birth: which questions carry the same worry
    /// for an unborn baby, or why it cannot arise before birth.
    #[serde(default)]
    pub before_birth: Option<BeforeBirth>,
    /// A household question that matters only for children of some ages (a baby, an unborn
    /// child): asked once the children are described, so a family without such a child is
    /// not asked it.
    #[serde(default)]
    pub after_children: bool,
    pub source: String,
    /// The source's words that name this worry (see [`crate::cite::Quotes`]).
    #[serde(default)]
    pub quote: crate::cite::Quotes,
}

/// What a child question not asked before birth becomes for an unborn baby: the questions
/// that carry its worry, or why it cannot arise before birth (exactly one of the two).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeforeBirth {
    /// These questions (household ones, or child ones asked before birth) carry the worry.
    #[serde(default)]
    pub carried_by: Vec<crate::answer::QRef>,
    /// The worry cannot arise before birth, and why.
    #[serde(default)]
    pub cannot: Option<String>,
}

/// The questions, in the order they are asked.
#[derive(Clone, Default)]
pub struct QuestionBank {
    ids: Arc<Ids>,
    questions: Vec<Question>,
}

impl fmt::Debug for QuestionBank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuestionBank")
            .field("names", &self.ids.names())
            .field("questions", &self.questions)
            .finish()
    }
}

impl QuestionBank {
    /// A bank that knows only the ids: enough to resolve references while the questions
    /// themselves are being read.
    pub fn names_only(names: Vec<String>) -> QuestionBank {
        QuestionBank {
            ids: Arc::new(Ids::new(names)),
            questions: Vec::new(),
        }
    }

    pub fn new(questions: Vec<Question>) -> QuestionBank {
        let mut bank = QuestionBank::names_only(questions.iter().map(|q| q.id.clone()).collect());
        bank.questions = questions;
        bank
    }

    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<QId> {
        self.ids.get(id)
    }

    /// The question with `role`: the first, as `rules check` refuses a bank with two.
    pub fn with_role(&self, role: QuestionRole) -> Option<QId> {
        self.questions()
            .find(|(_, question)| question.role == Some(role))
            .map(|(q, _)| q)
    }

    /// The immediate-danger question. Every bank that loads has one (`rules check`).
    pub fn immediate_danger(&self) -> Option<QId> {
        self.with_role(QuestionRole::ImmediateDanger)
    }

    pub fn name(&self, q: QId) -> &str {
        self.ids.name(q)
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
    pub fn unknown_id(&self, id: &str) -> Refused {
        self.ids.unknown_id(id)
    }

    /// A condition in words ("adult mental ill health is yes and aged 10 or over").
    pub fn describe(&self, condition: &Condition) -> String {
        let group = |parts: &[Condition], joiner: &str| {
            let words: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    Condition::All(_) | Condition::Any(_) => format!("({})", self.describe(p)),
                    _ => self.describe(p),
                })
                .collect();
            words.join(joiner)
        };
        match condition {
            Condition::Answer(q, Test::Is(answer)) => {
                format!("{} is {}", self.question(*q).short, answer.label())
            }
            Condition::Answer(q, Test::IsUnknown) => {
                format!("{} is not known", self.question(*q).short)
            }
            Condition::Answer(q, Test::AtLeast(n)) => {
                format!("{} at least {n}", self.question(*q).short)
            }
            Condition::All(parts) => group(parts, " and "),
            Condition::Any(parts) => group(parts, " or "),
            Condition::AgeAtLeast(0) => "born".into(),
            Condition::AgeAtLeast(n) => format!("aged {n} or over"),
            Condition::AgeUnder(n) => format!("under {n}"),
            Condition::Unborn => "unborn".into(),
            Condition::TierAtLeast(n) => format!("level {n} or above"),
            Condition::TierIn(tiers) => {
                let tiers: Vec<String> = tiers.iter().map(Tier::to_string).collect();
                format!("level {}", tiers.join(" or "))
            }
            Condition::UnknownCouldRaise => "unknown answers could raise the level".into(),
            Condition::Settled => "no unknown answer could raise the level".into(),
            Condition::NoChildren => "no children recorded".into(),
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
    crate::answer::scoped(&IN_SCOPE, Arc::clone(bank), || {
        crate::answer::with_ids(&bank.ids, read)
    })
}

fn bank_in_scope<E: de::Error>() -> Result<Arc<QuestionBank>, E> {
    IN_SCOPE
        .with(|scope| scope.borrow().clone())
        .ok_or_else(|| E::custom("internal: no question bank in scope while reading question ids"))
}

/// How many questions the bank in scope has (for reading a case inside another file).
pub fn bank_len_in_scope<E: de::Error>() -> Result<usize, E> {
    crate::answer::ids_in_scope::<E>().map(|ids| ids.len())
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
        while let Some(q) = map.next_key_seed(QuestionKey {
            bank: &self.bank,
            about: self.about,
            seen: &seen,
        })? {
            seen[q.index()] = true;
            let answer = map.next_value_seed(AnswerOf {
                id: self.bank.name(q),
                kind: self.bank.question(q).kind,
            })?;
            answers.set(q, answer);
        }
        Ok(answers)
    }
}

/// A question id written as a key of `answers`, resolved as it is read so that the parser
/// places a refusal on the key itself: an id the bank does not have, a question about
/// someone else, a question already answered (`seen`).
struct QuestionKey<'a> {
    bank: &'a QuestionBank,
    about: About,
    seen: &'a [bool],
}

impl<'de> de::DeserializeSeed<'de> for QuestionKey<'_> {
    type Value = QId;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<QId, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for QuestionKey<'_> {
    type Value = QId;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a question id")
    }

    fn visit_str<E: de::Error>(self, id: &str) -> Result<QId, E> {
        let Some(q) = self.bank.get(id) else {
            return Err(raise(self.bank.unknown_id(id)));
        };
        let about = self.bank.question(q).about;
        if about != self.about {
            return Err(raise(Refused::WrongPlace {
                id: id.to_string(),
                about,
            }));
        }
        if self.seen[q.index()] {
            return Err(raise(Refused::AnsweredTwice { id: id.to_string() }));
        }
        Ok(q)
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
        raise(Refused::NotAnAnswer {
            id: self.id.to_string(),
            kind: self.kind,
            got: got.to_string(),
        })
    }

    fn count<E: de::Error>(&self, n: i128) -> Result<Answer, E> {
        match self.kind {
            Kind::Count if n < 0 => Err(raise(Refused::Negative {
                id: self.id.to_string(),
                n,
            })),
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
        Err(raise(Refused::NoAnswer {
            id: self.id.to_string(),
            kind: self.kind,
        }))
    }
}
