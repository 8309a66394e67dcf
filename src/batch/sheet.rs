//! Workbooks (`.xlsx`, `.ods`; SPEC section 12), read with calamine (pure Rust, no Office):
//! one sheet (`--sheet NAME`, else the first) as records, each cell at its row and column
//! (a message names it as `sheet Contacts, cell C5`). The records are then read as our own
//! CSV is, or through `--map`.
//!
//! An .xlsx sheet is streamed: read once cell by cell to measure it (the cells it holds, its
//! rows and its widest row, refused when far larger than its cells), then again, its rows
//! given as they are read by a thread of its own, so memory stays flat however many rows
//! it has. A sheet whose cells are stored out of order (no spreadsheet program writes one)
//! is read whole and sorted. An .ods is read whole (calamine reads it so), after its
//! declared size is measured.

use super::cells::column_letter;
use super::csv::{Bad, Cell, Row};
use crate::error::Diagnostic;
use calamine::{Data, Reader};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// The largest workbook read (a month's export is a few megabytes).
const MAX_WORKBOOK_BYTES: u64 = 256 << 20;

/// A sheet's name and its records.
pub type Sheet = (Arc<str>, SheetRows);

/// The records of a sheet: given from a batch read whole, or streamed by a thread in
/// batches.
pub struct SheetRows {
    batch: std::vec::IntoIter<Result<Row, Bad>>,
    stream: Option<Receiver<Vec<Result<Row, Bad>>>>,
    /// The sheet, when it is streamed: to read it again without measuring it again.
    again: Option<Streamed>,
}

impl SheetRows {
    /// The sheet to read again from its start, when it is streamed (else it is opened
    /// again with `open`).
    pub fn again(&self) -> Option<Streamed> {
        self.again.clone()
    }
}

/// An .xlsx sheet that was measured and is streamed: where it is, and its rows' width.
#[derive(Clone)]
pub struct Streamed {
    path: std::path::PathBuf,
    name: String,
    sheet: String,
    width: usize,
}

impl Streamed {
    /// Its rows from the start, read again.
    pub fn rows(&self) -> SheetRows {
        stream(self.clone())
    }
}

impl Iterator for SheetRows {
    type Item = Result<Row, Bad>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(row);
            }
            let batch = self.stream.as_ref()?.recv();
            match batch {
                Ok(batch) => self.batch = batch.into_iter(),
                Err(_) => self.stream = None,
            }
        }
    }
}

/// Rows streamed from a sheet go over in batches of this many, at most this many batches
/// ahead of the reader.
const STREAM_BATCH: usize = 256;
const STREAM_AHEAD: usize = 4;

