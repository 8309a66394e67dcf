//! A worker's job: items in, rendered rows and counts out. Each case is read with the
//! case-file reader `assess` uses (so it is refused in the same words), its area and moment
//! are chosen as `assess` chooses them, and the engine decides.

use super::cells::text_of;
use super::input::Item;
use super::output::{self, Format, Tally};
use crate::case::{self, Case};
use crate::engine;
use crate::error::{Diagnostic, Location};
use crate::rules::RuleSet;
use crate::rules::model::Area;
use crate::seek::Step;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender};

/// What every case of a run shares.
pub struct Settings<'r> {
    pub rules: &'r RuleSet,
    /// `--area`: overrides the case's own, as in `assess`.
    pub area: Option<&'r Area>,
    /// `THRESHOLD_AREA`: for a case that names no area, after `--area` and the case's own.
    pub default_area: Option<&'r Area>,
    /// `--at`: overrides the case's `assessed_at`, as in `assess`.
    pub at: Option<jiff::ZonedDateTime>,
    /// The moment for cases that give none.
    pub now: jiff::ZonedDateTime,
    pub format: Format,
    pub styled: bool,
    /// `--map`: every row says which map read the exports.
    pub map: Option<std::sync::Arc<super::map::Map>>,
    /// `--report` or `--format summary`: keep an audit row of each case.
    pub audit: bool,
}

impl Settings<'_> {
    /// How much of each result the rows and the audit read: a CSV row, a workbook's or a
    /// table's line shows only the levels and routes; JSON Lines and the audit read all.
    fn detail(&self) -> engine::Detail {
        match (self.audit, self.format) {
            (false, Format::Csv | Format::Xlsx | Format::Table) => engine::Detail::Levels,
            _ => engine::Detail::Full,
        }
    }
}

/// A chunk of work, numbered so its rows can be put back in input order.
pub struct Chunk {
    pub seq: u64,
    pub items: Vec<Item>,
}

/// A finished chunk: its rows and counts, or `Err` if the worker failed on it (a bug).
pub struct Done {
    pub seq: u64,
    pub result: Result<(Vec<u8>, Tally), ()>,
}

/// Take chunks until there are no more; send each one's rows back.
pub fn worker(settings: &Settings, work: &Mutex<Receiver<Chunk>>, done: Sender<Done>) {
    let mut moments = super::map::Moments::default();
    loop {
        let next = match work.lock() {
            Ok(work) => work.recv(),
            Err(_) => return,
        };
        let Ok(Chunk { seq, items }) = next else {
            return;
        };
        // A bug must not leave the writer waiting for this chunk for ever.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            process(settings, items, &mut moments)
        }))
        .map_err(|_| ());
        if done.send(Done { seq, result }).is_err() {
            return;
        }
    }
}

/// A chunk's rows and counts; `moments` are the worker's, kept from chunk to chunk.
fn process(
    settings: &Settings,
    items: Vec<Item>,
    moments: &mut super::map::Moments,
) -> (Vec<u8>, Tally) {
    let mut rows = Rows {
        settings,
        out: Vec::with_capacity(64 * 1024),
        tally: Tally::default(),
        input: (String::new(), 0),
        team: None,
        moments: std::mem::take(moments),
    };
    for item in items {
        rows.item(item);
    }
    *moments = rows.moments;
    (rows.out, rows.tally)
}

/// Where a case is written, to point at its area when that is missing or unknown.
enum Written<'t> {
    /// A whole file, as `assess` reads one.
    File(&'t [u8]),
    /// Part of a file (a line, a document) that starts at `first_line`; `only` when it is
    /// the file's only case (a YAML file of one document).
    Part {
        text: &'t str,
        format: case::Format,
        first_line: usize,
        only: bool,
    },
    /// A CSV case: the `area` cell of its first row.
    At(Option<Location>),
}

impl Written<'_> {
    /// The reference written in a case that was refused, if one can be read.
    fn reference(&self) -> Option<String> {
        match self {
            Written::File(bytes) => case::reference_in(std::str::from_utf8(bytes).ok()?),
            Written::Part { text, .. } => case::reference_in(text),
            Written::At(_) => None,
        }
    }

    /// Where the case writes its `area:`, found by the parser; `name` is the file's.
    fn area_at(&self, name: &str) -> Option<Location> {
        match self {
            Written::File(bytes) => case::area_at(&String::from_utf8_lossy(bytes), name),
            Written::Part {
                text,
                format,
                first_line,
                ..
            } => case::locate(text, *format, &[Step::Key("area")]).map(|mut at| {
                at.line += first_line - 1;
                at
            }),
            Written::At(at) => *at,
        }
    }

    /// Where the case starts, when it is part of a file: the place to point at when the
    /// case has no area at all.
    fn start(&self) -> Option<Location> {
        match self {
            Written::File(_) | Written::Part { only: true, .. } => None,
            Written::Part { first_line, .. } => Some(Location {
                line: *first_line,
                column: 1,
            }),
            Written::At(at) => at.map(|at| Location {
                line: at.line,
                column: 1,
            }),
        }
    }
}

