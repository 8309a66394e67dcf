//! The command line: parse arguments once, run one command, print errors once. Exit codes
//! (SPEC section 10): 0 done, 1 a `--fail-on` condition met, 2 bad usage or bad input.

mod rules_book;
mod trainer;

use crate::engine;
use crate::error::{Diagnostic, Diagnostics};
use crate::io::{Io, read_case};
use crate::render;
use crate::rules::{self, Origin, RuleSet};
use crate::settings::parse_at;
use crate::values::Tier;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "threshold",
    version,
    about = "Safeguarding threshold decision support for adult-services practitioners",
    long_about = "Scores what you know about an adult, their household and each child against \
        the published threshold guidance of Trafford, Redbridge, Torbay or Salford, and shows \
        the recommended level, the next action and the numbers to ring now, with reasons and \
        sources. It supports, and does not replace, professional judgement. If a child is in \
        immediate danger, ring 999."
)]
struct Cli {
    /// Use the rules in DIR instead of the bundled ones (results then say so)
    #[arg(long, global = true, env = "THRESHOLD_RULES", value_name = "DIR")]
    rules: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The interview for a home visit: the adult, the household and each child, then the result
    Check(crate::interview::Args),
    /// Assess one case file (YAML or JSON; `-` reads standard input)
    Assess {
        /// The case file, or `-` for standard input
        case: String,
        /// The area's rules to use (overrides the case's `area:`)
        #[arg(long)]
        area: Option<String>,
        /// The moment to assess at: RFC 3339, or YYYY-MM-DDTHH:MM as London time
        #[arg(long)]
        at: Option<String>,
        /// How to print the result
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the areas, their level names and rules versions
    Areas,
    /// Show an area's contacts (all areas if none given) and which are open now
    Contacts {
        area: Option<String>,
        /// The moment to check opening hours at
        #[arg(long)]
        at: Option<String>,
    },
    /// The same case under every area, side by side
    Compare {
        /// The case file, or `-` for standard input
        case: String,
        /// The moment to assess at: RFC 3339, or YYYY-MM-DDTHH:MM as London time
        #[arg(long)]
        at: Option<String>,
        /// text: the table; markdown or html: a worksheet and an answer sheet to hand out
        #[arg(long, value_enum, default_value_t = HandoutFormat::Text)]
        format: HandoutFormat,
    },
    /// Trainer scenarios: list them, walk one through, or quiz the room
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
        /// Read scenarios from DIR instead of the bundled ones
        #[arg(long, global = true, value_name = "DIR")]
        scenarios: Option<PathBuf>,
    },
    /// Assess many cases: files, folders (recursive) or `-` for JSON Lines on stdin
    Batch(crate::batch::Args),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), for `man -l -`
    Man,
    /// Check and inspect the rules
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate the rules (the bundled copy, or DIR) and report every problem
    Check {
        /// A rules folder (questions.yaml and areas/*.yaml)
        dir: Option<PathBuf>,
    },
    /// Check every scenario's expected outcome against the rules (bundled, or DIR)
    Test {
        /// A rules folder (questions.yaml and areas/*.yaml)
        dir: Option<PathBuf>,
        /// Read scenarios from this folder instead of the bundled ones
        #[arg(long, value_name = "DIR")]
        scenarios: Option<PathBuf>,
    },
    /// An area's ladder, what moves a child up, the floors and the routes, as tables
    Show {
        /// The area (`threshold areas` lists them)
        area: String,
    },
    /// The rules book: everything an area's rules do, written out for the partnership to sign off
    #[command(
        long_about = "The rules book: the area's ladder, every rule with its condition in words, \
            its effect and its basis (the source passage, or calibration with its rationale), the \
            routes, contacts and front door, and every bundled scenario's outcome in every area \
            (worked out at Tuesday 24 November 2026, 10:00 London time). Markdown by default; \
            --format html writes one self-contained page (no script, nothing fetched) that \
            prints well. The bundled books are kept in docs/rules/; see rules/README.md."
    )]
    Book {
        /// The area (`threshold areas` lists them)
        area: String,
        /// Markdown, or one self-contained HTML page
        #[arg(long, value_enum, default_value_t = BookFormat::Markdown)]
        format: BookFormat,
        /// Read scenarios from this folder instead of the bundled ones
        #[arg(long, value_name = "DIR")]
        scenarios: Option<PathBuf>,
    },
    /// What a change to the rules changes: every scenario and example case whose outcome moves
    #[command(
        long_about = "Compares two rules folders. For every area, every bundled scenario and every \
            bundled example case (examples/cases) is assessed under OLD and under NEW at Tuesday 24 \
            November 2026, 10:00 London time (the first call also out of hours, Saturday 28 November \
            2026, 02:00); each one whose level, routes or first call moves is listed, old -> new. Then the rule-level differences: thresholds, weights, floors, \
            protective factors, routes, levels and contacts added, removed or changed, by id.\n\n\
            Exit status, as diff(1): 0 when no outcome moves (rule texts may still differ), 1 when \
            any outcome moves, 2 when either folder cannot be read or its rules are refused."
    )]
    Diff {
        /// The rules folder before the change (for example a copy of the bundled rules/)
        old: PathBuf,
        /// The rules folder after the change
        new: PathBuf,
        /// Read scenarios from this folder instead of the bundled ones
        #[arg(long, value_name = "DIR")]
        scenarios: Option<PathBuf>,
        /// Read example cases from this folder instead of the bundled examples/cases
        #[arg(long, value_name = "DIR")]
        cases: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum BookFormat {
    Markdown,
    Html,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// The scenarios there are
    List,
    /// Walk a scenario through: each answer and what it moved, near misses, the result
    Run {
        name: String,
        /// Whose rules to use (default: $THRESHOLD_AREA)
        #[arg(long, env = "THRESHOLD_AREA")]
        area: Option<String>,
        /// The moment to check opening hours at
        #[arg(long)]
        at: Option<String>,
        /// Do not wait between steps (for projection and scripts); on a terminal each
        /// step waits: Enter next, b back, r repeat
        #[arg(long)]
        no_pause: bool,
        /// text: the walkthrough; markdown or html: a worksheet and an answer sheet
        #[arg(long, value_enum, default_value_t = HandoutFormat::Text)]
        format: HandoutFormat,
    },
    /// Quiz: for each scenario, choose the level and the first call, then see the answer
    Quiz {
        #[arg(required = true)]
        names: Vec<String>,
        /// Whose rules to use (default: $THRESHOLD_AREA)
        #[arg(long, env = "THRESHOLD_AREA")]
        area: Option<String>,
        /// The moment to check opening hours at
        #[arg(long)]
        at: Option<String>,
        /// text: the quiz; markdown or html: print the scenarios' worksheet and answer
        /// sheet instead of asking
        #[arg(long, value_enum, default_value_t = HandoutFormat::Text)]
        format: HandoutFormat,
    },
}

/// How the trainer's commands print: for the terminal, or as a handout.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HandoutFormat {
    Text,
    Markdown,
    Html,
}

