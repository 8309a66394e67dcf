//! Loading the rules: from YAML files with every check ([`load`]), or from the pre-parsed
//! form of rules already checked ([`prepare`] at build time, [`load_prepared`] at run
//! time). Every rule set carries a SHA-256 fingerprint of its YAML files, and where it came
//! from.

pub mod model;
pub mod national;
pub mod score;
pub mod sources;
pub mod validate;

use crate::error::{Diagnostic, Diagnostics};
use crate::hours::BankHolidays;
use crate::question::QuestionBank;
use model::{Area, National, QuestionsFile};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub const QUESTIONS_FILE: &str = "questions.yaml";
pub const BANK_HOLIDAYS_FILE: &str = "bank-holidays.yaml";
pub const AREAS_DIR: &str = "areas";
/// The national layer: English law and statutory guidance, beneath every area.
pub const NATIONAL_FILE: &str = "england.yaml";
/// The areas the product serves (SPEC section 1): a rules folder without one of them is
/// refused, so a missing file is never a silently missing area.
pub const AREA_IDS: [&str; 4] = ["trafford", "redbridge", "torbay", "salford"];
/// No rules file needs more: the largest bundled one is under 40 KiB.
pub const MAX_RULES_FILE_BYTES: usize = 512 * 1024;

/// One rules file: its path relative to the rules folder, and its text.
#[derive(Debug, Clone)]
pub struct RuleFile {
    pub path: String,
    pub text: String,
}

/// Where a rule set came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    Local(PathBuf),
}

impl Origin {
    pub fn label(&self) -> &'static str {
        match self {
            Origin::Bundled => "bundled",
            Origin::Local(_) => "local",
        }
    }
}

/// A loaded and validated set of rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub questions: Arc<QuestionBank>,
    /// The documents the question bank cites.
    pub question_sources: Arc<Vec<model::SourceDocument>>,
    /// The national layer every area inherits (already merged into each area).
    pub national: Arc<National>,
    pub areas: Areas,
    pub origin: Origin,
    /// SHA-256 over every file's path and text, in path order.
    pub sha256: String,
}

impl RuleSet {
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.get(id)
    }

    /// The area `id`, or an error naming the areas there are (and the nearest to `id`).
    pub fn area_or_error(&self, id: &str) -> Result<&Area, String> {
        self.area(id).ok_or_else(|| {
            let ids: Vec<&str> = self.areas.ids().collect();
            let near = crate::error::nearest(id, ids.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            format!(
                "unknown area `{id}`{near}; the areas are: {}",
                ids.join(", ")
            )
        })
    }
}

/// The areas of a rule set, in file order. Rules read from YAML are read and checked whole;
/// rules read pre-parsed ([`load_prepared`]) are read an area at a time, when the area is
/// first used, so a command about one area reads only that area's rules.
#[derive(Clone, Default)]
pub struct Areas(Vec<Slot>);

#[derive(Clone)]
struct Slot {
    id: String,
    area: OnceLock<Area>,
    /// The JSON to read the area from, when it has not been read yet.
    prepared: Option<Prepared>,
}

#[derive(Clone)]
struct Prepared {
    text: Arc<str>,
    bank: Arc<QuestionBank>,
    holidays: Arc<BankHolidays>,
    national: Arc<National>,
}

impl Slot {
    fn area(&self) -> &Area {
        // `prepare` read these very bytes back (`try_read`) and compared them with the
        // checked rules before the program was built: they cannot fail to read here.
        self.try_read()
            .expect("pre-parsed rules read back when they were prepared")
    }

    fn try_read(&self) -> Result<&Area, crate::yaml::ParseError> {
        if let Some(area) = self.area.get() {
            return Ok(area);
        }
        let prepared = self
            .prepared
            .as_ref()
            .expect("an area not yet read has its pre-parsed form");
        let mut area = read_area(&Json, &prepared.text, &prepared.bank, &prepared.holidays)?;
        national::inherit(&mut area, &prepared.national, &prepared.bank);
        Ok(self.area.get_or_init(|| area))
    }
}

impl Areas {
    /// Areas already read.
    pub fn read(areas: Vec<Area>) -> Areas {
        Areas(
            areas
                .into_iter()
                .map(|area| Slot {
                    id: area.id.clone(),
                    area: OnceLock::from(area),
                    prepared: None,
                })
                .collect(),
        )
    }

