//! What `batch` writes: one row per case in CSV, JSON Lines or a table; the counts behind
//! the summary on standard error and the exit code; and the output file, written under a
//! temporary name and renamed when complete, so it is never left half written.

use super::cells::csv_cell;
use crate::engine::Outcome;
use crate::error::Diagnostic;
use crate::render;
use crate::rules::RuleSet;
use crate::values::Tier;
use serde::Serialize;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per case, stable columns (see docs/batch.md)
    Csv,
    /// One JSON object per line: the `assess --format json` result plus `source`
    Jsonl,
    /// One line per case, for reading on a screen
    Table,
    /// No rows: the audit (recorded against recommended levels, per area) as text
    Summary,
    /// The CSV rows as an Excel workbook (needs --output FILE.xlsx)
    Xlsx,
}

impl Format {
    /// How the workers render each row: a workbook is made of the CSV rows.
    pub fn rows(self) -> Format {
        match self {
            Format::Xlsx => Format::Csv,
            other => other,
        }
    }
}

/// The CSV columns. A contract like the JSON result: add columns at the end, never
/// rename, remove or reorder one. `rules_origin` is `bundled`, or `local` for rules
/// from `--rules DIR` (the summary names the folder). `error_code` is the stable code of
/// `error` (docs/case-files.md, "Error codes"), empty on a row that was assessed.
pub const CSV_HEADER: &str = "reference,source,area,tier,level_name,emergency,routes,could_reach,recorded_level,agrees,error,rules_origin,error_code\n";

/// What goes before the first row.
pub fn header(format: Format) -> &'static str {
    match format {
        Format::Csv => CSV_HEADER,
        Format::Xlsx => header(Format::Csv),
        Format::Jsonl | Format::Table | Format::Summary => "",
    }
}

/// The row of a case that was assessed.
pub fn assessed(
    format: Format,
    rules: &RuleSet,
    source: &str,
    outcome: &Outcome,
    styled: bool,
    out: &mut Vec<u8>,
) {
    match format {
        // A workbook is made of the CSV rows (`Format::rows`).
        Format::Csv | Format::Xlsx => csv_assessed(rules, source, outcome, out),
        Format::Jsonl => {
            let line = JsonAssessed {
                source,
                rules_origin: rules.origin.label(),
                result: render::json::result(rules, outcome),
            };
            json_line(&line, out);
        }
        Format::Table => table_assessed(rules, source, outcome, styled, out),
        Format::Summary => {}
    }
}

/// The row of a case that could not be read (or has no area): where it is, and why.
pub fn failed(
    format: Format,
    rules: &RuleSet,
    source: &str,
    reference: Option<&str>,
    error: &Diagnostic,
    styled: bool,
    out: &mut Vec<u8>,
) {
    let code = error.code.as_str();
    let error = error.one_line();
    match format {
        Format::Csv | Format::Xlsx => {
            let mut cells = [""; 13];
            cells[0] = reference.unwrap_or_default();
            cells[1] = source;
            cells[10] = &error;
            cells[11] = rules.origin.label();
            cells[12] = code;
            csv_row(&cells, out);
        }
        Format::Jsonl => {
            let line = JsonFailed {
                schema: 1,
                source,
                reference,
                error: &error,
                rules_origin: rules.origin.label(),
                error_code: code,
            };
            json_line(&line, out);
        }
        Format::Summary => {}
        Format::Table => {
            let label = emphasis("NOT READ", styled);
            let source = render::shown(source);
            let local = local_mark(rules);
            let _ = writeln!(out, "{source}  {label}{local}  {error}");
        }
    }
}

