//! `threshold check`: the home-visit interview. Placeholder for the interview helper to replace.

use crate::cli::Io;
use crate::rules::RuleSet;

#[derive(clap::Args)]
pub struct Args {
    /// The area's rules to use (asked first if not given)
    #[arg(long)]
    pub area: Option<String>,
}

pub fn run(_rules: &RuleSet, _args: Args, _io: &mut Io) -> anyhow::Result<u8> {
    anyhow::bail!("the interview is being built")
}
