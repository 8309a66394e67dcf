//! What `batch` reads: files, folders (searched recursively) and `-` (JSON Lines on
//! standard input), turned into items a worker can assess on its own. Everything here
//! streams: a file is read a line or a document at a time, never whole (except a JSON case
//! file, which holds one case and is capped like `assess` caps it).

use super::cells::{read_line, too_large};
use super::csv::{CsvCases, Unit};
use crate::case::MAX_CASE_BYTES;
use crate::error::Diagnostic;
use crate::parse::decode_text;
use crate::question::QuestionBank;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// About this much input goes to a worker at a time: large enough that handing it over
/// costs nothing next to assessing it, small enough that the cases in flight stay few.
pub const CHUNK_BYTES: usize = 128 * 1024;
/// At most this many files (or documents, or CSV cases) go to a worker at a time.
const CHUNK_ITEMS: usize = 64;

/// One unit of work: one or more cases, with where each came from.
pub enum Item {
    /// Whole lines of a JSON Lines file, the first being line `first_line`.
    Lines {
        name: Arc<str>,
        first_line: usize,
        bytes: Vec<u8>,
    },
    /// A JSON case file, read whole (at most `MAX_CASE_BYTES` and a byte).
    File { name: Arc<str>, bytes: Vec<u8> },
    /// A document of a YAML file; `number` is `None` when it is the file's only one.
    Document {
        name: Arc<str>,
        number: Option<usize>,
        first_line: usize,
        bytes: Vec<u8>,
    },
    /// One case of a CSV export: its rows.
    Csv(super::csv::Group),
    /// Cases of a CSV export in our own columns, their rows as written.
    CsvBlock(super::csv::Block),
    /// One case of a foreign export, its rows as written, to be read through the map.
    Mapped(super::map::Pending),
    /// An input that could not be read as a case at all.
    Failed { source: String, error: Diagnostic },
}

impl From<Unit> for Item {
    fn from(unit: Unit) -> Item {
        match unit {
            Unit::Case(group) => Item::Csv(group),
            Unit::Block(block) => Item::CsvBlock(block),
            Unit::Failed { source, error } => Item::Failed { source, error },
        }
    }
}

impl From<super::map::Mapped> for Item {
    fn from(mapped: super::map::Mapped) -> Item {
        match mapped {
            super::map::Mapped::Case(pending) => Item::Mapped(pending),
            super::map::Mapped::Failed { source, error } => Item::Failed { source, error },
        }
    }
}

impl Item {
    fn size(&self) -> usize {
        match self {
            Item::Lines { bytes, .. } | Item::File { bytes, .. } | Item::Document { bytes, .. } => {
                bytes.len()
            }
            Item::Csv(group) => group.size(),
            Item::CsvBlock(block) => block.size(),
            Item::Mapped(pending) => pending.size(),
            Item::Failed { .. } => 0,
        }
    }

    /// The cases it counts as, towards a chunk's `CHUNK_ITEMS`.
    fn cases(&self) -> usize {
        match self {
            Item::CsvBlock(block) => block.cases(),
            _ => 1,
        }
    }

    fn failed(source: impl Into<String>, error: Diagnostic) -> Item {
        Item::Failed {
            source: source.into(),
            error,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    JsonLines,
    Json,
    Yaml,
    Csv,
    /// A workbook (`.xlsx`, `.ods`): read whole with calamine.
    Sheet,
}

fn kind_by_extension(path: &Path) -> Option<Kind> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "jsonl" => Some(Kind::JsonLines),
        "json" => Some(Kind::Json),
        "yaml" | "yml" => Some(Kind::Yaml),
        "csv" => Some(Kind::Csv),
        "xlsx" | "ods" => Some(Kind::Sheet),
        _ => None,
    }
}

/// A file whose name does not say: JSON Lines when its first two lines are both JSON
/// objects, JSON when it starts with `{`, CSV when its first line is a header starting
/// `reference,`, YAML otherwise.
fn kind_by_content(head: &[u8]) -> Kind {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(<[u8]>::trim_ascii)
        .filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let second = lines.next().unwrap_or_default();
    if first.starts_with(b"{") && second.starts_with(b"{") {
        Kind::JsonLines
    } else if first.starts_with(b"{") {
        Kind::Json
    } else if first.starts_with(b"reference") && first.contains(&b',') {
        Kind::Csv
    } else {
        Kind::Yaml
    }
}