    /// The area `id`, read if it has not been.
    pub fn get(&self, id: &str) -> Option<&Area> {
        self.0.iter().find(|s| s.id == id).map(Slot::area)
    }

    /// The areas' ids, without reading any area.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| s.id.as_str())
    }

    /// Every area, each read if it has not been.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Area> {
        self.0.iter().map(Slot::area)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Index<usize> for Areas {
    type Output = Area;

    fn index(&self, index: usize) -> &Area {
        self.0[index].area()
    }
}

impl<'a> IntoIterator for &'a Areas {
    type Item = &'a Area;
    type IntoIter = Box<dyn ExactSizeIterator<Item = &'a Area> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// Every area as read (reading those not yet read): two rule sets print the same only when
/// their rules are the same.
impl std::fmt::Debug for Areas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Read every `.yaml` file under `dir` (the questions file and `areas/*.yaml`).
pub fn read_dir(dir: &Path) -> Result<Vec<RuleFile>, Diagnostic> {
    let display = dir.display().to_string();
    let mut files = Vec::new();
    files.push(read_rule_file(
        &dir.join(QUESTIONS_FILE),
        QUESTIONS_FILE.to_string(),
    )?);
    files.push(read_rule_file(
        &dir.join(BANK_HOLIDAYS_FILE),
        BANK_HOLIDAYS_FILE.to_string(),
    )?);
    let areas_dir = dir.join(AREAS_DIR);
    let entries = crate::files::entries(&areas_dir).map_err(|e| {
        Diagnostic::error(
            crate::error::Code::RulesSource,
            areas_dir.display().to_string(),
            format!("cannot read the areas folder: {e}"),
        )
        .help(format!(
            "a rules folder holds {QUESTIONS_FILE} and {AREAS_DIR}/<area>.yaml; is {display} one?"
        ))
    })?;
    let area_paths = entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"));
    for path in area_paths {
        let name = format!(
            "{AREAS_DIR}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        files.push(read_rule_file(&path, name)?);
    }
    files.push(read_rule_file(
        &dir.join(NATIONAL_FILE),
        NATIONAL_FILE.to_string(),
    )?);
    read_source_texts(dir, Path::new(sources::SOURCES_DIR), &mut files)?;
    Ok(files)
}

/// The shipped source texts (`sources/**/*.txt`), in path order. A folder without them
/// reads; `rules check` then refuses every quotation it cannot find.
fn read_source_texts(
    root: &Path,
    relative: &Path,
    files: &mut Vec<RuleFile>,
) -> Result<(), Diagnostic> {
    let Ok(paths) = crate::files::entries(&root.join(relative)) else {
        return Ok(());
    };
    for path in paths {
        let name = relative.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            read_source_texts(root, &name, files)?;
        } else if path.extension().is_some_and(|x| x == "txt") {
            let name = name.to_string_lossy().replace('\\', "/");
            files.push(read_rule_file(&path, name)?);
        }
    }
    Ok(())
}

fn read_rule_file(path: &Path, relative: String) -> Result<RuleFile, Diagnostic> {
    let file = path.display().to_string();
    let bytes = crate::files::read_limited(path, MAX_RULES_FILE_BYTES).map_err(|e| {
        Diagnostic::error(crate::error::Code::RulesSource, &file, e)
            .help("check the path given with --rules or THRESHOLD_RULES")
    })?;
    if bytes.len() > MAX_RULES_FILE_BYTES {
        return Err(Diagnostic::error(
            crate::error::Code::RulesSource,
            &file,
            format!(
                "is over {} KiB, more than any rules file needs",
                MAX_RULES_FILE_BYTES / 1024
            ),
        )
        .help("a rules file this large is not a copy of the rules; check the folder"));
    }
    let text = crate::parse::decode_text(&bytes).map_err(|(_, message, at)| {
        Diagnostic::error(crate::error::Code::RulesSource, &file, message)
            .at(at)
            .help("save the file as UTF-8")
    })?;
    Ok(RuleFile {
        path: relative,
        text,
    })
}

/// SHA-256 over the rules files' paths and texts, in path order, as lowercase hex: the
/// YAML a result is worked out from (the source texts the rules quote change no result,
/// and are not read when one is).
pub fn fingerprint(files: &[RuleFile]) -> String {
    let mut sorted: Vec<&RuleFile> = files
        .iter()
        .filter(|f| !sources::is_source_text(&f.path))
        .collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hasher = Sha256::new();
    for file in sorted {
        hasher.update(file.path.as_bytes());
        hasher.update([0]);
        hasher.update(file.text.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parse and validate rule files with every check `rules check` makes, every quotation
/// found in its shipped source text among `files` included. `today` is used only to warn
/// about contacts not checked for over a year. Returns the rules and any warnings, or
/// every error found.
pub fn load(
    files: Vec<RuleFile>,
    origin: Origin,
    today: jiff::civil::Date,
) -> Result<(RuleSet, Diagnostics), Diagnostics> {
    load_with(files, origin, today, Quotations::Find)
}

/// Parse and validate a local copy of the rules to work results out from (`--rules DIR`,
/// `rules diff`): every check but the search for each quotation in its source text, which
/// is `rules check`'s (and the build's) and changes no result. Text, numbers, promises and
/// bank holidays are all checked.
pub fn load_for_use(
    files: Vec<RuleFile>,
    origin: Origin,
    today: jiff::civil::Date,
) -> Result<(RuleSet, Diagnostics), Diagnostics> {
    load_with(files, origin, today, Quotations::Skip)
}

/// Whether loading looks for every quotation in its source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotations {
    Find,
    Skip,
}

/// The rules in `files` read and checked (`load`, `load_for_use`).
fn load_with(
    files: Vec<RuleFile>,
    origin: Origin,
    today: jiff::civil::Date,
    quotations: Quotations,
) -> Result<(RuleSet, Diagnostics), Diagnostics> {
    let loading = Loading::new(&files, &origin, today, quotations)?;
    let (read, errors) = loading.read()?;
    let mut found = loading.check(&read);
    found.extend(errors);
    let Read {
        bank,
        question_sources,
        mut areas,
        area_files,
        national,
        national_file,
        ..
    } = read;
    let Some(national) = national.filter(|_| !Diagnostics(found.clone()).has_errors()) else {
        return Err(Diagnostics(found));
    };
    // Every area inherits the national layer; what the layer promises is then checked by
    // running the merged rules over every single worry at every age.
    for area in &mut areas {
        national::inherit(area, &national, &bank);
    }
    let texts: Vec<(&str, String)> = area_files
        .iter()
        .map(|f| (f.text.as_str(), loading.name_of(&f.path)))
        .chain(national_file.map(|f| (f.text.as_str(), loading.name_of(NATIONAL_FILE))))
        .collect();
    found.extend(national::invariants(&areas, &national, &bank, &texts));
    let diagnostics = Diagnostics(found);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let sha256 = fingerprint(&files);
    areas.iter_mut().for_each(fill_in_contacts);
    Ok((
        RuleSet {
            questions: bank,
            question_sources: Arc::new(question_sources),
            national: Arc::new(national),
            areas: Areas::read(areas),
            origin,
            sha256,
        },
        diagnostics,
    ))
}

/// Rules files being loaded, and how.
struct Loading<'a> {
    files: &'a [RuleFile],
    origin: &'a Origin,
    questions_file: &'a RuleFile,
    /// Each YAML file parsed once: its strings are checked, and its typed reading made,
    /// from that value.
    values: std::collections::HashMap<&'a str, serde_json::Value>,
    today: jiff::civil::Date,
    quotations: Quotations,
}

/// What the rules files say, read.
struct Read<'a> {
    bank: Arc<QuestionBank>,
    question_sources: Vec<model::SourceDocument>,
    library: sources::Library,
    holidays: Arc<BankHolidays>,
    national: Option<National>,
    national_file: Option<&'a RuleFile>,
    areas: Vec<Area>,
    /// The file of each area, in the order of `areas`.
    area_files: Vec<&'a RuleFile>,
}

impl<'a> Loading<'a> {
    /// The files to load: the question bank found (or refused missing), each YAML file parsed.
    fn new(
        files: &'a [RuleFile],
        origin: &'a Origin,
        today: jiff::civil::Date,
        quotations: Quotations,
    ) -> Result<Loading<'a>, Diagnostics> {
        let name_of = |path: &str| file_name(origin, path);
        let Some(questions_file) = files.iter().find(|f| f.path == QUESTIONS_FILE) else {
            return Err(Diagnostics(vec![
                Diagnostic::error(
                    crate::error::Code::RulesSource,
                    name_of(QUESTIONS_FILE),
                    "the question bank is missing",
                )
                .help(format!(
                    "a rules folder holds {QUESTIONS_FILE} and {AREAS_DIR}/<area>.yaml"
                )),
            ]));
        };
        let values = files
            .iter()
            .filter(|f| !sources::is_source_text(&f.path))
            .filter_map(|f| Some((f.path.as_str(), crate::yaml::from_str(&f.text).ok()?)))
            .collect();
        Ok(Loading {
            files,
            origin,
            questions_file,
            values,
            today,
            quotations,
        })
    }

