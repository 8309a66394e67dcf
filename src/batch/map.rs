//! `batch --map FILE` (SPEC section 12): read a case system's own export (CSV, or a sheet
//! of a workbook) through a map that says which column holds what. Each foreign row is
//! turned into a row of our own CSV format, cell by cell, keeping where each cell was
//! written, and is then read exactly as our CSV is (`csv::Group`): so an answer, an age or
//! an answer that cannot apply is refused in the same words, located in the foreign file.
//!
//! Nothing is guessed: a blank cell is unknown (never no); a value the map does not give is
//! refused with its place; a column the map does not use is listed once; a factor code
//! with no question is listed on the row of its case.

use super::cells::column_letter;
use super::csv::{Bad, Cell, Column, Group, Header, Originals, Row};
use crate::case::{Case, Child};
use crate::error::{Diagnostic, Location};
use crate::question::{About, Answer, Answers, Kind, QId, QuestionBank, Worrying};
use crate::seek::Step;
use crate::values::{ChildLabel, Reference, Tier};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// The largest map file read.
const MAX_MAP_BYTES: usize = 1 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    /// The map format's version: 1.
    map: u8,
    /// The area of every case, when the export has no area column (`--area` overrides).
    #[serde(default)]
    area: Option<String>,
    columns: Columns,
    /// The columns whose values together make one case, the household reference among
    /// them (`[FamilyID, AssessmentAuthorisationDate]`: each assessment of a household is
    /// a case of its own). Without it, a household's rows are one case.
    #[serde(default)]
    case_key: Option<Vec<String>>,
    /// How dates are written (strftime, e.g. `%d/%m/%Y`), or a list of ways tried in
    /// order; ISO `2026-11-24` is always read.
    #[serde(default, deserialize_with = "one_or_many")]
    date_format: Vec<String>,
    /// Rows the analyst leaves out (an assessment still open): counted and said, not read.
    #[serde(default, deserialize_with = "one_or_many")]
    filter: Vec<Filter>,
    #[serde(default)]
    recorded_level: Option<LevelMap>,
    /// The words that mean yes, no and unknown, for every question that gives none.
    #[serde(default)]
    answers: Option<Words>,
    #[serde(default, deserialize_with = "unique")]
    questions: BTreeMap<String, QuestionMap>,
    #[serde(default)]
    factors: Option<Factors>,
    /// Columns known to hold nothing the tool reads (not listed as unused).
    #[serde(default)]
    ignore: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Columns {
    /// The household (family) reference: the rows of one case share it.
    reference: String,
    child_id: String,
    #[serde(default)]
    age: Option<String>,
    #[serde(default)]
    date_of_birth: Option<String>,
    /// The expected date of birth of a child not yet born (the census's
    /// `ExpectedPersonBirthDate`): given without a date of birth, the child is unborn.
    #[serde(default)]
    expected_date_of_birth: Option<String>,
    /// Whether the child is not yet born, in the words of `answers:` (yes: unborn; no or
    /// blank: born). An unborn child's date of birth, if given, is the expected date and
    /// gives no age.
    #[serde(default)]
    unborn: Option<String>,
    #[serde(default)]
    assessed_at: Option<String>,
    #[serde(default)]
    area: Option<String>,
    /// The team or service that assessed the case (a local column, such as the Standard
    /// Safeguarding Dataset's `cina_assessment_team`): the audit gives agreement by it.
    /// Read as written; never part of the assessment.
    #[serde(default)]
    team: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelMap {
    column: String,
    #[serde(deserialize_with = "unique")]
    values: BTreeMap<String, u8>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    #[serde(default)]
    yes: Vec<String>,
    #[serde(default)]
    no: Vec<String>,
    #[serde(default)]
    unknown: Vec<String>,
}

/// A row filter: rows whose value in `column` is one of `keep` (or none of `skip`) are
/// read; the others are filtered out. Values match whatever their case and spacing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    column: String,
    #[serde(default)]
    keep: Option<Vec<String>>,
    #[serde(default)]
    skip: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionMap {
    /// The column of the answer; or `columns`, several that each answer it (yes if any
    /// says yes, no only if all say no, else unknown).
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    columns: Option<Vec<String>>,
    #[serde(default)]
    yes: Option<Vec<String>>,
    #[serde(default)]
    no: Option<Vec<String>>,
    #[serde(default)]
    unknown: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Factors {
    column: String,
    /// Each code and the question it answers yes.
    #[serde(deserialize_with = "unique")]
    codes: BTreeMap<String, String>,
    /// Codes the export uses that answer no question (listed on the row, like any code
    /// with no question): the map knows them, so they are not taken for a mistake.
    #[serde(default)]
    other_codes: Vec<String>,
    /// What a code absent from a row that lists codes says of its question.
    #[serde(default)]
    absent: Absent,
}

/// What an absent code means. `unknown` (the default): nothing. `no`: not identified,
/// read as no, for an export whose codes record every factor found (a local sign-off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Absent {
    #[default]
    Unknown,
    No,
}

/// A mapping of the map in which a key written twice is refused, as a case file's
/// answers are (`threshold::question`): a YAML mapping into a `BTreeMap` would keep the
/// last silently, so `3B` written twice would read the case by whichever came second. The
/// message is marked as a repeat, so that `parse::narrow` puts it at the second key.
fn unique<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a mapping")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(crate::refused::raise(crate::refused::Refused::KeyTwice {
                        key,
                    }));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

/// A value, or a list of them (`date_format: "%d/%m/%Y"` or `date_format: [...]`; one
/// `filter:` or a list).
fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct OneOrMany<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("one value or a list of them")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Vec<T>, E> {
            T::deserialize(serde::de::value::StrDeserializer::new(text)).map(|one| vec![one])
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|one| vec![one])
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut all = Vec::new();
            while let Some(one) = seq.next_element()? {
                all.push(one);
            }
            Ok(all)
        }
    }
    deserializer.deserialize_any(OneOrMany(std::marker::PhantomData))
}

/// A map that was read and checked against the question bank.
#[derive(Debug)]
pub struct Map {
    pub path: String,
    pub sha256: String,
    file: MapFile,
    /// Each mapped question: its columns and the words for each answer.
    questions: Vec<(QId, Vec<String>, Words)>,
    /// Factor codes (upper case) and the question each answers yes.
    codes: BTreeMap<String, QId>,
    /// Codes (upper case) the map knows that answer no question.
    other_codes: Vec<String>,
    /// The recorded level's values, as compared, and their tiers.
    levels: Vec<(String, Tier)>,
}

/// A header or a value as compared: letters and digits only, in lower case, so `Child ID`,
/// `child_id` and ` CHILD-ID ` are one.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `text` is `key` as compared (`normalise`), without making it so.
fn same(key: &str, text: &str) -> bool {
    let compared = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase);
    compared.eq(key.chars())
}

impl Map {
    /// Whether the map knows a factor code: one a question takes, or one in
    /// `other_codes:`.
    fn knows(&self, code: &str) -> bool {
        upper_case(code, |key| {
            self.codes.contains_key(key) || self.other_codes.iter().any(|c| c == key)
        })
    }

    /// The question a factor code answers yes, if any.
    fn question_of(&self, code: &str) -> Option<QId> {
        upper_case(code, |key| self.codes.get(key).copied())
    }

    /// What a code absent from a row that lists codes says.
    fn absent(&self) -> Absent {
        self.file
            .factors
            .as_ref()
            .map_or(Absent::Unknown, |f| f.absent)
    }

    /// Whether the map reads the column `header` (an `ignore`d one it does not): a column
    /// it reads holds no line break (a CSV reader takes one there for a stray quote).
    pub fn reads_column(&self, header: &str) -> bool {
        self.columns()
            .iter()
            .any(|(name, _)| normalise(name) == normalise(header))
    }

    /// Every column the map names, with its role, in the order a header is searched.
    fn columns(&self) -> Vec<(&str, Role)> {
        let file = &self.file;
        let c = &file.columns;
        let level = file.recorded_level.as_ref().map(|l| l.column.as_str());
        let optional = [
            (c.area.as_deref(), Role::Area),
            (c.team.as_deref(), Role::Team),
            (c.assessed_at.as_deref(), Role::AssessedAt),
            (level, Role::RecordedLevel),
            (c.age.as_deref(), Role::Age),
            (c.date_of_birth.as_deref(), Role::DateOfBirth),
            (
                c.expected_date_of_birth.as_deref(),
                Role::ExpectedDateOfBirth,
            ),
            (c.unborn.as_deref(), Role::Unborn),
        ];
        let answers = self.questions.iter().enumerate().flat_map(|(index, q)| {
            q.1.iter()
                .map(move |name| (name.as_str(), Role::Answer(index)))
        });
        [
            (c.reference.as_str(), Role::Reference),
            (c.child_id.as_str(), Role::ChildId),
        ]
        .into_iter()
        .chain(
            optional
                .into_iter()
                .filter_map(|(n, role)| n.map(|n| (n, role))),
        )
        .chain(answers)
        .chain(
            file.case_key
                .iter()
                .flatten()
                .map(|k| (k.as_str(), Role::CaseKey)),
        )
        .chain(
            file.filter
                .iter()
                .enumerate()
                .map(|(index, f)| (f.column.as_str(), Role::Filter(index))),
        )
        .chain(
            file.factors
                .iter()
                .map(|f| (f.column.as_str(), Role::Factors)),
        )
        .collect()
    }

    /// Read and check the map at `path`.
    pub fn load(path: &Path, bank: &QuestionBank) -> Result<Map, Diagnostic> {
        let name = path.display().to_string();
        let (bytes, text, file) = MapFile::read(path, &name)?;
        let t = MapText {
            name: &name,
            text: &text,
        };
        file.check_columns(&t)?;
        file.check_filters(&t)?;
        file.check_repeats(&t)?;
        let levels = file.levels(&t)?;
        let defaults = file.answers.clone().unwrap_or_default();
        if file.columns.unborn.is_some() && (defaults.yes.is_empty() || defaults.no.is_empty()) {
            return Err(t.refuse(
                "`columns: unborn` is read in the words of `answers:`, which gives none for yes or for no"
                    .into(),
                t.at(&[Step::Key("columns"), Step::Key("unborn")]),
            ));
        }
        let questions = file.questions(&t, bank, &defaults)?;
        let (codes, other_codes) = file.codes(&t, bank)?;
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Map {
            path: name,
            sha256,
            file,
            questions,
            codes,
            other_codes,
            levels,
        })
    }
}

/// A map's text as read, to place a refusal of it.
struct MapText<'a> {
    name: &'a str,
    text: &'a str,
}

impl MapText<'_> {
    /// Where the key or element at `path` is written in the map, found by the parser.
    fn at(&self, path: &[Step]) -> Option<Location> {
        crate::yaml::locate(self.text, path)
    }

    /// The refusal of the map for `message`, at `location`.
    fn refuse(&self, message: String, location: Option<Location>) -> Diagnostic {
        Diagnostic::error(crate::error::Code::MapInvalid, self.name, message)
            .at(location)
            .help(MAP_HELP)
    }

    /// Where element `i` of the list `key` is written; where `key` is, if it is one value
    /// (a list of one may be written as its value).
    fn element(&self, key: &str, i: usize) -> Option<Location> {
        self.at(&[Step::Key(key), Step::Index(i)])
            .or_else(|| self.at(&[Step::Key(key)]))
    }

    /// The bank's question `id`, written at `path`, or the refusal of an unknown one
    /// (naming the nearest).
    fn question(&self, bank: &QuestionBank, id: &str, path: &[Step]) -> Result<QId, Diagnostic> {
        bank.get(id).ok_or_else(|| {
            let near = crate::error::nearest(id, bank.questions().map(|(_, q)| q.id.as_str()));
            let hint = near.map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
            self.refuse(format!("unknown question `{id}`{hint}"), self.at(path))
        })
    }

    /// Two keys of the mapping at `path` read as one (a code in another case, say),
    /// refused at the later.
    fn same(
        &self,
        path: &[Step],
        keys: Vec<(&String, String)>,
        what: &str,
    ) -> Result<(), Diagnostic> {
        let at = |key: &str| self.at(&[path, &[Step::Key(key)]].concat());
        let mut seen: HashMap<String, &String> = HashMap::new();
        for (written, key) in keys {
            if let Some(first) = seen.insert(key, written) {
                let (a, b) = (at(first), at(written));
                let (earlier, later, location) =
                    if a.map(|l| (l.line, l.column)) > b.map(|l| (l.line, l.column)) {
                        (written, first, a)
                    } else {
                        (first, written, b)
                    };
                return Err(Diagnostic::error(
                    crate::error::Code::MapInvalid,
                    self.name,
                    format!("`{later}` is written twice: `{earlier}` and `{later}` are one {what}"),
                )
                .at(location)
                .help(REPEAT_HELP));
            }
        }
        Ok(())
    }
}

