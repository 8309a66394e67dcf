//! `threshold batch` (SPEC sections 7, 8, 10, 11): many cases at once, from files, folders
//! and standard input, to one row per case, in input order, with a summary on standard
//! error and an exit code a script can act on.
//!
//! The calling thread reads the input and writes the output (standard input and output
//! are not ours to send to another thread); workers parse, assess and render chunks of
//! cases. Chunks carry a sequence number and are written in that order; at most
//! `WINDOW_PER_JOB` chunks a worker are in flight, read but not written, so memory stays
//! the same whatever the number of cases.

mod cells;
mod csv;
mod input;
mod map;
mod output;
mod report;
mod sheet;
mod work;
mod xlsx;

pub use output::Format;

use crate::error::Diagnostic;
use crate::io::Io;
use crate::rules::RuleSet;
use crate::values::Tier;
use output::Tally;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use work::{Chunk, Done, Settings};

/// Chunks in flight per worker: enough that a worker never waits for the reader or the
/// writer, few enough that memory stays small (a chunk is about 128 KiB of input).
const WINDOW_PER_JOB: u64 = 4;

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders (searched recursively) or `-` for JSON Lines on standard input
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The area's rules to use (overrides each case's `area:`)
    #[arg(long)]
    pub area: Option<String>,
    /// The moment to assess at (overrides each case's `assessed_at`): RFC 3339, or
    /// YYYY-MM-DDTHH:MM as London time
    #[arg(long)]
    pub at: Option<String>,
    /// How to write the rows
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write the rows to FILE (it appears only when complete) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads [default: the number of cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Exit 1 if any case is at tier N (1-4) or above
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::builder::TypedValueParser::try_map(
            clap::value_parser!(u8).range(1..=4),
            Tier::try_from
        )
    )]
    pub fail_on_level: Option<Tier>,
    /// Exit 1 if the tool's level differs from any case's recorded_level
    #[arg(long)]
    pub fail_on_disagree: bool,
    /// Read CSV exports and workbooks through this map (YAML: which column holds what;
    /// see docs/batch.md)
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The sheet of each .xlsx or .ods workbook to read [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Write the audit (recorded against recommended levels, per area, with the cases
    /// behind each count) to FILE as one self-contained HTML page
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

/// Whether standard output and standard error are terminals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub stdout: bool,
    pub stderr: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        Terminal {
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }
}

/// A progress bar only where a person watches and it cannot garble anything: standard
/// error is a terminal, and the rows are not being printed on that same screen. Never in
/// a pipe or a CI log.
pub fn progress_wanted(terminal: Terminal, to_file: bool) -> bool {
    terminal.stderr && (to_file || !terminal.stdout)
}

/// Run `threshold batch`. `Ok` carries the exit code: 2 when any case could not be read
/// (after every other case was written), else 1 when a `--fail-on` condition was met,
/// else 0. `Err` is bad usage, or output that could not be written.
pub fn run(rules: &RuleSet, args: Args, io: &mut Io) -> anyhow::Result<u8> {
    let to_file = args.output.is_some();
    let settings = settings(rules, &args, io.styled && !to_file, &io.now)?;
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let downloads = args.report.as_deref().map(download_paths);
    let outputs: Vec<(&str, &std::path::Path)> =
        [("--output", &args.output), ("--report", &args.report)]
            .into_iter()
            .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
            .chain(
                downloads
                    .iter()
                    .flatten()
                    .map(|path| ("--report", path.as_path())),
            )
            .collect();
    let reads = output::Reads {
        inputs: &args.paths,
        map: args.map.as_deref(),
        rules: match &rules.origin {
            crate::rules::Origin::Local(dir) => Some(dir),
            crate::rules::Origin::Bundled => None,
        },
    };
    output::refuse_outputs(&outputs, &reads)?;
    let today = settings.at.as_ref().unwrap_or(&settings.now).date();
    let mut inputs = input::Inputs::new(args.paths, &mut *io.stdin, Arc::clone(&rules.questions))
        .with_exports(settings.map.clone(), args.sheet.clone(), today);
    if args.format == Format::Xlsx
        && !args.output.as_ref().is_some_and(|o| {
            o.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("xlsx"))
        })
    {
        return Err(Diagnostic::error(
            crate::error::Code::UsageOutput,
            "--format xlsx",
            "a workbook is written to a file: give --output FILE.xlsx",
        )
        .help("for example: threshold batch exports/ --format xlsx --output results.xlsx")
        .into());
    }
    let mut target = output::Target::open(args.output.as_deref(), &mut *io.stdout)?;
    let mut book =
        (args.format == Format::Xlsx).then(|| xlsx::Book::new("cases", xlsx::ROW_NUMBERS));
    let progress = Progress::new(progress_wanted(Terminal::detect(), to_file));
    let mut header = output::header(settings.format).to_string();
    if settings.map.is_some() && header.ends_with('\n') {
        header.pop();
        header.push_str(",map_sha256,unmapped_codes\n");
    }
    let rows: &mut dyn Write = match &mut book {
        Some(book) => book,
        None => target.writer(),
    };
    rows.write_all(header.as_bytes())?;
    let mut kept = Kept::new(
        settings.audit.then(report::Audit::default),
        args.report.as_deref().map(Downloads::open).transpose()?,
    );
    let tally = pipeline(&settings, &mut inputs, jobs, rows, &progress, &mut kept)?;
    if let Some(book) = book {
        book.finish(&mut target)?;
    }
    target.finish()?;
    drop(progress);
    let run = report::Run {
        when: crate::render::moment_label(&settings.now),
        downloads: kept.downloads.as_ref().map(Downloads::names),
        inputs: kept
            .inputs
            .iter()
            .chain(&kept.other_inputs)
            .cloned()
            .collect(),
    };
    if let (Some(path), Some(audit)) = (&args.report, &kept.audit) {
        let html = report::html(audit, &run, rules, settings.map.as_deref());
        let mut sink = std::io::sink();
        let mut file = output::Target::open(Some(path), &mut sink)?;
        file.writer().write_all(html.as_bytes())?;
        file.finish()?;
    }
    if let Some(downloads) = kept.downloads.take() {
        downloads.finish()?;
    }
    if let (Format::Summary, Some(audit)) = (settings.format, &kept.audit) {
        io.stdout.write_all(report::text(audit, &run).as_bytes())?;
    }
    let (code, reasons) = output::verdict(&tally, args.fail_on_level, args.fail_on_disagree);
    let summary = output::summary(
        rules,
        &tally,
        inputs.files,
        &inputs.notes,
        &reasons,
        &kept.first_refused,
        &kept.inputs_with_rows(),
    );
    io.stderr.write_all(summary.as_bytes())?;
    Ok(code)
}

