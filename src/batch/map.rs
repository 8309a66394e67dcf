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
use super::csv::{Bad, Cell, Column, Group, Header, Row, Unit};
use crate::error::{Diagnostic, Location};
use crate::question::{About, Kind, QId, QuestionBank};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
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
    /// How dates are written (strftime, e.g. `%d/%m/%Y`); ISO `2026-11-24` is always read.
    #[serde(default)]
    date_format: Option<String>,
    #[serde(default)]
    recorded_level: Option<LevelMap>,
    /// The words that mean yes, no and unknown, for every question that gives none.
    #[serde(default)]
    answers: Option<Words>,
    #[serde(default)]
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
    /// Whether the child is not yet born, in the words of `answers:` (yes: unborn; no or
    /// blank: born). An unborn child's date of birth, if given, is the expected date and
    /// gives no age.
    #[serde(default)]
    unborn: Option<String>,
    #[serde(default)]
    assessed_at: Option<String>,
    #[serde(default)]
    area: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelMap {
    column: String,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionMap {
    column: String,
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
    codes: BTreeMap<String, String>,
}

/// A map that was read and checked against the question bank.
#[derive(Debug)]
pub struct Map {
    pub path: String,
    pub sha256: String,
    file: MapFile,
    /// Each mapped question: its column and the words for each answer.
    questions: Vec<(QId, String, Words)>,
    /// Factor codes (upper case) and the question each answers yes.
    codes: HashMap<String, QId>,
}

/// A header or a value as compared: letters and digits only, in lower case, so `Child ID`,
/// `child_id` and ` CHILD-ID ` are one.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Map {
    /// Whether the map reads the column `header` (an `ignore`d one it does not): a column
    /// it reads holds no line break (a CSV reader takes one there for a stray quote).
    pub fn reads_column(&self, header: &str) -> bool {
        let c = &self.file.columns;
        let level = self.file.recorded_level.as_ref().map(|l| &l.column);
        let factors = self.file.factors.as_ref().map(|f| &f.column);
        [&c.reference, &c.child_id]
            .into_iter()
            .chain(
                [&c.age, &c.date_of_birth, &c.unborn, &c.assessed_at, &c.area]
                    .into_iter()
                    .flatten(),
            )
            .chain(level.into_iter().chain(factors))
            .chain(self.file.questions.values().map(|q| &q.column))
            .any(|name| normalise(name) == normalise(header))
    }

    /// Read and check the map at `path`.
    pub fn load(path: &Path, bank: &QuestionBank) -> Result<Map, Diagnostic> {
        let name = path.display().to_string();
        let bytes = crate::files::read_limited(path, MAX_MAP_BYTES).map_err(|e| {
            Diagnostic::error(crate::error::Code::MapInvalid, &name, e)
                .help("check the path given to --map")
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| {
            Diagnostic::error(
                crate::error::Code::MapInvalid,
                &name,
                "the map is not valid UTF-8",
            )
            .help("save the map as UTF-8")
        })?;
        let file: MapFile = crate::yaml::from_str(&text).map_err(|e| {
            Diagnostic::error(
                crate::error::Code::MapInvalid,
                &name,
                crate::yaml::strip_position(&e.message),
            )
            .at(e.location)
            .help(MAP_HELP)
        })?;
        let at = |key: &str, value: &str| crate::case::find_field(&text, key, value, 0);
        let refuse = |message: String, location: Option<Location>| {
            Diagnostic::error(crate::error::Code::MapInvalid, &name, message)
                .at(location)
                .help(MAP_HELP)
        };
        if file.map != 1 {
            return Err(refuse(
                format!(
                    "`map: {}` is not a map version this tool reads (1)",
                    file.map
                ),
                at("map", &file.map.to_string()),
            ));
        }
        if file.columns.age.is_some() == file.columns.date_of_birth.is_some() {
            return Err(refuse(
                "the map needs exactly one of `columns: age` and `columns: date_of_birth`"
                    .to_string(),
                at("columns", ""),
            ));
        }
        if let Some(format) = &file.date_format
            && !format.contains('%')
        {
            return Err(refuse(
                format!("`date_format: {format}` has no `%` field (for example %d/%m/%Y)"),
                at("date_format", format),
            ));
        }
        if let Some(level) = &file.recorded_level {
            for (word, tier) in &level.values {
                if !(1..=4).contains(tier) {
                    return Err(refuse(
                        format!("recorded level `{word}` is {tier}: a level is 1 to 4"),
                        at(word, &tier.to_string()),
                    ));
                }
            }
        }
        let defaults = file.answers.clone().unwrap_or_default();
        if file.columns.unborn.is_some() && (defaults.yes.is_empty() || defaults.no.is_empty()) {
            return Err(refuse(
                "`columns: unborn` is read in the words of `answers:`, which gives none for yes or for no"
                    .into(),
                at("unborn", ""),
            ));
        }
        let question = |id: &str| {
            bank.get(id).ok_or_else(|| {
                let near = crate::error::nearest(id, bank.questions().map(|(_, q)| q.id.as_str()));
                let hint = near.map_or(String::new(), |n| format!(" (did you mean `{n}`?)"));
                refuse(format!("unknown question `{id}`{hint}"), at(id, ""))
            })
        };
        let mut questions = Vec::new();
        for (id, q) in &file.questions {
            let qid = question(id)?;
            let words = Words {
                yes: q.yes.clone().unwrap_or_else(|| defaults.yes.clone()),
                no: q.no.clone().unwrap_or_else(|| defaults.no.clone()),
                unknown: q
                    .unknown
                    .clone()
                    .unwrap_or_else(|| defaults.unknown.clone()),
            };
            let kind = bank.question(qid).kind;
            if kind == Kind::Yesno && words.yes.is_empty() && words.no.is_empty() {
                return Err(refuse(
                    format!("`{id}` has no words for yes or no, and `answers:` gives none"),
                    at(id, ""),
                ));
            }
            questions.push((qid, q.column.clone(), words));
        }
        let mut codes = HashMap::new();
        if let Some(factors) = &file.factors {
            for (code, id) in &factors.codes {
                let qid = question(id)?;
                if bank.question(qid).kind != Kind::Yesno {
                    return Err(refuse(
                        format!("code `{code}` names `{id}`, which is a count, not yes or no"),
                        at(code, id),
                    ));
                }
                codes.insert(code.trim().to_uppercase(), qid);
            }
        }
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
        })
    }
}