/// One JSON Lines row. serde_json escapes control characters; the invisible ones that
/// could disguise text on a terminal (bidirectional overrides, zero-width spaces) are
/// escaped as `\uXXXX` too, which reads back as the same string.
fn json_line(row: &impl Serialize, out: &mut Vec<u8>) {
    let start = out.len();
    serde_json::to_writer(&mut *out, row).expect("the row serialises");
    let written = std::str::from_utf8(&out[start..]).expect("serde_json writes UTF-8");
    if written.chars().any(threshold_model::text::is_unsafe) {
        let mut escaped = String::with_capacity(written.len() + 16);
        for c in written.chars() {
            if threshold_model::text::is_unsafe(c) {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    escaped.push_str(&format!("\\u{unit:04x}"));
                }
            } else {
                escaped.push(c);
            }
        }
        out.truncate(start);
        out.extend_from_slice(escaped.as_bytes());
    }
    out.push(b'\n');
}

/// On a table row, what says the row's rules were a local copy.
fn local_mark(rules: &RuleSet) -> &'static str {
    match rules.origin {
        crate::rules::Origin::Local(_) => "  LOCAL rules",
        crate::rules::Origin::Bundled => "",
    }
}

#[derive(Serialize)]
struct JsonAssessed<'a> {
    source: &'a str,
    rules_origin: &'static str,
    #[serde(flatten)]
    result: render::json::Result<'a>,
}

#[derive(Serialize)]
struct JsonFailed<'a> {
    schema: u8,
    source: &'a str,
    reference: Option<&'a str>,
    error: &'a str,
    rules_origin: &'static str,
    error_code: &'static str,
}

/// The highest tier any child could reach; `None` with no children.
fn could_reach(outcome: &Outcome) -> Option<Tier> {
    outcome.children.iter().map(|c| c.could_reach).max()
}

fn csv_assessed(rules: &RuleSet, source: &str, outcome: &Outcome, out: &mut Vec<u8>) {
    let mut line = CsvLine::new(out);
    line.cell(outcome.case.reference.as_deref().unwrap_or_default());
    line.cell(source);
    line.cell(&outcome.area.id);
    line.tier(outcome.overall);
    line.cell(
        &outcome
            .overall
            .map(|t| outcome.area.level_name(t))
            .unwrap_or_default(),
    );
    line.cell(if outcome.emergency { "true" } else { "false" });
    line.list(outcome.routes.iter().map(|r| r.route.id.as_str()));
    line.tier(could_reach(outcome));
    line.tier(outcome.case.recorded_level);
    line.cell(match outcome.agrees() {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    });
    line.cell("");
    line.cell(rules.origin.label());
    line.cell("");
    line.out.push(b'\n');
}

fn csv_row(cells: &[&str], out: &mut Vec<u8>) {
    let mut line = CsvLine::new(out);
    for cell in cells {
        line.cell(cell);
    }
    line.out.push(b'\n');
}

/// A CSV line written cell by cell straight into the output (a batch writes millions).
struct CsvLine<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> CsvLine<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        CsvLine { out, first: true }
    }

    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
    }

    fn cell(&mut self, text: &str) {
        self.separate();
        csv_cell(text, self.out);
    }

    fn tier(&mut self, tier: Option<Tier>) {
        self.separate();
        if let Some(tier) = tier {
            // One digit: a tier is 1 to 4.
            self.out.push(b'0' + tier.get());
        }
    }

    /// Words (ids) separated by spaces, as one cell.
    fn list<'a>(&mut self, words: impl Iterator<Item = &'a str>) {
        let words: Vec<&str> = words.collect();
        self.cell(&words.join(" "));
    }
}

fn emphasis(text: &str, styled: bool) -> String {
    if styled {
        console::style(text)
            .bold()
            .red()
            .force_styling(true)
            .to_string()
    } else {
        text.to_string()
    }
}

