//! The one place YAML is parsed. serde_yaml (the user's choice) is archived upstream; to
//! swap it for another crate (serde-saphyr is the maintained candidate) change this file.

use crate::error::Location;
use serde::de::DeserializeOwned;

/// A parse or shape error with the parser's own position, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub location: Option<Location>,
}

/// Parse one YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    refuse_deep_nesting(text)?;
    serde_yaml::from_str(text).map_err(convert)
}

/// Deeper than any case or rules file needs, shallow enough to refuse at once.
const MAX_FLOW_DEPTH: usize = 100;

/// serde_yaml takes time quadratic in the depth of nested `[`/`{` before its own limit
/// refuses them (100,000 levels: over 30 seconds), so a linear scan refuses them first.
fn refuse_deep_nesting(text: &str) -> Result<(), ParseError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut previous = '\n';
    let mut comment = false;
    for (offset, c) in text.char_indices() {
        match (quote, c) {
            _ if comment => comment = c != '\n',
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(ParseError {
                        message: format!("nested more than {MAX_FLOW_DEPTH} levels deep"),
                        location: Some(Location::of_offset(text, offset)),
                    });
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    Ok(())
}

fn convert(error: serde_yaml::Error) -> ParseError {
    let location = error.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    ParseError {
        message: strip_position(&error.to_string()),
        location,
    }
}

/// Parsers put " at line N column M" in their messages; the position is reported
/// separately, in the same form for every file, so take it out of the message.
pub fn strip_position(message: &str) -> String {
    let mut rest = message;
    let mut out = String::new();
    while let Some(index) = rest.find(" at line ") {
        let after = &rest[index + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let line_digits = digits(after);
        let column = after[line_digits..].strip_prefix(" column ");
        match column {
            Some(column) if line_digits > 0 && digits(column) > 0 => {
                out.push_str(&rest[..index]);
                rest = &column[digits(column)..];
            }
            _ => {
                out.push_str(&rest[..index + 1]);
                rest = &rest[index + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::strip_position;

    #[test]
    fn positions_are_taken_out_wherever_they_stand() {
        assert_eq!(strip_position("bad at line 3 column 4"), "bad");
        assert_eq!(
            strip_position("found a tab at line 5 column 1, while scanning"),
            "found a tab, while scanning"
        );
        assert_eq!(strip_position("look at line breaks"), "look at line breaks");
    }
}
