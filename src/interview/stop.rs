//! Ctrl-C at any moment of the interview: show the cursor again (menus hide it), say what
//! was saved (usually nothing), and exit with code 2, "not completed" (see `EXIT`).
//!
//! At a prompt the terminal is in raw mode, so Ctrl-C arrives as a key: console raises
//! SIGINT itself and dialoguer returns an error. Between prompts it arrives as SIGINT. Both
//! reach `report`, once. The handler runs on its own thread while the main thread may hold
//! the standard output and error locks, so it writes to the terminal device instead.

use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Exit code for an interview stopped before the end. The contract (SPEC section 10) has
/// 0, 1 and 2; 2 is "not done, and nothing to use": the same as a refusal, never 0.
pub const EXIT: u8 = 2;

/// Files written so far, for the closing words.
static SAVED: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Held while a file is written, so an interrupt waits for the file to be whole.
static SAVING: Mutex<()> = Mutex::new(());
/// Whether the closing words were said.
static REPORTED: Mutex<bool> = Mutex::new(false);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Catch Ctrl-C (and, on Unix, SIGTERM and SIGHUP) for the rest of the run.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        report();
        std::process::exit(i32::from(EXIT));
    })?;
    Ok(())
}

/// Write a file while holding off an interrupt, and remember it.
pub fn saving<T>(path: &Path, write: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let _held = lock(&SAVING);
    let written = write()?;
    lock(&SAVED).push(path.display().to_string());
    Ok(written)
}

/// "Stopped: nothing was saved." or what was.
pub fn message(saved: &[String]) -> String {
    if saved.is_empty() {
        "Stopped: nothing was saved.".into()
    } else {
        format!(
            "Stopped. Saved before you stopped: {}. Nothing else was saved.",
            saved.join(", ")
        )
    }
}

/// Show the cursor and say what was saved, once, whoever gets here first.
pub fn report() {
    let _held = lock(&SAVING);
    let mut reported = lock(&REPORTED);
    if *reported {
        return;
    }
    *reported = true;
    let text = format!("\x1b[?25h\n{}\n", message(&lock(&SAVED)));
    // No fallback to standard error: its lock may be held by the thread this one interrupts.
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .and_then(|mut tty| tty.write_all(text.as_bytes()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_nothing_was_saved_or_what_was() {
        assert_eq!(message(&[]), "Stopped: nothing was saved.");
        assert!(message(&["a.yaml".into()]).contains("Saved before you stopped: a.yaml."));
    }
}