fn table_assessed(
    rules: &RuleSet,
    source: &str,
    outcome: &Outcome,
    styled: bool,
    out: &mut Vec<u8>,
) {
    let area = outcome.area;
    let mut parts = vec![
        render::shown(source).into_owned(),
        outcome
            .case
            .reference
            .as_deref()
            .map_or_else(|| "-".into(), |r| render::shown(r).into_owned()),
        area.name.clone(),
        match outcome.overall {
            Some(tier) => render::level_label(area, tier),
            None => "no children recorded".into(),
        },
    ];
    if let (Some(reach), Some(tier)) = (could_reach(outcome), outcome.overall)
        && reach > tier
    {
        parts.push(format!("could reach {reach}"));
    }
    if outcome.emergency {
        parts.push(emphasis("EMERGENCY: ring 999 first", styled));
    }
    if let Some(recorded) = outcome.case.recorded_level {
        let verdict = match outcome.overall.map(|tier| tier.cmp(&recorded)) {
            Some(std::cmp::Ordering::Equal) => "agrees",
            Some(std::cmp::Ordering::Greater) => "the tool is higher",
            Some(std::cmp::Ordering::Less) => "the tool is lower",
            None => "no children to compare",
        };
        parts.push(format!("recorded {recorded}: {verdict}"));
    }
    let _ = writeln!(out, "{}{}", parts.join("  "), local_mark(rules));
}

/// The counts behind the summary and the exit code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub cases: u64,
    /// Cases by household tier 1-4.
    pub tiers: [u64; 4],
    pub no_children: u64,
    pub emergencies: u64,
    /// Cases with a recorded level and children: the tool agrees, is higher, is lower.
    pub agree: u64,
    pub tool_higher: u64,
    pub tool_lower: u64,
    /// Of `tool_lower`: cases where answers not known could explain the difference (the
    /// recorded level is within what the unknowns could reach): missing data, apart from
    /// a real disagreement.
    pub lower_unknowns_explain: u64,
    /// Cases that could not be read or assessed.
    pub errors: u64,
    /// Of one chunk, for `--report` and `--format summary`: what the audit keeps of each
    /// assessed case. The run folds them into its [`super::report::Audit`] as the chunks
    /// are written, so a run's tally never holds them all.
    pub audit: Vec<super::report::AuditRow>,
    /// Of one chunk: each case that could not be read or assessed, and why.
    pub refused: Vec<super::report::Refused>,
    /// Of one chunk: the cases and rows of each input file, in input order.
    pub inputs: Vec<super::report::InputCount>,
}

impl Tally {
    /// The input's count for a case of `input` (its name, and its rows).
    fn input(&mut self, input: &(String, u64)) -> &mut super::report::InputCount {
        if self.inputs.last().is_none_or(|last| last.name != input.0) {
            self.inputs.push(super::report::InputCount {
                name: input.0.clone(),
                ..super::report::InputCount::default()
            });
        }
        let last = self.inputs.len() - 1;
        &mut self.inputs[last]
    }

    pub fn assessed(&mut self, outcome: &Outcome, input: &(String, u64)) {
        let count = self.input(input);
        count.cases_assessed += 1;
        count.rows_assessed += input.1;
        self.cases += 1;
        match outcome.overall {
            Some(tier) => self.tiers[tier.index()] += 1,
            None => self.no_children += 1,
        }
        self.emergencies += u64::from(outcome.emergency);
        if let (Some(recorded), Some(tier)) = (outcome.case.recorded_level, outcome.overall) {
            match tier.cmp(&recorded) {
                std::cmp::Ordering::Equal => self.agree += 1,
                std::cmp::Ordering::Greater => self.tool_higher += 1,
                std::cmp::Ordering::Less => {
                    self.tool_lower += 1;
                    let reach = outcome.children.iter().map(|c| c.could_reach).max();
                    if reach.is_some_and(|r| r >= recorded) {
                        self.lower_unknowns_explain += 1;
                    }
                }
            }
        }
    }

    /// Rows of `input` a map filtered out.
    pub fn filtered(&mut self, input: &(String, u64), rows: u64) {
        self.input(input).rows_filtered += rows;
    }