/// The file being read, as a source of items.
enum Open<'a> {
    Lines(JsonLines<'a>),
    Yaml(YamlStream<'a>),
    Csv(Box<CsvCases<'a>>),
    Mapped(super::map::MappedCases<'a>),
}

impl Open<'_> {
    fn next_item(&mut self) -> Option<Item> {
        match self {
            Open::Lines(reader) => reader.next_item(),
            Open::Yaml(reader) => reader.next_item(),
            Open::Csv(reader) => reader.next_item().map(Item::from),
            Open::Mapped(reader) => reader.next_item().map(Item::from),
        }
    }
}

/// A folder being searched, in name order (so a run over a folder is repeatable).
struct Walk {
    root: PathBuf,
    entries: walkdir::IntoIter,
    found_any: bool,
}

/// Every input named on the command line, in order, as a stream of items.
pub struct Inputs<'a> {
    paths: std::vec::IntoIter<PathBuf>,
    walk: Option<Walk>,
    open: Option<Open<'a>>,
    stdin: Option<&'a mut dyn Read>,
    bank: Arc<QuestionBank>,
    /// Things worth saying at the end that are not errors (a folder with no case files).
    pub notes: Vec<String>,
    /// Files and streams opened.
    pub files: u64,
    /// `--map`: CSV exports and workbooks are read through it.
    map: Option<Arc<super::map::Map>>,
    /// `--sheet`: the sheet of each workbook to read (else its first).
    sheet: Option<String>,
    /// The date an age is worked out at when a row gives no assessment date.
    today: jiff::civil::Date,
}

impl<'a> Inputs<'a> {
    pub fn new(paths: Vec<PathBuf>, stdin: &'a mut dyn Read, bank: Arc<QuestionBank>) -> Self {
        Inputs {
            paths: paths.into_iter(),
            walk: None,
            open: None,
            stdin: Some(stdin),
            bank,
            notes: Vec::new(),
            files: 0,
            map: None,
            sheet: None,
            today: jiff::civil::date(2026, 1, 1),
        }
    }

    /// Read exports through `map`, workbooks at `sheet`, ages at `today` where a row
    /// gives no assessment date.
    pub fn with_exports(
        mut self,
        map: Option<Arc<super::map::Map>>,
        sheet: Option<String>,
        today: jiff::civil::Date,
    ) -> Self {
        self.map = map;
        self.sheet = sheet;
        self.today = today;
        self
    }

    /// The next items to hand to a worker; `None` when every input has been read.
    pub fn next_chunk(&mut self) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        let (mut cases, mut bytes) = (0, 0);
        while cases < CHUNK_ITEMS && bytes < CHUNK_BYTES {
            let Some(item) = self.next_item() else { break };
            cases += item.cases();
            bytes += item.size();
            items.push(item);
        }
        (!items.is_empty()).then_some(items)
    }

    fn next_item(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.open.as_mut().and_then(Open::next_item) {
                return Some(item);
            }
            self.open = None;
            if let Some(item) = self.next_file()? {
                return Some(item);
            }
        }
    }

    /// Open the next file (the next in the folder being walked, else the next path).
    /// Returns an item when the file is read in one go or cannot be read; `None` when
    /// every input is done.
    fn next_file(&mut self) -> Option<Option<Item>> {
        if let Some(found) = self.next_in_folder() {
            return Some(found);
        }
        let path = self.paths.next()?;
        if path.as_os_str() == "-" {
            return Some(self.open_stdin());
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                let walk = walkdir::WalkDir::new(&path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter();
                self.walk = Some(Walk {
                    root: path,
                    entries: walk,
                    found_any: false,
                });
                Some(None)
            }
            Ok(_) if crate::files::not_a_file(&path).is_some() => {
                self.files += 1;
                let name = path.display().to_string();
                let what = crate::files::not_a_file(&path).unwrap_or("not a regular file");
                let error = Diagnostic::error(
                    crate::error::Code::CaseRead,
                    &name,
                    format!("cannot read: it is {what}"),
                )
                .help(crate::files::NOT_A_FILE_HELP);
                Some(Some(Item::failed(name, error)))
            }
            Ok(_) => Some(self.open_file(&path, None, false)),
            Err(e) => {
                self.files += 1;
                Some(Some(cannot_read(&path.display().to_string(), &e)))
            }
        }
    }

    /// The next case file in the folder being walked: `None` when there is no folder
    /// or it is done.
    fn next_in_folder(&mut self) -> Option<Option<Item>> {
        let walk = self.walk.as_mut()?;
        let entry = loop {
            match walk.entries.next() {
                None => {
                    if !walk.found_any {
                        self.notes.push(format!(
                            "{} holds no case files (.yaml, .yml, .json, .jsonl, .csv, .xlsx, .ods)",
                            walk.root.display()
                        ));
                    }
                    self.walk = None;
                    return None;
                }
                Some(Err(e)) => {
                    let path = e.path().unwrap_or(&walk.root).to_path_buf();
                    let error = Diagnostic::error(
                        crate::error::Code::CaseRead,
                        path.display().to_string(),
                        e.to_string(),
                    )
                    .help("check the folder's permissions, and for links that loop");
                    return Some(Some(Item::failed(path.display().to_string(), error)));
                }
                Some(Ok(entry)) if is_case_file(&entry) => break entry,
                Some(Ok(entry)) if is_hidden(&entry) && entry.file_type().is_dir() => {
                    walk.entries.skip_current_dir();
                }
                Some(Ok(_)) => {}
            }
        };
        walk.found_any = true;
        let kind = kind_by_extension(entry.path());
        Some(self.open_file(entry.path(), kind, true))
    }

    fn open_stdin(&mut self) -> Option<Item> {
        let Some(stdin) = self.stdin.take() else {
            let error = Diagnostic::error(
                crate::error::Code::UsageStdin,
                "-",
                "standard input is named twice",
            )
            .help("give `-` once: it is read to its end the first time");
            return Some(Item::failed("-", error));
        };
        self.files += 1;
        let reader: Box<dyn BufRead + 'a> = Box::new(BufReader::with_capacity(1 << 16, stdin));
        self.start(Kind::JsonLines, Arc::from("-"), reader, None)
    }

    /// Open a file named on the command line, or found `in_folder`.
    fn open_file(&mut self, path: &Path, kind: Option<Kind>, in_folder: bool) -> Option<Item> {
        if kind.or_else(|| kind_by_extension(path)) == Some(Kind::Sheet) {
            self.files += 1;
            return self.open_sheet(path);
        }
        self.files += 1;
        let name = if in_folder {
            source_name(path)
        } else {
            path.display().to_string()
        };
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) => return Some(cannot_read(&name, &e)),
        };
        let mut reader: Box<dyn BufRead + 'a> = Box::new(BufReader::with_capacity(1 << 16, file));
        let kind = match kind.or_else(|| kind_by_extension(path)) {
            Some(kind) => kind,
            None => match reader.fill_buf() {
                Ok(head) => kind_by_content(head),
                Err(e) => return Some(cannot_read(&name, &e)),
            },
        };
        self.start(kind, Arc::from(name), reader, Some(path))
    }

    /// A workbook's sheet, through the map or in our own columns.
    fn open_sheet(&mut self, path: &Path) -> Option<Item> {
        let name: Arc<str> = Arc::from(path.display().to_string());
        let (sheet, rows) = match super::sheet::open(path, self.sheet.as_deref()) {
            Ok(open) => open,
            Err(error) => return Some(Item::failed(name.to_string(), error)),
        };
        self.open = Some(match &self.map {
            Some(map) => {
                // Read twice through the map: a streamed sheet is read again as it was
                // measured, any other opened again.
                let again = rows.again();
                let mut first: Option<super::map::Records<'a>> = Some(Box::new(rows));
                let (path, wanted) = (path.to_path_buf(), Arc::clone(&sheet));
                let reopen: super::map::Reopen<'a> =
                    Box::new(move || match (first.take(), &again) {
                        (Some(rows), _) => Ok(rows),
                        (None, Some(again)) => Ok(Box::new(again.rows())),
                        (None, None) => super::sheet::open(&path, Some(&wanted))
                            .map(|(_, rows)| Box::new(rows) as super::map::Records<'a>),
                    });
                let source = super::map::Source {
                    name,
                    sheet: Some(sheet),
                };
                Open::Mapped(super::map::MappedCases::new(
                    source,
                    reopen,
                    map,
                    &self.bank,
                    self.today,
                    &mut self.notes,
                ))
            }
            None => Open::Csv(Box::new(CsvCases::from_rows(
                name,
                sheet,
                rows,
                Arc::clone(&self.bank),
            ))),
        });
        None
    }

    /// Begin reading a file of `kind` (at `path`, unless it is standard input); an item
    /// straight away when the file is read whole or refused whole.
    fn start(
        &mut self,
        kind: Kind,
        name: Arc<str>,
        mut reader: Box<dyn BufRead + 'a>,
        path: Option<&Path>,
    ) -> Option<Item> {
        if kind != Kind::Json
            && let Err(error) = check_encoding(&name, &mut reader)
        {
            return Some(Item::failed(name.to_string(), error));
        }
        self.open = Some(match kind {
            Kind::Json => return Some(read_whole(&name, reader)),
            Kind::JsonLines => Open::Lines(JsonLines::new(name, reader)),
            Kind::Yaml => Open::Yaml(YamlStream::new(name, reader)),
            Kind::Csv if self.map.is_some() => {
                let map = self.map.clone()?;
                let source = super::map::Source {
                    name: Arc::clone(&name),
                    sheet: None,
                };
                let reopen = reopen_export(name, reader, path, Arc::clone(&map));
                Open::Mapped(super::map::MappedCases::new(
                    source,
                    reopen,
                    &map,
                    &self.bank,
                    self.today,
                    &mut self.notes,
                ))
            }
            Kind::Csv => {
                let cases = CsvCases::new(name, reader, Arc::clone(&self.bank));
                // Opened a second time, to read it again should its references come out
                // of order; without it every reference is kept.
                match path.and_then(|path| std::fs::File::open(path).ok()) {
                    Some(again) => {
                        Open::Csv(Box::new(cases.again_from(Box::new(BufReader::new(again)))))
                    }
                    None => Open::Csv(Box::new(cases)),
                }
            }
            Kind::Sheet => return self.open_sheet(Path::new(&*name)),
        });
        None
    }
}

