//! What a command is run with, resolved the same way for every command: the moment
//! (`--at`) and the area (`--area`). Commands call these, never each other.

use crate::error::{Code, Diagnostic};
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

/// What to do about a case that names no area (assess and batch say the same).
pub const NO_AREA_HELP: &str = "add `area: salford` (or trafford, redbridge, torbay) to the case, pass --area, or set THRESHOLD_AREA";

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
