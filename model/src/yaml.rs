//! The one place YAML is parsed and written. The crate behind it is `yaml_serde`, the YAML
//! organisation's maintained fork of serde_yaml (archived upstream); to swap it for another
//! crate change this file only: the rest of the program, its tests and benches name only
//! `threshold::yaml`.

use crate::error::{Code, Location};
use crate::refused::{Refused, parsing};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Any YAML value, for code and tests that edit a document's shape.
pub type Value = yaml_serde::Value;
/// A YAML mapping.
pub type Mapping = yaml_serde::Mapping;

/// A parse or shape error with the parser's own position, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub location: Option<Location>,
    /// The kind of problem, where it is known (see [`parser_code`]).
    pub code: Option<Code>,
    /// What to do about it, where the refusal says more than its reader's general help.
    pub help: Option<&'static str>,
}

/// The code of a parser's error: that of the refusal of ours that caused it, or, for a
/// repeated key, the parser's own words (serde's "duplicate field", libyaml's "duplicate
/// entry"), read here, the one place that knows them.
pub fn parser_code(message: &str, cause: Option<&Refused>) -> Option<Code> {
    if let Some(cause) = cause {
        return Some(cause.code());
    }
    // The parser's words, at the top level or after the path of a nested mapping
    // (`children[0]: duplicate field `age``).
    let after_path = message
        .split_once(": ")
        .is_some_and(|(path, rest)| !path.contains(' ') && rest.starts_with("duplicate"));
    (message.starts_with("duplicate") || after_path).then_some(Code::CaseDuplicate)
}

/// Parse one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    refuse_deep_nesting(text)?;
    parsing(|| yaml_serde::from_str(text)).map_err(|(e, cause)| {
        let mut error = convert(e, cause);
        error.location = error.location.map(|at| within(text, at));
        error
    })
}

/// Where the value at `path` stands in the YAML `text`, as the parser places it: a key
/// where the key is written, an element where it starts (see [`crate::seek`]).
pub fn locate(text: &str, path: &[crate::seek::Step]) -> Option<Location> {
    use serde::de::DeserializeSeed;
    let error = crate::seek::Seek(path)
        .deserialize(yaml_serde::Deserializer::from_str(text))
        .err()?;
    let at = error.location()?;
    if !error.to_string().contains(crate::seek::FOUND) {
        return None;
    }
    let at = Location {
        line: at.line(),
        column: at.column(),
    };
    // A block scalar (`>-`, `|`) starts with its indicator; its words start on the next
    // line that has any.
    let offset = at.offset_in(text);
    if text[offset..].starts_with(['>', '|'])
        && let Some(end) = text[offset..].find('\n')
    {
        let words = offset + end + 1;
        let first = text[words..].find(|c: char| !c.is_whitespace());
        return Some(first.map_or(at, |i| Location::of_offset(text, words + i)));
    }
    Some(at)
}

/// Where the deepest step of `path` the YAML `text` writes stands: the value at `path`, or
/// where a field left to its default would be written (the item it belongs to).
pub fn locate_nearest(text: &str, path: &[crate::seek::Step]) -> Option<Location> {
    (1..=path.len())
        .rev()
        .find_map(|steps| locate(text, &path[..steps]))
}

/// `at`, or the end of `text` when the parser puts an error past it: at the end of the
/// stream it can name the line after the last (`[` as a file's last character is
/// refused at line 91 of a file of 90 lines). Lines are counted as YAML counts them: CR,
/// LF, CR LF, NEL, LS and PS each end one.
fn within(text: &str, at: Location) -> Location {
    let ends = |c: char| matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
    let lines = 1 + text.replace("\r\n", "\n").matches(ends).count();
    if at.line <= lines {
        return at;
    }
    let last = text.rsplit(ends).next().unwrap_or_default();
    Location {
        line: lines,
        column: last.chars().count() + 1,
    }
}

