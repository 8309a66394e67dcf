//! What a command is run with, resolved the same way for every command: the moment
//! (`--at`) and the area (`--area`). Commands call these, never each other.

use crate::error::{Code, Diagnostic, Location};
use crate::rules::RuleSet;
use crate::rules::model::Area;

/// `--at`: a moment, or `now` (the same as leaving it out, but said).
pub fn parse_at(
    at: Option<&str>,
    now: &jiff::ZonedDateTime,
) -> Result<Option<jiff::ZonedDateTime>, Diagnostic> {
    at.map(|text| {
        crate::hours::parse_at_flag(text, now).map_err(|e| {
            Diagnostic::error(Code::UsageAt, "--at", e).help("for example --at 2026-11-24T10:00")
        })
    })
    .transpose()
}

/// `--area`: one of the rules' areas, or a refusal that says where to find them.
pub fn area_flag<'r>(rules: &'r RuleSet, flag: &str) -> Result<&'r Area, Diagnostic> {
    rules
        .area_or_error(flag)
        .map_err(|e| Diagnostic::error(Code::UsageArea, "--area", e).help("run `threshold areas`"))
}

/// `THRESHOLD_AREA` (SPEC 12), when set and not empty: the area for a case that names none,
/// after `--area` and the case's own `area:`; an unknown value is refused naming it.
pub fn default_area(rules: &RuleSet) -> Result<Option<&Area>, Diagnostic> {
    let Some(id) = std::env::var("THRESHOLD_AREA")
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    rules.area_or_error(&id).map(Some).map_err(|e| {
        Diagnostic::error(Code::UsageArea, "THRESHOLD_AREA", e)
            .help("set THRESHOLD_AREA to one of the areas `threshold areas` lists")
    })
}

/// Which area's rules a case is assessed under, decided the same way by `assess`, `batch`
/// and `check --answers`: `--area` (`flag`, checked by the caller with [`area_flag`] before
/// anything is read), else the case's own `area:` (refused as the case's, at its place in
/// `file`: `area_at` finds it), else `THRESHOLD_AREA` (`default`: [`default_area`], read
/// only when it is needed, or once by `batch` for all its cases). `None` when nothing names one: `assess` and `batch` then refuse
/// the case ([`no_area`]), `check` asks.
pub fn resolve_area<'r>(
    rules: &'r RuleSet,
    flag: Option<&'r Area>,
    case_area: Option<&str>,
    default: impl FnOnce() -> Result<Option<&'r Area>, Diagnostic>,
    file: &str,
    area_at: impl FnOnce() -> Option<Location>,
) -> Result<Option<&'r Area>, Diagnostic> {
    if flag.is_some() {
        return Ok(flag);
    }
    match case_area {
        Some(id) => rules.area_or_error(id).map(Some).map_err(|e| {
            Diagnostic::error(Code::CaseArea, file, e)
                .at(area_at())
                .help("fix `area:` in the case file, or pass --area")
        }),
        None => default(),
    }
}

/// The refusal of a case that names no area, where none was given: at `at`, where the case
/// starts when it is part of a file. The help names the areas of the rules in use.
pub fn no_area(rules: &RuleSet, file: &str, at: Option<Location>) -> Diagnostic {
    let mut ids: Vec<&str> = rules.areas.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    Diagnostic::error(Code::CaseArea, file, "the case names no area")
        .at(at)
        .help(format!(
            "add `area:` to the case (one of {}), pass --area, or set THRESHOLD_AREA",
            ids.join(", ")
        ))
}
