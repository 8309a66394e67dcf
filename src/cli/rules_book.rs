//! `threshold rules book` and `threshold rules diff`: thin over `render::book` and
//! `diff`.

use super::Io;
use crate::diff::{self, Kind, Subject};
use crate::error::Diagnostic;
use crate::render::book;
use crate::rules::{self, Origin, RuleSet};
use crate::scenario;
use std::path::Path;

pub fn book(
    rules: &RuleSet,
    area: &str,
    format: book::Format,
    scenarios: Option<&Path>,
    io: &mut Io,
) -> anyhow::Result<()> {
    let area = rules.area_or_error(area).map_err(|e| {
        Diagnostic::error(crate::error::Code::UsageArea, "AREA", e).help("run `threshold areas`")
    })?;
    let files = match scenarios {
        Some(dir) => scenario::read_dir(dir)?,
        None => scenario::bundled_files(),
    };
    let scenarios = scenario::load(&files, &rules.questions)?;
    // The book quotes the sources: the bundled rules are read from their YAML, with the
    // quotations the pre-parsed form leaves out (a local copy was read so already).
    let rule_files = match &rules.origin {
        Origin::Bundled => rules::bundled_files(),
        Origin::Local(dir) => rules::read_dir(dir)?,
    };
    let quoted;
    let (rules, area) = match rules.origin {
        Origin::Bundled => {
            quoted = rules::load(rule_files.clone(), Origin::Bundled, io.now.date())?.0;
            let area = quoted.area(&area.id).unwrap_or(area);
            (&quoted, area)
        }
        Origin::Local(_) => (rules, area),
    };
    let (library, _) = rules::sources::Library::read(&rule_files, |p| p.to_string());
    io.stdout
        .write_all(book::render(rules, &library, area, &scenarios, format).as_bytes())?;
    Ok(())
}

/// A rules folder, loaded and validated; refused with every problem, naming the files.
fn load(dir: &Path, today: jiff::civil::Date) -> anyhow::Result<RuleSet> {
    let files = rules::read_dir(dir).map_err(|d| {
        d.help("give two rules folders, each holding questions.yaml, bank-holidays.yaml and areas/<area>.yaml (for example a copy of rules/)")
    })?;
    let (rules, _warnings) = rules::load_for_use(files, Origin::Local(dir.to_path_buf()), today)?;
    Ok(rules)
}

/// Every `.yaml` file in `dir`, as case subjects.
fn read_cases(dir: &Path) -> anyhow::Result<Vec<Subject>> {
    // The scenario reader reads a folder of YAML files the same way.
    let files = scenario::read_dir(dir)
        .map_err(|d| d.help("give a folder of case files (*.yaml), such as examples/cases"))?;
    Ok(files
        .into_iter()
        .map(|f| Subject {
            kind: Kind::Case,
            name: Path::new(&f.path)
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            path: f.path,
            text: f.text,
        })
        .collect())
}

/// Exit 0 when no outcome moves, 1 when one does (as diff(1)); bad input is an error (2).
pub fn diff(
    old: &Path,
    new: &Path,
    scenarios: Option<&Path>,
    cases: Option<&Path>,
    io: &mut Io,
) -> anyhow::Result<u8> {
    let today = io.now.date();
    let before = load(old, today)?;
    let after = load(new, today)?;
    let scenario_files = match scenarios {
        Some(dir) => scenario::read_dir(dir)?,
        None => scenario::bundled_files(),
    };
    let mut subjects: Vec<Subject> = scenario_files
        .into_iter()
        .map(|f| Subject {
            kind: Kind::Scenario,
            name: Path::new(&f.path)
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            path: f.path,
            text: f.text,
        })
        .collect();
    subjects.extend(match cases {
        Some(dir) => read_cases(dir)?,
        None => diff::bundled_cases(),
    });
    let report = diff::compare(
        &before,
        &after,
        &subjects,
        &book::moment(),
        &book::out_of_hours(),
    );
    let label =
        |dir: &Path, rules: &RuleSet| format!("{} (sha256 {})", dir.display(), &rules.sha256[..12]);
    let text = diff::render(
        &report,
        &label(old, &before),
        &label(new, &after),
        &format!(
            "{} (first calls also out of hours, {})",
            book::MOMENT_WORDS,
            book::OUT_OF_HOURS_WORDS
        ),
    );
    io.stdout.write_all(text.as_bytes())?;
    Ok(u8::from(!report.moves.is_empty()))
}
