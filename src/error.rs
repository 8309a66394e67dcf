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

/// One problem in one file. The file name, the message and the help are cleaned as a
/// diagnostic is made (`text::clean_message`): input they echo is escaped and cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: crate::text::clean_message(&file.into()),
            location: None,
            message: crate::text::clean_message(&message.into()),
            help: None,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
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
        write!(f, "{}", self.file)?;
        if let Some(at) = self.location {
            write!(f, ":{}:{}", at.line, at.column)?;
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {label}: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
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

/// Where `key: value` (or, for an empty value, `key:`) stands in `text` for the `nth`
/// time (0-based), matched whole.
pub fn find_key_value(text: &str, key: &str, value: &str, nth: usize) -> Option<Location> {
    let needle = if value.is_empty() {
        format!("{key}:")
    } else {
        format!("{key}: {value}")
    };
    let mut from = 0;
    let mut seen = 0;
    while let Some(found) = text[from..].find(&needle) {
        let begin = from + found;
        let end = begin + needle.len();
        let starts_key = text[..begin]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let whole = value.is_empty()
            || text[end..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if starts_key && whole {
            if seen == nth {
                return Some(Location::of_offset(text, begin));
            }
            seen += 1;
        }
        from = end;
    }
    None
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
