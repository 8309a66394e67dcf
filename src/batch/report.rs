//! The audit of a batch (SPEC section 12): `--report FILE.html` and `--format summary`,
//! for a partnership board. First the run (when, which rules and map) and the period the
//! cases cover; every case accounted for (cases in = assessed + refused); agreement overall,
//! by month, by team or service (when the map names its column) and per area, as a matrix of the level recorded against the level the guidance
//! supports (the tool's), with the reasons that most often drive a disagreement and the
//! unknown answers that most often could raise a level; then the cases recorded below the
//! guidance, with their reasons, and the refused cases, with why.
//!
//! The audit is counted as the cases go by ([`Audit`]): its size does not grow with the
//! number of cases. The page lists at most [`SHOWN`] cases of each kind; every case is in
//! the downloads written beside it (`NAME-cases.csv`, `NAME-refused.csv`,
//! `NAME-cases.xlsx`).
//!
//! The HTML is one file that runs and fetches nothing: inline CSS and SVG, no script, a
//! Content-Security-Policy of `default-src 'none'; style-src 'unsafe-inline'`, every text
//! from a case or a rule escaped (and stripped of characters that could disguise it).

use crate::engine::{self, Outcome};
use crate::question::{About, QId, QuestionBank};
use crate::values::Tier;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the audit keeps of one assessed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub reference: String,
    pub source: String,
    pub area: String,
    /// The day the case was assessed, when the case says (its `assessed_at`).
    pub date: Option<jiff::civil::Date>,
    pub recorded: Option<Tier>,
    pub tool: Option<Tier>,
    /// The labels of the rules that gave the case its level (over its children).
    pub reasons: Vec<String>,
    /// Unknown answers any one of which, if it were the worrying answer, would raise the
    /// tool's level.
    pub raising: Vec<String>,
    /// Recorded above the tool's level, and within what the unknowns could reach: answers
    /// not known could explain the difference.
    pub unknowns_explain: bool,
    /// The team or service, as the export writes it, when the map names its column (blank
    /// when the case's rows leave it blank).
    pub team: Option<String>,
    /// The case's rows named more than one team: it counts under the first.
    pub teams_differ: bool,
}

/// A case that could not be read or assessed: where, which (when it can be read) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub source: String,
    pub reference: Option<String>,
    pub why: String,
}

/// One input file's cases and rows (a CSV case may be several rows), assessed and refused,
/// and the rows a map filtered out: every row accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputCount {
    pub name: String,
    pub cases_assessed: u64,
    pub cases_refused: u64,
    pub rows_assessed: u64,
    pub rows_refused: u64,
    /// Rows the map's `filter:` left out: no case, but counted.
    pub rows_filtered: u64,
}

impl InputCount {
    pub fn add(&mut self, other: &InputCount) {
        self.cases_assessed += other.cases_assessed;
        self.cases_refused += other.cases_refused;
        self.rows_assessed += other.rows_assessed;
        self.rows_refused += other.rows_refused;
        self.rows_filtered += other.rows_filtered;
    }

    /// `export.csv: 12 rows = 10 rows in 5 cases assessed + 2 rows in 1 case refused`, or
    /// where each case is one row (a line, a document),
    /// `stream.yaml: 3 cases = 2 assessed + 1 refused`. Rows a map filtered out are said at
    /// the end (`... refused + 3 rows filtered out by the map`).
    pub fn sentence(&self) -> String {
        if self.rows_assessed == self.cases_assessed
            && self.rows_refused == self.cases_refused
            && self.rows_filtered == 0
        {
            return format!(
                "{}: {} = {} assessed + {} refused",
                crate::render::shown(&self.name),
                cases(self.cases_assessed + self.cases_refused),
                self.cases_assessed,
                self.cases_refused
            );
        }
        let rows = |n: u64| {
            if n == 1 {
                "1 row".to_string()
            } else {
                format!("{n} rows")
            }
        };
        let filtered = match self.rows_filtered {
            0 => String::new(),
            n => format!(" + {} filtered out by the map", rows(n)),
        };
        format!(
            "{}: {} = {} in {} assessed + {} in {} refused{filtered}",
            crate::render::shown(&self.name),
            rows(self.rows_assessed + self.rows_refused + self.rows_filtered),
            rows(self.rows_assessed),
            cases(self.cases_assessed),
            rows(self.rows_refused),
            cases(self.cases_refused)
        )
    }
}

/// "1 case", "2 cases".
fn cases(n: u64) -> String {
    if n == 1 {
        "1 case".into()
    } else {
        format!("{n} cases")
    }
}

/// The most cases of each kind (recorded below, refused) the page and the summary list;
/// the downloads hold them all.
pub const SHOWN: usize = 20;