struct Rows<'s, 'r> {
    settings: &'s Settings<'r>,
    out: Vec<u8>,
    tally: Tally,
    /// The input file of the case being read, and how many of its rows the case is (a CSV
    /// case may be several; a line, a document or a file is one; an input refused whole,
    /// none known).
    input: (String, u64),
    /// The team or service of the mapped case being read (the map's `columns: team`), and
    /// whether its rows named more than one: for its audit row.
    team: Option<(String, bool)>,
    /// The moments of the assessment dates of the mapped cases read last.
    moments: super::map::Moments,
}

impl Rows<'_, '_> {
    fn item(&mut self, item: Item) {
        let start = self.out.len();
        // A foreign export's case is read through the map here, on a worker: straight from
        // its foreign cells where it can be, else made our rows first.
        let item = match item {
            Item::Mapped(pending) => {
                match pending.quick(&self.settings.rules.questions, &mut self.moments) {
                    Some(quick) => {
                        let codes = self.quick(quick);
                        if let Some(map) = &self.settings.map {
                            let format = self.settings.format;
                            super::map::append(format, &mut self.out, start, map, &codes);
                        }
                        return;
                    }
                    None => Item::Csv(pending.group()),
                }
            }
            item => item,
        };
        let codes = match &item {
            Item::Csv(group) => group.codes().to_vec(),
            _ => Vec::new(),
        };
        self.read_item(item);
        if let Some(map) = &self.settings.map {
            super::map::append(self.settings.format, &mut self.out, start, map, &codes);
        }
    }

    fn read_item(&mut self, item: Item) {
        let bank = &self.settings.rules.questions;
        match item {
            Item::Lines {
                name,
                first_line,
                bytes,
            } => self.lines(&name, first_line, &bytes),
            Item::File { name, bytes } => {
                self.input = (name.to_string(), 1);
                let read = case::read(&bytes, &name, bank);
                self.case(&name, &name, read, Written::File(&bytes), None);
            }
            Item::Document {
                name,
                number,
                first_line,
                bytes,
            } => {
                let source = match number {
                    Some(n) => format!("{name}#{n}"),
                    None => name.to_string(),
                };
                self.input = (name.to_string(), 1);
                match text_of(&bytes, &name, first_line) {
                    Ok(text) => {
                        let read = parse_part(text, case::Format::Yaml, &name, first_line, bank);
                        let written = Written::Part {
                            text,
                            format: case::Format::Yaml,
                            first_line,
                            only: number.is_none(),
                        };
                        self.case(&source, &name, read, written, None);
                    }
                    Err(error) => self.failed(&source, None, &error),
                }
            }
            Item::Csv(group) => self.csv(&group),
            Item::CsvBlock(block) => block.groups().for_each(|group| self.csv(&group)),
            Item::Mapped(pending) => self.csv(&pending.group()),
            Item::Failed { source, error } => {
                self.input = input_of(&source);
                self.failed(&source, None, &error)
            }
        }
    }

    fn csv(&mut self, group: &super::csv::Group) {
        self.input = (group.name().to_string(), group.rows() as u64);
        // A file whose every row the map filtered out: its rows counted, no case.
        if group.rows() == 0 {
            self.tally.filtered(&self.input, group.filtered());
            return;
        }
        let read = group.case(&self.settings.rules.questions);
        let written = Written::At(group.area_at());
        self.team = group.team().cloned();
        self.case(
            &group.source(),
            group.name(),
            read,
            written,
            group.reference(),
        );
        self.team = None;
        if group.filtered() > 0 {
            self.tally.filtered(&self.input, group.filtered());
        }
    }

    /// A mapped case read straight from its foreign cells, as `csv` reads its group; its
    /// factor codes that no question takes are given back, for its row.
    fn quick(&mut self, quick: super::map::Quick) -> Vec<String> {
        self.input = (quick.name.to_string(), quick.rows as u64);
        self.team = quick.team;
        let reference = (!quick.reference.is_empty()).then_some(quick.reference.as_str());
        self.case(
            &quick.source,
            &quick.name,
            Ok(quick.case),
            Written::At(quick.area_at),
            reference,
        );
        self.team = None;
        if quick.filtered > 0 {
            self.tally.filtered(&self.input, quick.filtered);
        }
        quick.codes
    }

    /// Each non-blank line of a block of JSON Lines is a case.
    fn lines(&mut self, name: &str, first_line: usize, bytes: &[u8]) {
        let bank = &self.settings.rules.questions;
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', bytes)
            .chain((bytes.last() != Some(&b'\n')).then_some(bytes.len()));
        for (index, end) in ends.enumerate() {
            let line = &bytes[start..end];
            start = end + 1;
            if line.trim_ascii().is_empty() {
                continue;
            }
            let number = first_line + index;
            let source = format!("{name}:{number}");
            self.input = (name.to_string(), 1);
            match text_of(line, name, number) {
                Ok(text) => {
                    // Every error names its line, even one the parser gives no place.
                    let read = parse_part(text, case::Format::Json, name, number, bank).map_err(
                        |mut error| {
                            error.location.get_or_insert(Location {
                                line: number,
                                column: 1,
                            });
                            error
                        },
                    );
                    let written = Written::Part {
                        text,
                        format: case::Format::Json,
                        first_line: number,
                        only: false,
                    };
                    self.case(&source, name, read, written, None);
                }
                Err(error) => self.failed(&source, None, &error),
            }
        }
    }

