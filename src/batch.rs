//! `threshold batch`: many cases at once. Placeholder for the batch helper to replace.

use crate::cli::Io;
use crate::rules::RuleSet;

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders (searched recursively) or `-` for JSON Lines on standard input
    #[arg(required = true)]
    pub paths: Vec<String>,
}

pub fn run(_rules: &RuleSet, _args: Args, _io: &mut Io) -> anyhow::Result<u8> {
    anyhow::bail!("batch is being built")
}