/// The audit row of an assessed case. Each unknown that applies is tried as the worrying
/// answer, alone, to see whether it raises the case's level.
pub fn row(source: &str, outcome: &Outcome, bank: &QuestionBank) -> AuditRow {
    let mut reasons: Vec<String> = Vec::new();
    for child in &outcome.children {
        for reason in &child.reasons {
            if !reasons.iter().any(|r| r == reason.label) {
                reasons.push(reason.label.to_string());
            }
        }
    }
    let mut raising = Vec::new();
    if let Some(tool) = outcome.overall {
        // Only a child whose unknowns together could take it above the household's level
        // can be raised above it by one of them: only those children are scored again,
        // each alone. That holds while strengths cannot lower a level (the bundled rules);
        // where they can, a more worrying household answer can leave a child's worst case
        // below one answer's, so every child is scored again.
        let exact = outcome.area.scoring.protective.max_lowering == 0;
        let hopeful: Vec<usize> = (0..outcome.children.len())
            .filter(|&i| !exact || outcome.children[i].could_reach > tool)
            .collect();
        let case = outcome.case;
        // A set: a household of thousands of children would make a list's look-ups
        // quadratic.
        let mut tried: std::collections::HashSet<(QId, Option<usize>)> =
            std::collections::HashSet::new();
        let mut trials: Vec<engine::Trial> = (hopeful.iter())
            .map(|&i| engine::Trial::new(outcome.area, &case.answers, &case.children[i]))
            .collect();
        for (at, &index) in hopeful.iter().enumerate() {
            for &q in &outcome.children[index].unknowns {
                let question = bank.question(q);
                let whose = match question.about {
                    About::Household => None,
                    About::Child => Some(index),
                };
                if !tried.insert((q, whose)) {
                    continue;
                }
                let answer = question.worrying.worst();
                let raises = match whose {
                    None => {
                        (trials.iter_mut()).any(|t| t.level_if(q, question.about, answer) > tool)
                    }
                    Some(_) => trials[at].level_if(q, question.about, answer) > tool,
                };
                if raises && !raising.contains(&question.short) {
                    raising.push(question.short.clone());
                }
            }
        }
    }
    let reach = outcome.children.iter().map(|c| c.could_reach).max();
    AuditRow {
        reference: outcome.case.reference.clone().unwrap_or_default(),
        source: source.to_string(),
        area: outcome.area.name.clone(),
        date: outcome.case.assessed_at.as_ref().map(|at| at.date()),
        recorded: outcome.case.recorded_level,
        tool: outcome.overall,
        reasons,
        raising,
        unknowns_explain: matches!(
            (outcome.case.recorded_level, outcome.overall, reach),
            (Some(recorded), Some(tool), Some(reach)) if recorded > tool && reach >= recorded
        ),
        team: None,
        teams_differ: false,
    }
}

/// Cases compared (a recorded level and children), by how they compare.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    agree: u64,
    /// Recorded below the tool's level (the guidance supports more).
    below: u64,
    /// Recorded above it; `explained` of them within what unknowns could reach.
    above: u64,
    explained: u64,
    /// Assessed but not compared (no recorded level, or no children).
    uncompared: u64,
}

impl Counts {
    fn compared(&self) -> u64 {
        self.agree + self.below + self.above
    }

    /// Every case counted: compared or not.
    fn cases(&self) -> u64 {
        self.compared() + self.uncompared
    }

    fn join(&mut self, other: &Counts) {
        self.agree += other.agree;
        self.below += other.below;
        self.above += other.above;
        self.explained += other.explained;
        self.uncompared += other.uncompared;
    }

    fn add(&mut self, row: &AuditRow) {
        match (row.recorded, row.tool) {
            (Some(recorded), Some(tool)) => match recorded.cmp(&tool) {
                std::cmp::Ordering::Equal => self.agree += 1,
                std::cmp::Ordering::Less => self.below += 1,
                std::cmp::Ordering::Greater => {
                    self.above += 1;
                    self.explained += u64::from(row.unknowns_explain);
                }
            },
            _ => self.uncompared += 1,
        }
    }

    fn sentence(&self) -> String {
        format!(
            "{} compared: {} agree ({}), {} recorded below the guidance, {} above (in {} of them answers not known could explain it); {} not compared (no recorded level, or no children)",
            self.compared(),
            self.agree,
            percent(self.agree, self.compared()),
            self.below,
            self.above,
            self.explained,
            self.uncompared
        )
    }
}

/// One area's figures.
#[derive(Default)]
struct AreaAudit {
    counts: Counts,
    /// `cells[recorded.index()][tool.index()]`: how many cases.
    cells: [[u64; 4]; 4],
    /// Reasons in cases recorded below or above, and how many such cases gave none.
    reasons: BTreeMap<String, u64>,
    disagree_without_reasons: u64,
    raising: BTreeMap<String, u64>,
}

/// The audit of a run, counted as the cases go by.
#[derive(Default)]
pub struct Audit {
    assessed: u64,
    overall: Counts,
    areas: BTreeMap<String, AreaAudit>,
    /// By month assessed (`2026-11`); cases with no date under "no date".
    months: BTreeMap<String, Counts>,
    /// By team or service (the map's `columns: team`; a blank one under ""): the first
    /// [`TEAMS_KEPT`] teams met one by one, the cases of any later one together in
    /// `other_teams`, so that a column of a different value on each case (a worker, a
    /// reference) cannot make the audit grow with the cases.
    teams: BTreeMap<String, Counts>,
    other_teams: Counts,
    /// Cases whose rows named more than one team (each counted under its first).
    teams_differ: u64,
    first: Option<jiff::civil::Date>,
    last: Option<jiff::civil::Date>,
    undated: u64,
    /// The first [`SHOWN`] cases recorded below the guidance, and the first refused.
    below: Vec<AuditRow>,
    refused: Vec<Refused>,
    refused_total: u64,
}

