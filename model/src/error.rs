//! Errors and warnings a person can act on: what was wrong, where (file, line, column),
//! and what to do. The library builds these; the CLI prints them once, at the edge.

use std::fmt;

/// A 1-based line and column in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Location {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// The byte offset of this location in `text` (the end of the text if past it).
    pub fn offset_in(self, text: &str) -> usize {
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            if index + 1 == self.line {
                return offset
                    + line
                        .char_indices()
                        .nth(self.column.saturating_sub(1))
                        .map_or(line.len(), |(i, _)| i);
            }
            offset += line.len();
        }
        text.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// Defines [`Code`]: each code's name, its stable text, and what it means. The README's
/// table "Error codes" documents every one (a test checks it does).
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $name:ident = $text:literal,)+) => {
        /// A stable code for each kind of problem, shown in messages (`error[E-CASE-AGE]`),
        /// in JSON and in batch rows. Scripts and tests rely on it, never on the words: a
        /// code is never renamed or reused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[doc = $doc])+ $name,)+
        }

        impl Code {
            /// Every code, in the order of the README's table.
            pub const ALL: &'static [Code] = &[$(Code::$name,)+];

            /// The code as it is shown: `E-CASE-AGE`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $text,)+
                }
            }
        }
    };
}

codes! {
    /// A case file the parser cannot read: YAML or JSON syntax, a field of the wrong
    /// type, an unknown field, a missing `schema`.
    CaseSyntax = "E-CASE-SYNTAX",
    /// A child's `age` is missing, not whole years 0-17, or given with `unborn: true`.
    CaseAge = "E-CASE-AGE",
    /// An answer names a question id the question bank does not have.
    CaseUnknownId = "E-CASE-UNKNOWN-ID",
    /// A question is answered in the wrong place (a child's question at the top level, or
    /// the other way round).
    CaseWrongPlace = "E-CASE-WRONG-PLACE",
    /// An answer that is not one the question takes (yes, no or unknown; a count 0 or
    /// more), or no answer at all.
    CaseAnswer = "E-CASE-ANSWER",
    /// A question or field is given twice.
    CaseDuplicate = "E-CASE-DUPLICATE",
    /// An answer is given to a question that cannot apply to this case.
    CaseNotApplicable = "E-CASE-NOT-APPLICABLE",
    /// A child's `id` is empty, or two children share one.
    CaseChild = "E-CASE-CHILD",
    /// The case names no area, or one that is not known.
    CaseArea = "E-CASE-AREA",
    /// The file is not valid UTF-8.
    CaseEncoding = "E-CASE-ENCODING",
    /// The file is UTF-16, or has NUL bytes.
    CaseUtf16 = "E-CASE-UTF16",
    /// The file is empty.
    CaseEmpty = "E-CASE-EMPTY",
    /// The file is larger than a case can be.
    CaseTooLarge = "E-CASE-TOO-LARGE",
    /// The file cannot be read: missing, not a file, or no permission.
    CaseRead = "E-CASE-READ",
    /// A CSV export's header: a column missing, unknown or given twice.
    CsvHeader = "E-CSV-HEADER",
    /// A CSV export's quoting: a quote not closed, text after a closing quote.
    CsvSyntax = "E-CSV-SYNTAX",
    /// A CSV export's rows: a wrong number of cells, a bad cell, a case's rows that
    /// disagree or are not together, a row with no reference.
    CsvRows = "E-CSV-ROWS",
    /// A rules file cannot be read or parsed, or is missing from the rules folder.
    RulesSource = "E-RULES-SOURCE",
    /// The rules break one of their invariants (`threshold rules check` lists each).
    RulesInvariant = "E-RULES-INVARIANT",
    /// A warning about the rules, for example a review date after today.
    RulesCheckWarning = "W-RULES-CHECK",
    /// A scenario file cannot be read or parsed.
    ScenarioSource = "E-SCENARIO-SOURCE",
    /// No scenario has the name given.
    ScenarioUnknown = "E-SCENARIO-UNKNOWN",
    /// A `--map` file cannot be read, or is not a valid map.
    MapInvalid = "E-MAP",
    /// A mapped export does not fit its map: a column the map names is missing or matched
    /// twice, or a value the map does not cover.
    MapValue = "E-MAP-VALUE",
    /// A workbook (`.xlsx`, `.ods`) cannot be read, or has no such sheet.
    SheetRead = "E-SHEET",
    /// `--at` is not a date and time.
    UsageAt = "E-USAGE-AT",
    /// `--area`, `THRESHOLD_AREA` or an `AREA` argument is missing or not known.
    UsageArea = "E-USAGE-AREA",
    /// Standard input cannot be used that way (read twice, or by the interview).
    UsageStdin = "E-USAGE-STDIN",
    /// `--output` is refused (it would overwrite an input).
    UsageOutput = "E-USAGE-OUTPUT",
    /// The output cannot be written.
    OutputWrite = "E-OUTPUT-WRITE",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in one file. The file name, the message and the help are cleaned as a
/// diagnostic is made (`text::clean_message`): input they echo is escaped and cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub file: String,
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: crate::text::clean_message(&file.into()),
            location: None,
            message: crate::text::clean_message(&message.into()),
            help: None,
        }
    }

    pub fn warning(code: Code, file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn at(mut self, location: Option<Location>) -> Diagnostic {
        self.location = location;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(crate::text::clean_message(&help.into()));
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.head())?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// `file:line:col: error[CODE]: message`, without the help.
    fn head(&self) -> String {
        let at = self
            .location
            .map_or(String::new(), |at| format!(":{}:{}", at.line, at.column));
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!(
            "{}{at}: {label}[{}]: {}",
            self.file, self.code, self.message
        )
    }

    /// The diagnostic on one line (`file:line:col: error[CODE]: message; help: …`), for a
    /// row that must stay one line whatever went wrong.
    pub fn one_line(&self) -> String {
        let mut line = self.head();
        if let Some(help) = &self.help {
            line.push_str(&format!("; help: {help}"));
        }
        line.replace('\n', " ")
    }
}

impl std::error::Error for Diagnostic {}

/// Several diagnostics from one check (for example every problem `rules check` found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// The nearest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_round_trip_through_offsets() {
        let text = "a: 1\nbé: 2\n";
        let at = Location::of_offset(text, text.find('2').unwrap());
        assert_eq!(at, Location { line: 2, column: 5 });
        assert_eq!(at.offset_in(text), text.find('2').unwrap());
    }

    #[test]
    fn nearest_suggests_close_words_only() {
        let words = ["adult_mental_health", "domestic_abuse"];
        assert_eq!(
            nearest("adult_mentl_health", words),
            Some("adult_mental_health")
        );
        assert_eq!(nearest("weather", words), None);
    }
}
