//! Files that hold a practitioner's answers (the case file and the decision record of
//! `threshold check`) are made readable and writable by their user only. On Unix: mode
//! 0600. On Windows: a protected access-control list (no inherited entries) with one entry,
//! full control for the user running the program, set with the platform's security API
//! (`SetNamedSecurityInfoW`). `threshold` itself forbids unsafe code; this crate holds the
//! one place that needs it, in `windows.rs`, and nothing else.
//!
//! Call `restrict` on a file just created and still empty, before writing to it: if it
//! fails, the caller says so and never claims the file is private.

use std::io;
use std::path::Path;

#[cfg(windows)]
mod windows;

/// Make `path` readable and writable by the current user only.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(windows)]
    {
        // Read back what was set: a file system may accept a list and not keep it (wine's
        // does, on Linux), and then the file is not private, whatever the call returned.
        windows::restrict(path)?;
        let now = windows::describe(path)?;
        let wanted = expected()?;
        if now == wanted {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "the file system did not keep the access list (it holds {now}, not {wanted})"
            )))
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this platform has no way known to this program to make a file private",
        ))
    }
}

/// Who may open `path`, in the platform's own words: the mode (`0600`) on Unix, the
/// access-control list in SDDL (`D:P(A;;FA;;;S-1-5-21-…)`) on Windows. For tests and
/// diagnostics.
pub fn describe(path: &Path) -> io::Result<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        Ok(format!("{mode:04o}"))
    }
    #[cfg(windows)]
    {
        windows::describe(path)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = path;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "unknown platform",
        ))
    }
}

/// What `describe` says of a file that `restrict` made private.
pub fn expected() -> io::Result<String> {
    #[cfg(unix)]
    {
        Ok("0600".to_string())
    }
    #[cfg(windows)]
    {
        Ok(format!("D:P(A;;FA;;;{})", windows::user_sid()?))
    }
    #[cfg(not(any(unix, windows)))]
    {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "unknown platform",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Either the file is private, as its access list shows, or `restrict` says it is not:
    /// never a success that did not happen. (Under wine on Linux the list is not kept, so
    /// there it must be the error; on Unix and on NTFS, the private file.)
    #[test]
    fn a_restricted_file_is_its_users_only_or_the_caller_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.md");
        std::fs::write(&path, "").unwrap();
        match restrict(&path) {
            Ok(()) => assert_eq!(describe(&path).unwrap(), expected().unwrap()),
            Err(e) => {
                // Setting 0600 in a temporary folder does not fail on Unix.
                #[cfg(unix)]
                panic!("{e}");
                #[cfg(not(unix))]
                {
                    assert_ne!(describe(&path).unwrap(), expected().unwrap(), "{e}");
                    eprintln!("not private here, and said so: {e}");
                }
            }
        }
        std::fs::write(&path, "answers").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "answers");
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_promise() {
        let dir = tempfile::tempdir().unwrap();
        assert!(restrict(&dir.path().join("absent")).is_err());
    }
}