    /// The name of the rules file at `path` in messages.
    fn name_of(&self, path: &str) -> String {
        file_name(self.origin, path)
    }

    /// The refusal of the rules file at `path`, which could not be read.
    fn parse_error(&self, path: &str, e: crate::yaml::ParseError) -> Diagnostic {
        Diagnostic::error(
            crate::error::Code::RulesSource,
            self.name_of(path),
            e.message,
        )
        .at(e.location)
        .help("fix the rules file; `threshold rules check` lists every problem")
    }

    /// The YAML file at `path`, as parsed.
    fn yaml(&self, path: &str) -> Yaml<'_> {
        Yaml(self.values.get(path))
    }

    /// The files read (an unread question bank stops the loading), and the errors of the others.
    fn read(&self) -> Result<(Read<'a>, Vec<Diagnostic>), Diagnostics> {
        let questions = read_questions(&self.yaml(QUESTIONS_FILE), &self.questions_file.text)
            .map_err(|e| Diagnostics(vec![self.parse_error(QUESTIONS_FILE, e)]))?;
        let question_sources = questions.sources;
        let bank = Arc::new(QuestionBank::new(questions.questions));
        let (library, mut errors) = sources::Library::read(self.files, |p| self.name_of(p));
        let holidays = self.holidays(&mut errors);
        let (national_file, national) = self.national(&bank, &mut errors);
        let (areas, area_files) = self.areas(&bank, &holidays, &mut errors);
        let read = Read {
            bank,
            question_sources,
            library,
            holidays,
            national,
            national_file,
            areas,
            area_files,
        };
        Ok((read, errors))
    }

    /// The bank holidays (none, and an error, where they are missing or unreadable).
    fn holidays(&self, errors: &mut Vec<Diagnostic>) -> Arc<BankHolidays> {
        match self.files.iter().find(|f| f.path == BANK_HOLIDAYS_FILE) {
            None => {
                errors.push(
                    Diagnostic::error(
                        crate::error::Code::RulesSource,
                        self.name_of(BANK_HOLIDAYS_FILE),
                        "the bank holidays are missing",
                    )
                    .help(
                        "a rules folder holds questions.yaml, bank-holidays.yaml and areas/<area>.yaml",
                    ),
                );
                Arc::default()
            }
            Some(file) => match read_holidays(&self.yaml(&file.path), &file.text) {
                Ok(holidays) => Arc::new(holidays),
                Err(e) => {
                    errors.push(self.parse_error(&file.path, e));
                    Arc::default()
                }
            },
        }
    }

    /// The national layer and its file (an error where it is missing or unreadable).
    fn national(
        &self,
        bank: &Arc<QuestionBank>,
        errors: &mut Vec<Diagnostic>,
    ) -> (Option<&'a RuleFile>, Option<National>) {
        let national_file = self.files.iter().find(|f| f.path == NATIONAL_FILE);
        let national = match national_file {
            None => {
                errors.push(
                    Diagnostic::error(
                        crate::error::Code::RulesSource,
                        self.name_of(NATIONAL_FILE),
                        "the national layer is missing",
                    )
                    .help(format!(
                        "a rules folder holds {NATIONAL_FILE}: what English law and guidance make of each worry in every area"
                    )),
                );
                None
            }
            Some(file) => match read_national(&self.yaml(&file.path), &file.text, bank) {
                Ok(national) => Some(national),
                Err(e) => {
                    errors.push(self.parse_error(&file.path, e));
                    None
                }
            },
        };
        (national_file, national)
    }

    /// The areas read, each with its file (an error for each unreadable, or missing).
    fn areas(
        &self,
        bank: &Arc<QuestionBank>,
        holidays: &Arc<BankHolidays>,
        errors: &mut Vec<Diagnostic>,
    ) -> (Vec<Area>, Vec<&'a RuleFile>) {
        let files = self.files;
        let mut areas = Vec::new();
        let mut area_files = Vec::new();
        for file in files.iter().filter(|f| f.path.starts_with(AREAS_DIR)) {
            match read_area(&self.yaml(&file.path), &file.text, bank, holidays) {
                Ok(area) => {
                    areas.push(area);
                    area_files.push(file);
                }
                Err(e) => errors.push(self.parse_error(&file.path, e)),
            }
        }
        for id in AREA_IDS {
            let path = format!("{AREAS_DIR}/{id}.yaml");
            if !files.iter().any(|f| f.path == path) {
                errors.push(
                    Diagnostic::error(
                        crate::error::Code::RulesSource,
                        self.name_of(&path),
                        format!("the rules for {id} are missing"),
                    )
                    .help(format!(
                        "a rules folder holds one file per area: {}",
                        AREA_IDS.map(|a| format!("{AREAS_DIR}/{a}.yaml")).join(", ")
                    )),
                );
            }
        }
        (areas, area_files)
    }

    /// Every check of the rules read: the bank's, the areas', the national layer's, the files'.
    fn check(&self, read: &Read) -> Vec<Diagnostic> {
        // The bank is reviewed with the areas: its sources may not be read after the latest
        // area review (or today, if later).
        let latest_review = read
            .areas
            .iter()
            .map(|a| a.reviewed)
            .chain(read.national.as_ref().map(|n| n.reviewed))
            .max()
            .unwrap_or(self.today);
        // Where a problem stands is found by the parser only when there is one.
        let mut found = self.validate(read, latest_review);
        for file in self
            .files
            .iter()
            .filter(|f| !sources::is_source_text(&f.path))
        {
            if let Some(value) = self.values.get(file.path.as_str()) {
                found.extend(validate::characters(
                    value,
                    &file.text,
                    &self.name_of(&file.path),
                ));
            }
            if file.path == BANK_HOLIDAYS_FILE {
                found.extend(validate::bank_holidays(
                    &read.holidays,
                    &read.library,
                    &file.text,
                    &self.name_of(&file.path),
                ));
            }
        }
        found
    }

    /// The bank's, each area's and the national layer's checks.
    fn validate(&self, read: &Read, latest_review: jiff::civil::Date) -> Vec<Diagnostic> {
        let (today, quotations, library) = (self.today, self.quotations, &read.library);
        let mut found = validate::questions(
            &read.bank,
            (library, quotations),
            &read.question_sources,
            &self.questions_file.text,
            &self.name_of(QUESTIONS_FILE),
            today.max(latest_review),
        );
        for (area, file) in read.areas.iter().zip(&read.area_files) {
            found.extend(validate::area(
                area,
                &read.bank,
                (library, quotations),
                &file.path,
                &file.text,
                &self.name_of(&file.path),
                today,
            ));
        }
        if let (Some(national), Some(file)) = (&read.national, read.national_file) {
            found.extend(validate::national(
                national,
                &read.bank,
                (library, quotations),
                &file.text,
                &self.name_of(NATIONAL_FILE),
                today.max(latest_review),
            ));
        }
        found
    }
}