impl HandoutFormat {
    fn handout(self) -> Option<render::trainer::Handout> {
        match self {
            HandoutFormat::Text => None,
            HandoutFormat::Markdown => Some(render::trainer::Handout::Markdown),
            HandoutFormat::Html => Some(render::trainer::Handout::Html),
        }
    }
}

/// Where the area of `scenario run|quiz` came from, for its error message.
fn area_origin(matches: &clap::ArgMatches) -> &'static str {
    let from_env = matches
        .subcommand_matches("scenario")
        .and_then(clap::ArgMatches::subcommand)
        .filter(|(name, _)| matches!(*name, "run" | "quiz"))
        .and_then(|(_, sub)| sub.value_source("area"))
        == Some(clap::parser::ValueSource::EnvVariable);
    if from_env { "THRESHOLD_AREA" } else { "--area" }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Markdown,
}

/// Run the program with `args` (the first is the program name). Returns the exit code.
pub fn run<I, T>(args: I, io: &mut Io) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let asks_version = args.iter().skip(1).any(|a| a == "--version" || a == "-V");
    let mut command = Cli::command();
    if asks_version {
        // Only then: the editions come from parsing the bundled rules.
        command = command.version(version_text());
    }
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, area_origin(&m))));
    let (cli, area_origin) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = if io.styled && !e.use_stderr() {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let target: &mut dyn Write = if e.use_stderr() { io.stderr } else { io.stdout };
            let _ = write!(target, "{text}");
            return code;
        }
    };
    match execute(cli, area_origin, io) {
        Ok(code) => code,
        Err(error) => report(&error, io.stderr),
    }
}

/// Print an error once, in the user's words, and choose the exit code.
fn report(error: &anyhow::Error, stderr: &mut dyn Write) -> u8 {
    if let Some(io) = error.downcast_ref::<std::io::Error>()
        && io.kind() == std::io::ErrorKind::BrokenPipe
    {
        return 0;
    }
    let text = if let Some(d) = error.downcast_ref::<Diagnostic>() {
        d.to_string()
    } else if let Some(d) = error.downcast_ref::<Diagnostics>() {
        d.to_string()
    } else {
        format!("error: {error:#}")
    };
    let _ = writeln!(stderr, "{text}");
    2
}

