//! CSV exports (SPEC section 7): a header `reference, area, assessed_at, recorded_level,
//! child_id, child_age, child_unborn` then one column per question id, and one row per
//! child. The rows of a case are next to each other (as any export sorted by reference
//! gives them): a case is read when its last row is, so a file of any length streams.
//!
//! The records are read here rather than with the csv crate because every error names the
//! line and column of the cell at fault, and the crate does not give a cell's column. Each
//! row is read into a case through the case file's own deserializer (`Case: Deserialize`),
//! so an answer or an age is checked, and refused, in exactly the words of a case file.

use super::input::{Item, read_line, text_of, too_large};
use crate::case::{Case, MAX_CASE_BYTES};
use crate::error::{Code, Diagnostic, Location};
use crate::question::{About, QId, QuestionBank};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;
use std::sync::Arc;

/// One cell, trimmed, and where it starts (1-based line and character column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// One record: the line it starts on and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    fn at(&self) -> Location {
        Location {
            line: self.line,
            column: 1,
        }
    }

    fn size(&self) -> usize {
        self.cells.iter().map(|c| c.text.len() + 1).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Reference,
    Area,
    AssessedAt,
    RecordedLevel,
    RecordedReason,
    ChildId,
    ChildAge,
    ChildUnborn,
    Question(QId, About),
}

const FIXED: [(&str, Column); 8] = [
    ("reference", Column::Reference),
    ("area", Column::Area),
    ("assessed_at", Column::AssessedAt),
    ("recorded_level", Column::RecordedLevel),
    ("recorded_reason", Column::RecordedReason),
    ("child_id", Column::ChildId),
    ("child_age", Column::ChildAge),
    ("child_unborn", Column::ChildUnborn),
];

/// The columns of a file, in order, with their names as written.
#[derive(Debug)]
pub struct Header {
    columns: Vec<Column>,
    names: Vec<String>,
    reference: usize,
}

impl Header {
    fn read(row: &Row, name: &str, bank: &QuestionBank) -> Result<Header, Diagnostic> {
        let mut columns = Vec::new();
        let mut names: Vec<String> = Vec::new();
        // Every problem in the header at once (where, what, what to do), not one a run.
        let mut problems: Vec<(Location, String, &str)> = Vec::new();
        for cell in &row.cells {
            let at = Location {
                line: cell.line,
                column: cell.column,
            };
            match column_named(&cell.text, bank) {
                Err(message) => problems.push((at, message, COLUMNS_HELP)),
                Ok(_) if names.contains(&cell.text) => problems.push((
                    at,
                    format!("the column `{}` is in the header twice", cell.text),
                    "keep one column of each name",
                )),
                Ok(column) => {
                    columns.push(column);
                    names.push(cell.text.clone());
                }
            }
        }
        for needed in ["reference", "child_id"] {
            if !names.iter().any(|n| n == needed) {
                problems.push((
                    row.at(),
                    format!("the header has no `{needed}` column"),
                    COLUMNS_HELP,
                ));
            }
        }
        match problems.as_slice() {
            [] => {}
            [(at, message, help)] => {
                return Err(Diagnostic::error(
                    crate::error::Code::CsvHeader,
                    name,
                    message.clone(),
                )
                .at(Some(*at))
                .help(*help));
            }
            [(first, ..), ..] => {
                let all: Vec<String> = problems
                    .iter()
                    .map(|(at, message, _)| format!("column {}: {message}", at.column))
                    .collect();
                return Err(Diagnostic::error(
                    crate::error::Code::CsvHeader,
                    name,
                    format!(
                        "{} problems in the header: {}",
                        problems.len(),
                        all.join("; ")
                    ),
                )
                .at(Some(*first))
                .help(COLUMNS_HELP));
            }
        }
        let reference = columns.iter().position(|c| *c == Column::Reference);
        Ok(Header {
            columns,
            names,
            reference: reference.unwrap_or_default(),
        })
    }