/// The name of the rules file at `path`, from `origin`, in messages.
fn file_name(origin: &Origin, path: &str) -> String {
    match origin {
        Origin::Bundled => format!("rules/{path}"),
        Origin::Local(dir) => dir.join(path).display().to_string(),
    }
}

/// Put each contact's number where a text names it (`{contact:ID}`); validation has made
/// sure every reference names a contact of the area.
fn fill_in_contacts(area: &mut Area) {
    let numbers = contact_numbers(area.contacts.iter().map(|c| {
        let reach = c.phone.as_ref().or(c.email.as_ref()).or(c.web.as_ref());
        (c.id.as_str(), reach.map_or("", String::as_str))
    }));
    for route in &mut area.routes {
        fill(&numbers, &mut route.text);
        route.detail.iter_mut().for_each(|d| fill(&numbers, d));
    }
    for action in &mut area.actions {
        fill(&numbers, &mut action.text);
    }
}

/// [`fill_in_contacts`] on an area's JSON, for [`prepare`]: the same texts, the same
/// numbers (the read-back comparison there shows they are).
fn fill_in_contacts_json(area: &mut serde_json::Value) {
    use serde_json::Value;
    let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let contacts: Vec<(String, String)> = area
        .get("contacts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let reach = text(c, "phone").or(text(c, "email")).or(text(c, "web"));
            (text(c, "id").unwrap_or_default(), reach.unwrap_or_default())
        })
        .collect();
    let numbers = contact_numbers(contacts.iter().map(|(id, n)| (id.as_str(), n.as_str())));
    let fill_value = |value: Option<&mut Value>| {
        if let Some(Value::String(text)) = value {
            fill(&numbers, text);
        }
    };
    for (list, texts) in [
        ("routes", &["text", "detail"][..]),
        ("actions", &["text"][..]),
    ] {
        let Some(Value::Array(items)) = area.get_mut(list) else {
            continue;
        };
        for item in items {
            for key in texts {
                match item.get_mut(*key) {
                    Some(Value::Array(lines)) => lines.iter_mut().for_each(|l| fill_value(Some(l))),
                    other => fill_value(other),
                }
            }
        }
    }
}

