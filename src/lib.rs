//! threshold: safeguarding threshold decision support for people who work with adults and
//! meet children in their households. The library holds the rules model, the engine, the
//! case formats and the renderers; `cli` is a thin layer over them. Without the `cli` feature
//! the library is only the pure part, which also builds for WebAssembly (`web/`).

#[cfg(feature = "cli")]
pub mod batch;
pub mod case;
#[cfg(feature = "cli")]
pub mod cli;
pub mod condition;
#[cfg(feature = "cli")]
pub mod diff;
pub mod engine;
pub mod error;
pub mod files;
pub mod hours;
pub mod interview;
#[cfg(feature = "cli")]
pub mod io;
pub mod parse;
pub mod question;
pub mod render;
pub mod rules;
pub mod scenario;
pub mod settings;
pub mod text;
pub mod yaml;

#[cfg(feature = "cli")]
pub use cli::run;
#[cfg(feature = "cli")]
pub use io::Io;