/// Refused cases the summary on standard error names; the rest are counted.
const SUMMARY_REFUSED: usize = 10;

/// What the run keeps of the chunks as they are written: the audit, counted as it goes,
/// the report's downloads, written as they go, and the first refused cases. Its size does
/// not grow with the number of cases.
struct Kept {
    audit: Option<report::Audit>,
    downloads: Option<Downloads>,
    first_refused: Vec<String>,
    /// Each input's cases and rows, in input order; past [`INPUTS_KEPT`] inputs, the rest
    /// together (a folder of a million case files is not listed file by file).
    inputs: Vec<report::InputCount>,
    other_inputs: Option<report::InputCount>,
}

/// Inputs whose counts are kept one by one.
const INPUTS_KEPT: usize = 1000;

impl Kept {
    fn new(audit: Option<report::Audit>, downloads: Option<Downloads>) -> Kept {
        Kept {
            audit,
            downloads,
            first_refused: Vec::new(),
            inputs: Vec::new(),
            other_inputs: None,
        }
    }

    fn fold(&mut self, chunk: &Tally) -> std::io::Result<()> {
        for count in &chunk.inputs {
            let kept = self.inputs.len();
            match self.inputs.last_mut() {
                Some(last) if last.name == count.name => last.add(count),
                _ if kept < INPUTS_KEPT => self.inputs.push(count.clone()),
                _ => self
                    .other_inputs
                    .get_or_insert_with(|| report::InputCount {
                        name: "the other inputs".into(),
                        ..report::InputCount::default()
                    })
                    .add(count),
            }
        }
        for refused in &chunk.refused {
            if self.first_refused.len() < SUMMARY_REFUSED {
                // The reason names the file and place already.
                self.first_refused.push(refused.why.clone());
            }
        }
        if let Some(audit) = &mut self.audit {
            for row in &chunk.audit {
                audit.assessed(row);
            }
            for refused in &chunk.refused {
                audit.refused(refused);
            }
        }
        if let Some(downloads) = &mut self.downloads {
            let mut buffer = Vec::new();
            for row in &chunk.audit {
                report::case_line(row, &mut buffer);
            }
            downloads.cases.writer().write_all(&buffer)?;
            downloads.book.write_all(&buffer)?;
            buffer.clear();
            for refused in &chunk.refused {
                report::refused_line(refused, &mut buffer);
            }
            downloads.refused.writer().write_all(&buffer)?;
        }
        Ok(())
    }
}