/// `{contact:ID}` and the number it stands for, for each contact.
fn contact_numbers<'a>(
    contacts: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    contacts
        .map(|(id, number)| (format!("{{contact:{id}}}"), number.to_string()))
        .collect()
}

fn fill(numbers: &[(String, String)], text: &mut String) {
    if text.contains("{contact:") {
        for (reference, number) in numbers {
            *text = text.replace(reference, number);
        }
    }
}

/// How a rules file is written: YAML as people write it, or the JSON of [`prepare`].
trait Syntax {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, crate::yaml::ParseError>;
}

/// YAML, read once: the file's value as parsed (when it parsed) is what its typed reading
/// is made from; only when that reading fails is the text read again, for the error's
/// line and column.
struct Yaml<'v>(Option<&'v serde_json::Value>);

impl Syntax for Yaml<'_> {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, crate::yaml::ParseError> {
        if let Some(Ok(typed)) = self.0.map(T::deserialize) {
            return Ok(typed);
        }
        crate::yaml::from_str(text).map_err(|e| crate::parse::narrow(text, e))
    }
}

struct Json;

impl Syntax for Json {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, crate::yaml::ParseError> {
        serde_json::from_str(text).map_err(|e| crate::yaml::ParseError {
            message: e.to_string(),
            location: Some(crate::error::Location {
                line: e.line(),
                column: e.column(),
            }),
            code: None,
            help: None,
        })
    }
}

