//! Workbooks (`.xlsx`, `.ods`; SPEC section 12), read with calamine (pure Rust, no Office):
//! one sheet (`--sheet NAME`, else the first) as records, each cell at its row and column
//! (a message names it as `sheet Contacts, cell C5`). The records are then read as our own
//! CSV is, or through `--map`.

use super::csv::{Bad, Cell, Row};
use crate::error::Diagnostic;
use calamine::{Data, Reader};
use std::path::Path;
use std::sync::Arc;

/// The largest workbook read (a month's export is a few megabytes).
const MAX_WORKBOOK_BYTES: u64 = 256 << 20;

/// A sheet's name and its records.
pub type Sheet = (Arc<str>, Vec<Result<Row, Bad>>);

/// The records of one sheet of the workbook at `path`, and the sheet's name.
pub fn read(path: &Path, wanted: Option<&str>) -> Result<Sheet, Diagnostic> {
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
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        refuse(
            format!("cannot read the workbook: {e}"),
            "save it as .xlsx or .ods (or export the sheet as CSV)",
        )
    })?;
    let names = book.sheet_names();
    let sheet = match wanted {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                refuse(
                    format!(
                        "the workbook has no sheet `{wanted}` (it has {})",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "name one of its sheets with --sheet",
                )
            })?,
        None => names.first().cloned().ok_or_else(|| {
            refuse(
                "the workbook has no sheets".into(),
                "save the export with its sheet",
            )
        })?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| {
        refuse(
            format!("cannot read sheet `{sheet}`: {e}"),
            "save the workbook again, or export the sheet as CSV",
        )
    })?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (r, cells) in range.rows().enumerate() {
        let line = top as usize + r + 1;
        let cells = cells
            .iter()
            .enumerate()
            .map(|(c, data)| Cell {
                text: text(data),
                line,
                // Blank columns before the first used one still count, so C is C.
                column: left as usize + c + 1,
            })
            .collect::<Vec<_>>();
        rows.push(Ok(pad(cells, left as usize, line)));
    }
    Ok((Arc::from(sheet), rows))
}

/// A row whose sheet starts after column A, with the empty cells before it, so cell
/// positions count from A as the export's reader expects.
fn pad(cells: Vec<Cell>, left: usize, line: usize) -> Row {
    let mut all: Vec<Cell> = (0..left)
        .map(|c| Cell {
            text: String::new(),
            line,
            column: c + 1,
        })
        .collect();
    all.extend(cells);
    Row { line, cells: all }
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
