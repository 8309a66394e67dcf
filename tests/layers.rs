//! Each module's imports point down: no two modules use each other, directly or round a
//! loop; and only the I/O door touches files or the environment. The rules model is its
//! own crate (`model/`), below everything here, so it cannot use the engine, cases or
//! rendering at all; within each crate this test reads every
//! `crate::` and `super::` path outside unit tests and refuses a cycle between top-level
//! modules, or between sibling modules of one folder (a module's own submodules are part
//! of it: the folder's `mod.rs` is its front).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each source file under `root`: its path's parts without `.rs` (`["batch", "csv"]`,
/// `["main"]`) and its code, unit tests left out.
fn sources(root: &Path) -> Vec<(Vec<String>, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(Vec<String>, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let relative = path.strip_prefix(root).unwrap().with_extension("");
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                let text = std::fs::read_to_string(&path).unwrap();
                let code = [
                    "#[cfg(test)]\nmod tests",
                    "#[cfg(test)]\npub(crate) mod tests",
                ]
                .iter()
                .fold(text.as_str(), |code, marker| {
                    code.split(marker).next().unwrap()
                });
                out.push((parts, code.to_string()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// Each module (`batch::csv`) and its source: a folder's `mod.rs`, and the crate's
/// `lib.rs` or `main.rs`, stand for the folder or the crate.
fn modules(root: &Path) -> BTreeMap<String, String> {
    sources(root)
        .into_iter()
        .map(|(mut parts, code)| {
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            (parts.join("::"), code)
        })
        .collect()
}

/// Each source file by its path (`batch::output`, `main`, `interview::mod`).
fn files(root: &Path) -> BTreeMap<String, String> {
    sources(root)
        .into_iter()
        .map(|(parts, code)| (parts.join("::"), code))
        .collect()
}

/// The module paths named after `prefix` (`crate::`, `super::`) in `code`.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    code.match_indices(prefix)
        .filter(|(i, _)| {
            code[..*i]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
        .map(|(i, _)| {
            let rest = &code[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            rest[..end].split("::").filter(|s| !s.is_empty()).collect()
        })
        .collect()
}

/// The edges between units that must not loop: for each use of one module by another,
/// the two ancestors that are siblings (`batch::csv` and `batch::input`; `batch` and
/// `cli`). A module's use of its own parent or child is not an edge.
fn edges(root: &Path) -> BTreeSet<(String, String)> {
    let modules = modules(root);
    let resolve = |segments: &[&str]| {
        (1..=segments.len())
            .rev()
            .map(|k| segments[..k].join("::"))
            .find(|m| modules.contains_key(m))
    };
    let mut out = BTreeSet::new();
    for (module, code) in &modules {
        let own: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        let mut used = Vec::new();
        for path in paths_after(code, "crate::") {
            used.extend(resolve(&path));
        }
        for path in paths_after(code, "super::") {
            let mut segments: Vec<&str> = own[..own.len().saturating_sub(1)].to_vec();
            segments.extend(path);
            used.extend(resolve(&segments));
        }
        for target in used {
            let theirs: Vec<&str> = target.split("::").collect();
            let shared = own.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
            if shared < own.len() && shared < theirs.len() {
                out.insert((own[..=shared].join("::"), theirs[..=shared].join("::")));
            }
        }
    }
    out
}

/// A loop among the edges, if there is one, as the modules round it.
fn a_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges {
        next.entry(from).or_default().push(to);
    }
    fn visit<'a>(
        at: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| *m == at) {
            let mut cycle: Vec<String> = path[start..].iter().map(|m| m.to_string()).collect();
            cycle.push(at.to_string());
            return Some(cycle);
        }
        if !done.insert(at) {
            return None;
        }
        path.push(at);
        for to in next.get(at).into_iter().flatten() {
            if let Some(cycle) = visit(to, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for from in next.keys() {
        if let Some(cycle) = visit(from, &next, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn no_module_uses_one_that_uses_it() {
    for root in ["src", "model/src"] {
        let edges = edges(Path::new(root));
        assert!(
            edges.len() > 10,
            "too few imports found in {root}: {edges:?}"
        );
        if let Some(cycle) = a_cycle(&edges) {
            panic!("{root}: imports go round a loop: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn a_loop_is_found() {
    let edges: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(
        a_cycle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let tree: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("a", "c")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(a_cycle(&tree), None);
}

/// The modules that may touch files (`std::fs`) or the environment (`std::env`): the door
/// to the outside. Everything else (rules, engine, cases, rendering, the interview's flow)
/// gets what it needs from them, so it stays pure and testable.
const DOOR: &[(&str, &[&str])] = &[
    (
        "src",
        &[
            // The program's entry: its arguments and NO_COLOR.
            "main",
            // Reading a case file or standard input.
            "io",
            // THRESHOLD_AREA, read in one place.
            "settings",
            // batch: the inputs it walks, the outputs it writes, the workbooks it opens.
            "batch::input",
            "batch::output",
            "batch::sheet",
            // The interview: saving files owner-only, and the terminal on Ctrl-C.
            "interview::save",
            "interview::stop",
        ],
    ),
    // Reading a folder and a file within a size limit.
    ("model/src", &["files"]),
];

#[test]
fn only_the_door_touches_files_or_the_environment() {
    for (root, door) in DOOR {
        let modules = files(Path::new(root));
        for name in *door {
            assert!(modules.contains_key(*name), "{root}: no module {name}");
        }
        for (module, code) in &modules {
            if door.contains(&module.as_str()) {
                continue;
            }
            for banned in ["std::fs", "std::env", "use std::{fs", "use std::{env"] {
                assert!(
                    !code.contains(banned),
                    "{root}: {module} uses {banned}: go through the I/O door ({door:?})"
                );
            }
        }
    }
}