    pub fn failed(
        &mut self,
        source: &str,
        reference: Option<&str>,
        error: &Diagnostic,
        input: &(String, u64),
    ) {
        let count = self.input(input);
        count.cases_refused += 1;
        count.rows_refused += input.1;
        self.cases += 1;
        self.errors += 1;
        self.refused.push(super::report::Refused {
            source: source.to_string(),
            reference: reference.map(str::to_string),
            why: error.one_line(),
        });
    }

    pub fn add(&mut self, other: &Tally) {
        self.cases += other.cases;
        for (mine, theirs) in self.tiers.iter_mut().zip(other.tiers) {
            *mine += theirs;
        }
        self.no_children += other.no_children;
        self.emergencies += other.emergencies;
        self.agree += other.agree;
        self.tool_higher += other.tool_higher;
        self.tool_lower += other.tool_lower;
        self.lower_unknowns_explain += other.lower_unknowns_explain;
        self.errors += other.errors;
    }

    fn at_or_above(&self, tier: Tier) -> u64 {
        self.tiers[tier.index()..].iter().sum()
    }
}

/// The exit code (SPEC section 10) and why, in words. Unreadable input (2) comes before a
/// `--fail-on` condition (1): a script must learn that the audit is incomplete before it
/// trusts what the audit found.
pub fn verdict(
    tally: &Tally,
    fail_on_level: Option<Tier>,
    fail_on_disagree: bool,
) -> (u8, Vec<String>) {
    let mut reasons = Vec::new();
    let mut code = 0;
    if tally.errors > 0 {
        code = 2;
        reasons.push(format!("exit 2: {} could not be read", cases(tally.errors)));
    }
    if let Some(tier) = fail_on_level
        && tally.at_or_above(tier) > 0
    {
        code = code.max(1);
        reasons.push(format!(
            "--fail-on-level {tier}: {} at tier {tier} or above",
            cases(tally.at_or_above(tier))
        ));
    }
    let disagree = tally.tool_higher + tally.tool_lower;
    if fail_on_disagree && disagree > 0 {
        code = code.max(1);
        reasons.push(format!(
            "--fail-on-disagree: {} where the tool and the recorded level differ",
            cases(disagree)
        ));
    }
    (code, reasons)
}

fn cases(n: u64) -> String {
    if n == 1 {
        "1 case".into()
    } else {
        format!("{n} cases")
    }
}

/// The summary for standard error: short, the same words every time.
pub fn summary(
    rules: &RuleSet,
    tally: &Tally,
    inputs: u64,
    notes: &[String],
    reasons: &[String],
    first_refused: &[String],
    input_rows: &[String],
) -> String {
    let assessed = tally.cases - tally.errors;
    let inputs = if inputs == 1 {
        "1 input".to_string()
    } else {
        format!("{inputs} inputs")
    };
    let mut text = format!(
        "batch: {} from {inputs}: {assessed} assessed, {} not read\n",
        cases(tally.cases),
        tally.errors
    );
    for line in input_rows {
        text += &format!("  {line}\n");
    }
    let [t1, t2, t3, t4] = tally.tiers;
    text += &format!(
        "  tier 1: {t1}  tier 2: {t2}  tier 3: {t3}  tier 4: {t4}  no children recorded: {}\n",
        tally.no_children
    );
    text += &format!("  emergency (999 first): {}\n", tally.emergencies);
    text += &format!(
        "  recorded level: {} agree, the tool is higher in {} and lower in {} ({} differ; in {} answers not known could explain it)\n",
        tally.agree,
        tally.tool_higher,
        tally.tool_lower,
        tally.tool_lower - tally.lower_unknowns_explain,
        tally.lower_unknowns_explain
    );
    if let crate::rules::Origin::Local(dir) = &rules.origin {
        text += &format!(
            "  LOCAL rules from {}, sha256 {}\n",
            render::shown(&dir.display().to_string()),
            &rules.sha256[..12]
        );
    }
    for line in notes.iter().chain(reasons) {
        text += &format!("  {}\n", render::shown(line));
    }
    for refused in first_refused {
        text += &format!("  not read: {}\n", render::shown(refused));
    }
    if tally.errors > first_refused.len() as u64 {
        text += &format!(
            "  ({} more not read: each has its row, with why)\n",
            tally.errors - first_refused.len() as u64
        );
    }
    text
}

