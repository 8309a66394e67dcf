//! The one place YAML is parsed. serde_yaml (the user's choice) is archived upstream; to
//! swap it for another crate (serde-saphyr is the maintained candidate) change this file.

use crate::error::Location;
use serde::de::DeserializeOwned;

/// A parse or shape error with the parser's own position, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub location: Option<Location>,
}

/// Parse one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    refuse_deep_nesting(text)?;
    serde_yaml::from_str(text).map_err(convert)
}

/// Deeper than any case or rules file needs, shallow enough to refuse at once.
const MAX_FLOW_DEPTH: usize = 100;

/// serde_yaml takes time quadratic in the depth of nested `[`/`{` before its own limit
/// refuses them (100,000 levels: over 30 seconds), so a linear scan refuses them first.
fn refuse_deep_nesting(text: &str) -> Result<(), ParseError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut previous = '\n';
    let mut comment = false;
    for (offset, c) in text.char_indices() {
        match (quote, c) {
            _ if comment => comment = c != '\n',
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(ParseError {
                        message: format!("nested more than {MAX_FLOW_DEPTH} levels deep"),
                        location: Some(Location::of_offset(text, offset)),
                    });
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    Ok(())
}

fn convert(error: serde_yaml::Error) -> ParseError {
    let location = error.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    ParseError {
        message: strip_position(&error.to_string()),
        location,
    }
}

/// Parsers put " at line N column M" in their messages; the position is reported
/// separately, in the same form for every file, so take it out of the message.
pub fn strip_position(message: &str) -> String {
    let mut rest = message;
    let mut out = String::new();
    while let Some(index) = rest.find(" at line ") {
        let after = &rest[index + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let line_digits = digits(after);
        let column = after[line_digits..].strip_prefix(" column ");
        match column {
            Some(column) if line_digits > 0 && digits(column) > 0 => {
                out.push_str(&rest[..index]);
                rest = &column[digits(column)..];
            }
            _ => {
                out.push_str(&rest[..index + 1]);
                rest = &rest[index + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One document of a YAML stream, as raw bytes, cut at its `---` and `...` markers without
/// being parsed (so each document can be parsed, and refused, on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The line of the stream the document starts on, 1-based.
    pub first_line: usize,
    pub bytes: Vec<u8>,
    /// The document was longer than the reader's limit: `bytes` holds only its start.
    pub truncated: bool,
}

impl Document {
    /// Only blank lines, comments and markers: nothing a person wrote as a document.
    pub fn is_blank(&self) -> bool {
        self.bytes.split(|b| *b == b'\n').all(|line| {
            let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            let line = line.trim_ascii();
            let line = marker_rest(line, b"---")
                .or_else(|| marker_rest(line, b"..."))
                .unwrap_or(line)
                .trim_ascii();
            line.is_empty() || line.starts_with(b"#")
        })
    }
}

/// What follows `marker` when `line` starts with it as a YAML document marker (followed by
/// white space or the end of the line).
fn marker_rest<'a>(line: &'a [u8], marker: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(marker)?;
    (rest.is_empty() || rest[0].is_ascii_whitespace()).then_some(rest)
}

/// Cuts a YAML stream into documents line by line, so a long stream is never in memory at
/// once. A line starting with `---` begins a document and one starting with `...` ends it:
/// YAML forbids such a line inside a document's content, so cutting there never splits one.
pub struct Splitter {
    /// The most bytes kept of one document.
    limit: usize,
    /// Lines seen so far.
    line: usize,
    current: Option<Document>,
}

impl Splitter {
    pub fn new(limit: usize) -> Splitter {
        Splitter {
            limit,
            line: 0,
            current: None,
        }
    }

    /// The next line of the stream, with its line end; returns the document it completes.
    pub fn push(&mut self, line: &[u8]) -> Option<Document> {
        self.line += 1;
        let starts = marker_rest(line, b"---").is_some();
        let done = match &self.current {
            Some(document) if starts && !document.bytes.is_empty() => self.current.take(),
            _ => None,
        };
        let document = self.current.get_or_insert_with(|| Document {
            first_line: self.line,
            bytes: Vec::new(),
            truncated: false,
        });
        let room = (self.limit + 1).saturating_sub(document.bytes.len());
        document
            .bytes
            .extend_from_slice(&line[..line.len().min(room)]);
        if document.bytes.len() > self.limit {
            document.truncated = true;
            document.bytes.truncate(self.limit);
        }
        if marker_rest(line, b"...").is_some() {
            return done.or_else(|| self.current.take());
        }
        done
    }

    /// The end of the stream: the last document, if it has anything in it.
    pub fn finish(&mut self) -> Option<Document> {
        self.current.take().filter(|d| !d.bytes.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::{Document, Splitter, strip_position};

    #[test]
    fn positions_are_taken_out_wherever_they_stand() {
        assert_eq!(strip_position("bad at line 3 column 4"), "bad");
        assert_eq!(
            strip_position("found a tab at line 5 column 1, while scanning"),
            "found a tab, while scanning"
        );
        assert_eq!(strip_position("look at line breaks"), "look at line breaks");
    }

    fn documents(text: &str, limit: usize) -> Vec<Document> {
        let mut splitter = Splitter::new(limit);
        let mut out: Vec<Document> = text
            .split_inclusive('\n')
            .filter_map(|line| splitter.push(line.as_bytes()))
            .collect();
        out.extend(splitter.finish());
        out
    }

    fn doc(first_line: usize, text: &str) -> Document {
        Document {
            first_line,
            bytes: text.as_bytes().to_vec(),
            truncated: false,
        }
    }

    #[test]
    fn a_stream_is_cut_at_its_markers_with_the_line_each_document_starts_on() {
        let text =
            "# export\n---\nschema: 1\n--- # two\nschema: 1\n...\n---\na: |\n  --- not a marker\n";
        assert_eq!(
            documents(text, 1000),
            vec![
                doc(1, "# export\n"),
                doc(2, "---\nschema: 1\n"),
                doc(4, "--- # two\nschema: 1\n...\n"),
                doc(7, "---\na: |\n  --- not a marker\n"),
            ]
        );
        assert!(documents(text, 1000)[0].is_blank());
        assert!(!documents(text, 1000)[1].is_blank());
    }

    #[test]
    fn a_file_without_markers_is_one_document_and_an_empty_one_none() {
        assert_eq!(
            documents("schema: 1\r\n", 100),
            vec![doc(1, "schema: 1\r\n")]
        );
        assert_eq!(documents("", 100), vec![]);
        assert!(documents("---\n# nothing\n...\n", 100)[0].is_blank());
        assert_eq!(documents("----\n", 100), vec![doc(1, "----\n")]);
    }

    #[test]
    fn a_document_over_the_limit_is_cut_short_and_says_so() {
        let text = format!("a: {}\n---\nb: 1\n", "x".repeat(50));
        let docs = documents(&text, 10);
        assert!(docs[0].truncated);
        assert_eq!(docs[0].bytes.len(), 10);
        assert_eq!(docs[1], doc(2, "---\nb: 1\n"));
    }
}