    /// The header of a foreign export read through a map (`map.rs`): our columns, named
    /// as the export names them. The household reference is the first.
    pub fn mapped(columns: Vec<Column>, names: Vec<String>) -> Header {
        let reference = columns.iter().position(|c| *c == Column::Reference);
        Header {
            columns,
            names,
            reference: reference.unwrap_or_default(),
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    fn index(&self, column: Column) -> Option<usize> {
        self.columns.iter().position(|c| *c == column)
    }
}

const COLUMNS_HELP: &str = "the columns are reference, area, assessed_at, recorded_level, \
    child_id, child_age, child_unborn, then question ids (the README lists them)";

fn column_named(name: &str, bank: &QuestionBank) -> Result<Column, String> {
    if let Some((_, column)) = FIXED.iter().find(|(n, _)| *n == name) {
        return Ok(*column);
    }
    if let Some(q) = bank.get(name) {
        return Ok(Column::Question(q, bank.question(q).about));
    }
    let known = FIXED
        .iter()
        .map(|(n, _)| *n)
        .chain(bank.questions().map(|(_, q)| q.id.as_str()));
    Err(match crate::error::nearest(name, known) {
        Some(near) => format!("unknown column `{name}` (did you mean `{near}`?)"),
        None => format!("unknown column `{name}`"),
    })
}

/// The rows of one case, as read; turned into a case by a worker.
pub struct Group {
    name: Arc<str>,
    header: Arc<Header>,
    rows: Vec<Row>,
    /// Found while reading: the case is refused with this.
    problem: Option<Diagnostic>,
    reference: String,
    /// The sheet of a workbook the rows are on: errors then name the cell (`C5`).
    sheet: Option<Arc<str>>,
    /// Factor codes of a mapped export that no question takes.
    codes: Vec<String>,
    /// Read through a map: a refusal points at the foreign cell.
    mapped: bool,
}

impl Group {
    /// A case of a foreign export, its rows translated to our columns (`map.rs`).
    pub fn mapped(
        name: Arc<str>,
        header: Arc<Header>,
        rows: Vec<Row>,
        problem: Option<Diagnostic>,
        reference: String,
        sheet: Option<Arc<str>>,
        codes: Vec<String>,
    ) -> Group {
        Group {
            name,
            header,
            rows,
            problem,
            reference,
            sheet,
            codes,
            mapped: true,
        }
    }

    /// Factor codes of the case that no question takes (a mapped export only).
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// The file it is in.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the case is: the file and the line of its first row.
    pub fn source(&self) -> String {
        format!("{}:{}", self.name, self.rows[0].line)
    }

    pub fn reference(&self) -> Option<&str> {
        (!self.reference.is_empty()).then_some(self.reference.as_str())
    }

    pub fn size(&self) -> usize {
        self.rows.iter().map(Row::size).sum()
    }

    /// Where the case's `area` is written (for an unknown area).
    pub fn area_at(&self) -> Option<Location> {
        let index = self.header.index(Column::Area)?;
        self.rows[0].cells.get(index).map(|c| Location {
            line: c.line,
            column: c.column,
        })
    }

    /// The case its rows describe, or why they do not describe one.
    pub fn case(&self, bank: &Arc<QuestionBank>) -> Result<Case, Diagnostic> {
        self.read_case(bank).map_err(|mut error| {
            if let (Some(sheet), Some(at)) = (&self.sheet, error.location)
                && !error.message.contains("sheet `")
            {
                let cell = super::map::column_letter(at.column);
                error.message = format!(
                    "{} (sheet `{sheet}`, cell {cell}{})",
                    error.message, at.line
                );
            }
            error
        })
    }

    fn read_case(&self, bank: &Arc<QuestionBank>) -> Result<Case, Diagnostic> {
        if let Some(problem) = &self.problem {
            return Err(problem.clone());
        }
        let mut case: Option<Case> = None;
        for row in &self.rows {
            let next = self.row_case(row, bank)?;
            match &mut case {
                None => case = Some(next),
                Some(case) => self.merge(case, next, row)?,
            }
        }
        let case = case.ok_or_else(|| {
            Diagnostic::error(
                crate::error::Code::CsvRows,
                &*self.name,
                "a case with no rows",
            )
        })?;
        // An answer that cannot apply is refused here too, at the case's first row.
        crate::case::applies(&case, bank, "", &self.name).map_err(|e| {
            let at = match self.mapped || self.sheet.is_some() {
                true => self.answer_at(&e.message, bank),
                false => None,
            };
            e.at(at.or_else(|| self.rows.first().map(Row::at)))
        })?;
        Ok(case)
    }

    /// In a mapped export, the cell of the answer a refusal names (`` `id` is answered``):
    /// the first row that gives it.
    fn answer_at(&self, message: &str, bank: &QuestionBank) -> Option<Location> {
        let index = self.header.columns.iter().position(|c| {
            matches!(c, Column::Question(q, _) if message.contains(&format!("`{}` is answered", bank.name(*q))))
        })?;
        let cell = self
            .rows
            .iter()
            .map(|r| &r.cells[index])
            .find(|c| !c.text.is_empty())?;
        Some(Location {
            line: cell.line,
            column: cell.column,
        })
    }

    fn error(&self, code: Code, at: Location, message: String, help: &str) -> Diagnostic {
        Diagnostic::error(code, &*self.name, message)
            .at(Some(at))
            .help(help)
    }

    /// One row read as a case of its own: the household and at most one child.
    fn row_case(&self, row: &Row, bank: &Arc<QuestionBank>) -> Result<Case, Diagnostic> {
        self.check_shape(row)?;
        let read = |only: Option<usize>| {
            crate::question::with_bank(bank, || {
                Case::deserialize(row_value(&self.header, row, only, bank))
            })
        };
        read(None).map_err(|e| {
            // The first bad cell in column order, and that cell's own message: with two bad
            // cells, the place and the words are about the same one.
            let first_bad = (0..row.cells.len())
                .filter(|i| !row.cells[*i].text.is_empty())
                .find_map(|i| read(Some(i)).err().map(|e| (i, e)));
            let (cell, e) = match first_bad {
                Some((i, cell_error)) => (Some(i), cell_error),
                None => (self.header.index(Column::ChildId), e),
            };
            let at = cell
                .and_then(|i| row.cells.get(i))
                .map_or(row.at(), |c| Location {
                    line: c.line,
                    column: c.column,
                });
            let (code, message) =
                crate::yaml::parser_code(&crate::yaml::strip_position(&e.to_string()));
            self.error(
                code.unwrap_or(Code::CsvRows),
                at,
                message,
                "fix the cell; the README shows the CSV columns and answers",
            )
        })
    }

    /// What no case file can get wrong: the number of cells, a child's cells on a row
    /// with no child, and `child_unborn`, which is a yes or no here rather than `true`.
    fn check_shape(&self, row: &Row) -> Result<(), Diagnostic> {
        let want = self.header.columns.len();
        if row.cells.len() != want {
            return Err(self.error(
                Code::CsvRows,
                row.at(),
                format!(
                    "line {} has {} cells, but the header has {want} columns",
                    row.line,
                    row.cells.len()
                ),
                "check for a missing or extra comma, or a comma in a cell that is not in quotes",
            ));
        }
        let child_id = self.header.index(Column::ChildId).map(|i| &row.cells[i]);
        let no_child = child_id.is_none_or(|c| c.text.is_empty());
        for (column, cell) in self.header.columns.iter().zip(&row.cells) {
            let at = Location {
                line: cell.line,
                column: cell.column,
            };
            let about_child = matches!(
                column,
                Column::ChildAge | Column::ChildUnborn | Column::Question(_, About::Child)
            );
            if no_child && about_child && !cell.text.is_empty() {
                return Err(self.error(Code::CsvRows,
                    at,
                    format!("line {} has a child's answers but no `child_id`", row.line),
                    "give the child's label in `child_id`, or leave the child's columns empty on a row for the household alone",
                ));
            }
            if *column == Column::ChildUnborn && unborn(&cell.text).is_none() {
                return Err(self.error(
                    Code::CaseAge,
                    at,
                    format!(
                        "`child_unborn` is `{}`: write yes, or no (or leave it empty)",
                        cell.text
                    ),
                    "an unborn child has `child_unborn` yes and an empty `child_age`",
                ));
            }
        }
        Ok(())
    }

    /// Add a later row's child to the case, after checking that its household columns
    /// say what the first row's say.
    fn merge(&self, case: &mut Case, next: Case, row: &Row) -> Result<(), Diagnostic> {
        if let Some(column) = first_difference(case, &next) {
            return Err(self.disagreement(column, row));
        }
        for child in next.children {
            if case.children.iter().any(|c| c.id == child.id) {
                let index = self.header.index(Column::ChildId).unwrap_or_default();
                let cell = &row.cells[index];
                return Err(self.error(
                    Code::CaseChild,
                    Location {
                        line: cell.line,
                        column: cell.column,
                    },
                    format!("two children have the id `{}`", child.id),
                    "give each child its own label",
                ));
            }
            case.children.push(child);
        }
        Ok(())
    }

    fn disagreement(&self, column: Column, row: &Row) -> Diagnostic {
        let index = self.header.index(column).unwrap_or_default();
        let shown = |row: &Row| match row.cells[index].text.as_str() {
            "" => "empty".to_string(),
            text => format!("`{text}`"),
        };
        let first = &self.rows[0];
        let cell = &row.cells[index];
        self.error(
            Code::CsvRows,
            Location {
                line: cell.line,
                column: cell.column,
            },
            format!(
                "the rows of case `{}` disagree: `{}` is {} on line {} but {} on line {}",
                self.reference,
                self.header.names[index],
                shown(first),
                first.line,
                shown(row),
                row.line
            ),
            "a case's household columns (area, assessed_at, recorded_level and the household \
             questions) must be the same on each of its rows",
        )
    }
}

/// The first household column on which two rows' cases differ.
fn first_difference(case: &Case, next: &Case) -> Option<Column> {
    if case.area != next.area {
        return Some(Column::Area);
    }
    if case.assessed_at != next.assessed_at {
        return Some(Column::AssessedAt);
    }
    if case.recorded_level != next.recorded_level {
        return Some(Column::RecordedLevel);
    }
    if case.recorded_reason != next.recorded_reason {
        return Some(Column::RecordedReason);
    }
    (0..case.answers.0.len().max(next.answers.0.len()))
        .map(|i| QId(i as u16))
        .find(|q| case.answers.get(*q) != next.answers.get(*q))
        .map(|q| Column::Question(q, About::Household))
}

/// `child_unborn` as written: yes or no (and their usual spellings); empty is no.
fn unborn(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "true" | "y" | "1" => Some(true),
        "no" | "false" | "n" | "0" | "" => Some(false),
        _ => None,
    }
}

/// A whole number as a number (ages and tiers are numbers in a case file); anything else
/// as text, for the case file's deserializer to refuse in its own words.
fn number_or_text(text: &str) -> Value {
    text.parse::<i64>()
        .map_or_else(|_| Value::from(text), Value::from)
}

/// A row as a case file's object. With `only`, just that cell, inside the least case that
/// is otherwise valid: used to find which cell a row's error is in.
fn row_value(header: &Header, row: &Row, only: Option<usize>, bank: &QuestionBank) -> Value {
    let mut case = Map::new();
    let mut answers = Map::new();
    let mut child = Map::new();
    let mut child_answers = Map::new();
    case.insert("schema".into(), Value::from(1));
    for (index, (column, cell)) in header.columns.iter().zip(&row.cells).enumerate() {
        if only.is_some_and(|o| o != index) || cell.text.is_empty() {
            continue;
        }
        let text = cell.text.as_str();
        let (map, key, value) = match column {
            Column::Reference => (&mut case, "reference", Value::from(text)),
            Column::Area => (&mut case, "area", Value::from(text)),
            Column::AssessedAt => (&mut case, "assessed_at", Value::from(text)),
            Column::RecordedLevel => (&mut case, "recorded_level", number_or_text(text)),
            Column::RecordedReason => (&mut case, "recorded_reason", Value::from(text)),
            Column::ChildId => (&mut child, "id", Value::from(text)),
            Column::ChildAge => (&mut child, "age", number_or_text(text)),
            Column::ChildUnborn => (
                &mut child,
                "unborn",
                Value::from(unborn(text) == Some(true)),
            ),
            Column::Question(q, About::Household) => {
                (&mut answers, bank.name(*q), Value::from(text))
            }
            Column::Question(q, About::Child) => {
                (&mut child_answers, bank.name(*q), Value::from(text))
            }
        };
        map.insert(key.into(), value);
    }
    if !answers.is_empty() {
        case.insert("answers".into(), Value::Object(answers));
    }
    if !child_answers.is_empty() {
        child.insert("answers".into(), Value::Object(child_answers));
    }
    if !child.is_empty() {
        if only.is_some() {
            child.entry("id").or_insert_with(|| Value::from("A"));
            if child.get("unborn") != Some(&Value::Bool(true)) {
                child.entry("age").or_insert_with(|| Value::from(0));
            }
        }
        case.insert("children".into(), Value::Array(vec![Value::Object(child)]));
    }
    Value::Object(case)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a cell.
    Start,
    Unquoted,
    Quoted,
    /// Just after a `"` inside a quoted cell: the cell's end, or the first of `""`.
    QuoteInQuoted,
    /// After a quoted cell's closing quote: only spaces may follow before the comma.
    Closed,
}

/// The most lines one record may span (quoted cells may hold line breaks), in general.
pub const MAX_RECORD_LINES: usize = 32;
/// The most characters one quoted cell may hold.
pub const MAX_QUOTED_CHARS: usize = 64 * 1024;

/// Reads records (RFC 4180: commas, cells optionally in double quotes with `""` for a
/// quote, LF or CRLF line ends, quoted cells may span lines) with where each cell starts.
///
/// A stray quote must not swallow the rest of the export: a quoted cell is bounded
/// (`max_lines`, `MAX_QUOTED_CHARS`, the end of the file). Past a bound the record is
/// refused at its opening quote, and the lines it took after its first are read again as
/// records of their own, so every later case still gets its row. An export's reader
/// allows one line (no column of an export can hold a line break, so a quote left open
/// at a line end is always a mistake, and nothing after it is lost).
struct Records<'a> {
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    /// The most lines one record may span.
    max_lines: usize,
    /// Lines read so far.
    line: usize,
    /// Lines to read again before the reader (after a runaway quoted cell), with the
    /// bytes each consumed.
    replay: std::collections::VecDeque<(Vec<u8>, usize)>,
    /// Records already read (a sheet of a workbook): given instead of the reader's.
    given: Option<std::collections::VecDeque<Result<Row, Bad>>>,
}

