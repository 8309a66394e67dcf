//! Helpers the integration tests share. Each test crate uses only some of them.
#![allow(dead_code)]

pub mod shows;

use assert_cmd::Command;
use std::path::Path;

/// Whether the tool at `path` (`/usr/bin/chromium`) a test needs is here. A missing tool
/// fails the test, unless `THRESHOLD_TEST_WITHOUT` names it (`chromium,strace`): a
/// developer's explicit choice to skip, which CI never makes (.ci/run installs them all).
pub fn tool(path: &str) -> bool {
    if Path::new(path).exists() {
        return true;
    }
    let name = Path::new(path)
        .file_name()
        .map_or(path.into(), |n| n.to_string_lossy().into_owned());
    let skipped = std::env::var("THRESHOLD_TEST_WITHOUT")
        .is_ok_and(|list| list.split(',').any(|t| t.trim() == name));
    assert!(
        skipped,
        "{path} is not installed: install it (.ci/run does), or set THRESHOLD_TEST_WITHOUT={name} to skip this test"
    );
    eprintln!("skipped: {path} is not installed (THRESHOLD_TEST_WITHOUT={name})");
    false
}

/// Headless Chromium (`/usr/bin/chromium`, see [`tool`]) on the page at `path`, with
/// `extra` arguments (`--dump-dom`, `--screenshot=…`, `--print-to-pdf=…`) and a profile of
/// its own; it must succeed.
pub fn headless(path: &Path, extra: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The binary, with no local rules chosen by the environment.
pub fn threshold() -> Command {
    let mut cmd = Command::cargo_bin("threshold").unwrap();
    cmd.env_remove("THRESHOLD_RULES");
    cmd.env_remove("THRESHOLD_AREA");
    cmd
}

/// What a run of the binary ended with.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `threshold batch ARGS --at AT`, which must end with an exit code.
pub fn batch_at(at: &str, args: &[&str]) -> Run {
    let output = threshold()
        .arg("batch")
        .args(args)
        .args(["--at", at])
        .output()
        .expect("threshold runs");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 rows"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 summary"),
    }
}

/// Run `cmd`, which must succeed, and return what it printed.
pub fn stdout(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The rules' fingerprint changes with every edit of the rules: not part of a snapshot.
pub fn redact_fingerprint(text: &str) -> String {
    match text.find("sha256 ") {
        Some(i) => format!(
            "{}sha256 [FINGERPRINT]{}",
            &text[..i],
            &text[i + "sha256 ".len() + 12..]
        ),
        None => text.to_string(),
    }
}

/// Copy a folder tree (a copy of the rules to break).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The 1-based line of `text` where `anchor` stands: the first line that starts with it, or
/// for an anchor of several lines, the first of lines that start with each of them in turn.
pub fn line_of(text: &str, anchor: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let parts: Vec<&str> = anchor.split('\n').collect();
    (0..lines.len())
        .position(|i| {
            (parts.iter().enumerate())
                .all(|(k, part)| lines.get(i + k).is_some_and(|l| l.starts_with(part)))
        })
        .unwrap_or_else(|| panic!("{anchor:?} is not in the text"))
        + 1
}