impl Audit {
    pub fn assessed(&mut self, row: &AuditRow) {
        self.assessed += 1;
        self.overall.add(row);
        let month = match row.date {
            Some(date) => {
                self.first = Some(self.first.map_or(date, |d| d.min(date)));
                self.last = Some(self.last.map_or(date, |d| d.max(date)));
                format!("{:04}-{:02}", date.year(), date.month())
            }
            None => {
                self.undated += 1;
                "no date".to_string()
            }
        };
        self.months.entry(month).or_default().add(row);
        if let Some(team) = &row.team {
            let kept = self.teams.len();
            match self.teams.get_mut(team) {
                Some(counts) => counts.add(row),
                None if kept < TEAMS_KEPT => self.teams.entry(team.clone()).or_default().add(row),
                None => self.other_teams.add(row),
            }
            self.teams_differ += u64::from(row.teams_differ);
        }
        let area = self.areas.entry(row.area.clone()).or_default();
        area.counts.add(row);
        for unknown in &row.raising {
            *area.raising.entry(unknown.clone()).or_default() += 1;
        }
        if let (Some(recorded), Some(tool)) = (row.recorded, row.tool) {
            area.cells[recorded.index()][tool.index()] += 1;
            if recorded != tool {
                for reason in &row.reasons {
                    *area.reasons.entry(reason.clone()).or_default() += 1;
                }
                area.disagree_without_reasons += u64::from(row.reasons.is_empty());
            }
            if recorded < tool && self.below.len() < SHOWN {
                self.below.push(row.clone());
            }
        }
    }

    pub fn refused(&mut self, refused: &Refused) {
        self.refused_total += 1;
        if self.refused.len() < SHOWN {
            self.refused.push(refused.clone());
        }
    }

    /// Cases in: assessed and refused.
    fn cases(&self) -> u64 {
        self.assessed + self.refused_total
    }

    /// Whether the cases have a team (the map names its column).
    fn by_team(&self) -> bool {
        !self.teams.is_empty() || self.other_teams.cases() > 0
    }

    /// The [`TEAMS_SHOWN`] teams with the most cases (ties by name), then the rest
    /// together: how many teams they are (`None` past [`TEAMS_KEPT`], not counted one by
    /// one) and their cases.
    fn team_lines(&self) -> TeamLines<'_> {
        let mut teams: Vec<(&str, Counts)> =
            self.teams.iter().map(|(t, c)| (t.as_str(), *c)).collect();
        teams.sort_by(|a, b| b.1.cases().cmp(&a.1.cases()).then(a.0.cmp(b.0)));
        let rest = teams.split_off(teams.len().min(TEAMS_SHOWN));
        let overflow = self.other_teams.cases() > 0;
        if rest.is_empty() && !overflow {
            return TeamLines {
                shown: teams,
                others: None,
            };
        }
        let mut others = self.other_teams;
        for (_, counts) in &rest {
            others.join(counts);
        }
        TeamLines {
            shown: teams,
            others: Some(((!overflow).then_some(rest.len()), others)),
        }
    }

    fn period(&self) -> String {
        let undated = match self.undated {
            0 => String::new(),
            n => format!(" ({n} with no date)"),
        };
        match (self.first, self.last) {
            (Some(first), Some(last)) if first == last => {
                format!("cases assessed on {}{undated}", first.strftime("%-d %b %Y"))
            }
            (Some(first), Some(last)) => format!(
                "cases assessed {} to {}{undated}",
                first.strftime("%-d %b %Y"),
                last.strftime("%-d %b %Y")
            ),
            _ => "no case gives the date it was assessed".to_string(),
        }
    }
}

/// The teams shown one by one, and the rest together.
struct TeamLines<'a> {
    shown: Vec<(&'a str, Counts)>,
    /// How many other teams there are (`None`: past [`TEAMS_KEPT`], not counted one by
    /// one) and their cases.
    others: Option<(Option<usize>, Counts)>,
}

/// The teams or services the page and the summary show one by one (the most cases first);
/// the others are one line, and every case's team is in the cases download.
pub const TEAMS_SHOWN: usize = 15;
/// The teams the audit counts one by one; the cases of any team met later are counted
/// together (a local authority has tens of teams: more is a column that is no team's).
const TEAMS_KEPT: usize = 10_000;

/// A team as shown: a blank one is said so.
fn team_name(team: &str) -> &str {
    if team.is_empty() {
        "(no team recorded)"
    } else {
        team
    }
}

/// The other teams, in words: "the other 4 teams", or past [`TEAMS_KEPT`], "the other
/// teams".
fn other_teams(count: Option<usize>) -> String {
    match count {
        Some(1) => "the 1 other team".into(),
        Some(n) => format!("the other {n} teams"),
        None => "the other teams".into(),
    }
}

/// The downloads' header lines (the report's full lists, as CSV).
pub const CASES_HEADER: &str = "reference,source,area,assessed_on,recorded_level,tool_level,compared,reasons,unknowns_that_could_raise_it,team\n";
pub const REFUSED_HEADER: &str = "reference,source,why\n";
/// The cases download's columns written as numbers in its workbook.
pub const CASES_NUMBERS: &[&str] = &["recorded_level", "tool_level"];

/// A tier as a number; empty for none.
fn tier_text(tier: Option<Tier>) -> String {
    tier.map_or(String::new(), |t| t.to_string())
}

/// A case's line of the cases download.
pub fn case_line(row: &AuditRow, out: &mut Vec<u8>) {
    let compared = match (row.recorded, row.tool) {
        (Some(r), Some(t)) if r < t => "recorded below",
        (Some(r), Some(t)) if r > t => "recorded above",
        (Some(_), Some(_)) => "agree",
        _ => "not compared",
    };
    let date = row.date.map_or(String::new(), |d| d.to_string());
    let cells = [
        row.reference.as_str(),
        &row.source,
        &row.area,
        &date,
        &tier_text(row.recorded),
        &tier_text(row.tool),
        compared,
        &row.reasons.join("; "),
        &row.raising.join("; "),
        row.team.as_deref().unwrap_or_default(),
    ];
    line(&cells, out);
}