/// Every record of a CSV export (one line each), for a map to read (`map.rs`).
pub fn read_records<'a>(name: Arc<str>, reader: Box<dyn BufRead + 'a>) -> Vec<Result<Row, Bad>> {
    let mut records = Records {
        max_lines: 1,
        ..Records::new(name, reader)
    };
    std::iter::from_fn(|| records.next_row()).collect()
}

/// A record that could not be read whole: the cells read so far and why.
pub type Bad = (Row, Diagnostic);

impl<'a> Records<'a> {
    fn new(name: Arc<str>, reader: Box<dyn BufRead + 'a>) -> Self {
        Records {
            name,
            reader,
            max_lines: MAX_RECORD_LINES,
            line: 0,
            replay: std::collections::VecDeque::new(),
            given: None,
        }
    }

    /// The next physical line into `bytes` (kept to the case limit and a byte): from the
    /// lines to read again, else the reader. Returns the bytes it consumed.
    fn next_line(&mut self, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
        if let Some((line, consumed)) = self.replay.pop_front() {
            *bytes = line;
            return Ok(consumed);
        }
        read_line(&mut *self.reader, bytes, MAX_CASE_BYTES + 1)
    }

    /// Refuse the record whose quoted cell `cell` never closed, and give back the lines
    /// it took after its first (`held`) to be read again.
    fn runaway(
        &mut self,
        mut row: Row,
        cell: Cell,
        held: Vec<(Vec<u8>, usize)>,
        why: &str,
    ) -> Option<Result<Row, Bad>> {
        let error = Diagnostic::error(
            crate::error::Code::CsvSyntax,
            &*self.name,
            format!(
                "a quoted cell starting at line {}, column {} is not closed {why}",
                cell.line, cell.column
            ),
        )
        .at(Some(Location {
            line: cell.line,
            column: cell.column,
        }))
        .help(
            "end the cell with `\"` (write a quote inside a cell as `\"\"`); the lines \
             after this one are read as rows of their own",
        );
        self.line -= held.len();
        for line in held.into_iter().rev() {
            self.replay.push_front(line);
        }
        row.cells.push(Cell {
            text: String::new(),
            ..cell
        });
        Some(Err((row, error)))
    }