/// Parse with the parser alone, without the nesting scan in front of it, and with its own
/// message (positions left in): for tests that check the scan against the parser.
pub fn parse_unscanned<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    yaml_serde::from_str(text).map_err(|e| e.to_string())
}

/// Write `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    yaml_serde::to_string(value).map_err(|e| e.to_string())
}

/// Deeper than any case or rules file needs, shallow enough to refuse at once.
const MAX_FLOW_DEPTH: usize = 100;

/// The parser (serde_yaml and its fork yaml_serde) takes time quadratic in the depth of nested `[`/`{` before its own limit
/// refuses them (100,000 levels: over 30 seconds), so a linear scan refuses them first.
///
/// The scan must see every bracket the parser will take as a flow collection, so it
/// follows the tokenizer of libyaml (which yaml_serde uses, ported to Rust): a quote opens a scalar only
/// where a token starts, never inside a plain scalar (`O'Neil`); `''` is a quote inside
/// single quotes and a backslash escapes inside double quotes; `#` starts a comment where
/// a token could start or after a space; block scalars (`|`, `>`) and plain scalars end
/// where their indentation does; tags and anchors are read whole.
pub fn refuse_deep_nesting(text: &str) -> Result<(), ParseError> {
    let mut scan = Scan::new(text.as_bytes());
    match scan.run() {
        Ok(()) => Ok(()),
        Err(offset) => Err(ParseError {
            message: format!("nested more than {MAX_FLOW_DEPTH} levels deep"),
            location: Some(Location::of_offset(text, offset)),
            code: None,
            help: None,
        }),
    }
}

/// The tokenizer's view of a YAML text, just enough to count flow nesting.
struct Scan<'t> {
    b: &'t [u8],
    i: usize,
    /// The column (in characters, from 0) of `i`.
    column: usize,
    /// Flow collections open.
    depth: usize,
    /// The block indentation (libyaml's `indent`), -1 at the top, and the outer ones.
    indent: isize,
    indents: Vec<isize>,
    /// Where the scalar that could be a mapping key starts on this line, if one does.
    key: Option<usize>,
}

impl<'t> Scan<'t> {
    fn new(b: &'t [u8]) -> Scan<'t> {
        Scan {
            b,
            i: 0,
            column: 0,
            depth: 0,
            indent: -1,
            indents: Vec::new(),
            key: None,
        }
    }

    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    /// A space, tab, line end, or the end of the text, `k` bytes on (a NUL byte inside
    /// the text is none of them).
    fn blankz(&self, k: usize) -> bool {
        matches!(
            self.b.get(self.i + k),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        )
    }

    fn blank_or_break(&self) -> bool {
        !self.done() && matches!(self.at(0), b' ' | b'\t' | b'\r' | b'\n')
    }

    fn advance(&mut self) {
        let Some(&c) = self.b.get(self.i) else { return };
        self.i += 1;
        if c == b'\n' {
            self.column = 0;
            self.key = None;
        } else if c & 0xC0 != 0x80 {
            self.column += 1;
        }
    }

    fn advance_by(&mut self, n: usize) {
        for _ in 0..n {
            self.advance();
        }
    }

    /// To the line end, leaving it unread.
    fn skip_line(&mut self) {
        while !self.done() && self.at(0) != b'\n' {
            self.advance();
        }
    }

    fn document_marker(&self) -> bool {
        self.column == 0
            && (self.b[self.i..].starts_with(b"---") || self.b[self.i..].starts_with(b"..."))
            && self.blankz(3)
    }

    fn roll(&mut self, column: usize) {
        let column = column as isize;
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
        }
    }

    /// A scalar (or anchor, tag, collection) starts here: it may be a key.
    fn may_be_key(&mut self) {
        self.key.get_or_insert(self.column);
    }