/// Question ids are read in two passes: first the ids alone, so that `ask_when` can refer
/// to any question by id and a misspelt reference is still reported where it stands.
fn read_questions(
    syntax: &impl Syntax,
    text: &str,
) -> Result<QuestionsFile, crate::yaml::ParseError> {
    #[derive(Deserialize)]
    struct IdsOnly {
        questions: Vec<IdOnly>,
    }
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    let ids: IdsOnly = syntax.parse(text)?;
    read_questions_named(
        syntax,
        text,
        ids.questions.into_iter().map(|q| q.id).collect(),
    )
}

/// The second pass of [`read_questions`], given the ids.
fn read_questions_named(
    syntax: &impl Syntax,
    text: &str,
    ids: Vec<String>,
) -> Result<QuestionsFile, crate::yaml::ParseError> {
    let names = Arc::new(QuestionBank::names_only(ids));
    crate::question::with_bank(&names, || syntax.parse(text))
}

/// An area as read, made ready to use: the bank holidays beside it, and the questions its
/// rules use worked out.
fn read_area(
    syntax: &impl Syntax,
    text: &str,
    bank: &Arc<QuestionBank>,
    holidays: &Arc<BankHolidays>,
) -> Result<Area, crate::yaml::ParseError> {
    let mut area: Area = crate::question::with_bank(bank, || syntax.parse(text))?;
    area.bank_holidays = Arc::clone(holidays);
    area.find_uses(bank);
    Ok(area)
}

