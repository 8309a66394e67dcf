//! Writing the case file and the decision record: readable by the practitioner only (0600
//! on Unix; on Windows an access list for the user alone, set and read back by
//! threshold-owner-only), over an existing file only when they said so, and whole or not at
//! all. Where a file cannot be made private, the caller is told, and says so.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Whether a file written is readable by its user only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Private {
    Yes,
    /// It could not be made so, and why.
    No(String),
}

/// Write `text` to `path`. A new file is created owner-only and refused if `path` exists;
/// with `replace`, an owner-only copy is written beside it and renamed over it, so the old
/// file stays whole until the new one is. The file is made private while still empty.
pub fn write_private(path: &Path, text: &str, replace: bool) -> io::Result<Private> {
    if replace {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        let private = make_private(file.path());
        file.write_all(text.as_bytes())?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        return Ok(private);
    }
    let mut file = create_new(path)?;
    let private = make_private(path);
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if written.is_err() {
        // A half-written record is worse than none.
        let _ = std::fs::remove_file(path);
    }
    written.map(|()| private)
}

/// On Unix the file was created 0600 (a temporary file is too), and that is checked: some
/// file systems (a FAT memory stick, a network share) keep no such permission. Elsewhere its
/// access list is set now, and read back.
fn make_private(path: &Path) -> Private {
    #[cfg(unix)]
    let made = Ok(());
    #[cfg(not(unix))]
    let made = threshold_owner_only::restrict(path);
    let checked = made.and_then(|()| {
        let shown = threshold_owner_only::describe(path)?;
        if shown == threshold_owner_only::expected()? {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "the file system keeps other permissions ({shown})"
            )))
        }
    });
    match checked {
        Ok(()) => Private::Yes,
        Err(e) => Private::No(e.to_string()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn files_are_owner_only_and_never_silently_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.md");
        assert_eq!(write_private(&path, "first", false).unwrap(), Private::Yes);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let refused = write_private(&path, "second", false).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        assert_eq!(write_private(&path, "second", true).unwrap(), Private::Yes);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    /// On every platform: the file is private as the platform shows it, or the caller is
    /// told it is not. Never a promise that was not kept (under wine on Linux, Windows'
    /// access lists are not kept, so there it must be `No`).
    #[test]
    fn a_saved_file_is_private_or_says_it_is_not() {
        let dir = tempfile::tempdir().unwrap();
        for replace in [false, true] {
            let path = dir.path().join("case.yaml");
            let private = write_private(&path, "answers", replace).unwrap();
            let shown = threshold_owner_only::describe(&path).unwrap();
            let wanted = threshold_owner_only::expected().unwrap();
            match private {
                Private::Yes => assert_eq!(shown, wanted),
                Private::No(why) => {
                    assert_ne!(shown, wanted, "{why}");
                    assert!(!why.is_empty());
                }
            }
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "answers");
        }
    }
}