/// Run the command; `Ok` carries the exit code (0, or 1 when a `--fail-on` condition
/// was met).
fn execute(cli: Cli, area_origin: &'static str, io: &mut Io) -> anyhow::Result<u8> {
    let today = io.now.date();
    let done = |result: anyhow::Result<()>| result.map(|()| 0);
    match cli.command {
        Command::Completions { shell } => {
            // clap_complete panics if its writer fails (a closed pipe): write through ours.
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "threshold", &mut text);
            io.stdout.write_all(&text)?;
            Ok(0)
        }
        Command::Man => {
            let mut text = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut text)?;
            io.stdout.write_all(&text)?;
            Ok(0)
        }
        Command::Rules {
            command: RulesCommand::Check { dir },
        } => done(check_rules(dir.or(cli.rules), today, io)),
        Command::Rules {
            command:
                RulesCommand::Diff {
                    old,
                    new,
                    scenarios,
                    cases,
                },
        } => rules_book::diff(&old, &new, scenarios.as_deref(), cases.as_deref(), io),
        Command::Rules {
            command: RulesCommand::Test { dir, scenarios },
        } => {
            let rules = load_rules(dir.or(cli.rules), today)?;
            trainer::rules_test(&rules, scenarios.as_deref(), io)
        }
        command => {
            let rules = load_rules(cli.rules, today)?;
            match command {
                Command::Assess {
                    case,
                    area,
                    at,
                    format,
                } => done(assess(&rules, &case, area, at, format, io)),
                Command::Areas => {
                    io.stdout.write_all(render_areas(&rules).as_bytes())?;
                    Ok(0)
                }
                Command::Contacts { area, at } => done(contacts(&rules, area, at, io)),
                Command::Batch(args) => crate::batch::run(&rules, args, io),
                Command::Check(args) => crate::interview::run(&rules, args, io),
                Command::Compare { case, at, format } => done(trainer::compare(
                    &rules,
                    &case,
                    at.as_deref(),
                    format.handout(),
                    io,
                )),
                Command::Scenario { command, scenarios } => {
                    let dir = scenarios.as_deref();
                    match command {
                        ScenarioCommand::List => done(trainer::list(&rules, dir, io)),
                        ScenarioCommand::Run {
                            name,
                            area,
                            at,
                            no_pause,
                            format,
                        } => {
                            let options = trainer::Options {
                                pause: !no_pause,
                                ..trainer::Options::new(
                                    area.as_deref(),
                                    area_origin,
                                    at.as_deref(),
                                    format.handout(),
                                )
                            };
                            done(trainer::run(&rules, dir, &name, &options, io))
                        }
                        ScenarioCommand::Quiz {
                            names,
                            area,
                            at,
                            format,
                        } => {
                            let options = trainer::Options::new(
                                area.as_deref(),
                                area_origin,
                                at.as_deref(),
                                format.handout(),
                            );
                            done(trainer::quiz(&rules, dir, &names, &options, io))
                        }
                    }
                }
                Command::Rules {
                    command: RulesCommand::Show { area },
                } => {
                    let area = rules.area_or_error(&area).map_err(|e| {
                        Diagnostic::error(crate::error::Code::UsageArea, "AREA", e)
                            .help("run `threshold areas`")
                    })?;
                    io.stdout
                        .write_all(render::trainer::show(&rules, area).as_bytes())?;
                    Ok(0)
                }
                Command::Rules {
                    command:
                        RulesCommand::Book {
                            area,
                            format,
                            scenarios,
                        },
                } => {
                    let format = match format {
                        BookFormat::Markdown => render::book::Format::Markdown,
                        BookFormat::Html => render::book::Format::Html,
                    };
                    done(rules_book::book(
                        &rules,
                        &area,
                        format,
                        scenarios.as_deref(),
                        io,
                    ))
                }
                Command::Rules { .. } | Command::Completions { .. } | Command::Man => {
                    unreachable!("handled above")
                }
            }
        }
    }
}