const MAP_HELP: &str = "docs/batch.md (`Reading a case system's export`) shows a map";

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
        match &self.sheet {
            Some(sheet) => format!("sheet `{sheet}`, cell {}{line}", column_letter(column)),
            None => format!("line {line}, column {column}"),
        }
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
    Unborn(usize),
    Answer(usize, usize),
    /// Only from factor codes.
    Codes,
}

/// A foreign table read through a map, one case (household) at a time.
pub struct MappedCases {
    items: std::vec::IntoIter<Unit>,
}

impl MappedCases {
    /// Read every record of a foreign table through `map`. The table is held whole (an
    /// export is grouped by household, and its rows need not be next to each other).
    pub fn new(
        source: Source,
        records: Vec<Result<Row, Bad>>,
        map: &Arc<Map>,
        bank: &QuestionBank,
        today: jiff::civil::Date,
        notes: &mut Vec<String>,
    ) -> MappedCases {
        let items = build(&source, records, map, bank, today, notes);
        MappedCases {
            items: items.into_iter(),
        }
    }

    pub fn next_item(&mut self) -> Option<Unit> {
        self.items.next()
    }
}

/// One foreign row, translated: our cells, why it was refused, and codes with no question.
struct Translated {
    row: Row,
    problem: Option<Diagnostic>,
    codes: Vec<String>,
    /// Household questions the row's codes answer yes.
    household_yes: Vec<QId>,
}

