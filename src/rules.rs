//! The rules: the model and its loading live in `threshold-model` (below everything here);
//! this adds the copy bundled into the program. The build script checks the bundled rules
//! as `threshold rules check` does — the build fails on any error — and embeds them twice:
//! as written (for `rules check`, `rules book` and `rules diff`, which show where each rule
//! stands) and pre-parsed (what every other command reads, without checking again).

use threshold_model::error::Diagnostics;
pub use threshold_model::rules::*;

/// The bundled rules: every `.yaml` file under `rules/` as written, and the same files
/// checked and pre-parsed by the build script, with their fingerprint.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
    include!(concat!(env!("OUT_DIR"), "/prepared_rules.rs"));
}

/// The bundled rule files as written.
pub fn bundled_files() -> Vec<RuleFile> {
    embedded::FILES
        .iter()
        .map(|(path, text)| RuleFile {
            path: (*path).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The bundled rules, checked when the program was built. The `Err` arm is for a program
/// built wrongly (its pre-parsed rules do not read): it is reported, never a panic.
pub fn bundled() -> Result<RuleSet, Diagnostics> {
    load_prepared(
        embedded::PREPARED,
        embedded::QUESTION_IDS,
        embedded::SHA256,
        Origin::Bundled,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prepared_rules_are_the_bundled_rules_checked() {
        let today = jiff::civil::date(2026, 12, 2);
        let (checked, _) = load(bundled_files(), Origin::Bundled, today).unwrap();
        let prepared = bundled().unwrap();
        assert_eq!(format!("{prepared:?}"), format!("{checked:?}"));
        assert_eq!(prepared.sha256, fingerprint(&bundled_files()));
    }
}
