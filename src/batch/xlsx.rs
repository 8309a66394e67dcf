//! `--format xlsx`: the rows of `--format csv`, the same columns, as an Excel workbook for
//! analysts who open the results in a spreadsheet. The workers render CSV rows as usual;
//! this reads them back cell by cell as they are written, in order, into a worksheet held
//! in constant memory (its rows go to a temporary file as they are written, so a million
//! cases cost no more memory than a hundred). Past a worksheet's 1,048,576 rows the rows go
//! on in another worksheet, under the header again.
//!
//! Every cell is text, as in the CSV (a cell can never be a formula), but for the levels
//! (batch's `tier`, `could_reach`, `recorded_level`), which are numbers so they can be
//! counted. The audit's cases download (`--report`) is written the same way.

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use std::io::Write;

/// Rows a worksheet holds, its header included.
const SHEET_ROWS: u32 = 1_048_576;

/// The columns of batch's rows written as numbers.
pub const ROW_NUMBERS: &[&str] = &["tier", "could_reach", "recorded_level"];

pub struct Book {
    workbook: Workbook,
    /// The worksheets' name, and the columns written as numbers.
    name: &'static str,
    number_columns: &'static [&'static str],
    sheets: usize,
    /// The next row of the current worksheet.
    row: u32,
    header: Vec<String>,
    numbers: Vec<bool>,
    /// Bytes of a row not yet complete.
    pending: Vec<u8>,
    bold: CellFormat,
}

impl Book {
    /// A workbook of worksheets called `name`, the columns named in `numbers` written as
    /// numbers.
    pub fn new(name: &'static str, numbers: &'static [&'static str]) -> Book {
        Book {
            workbook: Workbook::new(),
            name,
            number_columns: numbers,
            sheets: 0,
            row: 0,
            header: Vec::new(),
            numbers: Vec::new(),
            pending: Vec::new(),
            bold: CellFormat::new().set_bold(),
        }
    }

    /// The workbook, written to `out` once every row is in: straight into the file when
    /// it is one (the sheets' rows go from their temporary files into it), else through
    /// memory (a device).
    pub fn finish(mut self, out: &mut super::output::Target) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            self.record(&split(&last)).map_err(io)?;
        }
        if self.sheets == 0 {
            self.sheet().map_err(io)?;
        }
        if let Some(file) = out.seekable()? {
            return self.workbook.save_to_writer(file).map_err(io);
        }
        let mut bytes = std::io::Cursor::new(Vec::new());
        self.workbook.save_to_writer(&mut bytes).map_err(io)?;
        out.writer().write_all(bytes.get_ref())
    }

    /// A new worksheet, its header in bold and frozen.
    fn sheet(&mut self) -> Result<(), XlsxError> {
        self.sheets += 1;
        let name = match self.sheets {
            1 => self.name.to_string(),
            n => format!("{} {n}", self.name),
        };
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(name)?;
        sheet.set_freeze_panes(1, 0)?;
        for (column, title) in self.header.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, title, &self.bold)?;
        }
        self.row = 1;
        Ok(())
    }

    fn record(&mut self, cells: &[String]) -> Result<(), XlsxError> {
        if self.header.is_empty() {
            self.header = cells.to_vec();
            let numbers = self.number_columns;
            self.numbers = cells
                .iter()
                .map(|c| numbers.contains(&c.as_str()))
                .collect();
            return self.sheet();
        }
        if self.row == SHEET_ROWS {
            self.sheet()?;
        }
        let row = self.row;
        let sheet = self.workbook.worksheet_from_index(self.sheets - 1)?;
        for (column, cell) in cells.iter().enumerate() {
            let number = self.numbers.get(column) == Some(&true);
            match cell.parse::<u8>() {
                Ok(n) if number => sheet.write_number(row, column as u16, n)?,
                _ if cell.is_empty() => sheet,
                _ => sheet.write_string(row, column as u16, fitted(cell).as_ref())?,
            };
        }
        self.row += 1;
        Ok(())
    }
}

impl Write for Book {
    /// Rows of CSV, in any pieces: each complete row (a line end outside quotes) becomes a
    /// row of the worksheet.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(buf);
        let mut start = 0;
        let mut quoted = false;
        for (i, &b) in pending.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    self.record(&split(&pending[start..i])).map_err(io)?;
                    start = i + 1;
                }
                _ => {}
            }
        }
        pending.drain(..start);
        self.pending = pending;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One CSV row (as `csv_cell` writes them: quoted when it holds a comma, a quote or a line
/// end, quotes doubled) as its cells.
fn split(row: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(row);
    let text = text.strip_suffix('\r').unwrap_or(&text);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// The most characters a cell holds (Excel's limit is 32,767).
const CELL_CHARS: usize = 32_000;

/// A cell's text, cut to what a cell holds, saying so: the CSV keeps it whole.
fn fitted(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.char_indices().nth(CELL_CHARS) {
        None => std::borrow::Cow::Borrowed(cell),
        Some((at, _)) => std::borrow::Cow::Owned(format!(
            "{} [cut: {} characters more; --format csv keeps the cell whole]",
            &cell[..at],
            cell[at..].chars().count()
        )),
    }
}

fn io(e: XlsxError) -> std::io::Error {
    std::io::Error::other(format!("cannot write the workbook: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell past Excel's limit would end the whole run: it is cut, and says so.
    #[test]
    fn a_cell_too_long_for_a_sheet_is_cut_and_says_so() {
        let long = "X0001,".repeat(7000);
        let mut book = Book::new("cases", ROW_NUMBERS);
        book.write_all(format!("reference,unmapped_codes\nR1,\"{long}\"\n").as_bytes())
            .unwrap();
        let mut sink = std::io::sink();
        let mut target = super::super::output::Target::open(None, &mut sink).unwrap();
        book.finish(&mut target).unwrap();
        assert_eq!(fitted("short"), "short");
        assert!(fitted(&long).contains("[cut: 10000 characters more"));
    }

    #[test]
    fn a_csv_row_splits_into_its_cells() {
        assert_eq!(
            split(b"R1,\"a, \"\"b\"\"\",,3\r"),
            ["R1", "a, \"b\"", "", "3"]
        );
        assert_eq!(split(b"\"line\nbreak\",x"), ["line\nbreak", "x"]);
    }
}
