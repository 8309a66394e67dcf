//! threshold: safeguarding threshold decision support for people who work with adults and
//! meet children in their households. The library holds the rules model, the engine, the
//! case formats and the renderers; `cli` is a thin layer over them.

pub mod batch;
pub mod case;
pub mod cli;
pub mod condition;
pub mod diff;
pub mod engine;
pub mod error;
pub mod files;
pub mod hours;
pub mod interview;
pub mod io;
pub mod parse;
pub mod question;
pub mod render;
pub mod rules;
pub mod scenario;
pub mod settings;
pub mod text;
pub mod yaml;

pub use cli::run;
pub use io::Io;