impl MapFile {
    /// The map at `path` read and parsed: its bytes, its text, and what it says.
    fn read(path: &Path, name: &str) -> Result<(Vec<u8>, String, MapFile), Diagnostic> {
        let bytes = crate::files::read_limited(path, MAX_MAP_BYTES).map_err(|e| {
            Diagnostic::error(crate::error::Code::MapInvalid, name, e)
                .help("check the path given to --map")
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| {
            Diagnostic::error(
                crate::error::Code::MapInvalid,
                name,
                "the map is not valid UTF-8",
            )
            .help("save the map as UTF-8")
        })?;
        let file: MapFile = crate::yaml::from_str(&text).map_err(|e| {
            let repeat = e.code == Some(crate::error::Code::CaseDuplicate);
            let e = crate::parse::narrow(&text, e);
            let diagnostic = Diagnostic::error(
                crate::error::Code::MapInvalid,
                name,
                crate::yaml::strip_position(&e.message),
            )
            .at(e.location);
            if repeat {
                diagnostic.help(REPEAT_HELP)
            } else {
                diagnostic.help(MAP_HELP)
            }
        })?;
        Ok((bytes, text, file))
    }

    /// The version, the columns, the date formats and the case key, checked.
    fn check_columns(&self, t: &MapText) -> Result<(), Diagnostic> {
        if self.map != 1 {
            return Err(t.refuse(
                format!(
                    "`map: {}` is not a map version this tool reads (1)",
                    self.map
                ),
                t.at(&[Step::Key("map")]),
            ));
        }
        if self.columns.age.is_some() == self.columns.date_of_birth.is_some() {
            return Err(t.refuse(
                "the map needs exactly one of `columns: age` and `columns: date_of_birth`"
                    .to_string(),
                t.at(&[Step::Key("columns")]),
            ));
        }
        if let Some((i, format)) = self
            .date_format
            .iter()
            .enumerate()
            .find(|(_, f)| !f.contains('%'))
        {
            return Err(t.refuse(
                format!("`date_format: {format}` has no `%` field (for example %d/%m/%Y)"),
                t.element("date_format", i),
            ));
        }
        if self.columns.expected_date_of_birth.is_some() && self.columns.date_of_birth.is_none() {
            return Err(t.refuse(
                "`columns: expected_date_of_birth` needs `columns: date_of_birth` (an age column gives no birth date to tell a born child from one expected)".to_string(),
                t.at(&[Step::Key("columns"), Step::Key("expected_date_of_birth")]),
            ));
        }
        if let Some(key) = &self.case_key
            && !key
                .iter()
                .any(|k| normalise(k) == normalise(&self.columns.reference))
        {
            return Err(t.refuse(
                format!(
                    "`case_key:` does not list the household reference `{}`: the rows of a case must be of one household",
                    self.columns.reference
                ),
                t.at(&[Step::Key("case_key")]),
            ));
        }
        Ok(())
    }

    /// The filters, checked: each keeps or skips at least one value.
    fn check_filters(&self, t: &MapText) -> Result<(), Diagnostic> {
        for (i, filter) in self.filter.iter().enumerate() {
            let values = filter.keep.as_ref().or(filter.skip.as_ref());
            if filter.keep.is_some() == filter.skip.is_some() || values.is_some_and(Vec::is_empty) {
                return Err(t.refuse(
                    format!(
                        "the filter on `{}` needs exactly one of `keep:` (the values of the rows read) and `skip:` (the values of the rows left out), with at least one value",
                        filter.column
                    ),
                    t.element("filter", i),
                ));
            }
        }
        Ok(())
    }

    /// The recorded level's values and the factor codes, checked: no two read as one.
    fn check_repeats(&self, t: &MapText) -> Result<(), Diagnostic> {
        if let Some(level) = &self.recorded_level {
            t.same(
                &[Step::Key("recorded_level"), Step::Key("values")],
                level.values.keys().map(|w| (w, normalise(w))).collect(),
                "value (values are matched whatever their case, spacing and punctuation)",
            )?;
        }
        if let Some(factors) = &self.factors {
            t.same(
                &[Step::Key("factors"), Step::Key("codes")],
                factors
                    .codes
                    .keys()
                    .map(|c| (c, c.trim().to_uppercase()))
                    .collect(),
                "code (codes are matched whatever their case)",
            )?;
        }
        Ok(())
    }

    /// The recorded level's values, checked (each is a level, 1 to 4), as compared and
    /// with their tiers.
    fn levels(&self, t: &MapText) -> Result<Vec<(String, Tier)>, Diagnostic> {
        let mut levels = Vec::new();
        for (word, &number) in self.recorded_level.iter().flat_map(|l| &l.values) {
            let Ok(tier) = Tier::try_from(number) else {
                return Err(t.refuse(
                    format!("recorded level `{word}` is {number}: a level is 1 to 4"),
                    t.at(&[
                        Step::Key("recorded_level"),
                        Step::Key("values"),
                        Step::Key(word),
                    ]),
                ));
            };
            levels.push((normalise(word), tier));
        }
        Ok(levels)
    }

    /// The questions: each one's columns and its words (its own, or those of `answers:`).
    fn questions(
        &self,
        t: &MapText,
        bank: &QuestionBank,
        defaults: &Words,
    ) -> Result<Vec<(QId, Vec<String>, Words)>, Diagnostic> {
        let mut questions = Vec::new();
        for (id, q) in &self.questions {
            let at = [Step::Key("questions"), Step::Key(id)];
            let qid = t.question(bank, id, &at)?;
            let words = Words {
                yes: q.yes.clone().unwrap_or_else(|| defaults.yes.clone()),
                no: q.no.clone().unwrap_or_else(|| defaults.no.clone()),
                unknown: q
                    .unknown
                    .clone()
                    .unwrap_or_else(|| defaults.unknown.clone()),
            };
            let kind = bank.question(qid).kind;
            let columns = match (&q.column, &q.columns) {
                (Some(one), None) => vec![one.clone()],
                (None, Some(several)) if !several.is_empty() => several.clone(),
                _ => {
                    return Err(t.refuse(
                        format!(
                            "`{id}` needs exactly one of `column:` and `columns:` (a list of one or more)"
                        ),
                        t.at(&at),
                    ));
                }
            };
            if columns.len() > 1 && kind != Kind::Yesno {
                return Err(t.refuse(
                    format!("`{id}` is a count: it is answered from one column, not several"),
                    t.at(&at),
                ));
            }
            if kind == Kind::Yesno && words.yes.is_empty() && words.no.is_empty() {
                return Err(t.refuse(
                    format!("`{id}` has no words for yes or no, and `answers:` gives none"),
                    t.at(&at),
                ));
            }
            questions.push((qid, columns, words));
        }
        Ok(questions)
    }

    /// The codes table: each code (upper case) and the question it answers; `other_codes:`.
    fn codes(
        &self,
        t: &MapText,
        bank: &QuestionBank,
    ) -> Result<(BTreeMap<String, QId>, Vec<String>), Diagnostic> {
        let mut codes = BTreeMap::new();
        let mut other_codes = Vec::new();
        if let Some(factors) = &self.factors {
            for (code, id) in &factors.codes {
                let at = [Step::Key("factors"), Step::Key("codes"), Step::Key(code)];
                let qid = t.question(bank, id, &at)?;
                if bank.question(qid).kind != Kind::Yesno {
                    return Err(t.refuse(
                        format!("code `{code}` names `{id}`, which is a count, not yes or no"),
                        t.at(&at),
                    ));
                }
                // With `absent: no` a row without the code answers no: that must be the
                // reassuring answer, never one that raises a level.
                if factors.absent == Absent::No && bank.question(qid).worrying != Worrying::Yes {
                    return Err(t.refuse(
                        format!(
                            "code `{code}` names `{id}`, whose worrying answer is not yes: with `absent: no` a row without the code would answer it no"
                        ),
                        t.at(&at),
                    ));
                }
                codes.insert(code.trim().to_uppercase(), qid);
            }
            for (i, code) in factors.other_codes.iter().enumerate() {
                let key = code.trim().to_uppercase();
                if codes.contains_key(&key) || other_codes.contains(&key) {
                    return Err(t.refuse(
                        format!(
                            "code `{code}` is in `other_codes:` and answers a question in `codes:`, or is listed twice"
                        ),
                        t.at(&[
                            Step::Key("factors"),
                            Step::Key("other_codes"),
                            Step::Index(i),
                        ]),
                    ));
                }
                other_codes.push(key);
            }
        }
        Ok((codes, other_codes))
    }
}

/// What to do about a date the map cannot read.
const NOT_A_DATE_HELP: &str = "correct the date, or `date_format:` in the map";

const MAP_HELP: &str = "docs/batch.md (`Reading a case system's export`) shows a map";

const REPEAT_HELP: &str =
    "keep one of the two: a later key never replaces an earlier one (docs/batch.md shows a map)";

/// Where a table came from, to name a cell in a message: a CSV file (line and column) or a
/// sheet of a workbook (row and column letter).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: Arc<str>,
    pub sheet: Option<Arc<str>>,
}

impl Source {
    /// A cell as a person finds it: `line 5, column 3` or `sheet Contacts, cell C5`.
    pub fn cell(&self, line: usize, column: usize) -> String {
        super::cells::place(self.sheet.as_deref(), line, column)
    }
}

/// How each of our columns is filled from the foreign row.
#[derive(Debug, Clone)]
enum Fill {
    Copy(usize),
    Fixed(String),
    Date(usize),
    Level(usize),
    Age(usize),
    BirthDate(usize),
    /// Whether the child is unborn: from the map's column saying so (if any) and the
    /// dates of birth.
    Unborn(Option<usize>),
    /// The answer to the map's question `.1`, from one column or several.
    Answer(Vec<usize>, usize),
    /// Only from factor codes.
    Codes,
}

/// What a foreign table gives a worker: one case, or a table that could not be read (its
/// header, say), with where it came from.
pub enum Mapped {
    Case(Pending),
    Failed { source: String, error: Diagnostic },
}

/// A foreign table's records, one at a time, the first being its header.
pub type Records<'a> = Box<dyn Iterator<Item = Result<Row, Bad>> + 'a>;

/// Opens a foreign table again at its start, for another pass over its records: the
/// first call may give records already opened.
pub type Reopen<'a> = Box<dyn FnMut() -> Result<Records<'a>, Diagnostic> + 'a>;

/// A foreign table read through a map, one case (household, or each assessment of one:
/// `case_key:`) at a time.
///
/// It is read twice. The first pass holds nothing that grows with the rows: it counts the
/// rows the map filters out and the factors cells the map gives a code in (a column it
/// recognises almost nothing in refuses every case, so the whole column is seen before any
/// case is given), and checks that each case's rows are next to each other. The second
/// pass gives each case when its last row is read, so memory stays flat however long the
/// export. An export whose cases' rows are apart (sorted by child, say) is held whole on
/// the second pass and grouped, as it must be to give each case once.
pub struct MappedCases<'a> {
    cases: Cases<'a>,
    /// Rows the map filtered out, counted with the file's first case.
    filtered: u64,
    /// The map applied to the file's header, once it is: a file whose every row was
    /// filtered out gives its count with no case.
    plan: Option<Arc<Plan>>,
}

/// Where the cases of the second pass come from.
enum Cases<'a> {
    /// Rows read in order, each case given when the next begins.
    Streamed(Box<Stream<'a>>),
    /// Every case of an export whose cases' rows are apart, grouped.
    Held(std::vec::IntoIter<Mapped>),
}

/// The second pass over an export whose cases' rows are together.
struct Stream<'a> {
    plan: Arc<Plan>,
    records: Records<'a>,
    /// The first row of the next case, read while looking for the end of this one.
    next: Option<Kept>,
    column_problem: Option<Diagnostic>,
}

/// A row that is read (not blank, not filtered out): its cells, why it could not be read
/// whole, and the key of its case once it is worked out.
struct Kept {
    row: Row,
    problem: Option<Diagnostic>,
    key: Option<String>,
}

