//! The files the rules and scenarios are read from: a folder's entries, and a named file
//! read within a size limit (the library's one use of `std::fs`). A path can name something that is not a
//! file: `/dev/zero` never ends, a named pipe (FIFO) with no writer never opens, a terminal
//! waits for typing. Only regular files are read, and never more than the limit and a
//! byte, so the caller can refuse a file that is too large without holding it whole.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The entries of the folder `dir`, in path order.
pub fn entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    paths.sort();
    Ok(paths)
}

/// What a path names when it is not a regular file or a folder, in words.
pub fn not_a_file(path: &Path) -> Option<&'static str> {
    let kind = std::fs::metadata(path).ok()?.file_type();
    if kind.is_file() || kind.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (FIFO), not a file");
        }
        if kind.is_char_device() {
            return Some("a character device (such as /dev/zero or a terminal), not a file");
        }
        if kind.is_block_device() {
            return Some("a block device (a disk), not a file");
        }
        if kind.is_socket() {
            return Some("a socket, not a file");
        }
    }
    Some("not a regular file")
}

/// What to do when a path is not a file.
pub const NOT_A_FILE_HELP: &str =
    "give the path of a file; to read from a pipe, pipe it to `-` (standard input)";

/// At most `limit + 1` bytes of the regular file at `path`: more than `limit` means the
/// file is too large. `Err` holds what went wrong, in words, for a message.
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    read_limited_as(path, limit, "")
}

/// [`read_limited`], its refusal naming what the file is (`cannot read the case file: …`).
pub fn read_limited_as(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, String> {
    let cannot = if what.is_empty() {
        "cannot read".to_string()
    } else {
        format!("cannot read {what}")
    };
    if let Some(kind) = not_a_file(path) {
        return Err(format!("{cannot}: it is {kind}"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{cannot}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{cannot}: {e}"))?;
    Ok(bytes)
}