    /// The next record that is not a blank line; `None` at the end of the file.
    fn next_row(&mut self) -> Option<Result<Row, Bad>> {
        if let Some(given) = &mut self.given {
            return given.pop_front();
        }
        let mut row = Row {
            line: self.line + 1,
            cells: Vec::new(),
        };
        let mut cell = Cell {
            text: String::new(),
            line: row.line,
            column: 1,
        };
        let mut state = State::Start;
        let mut problem = None;
        let mut bytes = Vec::new();
        // The lines of this record after its first, kept while it spans lines, to be
        // read again if a quoted cell turns out never to close.
        let mut held: Vec<(Vec<u8>, usize)> = Vec::new();
        let mut spanning = false;
        loop {
            bytes.clear();
            let read = self.next_line(&mut bytes);
            if spanning && let Ok(consumed) = &read {
                if *consumed == 0 {
                    return self.runaway(row, cell, held, "by the end of the file");
                }
                held.push((bytes.clone(), *consumed));
                if *consumed > MAX_CASE_BYTES {
                    self.line += 1;
                    let why = format!("within {MAX_QUOTED_CHARS} characters");
                    return self.runaway(row, cell, held, &why);
                }
                if held.len() >= self.max_lines {
                    self.line += 1;
                    let why = match self.max_lines {
                        1 => "on its line (no cell of an export holds a line break)".to_string(),
                        n => format!("within {n} lines"),
                    };
                    return self.runaway(row, cell, held, &why);
                }
            }
            match read {
                Ok(0) => return None,
                Ok(read) if read > MAX_CASE_BYTES => {
                    self.line += 1;
                    return Some(Err((
                        row,
                        too_large(&self.name, self.line, &format!("line {}", self.line)),
                    )));
                }
                Ok(_) => self.line += 1,
                Err(e) => {
                    let error = Diagnostic::error(
                        crate::error::Code::CaseRead,
                        &*self.name,
                        format!("cannot read: {e}"),
                    );
                    return Some(Err((row, error)));
                }
            }
            let text = match text_of(&bytes, &self.name, self.line) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(error) => {
                    problem.get_or_insert(error);
                    String::from_utf8_lossy(&bytes)
                }
            };
            let content = text.strip_suffix('\n').unwrap_or(&text);
            let content = content.strip_suffix('\r').unwrap_or(content);
            if content.trim().is_empty() && state == State::Start && row.cells.is_empty() {
                row.line = self.line + 1;
                cell.line = row.line;
                continue;
            }
            if let Err(error) = self.scan(content, &mut row, &mut cell, &mut state) {
                problem.get_or_insert(error);
                break;
            }
            if state == State::Quoted && cell.text.chars().count() > MAX_QUOTED_CHARS {
                let why = format!("within {MAX_QUOTED_CHARS} characters");
                return self.runaway(row, cell, held, &why);
            }
            if state != State::Quoted {
                break;
            }
            spanning = true;
            cell.text.push('\n');
        }
        finish_cell(&mut row, cell);
        Some(match problem {
            Some(error) => Err((row, error)),
            None => Ok(row),
        })
    }

    /// Read one physical line's characters into the record.
    fn scan(
        &self,
        content: &str,
        row: &mut Row,
        cell: &mut Cell,
        state: &mut State,
    ) -> Result<(), Diagnostic> {
        for (index, ch) in content.chars().enumerate() {
            let column = index + 1;
            *state = match (*state, ch) {
                (State::Start, _) => {
                    cell.line = self.line;
                    cell.column = column;
                    match ch {
                        '"' => State::Quoted,
                        ',' => {
                            next_cell(row, cell, self.line, column);
                            State::Start
                        }
                        _ => {
                            cell.text.push(ch);
                            State::Unquoted
                        }
                    }
                }
                (State::Unquoted | State::QuoteInQuoted | State::Closed, ',') => {
                    next_cell(row, cell, self.line, column);
                    State::Start
                }
                (State::Unquoted, _) => {
                    cell.text.push(ch);
                    State::Unquoted
                }
                (State::Quoted, '"') => State::QuoteInQuoted,
                (State::Quoted, _) => {
                    cell.text.push(ch);
                    State::Quoted
                }
                (State::QuoteInQuoted, '"') => {
                    cell.text.push('"');
                    State::Quoted
                }
                (State::QuoteInQuoted | State::Closed, c) if c.is_whitespace() => State::Closed,
                (State::QuoteInQuoted | State::Closed, _) => {
                    return Err(Diagnostic::error(
                        crate::error::Code::CsvSyntax,
                        &*self.name,
                        "text after the closing quote of a cell",
                    )
                    .at(Some(Location {
                        line: self.line,
                        column,
                    }))
                    .help("put the whole cell in quotes, and write a quote inside it as `\"\"`"));
                }
            };
        }
        Ok(())
    }
}

