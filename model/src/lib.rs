//! threshold's rules model, the layer everything else stands on: the question bank and its
//! answers, the conditions rules test, an area's rules and the hours its services keep,
//! and loading them — from YAML with every check, or pre-parsed — with located errors that
//! carry stable codes. It knows nothing of cases, the engine, rendering or terminals, so
//! threshold's build script can use it to validate the bundled rules before the program
//! is compiled.

pub mod answer;
pub mod cite;
pub mod condition;
pub mod error;
pub mod files;
pub mod hours;
pub mod parse;
pub mod question;
pub mod refused;
pub mod rules;
pub mod seek;
pub mod text;
pub mod values;
pub mod yaml;