impl Kept {
    /// The inputs worth a line of the summary: those with more than one case, or cases of
    /// several rows (exports and streams), at most [`SUMMARY_INPUTS`].
    fn inputs_with_rows(&self) -> Vec<String> {
        self.inputs
            .iter()
            .chain(&self.other_inputs)
            .filter(|c| {
                let cases = c.cases_assessed + c.cases_refused;
                cases > 1 || c.rows_assessed + c.rows_refused > cases || c.rows_filtered > 0
            })
            .take(SUMMARY_INPUTS)
            .map(report::InputCount::sentence)
            .collect()
    }
}

/// Inputs the summary on standard error gives a line of rows.
const SUMMARY_INPUTS: usize = 10;

/// The report's full lists, as CSV files beside it (`audit.html`: `audit-cases.csv` and
/// `audit-refused.csv`), owner-only and in place only when complete, like the report.
struct Downloads {
    cases: output::Target<'static>,
    refused: output::Target<'static>,
    /// The cases again, as a workbook (`audit-cases.xlsx`), written when complete.
    book: xlsx::Book,
    book_target: output::Target<'static>,
    /// The file names: the cases (CSV), the refused (CSV), the cases (workbook).
    names: [String; 3],
}

/// The report's downloads beside it: `audit.html` gives `audit-cases.csv`,
/// `audit-refused.csv` and `audit-cases.xlsx`.
fn download_paths(report: &std::path::Path) -> [PathBuf; 3] {
    let stem = report
        .file_stem()
        .map_or("audit".into(), |s| s.to_string_lossy().into_owned());
    ["cases.csv", "refused.csv", "cases.xlsx"]
        .map(|end| report.with_file_name(format!("{stem}-{end}")))
}

impl Downloads {
    fn open(report: &std::path::Path) -> Result<Downloads, Diagnostic> {
        let [cases, refused, book] = download_paths(report);
        let name = |path: &PathBuf| {
            path.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        };
        let names = [name(&cases), name(&refused), name(&book)];
        let open = |name: &str, header: &str| -> Result<output::Target<'static>, Diagnostic> {
            // A file target never writes to this: it is only the type's standard output.
            let unused: &'static mut std::io::Sink = Box::leak(Box::new(std::io::sink()));
            let mut target = output::Target::open(Some(&report.with_file_name(name)), unused)?;
            target.writer().write_all(header.as_bytes()).map_err(|e| {
                Diagnostic::error(
                    crate::error::Code::UsageOutput,
                    name,
                    format!("cannot write: {e}"),
                )
            })?;
            Ok(target)
        };
        let mut book = xlsx::Book::new("cases", report::CASES_NUMBERS);
        book.write_all(report::CASES_HEADER.as_bytes())
            .map_err(|e| {
                Diagnostic::error(crate::error::Code::UsageOutput, "--report", e.to_string())
            })?;
        Ok(Downloads {
            cases: open(&names[0], report::CASES_HEADER)?,
            refused: open(&names[1], report::REFUSED_HEADER)?,
            book,
            book_target: open(&names[2], "")?,
            names,
        })
    }

    fn names(&self) -> [String; 3] {
        self.names.clone()
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.cases.finish()?;
        self.refused.finish()?;
        self.book.finish(&mut self.book_target)?;
        self.book_target.finish()?;
        Ok(())
    }
}