impl<'a> MappedCases<'a> {
    /// Read a foreign table through `map`: its first pass now, to the end of the table.
    pub fn new(
        source: Source,
        mut reopen: Reopen<'a>,
        map: &Arc<Map>,
        bank: &QuestionBank,
        today: jiff::civil::Date,
        notes: &mut Vec<String>,
    ) -> MappedCases<'a> {
        let failed_whole = |error: Diagnostic| MappedCases {
            cases: Cases::Held(
                vec![Mapped::Failed {
                    source: source.name.to_string(),
                    error,
                }]
                .into_iter(),
            ),
            filtered: 0,
            plan: None,
        };
        let mut records = match reopen() {
            Ok(records) => records,
            Err(error) => return failed_whole(error),
        };
        let header_row = match records.next() {
            None => {
                return MappedCases {
                    cases: Cases::Held(
                        vec![failed(&source, "the export is empty (no header row)", None)]
                            .into_iter(),
                    ),
                    filtered: 0,
                    plan: None,
                };
            }
            Some(Err((_, error))) => return failed_whole(error),
            Some(Ok(row)) => row,
        };
        let plan = match Plan::new(&header_row, &source, map, bank, today, notes) {
            Ok(plan) => Arc::new(plan),
            Err(mut error) => {
                if let Some(sheet) = &source.sheet {
                    error.message = format!(
                        "{} (sheet `{sheet}`, row {})",
                        error.message, header_row.line
                    );
                }
                return failed_whole(error);
            }
        };
        let mut survey = plan.survey(records, Keys::in_order());
        // Keys out of order, both as text and as numbers are: read again, keeping a hash
        // of each key, to know whether any case's rows are apart.
        if matches!(survey.keys, Keys::Unsorted) {
            survey.keys = match reopen() {
                Ok(mut again) => {
                    again.next();
                    plan.survey(again, Keys::Hashed(HashSet::new())).keys
                }
                Err(error) => return failed_whole(error),
            };
        }
        let Left { filtered, empty } = survey.left;
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        if filtered > 0 {
            notes.push(format!(
                "{}: {filtered} row{} filtered out by the map {} ({}), counted and not read",
                crate::text::clean_message(&source.name),
                plural(filtered),
                map.path,
                plan.filters_said(),
            ));
        }
        // Rows of nothing but empty cells are rows of the export too: counted with those
        // filtered out (rows in = rows assessed + rows refused + rows filtered out).
        if empty > 0 {
            notes.push(format!(
                "{}: {empty} row{} with every cell empty, counted with the rows filtered out and not read",
                crate::text::clean_message(&source.name),
                plural(empty),
            ));
        }
        let filtered = filtered + empty;
        // A factors column the map gives (almost) no code of is read wrongly as a whole:
        // the wrong column, or another system's codes. Read anyway, every case would look
        // as if nothing was identified (Level 1, exit 0). Each case is refused with the
        // column's problem rather than the file with one row: every case of the export
        // keeps its own row (its reference and source), so the audit still accounts for
        // each of them.
        let column_problem = survey.codes.problem(&plan);
        let mut records = match reopen() {
            Ok(records) => records,
            Err(error) => return failed_whole(error),
        };
        records.next();
        let cases = match survey.keys {
            Keys::Apart => Cases::Held(plan.hold(records, column_problem).into_iter()),
            _ => Cases::Streamed(Box::new(Stream {
                plan: Arc::clone(&plan),
                records,
                next: None,
                column_problem,
            })),
        };
        MappedCases {
            cases,
            filtered,
            plan: Some(plan),
        }
    }

    pub fn next_item(&mut self) -> Option<Mapped> {
        let unit = match &mut self.cases {
            Cases::Streamed(stream) => stream.next_case(),
            Cases::Held(units) => units.next(),
        };
        // The rows filtered out are counted with the file's first case (rows in = rows
        // assessed + rows refused + rows filtered out); a file whose every row was
        // filtered out still gives them, with no case.
        let filtered = std::mem::take(&mut self.filtered);
        match unit {
            Some(Mapped::Case(mut first)) => {
                first.filtered = filtered;
                Some(Mapped::Case(first))
            }
            Some(failed) => {
                self.filtered = filtered;
                Some(failed)
            }
            None if filtered > 0 => Some(Mapped::Case(Pending {
                plan: Arc::clone(self.plan.as_ref()?),
                reference: String::new(),
                rows: Vec::new(),
                lone: None,
                column_problem: None,
                filtered,
            })),
            None => None,
        }
    }
}

impl Stream<'_> {
    /// The next case: its first row and those after it with its key.
    fn next_case(&mut self) -> Option<Mapped> {
        let mut first = match self.next.take() {
            Some(kept) => kept,
            None => self.plan.next_kept(&mut self.records)?,
        };
        let Some(reference) = self.plan.reference_of(&first.row).map(str::to_string) else {
            return Some(
                self.plan
                    .lone(first.row, first.problem, &self.column_problem),
            );
        };
        let mut rows = Vec::new();
        while let Some(mut next) = self.plan.next_kept(&mut self.records) {
            let same = match self.plan.reference_of(&next.row) {
                Some(_) => self.plan.same_case(&first.row, &mut first.key, &next.row),
                None => Err(None),
            };
            match same {
                Ok(()) => rows.push((next.row, next.problem)),
                Err(key) => {
                    next.key = key;
                    self.next = Some(next);
                    break;
                }
            }
        }
        rows.insert(0, (first.row, first.problem));
        Some(
            self.plan
                .pending(reference, rows, None, &self.column_problem),
        )
    }
}

/// A row as read, and why it could not be read whole.
type Read = (Row, Option<Diagnostic>);

/// One case of a foreign export as read, its rows not yet translated: a worker turns it
/// into a case (`group`), so the reader only finds where each case ends.
pub struct Pending {
    plan: Arc<Plan>,
    reference: String,
    rows: Vec<Read>,
    /// Why a row with no household reference is refused (it is a case of its own).
    lone: Option<Diagnostic>,
    /// The factors column's problem, which refuses every case.
    column_problem: Option<Diagnostic>,
    /// Rows of its file the map filtered out, counted with this case (the file's first).
    filtered: u64,
}

/// A mapped case read straight from its foreign rows (`Pending::quick`): what a worker
/// reads of the `Group` that `Pending::group` would make, and its case.
pub struct Quick {
    pub case: Case,
    pub name: Arc<str>,
    /// The file and the line of its first row.
    pub source: String,
    pub rows: usize,
    pub reference: String,
    /// Where the case's area is written.
    pub area_at: Option<Location>,
    pub team: Option<(String, bool)>,
    /// Its factor codes that no question takes.
    pub codes: Vec<String>,
    pub filtered: u64,
}

/// Assessment dates as a case reads them (`{date}T12:00`, London time: `Plan::date_cell`
/// and `Group::case`), kept for the last dates met: a worker's cases share a few dates.
#[derive(Default)]
pub struct Moments(Vec<(jiff::civil::Date, jiff::ZonedDateTime)>);

impl Moments {
    /// Dates kept, at most.
    const KEPT: usize = 64;

    fn at_noon(&mut self, date: jiff::civil::Date) -> Option<jiff::ZonedDateTime> {
        if let Some((_, moment)) = self.0.iter().find(|(d, _)| *d == date) {
            return Some(moment.clone());
        }
        let moment = crate::hours::parse_moment(&format!("{date}T12:00")).ok()?;
        if self.0.len() >= Self::KEPT {
            self.0.clear();
        }
        self.0.push((date, moment.clone()));
        Some(moment)
    }
}

/// The most rows of a case read straight from its foreign cells, as `Group::case` reads
/// at most that many straight from its cells.
const QUICK_ROWS: usize = 64;

impl Pending {
    /// The case its rows describe, read straight from the foreign cells, as `group` and
    /// then `Group::case` read it, without our cells in between: for a plan that allows
    /// it (`Plan::quick`) and rows with nothing that needs their care. `None` at the first
    /// thing that is not plainly right (any refusal among them), for them to read.
    pub fn quick(&self, bank: &QuestionBank, moments: &mut Moments) -> Option<Quick> {
        let plan = &self.plan;
        if !plan.quick
            || self.rows.is_empty()
            || self.rows.len() > QUICK_ROWS
            || self.lone.is_some()
            || self.column_problem.is_some()
            || self.rows.iter().any(|(_, problem)| problem.is_some())
        {
            return None;
        }
        let columns = plan.header_columns();
        let mut case = Case::empty(bank.len());
        let mut codes: Vec<String> = Vec::new();
        // The first row's area and assessment date: every row's must be the same.
        let mut household: Option<(&str, Option<jiff::civil::Date>)> = None;
        for (row, _) in &self.rows {
            let dates = plan.dates(row, plan.today);
            let (mut area, mut assessed) = ("", None);
            let (mut id, mut age, mut unborn) = ("", None, false);
            for (fill, column) in plan.fills.iter().zip(columns) {
                let text = match fill {
                    Fill::Copy(i) | Fill::Age(i) => text(row, *i),
                    Fill::Fixed(fixed) => fixed.as_str(),
                    Fill::Date(i) if text(row, *i).is_empty() => "",
                    Fill::Date(_) => {
                        assessed = Some(dates.assessed?);
                        continue;
                    }
                    Fill::Level(i) if text(row, *i).is_empty() => "",
                    Fill::Level(i) => {
                        let written = text(row, *i);
                        let mut levels = plan.map.levels.iter();
                        let tier = levels.find(|(w, _)| same(w, written))?.1;
                        case.recorded_level = case.recorded_level.max(Some(tier));
                        continue;
                    }
                    Fill::BirthDate(i) => match &dates.birth {
                        Some(Err(_)) => return None,
                        Some(Ok((years, _))) => {
                            age = quick_age(years)?;
                            continue;
                        }
                        None => text(row, *i),
                    },
                    Fill::Unborn(_) => {
                        unborn = dates.unborn();
                        continue;
                    }
                    Fill::Codes | Fill::Answer(..) => continue,
                };
                match column {
                    Column::Reference if household.is_none() && !text.is_empty() => {
                        case.reference = Some(Reference::new(text).ok()?.into_string());
                    }
                    Column::Area => area = text,
                    Column::ChildId => id = text,
                    Column::ChildAge => age = quick_age(text)?,
                    _ => {}
                }
            }
            match household {
                None => {
                    household = Some((area, assessed));
                    if !area.is_empty() {
                        case.area = Some(area.to_string());
                    }
                    if let Some(date) = assessed {
                        case.assessed_at = Some(moments.at_noon(date)?);
                    }
                }
                Some(first) if first != (area, assessed) => return None,
                Some(_) => {}
            }
            if id.is_empty() || age.is_some() == unborn {
                return None;
            }
            let mut child = Child {
                id: ChildLabel::new(id).ok()?.into_string(),
                age,
                answers: Answers::unknown(bank.len()),
            };
            if let Some(i) = plan.factors {
                for code in codes_in(text(row, i))? {
                    match plan.map.question_of(&code) {
                        Some(q) if !unborn || !plan.carried_before_birth.contains(&q) => {
                            match bank.question(q).about {
                                About::Household => case.answers.set(q, Answer::Yes),
                                About::Child => child.answers.set(q, Answer::Yes),
                            }
                        }
                        // A code with no question, or an unborn child's code of a question
                        // carried before birth: listed on the row, once.
                        _ if !codes.contains(&code) => codes.push(code),
                        _ => {}
                    }
                }
            }
            if case.children.iter().any(|c| c.id == child.id) {
                return None;
            }
            case.children.push(child);
        }
        if crate::case::not_applicable(&case, bank).is_some() {
            return None;
        }
        let (first, _) = &self.rows[0];
        let area_at = plan.fills.iter().zip(columns).find_map(|(fill, column)| {
            let i = match (column, fill) {
                (Column::Area, Fill::Copy(i)) => *i,
                (Column::Area, _) => return Some((first.line, 1)),
                _ => return None,
            };
            Some((first.cells.get(i).map_or(first.line, |c| c.line), i + 1))
        });
        let team = plan.team.map(|i| {
            let mut named = self
                .rows
                .iter()
                .map(|(row, _)| text(row, i))
                .filter(|t| !t.is_empty());
            let first = named.next().unwrap_or_default().to_string();
            let differ = named.any(|t| normalise(t) != normalise(&first));
            (first, differ)
        });
        Some(Quick {
            case,
            name: plan.source_name(),
            source: format!("{}:{}", plan.source.name, first.line),
            rows: self.rows.len(),
            reference: self.reference.clone(),
            area_at: area_at.map(|(line, column)| Location { line, column }),
            team,
            codes,
            filtered: self.filtered,
        })
    }

    /// The size of its rows as read, towards a chunk's size.
    pub fn size(&self) -> usize {
        self.rows.iter().map(|(row, _)| row.size()).sum()
    }

    /// Its rows translated to our columns and made one case.
    pub fn group(self) -> Group {
        let plan = &self.plan;
        if self.rows.is_empty() {
            return Group::filtered_only(
                plan.source_name(),
                Arc::clone(&plan.header),
                self.filtered,
            );
        }
        let column_problem = self.column_problem;
        let refused = |problem: Option<Diagnostic>| column_problem.clone().or(problem);
        let translated = self
            .rows
            .into_iter()
            .map(|(row, problem)| plan.translate(&row, problem, plan.today));
        let mut group = match self.lone {
            Some(error) => {
                let mut translated: Vec<Translated> = translated.collect();
                let one = translated.pop();
                let (row, problem, codes) = match one {
                    Some(t) => (vec![t.row], t.problem, t.codes),
                    None => (Vec::new(), None, Vec::new()),
                };
                Group::mapped(
                    plan.source_name(),
                    Arc::clone(&plan.header),
                    row,
                    refused(Some(problem.unwrap_or(error))),
                    String::new(),
                    plan.source.sheet.clone(),
                    codes,
                )
            }
            None => plan.group(&plan.source, self.reference, translated.collect(), refused),
        };
        group.add_filtered(self.filtered);
        group
    }
}

/// The keys of the cases met so far in the first pass, to know whether any case's rows
/// are apart.
enum Keys {
    /// While each key comes after the one before, in the order of text or in that of
    /// length then text (`FAM-9` before `FAM-10`), a key after the last is new: nothing
    /// more is kept, however long the export.
    Sorted {
        last: Option<String>,
        by_text: bool,
        by_length: bool,
    },
    /// Both orders broke: the keys must be read again, kept as below.
    Unsorted,
    /// Hashes of the keys (eight bytes a case; a collision, about one in 10^8 for a
    /// million cases, would hold a sorted export whole, never give a case twice).
    Hashed(HashSet<u64>),
    /// A case's rows are apart: met again after another case's.
    Apart,
}

impl Keys {
    fn in_order() -> Keys {
        Keys::Sorted {
            last: None,
            by_text: true,
            by_length: true,
        }
    }

    /// A case starts with `key` (its rows before were another case's).
    fn start(&mut self, key: &str) {
        match self {
            Keys::Sorted {
                last,
                by_text,
                by_length,
            } => {
                if let Some(last) = last {
                    *by_text &= key > last.as_str();
                    *by_length &= (key.len(), key) > (last.len(), last.as_str());
                    last.clear();
                    last.push_str(key);
                } else {
                    *last = Some(key.to_string());
                }
                if !*by_text && !*by_length {
                    *self = Keys::Unsorted;
                }
            }
            Keys::Hashed(seen) => {
                if !seen.insert(super::csv::hash(key)) {
                    *self = Keys::Apart;
                }
            }
            Keys::Unsorted | Keys::Apart => {}
        }
    }
}