/// Where the rows go: standard output, or a file that appears only when complete.
pub enum Target<'a> {
    Stdout(&'a mut dyn Write),
    /// A device or a pipe (`/dev/null`, a named pipe): written as it is, since it cannot
    /// be replaced by a rename (and must not be).
    Special(BufWriter<std::fs::File>),
    File {
        path: PathBuf,
        temp: BufWriter<tempfile::NamedTempFile>,
    },
}

/// Temporary output files not yet put in place: removed if the run is stopped (Ctrl-C, or
/// SIGTERM or SIGHUP on Unix), as they are on an error (a `NamedTempFile` removes itself
/// when dropped).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// On Ctrl-C, SIGTERM or SIGHUP (ctrlc's `termination`): remove the temporary files, then
/// stop with exit code 2 (not done). Nothing is written: the main thread may hold standard
/// error's lock.
fn remove_temporaries_on_interrupt() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // Another handler already installed (only in a program that runs twice) keeps
        // its own behaviour; the files are still removed on every other way out.
        let _ = ctrlc::set_handler(|| {
            for path in pending().drain(..) {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(2);
        });
    });
}

/// What a path names, to tell whether two names are one file: the device and inode of a
/// file that exists (a hard link, a symbolic link or another spelling is the same file),
/// else its canonical path, or, for a file not made yet, its canonical folder and name.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        return Some(Identity::Inode(meta.dev(), meta.ino()));
    }
    if let Ok(path) = std::fs::canonicalize(path) {
        return Some(Identity::Path(path));
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let folder = std::fs::canonicalize(folder).ok()?;
    Some(Identity::Path(folder.join(path.file_name()?)))
}

/// Whether `inner` is inside the folder `folder` (either may not exist yet: the nearest
/// folder that does is compared).
fn inside(inner: &Path, folder: &Path) -> bool {
    let Ok(folder) = std::fs::canonicalize(folder) else {
        return false;
    };
    let mut below = PathBuf::new();
    for ancestor in inner.ancestors() {
        let ancestor = match ancestor.as_os_str().is_empty() {
            true => Path::new("."),
            false => ancestor,
        };
        if let Ok(real) = std::fs::canonicalize(ancestor) {
            return real.join(below).starts_with(&folder);
        }
        if let Some(name) = ancestor.file_name() {
            below = Path::new(name).join(below);
        }
    }
    false
}

/// What a run reads, which its outputs must never replace.
pub struct Reads<'a> {
    pub inputs: &'a [PathBuf],
    pub map: Option<&'a Path>,
    /// The folder of local rules (`--rules DIR`).
    pub rules: Option<&'a Path>,
}