/// One sheet of the workbook at `path` (`wanted`, else its first): its name and its
/// records, as they are read.
pub fn open(path: &Path, wanted: Option<&str>) -> Result<Sheet, Diagnostic> {
    let name = path.display().to_string();
    let refuse = |message: String, help: &str| {
        Diagnostic::error(crate::error::Code::SheetRead, &name, message).help(help)
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_WORKBOOK_BYTES => {
            return Err(refuse(
                format!(
                    "the workbook is too large: at most {} MiB is read",
                    MAX_WORKBOOK_BYTES >> 20
                ),
                "save the month's rows alone, or export them as CSV",
            ));
        }
        Ok(_) => {}
        Err(e) => {
            return Err(refuse(
                format!("cannot read: {e}"),
                "check the path and its permissions",
            ));
        }
    }
    let ods = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ods"));
    if ods && let Some((sheet, grid)) = ods_grid(path) {
        return Err(refuse(
            format!(
                "sheet `{sheet}` holds {} cells but declares repeated rows or columns as far \
                 as cell {}: read, they would fill {} cells, far more than an export of so few",
                grid.cells, grid.far, grid.fill
            ),
            "delete the empty rows and columns after the export's rows, or export the sheet \
             as CSV",
        ));
    }
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        refuse(
            format!("cannot read the workbook: {e}"),
            "save it as .xlsx or .ods (or export the sheet as CSV)",
        )
    })?;
    let sheet = choose_sheet(&book.sheet_names(), wanted)
        .map_err(|(message, help)| refuse(message, help))?;
    let too_far = |grid: Sparse| {
        refuse(
            format!(
                "sheet `{sheet}` holds {} cells but reaches cell {}: as rows, they would fill \
                 {} cells, far more than an export of so few",
                grid.cells, grid.far, grid.fill
            ),
            "delete what is below or to the right of the export's rows (or export the sheet \
             as CSV)",
        )
    };
    let cells = match &mut book {
        // Cell by cell as stored, so memory follows the cells the sheet holds, never the
        // size it declares (a 5 KB file can declare every cell to XFD1048576).
        calamine::Sheets::Xlsx(xlsx) => {
            let unreadable = |e: calamine::XlsxError| {
                refuse(
                    format!("cannot read sheet `{sheet}`: {e}"),
                    "save the workbook again, or export the sheet as CSV",
                )
            };
            let mut reader = xlsx.worksheet_cells_reader(&sheet).map_err(unreadable)?;
            let mut measure = Measure::default();
            while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                let (row, column) = cell.get_position();
                if !text(&Data::from(cell.get_value().clone())).is_empty() {
                    measure.add(row, column);
                }
            }
            drop(reader);
            if measure.in_order {
                measure.bounds().map_err(too_far)?;
                let rows = stream(Streamed {
                    path: path.to_path_buf(),
                    name: name.clone(),
                    sheet: sheet.clone(),
                    width: measure.width(),
                });
                return Ok((Arc::from(sheet), rows));
            }
            let mut reader = xlsx.worksheet_cells_reader(&sheet).map_err(unreadable)?;
            let mut cells = Vec::new();
            while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                let (row, column) = cell.get_position();
                let text = text(&Data::from(cell.get_value().clone()));
                if !text.is_empty() {
                    cells.push((row, column, text));
                }
            }
            cells
        }
        // An .ods was measured before it was opened (`ods_grid`).
        other => {
            let range = other.worksheet_range(&sheet).map_err(|e| {
                refuse(
                    format!("cannot read sheet `{sheet}`: {e}"),
                    "save the workbook again, or export the sheet as CSV",
                )
            })?;
            let (top, left) = range.start().unwrap_or((0, 0));
            range
                .used_cells()
                .map(|(r, c, data)| (top + r as u32, left + c as u32, text(data)))
                .filter(|(_, _, text)| !text.is_empty())
                .collect()
        }
    };
    let rows = rows_of(cells).map_err(too_far)?;
    let rows = SheetRows {
        batch: rows.into_iter(),
        stream: None,
        again: None,
    };
    Ok((Arc::from(sheet), rows))
}

/// The sheet to read: `wanted` (by its name, else whatever its case), or the first; else
/// why not, and what to do.
fn choose_sheet(names: &[String], wanted: Option<&str>) -> Result<String, (String, &'static str)> {
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                let have: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                (
                    format!(
                        "the workbook has no sheet `{wanted}` (it has {})",
                        have.join(", ")
                    ),
                    "name one of its sheets with --sheet",
                )
            }),
        None => names.first().cloned().ok_or_else(|| {
            (
                "the workbook has no sheets".into(),
                "save the export with its sheet",
            )
        }),
    }
}

/// An .xlsx sheet's cells that hold something, as they are read: how many, its rows, its
/// widest row, and whether each cell came after the one before (row by row, left to right).
struct Measure {
    cells: u64,
    rows: u64,
    /// The last cell's place, and the widest column and its row.
    last: Option<(u32, u32)>,
    widest: Option<(u32, u32)>,
    in_order: bool,
}

impl Default for Measure {
    fn default() -> Self {
        Measure {
            cells: 0,
            rows: 0,
            last: None,
            widest: None,
            in_order: true,
        }
    }
}

impl Measure {
    fn add(&mut self, row: u32, column: u32) {
        self.cells += 1;
        match self.last {
            Some((r, c)) if (row, column) <= (r, c) => self.in_order = false,
            Some((r, _)) if r == row => {}
            _ => self.rows += 1,
        }
        self.last = Some((row, column));
        if self.widest.is_none_or(|(_, c)| column > c) {
            self.widest = Some((row, column));
        }
    }

    /// The width of its rows: the widest row's.
    fn width(&self) -> usize {
        self.widest.map_or(0, |(_, column)| column as usize + 1)
    }

    /// Whether its rows, each as wide as the widest, stay in bounds (`rows_of`).
    fn bounds(&self) -> Result<(), Sparse> {
        let Some((row, _)) = self.widest else {
            return Ok(());
        };
        let fill = self.rows.saturating_mul(self.width() as u64);
        if too_sparse(fill, self.cells) {
            return Err(Sparse {
                cells: self.cells,
                far: format!("{}{}", column_letter(self.width()), row as u64 + 1),
                fill,
            });
        }
        Ok(())
    }
}