fn finish_cell(row: &mut Row, mut cell: Cell) {
    cell.text = cell.text.trim().to_string();
    row.cells.push(cell);
}

/// End the cell at a comma in `column` of `line`; the next starts just after it.
fn next_cell(row: &mut Row, cell: &mut Cell, line: usize, column: usize) {
    let next = Cell {
        text: String::new(),
        line,
        column: column + 1,
    };
    finish_cell(row, std::mem::replace(cell, next));
}

/// A CSV file as a stream of cases.
pub struct CsvCases<'a> {
    records: Records<'a>,
    bank: Arc<QuestionBank>,
    header: Option<Arc<Header>>,
    /// The first row of the next case, read while looking for the end of this one.
    pending: Option<Result<Row, Bad>>,
    /// Hashes of the references already read: a reference met again is a case whose rows
    /// are not together. (Eight bytes a case; a hash collision, about one in 10^8 for a
    /// million cases, would refuse a good case, never pass a bad one.)
    seen: HashSet<u64>,
    done: bool,
    /// The sheet the records are on, when they are a workbook's.
    sheet: Option<Arc<str>>,
}

impl<'a> CsvCases<'a> {
    pub fn new(name: Arc<str>, reader: Box<dyn BufRead + 'a>, bank: Arc<QuestionBank>) -> Self {
        CsvCases {
            records: Records {
                max_lines: 1,
                ..Records::new(name, reader)
            },
            bank,
            header: None,
            pending: None,
            seen: HashSet::new(),
            done: false,
            sheet: None,
        }
    }