    fn run(&mut self) -> Result<(), usize> {
        if self.b.starts_with(b"\xEF\xBB\xBF") {
            self.i = 3;
        }
        loop {
            // To the next token: white space, line ends and comments.
            while !self.done() {
                match self.at(0) {
                    b' ' | b'\t' | b'\r' | b'\n' => self.advance(),
                    b'#' => self.skip_line(),
                    _ => break,
                }
            }
            if self.done() {
                return Ok(());
            }
            if self.depth == 0 {
                while self.indent > self.column as isize {
                    self.indent = self.indents.pop().unwrap_or(-1);
                }
            }
            let c = self.at(0);
            if self.column == 0 && c == b'%' {
                self.skip_line();
                continue;
            }
            if self.document_marker() {
                self.indent = -1;
                self.indents.clear();
                self.advance_by(3);
                continue;
            }
            let flow = self.depth > 0;
            let start = self.i;
            match c {
                b'[' | b'{' => {
                    self.may_be_key();
                    self.depth += 1;
                    if self.depth > MAX_FLOW_DEPTH {
                        return Err(self.i);
                    }
                    self.advance();
                }
                b']' | b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.advance();
                }
                b',' => {
                    self.key = None;
                    self.advance();
                }
                b'-' if self.blankz(1) => {
                    if !flow {
                        self.roll(self.column);
                    }
                    self.key = None;
                    self.advance();
                }
                b'?' | b':' if flow || self.blankz(1) => {
                    if !flow {
                        let column = if c == b'?' {
                            Some(self.column)
                        } else {
                            self.key
                        };
                        if let Some(column) = column {
                            self.roll(column);
                        }
                    }
                    self.key = None;
                    self.advance();
                }
                b'*' | b'&' => {
                    self.may_be_key();
                    self.advance();
                    while self.at(0).is_ascii_alphanumeric() || matches!(self.at(0), b'-' | b'_') {
                        self.advance();
                    }
                    // The parser refuses anything else straight after an anchor; the scan
                    // opens no quote there and counts every bracket to the next space.
                    if !self.blankz(0) && !b"?:,]}%@`".contains(&self.at(0)) {
                        self.bracket_run()?;
                    }
                }
                b'!' => {
                    self.may_be_key();
                    self.tag();
                }
                b'|' | b'>' if !flow => self.block_scalar(),
                b'\'' => {
                    self.may_be_key();
                    self.single_quoted();
                }
                b'"' => {
                    self.may_be_key();
                    self.double_quoted();
                }
                // Characters that start no token here (the parser refuses them).
                b'|' | b'>' | b'%' | b'@' | b'`' => self.advance(),
                _ => {
                    self.may_be_key();
                    self.plain();
                }
            }
            // Every token moves on by at least a character, whatever the text holds.
            if self.i == start {
                self.advance();
            }
        }
    }

    /// To the next blank, counting every opening bracket and no closing one: where the
    /// scan cannot tell what the parser would make of the text, it over-counts.
    fn bracket_run(&mut self) -> Result<(), usize> {
        while !self.blankz(0) {
            if matches!(self.at(0), b'[' | b'{') {
                self.depth += 1;
                if self.depth > MAX_FLOW_DEPTH {
                    return Err(self.i);
                }
            }
            self.advance();
        }
        Ok(())
    }

    fn tag(&mut self) {
        self.advance();
        if self.at(0) == b'<' {
            while !self.done() && !matches!(self.at(0), b'>' | b'\n') {
                self.advance();
            }
            self.advance();
            return;
        }
        while !self.done()
            && (self.at(0).is_ascii_alphanumeric()
                || self.at(0) >= 0x80
                || b"-_;/?:@&=+$.%!~*'()".contains(&self.at(0)))
        {
            self.advance();
        }
    }

    fn single_quoted(&mut self) {
        self.advance();
        while !self.done() {
            if self.at(0) == b'\'' {
                if self.at(1) == b'\'' {
                    self.advance_by(2);
                    continue;
                }
                self.advance();
                return;
            }
            self.advance();
        }
    }

    fn double_quoted(&mut self) {
        self.advance();
        while !self.done() {
            match self.at(0) {
                b'\\' => self.advance_by(2),
                b'"' => {
                    self.advance();
                    return;
                }
                _ => self.advance(),
            }
        }
    }

    /// A plain scalar, which ends at `: `, at ` #`, at a flow indicator inside a flow
    /// collection, or at a line indented no more than its block.
    fn plain(&mut self) {
        let least = self.indent + 1;
        let flow = self.depth > 0;
        loop {
            if self.document_marker() || self.at(0) == b'#' {
                return;
            }
            while !self.blankz(0) {
                let c = self.at(0);
                if flow && c == b':' && b",?[]{}".contains(&self.at(1)) {
                    return;
                }
                if (c == b':' && self.blankz(1)) || (flow && b",[]{}".contains(&c)) {
                    return;
                }
                self.advance();
            }
            if !self.blank_or_break() {
                return;
            }
            while self.blank_or_break() {
                self.advance();
            }
            if !flow && (self.column as isize) < least {
                return;
            }
        }
    }

    /// A literal or folded block scalar: its header, then every line indented at least
    /// as far as its first (and further than the block it is in), and blank lines.
    fn block_scalar(&mut self) {
        self.advance();
        let mut increment = 0;
        while let c @ (b'1'..=b'9' | b'+' | b'-') = self.at(0) {
            if c.is_ascii_digit() {
                increment = (c - b'0') as isize;
            }
            self.advance();
        }
        self.skip_line();
        self.advance();
        let base = self.indent;
        let mut indent = if increment > 0 {
            if base >= 0 {
                base + increment
            } else {
                increment
            }
        } else {
            0
        };
        if indent == 0 {
            // The first line with text sets it (blank lines before it may set it higher).
            let mut j = self.i;
            let mut widest = 0;
            loop {
                let spaces = self.b[j..].iter().take_while(|b| **b == b' ').count();
                let next = self.b.get(j + spaces).copied().unwrap_or(0);
                if next == b'\n' || next == b'\r' && self.b.get(j + spaces + 1) == Some(&b'\n') {
                    widest = widest.max(spaces);
                    j += spaces + if next == b'\r' { 2 } else { 1 };
                    continue;
                }
                indent = spaces.max(widest) as isize;
                break;
            }
            indent = indent.max(base + 1).max(1);
        }
        loop {
            let spaces = self.b[self.i..].iter().take_while(|b| **b == b' ').count();
            let next = self.b.get(self.i + spaces).copied().unwrap_or(0);
            let blank = matches!(next, b'\n' | b'\r' | 0);
            if self.i + spaces >= self.b.len() {
                self.advance_by(spaces);
                return;
            }
            if !blank && (spaces as isize) < indent {
                return;
            }
            self.skip_line();
            self.advance();
        }
    }
}

