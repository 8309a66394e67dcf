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
use std::borrow::Cow;
use std::io::Write;

/// Rows a worksheet holds, its header included.
const SHEET_ROWS: u32 = 1_048_576;

/// The columns of batch's rows written as numbers.
pub const ROW_NUMBERS: &[&str] = &["tier", "could_reach", "recorded_level"];

/// A workbook as it is filled, on the thread that fills it.
struct Sheets {
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

/// Bytes of CSV rows sent to the workbook's thread at a time.
const BATCH_BYTES: usize = 1 << 16;

/// Batches of bytes waiting for the workbook's thread: bounds the memory a slow workbook
/// can hold back.
const BATCHES_WAITING: usize = 16;

/// The CSV rows of a run made into a workbook on a thread of its own, beside the thread
/// that writes the rows (filling a worksheet costs as much as assessing the cases).
pub struct Book {
    batch: Vec<u8>,
    to_sheets: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    sheets: Option<std::thread::JoinHandle<Result<Sheets, XlsxError>>>,
}

impl Book {
    /// A workbook of worksheets called `name`, the columns named in `numbers` written as
    /// numbers.
    pub fn new(name: &'static str, numbers: &'static [&'static str]) -> Book {
        let (to_sheets, batches) = std::sync::mpsc::sync_channel::<Vec<u8>>(BATCHES_WAITING);
        let sheets = std::thread::spawn(move || {
            let mut sheets = Sheets::new(name, numbers);
            for batch in batches {
                sheets.rows(&batch)?;
            }
            Ok(sheets)
        });
        Book {
            batch: Vec::with_capacity(BATCH_BYTES),
            to_sheets: Some(to_sheets),
            sheets: Some(sheets),
        }
    }

    /// Send what is batched to the workbook's thread; if that thread has stopped, its error.
    fn send(&mut self) -> std::io::Result<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_BYTES));
        let sent = self.to_sheets.as_ref().map(|to| to.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => self.sheets().map(drop),
        }
    }

    /// The filled workbook, once its thread has read every row sent.
    fn sheets(&mut self) -> std::io::Result<Sheets> {
        self.to_sheets = None;
        let stopped = || std::io::Error::other("cannot write the workbook: its thread stopped");
        let thread = self.sheets.take().ok_or_else(stopped)?;
        match thread.join() {
            Ok(filled) => filled.map_err(io),
            Err(_) => Err(stopped()),
        }
    }

    /// The workbook, written to `out` once every row is in.
    pub fn finish(mut self, out: &mut super::output::Target) -> std::io::Result<()> {
        if !self.batch.is_empty() {
            self.send()?;
        }
        self.sheets()?.finish(out)
    }
}

impl Write for Book {
    /// Rows of CSV, in any pieces, passed on in batches.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.batch.extend_from_slice(buf);
        if self.batch.len() >= BATCH_BYTES {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The zip level of the workbooks written (1 fastest to 9 smallest; the crate's default
/// is 6). A workbook's sheet is compressed after its last row, while nothing else runs:
/// for the 205 MB sheet of 200,000 cases level 3 took 1.3 s against 2.1 s (`gzip -3` and
/// `-6` of the same sheet), for a file about 40% larger (14.4 MB against 10.5 MB).
const ZIP_LEVEL: u8 = 3;

impl Sheets {
    fn new(name: &'static str, numbers: &'static [&'static str]) -> Sheets {
        let mut workbook = Workbook::new();
        workbook.set_zip_compression_level(ZIP_LEVEL);
        Sheets {
            workbook,
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
    fn finish(mut self, out: &mut super::output::Target) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            self.record(&split(&String::from_utf8_lossy(&last)))
                .map_err(io)?;
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

    fn record(&mut self, cells: &[Cow<str>]) -> Result<(), XlsxError> {
        if self.header.is_empty() {
            self.header = cells.iter().map(|c| c.to_string()).collect();
            let numbers = self.number_columns;
            self.numbers = cells
                .iter()
                .map(|c| numbers.contains(&c.as_ref()))
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

    /// Rows of CSV, in any pieces: each complete row (a line end outside quotes) becomes a
    /// row of the worksheet.
    fn rows(&mut self, buf: &[u8]) -> Result<(), XlsxError> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(buf);
        let mut start = 0;
        let mut quoted = false;
        for (i, &b) in pending.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    self.record(&split(&String::from_utf8_lossy(&pending[start..i])))?;
                    start = i + 1;
                }
                _ => {}
            }
        }
        pending.drain(..start);
        self.pending = pending;
        Ok(())
    }
}

/// One CSV row (as `csv_cell` writes them: quoted when it holds a comma, a quote or a line
/// end, quotes doubled) as its cells; a cell without quotes is borrowed, not copied.
fn split(row: &str) -> Vec<Cow<'_, str>> {
    let row = row.strip_suffix('\r').unwrap_or(row);
    let mut cells = Vec::new();
    let mut rest = row;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            // A quoted cell: to the quote not doubled, its doubled quotes made one.
            let mut cell = String::new();
            let mut chars = quoted.char_indices().peekable();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' if chars.peek().map(|&(_, n)| n) == Some('"') => {
                        cell.push('"');
                        chars.next();
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => cell.push(c),
                }
            }
            // Anything between the closing quote and the comma belongs to the cell too.
            let after = &quoted[end..];
            let to = after.find(',').unwrap_or(after.len());
            cell.push_str(&after[..to]);
            cells.push(Cow::Owned(cell));
            match after.get(to + 1..) {
                Some(next) if to < after.len() => rest = next,
                _ => return cells,
            }
        } else {
            match rest.find(',') {
                Some(to) => {
                    cells.push(Cow::Borrowed(&rest[..to]));
                    rest = &rest[to + 1..];
                }
                None => {
                    cells.push(Cow::Borrowed(rest));
                    return cells;
                }
            }
        }
    }
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

    /// The workbook is filled on its own thread: what stops it there reaches the run.
    #[test]
    fn a_row_the_workbook_cannot_hold_is_an_error_of_the_run() {
        let mut book = Book::new("cases", ROW_NUMBERS);
        let wide = ",x".repeat(20_000);
        let mut written = book.write_all(format!("reference\nR1{wide}\n").as_bytes());
        // The thread's error comes back at the next batch sent, or at the end.
        for _ in 0..BATCHES_WAITING + 2 {
            if written.is_err() {
                break;
            }
            written = book.write_all(&vec![b'\n'; BATCH_BYTES]);
        }
        let mut sink = std::io::sink();
        let mut target = super::super::output::Target::open(None, &mut sink).unwrap();
        let error = written
            .err()
            .or_else(|| book.finish(&mut target).err())
            .expect("a row past the sheet's last column is refused");
        assert!(
            error.to_string().contains("cannot write the workbook"),
            "{error}"
        );
    }

    #[test]
    fn a_csv_row_splits_into_its_cells() {
        assert_eq!(
            split("R1,\"a, \"\"b\"\"\",,3\r"),
            ["R1", "a, \"b\"", "", "3"]
        );
        assert_eq!(split("\"line\nbreak\",x"), ["line\nbreak", "x"]);
        assert_eq!(split(""), [""]);
        assert_eq!(split("a,"), ["a", ""]);
        assert_eq!(split("\"\",\"x\""), ["", "x"]);
        assert_eq!(split("é,\"𐀀,\"\"\""), ["é", "𐀀,\""]);
    }
}