    /// Records already read (a sheet of a workbook in our own columns), as cases.
    pub fn from_rows(
        name: Arc<str>,
        sheet: Arc<str>,
        rows: Vec<Result<Row, Bad>>,
        bank: Arc<QuestionBank>,
    ) -> Self {
        let mut cases = CsvCases::new(name, Box::new(std::io::empty()), bank);
        cases.records.given = Some(rows.into());
        cases.sheet = Some(sheet);
        cases
    }

    pub fn next_item(&mut self) -> Option<Item> {
        if self.done {
            return None;
        }
        let header = match &self.header {
            Some(header) => Arc::clone(header),
            None => match self.read_header() {
                Ok(header) => header,
                Err(error) => {
                    self.done = true;
                    return Some(Item::Failed {
                        source: self.records.name.to_string(),
                        error,
                    });
                }
            },
        };
        let first = self.pending.take().or_else(|| self.records.next_row());
        let Some(first) = first else {
            self.done = true;
            return None;
        };
        Some(Item::Csv(self.group(header, first)))
    }

    fn read_header(&mut self) -> Result<Arc<Header>, Diagnostic> {
        let name = Arc::clone(&self.records.name);
        let row = match self.records.next_row() {
            None => {
                return Err(Diagnostic::error(
                    crate::error::Code::CaseEmpty,
                    &*name,
                    "the file is empty",
                )
                .help("a CSV export starts with its header: reference, area, ..."));
            }
            Some(Err((_, error))) => return Err(error),
            Some(Ok(row)) => row,
        };
        let header = Arc::new(Header::read(&row, &name, &self.bank)?);
        self.header = Some(Arc::clone(&header));
        Ok(header)
    }