fn convert(error: yaml_serde::Error, cause: Option<Refused>) -> ParseError {
    let location = error.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    let message = strip_position(&error.to_string());
    ParseError {
        code: parser_code(&message, cause.as_ref()),
        help: cause.and_then(|c| c.help()),
        message,
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
    /// Only blank lines, comments and markers: nothing a person wrote as a document. Lines
    /// end at LF, CR or both (a file saved with CR alone is still read line by line); a
    /// document holding NEL, LS or PS (line breaks to some editors, not to YAML 1.2) is
    /// never blank, so the parser reads it and it is assessed or refused, never dropped.
    pub fn is_blank(&self) -> bool {
        let other_breaks = ["\u{85}", "\u{2028}", "\u{2029}"]
            .iter()
            .any(|b| self.bytes.windows(b.len()).any(|w| w == b.as_bytes()));
        !other_breaks
            && self
                .bytes
                .split(|b| matches!(b, b'\n' | b'\r'))
                .all(|line| {
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
    use super::{
        Document, Location, MAX_FLOW_DEPTH, Splitter, Value, from_str, refuse_deep_nesting,
        strip_position, within,
    };

    #[test]
    fn an_error_at_the_end_of_the_stream_is_placed_within_the_file() {
        let at = |text: &str| from_str::<Value>(text).unwrap_err().location.unwrap();
        let at_end = at("a: 1\nb: 2\n[");
        assert_eq!((at_end.line, at_end.column), (3, 2));
        let crlf = at("a: 1\r\nb: 2\r\n[");
        assert_eq!((crlf.line, crlf.column), (3, 2));
        assert_eq!(
            within("a\nb", Location { line: 2, column: 1 }),
            Location { line: 2, column: 1 }
        );
    }

    fn deep(prefix: &str, depth: usize) -> String {
        format!("{prefix}{}", "[".repeat(depth))
    }

    fn refused(text: &str) -> bool {
        refuse_deep_nesting(text).is_err()
    }

    #[test]
    fn an_apostrophe_inside_a_plain_scalar_opens_no_quote() {
        let over = MAX_FLOW_DEPTH + 1;
        for prefix in [
            "reference: O'Neil-7\n",
            "reference: O\"Neil\n",
            "a: b#'c\n",
            "a: it's\n  still 'plain\nb: ",
            "- k: v\n  \"x #\": ",
            "[a\n'x, ",
            "{\"a\":\"]]]]]]]]]]\", \"b\": ",
            "a: |\n  it's [[ ]]]]\n  'x\nb: ",
            "a: >-\n\n   'x\n   ]]]]\n\nb: ",
            "!tag'x ",
            "a: &anchor'x ",
            "# a comment with ' and \"\n",
            "a: 'it''s'\nb: ",
            "a: \"say \\\"hi\\\" ]]]\"\nb: ",
        ] {
            assert!(refused(&deep(prefix, over)), "not refused after {prefix:?}");
            assert!(!refused(&deep(prefix, MAX_FLOW_DEPTH - 2)), "{prefix:?}");
        }
    }

    #[test]
    fn the_scan_ends_whatever_the_bytes() {
        for text in [
            "\0", "a\0b", "[\0", "a: \0\n", "'\0", "&\0", "!\0", "|\0", "- \0:",
        ] {
            let _ = refuse_deep_nesting(text);
        }
    }

    #[test]
    fn brackets_inside_quotes_comments_and_block_scalars_are_text() {
        let many = "[".repeat(MAX_FLOW_DEPTH + 5);
        for text in [
            format!("a: \"{many}\"\n"),
            format!("a: '{many}'\n"),
            format!("a: 'it''s {many}'\n"),
            format!("a: \"\\\" {many}\"\n"),
            format!("a: 1 # {many}\n"),
            format!("# {many}\n"),
            format!("a: |\n  {many}\n  more\n"),
            format!("a: b{many}\n"),
            format!("- k: \"x\"\n  l: |\n    {many}\n"),
        ] {
            assert!(!refused(&text), "refused: {text:?}");
        }
        assert!(refused(&format!("a: [{many}")));
    }

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

    /// A document whose lines end in CR alone (or NEL, LS, PS) and that starts with a
    /// comment is not blank: it was dropped without a row when only LF ended a line.
    #[test]
    fn a_comment_then_a_case_is_not_blank_whatever_ends_its_lines() {
        for end in ["\r", "\r\n", "\n", "\u{85}", "\u{2028}", "\u{2029}"] {
            let text = format!("# exported{end}schema: 1{end}reference: R1{end}");
            assert!(!doc(1, &text).is_blank(), "{end:?}");
        }
        assert!(doc(1, "# only a comment\r# and another\r").is_blank());
        assert!(doc(1, "---\r\n# nothing\r\n...\r\n").is_blank());
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
