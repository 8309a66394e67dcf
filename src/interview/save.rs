//! Writing the case file and the decision record: readable by the practitioner only (0600
//! on Unix), over an existing file only when they said so, and whole or not at all.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Write `text` to `path`. A new file is created owner-only and refused if `path` exists;
/// with `replace`, an owner-only copy is written beside it and renamed over it, so the old
/// file stays whole until the new one is.
pub fn write_private(path: &Path, text: &str, replace: bool) -> io::Result<()> {
    if replace {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(text.as_bytes())?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        return Ok(());
    }
    let mut file = create_new(path)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if written.is_err() {
        // A half-written record is worse than none.
        let _ = std::fs::remove_file(path);
    }
    written
}

#[cfg(unix)]
fn create_new(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// A file name from a case reference: letters, digits, `-` and `_` only.
pub fn file_stem(reference: Option<&str>, moment: &jiff::Zoned) -> String {
    let reference: String = reference
        .unwrap_or("threshold")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let london = moment.with_time_zone(crate::hours::london().clone());
    format!("{reference}-{}", london.strftime("%Y-%m-%d-%H%M"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_are_owner_only_and_never_silently_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.md");
        write_private(&path, "first", false).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let refused = write_private(&path, "second", false).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        write_private(&path, "second", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_file_stem_keeps_only_safe_characters() {
        let at = crate::hours::parse_moment("2026-11-24T10:00").unwrap();
        assert_eq!(
            file_stem(Some("CASE 42/../x"), &at),
            "CASE-42----x-2026-11-24-1000"
        );
        assert_eq!(file_stem(None, &at), "threshold-2026-11-24-1000");
    }
}
