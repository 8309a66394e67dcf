//! The lowest layer of `batch`: a line read within a limit, bytes as text, a line too
//! large, a spreadsheet column's letters, and a cell written into CSV. Every reader and
//! writer above shares these.

use crate::case::MAX_CASE_BYTES;
use crate::error::{Diagnostic, Location};
use std::io::BufRead;

/// `bytes` as text; if it is not UTF-8, the error `assess` gives, located in the whole file
/// (the part starts at line `first_line`).
pub fn text_of<'b>(bytes: &'b [u8], name: &str, first_line: usize) -> Result<&'b str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let mut at = Location::of_offset(good, good.len());
        at.line += first_line - 1;
        Diagnostic::error(
            crate::error::Code::CaseEncoding,
            name,
            format!(
                "the file is not valid UTF-8 (bad byte at line {}, column {})",
                at.line, at.column
            ),
        )
        .at(Some(at))
        .help("save the file as UTF-8")
    })
}

/// Read one line (with its `\n`) from `reader` onto the end of `out`, letting `out` grow
/// to at most `room` bytes, so that one enormous line cannot take the memory. Returns the
/// bytes consumed, which is more than were kept when the line was cut short.
pub fn read_line(
    reader: &mut dyn BufRead,
    out: &mut Vec<u8>,
    room: usize,
) -> std::io::Result<usize> {
    let mut consumed = 0;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(consumed);
        }
        let (take, done) = match memchr::memchr(b'\n', buffer) {
            Some(end) => (end + 1, true),
            None => (buffer.len(), false),
        };
        let keep = take.min(room.saturating_sub(out.len()));
        out.extend_from_slice(&buffer[..keep]);
        reader.consume(take);
        consumed += take;
        if done {
            return Ok(consumed);
        }
    }
}

/// A line over the size limit, refused on its own so the lines around it are still read.
pub fn too_large(name: &str, line: usize, what: &str) -> Diagnostic {
    Diagnostic::error(
        crate::error::Code::CaseTooLarge,
        name,
        format!("{what} is too large: a case is at most {MAX_CASE_BYTES} bytes (1 MiB)"),
    )
    .at(Some(Location { line, column: 1 }))
    .help("check that this is a case: one case is a few kilobytes")
}

/// A cell as a person finds it: `line 5, column 3` (the third field of line 5 of a CSV
/// file) or, on a sheet of a workbook, `sheet \`Contacts\`, cell C5`.
pub fn place(sheet: Option<&str>, line: usize, column: usize) -> String {
    match sheet {
        Some(sheet) => format!("sheet `{sheet}`, cell {}{line}", column_letter(column)),
        None => format!("line {line}, column {column}"),
    }
}

/// The letters of the 1-based spreadsheet column `n` (1 is A, 27 is AA).
pub fn column_letter(mut n: usize) -> String {
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Whether a spreadsheet would take a cell starting with `first` as a formula (OWASP's
/// list: `=`, `+`, `-`, `@`, tab and carriage return; `csv_cell` has escaped the last two).
fn formula_start(first: Option<char>) -> bool {
    matches!(first, Some('=' | '+' | '-' | '@'))
}

/// A cell, in quotes (with quotes doubled) only when it needs them. The rows go to a
/// terminal by default, and a cell can hold what a file said (its name, a refused
/// reference, a code): a character that would act on the terminal or hide text (an escape
/// sequence, a line break, a tab, a bidirectional override) is written as a visible escape
/// (`\u{1b}`, `\n`), as every message shows it. A cell a spreadsheet would run as a
/// formula is neutralised as OWASP advises: a `'` before it, and quotes around it, so
/// `=HYPERLINK(...)` shows as the text it is.
pub fn csv_cell(cell: &str, out: &mut Vec<u8>) {
    // Most cells are printable ASCII with nothing to quote: written as they are.
    let plain = |b: &u8| (0x20..0x7f).contains(b) && *b != b',' && *b != b'"';
    let first = cell.bytes().next();
    if !formula_start(first.map(char::from)) && cell.as_bytes().iter().all(plain) {
        out.extend_from_slice(cell.as_bytes());
        return;
    }
    let cell = crate::text::printable(cell);
    let cell = cell.as_ref();
    if formula_start(cell.chars().next()) {
        out.extend_from_slice(b"\"'");
        out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else if cell.contains([',', '"']) {
        out.push(b'"');
        out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_consumed_but_only_its_start_kept() {
        let mut reader: &[u8] = b"abcdefgh\nnext\n";
        let mut out = Vec::new();
        assert_eq!(read_line(&mut reader, &mut out, 3).unwrap(), 9);
        assert_eq!(out, b"abc");
        out.clear();
        assert_eq!(read_line(&mut reader, &mut out, 100).unwrap(), 5);
        assert_eq!(out, b"next\n");
        assert_eq!(read_line(&mut reader, &mut out, 100).unwrap(), 0);
    }

    #[test]
    fn bad_utf8_is_located_in_the_whole_file() {
        let error = text_of(b"ok\n\xFF", "f.yaml", 10).unwrap_err();
        assert_eq!(
            error.location,
            Some(Location {
                line: 11,
                column: 1
            })
        );
        assert!(
            error.message.contains("line 11, column 1"),
            "{}",
            error.message
        );
    }
}
