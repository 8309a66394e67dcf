//! threshold: safeguarding threshold decision support for people who work with adults and
//! meet children in their households. The rules model is the crate below this one
//! (`threshold-model`: questions, conditions, area rules, their loading and checks, errors);
//! this library adds the engine, the case formats and the renderers; `cli` is a thin layer
//! over them. Without the `cli` feature the library is only the pure part, which also
//! builds for WebAssembly (`web/`).

#[cfg(feature = "cli")]
pub mod batch;
pub mod case;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod diff;
pub mod engine;
pub mod interview;
#[cfg(feature = "cli")]
pub mod io;
pub mod render;
pub mod rules;
pub mod scenario;
pub mod settings;

pub use threshold_model::{
    condition, error, files, hours, parse, question, refused, seek, text, values, yaml,
};

#[cfg(feature = "cli")]
pub use cli::run;
#[cfg(feature = "cli")]
pub use io::Io;