/// The national layer, its question references resolved against the bank.
fn read_national(
    syntax: &impl Syntax,
    text: &str,
    bank: &Arc<QuestionBank>,
) -> Result<National, crate::yaml::ParseError> {
    crate::question::with_bank(bank, || syntax.parse(text))
}

fn read_holidays(
    syntax: &impl Syntax,
    text: &str,
) -> Result<BankHolidays, crate::yaml::ParseError> {
    let mut holidays: BankHolidays = syntax.parse(text)?;
    holidays.dates.sort_unstable();
    Ok(holidays)
}

/// Rules checked by [`load`], in the form [`load_prepared`] reads: each file as JSON (a
/// few times quicker to read than YAML), under its own path, with contacts' numbers filled
/// in, and the fingerprint of the YAML. threshold's build script prepares the bundled rules, so the build fails on any
/// error and the program need not check them again each time it starts. The prepared
/// form is read back and compared with the checked rules before it is returned: a YAML
/// value that JSON would read differently is refused, never embedded.
pub fn prepare(
    files: Vec<RuleFile>,
    today: jiff::civil::Date,
) -> Result<(PreparedRules, Diagnostics), Diagnostics> {
    let (checked, warnings) = load(files.clone(), Origin::Bundled, today)?;
    let refused = |path: &str, message: String| {
        Diagnostics(vec![Diagnostic::error(
            crate::error::Code::RulesSource,
            format!("rules/{path}"),
            message,
        )])
    };
    let mut prepared = Vec::new();
    for file in files.iter().filter(|f| !sources::is_source_text(&f.path)) {
        let mut value: serde_json::Value =
            crate::yaml::from_str(&file.text).map_err(|e| refused(&file.path, e.message))?;
        if file.path.starts_with(AREAS_DIR) {
            fill_in_contacts_json(&mut value);
        }
        drop_quotations(&mut value);
        let text = serde_json::to_string(&value).map_err(|e| refused(&file.path, e.to_string()))?;
        prepared.push(RuleFile {
            path: file.path.clone(),
            text,
        });
    }
    let question_ids: Vec<String> = checked
        .questions
        .questions()
        .map(|(_, q)| q.id.clone())
        .collect();
    let pairs: Vec<(&str, &str)> = prepared
        .iter()
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    let ids: Vec<&str> = question_ids.iter().map(String::as_str).collect();
    let read_back = load_prepared(&pairs, &ids, &checked.sha256, Origin::Bundled)?;
    for slot in &read_back.areas.0 {
        slot.try_read().map_err(|e| {
            refused(
                &format!("{AREAS_DIR}/{}.yaml", slot.id),
                format!(
                    "reads differently once pre-parsed ({}): is a number written where \
                         text is meant? Quote it",
                    e.message
                ),
            )
        })?;
    }
    if format!("{read_back:?}") != format!("{checked:?}") {
        return Err(refused(
            QUESTIONS_FILE,
            "the rules read differently once pre-parsed: a value JSON cannot hold as YAML \
             wrote it (an unquoted number where text is meant?)"
                .into(),
        ));
    }
    Ok((
        PreparedRules {
            files: prepared,
            question_ids,
            sha256: checked.sha256,
        },
        warnings,
    ))
}

/// Take every `quote:` out of a rules file: a result is never worked out from the words
/// quoted, and a program that starts on a doorstep should not read them each time.
/// `rules check` and `rules book` read them from the YAML.
fn drop_quotations(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("quote");
            map.values_mut().for_each(drop_quotations);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_quotations),
        _ => {}
    }
}

/// What [`prepare`] makes of rules: the files as JSON, the question ids in order (so the
/// bank is read in one pass), and the fingerprint of the YAML.
#[derive(Debug)]
pub struct PreparedRules {
    pub files: Vec<RuleFile>,
    pub question_ids: Vec<String>,
    pub sha256: String,
}

