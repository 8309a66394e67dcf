//! Embeds every `.yaml` file under `rules/` (with the source texts under `rules/sources/`), `examples/scenarios/` and `examples/cases/` into
//! the binary, so it needs no files beside it; and checks the rules as `threshold rules
//! check` does, so the build fails on any error, embedding them pre-parsed as well (what the
//! program reads when it starts, without checking them again).

use std::path::{Path, PathBuf};

/// Every `.yaml` file under `dir`, and the shipped source texts (`.txt` under a folder
/// named `sources`).
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|x| x == "yaml")
            || (path.extension().is_some_and(|x| x == "txt")
                && path.components().any(|c| c.as_os_str() == "sources"))
        {
            out.push(path);
        }
    }
}

/// Write `$OUT_DIR/<name>` holding `FILES`: each file's path relative to `folder`, and
/// its text.
fn embed(folder: &str, name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for path in files {
        let relative = path
            .strip_prefix(&root)
            .expect("under the folder")
            .to_string_lossy()
            .replace('\\', "/");
        println!("cargo:rerun-if-changed={}", path.display());
        code.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    std::fs::write(out, code).unwrap_or_else(|e| panic!("write {name}: {e}"));
}

/// Check the rules and write `$OUT_DIR/prepared_rules.rs` holding `PREPARED` (each file's
/// path and its JSON), `QUESTION_IDS` and `SHA256` (the fingerprint of the YAML). Any error stops the build,
/// printed as `threshold rules check` prints it; warnings (a contact not checked for a
/// year) are shown and the build goes on.
fn prepare_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let files = threshold_model::rules::read_dir(&root).unwrap_or_else(|e| fail(&e.to_string()));
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned_datetime(london).date();
    let (prepared, warnings) = threshold_model::rules::prepare(files, today)
        .unwrap_or_else(|errors| fail(&errors.to_string()));
    for warning in warnings.0 {
        for line in warning.to_string().lines() {
            println!("cargo:warning={line}");
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("pub static PREPARED: &[(&str, &str)] = &[\n");
    for file in prepared.files {
        let name = format!("prepared-{}.json", file.path.replace('/', "-"));
        std::fs::write(out.join(&name), file.text)
            .unwrap_or_else(|e| fail(&format!("write {name}: {e}")));
        code.push_str(&format!(
            "    ({:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/{name}\"))),\n",
            file.path
        ));
    }
    code.push_str(&format!(
        "];\npub static QUESTION_IDS: &[&str] = &{:?};\npub static SHA256: &str = {:?};\n",
        prepared.question_ids, prepared.sha256
    ));
    std::fs::write(out.join("prepared_rules.rs"), code)
        .unwrap_or_else(|e| fail(&format!("write prepared_rules.rs: {e}")));
}

fn fail(message: &str) -> ! {
    eprintln!("the bundled rules do not pass `threshold rules check`:\n{message}");
    std::process::exit(1);
}

fn main() {
    embed("rules", "embedded_rules.rs");
    prepare_rules();
    embed("examples/scenarios", "embedded_scenarios.rs");
    embed("examples/cases", "embedded_cases.rs");
}