    /// The case that starts with `first`: it and the rows after it with its reference.
    fn group(&mut self, header: Arc<Header>, first: Result<Row, Bad>) -> Group {
        let (first, problem) = split(first);
        let reference = first
            .cells
            .get(header.reference)
            .map(|c| c.text.clone())
            .unwrap_or_default();
        let mut group = Group {
            name: Arc::clone(&self.records.name),
            header,
            problem,
            reference,
            rows: vec![first],
            sheet: self.sheet.clone(),
            codes: Vec::new(),
            mapped: false,
        };
        if group.reference.is_empty() {
            let line = group.rows[0].line;
            group.problem.get_or_insert_with(|| {
                group_error(
                    &group.name,
                    line,
                    format!("line {line} has no `reference`"),
                    "give every row the reference of the case it belongs to",
                )
            });
            return group;
        }
        self.gather(&mut group);
        if !self.seen.insert(hash(&group.reference)) {
            let line = group.rows[0].line;
            let message = format!(
                "the rows of case `{}` are not together: it is met again at line {line}",
                group.reference
            );
            group.problem.get_or_insert_with(|| {
                group_error(
                    &group.name,
                    line,
                    message,
                    "sort the export by reference: a case's rows must be next to each other",
                )
            });
        }
        group
    }

    /// Add to `group` the rows after it that share its reference.
    fn gather(&mut self, group: &mut Group) {
        let mut size = group.size();
        while let Some(next) = self.records.next_row() {
            let row = match &next {
                Ok(row) | Err((row, _)) => row,
            };
            if row
                .cells
                .get(group.header.reference)
                .map(|c| c.text.as_str())
                != Some(&group.reference)
            {
                self.pending = Some(next);
                return;
            }
            let (row, problem) = split(next);
            size += row.size();
            if let Some(problem) = problem {
                group.problem.get_or_insert(problem);
            }
            if size > MAX_CASE_BYTES {
                let line = group.rows[0].line;
                group.problem.get_or_insert_with(|| {
                    too_large(&group.name, line, &format!("case `{}`", group.reference))
                });
                continue;
            }
            group.rows.push(row);
        }
    }
}

