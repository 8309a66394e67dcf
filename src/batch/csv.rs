//! CSV exports (SPEC section 7): a header `reference, area, assessed_at, recorded_level,
//! child_id, child_age, child_unborn` then one column per question id, and one row per
//! child. The rows of a case are next to each other (as any export sorted by reference
//! gives them): a case is read when its last row is, so a file of any length streams.
//!
//! The records are read here rather than with the csv crate because every error names the
//! line and column of the cell at fault, and the crate does not give a cell's column. Each
//! row is read into a case through the case file's own deserializer (`Case: Deserialize`),
//! so an answer or an age is checked, and refused, in exactly the words of a case file.

use super::cells::{column_letter, read_line, text_of, too_large};
use crate::case::{Case, Child, MAX_CASE_BYTES};
use crate::error::{Code, Diagnostic, Location};
use crate::question::{About, Answer, Answers, Kind, QId, QuestionBank};
use crate::values::Tier;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
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

    pub fn size(&self) -> usize {
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
                    .map(|(at, message, _)| {
                        // The field: where its cell starts, among the header's cells.
                        let index = row.cells.iter().position(|c| c.column == at.column);
                        match index {
                            Some(index) if at.line == row.line => {
                                format!("field {}: {message}", index + 1)
                            }
                            _ => message.clone(),
                        }
                    })
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
    child_id, child_age, child_unborn, then question ids (docs/case-files.md lists them)";

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

/// The cells of one foreign row that a map translated (a date, a level, a date of birth, a
/// word, a code), as the export writes them, for a refusal to quote. Kept with each row of
/// a mapped export until its case is read, so it is compact: one allocation for the
/// places and one for the texts, not one per cell.
#[derive(Debug, Default)]
pub struct Originals {
    /// Each cell's line, column and the end of its text in `texts`.
    places: Box<[(u32, u32, u32)]>,
    texts: Box<str>,
}

impl Originals {
    /// The cells at (line, column) with their texts; one whose place or text does not fit
    /// is left out (its refusal then quotes what it was read as).
    pub fn new<'a>(cells: impl Iterator<Item = (usize, usize, &'a str)>) -> Originals {
        let mut places = Vec::new();
        let mut texts = String::new();
        for (line, column, text) in cells {
            let place = (u32::try_from(line), u32::try_from(column));
            if let (Ok(line), Ok(column)) = place
                && let Ok(end) = u32::try_from(texts.len() + text.len())
            {
                texts.push_str(text);
                places.push((line, column, end));
            }
        }
        Originals {
            places: places.into_boxed_slice(),
            texts: texts.into_boxed_str(),
        }
    }

    /// The text of the cell at (line, column), as the export writes it.
    fn at(&self, line: usize, column: usize) -> Option<&str> {
        let mut start = 0;
        for &(l, c, end) in &self.places {
            if (l as usize, c as usize) == (line, column) {
                return self.texts.get(start..end as usize);
            }
            start = end as usize;
        }
        None
    }
}