/// What the first pass found.
struct Survey {
    left: Left,
    codes: CodesSeen,
    keys: Keys,
}

/// Rows of an export that are not read, each counted: those the map's filters leave out,
/// and those whose every cell is empty.
#[derive(Default)]
struct Left {
    filtered: u64,
    empty: u64,
}

/// One foreign row, translated: our cells, why it was refused, and codes with no question.
struct Translated {
    row: Row,
    problem: Option<Diagnostic>,
    codes: Vec<String>,
    /// Household questions the row's codes answer yes.
    household_yes: Vec<QId>,
    /// The row's team or service, as written, when the map names its column.
    team: Option<String>,
    /// The cells the map translated, as the export writes them.
    written: Originals,
}

/// Over one export: how many factors cells listed anything, how many of them had a code
/// the map gives, and the first that had none (for the message).
#[derive(Default)]
struct CodesSeen {
    listed: usize,
    given: usize,
    example: Option<Cell>,
}

impl CodesSeen {
    fn count(&mut self, given: Option<bool>, row: &Row, column: Option<usize>) {
        match given {
            None => {}
            Some(true) => {
                self.listed += 1;
                self.given += 1;
            }
            Some(false) => {
                self.listed += 1;
                if self.example.is_none() {
                    // Its column the field's number, as every place in a message is.
                    self.example = column.and_then(|i| {
                        row.cells.get(i).map(|c| Cell {
                            column: i + 1,
                            ..c.clone()
                        })
                    });
                }
            }
        }
    }

    /// Fewer than half the cells that list anything have a code the map gives.
    fn problem(&self, plan: &Plan) -> Option<Diagnostic> {
        let example = self.example.as_ref()?;
        let column = &plan.foreign_names[plan.factors?];
        (self.given * 2 < self.listed).then(|| {
            Diagnostic::error(
                crate::error::Code::MapValue,
                &*plan.source_name(),
                format!(
                    "`{column}` (the factor codes): the map {} gives a code in only {} of its {} cells that list any (for example `{}` at {}); read anyway, its cases would look as if nothing was identified, so none is assessed",
                    plan.map.path,
                    self.given,
                    self.listed,
                    example.text,
                    plan.place(example),
                ),
            )
            .at(Some(Location {
                line: example.line,
                column: example.column,
            }))
            .help("check that `factors: column:` names the column of codes, and give the codes this export uses in `factors: codes:` (at least half the cells that list codes must have one the map gives)")
        })
    }
}

fn failed(source: &Source, message: &str, at: Option<Location>) -> Mapped {
    Mapped::Failed {
        source: source.name.to_string(),
        error: Diagnostic::error(crate::error::Code::MapValue, &*source.name, message)
            .at(at)
            .help(MAP_HELP),
    }
}

/// The map applied to one file's header: which foreign column fills each of ours.
struct Plan {
    map: Arc<Map>,
    header: Arc<Header>,
    fills: Vec<Fill>,
    /// The foreign column of the household reference and of the factor codes.
    reference: usize,
    factors: Option<usize>,
    /// The foreign column of the assessment date, for a date of birth.
    date: Option<usize>,
    /// The foreign column saying a child is unborn.
    unborn: Option<usize>,
    /// The foreign columns of the child id, the date of birth and the expected one.
    child: usize,
    birth: Option<usize>,
    expected: Option<usize>,
    /// The foreign columns that key a case besides the household reference.
    key: Vec<usize>,
    /// The foreign column of the team or service.
    team: Option<usize>,
    /// Child questions the map answers, not asked before birth, whose worry other
    /// questions carry for an unborn child (`before_birth: carried_by`).
    carried_before_birth: Vec<QId>,
    /// Each filter: its foreign column, whether its values are kept (else skipped), and
    /// the values as compared.
    filters: Vec<(usize, bool, Vec<String>)>,
    /// Our column of each question, by question.
    question_column: HashMap<QId, usize>,
    /// The export's own column names (each mapped case keeps them, to name a cell the map
    /// translated in a refusal).
    foreign_names: Arc<[String]>,
    /// Question ids, for messages.
    ids: HashMap<QId, String>,
    source: Source,
    /// The date an age is worked out at when a row gives no assessment date.
    today: jiff::civil::Date,
    /// Whether its cases may be read straight from their foreign cells (`Pending::quick`):
    /// no question has columns of its own (words to read), no column says a child is
    /// unborn, and an absent code says nothing.
    quick: bool,
}