/// Rules made by [`prepare`], read without checking them again: `files` are (path, JSON)
/// pairs, `question_ids` the bank's ids in order and `sha256` the fingerprint of the YAML
/// they came from. The questions are read
/// now, each area when it is first used.
pub fn load_prepared(
    files: &[(&str, &str)],
    question_ids: &[&str],
    sha256: &str,
    origin: Origin,
) -> Result<RuleSet, Diagnostics> {
    let unreadable = |path: &str, e: crate::yaml::ParseError| {
        Diagnostics(vec![
            Diagnostic::error(
                crate::error::Code::RulesSource,
                format!("rules/{path} (pre-parsed)"),
                e.message,
            )
            .at(e.location)
            .help("the program was built wrongly: build it again from its source"),
        ])
    };
    let text_of = |path: &str| {
        files
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, text)| *text)
            .ok_or_else(|| {
                Diagnostics(vec![
                    Diagnostic::error(
                        crate::error::Code::RulesSource,
                        format!("rules/{path} (pre-parsed)"),
                        "is missing",
                    )
                    .help("the program was built wrongly: build it again from its source"),
                ])
            })
    };
    let ids = question_ids.iter().map(|id| (*id).to_string()).collect();
    let questions = read_questions_named(&Json, text_of(QUESTIONS_FILE)?, ids)
        .map_err(|e| unreadable(QUESTIONS_FILE, e))?;
    let question_sources = Arc::new(questions.sources);
    let bank = Arc::new(QuestionBank::new(questions.questions));
    let holidays = Arc::new(
        read_holidays(&Json, text_of(BANK_HOLIDAYS_FILE)?)
            .map_err(|e| unreadable(BANK_HOLIDAYS_FILE, e))?,
    );
    let national = Arc::new(
        read_national(&Json, text_of(NATIONAL_FILE)?, &bank)
            .map_err(|e| unreadable(NATIONAL_FILE, e))?,
    );
    // Each area is read when first used (see [`Areas`]).
    let areas = files
        .iter()
        .filter_map(|(path, text)| {
            let id = path
                .strip_prefix(AREAS_DIR)?
                .strip_prefix('/')?
                .strip_suffix(".yaml")?;
            Some(Slot {
                id: id.to_string(),
                area: OnceLock::new(),
                prepared: Some(Prepared {
                    text: Arc::from(*text),
                    bank: Arc::clone(&bank),
                    holidays: Arc::clone(&holidays),
                    national: Arc::clone(&national),
                }),
            })
        })
        .collect();
    Ok(RuleSet {
        questions: bank,
        question_sources,
        national,
        areas: Areas(areas),
        origin,
        sha256: sha256.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled_yaml() -> Vec<RuleFile> {
        read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")).unwrap()
    }

    fn today() -> jiff::civil::Date {
        jiff::civil::date(2026, 12, 2)
    }

    #[test]
    fn prepared_rules_read_back_as_the_checked_rules() {
        let (prepared, _) = prepare(bundled_yaml(), today()).unwrap();
        let (checked, _) = load(bundled_yaml(), Origin::Bundled, today()).unwrap();
        let pairs: Vec<(&str, &str)> = prepared
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        let ids: Vec<&str> = prepared.question_ids.iter().map(String::as_str).collect();
        let read = load_prepared(&pairs, &ids, &prepared.sha256, Origin::Bundled).unwrap();
        assert_eq!(format!("{read:?}"), format!("{checked:?}"));
        assert!(
            !prepared.files[2].text.contains("{contact:"),
            "numbers filled in"
        );
    }

    #[test]
    fn rules_with_an_error_are_not_prepared() {
        let mut files = bundled_yaml();
        let trafford = files
            .iter_mut()
            .find(|f| f.path == "areas/trafford.yaml")
            .unwrap();
        trafford.text = trafford.text.replacen("tier: 4", "tier: 7", 1);
        let errors = prepare(files, today()).unwrap_err();
        assert!(errors.has_errors(), "{errors}");
    }

    #[test]
    fn a_value_json_would_read_differently_is_refused() {
        // YAML gives the text `2026.10` to a text field; its JSON would be the number
        // 2026.1. The YAML loads; preparing it is refused rather than embedded wrongly.
        let mut files = bundled_yaml();
        let trafford = files
            .iter_mut()
            .find(|f| f.path == "areas/trafford.yaml")
            .unwrap();
        trafford.text = trafford
            .text
            .replacen("version: \"2026.12\"", "version: 2026.10", 1);
        let (loaded, _) = load(files.clone(), Origin::Bundled, today()).unwrap();
        assert_eq!(loaded.area("trafford").unwrap().version, "2026.10");
        assert!(prepare(files, today()).is_err());
    }
}