/// The rows of one case, as read; turned into a case by a worker.
pub struct Group {
    name: Arc<str>,
    header: Arc<Header>,
    rows: Rows,
    /// Found while reading: the case is refused with this (after any problem in its
    /// lines, which a worker finds when they are `Rows::Lines`).
    problem: Option<Diagnostic>,
    reference: String,
    /// The sheet of a workbook the rows are on: errors then name the cell (`C5`).
    sheet: Option<Arc<str>>,
    /// Factor codes of a mapped export that no question takes.
    codes: Vec<String>,
    /// Read through a map: a refusal points at the foreign cell.
    mapped: bool,
    /// Rows of its file the map filtered out, counted with this case (the file's first).
    filtered: u64,
    /// The team or service of a mapped case, when the map names its column, and whether
    /// its rows named more than one.
    team: Option<(String, bool)>,
    /// Of a mapped case: the cells the map translated, as the export writes them (for each
    /// row), and the export's column names, so that a refusal quotes the export's own text.
    written: Vec<Originals>,
    foreign: Option<Arc<[String]>>,
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
            rows: Rows::Cells(rows),
            problem,
            reference,
            sheet,
            codes,
            mapped: true,
            filtered: 0,
            team: None,
            written: Vec::new(),
            foreign: None,
        }
    }

    /// The cells the map translated, as the export writes them, and the export's column
    /// names.
    pub fn with_written(self, written: Vec<Originals>, foreign: Arc<[String]>) -> Group {
        Group {
            written,
            foreign: Some(foreign),
            ..self
        }
    }

    /// The text of the cell at (line, column) as the export writes it, where the map
    /// translated it.
    fn original(&self, line: usize, column: usize) -> Option<&str> {
        self.written.iter().find_map(|w| w.at(line, column))
    }

    /// A cell's text as the export writes it: the map's translation undone.
    fn as_written<'a>(&'a self, cell: &'a Cell) -> &'a str {
        self.original(cell.line, cell.column).unwrap_or(&cell.text)
    }

    /// Where a refusal of a mapped case points at a cell the map translated: the cell's
    /// text as the export writes it, its column's name in the export, and the value it was
    /// read as.
    fn translated_at(&self, at: Location) -> Option<(&str, &str, &str)> {
        let written = self.original(at.line, at.column)?;
        let header = self.foreign.as_ref()?.get(at.column.checked_sub(1)?)?;
        let Rows::Cells(rows) = &self.rows else {
            return None;
        };
        let read = rows
            .iter()
            .flat_map(|r| &r.cells)
            .find(|c| (c.line, c.column) == (at.line, at.column))?;
        Some((written, header, &read.text))
    }

    /// The case's team or service (the map's `columns: team`), and whether its rows named
    /// more than one.
    pub fn with_team(self, team: Option<(String, bool)>) -> Group {
        Group { team, ..self }
    }

    pub fn team(&self) -> Option<&(String, bool)> {
        self.team.as_ref()
    }

    /// A mapped file whose every row the map filtered out: no case, only the count of its
    /// rows (so that the file still has its line: rows in = rows filtered out).
    pub fn filtered_only(name: Arc<str>, header: Arc<Header>, rows: u64) -> Group {
        let mut group = Group::mapped(
            name,
            header,
            Vec::new(),
            None,
            String::new(),
            None,
            Vec::new(),
        );
        group.filtered = rows;
        group
    }

    /// Count `rows` of its file the map filtered out with this case.
    pub fn add_filtered(&mut self, rows: u64) {
        self.filtered += rows;
    }

    /// Rows of its file the map filtered out, counted with this case.
    pub fn filtered(&self) -> u64 {
        self.filtered
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
        let line = match &self.rows {
            Rows::Cells(rows) => rows.first().map_or(0, |r| r.line),
            Rows::Lines(lines) => lines.rows.first().map_or(0, |r| r.0),
        };
        format!("{}:{line}", self.name)
    }

    pub fn reference(&self) -> Option<&str> {
        (!self.reference.is_empty()).then_some(self.reference.as_str())
    }

    /// How many rows of the export the case is.
    pub fn rows(&self) -> usize {
        match &self.rows {
            Rows::Cells(rows) => rows.len(),
            Rows::Lines(lines) => lines.rows.len(),
        }
    }

    pub fn size(&self) -> usize {
        match &self.rows {
            Rows::Cells(rows) => rows.iter().map(Row::size).sum(),
            Rows::Lines(lines) => lines.text.len(),
        }
    }

    /// Where the case's `area` is written (for an unknown area).
    pub fn area_at(&self) -> Option<Location> {
        let index = self.header.index(Column::Area)?;
        match &self.rows {
            Rows::Cells(rows) => rows[0].cells.get(index).map(|c| Location {
                line: c.line,
                column: c.column,
            }),
            Rows::Lines(lines) => {
                let (line, text) = lines.iter().next()?;
                let mut spans = Vec::with_capacity(index + 1);
                scan(text, &mut spans, index + 1);
                spans.get(index).map(|span| Location {
                    line,
                    column: column_of(text, span.start),
                })
            }
        }
    }

    /// The case its rows describe, or why they do not describe one.
    pub fn case(&self, bank: &Arc<QuestionBank>) -> Result<Case, Diagnostic> {
        let quick = match (&self.rows, &self.problem) {
            (Rows::Lines(lines), None) => self.quick_case(lines, bank),
            (Rows::Cells(rows), None) => self.quick_cells(rows, bank),
            (_, Some(_)) => None,
        };
        if let Some(case) = quick {
            return Ok(case);
        }
        let read = match &self.rows {
            Rows::Cells(rows) => self.read_case(rows, self.problem.as_ref(), bank),
            Rows::Lines(lines) => {
                let (rows, problem) = lines.cells(&self.name, &self.header.names);
                self.read_case(&rows, problem.as_ref().or(self.problem.as_ref()), bank)
            }
        };
        read.map_err(|mut error| {
            // At a cell the map translated (`CIN` read as level 3, a date of birth as an
            // age): the message quotes the export's own text and names the cell, as the
            // map's own refusals do.
            if let Some(at) = error.location
                && let Some((written, header, read)) = self.translated_at(at)
                && error.code != crate::error::Code::MapValue
            {
                let quoted = format!("`{header}` is `{written}`");
                if !error.message.contains(&quoted) {
                    let said = match read {
                        "" => error.message.clone(),
                        read => error
                            .message
                            .replace(&format!("`{read}`"), &format!("`{written}`")),
                    };
                    let place = super::cells::place(self.sheet.as_deref(), at.line, at.column);
                    error.message = format!("{quoted} at {place}: {said}");
                    return error;
                }
            }
            // A refusal of the map's own names its cell already.
            if let (Some(sheet), Some(at)) = (&self.sheet, error.location)
                && error.code != crate::error::Code::MapValue
            {
                let cell = column_letter(at.column);
                error.message = format!(
                    "{} (sheet `{sheet}`, cell {cell}{})",
                    error.message, at.line
                );
            }
            error
        })
    }

    /// The case its rows describe, read cell by cell as a case file is, so that a refusal
    /// is in a case file's words, at the cell at fault.
    fn read_case(
        &self,
        rows: &[Row],
        problem: Option<&Diagnostic>,
        bank: &Arc<QuestionBank>,
    ) -> Result<Case, Diagnostic> {
        if let Some(problem) = problem {
            return Err(problem.clone());
        }
        let mut case: Option<Case> = None;
        let mut ids = HashSet::new();
        for row in rows {
            let next = self.row_case(row, bank)?;
            match &mut case {
                None => {
                    ids.extend(next.children.iter().map(|c| c.id.clone()));
                    case = Some(next);
                }
                Some(case) => self.merge(case, next, &rows[0], row, &mut ids)?,
            }
        }
        let case = case.ok_or_else(|| {
            Diagnostic::error(
                crate::error::Code::CsvRows,
                &*self.name,
                "a case with no rows",
            )
        })?;
        // An answer that cannot apply is refused here too: in a mapped export or a sheet,
        // at the first cell that gives it; otherwise at the case's first row.
        if let Some(found) = crate::case::not_applicable(&case, bank) {
            let at = match self.mapped || self.sheet.is_some() {
                true => self.answer_at(rows, found.question),
                false => None,
            };
            return Err(
                crate::case::not_applicable_error(&case, bank, &found, &self.name)
                    .at(at.or_else(|| rows.first().map(Row::at))),
            );
        }
        Ok(case)
    }

    /// The case that lines without a problem describe, built straight from their cells
    /// (no cell copied, no value in between, each row's household read once); `None` at
    /// the first thing that is not plainly right, for `read_case` to refuse in a case
    /// file's words. A later row's household cells must be as the first row's, as written.
    fn quick_case(&self, lines: &Lines, bank: &QuestionBank) -> Option<Case> {
        let columns = &self.header.columns;
        let mut case = Case::empty(bank.len());
        let mut first: Vec<Span> = Vec::with_capacity(columns.len());
        let mut spans: Vec<Span> = Vec::with_capacity(columns.len());
        let mut first_line = "";
        for (index, (_, line)) in lines.iter().enumerate() {
            spans.clear();
            if scan(line, &mut spans, usize::MAX) != Scanned::Whole || spans.len() != columns.len()
            {
                return None;
            }
            if index == 0 {
                quick_household(&mut case, columns, |i| spans[i].text(line), bank)?;
            } else {
                let differs = columns.iter().enumerate().any(|(i, column)| {
                    household(*column) && first[i].text(first_line) != spans[i].text(line)
                });
                if differs {
                    return None;
                }
            }
            if let Some(child) = quick_child(columns, |i| spans[i].text(line), bank)? {
                if case.children.iter().any(|c| c.id == child.id) {
                    return None;
                }
                case.children.push(child);
            }
            if index == 0 {
                std::mem::swap(&mut first, &mut spans);
                first_line = line;
            }
        }
        if crate::case::not_applicable(&case, bank).is_some() {
            return None;
        }
        Some(case)
    }

    /// The case that rows read into cells without a problem describe (a mapped export's),
    /// as `quick_case` builds one from lines; `None` at the first thing that is not plainly
    /// right, and for a case of many rows (`read_case` keeps its children's ids in a set).
    fn quick_cells(&self, rows: &[Row], bank: &QuestionBank) -> Option<Case> {
        const MOST_ROWS: usize = 64;
        let columns = &self.header.columns;
        let (first, _) = rows.split_first()?;
        if rows.len() > MOST_ROWS || rows.iter().any(|r| r.cells.len() != columns.len()) {
            return None;
        }
        let mut case = Case::empty(bank.len());
        fn text(row: &Row, i: usize) -> Cow<'_, str> {
            Cow::Borrowed(row.cells[i].text.as_str())
        }
        quick_household(&mut case, columns, |i| text(first, i), bank)?;
        for row in rows {
            let differs = columns
                .iter()
                .enumerate()
                .any(|(i, column)| household(*column) && first.cells[i].text != row.cells[i].text);
            if differs {
                return None;
            }
            let child = quick_child(columns, |i| text(row, i), bank)?;
            if let Some(child) = child {
                if case.children.iter().any(|c| c.id == child.id) {
                    return None;
                }
                case.children.push(child);
            }
        }
        if crate::case::not_applicable(&case, bank).is_some() {
            return None;
        }
        Some(case)
    }

    /// In a mapped export, the cell of the answer to `question`: the first row that gives
    /// it.
    fn answer_at(&self, rows: &[Row], question: QId) -> Option<Location> {
        let index = self
            .header
            .columns
            .iter()
            .position(|c| matches!(c, Column::Question(q, _) if *q == question))?;
        let cell = rows
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
            crate::refused::parsing(|| {
                crate::question::with_bank(bank, || {
                    Case::deserialize(row_value(&self.header, row, only, bank))
                })
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
            let (e, cause) = e;
            let message = crate::yaml::strip_position(&e.to_string());
            let code = crate::yaml::parser_code(&message, cause.as_ref());
            self.error(
                code.unwrap_or(Code::CsvRows),
                at,
                message,
                "fix the cell; docs/batch.md shows the CSV columns and answers",
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
    /// `ids`: the ids of the case's children so far (a case of n children is n rows: a walk
    /// over the children for each would be n x n, minutes for a mapped household of
    /// 30,000 rows).
    fn merge(
        &self,
        case: &mut Case,
        next: Case,
        first: &Row,
        row: &Row,
        ids: &mut HashSet<String>,
    ) -> Result<(), Diagnostic> {
        if let Some(column) = first_difference(case, &next) {
            return Err(self.disagreement(column, first, row));
        }
        for child in next.children {
            if !ids.insert(child.id.clone()) {
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

    fn disagreement(&self, column: Column, first: &Row, row: &Row) -> Diagnostic {
        let index = self.header.index(column).unwrap_or_default();
        let shown = |row: &Row| match self.as_written(&row.cells[index]) {
            "" => "empty".to_string(),
            text => format!("`{text}`"),
        };
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

/// A case's rows: cells already read (a workbook's, a mapped export's, a line that needed
/// care), or the lines of our own export as written, read into cells by a worker.
enum Rows {
    Cells(Vec<Row>),
    Lines(Lines),
}

/// Lines of an export, each valid UTF-8 without its line end and without a quoted cell
/// left open (those are read as `Rows::Cells`): one string, and each line's number and end.
#[derive(Default)]
struct Lines {
    text: String,
    rows: Vec<(usize, usize)>,
}

impl Lines {
    fn push(&mut self, line: usize, text: &str) {
        self.text.push_str(text);
        self.rows.push((line, self.text.len()));
    }

    fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
    }

    fn extend(&mut self, other: &Lines) {
        let offset = self.text.len();
        self.text.push_str(&other.text);
        self.rows
            .extend(other.rows.iter().map(|(line, end)| (*line, end + offset)));
    }

    /// Rows `from` to `to` (not included), as lines of their own.
    fn slice(&self, from: usize, to: usize) -> Lines {
        let start = from.checked_sub(1).map_or(0, |i| self.rows[i].1);
        Lines {
            text: self.text[start..self.rows[to - 1].1].to_string(),
            rows: self.rows[from..to]
                .iter()
                .map(|(line, end)| (*line, end - start))
                .collect(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (usize, &str)> {
        let starts = std::iter::once(0).chain(self.rows.iter().map(|(_, end)| *end));
        self.rows
            .iter()
            .zip(starts)
            .map(|((line, end), start)| (*line, &self.text[start..*end]))
    }

    /// The lines of `name` (whose header names are `names`) read into cells, and the first
    /// problem in them.
    fn cells(&self, name: &str, names: &[String]) -> (Vec<Row>, Option<Diagnostic>) {
        let mut problem = None;
        let rows = self
            .iter()
            .map(|(line, text)| {
                let (row, error) = row_of(name, line, text, names);
                if let Some(error) = error {
                    problem.get_or_insert(error);
                }
                row
            })
            .collect();
        (rows, problem)
    }
}

/// A block holds at most about this many bytes of lines, and this many cases: as many as
/// a chunk of other cases, so as few rows are in flight.
const BLOCK_BYTES: usize = 32 * 1024;
const BLOCK_CASES: usize = 64;

/// Cases of our own export whose rows are lines as written, one after another in one
/// buffer: they go to a worker together, so the reader allocates nothing a case (memory
/// freed in another thread than it was taken in costs both a lock).
pub struct Block {
    name: Arc<str>,
    header: Arc<Header>,
    lines: Lines,
    /// Each case: where its rows end in `lines`, and what the reader found wrong with it.
    cases: Vec<(usize, Option<Diagnostic>)>,
}

impl Block {
    pub fn size(&self) -> usize {
        self.lines.text.len()
    }

    pub fn cases(&self) -> usize {
        self.cases.len()
    }

    /// Its cases, in order.
    pub fn groups(&self) -> impl Iterator<Item = Group> + '_ {
        let starts = std::iter::once(0).chain(self.cases.iter().map(|(end, _)| *end));
        self.cases
            .iter()
            .zip(starts)
            .map(|((end, problem), start)| {
                let lines = self.lines.slice(start, *end);
                let reference = lines
                    .iter()
                    .next()
                    .and_then(|(_, text)| reference_of(text, self.header.reference))
                    .map(Cow::into_owned)
                    .unwrap_or_default();
                Group {
                    name: Arc::clone(&self.name),
                    header: Arc::clone(&self.header),
                    rows: Rows::Lines(lines),
                    problem: problem.clone(),
                    reference,
                    sheet: None,
                    codes: Vec::new(),
                    mapped: false,
                    filtered: 0,
                    team: None,
                    written: Vec::new(),
                    foreign: None,
                }
            })
    }
}

/// Where a cell is in its line (byte offsets): where it starts, and its text before
/// trimming; `escaped` when that text holds `""` for a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    start: usize,
    text: std::ops::Range<usize>,
    escaped: bool,
}

impl Span {
    fn text<'t>(&self, line: &'t str) -> std::borrow::Cow<'t, str> {
        let text = &line[self.text.clone()];
        match self.escaped {
            false => Cow::Borrowed(trim(text)),
            true => Cow::Owned(text.replace("\"\"", "\"").trim().to_string()),
        }
    }
}

/// `text.trim()`, quickly when it starts and ends with a printable ASCII character (every
/// other space is an ASCII control character or not ASCII).
fn trim(text: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    match solid(text.as_bytes().first()) && solid(text.as_bytes().last()) {
        true => text,
        false => text.trim(),
    }
}

/// How reading a line's cells ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scanned {
    /// Every cell, or as many as were asked for.
    Whole,
    /// Text after a quoted cell's closing quote, at this byte: the cells up to that one.
    AfterQuote(usize),
    /// The last cell's quote is not closed by the end of the line.
    Open,
}

/// The cells of one line (without its line end) into `spans`, stopping after `most`: the
/// grammar `Records` reads, a line at a time, without copying a cell. A cell starting
/// with `"` is quoted (`""` inside is a quote; only spaces may follow the closing quote);
/// any other cell runs to the next comma.
fn scan(line: &str, spans: &mut Vec<Span>, most: usize) -> Scanned {
    let bytes = line.as_bytes();
    let mut start = 0;
    while spans.len() < most {
        if bytes.get(start) != Some(&b'"') {
            let end = memchr::memchr(b',', &bytes[start..]).map_or(bytes.len(), |e| start + e);
            spans.push(Span {
                start,
                text: start..end,
                escaped: false,
            });
            if end == bytes.len() {
                return Scanned::Whole;
            }
            start = end + 1;
            continue;
        }
        let mut from = start + 1;
        let mut escaped = false;
        let close = loop {
            match memchr::memchr(b'"', &bytes[from..]) {
                None => {
                    spans.push(Span {
                        start,
                        text: start + 1..bytes.len(),
                        escaped,
                    });
                    return Scanned::Open;
                }
                Some(q) if bytes.get(from + q + 1) == Some(&b'"') => {
                    escaped = true;
                    from += q + 2;
                }
                Some(q) => break from + q,
            }
        };
        spans.push(Span {
            start,
            text: start + 1..close,
            escaped,
        });
        let after = &line[close + 1..];
        match after.char_indices().find(|(_, c)| !c.is_whitespace()) {
            None => return Scanned::Whole,
            Some((at, ',')) => start = close + 1 + at + 1,
            Some((at, _)) => return Scanned::AfterQuote(close + 1 + at),
        }
    }
    Scanned::Whole
}

/// The column (in characters, from 1) of byte `at` of `line`.
fn column_of(line: &str, at: usize) -> usize {
    line[..at].chars().count() + 1
}

/// One line of `name` (valid UTF-8, without its line end, whose header names are `names`)
/// as `Records` reads a record of that line alone: its cells, or those read before a
/// problem and the problem. (An export's reader gives it only lines that leave no quote
/// open: one that does is read by `Records`, with the lines after it.)
fn row_of(name: &str, number: usize, line: &str, names: &[String]) -> (Row, Option<Diagnostic>) {
    let mut spans = Vec::new();
    let scanned = scan(line, &mut spans, usize::MAX);
    let mut cells: Vec<Cell> = spans
        .iter()
        .map(|span| Cell {
            text: span.text(line).into_owned(),
            line: number,
            column: column_of(line, span.start),
        })
        .collect();
    let error = match scanned {
        Scanned::Whole => None,
        Scanned::AfterQuote(at) => Some(after_quote(
            name,
            Location {
                line: number,
                column: column_of(line, at),
            },
            &field(spans.len().saturating_sub(1), names),
        )),
        Scanned::Open => {
            let index = cells.len().saturating_sub(1);
            cells.last_mut().map(|open| {
                open.text.clear();
                unclosed(name, open, &field(index, names), "by the end of the file")
            })
        }
    };
    let row = Row {
        line: number,
        cells,
    };
    (row, error)
}

/// Whether a column is about the household: the same on every row of a case.
fn household(column: Column) -> bool {
    matches!(
        column,
        Column::Area
            | Column::AssessedAt
            | Column::RecordedLevel
            | Column::RecordedReason
            | Column::Question(_, About::Household)
    )
}

/// A row's household cells into `case`, as `Case: Deserialize` reads them; `None` for
/// anything it would refuse.
fn quick_household<'t>(
    case: &mut Case,
    columns: &[Column],
    cell: impl Fn(usize) -> Cow<'t, str>,
    bank: &QuestionBank,
) -> Option<()> {
    for (index, column) in columns.iter().enumerate() {
        if !household(*column) && *column != Column::Reference {
            continue;
        }
        let text = cell(index);
        if text.is_empty() {
            continue;
        }
        match column {
            Column::Reference => {
                case.reference = Some(crate::values::Reference::new(&text).ok()?.into_string())
            }
            Column::Area => case.area = Some(text.into_owned()),
            Column::AssessedAt => {
                case.assessed_at = Some(crate::hours::parse_moment(&text).ok()?);
            }
            Column::RecordedLevel => {
                let tier = text.parse::<u64>().ok().and_then(|t| Tier::new(t).ok())?;
                case.recorded_level = Some(tier);
            }
            Column::RecordedReason => {
                crate::case::check_reason(&text).ok()?;
                case.recorded_reason = Some(text.into_owned());
            }
            Column::Question(q, About::Household) => {
                case.answers
                    .set(*q, quick_answer(bank.question(*q).kind, &text)?);
            }
            Column::ChildId | Column::ChildAge | Column::ChildUnborn => {}
            Column::Question(_, About::Child) => {}
        }
    }
    Some(())
}

/// A row's child, as `Case: Deserialize` and `Group::check_shape` read it: `Some(None)`
/// for a row with no child; `None` for anything they would refuse.
fn quick_child<'t>(
    columns: &[Column],
    cell: impl Fn(usize) -> Cow<'t, str>,
    bank: &QuestionBank,
) -> Option<Option<Child>> {
    let (mut id, mut age, mut unborn_child, mut any) = (None, None, false, false);
    let mut answers = Answers::unknown(bank.len());
    for (index, column) in columns.iter().enumerate() {
        if household(*column) || *column == Column::Reference {
            continue;
        }
        let text = cell(index);
        if text.is_empty() {
            continue;
        }
        match column {
            Column::ChildId => id = Some(crate::values::ChildLabel::new(&text).ok()?.into_string()),
            Column::ChildAge => {
                let years = text.parse::<i64>().ok().filter(|a| (0..=17).contains(a))?;
                age = Some(years as u8);
            }
            Column::ChildUnborn => unborn_child = unborn(&text)?,
            Column::Question(q, About::Child) => {
                answers.set(*q, quick_answer(bank.question(*q).kind, &text)?);
            }
            _ => continue,
        }
        any = true;
    }
    let Some(id) = id else {
        return (!any).then_some(None);
    };
    match (age, unborn_child) {
        (Some(_), false) | (None, true) => Some(Some(Child { id, age, answers })),
        (Some(_), true) | (None, false) => None,
    }
}

/// An answer, as a case file's reader takes it from text; `None` for what it refuses.
fn quick_answer(kind: Kind, text: &str) -> Option<Answer> {
    let word = text.trim();
    let is = |w: &str| word.eq_ignore_ascii_case(w);
    match kind {
        _ if is("unknown") => Some(Answer::Unknown),
        Kind::Yesno if is("yes") || is("true") => Some(Answer::Yes),
        Kind::Yesno if is("no") || is("false") => Some(Answer::No),
        Kind::Yesno => None,
        Kind::Count => word
            .parse::<i128>()
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .map(Answer::Count),
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
/// A line break inside a quoted cell of a free-text column (`recorded_reason`, a notes
/// column a map does not read) is part of the cell, never the end of a record. A stray
/// quote must not swallow the cases after it, so a quoted cell may span lines only there,
/// and only when it closes (within `MAX_RECORD_LINES`, `MAX_QUOTED_CHARS`, the end of the
/// file) into a whole row: as many cells as the header, nothing after a closing quote.
/// Otherwise the record is refused at its opening quote, and the lines it took after its
/// first are read again as records of their own, so every later case still gets its row.
struct Records<'a> {
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    /// The header's names, once it is read: a message names a cell's field by them.
    names: Vec<String>,
    /// Whether each field is free text, which may hold line breaks (known with the header).
    free_text: Vec<bool>,
    /// Lines read so far.
    line: usize,
    /// Lines to read again before the reader (after a runaway quoted cell), with the
    /// bytes each consumed.
    replay: std::collections::VecDeque<(Vec<u8>, usize)>,
    /// Records read elsewhere (a sheet of a workbook): given instead of the reader's.
    given: Option<Box<dyn Iterator<Item = Result<Row, Bad>> + 'a>>,
    /// Where the cells of the line being read are (kept for the next line).
    spans: Vec<Span>,
}

/// Whether a column of our own export may hold line breaks: the recorded reason alone.
fn free_text(name: &str) -> bool {
    name == "recorded_reason"
}

/// The records of a CSV export, one at a time, for a map to read (`map.rs`); the first is
/// its header. `free_text` says which columns, by name, may hold line breaks (those the map
/// does not read).
pub fn read_records<'a>(
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    free_text: Box<dyn Fn(&str) -> bool + 'a>,
) -> impl Iterator<Item = Result<Row, Bad>> + 'a {
    let mut records = Records::new(name, reader);
    let mut first = true;
    std::iter::from_fn(move || {
        let record = records.next_row()?;
        if let (true, Ok(header)) = (std::mem::take(&mut first), &record) {
            records.header(header, &*free_text);
        }
        Some(record)
    })
}

/// The field at `index` (from 0) of a record, for a message: `field 3 (header
/// \`recorded_level\`)`, or `field 3` before the header is known.
fn field(index: usize, names: &[String]) -> String {
    match names.get(index) {
        Some(name) => format!("field {} (header `{name}`)", index + 1),
        None => format!("field {}", index + 1),
    }
}

/// A record that could not be read whole: the cells read so far and why.
pub type Bad = (Row, Diagnostic);

impl<'a> Records<'a> {
    /// The header is `row`; `free_text` says which of its columns, by name, may hold line
    /// breaks.
    fn header(&mut self, row: &Row, free_text: &dyn Fn(&str) -> bool) {
        self.names = row.cells.iter().map(|c| c.text.clone()).collect();
        self.free_text = self.names.iter().map(|n| free_text(n)).collect();
    }

    fn new(name: Arc<str>, reader: Box<dyn BufRead + 'a>) -> Self {
        Records {
            name,
            reader,
            names: Vec::new(),
            free_text: Vec::new(),
            line: 0,
            replay: std::collections::VecDeque::new(),
            given: None,
            spans: Vec::new(),
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

    /// Refuse the record whose quoted cell, the `index`th, starting as `cell`, never
    /// closed into a whole row, and give back the lines it took after its first (`held`)
    /// to be read again.
    fn runaway(
        &mut self,
        mut row: Row,
        (index, cell): (usize, Cell),
        held: Vec<(Vec<u8>, usize)>,
        why: &str,
    ) -> Option<Result<Row, Bad>> {
        let error = unclosed(&self.name, &cell, &field(index, &self.names), why);
        self.line -= held.len();
        for line in held.into_iter().rev() {
            self.replay.push_front(line);
        }
        row.cells.truncate(index);
        row.cells.push(Cell {
            text: String::new(),
            ..cell
        });
        Some(Err((row, error)))
    }

    /// The next record that is not a blank line; `None` at the end of the file.
    fn next_row(&mut self) -> Option<Result<Row, Bad>> {
        if let Some(given) = &mut self.given {
            return given.next();
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
        let mut bytes = Vec::with_capacity(256);
        // The lines of this record after its first, kept while it spans lines, to be
        // read again if a quoted cell turns out never to close into a whole row; and the
        // cell that began to span them, with its place in the row.
        let mut held: Vec<(Vec<u8>, usize)> = Vec::new();
        let mut opened: Option<(usize, Cell)> = None;
        loop {
            bytes.clear();
            let read = self.next_line(&mut bytes);
            if let (Some(first), Ok(consumed)) = (&opened, &read) {
                let first = first.clone();
                if *consumed == 0 {
                    return self.runaway(row, first, held, "by the end of the file");
                }
                held.push((bytes.clone(), *consumed));
                if *consumed > MAX_CASE_BYTES {
                    self.line += 1;
                    let why = format!("within {MAX_QUOTED_CHARS} characters");
                    return self.runaway(row, first, held, &why);
                }
                if held.len() >= MAX_RECORD_LINES {
                    self.line += 1;
                    let why = format!("within {MAX_RECORD_LINES} lines");
                    return self.runaway(row, first, held, &why);
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
                Ok(text) => Cow::Borrowed(text),
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
                // A cell that spans lines must close into a whole row: text after its
                // closing quote means the quote was a stray one.
                if let Some(first) = opened {
                    return self.runaway(row, first, held, NOT_WHOLE);
                }
                problem.get_or_insert(error);
                break;
            }
            if state == State::Quoted && cell.text.chars().count() > MAX_QUOTED_CHARS {
                let why = format!("within {MAX_QUOTED_CHARS} characters");
                let first = opened.unwrap_or((row.cells.len(), cell));
                return self.runaway(row, first, held, &why);
            }
            if state != State::Quoted {
                break;
            }
            if opened.is_none() {
                let index = row.cells.len();
                // The header's own names may be written over lines; a row's cell only in a
                // free-text column.
                if !self.names.is_empty() && !self.free_text.get(index).is_some_and(|f| *f) {
                    return self.runaway(row, (index, cell), held, ON_ITS_LINE);
                }
                opened = Some((index, cell.clone()));
            }
            cell.text.push('\n');
        }
        finish_cell(&mut row, cell);
        // Nor may it make a row of another width than the header's: a stray quote closed
        // by another, lines later, would take the cases between into one row.
        if let Some(first) = opened
            && !self.names.is_empty()
            && row.cells.len() != self.names.len()
        {
            return self.runaway(row, first, held, NOT_WHOLE);
        }
        Some(match problem {
            Some(error) => Err((row, error)),
            None => Ok(row),
        })
    }

    /// Read one physical line's characters into the record.
    fn scan(
        &mut self,
        content: &str,
        row: &mut Row,
        cell: &mut Cell,
        state: &mut State,
    ) -> Result<(), Diagnostic> {
        // A line with no quote that starts a record: its cells are the text between its
        // commas, each starting just after one (as read below, a character at a time).
        if *state == State::Start && row.cells.is_empty() && !content.contains('"') {
            let ascii = content.is_ascii();
            let bytes = content.as_bytes();
            let (mut start, mut column) = (0, 1);
            row.cells.reserve(self.names.len());
            loop {
                let comma = bytes[start..].iter().position(|b| *b == b',');
                let end = comma.map_or(bytes.len(), |at| start + at);
                let piece = &content[start..end];
                let next = Cell {
                    text: trim(piece).to_string(),
                    line: self.line,
                    column,
                };
                column += 1 + if ascii {
                    piece.len()
                } else {
                    piece.chars().count()
                };
                if comma.is_none() {
                    *cell = next;
                    break;
                }
                row.cells.push(next);
                start = end + 1;
            }
            *state = State::Unquoted;
            return Ok(());
        }
        // A line with quotes that starts a record and holds it whole (no quote left open,
        // nothing after a closing quote): its cells as `row_of` reads them, which is how
        // they are read below.
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        if *state == State::Start
            && row.cells.is_empty()
            && scan(content, &mut spans, usize::MAX) == Scanned::Whole
        {
            let ascii = content.is_ascii();
            let last = spans.len().saturating_sub(1);
            row.cells.reserve(spans.len());
            for (index, span) in spans.iter().enumerate() {
                let next = Cell {
                    text: span.text(content).into_owned(),
                    line: self.line,
                    column: match ascii {
                        true => span.start + 1,
                        false => column_of(content, span.start),
                    },
                };
                match index == last {
                    false => row.cells.push(next),
                    true => *cell = next,
                }
            }
            self.spans = spans;
            *state = State::Closed;
            return Ok(());
        }
        self.spans = spans;
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
                    let at = Location {
                        line: self.line,
                        column,
                    };
                    let field = field(row.cells.len(), &self.names);
                    return Err(after_quote(&self.name, at, &field));
                }
            };
        }
        Ok(())
    }
}

/// Why a quoted cell of a column that holds no free text is refused when a line follows.
const ON_ITS_LINE: &str = "on its line (a line break belongs only in a free-text column, \
    such as a recorded reason or notes)";

/// Why a cell that spans lines is refused when, closed, it does not make a whole row.
const NOT_WHOLE: &str = "on its line, and read on over the lines after it, it does not make a \
    whole row (a stray quote)";

/// A quoted cell, `field` of its record, that is not closed (`why`: by when it should
/// have been).
fn unclosed(name: &str, cell: &Cell, field: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        crate::error::Code::CsvSyntax,
        name,
        format!(
            "the quoted cell of {field} starting at line {} is not closed {why}",
            cell.line
        ),
    )
    .at(Some(Location {
        line: cell.line,
        column: cell.column,
    }))
    .help(
        "end the cell with `\"` (write a quote inside a cell as `\"\"`); the lines \
         after this one are read as rows of their own",
    )
}

/// Text after the closing quote of `field`'s quoted cell, `at` that text.
fn after_quote(name: &str, at: Location, field: &str) -> Diagnostic {
    Diagnostic::error(
        crate::error::Code::CsvSyntax,
        name,
        format!("text after the closing quote of the cell of {field}"),
    )
    .at(Some(at))
    .help("put the whole cell in quotes, and write a quote inside it as `\"\"`")
}

fn finish_cell(row: &mut Row, mut cell: Cell) {
    let trimmed = cell.text.trim();
    if trimmed.len() != cell.text.len() {
        cell.text = trimmed.to_string();
    }
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

/// What a CSV export gives a worker: one case, a block of cases whose rows are lines as
/// written, or a file that could not be read (its header, say), with where it came from.
pub enum Unit {
    Case(Group),
    Block(Block),
    Failed { source: String, error: Diagnostic },
}

/// A CSV file as a stream of cases.
pub struct CsvCases<'a> {
    records: Records<'a>,
    bank: Arc<QuestionBank>,
    header: Option<Arc<Header>>,
    /// The first record of the next case, read while looking for the end of this one.
    pending: Option<Record>,
    /// The last line read, without its line end (the text of a `Record::Line`).
    text: String,
    /// The references of the cases already read, to tell one met again.
    seen: Seen<'a>,
    /// Cases read whose rows are lines as written, to go to a worker together.
    block: Option<Block>,
    /// A case to give after the block (which holds the cases before it).
    queued: Option<Group>,
    /// The buffers of the last case put in the block, for the next case.
    spare: Lines,
    spare_reference: String,
    done: bool,
    /// The sheet the records are on, when they are a workbook's.
    sheet: Option<Arc<str>>,
}

/// A record of an export: a line to be read into cells by a worker (its number; the text
/// is `CsvCases::text`), or one read into cells here (a workbook's, or a line that is not
/// UTF-8, is too long, or leaves a quote open).
enum Record {
    Line(usize),
    Cells(Result<Row, Bad>),
}

impl<'a> CsvCases<'a> {
    pub fn new(name: Arc<str>, reader: Box<dyn BufRead + 'a>, bank: Arc<QuestionBank>) -> Self {
        CsvCases {
            records: Records::new(name, reader),
            bank,
            header: None,
            pending: None,
            text: String::new(),
            seen: Seen::Hashed(HashSet::new()),
            block: None,
            queued: None,
            spare: Lines::default(),
            spare_reference: String::new(),
            done: false,
            sheet: None,
        }
    }

    /// Keep no reference while they come in order, reading the export again from `again`
    /// (the same file, opened a second time) if the order breaks: see `Seen`.
    pub fn again_from(mut self, again: Box<dyn BufRead + 'a>) -> Self {
        self.seen = Seen::Sorted {
            last: String::new(),
            by_text: true,
            by_length: true,
            again,
        };
        self
    }

    /// Records read elsewhere (a sheet of a workbook in our own columns), as cases.
    pub fn from_rows(
        name: Arc<str>,
        sheet: Arc<str>,
        rows: impl Iterator<Item = Result<Row, Bad>> + 'a,
        bank: Arc<QuestionBank>,
    ) -> Self {
        let mut cases = CsvCases::new(name, Box::new(std::io::empty()), bank);
        cases.records.given = Some(Box::new(rows));
        cases.sheet = Some(sheet);
        cases
    }

    /// The next cases: a block of those whose rows are lines as written, or one other.
    pub fn next_item(&mut self) -> Option<Unit> {
        if let Some(group) = self.queued.take() {
            return Some(Unit::Case(group));
        }
        loop {
            if self.done && self.pending.is_none() {
                return self.block.take().map(Unit::Block);
            }
            let header = match &self.header {
                Some(header) => Arc::clone(header),
                None => match self.read_header() {
                    Ok(header) => header,
                    Err(error) => {
                        self.done = true;
                        return Some(Unit::Failed {
                            source: self.records.name.to_string(),
                            error,
                        });
                    }
                },
            };
            let Some(first) = self.pending.take().or_else(|| self.next_record()) else {
                self.done = true;
                continue;
            };
            let group = self.group(header, first);
            if let Some(group) = self.keep_in_block(group) {
                return Some(match self.block.take() {
                    Some(block) => {
                        self.queued = Some(group);
                        Unit::Block(block)
                    }
                    None => Unit::Case(group),
                });
            }
            if self
                .block
                .as_ref()
                .is_some_and(|b| b.size() >= BLOCK_BYTES || b.cases.len() >= BLOCK_CASES)
            {
                return self.block.take().map(Unit::Block);
            }
        }
    }

    /// Put a case whose rows are lines as written into the block being filled (keeping
    /// its buffers for the next case); give back any other.
    fn keep_in_block(&mut self, group: Group) -> Option<Group> {
        let Rows::Lines(lines) = &group.rows else {
            return Some(group);
        };
        let block = self.block.get_or_insert_with(|| Block {
            name: Arc::clone(&group.name),
            header: Arc::clone(&group.header),
            lines: Lines::default(),
            cases: Vec::new(),
        });
        block.lines.extend(lines);
        block.cases.push((block.lines.rows.len(), group.problem));
        if let Rows::Lines(lines) = group.rows {
            self.spare = lines;
        }
        self.spare_reference = group.reference;
        None
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
        self.records.header(&row, &free_text);
        let header = Arc::new(Header::read(&row, &name, &self.bank)?);
        self.header = Some(Arc::clone(&header));
        Ok(header)
    }

    /// The next record that is not a blank line; `None` at the end of the file or after a
    /// read error. A line is only looked at here (for its reference, and, if it has a
    /// quote, whether one is left open): a worker reads its cells.
    fn next_record(&mut self) -> Option<Record> {
        if self.records.given.is_some() {
            return self.records.next_row().map(Record::Cells);
        }
        if self.done {
            return None;
        }
        let mut spans = Vec::new();
        loop {
            let mut bytes = std::mem::take(&mut self.text).into_bytes();
            bytes.clear();
            let consumed = match self.records.next_line(&mut bytes) {
                Ok(0) => return None,
                Ok(consumed) => consumed,
                Err(e) => {
                    self.done = true;
                    let row = Row {
                        line: self.records.line + 1,
                        cells: Vec::new(),
                    };
                    let error = Diagnostic::error(
                        crate::error::Code::CaseRead,
                        &*self.records.name,
                        format!("cannot read: {e}"),
                    );
                    return Some(Record::Cells(Err((row, error))));
                }
            };
            if consumed > MAX_CASE_BYTES {
                return self.read_again(bytes, consumed);
            }
            let mut text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => return self.read_again(e.into_bytes(), consumed),
            };
            let content = line_content(&text).len();
            if text[..content].trim().is_empty() {
                self.records.line += 1;
                self.text = text;
                continue;
            }
            spans.clear();
            if text[..content].contains('"')
                && scan(&text[..content], &mut spans, usize::MAX) == Scanned::Open
            {
                return self.read_again(text.into_bytes(), consumed);
            }
            self.records.line += 1;
            text.truncate(content);
            self.text = text;
            return Some(Record::Line(self.records.line));
        }
    }

    /// A line that needs `Records` (and perhaps the line after it), read by it.
    fn read_again(&mut self, bytes: Vec<u8>, consumed: usize) -> Option<Record> {
        self.records.replay.push_front((bytes, consumed));
        self.records.next_row().map(Record::Cells)
    }

    /// The cell of `record` at `column`, as read.
    fn cell_of<'r>(&'r self, record: &'r Record, column: usize) -> Option<Cow<'r, str>> {
        match record {
            Record::Line(_) => reference_of(&self.text, column),
            Record::Cells(Ok(row) | Err((row, _))) => row
                .cells
                .get(column)
                .map(|c| Cow::Borrowed(c.text.as_str())),
        }
    }

    /// The case that starts with `first`: it and the records after it with its reference.
    fn group(&mut self, header: Arc<Header>, first: Record) -> Group {
        let mut reference = std::mem::take(&mut self.spare_reference);
        reference.clear();
        if let Some(cell) = self.cell_of(&first, header.reference) {
            reference.push_str(&cell);
        }
        let (rows, problem) = match first {
            Record::Line(line) => {
                let mut lines = std::mem::take(&mut self.spare);
                lines.clear();
                lines.push(line, &self.text);
                (Rows::Lines(lines), None)
            }
            Record::Cells(first) => {
                let (row, problem) = split(first);
                (Rows::Cells(vec![row]), problem)
            }
        };
        let mut group = Group {
            name: Arc::clone(&self.records.name),
            header,
            problem,
            reference,
            rows,
            sheet: self.sheet.clone(),
            codes: Vec::new(),
            mapped: false,
            filtered: 0,
            team: None,
            written: Vec::new(),
            foreign: None,
        };
        let line = match &group.rows {
            Rows::Cells(rows) => rows[0].line,
            Rows::Lines(lines) => lines.rows[0].0,
        };
        if group.reference.is_empty() {
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
        let column = group.header.reference;
        let (message, help) = match self.seen.met(&group.reference, line, column) {
            Ok(false) => return group,
            Ok(true) => (
                format!(
                    "the rows of case `{}` are not together: it is met again at line {line}",
                    group.reference
                ),
                "sort the export by reference: a case's rows must be next to each other",
            ),
            Err(e) => (
                format!(
                    "cannot read the file again to check that the rows of case `{}` are together: {e}",
                    group.reference
                ),
                "check that the file is still there and readable",
            ),
        };
        group
            .problem
            .get_or_insert_with(|| group_error(&group.name, line, message, help));
        group
    }

    /// Add to `group` the records after it that share its reference.
    fn gather(&mut self, group: &mut Group) {
        // The size of the cells kept, once they are read here (`Rows::Cells`).
        let mut size = group.size();
        while let Some(next) = self.next_record() {
            if self.cell_of(&next, group.header.reference).as_deref() != Some(&group.reference) {
                self.pending = Some(next);
                return;
            }
            if let (Record::Line(line), Rows::Lines(lines)) = (&next, &mut group.rows) {
                // A line's cells hold at most its length and a byte: below the limit, the
                // case is within it.
                if lines.text.len() + lines.rows.len() + self.text.len() < MAX_CASE_BYTES {
                    lines.push(*line, &self.text);
                    continue;
                }
            }
            let next = match next {
                Record::Line(line) => row_of(&group.name, line, &self.text, &group.header.names),
                Record::Cells(read) => split(read),
            };
            add_cells(group, next, &mut size);
        }
    }
}

/// Add a record read into cells to `group`, whose cells so far are `size` bytes, keeping
/// the case to the size limit. Lines kept as written are read into cells first.
fn add_cells(group: &mut Group, (row, problem): (Row, Option<Diagnostic>), size: &mut usize) {
    if let Rows::Lines(lines) = &group.rows {
        let (rows, problem) = lines.cells(&group.name, &group.header.names);
        *size = rows.iter().map(Row::size).sum();
        group.rows = Rows::Cells(rows);
        if let Some(problem) = problem {
            group.problem.get_or_insert(problem);
        }
    }
    let Rows::Cells(rows) = &mut group.rows else {
        return;
    };
    *size += row.size();
    if let Some(problem) = problem {
        group.problem.get_or_insert(problem);
    }
    if *size > MAX_CASE_BYTES {
        let line = rows[0].line;
        group.problem.get_or_insert_with(|| {
            too_large(&group.name, line, &format!("case `{}`", group.reference))
        });
        return;
    }
    rows.push(row);
}

/// A line read with `read_line`, without its line end.
fn line_content(text: &str) -> &str {
    let content = text.strip_suffix('\n').unwrap_or(text);
    content.strip_suffix('\r').unwrap_or(content)
}

/// The cell of a line at `column`, as `Records` reads it (a quoted cell left open is
/// empty); `None` when the line has fewer cells, or a problem before that one.
fn reference_of(line: &str, column: usize) -> Option<Cow<'_, str>> {
    if !line.contains('"') {
        return line.split(',').nth(column).map(|c| Cow::Borrowed(c.trim()));
    }
    let mut spans = Vec::new();
    let scanned = scan(line, &mut spans, column + 1);
    let span = spans.get(column)?;
    match scanned {
        Scanned::Open if spans.len() == column + 1 => Some(Cow::Borrowed("")),
        _ => Some(span.text(line)),
    }
}

/// The references of the cases already read: one met again is a case whose rows are not
/// together, and is refused.
enum Seen<'a> {
    /// While each reference comes after the one before, in the order of text or in that of
    /// length then text (`CASE-9` before `CASE-10`), a reference after the last is new:
    /// nothing more is kept, however long the export. When both orders break, the lines
    /// before are read again from `again` (the file opened a second time) for their
    /// references, and from then on they are kept as below.
    Sorted {
        last: String,
        by_text: bool,
        by_length: bool,
        again: Box<dyn BufRead + 'a>,
    },
    /// Hashes of the references. (Eight bytes a case; a hash collision, about one in 10^8
    /// for a million cases, would refuse a good case, never pass a bad one.)
    Hashed(HashSet<u64>),
}