impl Plan {
    /// The map applied to a `header`: our columns and the foreign columns that fill them.
    fn new(
        header: &Row,
        source: &Source,
        map: &Arc<Map>,
        bank: &QuestionBank,
        today: jiff::civil::Date,
        notes: &mut Vec<String>,
    ) -> Result<Plan, Diagnostic> {
        let names: Vec<String> = header
            .cells
            .iter()
            .map(|c| c.text.trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut finder = Finder {
            names: &names,
            used: vec![false; names.len()],
            line: header.line,
            source,
            map,
        };
        let found = Found::search(&mut finder, map, bank)?;
        let mut ours = Ours::before_questions(&found, &names, map);
        let question_column = ours.questions(&found, &names, map, bank);
        finder.note_unused(notes);
        let quick = map.absent() == Absent::Unknown
            && found.unborn.is_none()
            && !ours.fills.iter().any(|f| matches!(f, Fill::Answer(..)));
        Ok(Plan {
            map: Arc::clone(map),
            header: Arc::new(Header::mapped(ours.columns, ours.names)),
            fills: ours.fills,
            reference: found.reference,
            factors: found.factors,
            date: found.date,
            unborn: found.unborn,
            child: found.child,
            birth: found.birth,
            expected: found.expected,
            key: found.key,
            team: found.team,
            carried_before_birth: carried_before_birth(map, bank),
            filters: found.filters,
            ids: question_column
                .keys()
                .map(|q| (*q, bank.name(*q).to_string()))
                .collect(),
            question_column,
            foreign_names: names.into(),
            source: source.clone(),
            today,
            quick,
        })
    }

    /// A foreign row as a row of ours, with its first problem (which refuses its case).
    fn translate(
        &self,
        row: &Row,
        problem: Option<Diagnostic>,
        today: jiff::civil::Date,
    ) -> Translated {
        let mut problem = problem;
        let dates = self.dates(row, today);
        let mut cells = Vec::with_capacity(self.fills.len());
        for fill in &self.fills {
            let out = self.fill(fill, row, &dates, &mut problem);
            cells.push(out);
        }
        let mut codes = Vec::new();
        let unborn = dates.unborn();
        if unborn {
            self.carried_out(&mut cells, &mut codes);
        }
        let household_yes =
            self.codes_to_answers(row, unborn, &mut cells, &mut codes, &mut problem);
        let written = self.originals(row, &cells);
        Translated {
            row: Row {
                line: row.line,
                cells,
            },
            written,
            problem,
            codes,
            household_yes,
            team: self.team.map(|i| self.foreign(row, i).text),
        }
    }

    /// "`D.O.B.` is `31/02/2020` at line 4, column 3": a foreign cell, for a refusal.
    fn is(&self, i: usize, c: &Cell) -> String {
        format!(
            "`{}` is `{}` at {}",
            self.foreign_names[i],
            c.text,
            self.place(c)
        )
    }

    /// The first problem of the row refuses its case; the cell is left blank.
    fn refuse(
        &self,
        problem: &mut Option<Diagnostic>,
        at: Cell,
        message: String,
        help: &str,
    ) -> Cell {
        problem.get_or_insert_with(|| {
            Diagnostic::error(crate::error::Code::MapValue, &*self.source_name(), message)
                .at(Some(Location {
                    line: at.line,
                    column: at.column,
                }))
                .help(help)
        });
        Cell {
            text: String::new(),
            ..at
        }
    }

    /// Yes, no (blank is no), or a word the map does not give: a cell of the unborn column.
    fn unborn_word(&self, c: &Cell) -> Option<bool> {
        let no_words = Words::default();
        let words = self.map.file.answers.as_ref().unwrap_or(&no_words);
        let key = normalise(&c.text);
        let one_of = |list: &[String]| list.iter().any(|w| normalise(w) == key);
        if c.text.is_empty() || one_of(&words.no) {
            Some(false)
        } else if one_of(&words.yes) {
            Some(true)
        } else {
            None
        }
    }

    /// The row's dates: the assessment date, what the unborn column says, the age from birth.
    fn dates(&self, row: &Row, today: jiff::civil::Date) -> Dates {
        let cell = |i: usize| self.foreign(row, i);
        let assessed = self
            .date
            .map(cell)
            .and_then(|c| parse_date(&c.text, &self.map.file.date_format));
        // What the unborn column says: yes, no, or nothing (blank, or a word refused below).
        let said = self
            .unborn
            .map(cell)
            .filter(|c| !c.text.is_empty())
            .and_then(|c| self.unborn_word(&c));
        let birth = self
            .birth
            .map(|i| self.birth(row, i, assessed.unwrap_or(today), said));
        Dates {
            assessed,
            said,
            birth,
        }
    }

    /// Our cell that `fill` makes of the row (blank, and a problem, where the map gives none).
    fn fill(
        &self,
        fill: &Fill,
        row: &Row,
        dates: &Dates,
        problem: &mut Option<Diagnostic>,
    ) -> Cell {
        let blank = Cell {
            text: String::new(),
            line: row.line,
            column: 1,
        };
        let cell = |i: usize| self.foreign(row, i);
        match fill {
            Fill::Copy(i) => cell(*i),
            Fill::Fixed(text) => Cell {
                text: text.clone(),
                ..blank.clone()
            },
            Fill::Date(i) => self.date_cell(*i, cell(*i), dates.assessed, problem),
            Fill::Level(i) => self.level_cell(*i, cell(*i), problem),
            Fill::Age(i) => cell(*i),
            Fill::BirthDate(i) => match &dates.birth {
                Some(Err((c, message, help))) => {
                    self.refuse(problem, c.clone(), message.clone(), help)
                }
                Some(Ok((age, _))) => Cell {
                    text: age.clone(),
                    ..cell(*i)
                },
                None => cell(*i),
            },
            Fill::Unborn(column) => {
                let c = column.map_or(blank.clone(), &cell);
                self.unborn_cell(*column, c, dates.unborn(), problem)
            }
            Fill::Answer(columns, index) => self.answer_cell(row, columns, *index, problem),
            // Placed at the factors cell, if there is one (its text is not needed).
            Fill::Codes => match self.factors.and_then(|i| row.cells.get(i)) {
                Some(c) => Cell {
                    text: String::new(),
                    line: c.line,
                    column: c.column,
                },
                None => Cell {
                    column: self.factors.map_or(1, |i| i + 1),
                    ..blank.clone()
                },
            },
        }
    }

    /// A date cell `c` of foreign column `i` as our date (the assessment's: `assessed`).
    fn date_cell(
        &self,
        i: usize,
        c: Cell,
        assessed: Option<jiff::civil::Date>,
        problem: &mut Option<Diagnostic>,
    ) -> Cell {
        let date_format = self.map.file.date_format.as_slice();
        let date = match self.date == Some(i) {
            true => assessed,
            false => parse_date(&c.text, date_format),
        };
        if c.text.is_empty() {
            c
        } else if let Some(date) = date {
            Cell {
                text: format!("{date}T12:00"),
                ..c
            }
        } else {
            let message = self.not_a_date(i, &c);
            self.refuse(problem, c, message, NOT_A_DATE_HELP)
        }
    }

    /// Why cell `c` of foreign column `i` is refused as a date: the formats the map reads.
    fn not_a_date(&self, i: usize, c: &Cell) -> String {
        let written = match self.map.file.date_format.as_slice() {
            [] => "%Y-%m-%d".to_string(),
            formats => formats.join(" or "),
        };
        format!("{}: not a date written {written}", self.is(i, c))
    }

    /// The level: the recorded level cell `c` of foreign column `i`, as the map's level.
    fn level_cell(&self, i: usize, c: Cell, problem: &mut Option<Diagnostic>) -> Cell {
        let map = &self.map;
        let level = map.file.recorded_level.as_ref();
        let key = normalise(&c.text);
        let found = map.levels.iter().find(|(w, _)| *w == key).map(|(_, t)| *t);
        match found {
            _ if c.text.is_empty() => c,
            Some(tier) => Cell {
                text: tier.to_string(),
                ..c
            },
            None => {
                let known: Vec<&str> = level
                    .map(|l| l.values.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let message = format!(
                    "{}, which the map {} gives no level (it gives {})",
                    self.is(i, &c),
                    map.path,
                    known.join(", ")
                );
                self.refuse(
                    problem,
                    c,
                    message,
                    "add the value to `recorded_level: values:` in the map; it is never guessed",
                )
            }
        }
    }

    /// The unborn cell: yes or no, or the refusal of a word the map's unborn column lacks.
    fn unborn_cell(
        &self,
        column: Option<usize>,
        c: Cell,
        unborn: bool,
        problem: &mut Option<Diagnostic>,
    ) -> Cell {
        let no_words = Words::default();
        let words = self.map.file.answers.as_ref().unwrap_or(&no_words);
        match (column, self.unborn_word(&c)) {
            (Some(i), None) => {
                let message = format!(
                    "{}, which the map {} does not give (unborn: {}; born: {} or blank)",
                    self.is(i, &c),
                    self.map.path,
                    shown(&words.yes),
                    shown(&words.no),
                );
                self.refuse(
                    problem,
                    c,
                    message,
                    "add the value to `answers:` in the map; it is never guessed",
                )
            }
            _ => Cell {
                text: if unborn { "yes" } else { "no" }.to_string(),
                ..c
            },
        }
    }

    /// The answer to the map's question `index` from its foreign `columns` of the row.
    fn answer_cell(
        &self,
        row: &Row,
        columns: &[usize],
        index: usize,
        problem: &mut Option<Diagnostic>,
    ) -> Cell {
        let map = &self.map;
        let (q, _, words) = &map.questions[index];
        // Each cell's answer: yes, no, unknown, a count, blank (None), or a
        // word the map does not give (Err).
        let cells: Vec<(usize, Cell)> = columns
            .iter()
            .map(|i| (*i, self.foreign(row, *i)))
            .collect();
        let answers: Vec<Result<Option<String>, ()>> = cells
            .iter()
            .map(|(_, c)| word_answer(words, columns.len(), c))
            .collect();
        match answers.iter().position(Result::is_err) {
            Some(at) => {
                let (i, c) = cells[at].clone();
                let message = format!(
                    "{}, which the map {} does not give for `{}` (yes: {}; no: {}; unknown: {})",
                    self.is(i, &c),
                    map.path,
                    self.header_name(*q),
                    shown(&words.yes),
                    shown(&words.no),
                    shown(&words.unknown),
                );
                self.refuse(
                    problem,
                    c,
                    message,
                    "add the value to the question's words in the map; it is never guessed",
                )
            }
            // One column: its answer as it is (blank stays blank).
            None if cells.len() == 1 => {
                let c = cells[0].1.clone();
                match &answers[0] {
                    Ok(Some(text)) => Cell {
                        text: text.clone(),
                        ..c
                    },
                    _ => c,
                }
            }
            None => several(&cells, &answers),
        }
    }

    /// An unborn child's yes to a question carried before birth, listed in `codes`, not read.
    fn carried_out(&self, cells: &mut [Cell], codes: &mut Vec<String>) {
        // An unborn child's row: a yes to a question not asked before birth, but whose
        // worry other questions carry then (16A, neglect: the question bank asks it before
        // birth as antenatal care missing, a home unfit or a parent's substance misuse), is
        // listed on the row (its code, or its column's name), not read: the census records
        // factors at a pre-birth assessment, and which of those questions it means is never
        // guessed. A yes whose worry cannot arise before birth (young carer, missing) still
        // refuses the case, as a contradiction in the row.
        for (fill, out) in self.fills.iter().zip(cells.iter_mut()) {
            if let Fill::Answer(_, index) = fill
                && self
                    .carried_before_birth
                    .contains(&self.map.questions[*index].0)
                && out.text == "yes"
            {
                let name = &self.foreign_names[out.column.saturating_sub(1)];
                if !codes.contains(name) {
                    codes.push(name.clone());
                }
                out.text = String::new();
            }
        }
    }

    /// The factor codes to answers (the household questions answered yes are returned).
    fn codes_to_answers(
        &self,
        row: &Row,
        unborn: bool,
        cells: &mut [Cell],
        codes: &mut Vec<String>,
        problem: &mut Option<Diagnostic>,
    ) -> Vec<QId> {
        let mut household_yes = Vec::new();
        let Some(i) = self.factors else {
            return household_yes;
        };
        let map = &self.map;
        let c = self.foreign(row, i);
        let (listed, lists) = self.listed_codes(i, &c, problem);
        // An unborn child's code of a question carried before birth: listed, not read
        // (see `carried_out`).
        for code in &listed {
            let code = code.as_str();
            match map.question_of(code).as_ref() {
                Some(q) if unborn && self.carried_before_birth.contains(q) => {
                    if !codes.iter().any(|k: &String| k == code) {
                        codes.push(code.to_string());
                    }
                }
                Some(q) => {
                    let column = self.question_column[q];
                    if matches!(
                        self.header_columns()[column],
                        Column::Question(_, About::Household)
                    ) {
                        household_yes.push(*q);
                    }
                    let target = &mut cells[column];
                    if target.text.is_empty() || target.text == "unknown" {
                        target.text = "yes".into();
                        target.line = c.line;
                        target.column = c.column;
                    }
                }
                None => {
                    if !codes.iter().any(|k: &String| k == code) {
                        codes.push(code.to_string());
                    }
                }
            }
        }
        // `absent: no`: a row that lists codes answers no to each question only codes
        // answer and none of its codes does. A blank cell lists nothing: unknown.
        if map.absent() == Absent::No && lists {
            self.absent_no(i, &c, &listed, cells, problem);
        }
        household_yes
    }

    /// The codes a factors cell lists, and whether any (a cell not a list is refused).
    fn listed_codes(
        &self,
        i: usize,
        c: &Cell,
        problem: &mut Option<Diagnostic>,
    ) -> (Vec<String>, bool) {
        let parsed = codes_in(&c.text);
        let listed = parsed.clone().unwrap_or_else(|| {
            let message = format!(
                "{}: it starts like JSON but is not a JSON list of codes (`[\"3B\",\"4B\"]`)",
                self.is(i, c)
            );
            self.refuse(
                problem,
                c.clone(),
                message,
                "correct the cell in the export: write its codes as a JSON list of strings, or separated by commas; a code is never read out of anything else (the older `{\"2B\":\"No\"}` form says a factor was not identified)",
            );
            Vec::new()
        });
        // A cell that is not a list of codes is refused on its own.
        let lists = parsed.is_some_and(|codes| !codes.is_empty());
        (listed, lists)
    }

    /// `absent: no`: the codes-only questions a row listing codes does not name, answered no.
    fn absent_no(
        &self,
        i: usize,
        c: &Cell,
        listed: &[String],
        cells: &mut [Cell],
        problem: &mut Option<Diagnostic>,
    ) {
        let map = &self.map;
        if let Some(code) = listed.iter().find(|code| !map.knows(code)) {
            let message = format!(
                "{}: the map {} does not know the code `{code}`, and with `absent: no` the codes it lists would answer every other question no",
                self.is(i, c),
                map.path
            );
            self.refuse(
                problem,
                c.clone(),
                message,
                "add the code to `factors: codes:` (with its question) or to `factors: other_codes:` in the map, or correct the cell",
            );
        } else {
            for (column, fill) in self.fills.iter().enumerate() {
                if matches!(fill, Fill::Codes) && cells[column].text.is_empty() {
                    cells[column] = Cell {
                        text: "no".into(),
                        ..c.clone()
                    };
                }
            }
        }
    }

    /// The cells the map translated, as the export writes them.
    fn originals(&self, row: &Row, cells: &[Cell]) -> Originals {
        // The cells the map translated (a level, a date, an age from a date of birth, a
        // word, a code), as the export writes them: a later refusal at one quotes the
        // export's own text, never the value it was read as (`CIN`, not `3`).
        // (A level is left out: a case's rows take their highest, never refused for it.)
        let mut places: Vec<(usize, usize)> = Vec::new();
        Originals::new(self.fills.iter().zip(cells).filter_map(|(fill, out)| {
            let read = matches!(
                fill,
                Fill::Date(_)
                    | Fill::BirthDate(_)
                    | Fill::Unborn(Some(_))
                    | Fill::Answer(..)
                    | Fill::Codes
            );
            let original = out.column.checked_sub(1).and_then(|i| row.cells.get(i))?;
            let new = read
                && !original.text.is_empty()
                && !out.text.is_empty()
                && original.text != out.text
                && !places.contains(&(out.line, out.column));
            new.then(|| {
                places.push((out.line, out.column));
                (out.line, out.column, original.text.as_str())
            })
        }))
    }

    /// The first pass over the rows after the header: the rows filtered out, the factors
    /// cells, and whether each case's rows are together (`keys`, as they start).
    fn survey(&self, records: Records, mut keys: Keys) -> Survey {
        let mut survey = Survey {
            left: Left::default(),
            codes: CodesSeen::default(),
            keys: Keys::Apart,
        };
        // The first row of the case being read, and its key once worked out.
        let mut current: Option<(Row, Option<String>)> = None;
        for record in records {
            let Some((row, _)) = self.read(record, &mut survey.left) else {
                continue;
            };
            survey
                .codes
                .count(self.factors_given(&row), &row, self.factors);
            if self.reference_of(&row).is_none() {
                // A row with no reference is a case of its own, between the others.
                current = None;
                continue;
            }
            let same = match &mut current {
                Some((first, key)) => self.same_case(first, key, &row),
                None => Err(None),
            };
            if let Err(key) = same {
                let key = key.unwrap_or_else(|| self.key_of(&row));
                keys.start(&key);
                current = Some((row, Some(key)));
            }
        }
        survey.keys = keys;
        survey
    }

    /// The next row that is read: not blank, not filtered out (those were counted in
    /// the first pass).
    fn next_kept(&self, records: &mut Records) -> Option<Kept> {
        let mut left = Left::default();
        for record in records {
            let Some((row, problem)) = self.read(record, &mut left) else {
                continue;
            };
            return Some(Kept {
                row,
                problem,
                key: None,
            });
        }
        None
    }

    /// A record as read, with why it could not be read whole; `None` when every cell is
    /// empty (a row of a CSV export such as `,,,`, counted in `left.empty`), or the map
    /// filters it out (counted in `left.filtered`). A row that could not be read whole is
    /// never left out: it is refused. (A blank line is no record, and a sheet gives no row
    /// whose cells are all empty.)
    fn read(&self, record: Result<Row, Bad>, left: &mut Left) -> Option<Read> {
        let (row, problem) = match record {
            Ok(row) => (row, None),
            Err((row, error)) => (row, Some(error)),
        };
        if problem.is_none() && row.cells.iter().all(|c| c.text.is_empty()) {
            if self.source.sheet.is_none() {
                left.empty += 1;
            }
            return None;
        }
        if problem.is_none() && self.filtered_out(&row) {
            left.filtered += 1;
            return None;
        }
        Some((row, problem))
    }

    /// A row's household reference; `None` when it has none.
    fn reference_of<'r>(&self, row: &'r Row) -> Option<&'r str> {
        row.cells
            .get(self.reference)
            .map(|c| c.text.as_str())
            .filter(|r| !r.is_empty())
    }

    /// Whether `row` is of the case whose first row is `first` (whose key, once worked
    /// out, is `first_key`): at once when the cells of the key are written as the first
    /// row's, else by their keys. `Err` with the row's key when it is of another case.
    fn same_case(
        &self,
        first: &Row,
        first_key: &mut Option<String>,
        row: &Row,
    ) -> Result<(), Option<String>> {
        let mut columns = std::iter::once(self.reference).chain(self.key.iter().copied());
        if columns.all(|i| first.cells.get(i).map(|c| &c.text) == row.cells.get(i).map(|c| &c.text))
        {
            return Ok(());
        }
        let key = self.key_of(row);
        match first_key.get_or_insert_with(|| self.key_of(first)) == &key {
            true => Ok(()),
            false => Err(Some(key)),
        }
    }

    /// A row with no household reference: a case of its own, refused.
    fn lone(
        self: &Arc<Self>,
        row: Row,
        problem: Option<Diagnostic>,
        column_problem: &Option<Diagnostic>,
    ) -> Mapped {
        let line = row.line;
        let error = Diagnostic::error(
            crate::error::Code::CsvRows,
            &*self.source.name,
            format!(
                "{} has no household reference (`{}`)",
                self.source.cell(line, self.reference + 1),
                self.map.file.columns.reference
            ),
        )
        .at(Some(Location { line, column: 1 }))
        .help("give every row the reference of the household it belongs to");
        self.pending(
            String::new(),
            vec![(row, problem)],
            Some(error),
            column_problem,
        )
    }

    fn pending(
        self: &Arc<Self>,
        reference: String,
        rows: Vec<Read>,
        lone: Option<Diagnostic>,
        column_problem: &Option<Diagnostic>,
    ) -> Mapped {
        Mapped::Case(Pending {
            plan: Arc::clone(self),
            reference,
            rows,
            lone,
            column_problem: column_problem.clone(),
            filtered: 0,
        })
    }

    /// Every case of an export whose cases' rows are apart, held whole and grouped, in
    /// the order each case is first met; a row with no reference is a case of its own, in
    /// its place.
    fn hold(self: &Arc<Self>, records: Records, column_problem: Option<Diagnostic>) -> Vec<Mapped> {
        enum Slot {
            Case(String),
            Lone(Box<Kept>),
        }
        let mut order: Vec<Slot> = Vec::new();
        let mut cases: HashMap<String, (String, Vec<Read>)> = HashMap::new();
        let mut records = records;
        while let Some(kept) = self.next_kept(&mut records) {
            let Some(reference) = self.reference_of(&kept.row).map(str::to_string) else {
                order.push(Slot::Lone(Box::new(kept)));
                continue;
            };
            let key = self.key_of(&kept.row);
            match cases.get_mut(&key) {
                Some((_, rows)) => rows.push((kept.row, kept.problem)),
                None => {
                    order.push(Slot::Case(key.clone()));
                    cases.insert(key, (reference, vec![(kept.row, kept.problem)]));
                }
            }
        }
        order
            .into_iter()
            .filter_map(|slot| match slot {
                Slot::Lone(kept) => Some(self.lone(kept.row, kept.problem, &column_problem)),
                Slot::Case(key) => {
                    let (reference, rows) = cases.remove(&key)?;
                    Some(self.pending(reference, rows, None, &column_problem))
                }
            })
            .collect()
    }