/// A refused case's line of the refused download.
pub fn refused_line(refused: &Refused, out: &mut Vec<u8>) {
    let reference = refused.reference.as_deref().unwrap_or_default();
    line(&[reference, &refused.source, &refused.why], out);
}

fn line(cells: &[&str], out: &mut Vec<u8>) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        super::cells::csv_cell(&crate::render::shown(cell), out);
    }
    out.push(b'\n');
}

/// The most frequent first (ties by name), at most `n`.
fn top(counts: &BTreeMap<String, u64>, n: usize) -> Vec<(&str, u64)> {
    let mut list: Vec<(&str, u64)> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    list.truncate(n);
    list
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// `--format summary`: the audit as text.
pub fn text(audit: &Audit, run: &Run) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Audit, run {}: {}", run.when, audit.period());
    let _ = writeln!(
        out,
        "Cases in: {} = {} assessed + {} refused",
        audit.cases(),
        audit.assessed,
        audit.refused_total
    );
    let _ = writeln!(out, "Overall: {}", audit.overall.sentence());
    if audit.months.len() > 1 {
        let _ = writeln!(out, "By month:");
        for (month, counts) in &audit.months {
            let _ = writeln!(
                out,
                "  {month:<8} {} compared, {} agree ({}), {} below, {} above",
                counts.compared(),
                counts.agree,
                percent(counts.agree, counts.compared()),
                counts.below,
                counts.above
            );
        }
    }
    if audit.by_team() {
        let TeamLines {
            shown: teams,
            others,
        } = audit.team_lines();
        let _ = writeln!(out, "By team or service:");
        let line = |out: &mut String, name: &str, counts: &Counts| {
            let _ = writeln!(
                out,
                "  {}: {} compared, {} agree ({}), {} below, {} above",
                crate::render::shown(name),
                counts.compared(),
                counts.agree,
                percent(counts.agree, counts.compared()),
                counts.below,
                counts.above
            );
        };
        for (team, counts) in &teams {
            line(&mut out, team_name(team), counts);
        }
        if let Some((count, counts)) = others {
            line(&mut out, &other_teams(count), &counts);
        }
        if audit.teams_differ > 0 {
            let _ = writeln!(out, "  {}", teams_differ(audit.teams_differ));
        }
    }
    for (name, area) in &audit.areas {
        let name = crate::render::shown(name);
        let _ = writeln!(out, "\n{name}: {}", area.counts.sentence());
        let _ = writeln!(out, "  recorded \\ tool    1    2    3    4");
        for (recorded, line) in Tier::ALL.into_iter().zip(&area.cells) {
            let _ = write!(out, "  level {recorded}        ");
            for cell in line {
                let _ = write!(out, "{cell:>5}");
            }
            out.push('\n');
        }
        let reasons = top(&area.reasons, 5);
        if !reasons.is_empty() {
            let _ = writeln!(out, "  reasons most often behind a disagreement:");
            for (reason, n) in reasons {
                let _ = writeln!(out, "    {n:>4}  {}", crate::render::shown(reason));
            }
        }
        if area.disagree_without_reasons > 0 {
            let _ = writeln!(out, "  {}", no_reason(area.disagree_without_reasons));
        }
        let raising = top(&area.raising, 5);
        if !raising.is_empty() {
            let _ = writeln!(out, "  unknowns that most often could raise the level:");
            for (q, n) in raising {
                let _ = writeln!(out, "    {n:>4}  {}", crate::render::shown(q));
            }
        }
    }
    if !audit.below.is_empty() {
        let _ = writeln!(
            out,
            "\nRecorded below the guidance{}:",
            more(audit.below.len(), audit.overall.below)
        );
        for row in &audit.below {
            let _ = writeln!(
                out,
                "  {} ({}): recorded {}, guidance {}; {}",
                crate::render::shown(&row.reference),
                crate::render::shown(&row.source),
                tier_text(row.recorded),
                tier_text(row.tool),
                crate::render::shown(&reasons_of(row))
            );
        }
    }
    if !audit.refused.is_empty() {
        let _ = writeln!(
            out,
            "\nRefused{}:",
            more(audit.refused.len(), audit.refused_total)
        );
        for refused in &audit.refused {
            let _ = writeln!(out, "  {}", crate::render::shown(&refused_text(refused)));
        }
    }
    out
}

/// How a list that shows `shown` of `all` says so.
fn more(shown: usize, all: u64) -> String {
    if shown as u64 >= all {
        format!(" ({all})")
    } else {
        format!(" (the first {shown} of {all}; every one is in the downloads)")
    }
}

fn reasons_of(row: &AuditRow) -> String {
    if row.reasons.is_empty() {
        "no rule fired".to_string()
    } else {
        row.reasons.join("; ")
    }
}

fn refused_text(refused: &Refused) -> String {
    match &refused.reference {
        Some(reference) => format!("{} ({reference}): {}", refused.source, refused.why),
        None => format!("{}: {}", refused.source, refused.why),
    }
}

fn teams_differ(n: u64) -> String {
    format!(
        "{n} case{} whose rows name more than one team {} counted under the first row's team",
        if n == 1 { "" } else { "s" },
        if n == 1 { "is" } else { "are" }
    )
}