fn split(read: Result<Row, Bad>) -> (Row, Option<Diagnostic>) {
    match read {
        Ok(row) => (row, None),
        Err((row, error)) => (row, Some(error)),
    }
}

fn group_error(name: &str, line: usize, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(crate::error::Code::CsvRows, name, message)
        .at(Some(Location { line, column: 1 }))
        .help(help)
}

fn hash(reference: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    reference.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &'static str) -> Vec<Result<Row, String>> {
        let mut records = Records::new(Arc::from("t.csv"), Box::new(text.as_bytes()));
        std::iter::from_fn(|| records.next_row())
            .map(|r| r.map_err(|(_, e)| e.to_string()))
            .collect()
    }

    fn cells(row: &Result<Row, String>) -> Vec<(&str, usize, usize)> {
        let row = row.as_ref().unwrap();
        row.cells
            .iter()
            .map(|c| (c.text.as_str(), c.line, c.column))
            .collect()
    }

    #[test]
    fn cells_are_read_with_where_they_start() {
        let read = rows("a, b ,\"c,d\"\r\n\n\"x\"\"y\",\"two\nlines\",z\n");
        assert_eq!(read.len(), 2);
        assert_eq!(
            cells(&read[0]),
            vec![("a", 1, 1), ("b", 1, 3), ("c,d", 1, 7)]
        );
        assert_eq!(
            cells(&read[1]),
            vec![("x\"y", 3, 1), ("two\nlines", 3, 8), ("z", 4, 8)]
        );
        assert_eq!(read[1].as_ref().unwrap().line, 3);
    }

    #[test]
    fn a_trailing_comma_is_an_empty_cell_and_a_last_line_needs_no_line_end() {
        let read = rows("a,\nb");
        assert_eq!(cells(&read[0]), vec![("a", 1, 1), ("", 1, 3)]);
        assert_eq!(cells(&read[1]), vec![("b", 2, 1)]);
    }

    #[test]
    fn broken_quoting_is_refused_where_it_is() {
        let read = rows("\"a\"b,c\nd\n");
        assert_eq!(
            read[0].as_ref().unwrap_err().lines().next().unwrap(),
            "t.csv:1:4: error[E-CSV-SYNTAX]: text after the closing quote of a cell"
        );
        assert_eq!(cells(&read[1]), vec![("d", 2, 1)]);
        let read = rows("x,\"open\n");
        assert!(
            read[0]
                .as_ref()
                .unwrap_err()
                .starts_with("t.csv:1:3: error[E-CSV-SYNTAX]: a quoted cell starting at line 1, column 3 is not closed by the end of the file")
        );
    }

    #[test]
    fn an_unclosed_quote_gives_back_the_lines_it_took() {
        let read = rows("a,\"open\nb,1\nc,2\n");
        assert_eq!(read.len(), 3);
        assert!(read[0].as_ref().unwrap_err().contains("line 1, column 3"));
        assert_eq!(cells(&read[1]), vec![("b", 2, 1), ("1", 2, 3)]);
        assert_eq!(cells(&read[2]), vec![("c", 3, 1), ("2", 3, 3)]);
        let many: String = std::iter::once("r0,\"stray\n".to_string())
            .chain((1..100).map(|i| format!("r{i},x\n")))
            .collect();
        let read = rows(Box::leak(many.into_boxed_str()));
        assert_eq!(read.len(), 100, "one record per line after the stray quote");
        assert!(
            read[0]
                .as_ref()
                .unwrap_err()
                .contains(&format!("within {MAX_RECORD_LINES} lines"))
        );
        assert_eq!(cells(&read[99]), vec![("r99", 100, 1), ("x", 100, 5)]);
        // A quoted cell that closes within the bound is one cell, line breaks and all.
        let read = rows("a,\"two\nlines\"\nb\n");
        assert_eq!(cells(&read[0]), vec![("a", 1, 1), ("two\nlines", 1, 3)]);
        assert_eq!(cells(&read[1]), vec![("b", 3, 1)]);
    }

    #[test]
    fn unborn_takes_yes_or_no() {
        assert_eq!(unborn("Yes"), Some(true));
        assert_eq!(unborn(""), Some(false));
        assert_eq!(unborn("maybe"), None);
    }
}
