//! Text from files, made safe to show. A case file, a CSV export or a file name can hold
//! anything: escape sequences that clear a screen or rewrite a line, invisible characters
//! that make two labels look the same, a line break that forges a line of case notes, or
//! a hundred kilobytes where a word was expected. Identifiers are refused at the boundary
//! (`identifier_problem`); whatever reaches a person anyway is shown escaped (`printable`)
//! and cut short (`echo`). No terminal knowledge here: only which characters are safe.

use std::borrow::Cow;

/// The most characters of a piece of input echoed in a message.
pub const ECHO_CHARS: usize = 60;

/// Characters that are invisible or change how other text is shown: Unicode's format
/// characters (general category Cf: zero-width spaces and joiners, bidirectional
/// overrides, the byte-order mark, tags) and the line and paragraph separators.
pub fn is_format(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// A character that must not reach a screen or a document as it is: a control
/// character (C0, DEL, C1: escape sequences, line breaks, tabs) or a format character.
pub fn is_unsafe(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control() || is_format(c)
}

/// `text` with every unsafe character written as a visible escape (`\n`, `\t`, `\r`,
/// `\u{1b}`), so an escape sequence shows as text instead of acting on the terminal.
pub fn printable(text: &str) -> Cow<'_, str> {
    // Most text is printable ASCII, checked byte by byte before any character is decoded.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) || !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The first `max` characters of `text`, and `…` when there was more.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// A piece of input as a message echoes it: cut short, then escaped.
pub fn echo(text: &str) -> String {
    printable(&shorten(text, ECHO_CHARS)).into_owned()
}

/// A message made safe to print: unsafe characters escaped (line breaks kept, since a
/// message may have several lines) and every span in backticks or double quotes longer
/// than `ECHO_CHARS` cut short, so a 100 KB key is not echoed whole.
pub fn clean_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4096));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            out.push_str(&shorten(after, ECHO_CHARS * 4));
            rest = "";
            break;
        };
        out.push_str(&shorten(&after[..close], ECHO_CHARS));
        out.push(quote);
        rest = &after[close + 1..];
    }
    out.push_str(&shorten(rest, ECHO_CHARS * 4));
    out.split('\n')
        .map(printable)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why `text` cannot be an identifier (a child id or a case reference), or `None` when it
/// can. Identifiers are printable ASCII (letters, digits, spaces and punctuation) with no
/// space at either end: then two ids that look the same are the same, and nothing in one
/// can act on a terminal, a spreadsheet or a document.
pub fn identifier_problem(text: &str) -> Option<String> {
    if let Some((index, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !(' '..='~').contains(c))
    {
        let what = if c.is_control() {
            "a control character".to_string()
        } else if is_format(c) {
            "an invisible formatting character".to_string()
        } else {
            format!("the non-ASCII character `{c}`")
        };
        return Some(format!(
            "{what} (U+{:04X}) at character {}",
            c as u32,
            index + 1
        ));
    }
    if text.starts_with(' ') || text.ends_with(' ') {
        return Some("a space at the start or the end".into());
    }
    None
}

/// What every refusal of an identifier says to do.
pub const IDENTIFIER_RULE: &str = "use printable ASCII only (letters, digits, spaces and \
    punctuation), with no space at either end";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_invisible_characters_are_shown_not_obeyed() {
        assert_eq!(printable("A"), "A");
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("x\ny\tz"), "x\\ny\\tz");
        assert_eq!(printable("A\u{200b}"), "A\\u{200b}");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(printable("é"), "é");
        assert_eq!(printable("a\u{7f}~ "), "a\\u{7f}~ ");
    }

    #[test]
    fn long_echoes_are_cut_short() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "abc…");
        let key = "k".repeat(100_000);
        let message = clean_message(&format!("unknown field `{key}`, expected `schema`"));
        assert_eq!(
            message,
            format!("unknown field `{}…`, expected `schema`", "k".repeat(60))
        );
        assert_eq!(clean_message("a\nb\u{1b}"), "a\nb\\u{1b}");
    }

    #[test]
    fn identifiers_are_printable_ascii_without_spaces_at_the_ends() {
        assert_eq!(identifier_problem("O'Neil-7"), None);
        assert_eq!(identifier_problem("baby: due # May"), None);
        assert!(identifier_problem("A ").unwrap().contains("space"));
        assert!(identifier_problem(" A").unwrap().contains("space"));
        assert!(
            identifier_problem("\u{0410}")
                .unwrap()
                .contains("non-ASCII character `А` (U+0410) at character 1")
        );
        assert!(
            identifier_problem("A\u{200b}")
                .unwrap()
                .contains("invisible formatting character (U+200B) at character 2")
        );
        assert!(
            identifier_problem("R\u{1b}[2J")
                .unwrap()
                .contains("a control character (U+001B)")
        );
    }
}