/// The records of a CSV export read through `map`: first from `reader`, then from the file
/// at `path` opened again for each later pass (an export read through a map is read twice).
fn reopen_export<'a>(
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    path: Option<&Path>,
    map: Arc<super::map::Map>,
) -> super::map::Reopen<'a> {
    let mut first = Some(reader);
    let path = path.map(Path::to_path_buf);
    Box::new(move || {
        let reader = match (first.take(), &path) {
            (Some(reader), _) => reader,
            (None, Some(path)) => {
                let again = std::fs::File::open(path).map_err(|e| {
                    Diagnostic::error(
                        crate::error::Code::CaseRead,
                        &*name,
                        format!("cannot read the file again: {e}"),
                    )
                    .help("check that the file is still there and readable")
                })?;
                let mut reader: Box<dyn BufRead + 'a> =
                    Box::new(BufReader::with_capacity(1 << 16, again));
                check_encoding(&name, &mut reader)?;
                reader
            }
            // Standard input is read as JSON Lines, never through a map; a stream could
            // not be read twice.
            (None, None) => {
                return Err(Diagnostic::error(
                    crate::error::Code::CaseRead,
                    &*name,
                    "cannot read a stream twice, as an export read through a map is",
                )
                .help("save the export as a file and name it"));
            }
        };
        let map = Arc::clone(&map);
        let free_text = Box::new(move |header: &str| !map.reads_column(header));
        let records = super::csv::read_records(Arc::clone(&name), reader, free_text);
        Ok(Box::new(records) as super::map::Records<'a>)
    })
}

fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
}

/// Files in folders are read when their extension says what they hold (.yaml, .yml,
/// .json, .jsonl, .csv); hidden files (a name starting with `.`, such as an editor's or
/// our own temporary output) never.
/// Whether a file at `path` in an input folder would be read as a case file.
pub fn is_case_path(path: &Path) -> bool {
    kind_by_extension(path).is_some()
        && !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn is_case_file(entry: &walkdir::DirEntry) -> bool {
    entry.file_type().is_file() && !is_hidden(entry) && kind_by_extension(entry.path()).is_some()
}

/// The name in results and errors of a file found in a folder: the folder as given and the
/// file's place in it. On Windows the two may use different separators (`cases/2026` given,
/// `sub\case.yaml` found); a `/` typed by the user wins, so a name has one kind (Windows
/// reads both). A file named on the command line keeps the name as typed.
fn source_name(path: &Path) -> String {
    one_separator(&path.display().to_string(), cfg!(windows))
}

fn one_separator(name: &str, windows: bool) -> String {
    if windows && name.contains('/') {
        name.replace('\\', "/")
    } else {
        name.to_string()
    }
}

fn cannot_read(name: &str, e: &std::io::Error) -> Item {
    let error = Diagnostic::error(
        crate::error::Code::CaseRead,
        name,
        format!("cannot read: {e}"),
    )
    .help("check the path and its permissions");
    Item::failed(name, error)
}

/// A JSON case file, read like `assess` reads it (with its size limit).
fn read_whole(name: &Arc<str>, reader: impl Read) -> Item {
    let mut bytes = Vec::new();
    match reader
        .take(MAX_CASE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
    {
        Ok(_) => Item::File {
            name: Arc::clone(name),
            bytes,
        },
        Err(e) => cannot_read(name, &e),
    }
}

/// Refuse a whole file that is UTF-16 or has a NUL byte in its first line, in the words
/// `assess` uses; drop a UTF-8 byte-order mark. (Each line or document is checked for
/// UTF-8 as it is read; this catches the files that would fail on every line.)
fn check_encoding(name: &str, reader: &mut dyn BufRead) -> Result<(), Diagnostic> {
    let head = reader.fill_buf().map_err(|e| {
        Diagnostic::error(
            crate::error::Code::CaseRead,
            name,
            format!("cannot read: {e}"),
        )
    })?;
    let first_line = &head[..memchr::memchr(b'\n', head).map_or(head.len(), |end| end + 1)];
    let suspect = match memchr::memchr(0, first_line) {
        Some(nul) => &head[..=nul],
        None => &head[..head.len().min(2)],
    };
    if let Err((code, message, at)) = decode_text(suspect)
        && (suspect.ends_with(&[0]) || code == crate::error::Code::CaseUtf16)
    {
        return Err(Diagnostic::error(code, name, message)
            .at(at)
            .help("save the file as UTF-8"));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

/// A JSON Lines file, read in blocks of whole lines.
struct JsonLines<'a> {
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    /// Lines read so far.
    line: usize,
    /// An item to give after the current block (a line that was too long).
    queued: Option<Item>,
    done: bool,
}

impl<'a> JsonLines<'a> {
    fn new(name: Arc<str>, reader: Box<dyn BufRead + 'a>) -> Self {
        JsonLines {
            name,
            reader,
            line: 0,
            queued: None,
            done: false,
        }
    }

    fn next_item(&mut self) -> Option<Item> {
        if let Some(item) = self.queued.take() {
            return Some(item);
        }
        if self.done {
            return None;
        }
        let first_line = self.line + 1;
        let mut bytes = Vec::with_capacity(CHUNK_BYTES + 4096);
        while bytes.len() < CHUNK_BYTES {
            let start = bytes.len();
            let consumed =
                match read_line(&mut *self.reader, &mut bytes, start + MAX_CASE_BYTES + 1) {
                    Ok(0) => {
                        self.done = true;
                        break;
                    }
                    Ok(consumed) => consumed,
                    Err(e) => {
                        self.done = true;
                        let error = Diagnostic::error(
                            crate::error::Code::CaseRead,
                            &*self.name,
                            format!("cannot read: {e}"),
                        );
                        self.queued = Some(Item::failed(
                            format!("{}:{}", self.name, self.line + 1),
                            error,
                        ));
                        break;
                    }
                };
            self.line += 1;
            if consumed > MAX_CASE_BYTES {
                bytes.truncate(start);
                let error = too_large(&self.name, self.line, &format!("line {}", self.line));
                self.queued = Some(Item::failed(format!("{}:{}", self.name, self.line), error));
                break;
            }
        }
        if bytes.is_empty() {
            return self.queued.take();
        }
        Some(Item::Lines {
            name: Arc::clone(&self.name),
            first_line,
            bytes,
        })
    }
}

/// A YAML file: a stream of one or more documents, each a case. The first document is
/// held back until the second is found, to know whether to number them.
struct YamlStream<'a> {
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    splitter: crate::yaml::Splitter,
    /// Documents found that are not blank.
    found: usize,
    held: Option<crate::yaml::Document>,
    /// An item to give next (the second document, or a read error).
    ready: Option<Item>,
    /// The first blank document, parsed when there is nothing else (so an empty file gets
    /// the message `assess` gives).
    blank: Option<crate::yaml::Document>,
    done: bool,
}

impl<'a> YamlStream<'a> {
    fn new(name: Arc<str>, reader: Box<dyn BufRead + 'a>) -> Self {
        YamlStream {
            name,
            reader,
            splitter: crate::yaml::Splitter::new(MAX_CASE_BYTES),
            found: 0,
            held: None,
            ready: None,
            blank: None,
            done: false,
        }
    }

    fn next_item(&mut self) -> Option<Item> {
        if let Some(item) = self.ready.take() {
            return Some(item);
        }
        while !self.done {
            match self.next_document() {
                Ok(Some(document)) if document.is_blank() => {
                    self.blank.get_or_insert(document);
                }
                Ok(Some(document)) => {
                    self.found += 1;
                    match self.found {
                        1 => self.held = Some(document),
                        2 => {
                            let first = self.held.take()?;
                            self.ready = Some(self.item(document, Some(2)));
                            return Some(self.item(first, Some(1)));
                        }
                        n => return Some(self.item(document, Some(n))),
                    }
                }
                Ok(None) => self.done = true,
                Err(error) => {
                    self.done = true;
                    self.ready = Some(Item::failed(self.name.to_string(), error));
                }
            }
        }
        self.at_end().or_else(|| self.ready.take())
    }

    /// At the end of the file: the document held back (the file's only one), or, for a
    /// file with none, its blank start read as a case so it gets the message `assess` gives.
    fn at_end(&mut self) -> Option<Item> {
        if let Some(document) = self.held.take() {
            return Some(self.item(document, None));
        }
        if self.found > 0 || self.ready.is_some() {
            return None;
        }
        self.found = 1;
        let document = self.blank.take().unwrap_or(crate::yaml::Document {
            first_line: 1,
            bytes: Vec::new(),
            truncated: false,
        });
        Some(self.item(document, None))
    }

    /// The next document, with lines read until one completes.
    fn next_document(&mut self) -> Result<Option<crate::yaml::Document>, Diagnostic> {
        let mut line = Vec::new();
        loop {
            line.clear();
            let read =
                read_line(&mut *self.reader, &mut line, MAX_CASE_BYTES + 1).map_err(|e| {
                    Diagnostic::error(
                        crate::error::Code::CaseRead,
                        &*self.name,
                        format!("cannot read: {e}"),
                    )
                })?;
            if read == 0 {
                return Ok(self.splitter.finish());
            }
            if let Some(document) = self.splitter.push(&line) {
                return Ok(Some(document));
            }
        }
    }

    fn item(&self, document: crate::yaml::Document, number: Option<usize>) -> Item {
        let source = match number {
            Some(n) => format!("{}#{n}", self.name),
            None => self.name.to_string(),
        };
        if document.truncated {
            let what = match number {
                Some(n) => format!("document {n}"),
                None => "the file".to_string(),
            };
            return Item::failed(source, too_large(&self.name, document.first_line, &what));
        }
        Item::Document {
            name: Arc::clone(&self.name),
            number,
            first_line: document.first_line,
            bytes: document.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_on_windows_has_one_kind_of_separator() {
        assert_eq!(
            one_separator("tests/fixtures/batch\\sub\\a.yaml", true),
            "tests/fixtures/batch/sub/a.yaml"
        );
        assert_eq!(
            one_separator("C:\\cases\\sub\\a.yaml", true),
            "C:\\cases\\sub\\a.yaml"
        );
        // Elsewhere a backslash is part of a file's name, never a separator.
        assert_eq!(
            one_separator("cases/odd\\name.yaml", false),
            "cases/odd\\name.yaml"
        );
    }

    #[test]
    fn files_without_a_known_extension_are_read_by_what_they_hold() {
        assert_eq!(
            kind_by_content(b"{\"schema\": 1}\n{\"schema\": 1}\n"),
            Kind::JsonLines
        );
        assert_eq!(kind_by_content(b"\n{\n  \"schema\": 1\n}\n"), Kind::Json);
        assert_eq!(
            kind_by_content(b"\xEF\xBB\xBFreference,area,child_id\n"),
            Kind::Csv
        );
        assert_eq!(kind_by_content(b"schema: 1\n"), Kind::Yaml);
        assert_eq!(kind_by_content(b""), Kind::Yaml);
    }
}