    /// Assess a case that was read, or give the row of one that was not.
    fn case(
        &mut self,
        source: &str,
        name: &str,
        read: Result<Case, Diagnostic>,
        written: Written,
        reference: Option<&str>,
    ) {
        let mut case = match read {
            Ok(case) => case,
            Err(error) => {
                let recovered = match reference {
                    Some(_) => None,
                    None => written.reference(),
                };
                return self.failed(source, reference.or(recovered.as_deref()), &error);
            }
        };
        let area = match area_of(self.settings, &case, name, &written) {
            Ok(area) => area,
            Err(error) => return self.failed(source, case.reference.as_deref(), &error),
        };
        let settings = self.settings;
        // --at stands for the assessment time too; the contacts are for the moment of
        // reading (--at, else now).
        if let Some(at) = &settings.at {
            case.assessed_at = Some(at.clone());
        }
        let moment = settings.at.as_ref().unwrap_or(&settings.now);
        let outcome = engine::assess_to(
            area,
            &settings.rules.questions,
            &case,
            moment,
            settings.detail(),
        );
        self.tally.assessed(&outcome, &self.input);
        if settings.audit {
            let mut row = super::report::row(source, &outcome, &settings.rules.questions);
            if let Some((team, differ)) = &self.team {
                row.team = Some(team.clone());
                row.teams_differ = *differ;
            }
            self.tally.audit.push(row);
        }
        output::assessed(
            settings.format,
            settings.rules,
            source,
            &outcome,
            settings.styled,
            &mut self.out,
        );
    }

    fn failed(&mut self, source: &str, reference: Option<&str>, error: &Diagnostic) {
        self.tally.failed(source, reference, error, &self.input);
        output::failed(
            self.settings.format,
            self.settings.rules,
            source,
            reference,
            error,
            self.settings.styled,
            &mut self.out,
        );
    }
}

/// The input file of a case refused before it was read, and its rows: `export.jsonl:3`
/// and `stream.yaml#2` are one line or document of the file; a bare name is the whole
/// file, refused before any row was read (rows not known).
fn input_of(source: &str) -> (String, u64) {
    let part = source.rfind([':', '#']).filter(|&at| {
        at + 1 < source.len() && source[at + 1..].bytes().all(|b| b.is_ascii_digit())
    });
    match part {
        Some(at) => (source[..at].to_string(), 1),
        None => (source.to_string(), 0),
    }
}

/// The area's rules to use, chosen as `assess` chooses ([`crate::settings::resolve_area`]),
/// refused in the words `assess` uses when there is none or it is unknown.
fn area_of<'r>(
    settings: &Settings<'r>,
    case: &Case,
    name: &str,
    written: &Written,
) -> Result<&'r Area, Diagnostic> {
    crate::settings::resolve_area(
        settings.rules,
        settings.area,
        case.area.as_deref(),
        || Ok(settings.default_area),
        name,
        || written.area_at(name),
    )?
    .ok_or_else(|| crate::settings::no_area(settings.rules, name, written.start()))
}

/// Parse a case that is part of a larger file (a line, a document) starting at
/// `first_line`, with every location counted in the whole file.
///
/// A good case is read straight into `Case` (the same deserializer and checks as
/// `case::parse`, which also works out where each child is written in case it must point
/// at one: a fifth of the time of a batch). Only a case that fails is read again by
/// `case::parse`, for the located error `assess` would give.
fn parse_part(
    text: &str,
    format: case::Format,
    name: &str,
    first_line: usize,
    bank: &std::sync::Arc<crate::question::QuestionBank>,
) -> Result<Case, Diagnostic> {
    let good = crate::question::with_bank(bank, || match format {
        case::Format::Json => serde_json::from_str::<Case>(text).ok(),
        case::Format::Yaml => crate::yaml::from_str::<Case>(text).ok(),
    });
    // The fast path skips only the locating: a case whose answers cannot all apply is read
    // again below, for the located refusal.
    if let Some(case) = good
        && case::not_applicable(&case, bank).is_none()
    {
        return Ok(case);
    }
    case::parse(text, format, name, bank).map_err(|mut error| {
        if let Some(at) = &mut error.location {
            at.line += first_line - 1;
        }
        error
    })
}

#[cfg(test)]
mod tests {
    use super::input_of;

    #[test]
    fn a_refused_line_or_document_is_one_row_of_its_file() {
        assert_eq!(input_of("s.jsonl:3"), ("s.jsonl".to_string(), 1));
        assert_eq!(input_of("s.yaml#2"), ("s.yaml".to_string(), 1));
        assert_eq!(input_of("export.csv"), ("export.csv".to_string(), 0));
        assert_eq!(
            input_of("C:\\data\\x.csv"),
            ("C:\\data\\x.csv".to_string(), 0)
        );
        assert_eq!(input_of("odd:name"), ("odd:name".to_string(), 0));
    }
}