    /// Whether a row's factors cell lists anything, and if so whether the map gives any
    /// of it (`None`: blank, `[]`, not a list of codes, or no factors column).
    fn factors_given(&self, row: &Row) -> Option<bool> {
        let cell = row.cells.get(self.factors?)?;
        let text = cell.text.trim();
        if !text.starts_with(['[', '{']) {
            let mut codes = separated(text).peekable();
            codes.peek()?;
            return Some(codes.any(|code| self.map.knows(code)));
        }
        let codes = codes_in(text)?;
        (!codes.is_empty()).then(|| codes.iter().any(|code| self.map.knows(code)))
    }

    /// Whether the map's filters leave the row out.
    fn filtered_out(&self, row: &Row) -> bool {
        self.filters.iter().any(|(i, keep, values)| {
            let value = row
                .cells
                .get(*i)
                .map_or(String::new(), |c| normalise(&c.text));
            values.contains(&value) != *keep
        })
    }

    /// The filters, in words: "`AssessmentStatus` not Complete".
    fn filters_said(&self) -> String {
        self.map
            .file
            .filter
            .iter()
            .map(|f| match &f.keep {
                Some(keep) => format!("`{}` not {}", f.column, keep.join(" or ")),
                None => format!(
                    "`{}` {}",
                    f.column,
                    f.skip.as_deref().unwrap_or_default().join(" or ")
                ),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The case a row belongs to: its household reference and the other columns of
    /// `case_key:` (an assessment date as the date it is, however it is written).
    fn key_of(&self, row: &Row) -> String {
        let mut key = self.reference_of(row).unwrap_or_default().to_string();
        for i in &self.key {
            let text = row.cells.get(*i).map_or("", |c| c.text.trim());
            key.push('\u{1f}');
            match parse_date(text, &self.map.file.date_format) {
                Some(date) if self.date == Some(*i) => {
                    use std::fmt::Write;
                    let _ = write!(key, "{date}");
                }
                _ => key.push_str(text),
            }
        }
        key
    }

    /// Foreign cell `i` of `row` (blank where the row is short), its column the field's
    /// number as a person counts columns in a spreadsheet (1-based; in a CSV file, never a
    /// character position): `line 5, column 3` is the third cell of line 5.
    fn foreign(&self, row: &Row, i: usize) -> Cell {
        let cell = row.cells.get(i);
        Cell {
            text: cell.map_or(String::new(), |c| c.text.clone()),
            line: cell.map_or(row.line, |c| c.line),
            column: i + 1,
        }
    }

    fn header_columns(&self) -> &[Column] {
        self.header.columns()
    }

    fn header_name(&self, q: QId) -> &str {
        self.ids.get(&q).map_or("", String::as_str)
    }

    fn source_name(&self) -> Arc<str> {
        Arc::clone(&self.source.name)
    }

    fn place(&self, c: &Cell) -> String {
        self.source.cell(c.line, c.column)
    }

    /// A child's age from the row's dates of birth (the age, and whether the child is
    /// unborn), or the cell at fault, why, and what to do. `said`: what the map's unborn
    /// column says (nothing when blank). A date of birth after the assessment, or only an
    /// expected date, is a child not yet born: within 10 months of the assessment (no
    /// pregnancy is longer); an expected date already past, with no date of birth, may be
    /// a child born since, and is never guessed either way.
    fn birth(&self, row: &Row, column: usize, at: jiff::civil::Date, said: Option<bool>) -> Birth {
        let cell = |i: usize| self.foreign(row, i);
        let formats = self.map.file.date_format.as_slice();
        let not_a_date = |i: usize, c: Cell| {
            let message = self.not_a_date(i, &c);
            Err((c, message, NOT_A_DATE_HELP))
        };
        let longest = at.checked_add(jiff::Span::new().days(300)).unwrap_or(at);
        let too_far = |i: usize, c: Cell| {
            let message = format!(
                "{}: more than 10 months after the assessment date {at}, which no pregnancy is",
                self.is(i, &c)
            );
            Err((c, message, "correct the date"))
        };
        let born = cell(column);
        let expected = self.expected.map(&cell).filter(|c| !c.text.is_empty());
        if !born.text.is_empty() {
            return match parse_date(&born.text, formats) {
                None => not_a_date(column, born),
                Some(date) if date <= at && said == Some(true) => {
                    let message = format!(
                        "{}, on or before the assessment date {at}, but the child is recorded as unborn",
                        self.is(column, &born)
                    );
                    Err((
                        born,
                        message,
                        "correct the date of birth, or the unborn column",
                    ))
                }
                Some(date) if date <= at => {
                    let years = date
                        .until((jiff::Unit::Year, at))
                        .map(|s| s.get_years())
                        .unwrap_or_default();
                    Ok((years.to_string(), false))
                }
                Some(_) if said == Some(false) => {
                    let message = format!(
                        "{}: after the assessment date {at}, but the child is recorded as born",
                        self.is(column, &born)
                    );
                    Err((
                        born,
                        message,
                        "correct the date of birth, or the unborn column",
                    ))
                }
                Some(date) if date > longest => too_far(column, born),
                Some(_) => Ok((String::new(), true)),
            };
        }
        if let (Some(c), Some(i)) = (expected, self.expected) {
            return match parse_date(&c.text, formats) {
                None => not_a_date(i, c),
                Some(date) if date < at => {
                    let message = format!(
                        "{}: an expected date of birth before the assessment date {at}, and no date of birth: the child may have been born since",
                        self.is(i, &c)
                    );
                    Err((
                        c,
                        message,
                        "give the child's date of birth, or correct the expected date",
                    ))
                }
                Some(date) if date > longest => too_far(i, c),
                Some(_) if said == Some(false) => {
                    let message = format!(
                        "{}: the child is recorded as born, but has only an expected date of birth",
                        self.is(i, &c)
                    );
                    Err((
                        c,
                        message,
                        "give the child's date of birth, or correct the unborn column",
                    ))
                }
                Some(_) => Ok((String::new(), true)),
            };
        }
        if said == Some(true) || cell(self.child).text.is_empty() {
            return Ok((String::new(), said == Some(true)));
        }
        let expected = match &self.map.file.columns.expected_date_of_birth {
            Some(name) => format!(" (`{name}`)"),
            None => " (the map names no column for one)".to_string(),
        };
        let message = format!(
            "`{}` is blank at {}: the child has neither a date of birth nor an expected date of birth{expected}",
            self.foreign_names[column],
            self.place(&born),
        );
        Err((
            born,
            message,
            "give the child's date of birth, or the expected date for a child not yet born",
        ))
    }

    /// One household's rows as one case: household questions that a child's codes answer
    /// yes are yes for the household (the union over its children).
    fn group(
        &self,
        source: &Source,
        reference: String,
        mut rows: Vec<Translated>,
        refused: impl Fn(Option<Diagnostic>) -> Option<Diagnostic>,
    ) -> Group {
        let coded_only = |column: usize| matches!(self.fills[column], Fill::Codes);
        // Each question once: kept per row, a household of n rows would be walked n times
        // for each (30,000 rows of one household: 6.1 s mapped against 1.1 s plain).
        let yes: std::collections::BTreeSet<QId> = rows
            .iter()
            .flat_map(|r| r.household_yes.iter().copied())
            .collect();
        for q in yes {
            let column = self.question_column[&q];
            for row in &mut rows {
                let cell = &mut row.row.cells[column];
                if cell.text.is_empty()
                    || cell.text == "unknown"
                    || (coded_only(column) && cell.text == "no")
                {
                    cell.text = "yes".into();
                }
            }
        }
        // `absent: no`: a household question one child's codes answer no (and none yes) is
        // no for the household; another child's blank cell says nothing.
        for (column, about) in self.header_columns().iter().enumerate() {
            let household = matches!(about, Column::Question(_, About::Household));
            if household && coded_only(column) {
                let no = rows.iter().find(|r| r.row.cells[column].text == "no");
                if let Some(no) = no.map(|r| r.row.cells[column].clone()) {
                    for row in &mut rows {
                        if row.row.cells[column].text.is_empty() {
                            row.row.cells[column] = no.clone();
                        }
                    }
                }
            }
        }
        for (column, about) in self.header_columns().iter().enumerate() {
            match about {
                // Siblings recorded at different levels: the household's is the highest
                // child's, never a refusal.
                Column::RecordedLevel => {
                    let highest = rows
                        .iter()
                        .map(|r| &r.row.cells[column])
                        .filter_map(|c| c.text.parse::<u8>().ok().map(|level| (level, c)))
                        .max_by_key(|(level, _)| *level)
                        .map(|(_, c)| c.clone());
                    if let Some(highest) = highest {
                        for row in &mut rows {
                            row.row.cells[column] = highest.clone();
                        }
                    }
                }
                // A household question with its own columns, answered on each child's
                // row: yes if any row says yes, no only if every row says no, else unknown.
                Column::Question(_, About::Household)
                    if matches!(self.fills[column], Fill::Answer(..)) =>
                {
                    let said = |answer: &str| {
                        rows.iter()
                            .map(|r| &r.row.cells[column])
                            .find(|c| c.text == answer)
                            .cloned()
                    };
                    let all_no = rows.iter().all(|r| r.row.cells[column].text == "no");
                    let yes_or_no = rows.iter().all(|r| {
                        matches!(
                            r.row.cells[column].text.as_str(),
                            "" | "yes" | "no" | "unknown"
                        )
                    });
                    let answer = match said("yes") {
                        Some(yes) => Some(yes),
                        None if all_no => None,
                        None => said("no").or_else(|| said("unknown")).map(|c| Cell {
                            text: String::new(),
                            ..c
                        }),
                    };
                    if let (true, Some(answer)) = (yes_or_no, answer) {
                        for row in &mut rows {
                            row.row.cells[column] = answer.clone();
                        }
                    }
                }
                _ => {}
            }
        }
        let problem = rows.iter_mut().find_map(|r| r.problem.take());
        let written: Vec<Originals> = rows
            .iter_mut()
            .map(|r| std::mem::take(&mut r.written))
            .collect();
        // The case's team: its first row's that names one. Rows that name different
        // teams (siblings allocated apart) are not refused: the case counts under the
        // first, and the audit says how many cases that was.
        let team = self.team.map(|_| {
            let mut named = rows
                .iter()
                .filter_map(|r| r.team.as_deref())
                .filter(|t| !t.is_empty());
            let first = named.next().unwrap_or_default().to_string();
            let differ = named.any(|t| normalise(t) != normalise(&first));
            (first, differ)
        });
        let mut codes: Vec<String> = Vec::new();
        for row in &rows {
            for code in &row.codes {
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
        }
        Group::mapped(
            Arc::clone(&source.name),
            Arc::clone(&self.header),
            rows.into_iter().map(|r| r.row).collect(),
            refused(problem),
            reference,
            source.sheet.clone(),
            codes,
        )
        .with_team(team)
        .with_written(written, Arc::clone(&self.foreign_names))
    }
}

/// A child's age as `Group::case` reads its cell: none when blank; `None` for anything
/// but a whole number of years, 0 to 17.
fn quick_age(text: &str) -> Option<Option<u8>> {
    match text {
        "" => Some(None),
        text => {
            let years = text.parse::<i64>().ok().filter(|a| (0..=17).contains(a))?;
            Some(Some(years as u8))
        }
    }
}

/// Foreign cell `i` of `row` as written (blank where the row is short).
fn text(row: &Row, i: usize) -> &str {
    row.cells.get(i).map_or("", |c| c.text.as_str())
}

/// A row's dates, read before its cells.
struct Dates {
    /// The assessment date.
    assessed: Option<jiff::civil::Date>,
    /// What the unborn column says: yes, no, or nothing (blank, or a word refused).
    said: Option<bool>,
    /// The child's age from the dates of birth (`Plan::birth`).
    birth: Option<Birth>,
}

/// A child's age from a row's dates of birth, and whether the child is unborn; or the cell
/// at fault, why, and what to do.
type Birth = Result<(String, bool), (Cell, String, &'static str)>;

impl Dates {
    /// Whether the child is unborn: as the dates of birth say, else as the unborn column.
    fn unborn(&self) -> bool {
        match &self.birth {
            Some(Ok((_, unborn))) => *unborn,
            _ => self.said == Some(true),
        }
    }
}

/// A question's cell in the map's `words`: an answer, blank (None), or not given (Err).
fn word_answer(words: &Words, columns: usize, c: &Cell) -> Result<Option<String>, ()> {
    let key = normalise(&c.text);
    let one_of = |list: &[String]| list.iter().any(|w| normalise(w) == key);
    if c.text.is_empty() {
        Ok(None)
    } else if one_of(&words.unknown) {
        Ok(Some("unknown".into()))
    } else if one_of(&words.yes) {
        Ok(Some("yes".into()))
    } else if one_of(&words.no) {
        Ok(Some("no".into()))
    } else if columns == 1 && c.text.parse::<u32>().is_ok() {
        Ok(Some(c.text.clone()))
    } else {
        Err(())
    }
}

/// A question's answer from several cells: yes if any says yes, no only if all say no.
fn several(cells: &[(usize, Cell)], answers: &[Result<Option<String>, ()>]) -> Cell {
    let said = |answer: &str| {
        answers
            .iter()
            .position(|a| a.as_ref().is_ok_and(|a| a.as_deref() == Some(answer)))
    };
    match said("yes") {
        Some(at) => Cell {
            text: "yes".into(),
            ..cells[at].1.clone()
        },
        None if answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|a| a.as_deref() == Some("no"))) =>
        {
            Cell {
                text: "no".into(),
                ..cells[0].1.clone()
            }
        }
        None => Cell {
            text: String::new(),
            ..cells[0].1.clone()
        },
    }
}

/// What a column the map names holds.
#[derive(Debug, Clone, Copy)]
enum Role {
    Reference,
    ChildId,
    Area,
    Team,
    AssessedAt,
    RecordedLevel,
    Age,
    DateOfBirth,
    ExpectedDateOfBirth,
    Unborn,
    /// One of the columns of the map's question `.0` (its place in `Map::questions`).
    Answer(usize),
    CaseKey,
    /// The column of the map's filter `.0` (its place in `filter:`).
    Filter(usize),
    Factors,
}

impl Role {
    /// What the column holds, as a message about it says.
    fn said(self, map: &Map, bank: &QuestionBank) -> String {
        match self {
            Role::Reference => "the household reference".into(),
            Role::ChildId => "the child id".into(),
            Role::Area => "the area".into(),
            Role::Team => "the team or service".into(),
            Role::AssessedAt => "the assessment date".into(),
            Role::RecordedLevel => "the recorded level".into(),
            Role::Age => "the age".into(),
            Role::DateOfBirth => "the date of birth".into(),
            Role::ExpectedDateOfBirth => "the expected date of birth".into(),
            Role::Unborn => "whether the child is unborn".into(),
            Role::Answer(index) => {
                format!("the answer to `{}`", bank.name(map.questions[index].0))
            }
            Role::CaseKey => "a column of the case key".into(),
            Role::Filter(_) => "a filter's column".into(),
            Role::Factors => "the factor codes".into(),
        }
    }
}

/// A header's columns, searched by name for those the map names.
struct Finder<'a> {
    names: &'a [String],
    /// Whether each column is one the map names.
    used: Vec<bool>,
    /// The header's line.
    line: usize,
    source: &'a Source,
    map: &'a Map,
}

impl Finder<'_> {
    /// The header's column `wanted` (holding `what`), marked used; or the refusal of none, or two.
    fn find(&mut self, wanted: &str, what: &str) -> Result<usize, Diagnostic> {
        let (names, source) = (self.names, self.source);
        let key = normalise(wanted);
        let found = names.iter().position(|n| normalise(n) == key);
        let again = found.and_then(|i| {
            names[i + 1..]
                .iter()
                .position(|n| normalise(n) == key)
                .map(|j| i + 1 + j)
        });
        if let (Some(first), Some(second)) = (found, again) {
            let at = |i: usize| match &source.sheet {
                Some(_) => format!("column {}", column_letter(i + 1)),
                None => format!("column {}", i + 1),
            };
            return Err(Diagnostic::error(
                crate::error::Code::MapValue,
                &*source.name,
                format!(
                    "two columns match `{wanted}` ({what}): `{}` ({}) and `{}` ({}); which is meant is never guessed",
                    names[first],
                    at(first),
                    names[second],
                    at(second)
                ),
            )
            .at(Some(Location {
                line: self.line,
                column: 1,
            }))
            .help("rename one of the columns in the export, or name the other in the map"));
        }
        match found {
            Some(i) => {
                self.used[i] = true;
                Ok(i)
            }
            None => {
                let near = crate::error::nearest(wanted, names.iter().map(String::as_str));
                let hint = near.map_or(String::new(), |n| format!(" (the nearest is `{n}`)"));
                Err(Diagnostic::error(
                    crate::error::Code::MapValue,
                    &*source.name,
                    format!(
                        "the header has no column `{wanted}`, which the map {} names as {what}{hint}",
                        self.map.path
                    ),
                )
                .at(Some(Location {
                    line: self.line,
                    column: 1,
                }))
                .help("correct the column's name in the map (case and spacing do not matter)"))
            }
        }
    }

    /// The note of the header's columns the map neither reads nor ignores, if any.
    fn note_unused(mut self, notes: &mut Vec<String>) {
        let (names, source, map) = (self.names, self.source, self.map);
        for ignored in &map.file.ignore {
            let key = normalise(ignored);
            for (i, n) in names.iter().enumerate() {
                if normalise(n) == key {
                    self.used[i] = true;
                }
            }
        }
        let unused: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| !self.used[*i] && !n.trim().is_empty())
            .map(|(i, n)| {
                let at = match &source.sheet {
                    Some(_) => format!("column {}", column_letter(i + 1)),
                    None => format!("column {}", i + 1),
                };
                format!("`{}` ({at})", crate::text::clean_message(n))
            })
            .collect();
        if !unused.is_empty() {
            notes.push(format!(
                "{}: the map {} does not use {} column{}: {} (add them to `ignore:` to say so)",
                crate::text::clean_message(&source.name),
                map.path,
                unused.len(),
                if unused.len() == 1 { "" } else { "s" },
                unused.join(", ")
            ));
        }
    }
}