/// The rows of an .xlsx sheet measured in order, `width` cells each, read again by a
/// thread of their own and given as they are read.
fn stream(streamed: Streamed) -> SheetRows {
    let (send, receive) = sync_channel(STREAM_AHEAD);
    let again = Some(streamed.clone());
    let Streamed {
        path,
        name,
        sheet,
        width,
    } = streamed;
    std::thread::spawn(move || {
        // A fault in the reader must not end the rows as if the sheet had ended there.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            send_rows(&path, &sheet, width, &send)
        }))
        .unwrap_or_else(|_| Err("the workbook reader failed".into()));
        if let Err(error) = read {
            let error = Diagnostic::error(
                crate::error::Code::SheetRead,
                &name,
                format!("cannot read sheet `{sheet}` again: {error}"),
            )
            .help("check that the workbook is not being changed while it is read");
            let row = Row {
                line: 1,
                cells: Vec::new(),
            };
            // The reader may have stopped listening: then there is no one to tell.
            let _ = send.send(vec![Err((row, error))]);
        }
    });
    SheetRows {
        batch: Vec::new().into_iter(),
        stream: Some(receive),
        again,
    }
}

/// Read the sheet's cells in order into rows of `width` cells, sending them in batches;
/// stops quietly when the reader stops listening.
fn send_rows(
    path: &Path,
    sheet: &str,
    width: usize,
    send: &SyncSender<Vec<Result<Row, Bad>>>,
) -> Result<(), String> {
    let book = calamine::open_workbook_auto(path).map_err(|e| e.to_string())?;
    let calamine::Sheets::Xlsx(mut xlsx) = book else {
        return Err("it is no longer an .xlsx workbook".into());
    };
    let mut reader = xlsx
        .worksheet_cells_reader(sheet)
        .map_err(|e| e.to_string())?;
    let mut batch = Vec::with_capacity(STREAM_BATCH);
    let mut current: Option<Row> = None;
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        let (row, column) = cell.get_position();
        let text = text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let line = row as usize + 1;
        if current.as_ref().is_some_and(|r| r.line != line) {
            batch.extend(current.take().map(Ok));
            if batch.len() >= STREAM_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(STREAM_BATCH));
                if send.send(full).is_err() {
                    return Ok(());
                }
            }
        }
        let blank = |column: usize| Cell {
            text: String::new(),
            line,
            column,
        };
        let row = current.get_or_insert_with(|| Row {
            line,
            cells: (1..=width).map(blank).collect(),
        });
        let index = column as usize;
        while row.cells.len() <= index {
            row.cells.push(blank(row.cells.len() + 1));
        }
        row.cells[index].text = text;
    }
    batch.extend(current.map(Ok));
    if !batch.is_empty() {
        // The reader may have stopped listening: nothing is lost that it wanted.
        let _ = send.send(batch);
    }
    Ok(())
}

/// The cells a sheet's rows may fill however few it holds, and how many for each cell it
/// holds beyond that: a sheet whose rows (every row with a cell, each as wide as the
/// widest) would fill more is refused, so a few cells far apart cannot take the memory.
const GRID_FLOOR: u64 = 1 << 20;
const GRID_PER_CELL: u64 = 32;

/// Whether `fill` cells are too many for a sheet holding `cells`.
fn too_sparse(fill: u64, cells: u64) -> bool {
    fill > GRID_FLOOR.max(cells.saturating_mul(GRID_PER_CELL))
}

/// A sheet refused as too sparse: how many cells it holds, the cell that reaches
/// farthest, and how many its rows would fill.
struct Sparse {
    cells: u64,
    far: String,
    fill: u64,
}

/// The rows of a sheet from its cells that hold something (row and column from 0, and
/// the text): each row that has a cell, as wide as the widest, its empty cells filled in
/// so that cell positions count from A as the export's reader expects; `Err` for a sheet
/// whose rows would fill too many cells.
fn rows_of(mut cells: Vec<(u32, u32, String)>) -> Result<Vec<Result<Row, Bad>>, Sparse> {
    // In sheet order; a cell given twice is what it was given last.
    cells.sort_by_key(|(row, column, _)| (*row, *column));
    cells.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0 && later.1 == earlier.1;
        if same {
            std::mem::swap(&mut later.2, &mut earlier.2);
        }
        same
    });
    let Some(widest) = cells.iter().max_by_key(|(_, column, _)| *column) else {
        return Ok(Vec::new());
    };
    let width = widest.1 as usize + 1;
    let mut lines: Vec<u32> = cells.iter().map(|(row, _, _)| *row).collect();
    lines.dedup();
    let fill = (lines.len() as u64).saturating_mul(width as u64);
    if too_sparse(fill, cells.len() as u64) {
        return Err(Sparse {
            cells: cells.len() as u64,
            far: format!("{}{}", column_letter(width), widest.0 as u64 + 1),
            fill,
        });
    }
    let mut rows: Vec<Result<Row, Bad>> = Vec::with_capacity(lines.len());
    let mut cells = cells.into_iter().peekable();
    for row in lines {
        let line = row as usize + 1;
        let mut all: Vec<Cell> = (0..width)
            .map(|c| Cell {
                text: String::new(),
                line,
                column: c + 1,
            })
            .collect();
        while let Some((_, column, text)) = cells.next_if(|(r, _, _)| *r == row) {
            all[column as usize].text = text;
        }
        rows.push(Ok(Row { line, cells: all }));
    }
    Ok(rows)
}

