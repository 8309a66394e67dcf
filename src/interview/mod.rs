//! `threshold check`: the interview a practitioner runs on a home visit (SPEC section 8).
//! Immediate danger first, then the household, each child and the household's strengths,
//! asking only what could still change the result; a review of every answer; the result;
//! the practitioner's own judgement; and, only when asked, a case file and a decision
//! record saved owner-only.
//!
//! `flow` decides what to ask (pure), `session` holds the conversation behind the `Asker`
//! trait (`asker`), which `menus` puts on the terminal with dialoguer and `lines` line by
//! line for screen readers; `screens` draws what is shown between questions, `save` writes
//! files and `stop` handles Ctrl-C.

//!
//! Without the `cli` feature only `flow` and `answers` are built: they are pure, and
//! `threshold-web` (web/) runs the same flow in a browser.

pub mod answers;
#[cfg(feature = "cli")]
mod asker;
pub mod danger;
/// Public so that property tests can drive the skipping rule over generated rule sets.
pub mod flow;
#[cfg(feature = "cli")]
mod lines;
#[cfg(feature = "cli")]
mod menus;
#[cfg(feature = "cli")]
mod save;
#[cfg(feature = "cli")]
mod screens;
#[cfg(all(test, feature = "cli"))]
mod scripted;
#[cfg(feature = "cli")]
mod session;
#[cfg(feature = "cli")]
mod stop;

#[cfg(feature = "cli")]
use crate::case::Case;
#[cfg(feature = "cli")]
use crate::error::Diagnostic;
#[cfg(feature = "cli")]
use crate::io::{Io, read_case};
#[cfg(feature = "cli")]
use crate::rules::RuleSet;
#[cfg(feature = "cli")]
use crate::settings::parse_at;

#[cfg(feature = "cli")]
#[derive(clap::Args)]
pub struct Args {
    /// The area's rules to use (asked first if not given)
    #[arg(long)]
    pub area: Option<String>,
    /// Start from the answers in a case file, to finish or correct it
    #[arg(long, value_name = "CASE")]
    pub answers: Option<String>,
    /// The moment to assess at: RFC 3339, or YYYY-MM-DDTHH:MM as London time (default now)
    #[arg(long)]
    pub at: Option<String>,
    /// For screen readers: typed answers, no colour, no box drawing, no redrawn menus
    #[arg(long)]
    pub plain: bool,
}

/// Run the interview. Exit code 0 when finished; 2 when it cannot run (no terminal, bad
/// arguments) or was stopped with Ctrl-C (nothing saved after that).
#[cfg(feature = "cli")]
pub fn run(rules: &RuleSet, args: Args, io: &mut Io) -> anyhow::Result<u8> {
    let moment = parse_at(args.at.as_deref(), &io.now)?
        .unwrap_or_else(|| io.now.clone())
        .with_time_zone(crate::hours::london().clone());
    if args.answers.as_deref() == Some("-") {
        return Err(Diagnostic::error(crate::error::Code::UsageStdin,
            "--answers",
            "the interview reads your answers from the keyboard, so it cannot read a case from standard input",
        )
        .help("save the case to a file and give its path: --answers case.yaml")
        .into());
    }
    let flag = args
        .area
        .as_deref()
        .map(|flag| crate::settings::area_flag(rules, flag))
        .transpose()?;
    // The answers file is read (and refused) before anything else, terminal or not, and
    // its area with it, as `assess` would.
    let (case, area) = match &args.answers {
        Some(path) => {
            let (case, bytes) = read_case(path, rules, io)?;
            let text = String::from_utf8_lossy(&bytes);
            let area = crate::settings::resolve_area(
                rules,
                flag,
                case.area.as_deref(),
                || crate::settings::default_area(rules),
                path,
                || crate::case::area_at(&text, path),
            )?;
            (case, area)
        }
        None => {
            let area = crate::settings::resolve_area(
                rules,
                flag,
                None,
                || crate::settings::default_area(rules),
                "",
                || None,
            )?;
            (Case::empty(rules.questions.len()), area)
        }
    };
    if !io.interactive {
        writeln!(
            io.stderr,
            "threshold check: error: the interview needs a terminal to ask its questions, and \
             standard input or output is not one\n  help: to assess answers without questions, \
             write them in a case file and run `threshold assess CASE` (`-` reads standard \
             input); docs/case-files.md shows the format"
        )?;
        return Ok(stop::EXIT);
    }
    stop::install()?;
    let look = screens::Look {
        plain: args.plain,
        styled: io.styled,
        columns: usize::from(console::Term::stdout().size().1),
    };
    let flow = flow::Flow::new(rules, area, case, moment);
    let session = session::Session::new(flow, look, args.answers);
    let ended = if args.plain {
        session.run(&mut lines::LineAsker::new(io.stdin, io.stdout))
    } else {
        session.run(&mut menus::MenuAsker::new(io.styled))
    };
    match ended {
        Ok(_) => Ok(0),
        Err(error) if error.is::<asker::Interrupted>() => {
            stop::report();
            Ok(stop::EXIT)
        }
        Err(error) => {
            let _ = console::Term::stdout().show_cursor();
            Err(error)
        }
    }
}