/// The run's settings from the flags; bad flags are refused before anything is read.
fn settings<'r>(
    rules: &'r RuleSet,
    args: &Args,
    styled: bool,
    now: &jiff::ZonedDateTime,
) -> Result<Settings<'r>, Diagnostic> {
    let area = args
        .area
        .as_deref()
        .map(|id| crate::settings::area_flag(rules, id))
        .transpose()?;
    let map = args
        .map
        .as_deref()
        .map(|path| map::Map::load(path, &rules.questions).map(Arc::new))
        .transpose()?;
    let default_area = crate::settings::default_area(rules)?;
    let at = crate::settings::parse_at(args.at.as_deref(), now)?;
    Ok(Settings {
        default_area,
        map,
        audit: args.report.is_some() || args.format == Format::Summary,
        rules,
        area,
        at,
        now: now.clone(),
        format: args.format.rows(),
        styled,
    })
}

/// Read, assess on `jobs` workers, and write in input order.
fn pipeline(
    settings: &Settings,
    inputs: &mut input::Inputs,
    jobs: usize,
    out: &mut dyn Write,
    progress: &Progress,
    kept: &mut Kept,
) -> anyhow::Result<Tally> {
    let jobs = jobs.max(1);
    let (work_tx, work_rx) = mpsc::channel::<Chunk>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || work::worker(settings, work_rx, done_tx));
        }
        drop(done_tx);
        let window = WINDOW_PER_JOB * jobs as u64;
        coordinate(inputs, work_tx, done_rx, out, progress, window, kept)
    })
}

/// Keep up to `window` chunks in flight; write finished chunks as soon as every chunk
/// before them is written. Returning (on an error too) drops the channels, which stops
/// the workers.
fn coordinate(
    inputs: &mut input::Inputs,
    work: Sender<Chunk>,
    done: Receiver<Done>,
    out: &mut dyn Write,
    progress: &Progress,
    window: u64,
    kept: &mut Kept,
) -> anyhow::Result<Tally> {
    let mut sent = 0;
    let mut written = 0;
    let mut more = true;
    let mut waiting = BTreeMap::new();
    let mut tally = Tally::default();
    loop {
        while more && sent - written < window {
            match inputs.next_chunk() {
                Some(items) => {
                    work.send(Chunk { seq: sent, items })
                        .map_err(|_| anyhow::anyhow!("internal error: the workers stopped"))?;
                    sent += 1;
                }
                None => more = false,
            }
        }
        if written == sent {
            return Ok(tally);
        }
        let finished = done
            .recv()
            .map_err(|_| anyhow::anyhow!("internal error: the workers stopped"))?;
        waiting.insert(finished.seq, finished.result);
        while let Some(result) = waiting.remove(&written) {
            let (rows, counts) = result.map_err(|()| {
                anyhow::anyhow!("internal error while assessing; please report it")
            })?;
            out.write_all(&rows)?;
            tally.add(&counts);
            kept.fold(&counts)?;
            progress.advance(counts.cases);
            written += 1;
        }
    }
}

/// A spinner with the count and rate of cases, on standard error, when wanted. It is
/// drawn from the calling thread only, as rows are written: the program holds standard
/// error's lock for its whole run, so a drawing thread of its own would wait for ever.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(show: bool) -> Progress {
        Progress(show.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} {human_pos} cases  {rate}  {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{:.0}/s", state.per_sec());
                },
            );
            bar.set_style(style);
            bar.tick();
            bar
        }))
    }

    fn advance(&self, cases: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(cases);
        }
    }
}

/// The bar is cleared however the run ends (a reader that stopped early included), so no
/// stale line is left on the terminal.
impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_shows_only_on_a_terminal_not_showing_the_rows() {
        let term = |stdout, stderr| Terminal { stdout, stderr };
        assert!(progress_wanted(term(false, true), false));
        assert!(progress_wanted(term(true, true), true));
        assert!(!progress_wanted(term(true, true), false));
        assert!(!progress_wanted(term(false, false), false));
        assert!(!progress_wanted(term(false, false), true));
        assert!(!progress_wanted(term(true, false), true));
    }
}
