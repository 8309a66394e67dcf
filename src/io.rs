//! Where a run reads and writes: the program's one contact with the outside world, below
//! every command (`cli`, `interview` and `batch` all read through it, none through another).

use crate::case::Case;
use crate::error::Diagnostic;
use crate::rules::RuleSet;
use anyhow::Context;
use std::io::{Read, Write};

/// Where a run reads and writes, and what time it is: the program's only contact with
/// the outside world, so tests can drive it in-process.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Colour and emphasis allowed on stdout (a terminal, and NO_COLOR unset).
    pub styled: bool,
    /// The moment a result is for, unless `--at` or the case file says otherwise.
    pub now: jiff::ZonedDateTime,
    /// Standard input and output are a terminal: a person is there to press Enter.
    pub interactive: bool,
}

/// The case at `path` (`-` for standard input), and the bytes it was read from.
pub fn read_case(path: &str, rules: &RuleSet, io: &mut Io) -> anyhow::Result<(Case, Vec<u8>)> {
    let (bytes, name) = if path == "-" {
        let mut bytes = Vec::new();
        io.stdin
            .take(crate::case::MAX_CASE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        (bytes, "<stdin>".to_string())
    } else if std::path::Path::new(path).is_dir() {
        // Said in these words on every platform (Windows would say only "Access denied").
        return Err(Diagnostic::error(
            crate::error::Code::CaseRead,
            path,
            "this is a folder, not a case file",
        )
        .help("give a case file's path; `threshold batch FOLDER` assesses every case in a folder")
        .into());
    } else {
        let bytes = crate::files::read_limited_as(
            std::path::Path::new(path),
            crate::case::MAX_CASE_BYTES,
            "the case file",
        )
        .map_err(|e| {
            let help = if crate::files::not_a_file(std::path::Path::new(path)).is_some() {
                crate::files::NOT_A_FILE_HELP
            } else {
                "check the path; `-` reads standard input"
            };
            Diagnostic::error(crate::error::Code::CaseRead, path, e).help(help)
        })?;
        (bytes, path.to_string())
    };
    let case = crate::case::read(&bytes, &name, &rules.questions)?;
    Ok((case, bytes))
}
