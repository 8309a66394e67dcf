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
    serde_yaml::from_str(text).map_err(convert)
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

/// Parsers end their messages with " at line N column M"; the position is reported
/// separately, in the same form for every file, so drop it from the message.
pub fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains(" column ") => message[..index].to_string(),
        _ => message.to_string(),
    }
}
