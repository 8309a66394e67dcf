//! Embeds every `.yaml` file under `rules/`, `examples/scenarios/` and `examples/cases/` into
//! the binary, so it needs no files beside it.

use std::path::{Path, PathBuf};

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
        } else if path.extension().is_some_and(|x| x == "yaml") {
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

fn main() {
    embed("rules", "embedded_rules.rs");
    embed("examples/scenarios", "embedded_scenarios.rs");
    embed("examples/cases", "embedded_cases.rs");
}