/// The header's columns the map names, found.
#[derive(Default)]
struct Found {
    reference: usize,
    child: usize,
    area: Option<usize>,
    team: Option<usize>,
    date: Option<usize>,
    level: Option<usize>,
    age: Option<usize>,
    birth: Option<usize>,
    expected: Option<usize>,
    unborn: Option<usize>,
    /// The columns of each of the map's questions, in the order of `Map::questions`.
    answers: Vec<Vec<usize>>,
    /// The case key's columns besides the household reference.
    key: Vec<usize>,
    /// Each filter: its column, whether its values are kept (else skipped), and the
    /// values as compared.
    filters: Vec<(usize, bool, Vec<String>)>,
    factors: Option<usize>,
}

impl Found {
    /// The header's columns found, in the order of `Map::columns` (the first missing refuses).
    fn search(finder: &mut Finder, map: &Map, bank: &QuestionBank) -> Result<Found, Diagnostic> {
        let mut found = Found {
            answers: vec![Vec::new(); map.questions.len()],
            ..Found::default()
        };
        for (name, role) in map.columns() {
            let i = finder.find(name, &role.said(map, bank))?;
            match role {
                Role::Reference => found.reference = i,
                Role::ChildId => found.child = i,
                Role::Area => found.area = Some(i),
                Role::Team => found.team = Some(i),
                Role::AssessedAt => found.date = Some(i),
                Role::RecordedLevel => found.level = Some(i),
                Role::Age => found.age = Some(i),
                Role::DateOfBirth => found.birth = Some(i),
                Role::ExpectedDateOfBirth => found.expected = Some(i),
                Role::Unborn => found.unborn = Some(i),
                Role::Answer(index) => found.answers[index].push(i),
                Role::CaseKey => {
                    if i != found.reference && !found.key.contains(&i) {
                        found.key.push(i);
                    }
                }
                Role::Filter(index) => {
                    let filter = &map.file.filter[index];
                    let (keep, values) = match &filter.keep {
                        Some(keep) => (true, keep.as_slice()),
                        None => (false, filter.skip.as_deref().unwrap_or_default()),
                    };
                    found
                        .filters
                        .push((i, keep, values.iter().map(|v| normalise(v)).collect()));
                }
                Role::Factors => found.factors = Some(i),
            }
        }
        Ok(found)
    }
}

/// Our columns, as a plan makes them: each one, its name, and how it is filled.
struct Ours {
    columns: Vec<Column>,
    names: Vec<String>,
    fills: Vec<Fill>,
}

impl Ours {
    /// Our column `column`, named `name`, filled by `fill`.
    fn push(&mut self, column: Column, name: String, fill: Fill) {
        self.columns.push(column);
        self.names.push(name);
        self.fills.push(fill);
    }

    /// Our columns before the questions': reference, child, area, date, level, age, unborn.
    fn before_questions(found: &Found, names: &[String], map: &Map) -> Ours {
        let (reference, child) = (found.reference, found.child);
        let mut ours = Ours {
            columns: vec![Column::Reference, Column::ChildId],
            names: vec![names[reference].clone(), names[child].clone()],
            fills: vec![Fill::Copy(reference), Fill::Copy(child)],
        };
        if let Some(i) = found.area {
            ours.push(Column::Area, names[i].clone(), Fill::Copy(i));
        } else if let Some(area) = &map.file.area {
            ours.push(Column::Area, "area".into(), Fill::Fixed(area.clone()));
        }
        if let Some(i) = found.date {
            ours.push(Column::AssessedAt, names[i].clone(), Fill::Date(i));
        }
        if let Some(i) = found.level {
            ours.push(Column::RecordedLevel, names[i].clone(), Fill::Level(i));
        }
        if let Some(i) = found.age {
            ours.push(Column::ChildAge, names[i].clone(), Fill::Age(i));
        }
        if let Some(i) = found.birth {
            ours.push(Column::ChildAge, names[i].clone(), Fill::BirthDate(i));
        }
        if let Some(i) = found.unborn {
            ours.push(Column::ChildUnborn, names[i].clone(), Fill::Unborn(Some(i)));
        } else if found.birth.is_some() {
            // A date of birth after the assessment, or only an expected one: unborn.
            ours.push(
                Column::ChildUnborn,
                "child_unborn".into(),
                Fill::Unborn(None),
            );
        }
        ours
    }

    /// The question columns: each mapped question's, then those only codes answer.
    fn questions(
        &mut self,
        found: &Found,
        names: &[String],
        map: &Map,
        bank: &QuestionBank,
    ) -> HashMap<QId, usize> {
        let mut question_column = HashMap::new();
        for (index, (q, _, _)) in map.questions.iter().enumerate() {
            let found = found.answers[index].clone();
            question_column.insert(*q, self.columns.len());
            let column = Column::Question(*q, bank.question(*q).about);
            self.push(column, names[found[0]].clone(), Fill::Answer(found, index));
        }
        let mut coded: Vec<QId> = map.codes.values().copied().collect();
        coded.sort_by_key(|q| q.0);
        coded.dedup();
        for q in coded {
            if question_column.contains_key(&q) {
                continue;
            }
            question_column.insert(q, self.columns.len());
            let column = Column::Question(q, bank.question(q).about);
            self.push(column, bank.name(q).to_string(), Fill::Codes);
        }
        question_column
    }
}

/// The child questions the map answers whose worry others carry before birth.
fn carried_before_birth(map: &Map, bank: &QuestionBank) -> Vec<QId> {
    map.codes
        .values()
        .copied()
        .chain(map.questions.iter().map(|(q, _, _)| *q))
        .filter(|q| {
            let question = bank.question(*q);
            question.about == About::Child
                && !question.unborn
                && question
                    .before_birth
                    .as_ref()
                    .is_some_and(|b| !b.carried_by.is_empty())
        })
        .collect()
}

/// The codes of a factors cell. A cell that starts with `[` or `{` is JSON and must be a
/// list of codes (strings, or numbers such as `21`), as the Standard Safeguarding Dataset
/// holds them (`["3B","4B"]`; `[]` for none); anything else is a list separated by commas,
/// semicolons, `|` or spaces. No code starts with `[` or `{`, so the two never overlap.
/// `None`: JSON that is not such a list (the older `{"2B":"No"}` form, or a list cut short),
/// whose words are never read as codes.
fn codes_in(text: &str) -> Option<Vec<String>> {
    let text = text.trim();
    if !text.starts_with(['[', '{']) {
        return Some(separated(text).map(str::to_string).collect());
    }
    let items: Vec<serde_json::Value> = serde_json::from_str(text).ok()?;
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(code) => Some(code.trim().to_string()),
            serde_json::Value::Number(code) => Some(code.to_string()),
            _ => None,
        })
        .filter(|code| code.as_ref().is_none_or(|c| !c.is_empty()))
        .collect()
}