/// A cell as the text a CSV export would hold: whole numbers without `.0`, dates as ISO
/// `2026-11-24`, an error cell as its error (`#N/A`), to be refused where it is used.
fn text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, hh, mm, _, _) = d.to_ymd_hms_milli();
            if hh == 0 && mm == 0 {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{hh:02}:{mm:02}")
            }
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The first sheet of the .ods at `path` whose rows, as calamine reads them (it reads
/// every sheet whole, repeated rows and columns written out, when the workbook is opened),
/// would fill too many cells for those it holds; `None` when every sheet is in bounds, or
/// when the file cannot be looked into (calamine then says why). Read as a stream: a few
/// hundred bytes can declare a million repeated rows.
fn ods_grid(path: &Path) -> Option<(String, Sparse)> {
    use quick_xml::events::Event;
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut buf = Vec::new();
    let mut table = Table::default();
    loop {
        let event = xml.read_event_into(&mut buf).ok()?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let repeated = |key: &str| {
                e.try_get_attribute(key)
                    .ok()
                    .flatten()
                    .and_then(|a| a.value.trim().parse::<u64>().ok())
                    .unwrap_or(1)
            };
            match e.name().as_ref() {
                "table:table" => {
                    let name = e
                        .try_get_attribute("table:name")
                        .ok()
                        .flatten()
                        .map(|a| a.value.into_owned())
                        .unwrap_or_default();
                    table = Table {
                        name,
                        ..Table::default()
                    };
                }
                "table:table-row" => {
                    table.row_repeats = repeated("table:number-rows-repeated");
                    table.column = 0;
                    table.row_end = 0;
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let repeats = repeated("table:number-columns-repeated");
                    table.column = table.column.saturating_add(repeats).min(MAX_COLUMNS);
                    let holds = !empty
                        || e.try_get_attribute("office:value-type")
                            .ok()
                            .flatten()
                            .is_some();
                    if holds {
                        table.cells += 1;
                        table.row_end = table.column;
                    }
                }
                _ => {}
            }
        }
        match &event {
            Event::End(e) if e.name().as_ref() == "table:table-row" => table.end_row(),
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => table.end_row(),
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some(grid) = table.sparse() {
                    return Some((std::mem::take(&mut table.name), grid));
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The widest and longest a sheet can be.
const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;

/// An .ods sheet as it is streamed: what its rows would fill.
#[derive(Default)]
struct Table {
    name: String,
    /// Cells it holds (repeated ones counted once: as written).
    cells: u64,
    /// Rows so far, repeated ones written out.
    rows: u64,
    /// The first and last row that hold a cell, and the widest such row.
    first: Option<u64>,
    last: u64,
    width: u64,
    /// The row being read: its repeats, its column, and the column after its last cell.
    row_repeats: u64,
    column: u64,
    row_end: u64,
}

impl Table {
    fn end_row(&mut self) {
        let repeats = self
            .row_repeats
            .max(1)
            .min(MAX_ROWS - self.rows.min(MAX_ROWS));
        if self.row_end > 0 {
            self.first.get_or_insert(self.rows);
            self.last = self.rows + repeats.saturating_sub(1);
            self.width = self.width.max(self.row_end);
        }
        self.rows += repeats;
        self.row_repeats = 1;
    }

    fn sparse(&self) -> Option<Sparse> {
        let first = self.first?;
        let fill = (self.last - first + 1).saturating_mul(self.width);
        too_sparse(fill, self.cells).then(|| Sparse {
            cells: self.cells,
            far: format!("{}{}", column_letter(self.width as usize), self.last + 1),
            fill,
        })
    }
}