fn build(
    source: &Source,
    records: Vec<Result<Row, Bad>>,
    map: &Arc<Map>,
    bank: &QuestionBank,
    today: jiff::civil::Date,
    notes: &mut Vec<String>,
) -> Vec<Unit> {
    let name = &source.name;
    let mut records = records.into_iter();
    let header_row = match records.next() {
        None => return vec![failed(source, "the export is empty (no header row)", None)],
        Some(Err((_, error))) => {
            return vec![Unit::Failed {
                source: name.to_string(),
                error,
            }];
        }
        Some(Ok(row)) => row,
    };
    let plan = match Plan::new(&header_row, source, map, bank, notes) {
        Ok(plan) => Arc::new(plan),
        Err(mut error) => {
            if let Some(sheet) = &source.sheet {
                error.message = format!(
                    "{} (sheet `{sheet}`, row {})",
                    error.message, header_row.line
                );
            }
            return vec![Unit::Failed {
                source: name.to_string(),
                error,
            }];
        }
    };
    // Households in the order first met, with their rows; a row with no reference is a
    // case of its own, in its place.
    enum Slot {
        Household(String),
        Lone(Box<Unit>),
    }
    let mut order: Vec<Slot> = Vec::new();
    let mut households: HashMap<String, Vec<Translated>> = HashMap::new();
    for record in records {
        let (row, problem) = match record {
            Ok(row) => (row, None),
            Err((row, error)) => (row, Some(error)),
        };
        if problem.is_none() && row.cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        let translated = plan.translate(&row, problem, today);
        let reference = row
            .cells
            .get(plan.reference)
            .map(|c| c.text.clone())
            .unwrap_or_default();
        if reference.is_empty() {
            let line = row.line;
            let error = Diagnostic::error(
                crate::error::Code::CsvRows,
                &**name,
                format!(
                    "{} has no household reference (`{}`)",
                    source.cell(line, plan.reference + 1),
                    map.file.columns.reference
                ),
            )
            .at(Some(Location { line, column: 1 }))
            .help("give every row the reference of the household it belongs to");
            let group = Group::mapped(
                Arc::clone(name),
                Arc::clone(&plan.header),
                vec![translated.row],
                Some(translated.problem.unwrap_or(error)),
                String::new(),
                source.sheet.clone(),
                translated.codes,
            );
            order.push(Slot::Lone(Box::new(Unit::Case(group))));
            continue;
        }
        if !households.contains_key(&reference) {
            order.push(Slot::Household(reference.clone()));
        }
        households.entry(reference).or_default().push(translated);
    }
    order
        .into_iter()
        .filter_map(|slot| match slot {
            Slot::Lone(item) => Some(*item),
            Slot::Household(reference) => {
                let rows = households.remove(&reference)?;
                Some(Unit::Case(plan.group(source, reference, rows)))
            }
        })
        .collect()
}

