//! What a command is run with, resolved the same way for every command: the moment
//! (`--at`) and the area (`--area`). Commands call these, never each other.

use crate::error::{Code, Diagnostic};
use crate::rules::RuleSet;
use crate::rules::model::Area;

/// `--at`: a moment, or `now` (the same as leaving it out, but said).
pub fn parse_at(at: Option<&str>, now: &jiff::Zoned) -> Result<Option<jiff::Zoned>, Diagnostic> {
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
