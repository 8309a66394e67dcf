//! Answers and the ids they are given under, below the question bank and the conditions
//! rules are written in: question indexes and sets of them, an answer, a set of answers,
//! and a question's id resolved to its index as a file is read.

use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
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

/// The bank's question ids, in order, and the index of each.
#[derive(Clone, Default)]
pub struct Ids {
    names: Vec<String>,
    by_id: HashMap<String, QId, BuildHasherDefault<IdHasher>>,
}

/// A hash of ids eight bytes at a time (as rustc's FxHash): every answer in every case is
/// looked up here by its id, and SipHash (the standard map's, which resists keys chosen to
/// collide while a map grows) took a tenth of a batch run. This map is built once from the
/// bank's own ids and never grows, so a key from a file can only be looked up, never make
/// the table slow.
#[derive(Default)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Ids {
    pub fn new(names: Vec<String>) -> Ids {
        let by_id = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), QId(i as u16)))
            .collect();
        Ids { names, by_id }
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

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The refusal of an unknown question id, with the nearest real id when there is one.
    pub fn unknown_id(&self, id: &str) -> crate::refused::Refused {
        crate::refused::Refused::UnknownId {
            id: id.to_string(),
            near: crate::error::nearest(id, self.names.iter().map(String::as_str))
                .map(str::to_string),
        }
    }
}

thread_local! {
    static IN_SCOPE: RefCell<Option<Arc<Ids>>> = const { RefCell::new(None) };
}

/// Run `read` with `ids` as the ids that question references in the file are resolved
/// against (see `question::with_bank`, which calls this).
pub fn with_ids<T>(ids: &Arc<Ids>, read: impl FnOnce() -> T) -> T {
    scoped(&IN_SCOPE, Arc::clone(ids), read)
}

/// Run `read` with `value` in the thread-local `key`, and put back what was there after,
/// however `read` ends. serde's derive gives no way to pass context down to a field, and
/// the parsers only attach a line and column to errors raised while reading, hence a
/// scoped thread-local rather than a second validating pass.
pub fn scoped<V: 'static, T>(
    key: &'static std::thread::LocalKey<RefCell<Option<V>>>,
    value: V,
    read: impl FnOnce() -> T,
) -> T {
    struct Restore<V: 'static> {
        key: &'static std::thread::LocalKey<RefCell<Option<V>>>,
        previous: Option<V>,
    }
    impl<V: 'static> Drop for Restore<V> {
        fn drop(&mut self) {
            let previous = self.previous.take();
            self.key.with(|scope| *scope.borrow_mut() = previous);
        }
    }
    let previous = key.with(|scope| scope.borrow_mut().replace(value));
    let _restore = Restore { key, previous };
    read()
}

/// The ids in scope.
pub fn ids_in_scope<E: de::Error>() -> Result<Arc<Ids>, E> {
    IN_SCOPE
        .with(|scope| scope.borrow().clone())
        .ok_or_else(|| E::custom("internal: no question bank in scope while reading question ids"))
}

/// A reference to a question by id, resolved as it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QRef(pub QId);

impl<'de> Deserialize<'de> for QRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        let ids = ids_in_scope::<D::Error>()?;
        ids.get(&id)
            .map(QRef)
            .ok_or_else(|| crate::refused::raise(ids.unknown_id(&id)))
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