fn no_reason(n: u64) -> String {
    format!(
        "{n} disagreeing case{} name{} no reason: no rule fired, the guidance supports level 1 on the answers recorded",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" }
    )
}

/// The run the audit is of: when, and its downloads' file names (for the page's links).
pub struct Run {
    pub when: String,
    /// The cases (CSV), the refused (CSV) and the cases again (workbook).
    pub downloads: Option<[String; 3]>,
    /// Each input's cases and rows, in input order.
    pub inputs: Vec<InputCount>,
}

/// Text for HTML: printable (no control or direction characters), then escaped.
fn esc(text: &str) -> String {
    crate::render::html_escape(&crate::render::shown(text))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#111;max-width:60rem}\
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:1px solid #999;margin-top:2rem}\
h3{font-size:1.05rem}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top}\
td.n{text-align:right;min-width:3rem}td.agree{background:#e8f4e8}td.below{background:#fde9d9}\
td.above{background:#e3ecf9}.note{color:#333;font-size:.9rem}a{color:#024}\
#below,#refused{font-size:.85rem}#below td:nth-child(6){min-width:16rem}\
@media print{body{margin:0;max-width:none}a{color:#000;text-decoration:none}\
svg,tr,caption{break-inside:avoid}h2{break-after:avoid}}";

/// `--report FILE.html`: the audit as one self-contained page, bounded in size whatever
/// the number of cases.
pub fn html(
    audit: &Audit,
    run: &Run,
    rules: &crate::rules::RuleSet,
    map: Option<&super::map::Map>,
) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>Threshold audit: recorded against recommended levels</title>\n");
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str("<h1>Recorded against recommended levels</h1>\n");
    let _ = writeln!(
        out,
        "<p id=\"run\"><strong>Run {}.</strong> Period: {}. Rules: {}, sha256 <code>{}</code>.{}</p>",
        esc(&run.when),
        esc(&audit.period()),
        esc(rules.origin.label()),
        esc(&rules.sha256),
        map.map_or(String::new(), |m| format!(
            " Read through the map <code>{}</code>, sha256 <code>{}</code>.",
            esc(&m.path),
            esc(&m.sha256)
        ))
    );
    let _ = writeln!(
        out,
        "<p id=\"cases-in\"><strong>{} cases in = {} assessed + {} refused</strong> (could not be read or assessed: listed below).</p>",
        audit.cases(),
        audit.assessed,
        audit.refused_total
    );
    let _ = writeln!(
        out,
        "<p id=\"overall\">Overall: {}.</p>",
        esc(&audit.overall.sentence())
    );
    out.push_str("<p class=\"note\">\"Below\" means the level recorded is lower than the level the guidance supports for the answers recorded; \"above\", higher. The tool supports a decision and never makes one: each disagreement is for a person to read.</p>\n");
    if let Some([cases, refused, book]) = &run.downloads {
        let _ = writeln!(
            out,
            "<p id=\"downloads\">Every case, as tables: <a href=\"{}\" download>{}</a> (each assessed case; also as <a href=\"{}\" download>{}</a>) and <a href=\"{}\" download>{}</a> (each refused case), saved beside this page.</p>",
            esc(cases),
            esc(cases),
            esc(book),
            esc(book),
            esc(refused),
            esc(refused)
        );
    }
    inputs_table(&mut out, &run.inputs);
    out.push_str(&overview_svg(&audit.areas));
    month_table(&mut out, audit);
    team_table(&mut out, audit);
    below_table(&mut out, audit);
    for (name, area) in &audit.areas {
        area_section(&mut out, name, area);
    }
    refused_table(&mut out, audit);
    out.push_str("</body>\n</html>\n");
    out
}

/// The first few of a case's unknowns, and how many more the download lists.
fn first_few(list: &[String]) -> String {
    const FEW: usize = 3;
    match list.len() {
        n if n <= FEW => list.join("; "),
        n => format!(
            "{}; and {} more (in the download)",
            list[..FEW].join("; "),
            n - FEW
        ),
    }
}

/// Every row accounted for, per input file: rows in = rows assessed + rows refused.
fn inputs_table(out: &mut String, inputs: &[InputCount]) {
    let shown = if inputs.len() > SHOWN {
        format!(" (the first {SHOWN} of {} inputs)", inputs.len())
    } else {
        String::new()
    };
    let _ = writeln!(out, "<section>\n<h2>Every row accounted for{shown}</h2>");
    out.push_str("<table id=\"inputs\">\n<tr><th scope=\"col\">Input</th><th scope=\"col\">Rows in</th><th scope=\"col\">Rows assessed (cases)</th><th scope=\"col\">Rows refused (cases)</th><th scope=\"col\">Rows filtered out by the map</th></tr>\n");
    for input in inputs.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{} ({})</td><td class=\"n\">{}</td></tr>",
            esc(&input.name),
            input.rows_assessed + input.rows_refused + input.rows_filtered,
            input.rows_assessed,
            input.cases_assessed,
            input.rows_refused,
            input.cases_refused,
            input.rows_filtered
        );
    }
    out.push_str("</table>\n<p class=\"note\">A case of a CSV export may be several rows (one per child). An input refused whole (its header does not fit the map, it cannot be read) counts as one refused case of rows not known.</p>\n</section>\n");
}