fn failed(source: &Source, message: &str, at: Option<Location>) -> Unit {
    Unit::Failed {
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
    /// Our column of each question, by question.
    question_column: HashMap<QId, usize>,
    foreign_names: Vec<String>,
    /// Question ids, for messages.
    ids: HashMap<QId, String>,
    source: Source,
}

impl Plan {
    fn new(
        header: &Row,
        source: &Source,
        map: &Arc<Map>,
        bank: &QuestionBank,
        notes: &mut Vec<String>,
    ) -> Result<Plan, Diagnostic> {
        let names: Vec<String> = header
            .cells
            .iter()
            .map(|c| c.text.trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut used = vec![false; names.len()];
        let mut find = |wanted: &str, what: &str| -> Result<usize, Diagnostic> {
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
                    line: header.line,
                    column: 1,
                }))
                .help("rename one of the columns in the export, or name the other in the map"));
            }
            match found {
                Some(i) => {
                    used[i] = true;
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
                            map.path
                        ),
                    )
                    .at(Some(Location {
                        line: header.line,
                        column: 1,
                    }))
                    .help("correct the column's name in the map (case and spacing do not matter)"))
                }
            }
        };
        let c = &map.file.columns;
        let reference = find(&c.reference, "the household reference")?;
        let child = find(&c.child_id, "the child id")?;
        let mut columns = vec![Column::Reference, Column::ChildId];
        let mut our_names = vec![names[reference].clone(), names[child].clone()];
        let mut fills = vec![Fill::Copy(reference), Fill::Copy(child)];
        let mut date = None;
        if let Some(column) = &c.area {
            let i = find(column, "the area")?;
            columns.push(Column::Area);
            our_names.push(names[i].clone());
            fills.push(Fill::Copy(i));
        } else if let Some(area) = &map.file.area {
            columns.push(Column::Area);
            our_names.push("area".into());
            fills.push(Fill::Fixed(area.clone()));
        }
        if let Some(column) = &c.assessed_at {
            let i = find(column, "the assessment date")?;
            date = Some(i);
            columns.push(Column::AssessedAt);
            our_names.push(names[i].clone());
            fills.push(Fill::Date(i));
        }
        if let Some(level) = &map.file.recorded_level {
            let i = find(&level.column, "the recorded level")?;
            columns.push(Column::RecordedLevel);
            our_names.push(names[i].clone());
            fills.push(Fill::Level(i));
        }
        if let Some(column) = &c.age {
            let i = find(column, "the age")?;
            columns.push(Column::ChildAge);
            our_names.push(names[i].clone());
            fills.push(Fill::Age(i));
        }
        if let Some(column) = &c.date_of_birth {
            let i = find(column, "the date of birth")?;
            columns.push(Column::ChildAge);
            our_names.push(names[i].clone());
            fills.push(Fill::BirthDate(i));
        }
        let mut unborn = None;
        if let Some(column) = &c.unborn {
            let i = find(column, "whether the child is unborn")?;
            unborn = Some(i);
            columns.push(Column::ChildUnborn);
            our_names.push(names[i].clone());
            fills.push(Fill::Unborn(i));
        }
        let mut question_column = HashMap::new();
        for (index, (q, column, _)) in map.questions.iter().enumerate() {
            let i = find(column, &format!("the answer to `{}`", bank.name(*q)))?;
            question_column.insert(*q, columns.len());
            columns.push(Column::Question(*q, bank.question(*q).about));
            our_names.push(names[i].clone());
            fills.push(Fill::Answer(i, index));
        }
        let factors = match &map.file.factors {
            Some(f) => Some(find(&f.column, "the factor codes")?),
            None => None,
        };
        let mut coded: Vec<QId> = map.codes.values().copied().collect();
        coded.sort_by_key(|q| q.0);
        coded.dedup();
        for q in coded {
            if question_column.contains_key(&q) {
                continue;
            }
            question_column.insert(q, columns.len());
            columns.push(Column::Question(q, bank.question(q).about));
            our_names.push(bank.name(q).to_string());
            fills.push(Fill::Codes);
        }
        for ignored in &map.file.ignore {
            let key = normalise(ignored);
            for (i, n) in names.iter().enumerate() {
                if normalise(n) == key {
                    used[i] = true;
                }
            }
        }
        let unused: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| !used[*i] && !n.trim().is_empty())
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
        Ok(Plan {
            map: Arc::clone(map),
            header: Arc::new(Header::mapped(columns, our_names)),
            fills,
            reference,
            factors,
            date,
            unborn,
            ids: question_column
                .keys()
                .map(|q| (*q, bank.name(*q).to_string()))
                .collect(),
            question_column,
            foreign_names: names,
            source: source.clone(),
        })
    }

    fn translate(
        &self,
        row: &Row,
        problem: Option<Diagnostic>,
        today: jiff::civil::Date,
    ) -> Translated {
        let mut problem = problem;
        let blank = Cell {
            text: String::new(),
            line: row.line,
            column: 1,
        };
        let cell = |i: usize| {
            row.cells.get(i).cloned().unwrap_or(Cell {
                column: i + 1,
                ..blank.clone()
            })
        };
        let mut codes = Vec::new();
        let mut household_yes = Vec::new();
        // "`D.O.B.` is `31/02/2020` at line 4, column 3": a foreign cell, for a refusal.
        let is = |i: usize, c: &Cell| {
            format!(
                "`{}` is `{}` at {}",
                self.foreign_names[i],
                c.text,
                self.place(c)
            )
        };
        // The first problem of the row refuses its case; the cell is left blank.
        let refuse = |problem: &mut Option<Diagnostic>, at: Cell, message: String, help: &str| {
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
        };
        let map = &self.map;
        let date_format = map.file.date_format.as_deref();
        let not_a_date = |problem: &mut Option<Diagnostic>, i: usize, c: Cell| {
            let message = format!(
                "{}: not a date written {}",
                is(i, &c),
                date_format.unwrap_or("%Y-%m-%d")
            );
            refuse(
                problem,
                c,
                message,
                "correct the date, or `date_format:` in the map",
            )
        };
        let assessed = self
            .date
            .map(&cell)
            .and_then(|c| parse_date(&c.text, date_format));
        let words = map.file.answers.clone().unwrap_or_default();
        // Yes, no (blank is no), or a word the map does not give.
        let unborn_word = |c: &Cell| {
            let key = normalise(&c.text);
            let one_of = |list: &[String]| list.iter().any(|w| normalise(w) == key);
            if c.text.is_empty() || one_of(&words.no) {
                Some(false)
            } else if one_of(&words.yes) {
                Some(true)
            } else {
                None
            }
        };
        let unborn = self.unborn.map(&cell).and_then(|c| unborn_word(&c)) == Some(true);
        let mut cells = Vec::with_capacity(self.fills.len());
        for fill in &self.fills {
            let out = match fill {
                Fill::Copy(i) => cell(*i),
                Fill::Fixed(text) => Cell {
                    text: text.clone(),
                    ..blank.clone()
                },
                Fill::Date(i) => {
                    let c = cell(*i);
                    if c.text.is_empty() {
                        c
                    } else if let Some(date) = parse_date(&c.text, date_format) {
                        Cell {
                            text: format!("{date}T12:00"),
                            ..c
                        }
                    } else {
                        not_a_date(&mut problem, *i, c)
                    }
                }
                Fill::Level(i) => {
                    let c = cell(*i);
                    let level = map.file.recorded_level.as_ref();
                    let key = normalise(&c.text);
                    let found = level.and_then(|l| {
                        l.values
                            .iter()
                            .find(|(w, _)| normalise(w) == key)
                            .map(|(_, t)| *t)
                    });
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
                                is(*i, &c),
                                map.path,
                                known.join(", ")
                            );
                            refuse(
                                &mut problem,
                                c,
                                message,
                                "add the value to `recorded_level: values:` in the map; it is never guessed",
                            )
                        }
                    }
                }
                Fill::Age(i) => cell(*i),
                Fill::BirthDate(i) => {
                    let c = cell(*i);
                    let at = assessed.unwrap_or(today);
                    match parse_date(&c.text, date_format) {
                        _ if c.text.is_empty() => c,
                        // The expected date of an unborn child: no age.
                        Some(due) if unborn && due > at => Cell {
                            text: String::new(),
                            ..c
                        },
                        Some(born) if born <= at && unborn => {
                            let message = format!(
                                "{}, on or before the assessment date {at}, but the child is recorded as unborn",
                                is(*i, &c)
                            );
                            refuse(
                                &mut problem,
                                c,
                                message,
                                "correct the date of birth, or the unborn column",
                            )
                        }
                        Some(born) if born <= at => {
                            let years = born
                                .until((jiff::Unit::Year, at))
                                .map(|s| s.get_years())
                                .unwrap_or_default();
                            Cell {
                                text: years.to_string(),
                                ..c
                            }
                        }
                        Some(_) => {
                            let message = format!("{}: after the assessment date {at}", is(*i, &c));
                            refuse(
                                &mut problem,
                                c,
                                message,
                                "correct the date; for an unborn child, map a column saying so (`columns: unborn`)",
                            )
                        }
                        None => not_a_date(&mut problem, *i, c),
                    }
                }
                Fill::Unborn(i) => {
                    let c = cell(*i);
                    match unborn_word(&c) {
                        Some(yes) => Cell {
                            text: if yes { "yes" } else { "no" }.to_string(),
                            ..c
                        },
                        None => {
                            let message = format!(
                                "{}, which the map {} does not give (unborn: {}; born: {} or blank)",
                                is(*i, &c),
                                map.path,
                                shown(&words.yes),
                                shown(&words.no),
                            );
                            refuse(
                                &mut problem,
                                c,
                                message,
                                "add the value to `answers:` in the map; it is never guessed",
                            )
                        }
                    }
                }
                Fill::Answer(i, index) => {
                    let c = cell(*i);
                    let (q, _, words) = &map.questions[*index];
                    let key = normalise(&c.text);
                    let one_of = |list: &[String]| list.iter().any(|w| normalise(w) == key);
                    let text = if c.text.is_empty() || one_of(&words.unknown) {
                        Some("unknown".to_string())
                    } else if one_of(&words.yes) {
                        Some("yes".to_string())
                    } else if one_of(&words.no) {
                        Some("no".to_string())
                    } else if c.text.parse::<u32>().is_ok() {
                        Some(c.text.clone())
                    } else {
                        None
                    };
                    match text {
                        Some(_) if c.text.is_empty() => Cell {
                            text: String::new(),
                            ..c
                        },
                        Some(text) => Cell { text, ..c },
                        None => {
                            let message = format!(
                                "{}, which the map {} does not give for `{}` (yes: {}; no: {}; unknown: {})",
                                is(*i, &c),
                                map.path,
                                self.header_name(*q),
                                shown(&words.yes),
                                shown(&words.no),
                                shown(&words.unknown),
                            );
                            refuse(
                                &mut problem,
                                c,
                                message,
                                "add the value to the question's words in the map; it is never guessed",
                            )
                        }
                    }
                }
                Fill::Codes => Cell {
                    text: String::new(),
                    ..self.factors.map_or(blank.clone(), &cell)
                },
            };
            cells.push(out);
        }
        if let Some(i) = self.factors {
            let c = cell(i);
            for code in c
                .text
                .split(|ch: char| ch == ',' || ch == ';' || ch == '|' || ch.is_whitespace())
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match map.codes.get(&code.to_uppercase()) {
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
        }
        Translated {
            row: Row {
                line: row.line,
                cells,
            },
            problem,
            codes,
            household_yes,
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

    /// One household's rows as one case: household questions that a child's codes answer
    /// yes are yes for the household (the union over its children).
    fn group(&self, source: &Source, reference: String, mut rows: Vec<Translated>) -> Group {
        let yes: Vec<QId> = rows.iter().flat_map(|r| r.household_yes.clone()).collect();
        for q in yes {
            let column = self.question_column[&q];
            for row in &mut rows {
                let cell = &mut row.row.cells[column];
                if cell.text.is_empty() || cell.text == "unknown" {
                    cell.text = "yes".into();
                }
            }
        }
        let problem = rows.iter_mut().find_map(|r| r.problem.take());
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
            problem,
            reference,
            source.sheet.clone(),
            codes,
        )
    }
}

fn shown(words: &[String]) -> String {
    if words.is_empty() {
        "none".into()
    } else {
        words.join(", ")
    }
}

/// A date as the map says it is written, or as ISO `2026-11-24` (what a workbook's own
/// date cells are read as).
fn parse_date(text: &str, format: Option<&str>) -> Option<jiff::civil::Date> {
    let text = text.trim();
    if let Some(format) = format {
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
        super::Format::Csv => {
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
    fn spreadsheet_columns_have_letters() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
        assert_eq!(column_letter(703), "AAA");
    }

    #[test]
    fn dates_are_read_as_the_map_says_or_as_iso() {
        let d = jiff::civil::date(2026, 11, 2);
        assert_eq!(parse_date("02/11/2026", Some("%d/%m/%Y")), Some(d));
        assert_eq!(parse_date("2026-11-02", Some("%d/%m/%Y")), Some(d));
        assert_eq!(parse_date("2026-11-02 00:00:00", None), Some(d));
        assert_eq!(parse_date("11/02/2026x", Some("%d/%m/%Y")), None);
        assert_eq!(parse_date("31/02/2026", Some("%d/%m/%Y")), None);
    }
}