/// `--version`: the program's version and the edition of each area's bundled rules.
fn version_text() -> String {
    let mut text = env!("CARGO_PKG_VERSION").to_string();
    match rules::bundled() {
        Ok(rules) => {
            text.push_str(&format!("\nbundled rules sha256 {}", rules.sha256));
            for area in &rules.areas {
                text.push_str(&format!(
                    "\n{}: rules {} reviewed {}; {}",
                    area.name,
                    area.version,
                    area.reviewed,
                    area.edition
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
        }
        Err(errors) => text.push_str(&format!("\nthe bundled rules do not load:\n{errors}")),
    }
    text
}

/// The bundled rules, or a local copy; refuses rules with errors.
/// The bundled rules (checked when the program was built), or a local copy, checked now;
/// refuses rules with errors.
fn load_rules(dir: Option<PathBuf>, today: jiff::civil::Date) -> anyhow::Result<RuleSet> {
    match dir {
        Some(dir) => {
            let (rules, _warnings) =
                rules::load_for_use(rules::read_dir(&dir)?, Origin::Local(dir), today)?;
            Ok(rules)
        }
        None => Ok(rules::bundled()?),
    }
}

fn check_rules(dir: Option<PathBuf>, today: jiff::civil::Date, io: &mut Io) -> anyhow::Result<()> {
    let (files, origin) = match dir {
        Some(dir) => (rules::read_dir(&dir)?, Origin::Local(dir)),
        None => (rules::bundled_files(), Origin::Bundled),
    };
    let (rules, warnings) = rules::load(files, origin, today)?;
    if !warnings.0.is_empty() {
        writeln!(io.stderr, "{warnings}")?;
    }
    writeln!(
        io.stdout,
        "rules OK: {} questions, {} areas ({}), {} warning(s), sha256 {}",
        rules.questions.len(),
        rules.areas.len(),
        rules
            .areas
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        warnings.0.len(),
        rules.sha256
    )?;
    Ok(())
}

fn assess(
    rules: &RuleSet,
    path: &str,
    area: Option<String>,
    at: Option<String>,
    format: Format,
    io: &mut Io,
) -> anyhow::Result<()> {
    let at = parse_at(at.as_deref(), &io.now)?;
    let (mut case, bytes) = read_case(path, rules, io)?;
    let name = if path == "-" { "<stdin>" } else { path };
    let text = String::from_utf8_lossy(&bytes);
    let flag = area
        .as_deref()
        .map(|flag| crate::settings::area_flag(rules, flag))
        .transpose()?;
    let area = crate::settings::resolve_area(
        rules,
        flag,
        case.area.as_deref(),
        || crate::settings::default_area(rules),
        name,
        || crate::case::area_at(&text, name),
    )?
    .ok_or_else(|| crate::settings::no_area(rules, name, None))?;
    // The result keeps the case's own assessment time (or --at); the numbers are for the
    // moment of reading (--at, else now), so a case reopened later shows today's hours.
    if let Some(at) = &at {
        case.assessed_at = Some(at.clone());
    }
    let moment = at.unwrap_or_else(|| io.now.clone());
    let outcome = engine::assess(area, &rules.questions, &case, &moment);
    let text = match format {
        Format::Table => render::table::render(rules, &outcome, io.styled),
        Format::Json => render::json::to_string(rules, &outcome) + "\n",
        Format::Markdown => render::markdown::render(rules, &outcome),
    };
    io.stdout.write_all(text.as_bytes())?;
    Ok(())
}

fn render_areas(rules: &RuleSet) -> String {
    let mut table = render::table::grid(&["Area", "Levels (tier 1-4)", "Rules", "Edition"]);
    for area in &rules.areas {
        let levels: Vec<String> = Tier::ALL
            .into_iter()
            .map(|t| render::level_label(area, t))
            .collect();
        table.add_row(vec![
            format!("{}\n{}", area.id, area.name),
            levels.join("\n"),
            format!("{}\nreviewed {}", area.version, area.reviewed),
            area.edition.clone(),
        ]);
    }
    format!(
        "{table}\nRules: {}\nsha256 {}\n",
        match &rules.origin {
            Origin::Bundled => "bundled".to_string(),
            Origin::Local(dir) => {
                format!(
                    "LOCAL copy from {}",
                    render::shown(&dir.display().to_string())
                )
            }
        },
        rules.sha256
    )
}

fn contacts(
    rules: &RuleSet,
    area: Option<String>,
    at: Option<String>,
    io: &mut Io,
) -> anyhow::Result<()> {
    let moment = parse_at(at.as_deref(), &io.now)?.unwrap_or_else(|| io.now.clone());
    let areas = match area {
        Some(id) => vec![rules.area_or_error(&id).map_err(|e| {
            Diagnostic::error(crate::error::Code::UsageArea, "AREA", e)
                .help("run `threshold areas`")
        })?],
        None => rules.areas.iter().collect(),
    };
    let mut out = format!(
        "Contacts at {} (Europe/London)\n{}",
        render::moment_label(&moment),
        render::local_rules_line(rules)
    );
    for area in areas {
        let mut table = render::table::grid(&["Who", "Phone / email", "Hours", "Checked"]);
        for contact in &area.contacts {
            let clock = area.bank_holidays.clock(&moment);
            let outcome =
                engine::ContactOutcome::at(area, contact, clock, engine::Call::Specialist);
            let reach = [contact.phone.as_deref(), contact.email.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            table.add_row(vec![
                contact.name.clone(),
                reach,
                format!("{}\n{}", render::open_label(&outcome), contact.hours.text),
                format!("{}\n{}", contact.checked, contact.confidence.label()),
            ]);
        }
        out.push_str(&format!("\n{}\n{table}\n", area.name));
    }
    io.stdout.write_all(out.as_bytes())?;
    Ok(())
}