/// Refuse an output (`--output`, `--report`: `outputs` with their flags) that is one of
/// the inputs, a case file inside an input folder, the map, inside the rules folder, or
/// the other output, by file identity whatever the spelling: the results would replace
/// what they were read from, or each other.
pub fn refuse_outputs(outputs: &[(&str, &Path)], reads: &Reads) -> Result<(), Diagnostic> {
    let refuse = |flag: &str, output: &Path, what: String| {
        Diagnostic::error(
            crate::error::Code::UsageOutput,
            flag,
            format!(
                "the output {} is {what}: the results would replace it",
                output.display()
            ),
        )
        .help("write the results to another file, outside the folders being read")
    };
    for (index, (flag, output)) in outputs.iter().enumerate() {
        let mine = identity(output);
        if let Some(rules) = reads.rules
            && inside(output, rules)
        {
            let what = format!("inside the rules folder {}", rules.display());
            return Err(refuse(flag, output, what));
        }
        for (other_flag, other) in &outputs[..index] {
            if mine.is_some() && mine == identity(other) {
                return Err(Diagnostic::error(
                    crate::error::Code::UsageOutput,
                    *flag,
                    format!(
                        "{flag} {} and {other_flag} {} are the same file: one would replace \
                         the other",
                        output.display(),
                        other.display()
                    ),
                )
                .help("give each its own name, for example audit.csv and audit.html"));
            }
        }
        // A device or a pipe (`/dev/null`) is written as it is, never replaced.
        if std::fs::metadata(output).is_ok_and(|m| !m.is_file()) {
            continue;
        }
        if let Some(map) = reads.map
            && mine.is_some()
            && mine == identity(map)
        {
            return Err(refuse(flag, output, format!("the map {}", map.display())));
        }
        for input in reads.inputs {
            if mine.is_some() && mine == identity(input) {
                let what = format!("the input {}", input.display());
                return Err(refuse(flag, output, what));
            }
            if std::fs::metadata(input).is_ok_and(|m| m.is_dir())
                && super::input::is_case_path(output)
                && inside(output, input)
            {
                let what = format!("a case file inside the input folder {}", input.display());
                return Err(refuse(flag, output, what));
            }
        }
    }
    Ok(())
}

impl<'a> Target<'a> {
    /// The temporary file is made beside `path` (so the rename is atomic) with a hidden
    /// name, and only you may read it, as suits case data. It is removed if the run
    /// fails or is interrupted.
    pub fn open(
        output: Option<&Path>,
        stdout: &'a mut dyn Write,
    ) -> Result<Target<'a>, Diagnostic> {
        let Some(path) = output else {
            return Ok(Target::Stdout(stdout));
        };
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| cannot_write(path, &e))?;
            return Ok(Target::Special(BufWriter::with_capacity(1 << 16, file)));
        }
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        remove_temporaries_on_interrupt();
        let mut pending = pending();
        let temp = tempfile::Builder::new()
            .prefix(".threshold-batch-")
            .tempfile_in(folder)
            .map_err(|e| cannot_write(path, &e))?;
        pending.push(temp.path().to_path_buf());
        drop(pending);
        Ok(Target::File {
            path: path.to_path_buf(),
            temp: BufWriter::with_capacity(1 << 16, temp),
        })
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Target::Stdout(out) => *out,
            Target::Special(file) => file,
            Target::File { temp, .. } => temp,
        }
    }

    /// The temporary file itself, for a writer that must seek (a workbook), when the
    /// output is a file: what was written is flushed first.
    pub fn seekable(&mut self) -> std::io::Result<Option<&mut std::fs::File>> {
        match self {
            Target::File { temp, .. } => {
                temp.flush()?;
                Ok(Some(temp.get_mut().as_file_mut()))
            }
            Target::Stdout(_) | Target::Special(_) => Ok(None),
        }
    }

    /// Make the output complete: flush it, and put the file in place.
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Target::Stdout(out) => Ok(out.flush()?),
            Target::Special(mut file) => Ok(file.flush()?),
            Target::File { path, temp } => {
                let temp = temp
                    .into_inner()
                    .map_err(|e| cannot_write(&path, e.error()))?;
                temp.as_file()
                    .sync_all()
                    .map_err(|e| cannot_write(&path, &e))?;
                // Held while the file is put in place, so an interrupt removes the
                // temporary file either before or not at all.
                let mut pending = pending();
                let name = temp.path().to_path_buf();
                pending.retain(|p| *p != name);
                temp.persist(&path)
                    .map_err(|e| cannot_write(&path, &e.error))?;
                Ok(())
            }
        }
    }
}