/// The codes of a factors cell that is not JSON: separated by commas, semicolons, `|` or
/// spaces.
fn separated(text: &str) -> impl Iterator<Item = &str> {
    text.split(|ch: char| ch == ',' || ch == ';' || ch == '|' || ch.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `look` given `code` in upper case, as the map keeps its codes: a short ASCII code (as
/// every census code is) upper-cased on the stack, any other in a new string.
fn upper_case<T>(code: &str, look: impl FnOnce(&str) -> T) -> T {
    let mut buffer = [0u8; 16];
    match buffer.get_mut(..code.len()) {
        Some(upper) if code.is_ascii() => {
            upper.copy_from_slice(code.as_bytes());
            upper.make_ascii_uppercase();
            look(std::str::from_utf8(upper).unwrap_or_default())
        }
        _ => look(&code.to_uppercase()),
    }
}

/// `text` read by `format` when the format holds only `%d`, `%m` and `%Y`, each once,
/// between other characters, and the text gives them as two, two and four digits, each
/// followed by a character that is not a digit or by the end: the date `strptime` reads
/// (most exports' dates, read without its parser). `None` for anything else, left to it.
fn fixed_width_date(format: &str, text: &str) -> Option<jiff::civil::Date> {
    let (mut format, mut text) = (format.as_bytes(), text.as_bytes());
    let mut fields: [Option<i16>; 3] = [None; 3];
    while let Some((&first, rest)) = format.split_first() {
        if first != b'%' {
            text = text.strip_prefix(&[first])?;
            format = rest;
            continue;
        }
        let (&spec, rest) = rest.split_first()?;
        let (slot, width) = match spec {
            b'd' => (0, 2),
            b'm' => (1, 2),
            b'Y' => (2, 4),
            _ => return None,
        };
        let digits = text.get(..width)?;
        let after = text.get(width).copied();
        if !digits.iter().all(u8::is_ascii_digit)
            || after.is_some_and(|b| b.is_ascii_digit())
            || fields[slot].is_some()
        {
            return None;
        }
        fields[slot] = Some(digits.iter().fold(0, |n, d| n * 10 + i16::from(d - b'0')));
        (format, text) = (rest, &text[width..]);
    }
    let [Some(day), Some(month), Some(year)] = fields else {
        return None;
    };
    let (day, month) = (i8::try_from(day).ok()?, i8::try_from(month).ok()?);
    text.is_empty()
        .then(|| jiff::civil::Date::new(year, month, day).ok())
        .flatten()
}

fn shown(words: &[String]) -> String {
    if words.is_empty() {
        "none".into()
    } else {
        words.join(", ")
    }
}

/// A date as the map says it is written (each of its formats in order), or as ISO
/// `2026-11-24` (what a workbook's own date cells are read as).
fn parse_date(text: &str, formats: &[String]) -> Option<jiff::civil::Date> {
    let text = text.trim();
    for format in formats {
        if let Some(date) = fixed_width_date(format, text) {
            return Some(date);
        }
        if let Ok(date) = jiff::civil::Date::strptime(format, text) {
            return Some(date);
        }
        if let Ok(moment) = jiff::civil::DateTime::strptime(format, text) {
            return Some(moment.date());
        }
    }
    text.get(..10)
        .and_then(|head| head.parse::<jiff::civil::Date>().ok())
        .filter(|_| text.len() == 10 || text[10..].starts_with(['T', ' ']))
}

/// What a mapped run adds to each row: the map's hash (and path), and the factor codes of
/// the row's case that no question takes.
pub fn append(format: super::Format, out: &mut Vec<u8>, start: usize, map: &Map, codes: &[String]) {
    if out.len() <= start || out.last() != Some(&b'\n') {
        return;
    }
    match format {
        super::Format::Csv | super::Format::Xlsx => {
            out.pop();
            out.push(b',');
            out.extend_from_slice(map.sha256.as_bytes());
            out.push(b',');
            let codes = codes.join(" ");
            super::cells::csv_cell(&codes, out);
            out.push(b'\n');
        }
        super::Format::Jsonl => {
            out.pop();
            if out.last() != Some(&b'}') {
                out.push(b'\n');
                return;
            }
            out.pop();
            let extra = serde_json::json!({
                "map": {"sha256": map.sha256, "path": map.path},
                "unmapped_codes": codes,
            });
            let text = extra.to_string();
            out.push(b',');
            out.extend_from_slice(&text.as_bytes()[1..]);
            out.push(b'\n');
        }
        super::Format::Table | super::Format::Summary => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_whatever_their_case_and_spacing() {
        assert_eq!(normalise(" Child ID "), normalise("child_id"));
        assert_eq!(normalise("CHILD-ID"), "childid");
        assert_ne!(normalise("child"), normalise("child id"));
    }

    #[test]
    fn a_value_is_compared_as_normalised_without_being_made_so() {
        for (key, text) in [
            ("earlyhelp", "Early Help"),
            ("cin", "C.I.N."),
            ("straße", "STRASSE"),
            ("straße", "Straße"),
            ("cp", "cp "),
            ("", ""),
            ("cp", "c"),
        ] {
            assert_eq!(same(key, text), normalise(text) == key, "{key} {text}");
        }
    }

    #[test]
    fn spreadsheet_columns_have_letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
        assert_eq!(column_letter(703), "AAA");
    }

    #[test]
    fn a_factors_cell_is_a_json_list_or_a_separated_one_and_nothing_else() {
        let codes = |list: &[&str]| Some(list.iter().map(|c| c.to_string()).collect());
        assert_eq!(
            codes_in("3B, 4B;10A|21 7A"),
            codes(&["3B", "4B", "10A", "21", "7A"])
        );
        assert_eq!(
            codes_in(r#" ["3B", " 4B ", 21, ""] "#),
            codes(&["3B", "4B", "21"])
        );
        assert_eq!(codes_in("[]"), codes(&[]));
        assert_eq!(codes_in(""), codes(&[]));
        for bad in [
            r#"{"2B":"No"}"#,
            r#"[{"2B":"No"}]"#,
            r#"["3B", "#,
            "[3B, 4B]",
            r#"["3B", null]"#,
            r#"[["3B"]]"#,
        ] {
            assert_eq!(codes_in(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_read_as_the_map_says_or_as_iso() {
        let d = jiff::civil::date(2026, 11, 2);
        let uk = ["%d/%m/%Y".to_string()];
        assert_eq!(parse_date("02/11/2026", &uk), Some(d));
        assert_eq!(parse_date("2026-11-02", &uk), Some(d));
        assert_eq!(parse_date("2026-11-02 00:00:00", &[]), Some(d));
        assert_eq!(parse_date("11/02/2026x", &uk), None);
        assert_eq!(parse_date("31/02/2026", &uk), None);
        // Tried in order: the first that fits.
        let two = ["%m/%d/%Y".to_string(), "%d.%m.%Y".to_string()];
        assert_eq!(parse_date("11/02/2026", &two), Some(d));
        assert_eq!(parse_date("02.11.2026", &two), Some(d));
        assert_eq!(parse_date("02-11-2026", &two), None);
    }

    /// Where the quick reading of a date gives one, it is the one `strptime` gives.
    #[test]
    fn a_date_read_quickly_is_the_date_strptime_reads() {
        let formats = [
            "%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%d %m %Y",
        ];
        let texts = [
            "02/11/2026",
            "2026-11-02",
            "11/02/2026",
            "02.11.2026",
            "20261102",
            "02 11 2026",
            "31/02/2026",
            "00/11/2026",
            "2/11/2026",
            "02/11/20260",
            "02/11/2026 ",
            "29/02/2024",
            "29/02/2023",
            "02/13/2026",
            "0000-01-01",
            "02/11/2026x",
            "+2026-11-02",
        ];
        let mut quick = 0;
        for format in formats {
            for text in texts {
                if let Some(date) = fixed_width_date(format, text) {
                    quick += 1;
                    let read = jiff::civil::Date::strptime(format, text).ok();
                    assert_eq!(Some(date), read, "{format} {text}");
                }
            }
        }
        assert!(quick >= formats.len(), "{quick}");
        assert_eq!(fixed_width_date("%d/%m/%y", "02/11/26"), None);
        assert_eq!(fixed_width_date("%d/%d/%Y", "02/11/2026"), None);
    }

    /// A plan reads no column that `reads_column` says the map does not (a line break in
    /// it would be read as a stray quote): for each shipped map, a header of every word the
    /// map writes gives a plan, and each foreign column the plan reads is one the map reads.
    #[test]
    fn every_column_a_plan_reads_is_one_the_map_reads() {
        let rules = crate::rules::bundled().unwrap();
        let bank = &rules.questions;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/maps");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        assert!(paths.len() >= 3, "{paths:?}");
        for path in paths {
            let map = Arc::new(Map::load(&path, bank).unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            let mut words = Vec::new();
            strings(&crate::yaml::from_str(&text).unwrap(), &mut words);
            let mut seen = HashSet::new();
            words.retain(|w| seen.insert(normalise(w)));
            let cells = words.iter().enumerate().map(|(i, w)| Cell {
                text: w.clone(),
                line: 1,
                column: i + 1,
            });
            let header = Row {
                line: 1,
                cells: cells.collect(),
            };
            let source = Source {
                name: "export.csv".into(),
                sheet: None,
            };
            let today = jiff::civil::date(2026, 1, 1);
            let plan = Plan::new(&header, &source, &map, bank, today, &mut Vec::new()).unwrap();
            let mut read = vec![plan.reference, plan.child];
            let one = [plan.factors, plan.date, plan.unborn, plan.birth];
            read.extend(one.into_iter().chain([plan.expected, plan.team]).flatten());
            read.extend(&plan.key);
            read.extend(plan.filters.iter().map(|f| f.0));
            for fill in &plan.fills {
                match fill {
                    Fill::Copy(i)
                    | Fill::Date(i)
                    | Fill::Level(i)
                    | Fill::Age(i)
                    | Fill::BirthDate(i)
                    | Fill::Unborn(Some(i)) => read.push(*i),
                    Fill::Answer(columns, _) => read.extend(columns),
                    Fill::Fixed(_) | Fill::Unborn(None) | Fill::Codes => {}
                }
            }
            for i in read {
                assert!(
                    map.reads_column(&words[i]),
                    "{}: the plan reads `{}`, which `reads_column` says the map does not",
                    path.display(),
                    words[i]
                );
            }
        }
    }

    /// A case read straight from its foreign cells (`Pending::quick`) is the case, and the
    /// row's codes, source, area, team and counts, that its rows give through our cells
    /// (`Pending::group`), over exports of good and bad cells, through the shipped census
    /// map and one that reads ages, areas and teams from columns.
    #[test]
    fn a_case_read_straight_from_foreign_cells_is_the_case_its_rows_give() {
        let rules = crate::rules::bundled().unwrap();
        let bank = &rules.questions;
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("own.yaml");
        std::fs::write(
            &own,
            "map: 1\ncolumns: {reference: Family, child_id: Child, age: Age, assessed_at: Date, area: Area, team: Team}\n\
             date_format: \"%d/%m/%Y\"\nrecorded_level: {column: Level, values: {NFA: 1, CIN: 3, CP: 4}}\n\
             factors: {column: Codes, codes: {3B: domestic_abuse, 7A: young_carer, 16A: basic_needs_unmet, 1B: adult_substance_misuse}, other_codes: [21]}\n",
        )
        .unwrap();
        let census = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/maps/cin-census.yaml");
        let codes: &[&str] = &[
            "",
            "3B",
            "\"3B,7A\"",
            "\"[\"\"3B\"\",\"\"21\"\"]\"",
            "\"{\"\"2B\"\":1}\"",
            "16A",
            "\"16A, 4A\"",
            "zz",
            "7a",
            "\"1B;21|10A\"",
            "\"15A,2A\"",
        ];
        let exports: [(&Path, &str, Vec<&[&str]>); 2] = [
            (
                &census,
                "FamilyID,LAchildID,PersonBirthDate,ReferralSource,AssessmentActualStartDate,AssessmentAuthorisationDate,AssessmentFactors,LocalLevel,ExpectedPersonBirthDate",
                vec![
                    &["F1", "F2", "F3", ""],
                    &["A", "B", "C", "", "A B"],
                    &[
                        "01/02/2015",
                        "2019-05-06",
                        "31/02/2020",
                        "",
                        "01/01/2027",
                        "15/03/2008",
                        "x",
                        "20/11/2026",
                        "01/06/2022",
                    ],
                    &["1A"],
                    &["01/10/2026"],
                    &["20/11/2026", "20/11/2026", "", "2026-11-20", "bad"],
                    codes,
                    &["", "CIN", "cp", "Early Help", "Level 9", "NFA"],
                    &["", "", "01/03/2027", "01/01/2026"],
                ],
            ),
            (
                &own,
                "Family,Child,Age,Date,Area,Team,Level,Codes",
                vec![
                    &["F1", "F2", ""],
                    &["A", "B", "C", ""],
                    &["3", "12", "", "17", "18", "x", "0"],
                    &["20/11/2026", "20/11/2026", "", "bad"],
                    &["salford", "salford", "trafford", ""],
                    &["East", "east ", "West", ""],
                    &["", "CIN", "cp", "Level 9"],
                    codes,
                ],
            ),
        ];
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut quick, mut read) = (0, 0);
        for (path, header, pools) in &exports {
            let map = Arc::new(Map::load(path, bank).unwrap());
            for _ in 0..1500 {
                let mut text = format!("{header}\n");
                for _ in 0..1 + next(5) {
                    let row: Vec<&str> = pools.iter().map(|pool| pool[next(pool.len())]).collect();
                    text += &row.join(",");
                    text.push('\n');
                }
                let source = Source {
                    name: "export.csv".into(),
                    sheet: None,
                };
                let reopen: Reopen = Box::new(move || {
                    let reader = Box::new(std::io::Cursor::new(text.clone()));
                    let records = crate::batch::csv::read_records(
                        "export.csv".into(),
                        reader,
                        Box::new(|_: &str| false),
                    );
                    Ok(Box::new(records) as Records)
                });
                let today = jiff::civil::date(2026, 12, 1);
                let mut cases =
                    MappedCases::new(source, reopen, &map, bank, today, &mut Vec::new());
                while let Some(item) = cases.next_item() {
                    let Mapped::Case(pending) = item else {
                        continue;
                    };
                    let fast = pending.quick(bank, &mut Moments::default());
                    let group = pending.group();
                    let slow = group.case(bank).map_err(|e| e.to_string());
                    read += usize::from(slow.is_ok());
                    let Some(fast) = fast else {
                        continue;
                    };
                    quick += 1;
                    assert_eq!(Ok(&fast.case), slow.as_ref(), "{}", fast.source);
                    assert_eq!(fast.codes, group.codes());
                    assert_eq!(fast.source, group.source());
                    assert_eq!((&*fast.name, fast.rows), (group.name(), group.rows()));
                    assert_eq!(Some(fast.reference.as_str()), group.reference());
                    assert_eq!(fast.area_at, group.area_at());
                    assert_eq!(fast.team.as_ref(), group.team());
                    assert_eq!(fast.filtered, group.filtered());
                }
            }
        }
        assert!(
            quick * 10 > read * 9 && quick > 500,
            "{quick} read straight of {read} read"
        );
    }

    /// Every key and string in a map's YAML, in order.
    fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) => out.push(text.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(fields) => {
                for (key, v) in fields {
                    out.push(key.clone());
                    strings(v, out);
                }
            }
            _ => {}
        }
    }
}