impl Seen<'_> {
    /// Whether `reference`, whose case starts at `line`, was met before; the references
    /// are in cell `column` of each line. `Err` if the file could not be read again.
    fn met(&mut self, reference: &str, line: usize, column: usize) -> std::io::Result<bool> {
        match self {
            Seen::Hashed(seen) => Ok(!seen.insert(hash(reference))),
            Seen::Sorted {
                last,
                by_text,
                by_length,
                again,
            } => {
                *by_text &= reference > last.as_str();
                *by_length &= (reference.len(), reference) > (last.len(), last.as_str());
                if *by_text || *by_length {
                    last.clear();
                    last.push_str(reference);
                    return Ok(false);
                }
                let mut seen = references_before(&mut **again, line, column)?;
                let met = !seen.insert(hash(reference));
                *self = Seen::Hashed(seen);
                Ok(met)
            }
        }
    }
}

/// The hashes of the references of the cases on the lines before `line` of an export read
/// from its start, as `CsvCases` reads them (a quoted cell's line breaks included).
fn references_before(
    reader: &mut dyn BufRead,
    line: usize,
    column: usize,
) -> std::io::Result<HashSet<u64>> {
    let mut seen = HashSet::new();
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut records = Records::new(Arc::from(""), Box::new(reader));
    let mut header = true;
    while let Some(record) = records.next_row() {
        let row = match record {
            Ok(row) => row,
            Err((_, error)) if error.code == Code::CaseRead => {
                return Err(std::io::Error::other(error.message));
            }
            Err((row, _)) => row,
        };
        if row.line >= line {
            break;
        }
        if std::mem::take(&mut header) {
            records.header(&row, &free_text);
            continue;
        }
        if let Some(cell) = row.cells.get(column)
            && !cell.text.is_empty()
        {
            seen.insert(hash(&cell.text));
        }
    }
    Ok(seen)
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

/// A reference or a case key as eight bytes, to tell one met again.
pub fn hash(reference: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    reference.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_originals_give_each_cells_own_text_by_its_place() {
        let originals =
            Originals::new([(5, 3, "01/01/1990"), (5, 7, ""), (6, 7, "3B,7A")].into_iter());
        assert_eq!(originals.at(5, 3), Some("01/01/1990"));
        assert_eq!(originals.at(5, 7), Some(""));
        assert_eq!(originals.at(6, 7), Some("3B,7A"));
        assert_eq!(originals.at(5, 4), None);
        assert_eq!(Originals::default().at(1, 1), None);
    }

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
            "t.csv:1:4: error[E-CSV-SYNTAX]: text after the closing quote of the cell of field 1"
        );
        assert_eq!(cells(&read[1]), vec![("d", 2, 1)]);
        let read = rows("x,\"open\n");
        assert!(
            read[0]
                .as_ref()
                .unwrap_err()
                .starts_with("t.csv:1:3: error[E-CSV-SYNTAX]: the quoted cell of field 2 starting at line 1 is not closed by the end of the file")
        );
    }

    #[test]
    fn an_unclosed_quote_gives_back_the_lines_it_took() {
        let read = rows("a,\"open\nb,1\nc,2\n");
        assert_eq!(read.len(), 3);
        assert!(
            read[0]
                .as_ref()
                .unwrap_err()
                .contains("field 2 starting at line 1")
        );
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

    /// The first record of `text` as the export's reader (`Records`) gives it.
    fn first_record(text: &str) -> Option<Result<Row, Bad>> {
        let reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(text.to_string()));
        Records::new(Arc::from("t.csv"), reader).next_row()
    }

    fn shown(read: Result<Row, Bad>) -> (Row, Option<String>) {
        match read {
            Ok(row) => (row, None),
            Err((row, error)) => (row, Some(error.to_string())),
        }
    }

    proptest::proptest! {
        /// A line read in place (`scan`, `row_of`, `reference_of`) gives the cells, places
        /// and problems that `Records` gives, for any line alone.
        #[test]
        fn a_line_read_in_place_is_read_as_records_read_it(
            chars in proptest::collection::vec(
                proptest::sample::select(vec!['a', 'b', ' ', ',', '"', 'é', '\t', '\u{3000}', '\r', '\u{b}']),
                0..24,
            )
        ) {
            let line: String = chars.into_iter().collect();
            proptest::prop_assume!(!line.ends_with('\r') && !line.trim().is_empty());
            let Some(expected) = first_record(&format!("{line}\n")) else {
                unreachable!("a line that is not blank is a record");
            };
            let (row, error) = shown(expected);
            let cells: Vec<&str> = row.cells.iter().map(|c| c.text.as_str()).collect();
            for column in 0..4 {
                let reference = reference_of(&line, column);
                proptest::prop_assert_eq!(
                    reference.as_deref(),
                    cells.get(column).copied(),
                    "column {}", column
                );
            }
            let mut spans = Vec::new();
            let open = scan(&line, &mut spans, usize::MAX) == Scanned::Open;
            proptest::prop_assert_eq!(open, error.as_ref().is_some_and(|e| e.contains("not closed")));
            let (read, problem) = row_of("t.csv", 1, &line, &[]);
            proptest::prop_assert_eq!((read, problem.map(|e| e.to_string())), (row, error));
        }
    }

    /// A case built straight from its lines is the case its cells read as a case file give,
    /// over exports of good and bad cells (two rows of a case may disagree).
    #[test]
    fn a_case_built_from_its_lines_is_the_case_its_cells_give() {
        let today = jiff::civil::date(2026, 12, 2);
        let (rules, _) = crate::rules::load(
            crate::rules::bundled_files(),
            crate::rules::Origin::Bundled,
            today,
        )
        .unwrap();
        let bank = &rules.questions;
        let pools: [&[&str]; 11] = [
            &["R1", "R2", "R3", "R 4"],
            &["salford", "", "nowhere"],
            &["2026-11-24T10:00", "", "soon", "2026-11-24T10:00:00Z"],
            &["", "1", "4", "5", "+2", "x"],
            &["A", "B", "", "A B"],
            &["", "3", "17", "18", "-1", "x"],
            &["", "yes", "no", "maybe"],
            &["", "yes", "No", "maybe", "unknown", "TRUE"],
            &["", "0", "3", "-1", "x", "99999999999"],
            &["", "yes", "no"],
            &["", "yes", "no", "\"yes\""],
        ];
        let header = "reference,area,assessed_at,recorded_level,child_id,child_age,child_unborn,\
            domestic_abuse,domestic_abuse_incidents_12m,children_witness_abuse,young_carer\n";
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut built, mut read) = (0, 0);
        for _ in 0..3000 {
            let mut text = header.to_string();
            for _ in 0..1 + next(4) {
                let row: Vec<&str> = pools.iter().map(|pool| pool[next(pool.len())]).collect();
                text += &row.join(",");
                text.push('\n');
            }
            let reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(text.clone()));
            let mut cases = CsvCases::new(Arc::from("t.csv"), reader, Arc::clone(bank));
            let items: Vec<Unit> = std::iter::from_fn(|| cases.next_item()).collect();
            let groups = items.iter().flat_map(|item| match item {
                Unit::Block(block) => block.groups().collect(),
                _ => Vec::new(),
            });
            for group in groups {
                let Rows::Lines(lines) = &group.rows else {
                    continue;
                };
                let (rows, problem) = lines.cells("t.csv", &[]);
                let slow =
                    group.read_case(&rows, problem.as_ref().or(group.problem.as_ref()), bank);
                read += usize::from(slow.is_ok());
                if group.problem.is_none()
                    && let Some(quick) = group.quick_case(lines, bank)
                {
                    built += 1;
                    assert_eq!(slow.as_ref().ok(), Some(&quick), "{text}");
                }
                let case = group.case(bank).map_err(|e| e.to_string());
                assert_eq!(case, slow.map_err(|e| e.to_string()), "{text}");
            }
        }
        assert!(
            built > 100 && built * 10 > read * 9,
            "{built} built of {read} read"
        );
    }
}