fn month_table(out: &mut String, audit: &Audit) {
    out.push_str("<section>\n<h2>By month assessed</h2>\n<table id=\"months\">\n<tr><th scope=\"col\">Month</th><th scope=\"col\">Compared</th><th scope=\"col\">Agree</th><th scope=\"col\">Recorded below</th><th scope=\"col\">Recorded above</th><th scope=\"col\">Not compared</th></tr>\n");
    for (month, c) in &audit.months {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(month),
            c.compared(),
            c.agree,
            percent(c.agree, c.compared()),
            c.below,
            c.above,
            c.uncompared
        );
    }
    out.push_str("</table>\n</section>\n");
}

/// Agreement by team or service, when the map names its column: the teams with the most
/// cases, then the others as one line (every case's team is in the cases download).
fn team_table(out: &mut String, audit: &Audit) {
    if !audit.by_team() {
        return;
    }
    let TeamLines {
        shown: teams,
        others,
    } = audit.team_lines();
    out.push_str("<section>\n<h2>By team or service</h2>\n<table id=\"teams\">\n<tr><th scope=\"col\">Team or service</th><th scope=\"col\">Compared</th><th scope=\"col\">Agree</th><th scope=\"col\">Recorded below</th><th scope=\"col\">Recorded above</th><th scope=\"col\">Not compared</th></tr>\n");
    let line = |out: &mut String, name: &str, c: &Counts| {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(name),
            c.compared(),
            c.agree,
            percent(c.agree, c.compared()),
            c.below,
            c.above,
            c.uncompared
        );
    };
    for (team, counts) in &teams {
        line(out, team_name(team), counts);
    }
    if let Some((count, counts)) = &others {
        line(out, &other_teams(*count), counts);
    }
    out.push_str("</table>\n");
    match others {
        Some((None, _)) => {
            let _ = writeln!(
                out,
                "<p class=\"note\">The cases name more than {TEAMS_KEPT} teams: those met after the first {TEAMS_KEPT} are counted together in the last line, and the teams above are the {TEAMS_SHOWN} with the most cases among the first {TEAMS_KEPT}. Check that the map's <code>team</code> column holds a team or service. Every case's team is in the cases download.</p>"
            );
        }
        Some(_) => {
            let _ = writeln!(
                out,
                "<p class=\"note\">The {TEAMS_SHOWN} teams with the most cases are shown one by one; every case's team is in the cases download.</p>"
            );
        }
        None => {}
    }
    if audit.teams_differ > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{}.</p>",
            esc(&teams_differ(audit.teams_differ))
        );
    }
    out.push_str("</section>\n");
}

