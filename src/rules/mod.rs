//! Loading the rules: the bundled copy compiled into the binary, or a local copy from a
//! folder. Every rule set carries a SHA-256 fingerprint of its files, and where it came from.

pub mod model;
mod validate;

use crate::error::{Diagnostic, Diagnostics};
use crate::question::QuestionBank;
use model::{Area, QuestionsFile};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The bundled rules: every `.yaml` file under `rules/`, read at build time.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

pub const QUESTIONS_FILE: &str = "questions.yaml";
pub const BANK_HOLIDAYS_FILE: &str = "bank-holidays.yaml";
pub const AREAS_DIR: &str = "areas";
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
    pub areas: Vec<Area>,
    pub origin: Origin,
    /// SHA-256 over every file's path and text, in path order.
    pub sha256: String,
}

impl RuleSet {
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// The area `id`, or an error naming the areas there are (and the nearest to `id`).
    pub fn area_or_error(&self, id: &str) -> Result<&Area, String> {
        self.area(id).ok_or_else(|| {
            let ids: Vec<&str> = self.areas.iter().map(|a| a.id.as_str()).collect();
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

/// The bundled rule files.
pub fn bundled_files() -> Vec<RuleFile> {
    embedded::FILES
        .iter()
        .map(|(path, text)| RuleFile {
            path: (*path).to_string(),
            text: (*text).to_string(),
        })
        .collect()
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
    let entries = std::fs::read_dir(&areas_dir).map_err(|e| {
        Diagnostic::error(
            crate::error::Code::RulesSource,
            areas_dir.display().to_string(),
            format!("cannot read the areas folder: {e}"),
        )
        .help(format!(
            "a rules folder holds {QUESTIONS_FILE} and {AREAS_DIR}/<area>.yaml; is {display} one?"
        ))
    })?;
    let mut area_paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    area_paths.sort();
    for path in area_paths {
        let name = format!(
            "{AREAS_DIR}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        files.push(read_rule_file(&path, name)?);
    }
    Ok(files)
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

/// SHA-256 over the files' paths and texts, in path order, as lowercase hex.
pub fn fingerprint(files: &[RuleFile]) -> String {
    let mut sorted: Vec<&RuleFile> = files.iter().collect();
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

/// Parse and validate rule files. `today` is used only to warn about contacts not
/// checked for over a year. Returns the rules and any warnings, or every error found.
pub fn load(
    files: Vec<RuleFile>,
    origin: Origin,
    today: jiff::civil::Date,
) -> Result<(RuleSet, Diagnostics), Diagnostics> {
    let name_of = |path: &str| match &origin {
        Origin::Bundled => format!("rules/{path}"),
        Origin::Local(dir) => dir.join(path).display().to_string(),
    };
    let parse_error = |path: &str, e: crate::yaml::ParseError| {
        Diagnostic::error(crate::error::Code::RulesSource, name_of(path), e.message)
            .at(e.location)
            .help("fix the rules file; `threshold rules check` lists every problem")
    };

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
    let questions = read_questions(questions_file)
        .map_err(|e| Diagnostics(vec![parse_error(QUESTIONS_FILE, e)]))?;
    let question_sources = questions.sources;
    let bank = Arc::new(QuestionBank::new(questions.questions));

    let mut errors = Vec::new();
    let holidays = match files.iter().find(|f| f.path == BANK_HOLIDAYS_FILE) {
        None => {
            errors.push(
                Diagnostic::error(
                    crate::error::Code::RulesSource,
                    name_of(BANK_HOLIDAYS_FILE),
                    "the bank holidays are missing",
                )
                .help(
                    "a rules folder holds questions.yaml, bank-holidays.yaml and areas/<area>.yaml",
                ),
            );
            Arc::default()
        }
        Some(file) => match crate::yaml::from_str::<crate::hours::BankHolidays>(&file.text) {
            Ok(mut holidays) => {
                holidays.dates.sort_unstable();
                Arc::new(holidays)
            }
            Err(e) => {
                errors.push(parse_error(&file.path, crate::parse::narrow(&file.text, e)));
                Arc::default()
            }
        },
    };
    let mut areas = Vec::new();
    let mut area_files = Vec::new();
    for file in files.iter().filter(|f| f.path.starts_with(AREAS_DIR)) {
        match crate::question::with_bank(&bank, || crate::yaml::from_str::<Area>(&file.text)) {
            Ok(mut area) => {
                area.bank_holidays = Arc::clone(&holidays);
                area.find_uses(&bank);
                areas.push(area);
                area_files.push(file);
            }
            Err(e) => errors.push(parse_error(&file.path, crate::parse::narrow(&file.text, e))),
        }
    }
    for id in AREA_IDS {
        let path = format!("{AREAS_DIR}/{id}.yaml");
        if !files.iter().any(|f| f.path == path) {
            errors.push(
                Diagnostic::error(
                    crate::error::Code::RulesSource,
                    name_of(&path),
                    format!("the rules for {id} are missing"),
                )
                .help(format!(
                    "a rules folder holds one file per area: {}",
                    AREA_IDS.map(|a| format!("{AREAS_DIR}/{a}.yaml")).join(", ")
                )),
            );
        }
    }

    // The bank is reviewed with the areas: its sources may not be read after the latest
    // area review (or today, if later).
    let latest_review = areas.iter().map(|a| a.reviewed).max().unwrap_or(today);
    // Working out where each problem stands means searching the text for every rule; most
    // of the time nothing is wrong. So the checks run first on no text (every location
    // comes back unknown, instantly), and only if they find something again on the real
    // text, for the located messages. The checks are pure: both runs find the same.
    let check = |locating: bool| {
        let text = |file: &RuleFile| {
            if locating {
                file.text.clone()
            } else {
                String::new()
            }
        };
        let mut found = validate::questions(
            &bank,
            &question_sources,
            &text(questions_file),
            &name_of(QUESTIONS_FILE),
            today.max(latest_review),
        );
        for (area, file) in areas.iter().zip(&area_files) {
            found.extend(validate::area(
                area,
                &bank,
                &file.path,
                &text(file),
                &name_of(&file.path),
                today,
            ));
        }
        found
    };
    let mut found = check(false);
    if !found.is_empty() {
        found = check(true);
    }
    found.extend(errors);
    let diagnostics = Diagnostics(found);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let sha256 = fingerprint(&files);
    areas.iter_mut().for_each(fill_in_contacts);
    Ok((
        RuleSet {
            questions: bank,
            areas,
            origin,
            sha256,
        },
        diagnostics,
    ))
}

/// Put each contact's number where a text names it (`{contact:ID}`); validation has made
/// sure every reference names a contact of the area.
fn fill_in_contacts(area: &mut Area) {
    let numbers: Vec<(String, String)> = area
        .contacts
        .iter()
        .map(|c| {
            let reach = c.phone.as_ref().or(c.email.as_ref()).or(c.web.as_ref());
            (
                format!("{{contact:{}}}", c.id),
                reach.cloned().unwrap_or_default(),
            )
        })
        .collect();
    let fill = |text: &mut String| {
        if text.contains("{contact:") {
            for (reference, number) in &numbers {
                *text = text.replace(reference, number);
            }
        }
    };
    for route in &mut area.routes {
        fill(&mut route.text);
        route.detail.iter_mut().for_each(fill);
    }
    for action in &mut area.actions {
        fill(&mut action.text);
    }
}

/// Question ids are read in two passes: first the ids alone, so that `ask_when` can refer
/// to any question by id and a misspelt reference is still reported where it stands.
fn read_questions(file: &RuleFile) -> Result<QuestionsFile, crate::yaml::ParseError> {
    #[derive(Deserialize)]
    struct IdsOnly {
        questions: Vec<IdOnly>,
    }
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    let ids: IdsOnly = crate::yaml::from_str(&file.text)?;
    let names = Arc::new(QuestionBank::names_only(
        ids.questions.into_iter().map(|q| q.id).collect(),
    ));
    crate::question::with_bank(&names, || crate::yaml::from_str(&file.text))
        .map_err(|e| crate::parse::narrow(&file.text, e))
}