fn cannot_write(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        crate::error::Code::OutputWrite,
        path.display().to_string(),
        format!("cannot write the output: {e}"),
    )
    .help("check that the folder exists and that you may write to it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_line_escapes_what_could_disguise_it_and_reads_back_the_same() {
        let mut out = Vec::new();
        let text = "R\u{202e}1\u{200b}\u{1b}[2J";
        json_line(&serde_json::json!({ "reference": text }), &mut out);
        let line = String::from_utf8(out).unwrap();
        assert!(
            !line
                .trim_end()
                .chars()
                .any(threshold_model::text::is_unsafe),
            "{line}"
        );
        assert!(line.contains("\\u202e"), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["reference"], text);
    }

    /// A CSV row and a table line are made from a result worked out only as far as they
    /// read (`engine::Detail::Levels`): each must be what the whole result gives, for every
    /// example case in every area, as written and with every answer not known (the
    /// unknowns' paths), in hours and out of them. A row that starts reading something the
    /// lighter result leaves out fails here.
    #[test]
    fn a_row_from_the_levels_alone_is_the_row_of_the_whole_result() {
        let rules = crate::rules::bundled().unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cases");
        let mut cases = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("yaml") => crate::case::Format::Yaml,
                Some("json") => crate::case::Format::Json,
                _ => continue,
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let case = crate::case::parse(&text, format, "example", &rules.questions).unwrap();
            let mut unknown = case.clone();
            unknown.answers = crate::question::Answers::unknown(rules.questions.len());
            for child in &mut unknown.children {
                child.answers = crate::question::Answers::unknown(rules.questions.len());
            }
            cases.extend([case, unknown]);
        }
        assert!(cases.len() >= 20, "{} cases", cases.len());
        // A Tuesday morning, and a Saturday night.
        let moments = ["2026-11-24T10:00", "2026-11-28T23:30"];
        for area in rules.areas.iter() {
            for case in &cases {
                for at in moments {
                    let at = crate::hours::parse_moment(at).unwrap();
                    let full = crate::engine::assess(area, &rules.questions, case, &at);
                    let levels = crate::engine::assess_to(
                        area,
                        &rules.questions,
                        case,
                        &at,
                        crate::engine::Detail::Levels,
                    );
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    csv_assessed(&rules, "x", &full, &mut a);
                    csv_assessed(&rules, "x", &levels, &mut b);
                    table_assessed(&rules, "x", &full, false, &mut a);
                    table_assessed(&rules, "x", &levels, false, &mut b);
                    assert_eq!(
                        String::from_utf8(a).unwrap(),
                        String::from_utf8(b).unwrap(),
                        "{} {:?}",
                        area.id,
                        case.reference
                    );
                }
            }
        }
    }

    #[test]
    fn cells_are_quoted_only_when_they_must_be() {
        let mut out = Vec::new();
        csv_row(&["plain", "a,b", "say \"hi\"", ""], &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\n"
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        let mut out = Vec::new();
        csv_row(
            &[
                "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=\"a\"", "a=b",
            ],
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"'=1+1\",\"'+1\",\"'-1\",\"'@SUM(A1)\",\\tx,\\rx,\"'=\"\"a\"\"\",a=b\n"
        );
    }

    #[test]
    fn cells_hold_no_character_that_acts_on_a_terminal() {
        let mut out = Vec::new();
        csv_row(
            &["a\u{1b}[2Jb", "two\nlines", "\u{202e}fdp.exe", "a,\u{9b}"],
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\\u{1b}[2Jb,two\\nlines,\\u{202e}fdp.exe,\"a,\\u{9b}\"\n"
        );
    }

    #[test]
    fn unreadable_input_outranks_a_fail_on_condition() {
        let mut tally = Tally {
            cases: 3,
            tiers: [0, 0, 1, 1],
            tool_higher: 1,
            errors: 1,
            ..Tally::default()
        };
        assert_eq!(verdict(&tally, Some(Tier::Four), true).0, 2);
        tally.errors = 0;
        let (code, reasons) = verdict(&tally, Some(Tier::Three), false);
        assert_eq!(code, 1);
        assert_eq!(
            reasons,
            vec!["--fail-on-level 3: 2 cases at tier 3 or above"]
        );
        assert_eq!(verdict(&tally, None, false), (0, vec![]));
    }
}