fn below_table(out: &mut String, audit: &Audit) {
    let _ = writeln!(
        out,
        "<section>\n<h2>Recorded below the guidance{}</h2>",
        esc(&more(audit.below.len(), audit.overall.below))
    );
    if audit.below.is_empty() {
        out.push_str("<p>None.</p>\n</section>\n");
        return;
    }
    // With teams, each case's team beside its area (the columns stay where the print
    // layout expects them).
    let area = if audit.by_team() {
        "Area; team"
    } else {
        "Area"
    };
    let _ = writeln!(
        out,
        "<table id=\"below\">\n<tr><th scope=\"col\">Reference</th><th scope=\"col\">Source</th><th scope=\"col\">{area}</th><th scope=\"col\">Recorded</th><th scope=\"col\">Guidance</th><th scope=\"col\">Reasons</th><th scope=\"col\">Unknowns that could raise it</th></tr>"
    );
    for row in &audit.below {
        let area = match &row.team {
            Some(team) => format!("{}; {}", row.area, team_name(team)),
            None => row.area.clone(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&row.reference),
            esc(&row.source),
            esc(&area),
            tier_text(row.recorded),
            tier_text(row.tool),
            esc(&reasons_of(row)),
            esc(&first_few(&row.raising))
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn refused_table(out: &mut String, audit: &Audit) {
    let _ = writeln!(
        out,
        "<section>\n<h2>Refused{}</h2>",
        esc(&more(audit.refused.len(), audit.refused_total))
    );
    if audit.refused.is_empty() {
        out.push_str("<p>None: every case was read and assessed.</p>\n</section>\n");
        return;
    }
    out.push_str("<table id=\"refused\">\n<tr><th scope=\"col\">Reference</th><th scope=\"col\">Source</th><th scope=\"col\">Why</th></tr>\n");
    for refused in &audit.refused {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(refused.reference.as_deref().unwrap_or_default()),
            esc(&refused.source),
            esc(&refused.why)
        );
    }
    out.push_str("</table>\n</section>\n");
}

/// Agreement per area as stacked horizontal bars (below, agree, above).
fn overview_svg(areas: &BTreeMap<String, AreaAudit>) -> String {
    let height = 30 * areas.len() + 40;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" role=\"img\" aria-label=\"Agreement per area\">\n"
    );
    let _ = writeln!(
        svg,
        "<text x=\"0\" y=\"14\" font-size=\"12\">Per area: recorded below (orange), agreeing (green), above (blue) the guidance</text>"
    );
    for (i, (name, area)) in areas.iter().enumerate() {
        let y = 26 + 30 * i;
        let total = area.counts.compared().max(1) as f64;
        let width = |n: u64| (n as f64 / total * 400.0).round();
        let c = &area.counts;
        let (b, a, o) = (width(c.below), width(c.agree), width(c.above));
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 14,
            esc(name)
        );
        let _ = writeln!(
            svg,
            "<rect x=\"160\" y=\"{y}\" width=\"{b}\" height=\"20\" fill=\"#e8833a\"/><rect x=\"{}\" y=\"{y}\" width=\"{a}\" height=\"20\" fill=\"#4c9a4c\"/><rect x=\"{}\" y=\"{y}\" width=\"{o}\" height=\"20\" fill=\"#4a78c2\"/>",
            160.0 + b,
            160.0 + b + a
        );
        let _ = writeln!(
            svg,
            "<text x=\"570\" y=\"{}\" font-size=\"12\">{} agree</text>",
            y + 14,
            percent(c.agree, c.compared())
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn bars_svg(title: &str, list: &[(&str, u64)]) -> String {
    let max = list.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let height = 24 * list.len() + 24;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n",
        esc(title)
    );
    for (i, (label, n)) in list.iter().enumerate() {
        let y = 4 + 24 * i;
        let w = (*n as f64 / max * 200.0).round();
        let _ = writeln!(
            svg,
            "<rect x=\"0\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"#777\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{n}  {}</text>",
            w + 6.0,
            y + 13,
            esc(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn area_section(out: &mut String, name: &str, area: &AreaAudit) {
    let _ = writeln!(out, "<section>\n<h2>{}</h2>", esc(name));
    let _ = writeln!(out, "<p>{}.</p>", esc(&area.counts.sentence()));
    out.push_str("<table>\n<caption>Cases by level recorded (rows) and level the guidance supports (columns)</caption>\n<tr><th scope=\"col\">Recorded \\ supported</th>");
    for tool in Tier::ALL {
        let _ = write!(out, "<th scope=\"col\">Level {tool}</th>");
    }
    out.push_str("</tr>\n");
    for (recorded, line) in Tier::ALL.into_iter().zip(&area.cells) {
        let _ = write!(out, "<tr><th scope=\"row\">Level {recorded}</th>");
        for (tool, cell) in Tier::ALL.into_iter().zip(line) {
            let class = match recorded.cmp(&tool) {
                std::cmp::Ordering::Equal => "agree",
                std::cmp::Ordering::Less => "below",
                std::cmp::Ordering::Greater => "above",
            };
            let _ = write!(out, "<td class=\"n {class}\">{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    let reasons = top(&area.reasons, 5);
    out.push_str("<h3>Reasons most often behind a disagreement</h3>\n");
    if reasons.is_empty() && area.disagree_without_reasons == 0 {
        out.push_str("<p>None: no disagreement.</p>\n");
    }
    if !reasons.is_empty() {
        out.push_str(&bars_svg(
            "Reasons most often behind a disagreement",
            &reasons,
        ));
    }
    if area.disagree_without_reasons > 0 {
        let _ = writeln!(
            out,
            "<p>{}.</p>",
            esc(&no_reason(area.disagree_without_reasons))
        );
    }
    let raising = top(&area.raising, 5);
    out.push_str("<h3>Unknown answers that most often could raise the level</h3>\n");
    if raising.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<p class=\"note\">Each counts the cases where this answer alone, if it were the worrying one, would raise the level the guidance supports.</p>\n");
        out.push_str(&bars_svg(
            "Unknown answers that most often could raise the level",
            &raising,
        ));
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reference: &str, recorded: Option<u8>, tool: Option<u8>, reasons: &[&str]) -> AuditRow {
        let tier = |n: Option<u8>| n.map(|n| Tier::try_from(n).unwrap());
        AuditRow {
            reference: reference.into(),
            source: format!("x.csv:{reference}"),
            area: "Salford".into(),
            date: Some(jiff::civil::date(2026, 11, 3)),
            recorded: tier(recorded),
            tool: tier(tool),
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            raising: vec!["immediate danger".into()],
            unknowns_explain: false,
            team: None,
            teams_differ: false,
        }
    }

    fn audit_of(rows: &[AuditRow]) -> Audit {
        let mut audit = Audit::default();
        for row in rows {
            audit.assessed(row);
        }
        audit
    }

    #[test]
    fn the_matrix_counts_below_above_and_agreeing_and_reasons_only_of_disagreements() {
        let audit = audit_of(&[
            row("a", Some(1), Some(3), &["domestic abuse"]),
            row("b", Some(2), Some(2), &["school"]),
            row("c", Some(4), Some(3), &["domestic abuse", "mental health"]),
            row("d", None, Some(1), &[]),
        ]);
        let area = &audit.areas["Salford"];
        let c = area.counts;
        assert_eq!((c.agree, c.below, c.above, c.uncompared), (1, 1, 1, 1));
        assert_eq!(area.cells[0][2], 1);
        assert_eq!(area.cells[3][2], 1);
        assert_eq!(
            top(&area.reasons, 5),
            vec![("domestic abuse", 2), ("mental health", 1)]
        );
        assert_eq!(area.raising["immediate danger"], 4);
        assert_eq!(audit.below.len(), 1);
        assert_eq!(audit.below[0].reference, "a");
    }

    /// "None: no disagreement." was printed beside disagreements whose cases named no
    /// reason (no rule fired): they are counted and said.
    #[test]
    fn disagreements_without_reasons_are_never_called_none() {
        let audit = audit_of(&[
            row("a", Some(2), Some(1), &[]),
            row("b", Some(3), Some(1), &[]),
        ]);
        let mut out = String::new();
        area_section(&mut out, "Salford", &audit.areas["Salford"]);
        assert!(!out.contains("no disagreement"), "{out}");
        assert!(out.contains("2 disagreeing cases name no reason"), "{out}");
    }

    /// Whatever the number of cases, the page lists at most SHOWN of each kind and its
    /// size stays bounded; the counts still cover every case.
    #[test]
    fn the_page_is_bounded_whatever_the_number_of_cases() {
        let mut audit = Audit::default();
        for i in 0..20_000 {
            audit.assessed(&row(
                &format!("R{i}"),
                Some(1),
                Some(3),
                &["domestic abuse"],
            ));
            audit.refused(&Refused {
                source: format!("x.csv:{i}"),
                reference: None,
                why: "the file is empty".into(),
            });
        }
        let rules = crate::rules::bundled().unwrap();
        let run = Run {
            when: "Mon 7 Dec 2026, 09:00 GMT".into(),
            downloads: None,
            inputs: Vec::new(),
        };
        let page = html(&audit, &run, &rules, None);
        assert!(page.len() < 200_000, "{} bytes", page.len());
        assert!(page.contains("40000 cases in = 20000 assessed + 20000 refused"));
        assert!(page.contains("the first 20 of 20000"));
        assert_eq!(page.matches("<td>the file is empty</td>").count(), SHOWN);
    }

    #[test]
    fn the_period_and_the_months_come_from_the_cases_dates() {
        let mut later = row("b", Some(2), Some(2), &[]);
        later.date = Some(jiff::civil::date(2026, 12, 1));
        let mut undated = row("c", Some(2), Some(2), &[]);
        undated.date = None;
        let audit = audit_of(&[row("a", Some(2), Some(2), &[]), later, undated]);
        assert_eq!(
            audit.period(),
            "cases assessed 3 Nov 2026 to 1 Dec 2026 (1 with no date)"
        );
        assert_eq!(
            audit.months.keys().map(String::as_str).collect::<Vec<_>>(),
            ["2026-11", "2026-12", "no date"]
        );
    }

    /// Agreement by team: the teams with the most cases one by one, the rest as one line
    /// that still counts every case, and a case whose rows named two teams said so; a
    /// column of a different value on every case keeps the page and the audit bounded.
    #[test]
    fn teams_are_shown_largest_first_and_the_rest_together() {
        let mut audit = Audit::default();
        let team_row = |i: usize, team: &str, recorded: u8| {
            let mut r = row(&format!("T{i}"), Some(recorded), Some(2), &[]);
            r.team = Some(team.into());
            r
        };
        for i in 0..5 {
            audit.assessed(&team_row(i, "North", 2));
        }
        for i in 0..3 {
            audit.assessed(&team_row(10 + i, "South", 1));
        }
        let mut mixed = team_row(20, "", 3);
        mixed.teams_differ = true;
        audit.assessed(&mixed);
        // Teams of one case each, more than are kept one by one.
        for i in 0..TEAMS_KEPT + 100 {
            audit.assessed(&team_row(100 + i, &format!("Worker {i:05}"), 2));
        }
        let TeamLines {
            shown: teams,
            others,
        } = audit.team_lines();
        assert_eq!(teams.len(), TEAMS_SHOWN);
        assert_eq!((teams[0].0, teams[0].1.agree), ("North", 5));
        assert_eq!((teams[1].0, teams[1].1.below), ("South", 3));
        let (count, rest) = others.unwrap();
        assert_eq!(
            count, None,
            "past TEAMS_KEPT the teams are not counted one by one"
        );
        let shown: u64 = teams.iter().map(|(_, c)| c.cases()).sum();
        assert_eq!(shown + rest.cases(), 5 + 3 + 1 + TEAMS_KEPT as u64 + 100);
        assert!(audit.teams.len() <= TEAMS_KEPT);
        let rules = crate::rules::bundled().unwrap();
        let run = Run {
            when: "Mon 7 Dec 2026, 09:00 GMT".into(),
            downloads: None,
            inputs: Vec::new(),
        };
        let page = html(&audit, &run, &rules, None);
        let table = &page[page.find("<table id=\"teams\">").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(
            table.matches("<tr>").count(),
            1 + TEAMS_SHOWN + 1,
            "{table}"
        );
        assert!(
            table.contains(
                "<th scope=\"row\">North</th><td class=\"n\">5</td><td class=\"n\">5 (100%)</td>"
            ),
            "{table}"
        );
        assert!(table.contains("(no team recorded)"), "{table}");
        assert!(table.contains("the other teams"), "{table}");
        assert!(page.contains("more than 10000 teams"), "{page}");
        assert!(page.contains(
            "1 case whose rows name more than one team is counted under the first row&#39;s team"
        ));
        let summary = text(&audit, &run);
        assert!(summary.contains("By team or service:\n  North: 5 compared, 5 agree (100%), 0 below, 0 above\n  South: 3 compared, 0 agree (0%), 3 below, 0 above\n"), "{summary}");
        // A run whose map names no team column has no such section.
        let plain = audit_of(&[row("a", Some(2), Some(2), &[])]);
        assert!(!html(&plain, &run, &rules, None).contains("id=\"teams\""));
        assert!(!text(&plain, &run).contains("By team"));
    }

    #[test]
    fn text_from_a_case_is_escaped_in_html() {
        assert_eq!(esc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        assert!(!esc("a\u{202e}b").contains('\u{202e}'));
    }

    #[test]
    fn a_download_line_is_csv_with_every_text_shown_safely() {
        let mut out = Vec::new();
        case_line(&row("=cmd\u{1b}", Some(1), Some(3), &["a, b"]), &mut out);
        let line = String::from_utf8(out).unwrap();
        assert!(!line.contains('\u{1b}'), "{line}");
        assert!(line.starts_with("\"'=cmd"), "{line}");
        assert!(line.contains("\"a, b\""), "{line}");
        assert!(line.contains(",recorded below,"), "{line}");
    }
}
