//! The audit of a batch (SPEC section 12): `--report FILE.html` and `--format summary`.
//! Per area, the level recorded against the level the guidance supports (the tool's) as a
//! matrix, the agreement rate, how many were recorded below and above, the reasons that
//! most often drive a disagreement, the unknown answers that most often could raise a
//! level, and the cases behind each cell of the matrix.
//!
//! The HTML is one file that runs and fetches nothing: inline CSS and SVG, no script, a
//! Content-Security-Policy of `default-src 'none'; style-src 'unsafe-inline'`, every text
//! from a case or a rule escaped (and stripped of characters that could disguise it).

use crate::engine::{self, Outcome};
use crate::question::{About, QId, QuestionBank};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the audit keeps of one assessed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub reference: String,
    pub source: String,
    pub area: String,
    pub recorded: Option<u8>,
    pub tool: Option<u8>,
    /// The labels of the rules that gave the case its level (over its children).
    pub reasons: Vec<String>,
    /// Unknown answers any one of which, if it were the worrying answer, would raise the
    /// tool's level.
    pub raising: Vec<String>,
}

/// The audit row of an assessed case. Each unknown that applies is tried as the worrying
/// answer, alone, to see whether it raises the case's level.
pub fn row(
    source: &str,
    outcome: &Outcome,
    bank: &QuestionBank,
    moment: &jiff::ZonedDateTime,
) -> AuditRow {
    let mut reasons: Vec<String> = Vec::new();
    for child in &outcome.children {
        for reason in &child.reasons {
            if !reasons.iter().any(|r| r == reason.label) {
                reasons.push(reason.label.to_string());
            }
        }
    }
    let mut raising = Vec::new();
    if let Some(tool) = outcome.overall
        && outcome.children.iter().any(|c| c.could_reach > c.level)
    {
        let mut tried: Vec<(QId, Option<usize>)> = Vec::new();
        for (index, child) in outcome.children.iter().enumerate() {
            for q in &child.unknowns {
                let whose = match bank.question(*q).about {
                    About::Household => None,
                    About::Child => Some(index),
                };
                if tried.contains(&(*q, whose)) {
                    continue;
                }
                tried.push((*q, whose));
                let answer = bank.question(*q).worrying.worst();
                let mut case = outcome.case.clone();
                match whose {
                    None => case.answers.set(*q, answer),
                    Some(i) => case.children[i].answers.set(*q, answer),
                }
                let again = engine::assess(outcome.area, bank, &case, moment);
                let short = bank.question(*q).short.clone();
                if again.overall.is_some_and(|t| t > tool) && !raising.contains(&short) {
                    raising.push(short);
                }
            }
        }
    }
    AuditRow {
        reference: outcome.case.reference.clone().unwrap_or_default(),
        source: source.to_string(),
        area: outcome.area.name.clone(),
        recorded: outcome.case.recorded_level,
        tool: outcome.overall,
        reasons,
        raising,
    }
}

/// One area's figures.
#[derive(Default)]
struct AreaAudit<'r> {
    /// `cells[recorded - 1][tool - 1]`: the cases.
    cells: [[Vec<&'r AuditRow>; 4]; 4],
    /// Assessed but not compared (no recorded level, or no children).
    uncompared: u64,
    /// Recorded below the tool's level (the guidance supports more), above it.
    below: u64,
    above: u64,
    agree: u64,
    /// Reasons in cases recorded below, and above.
    reasons: BTreeMap<String, u64>,
    raising: BTreeMap<String, u64>,
}

impl AreaAudit<'_> {
    fn compared(&self) -> u64 {
        self.agree + self.below + self.above
    }
}

fn audit(rows: &[AuditRow]) -> BTreeMap<&str, AreaAudit<'_>> {
    let mut areas: BTreeMap<&str, AreaAudit> = BTreeMap::new();
    for row in rows {
        let area = areas.entry(row.area.as_str()).or_default();
        for unknown in &row.raising {
            *area.raising.entry(unknown.clone()).or_default() += 1;
        }
        let (Some(recorded), Some(tool)) = (row.recorded, row.tool) else {
            area.uncompared += 1;
            continue;
        };
        let (r, t) = (
            usize::from(recorded.clamp(1, 4)) - 1,
            usize::from(tool.clamp(1, 4)) - 1,
        );
        area.cells[r][t].push(row);
        match recorded.cmp(&tool) {
            std::cmp::Ordering::Equal => area.agree += 1,
            std::cmp::Ordering::Less => area.below += 1,
            std::cmp::Ordering::Greater => area.above += 1,
        }
        if recorded != tool {
            for reason in &row.reasons {
                *area.reasons.entry(reason.clone()).or_default() += 1;
            }
        }
    }
    areas
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
pub fn text(rows: &[AuditRow], not_read: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Audit: {} cases assessed, {not_read} not read",
        rows.len()
    );
    for (name, area) in audit(rows) {
        let name = crate::render::shown(name);
        let _ = writeln!(
            out,
            "\n{name}: {} compared, {} agree ({}), recorded below the guidance {}, above {}; {} not compared",
            area.compared(),
            area.agree,
            percent(area.agree, area.compared()),
            area.below,
            area.above,
            area.uncompared
        );
        let _ = writeln!(out, "  recorded \\ tool    1    2    3    4");
        for (r, line) in area.cells.iter().enumerate() {
            let _ = write!(out, "  level {}        ", r + 1);
            for cell in line {
                let _ = write!(out, "{:>5}", cell.len());
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
        let raising = top(&area.raising, 5);
        if !raising.is_empty() {
            let _ = writeln!(out, "  unknowns that most often could raise the level:");
            for (q, n) in raising {
                let _ = writeln!(out, "    {n:>4}  {}", crate::render::shown(q));
            }
        }
    }
    out
}

/// Text for HTML: printable (no control or direction characters), then escaped.
fn esc(text: &str) -> String {
    crate::render::html_escape(&crate::render::shown(text))
}

/// An id for an anchor: the area's position and the cell, never text from a file.
fn anchor(area: usize, r: usize, t: usize) -> String {
    format!("a{area}-r{}-t{}", r + 1, t + 1)
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#111;max-width:60rem}\
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:1px solid #999;margin-top:2rem}\
h3{font-size:1.05rem}table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top}\
td.n{text-align:right;min-width:3rem}td.agree{background:#e8f4e8}td.below{background:#fde9d9}\
td.above{background:#e3ecf9}.note{color:#333;font-size:.9rem}a{color:#024}\
@media print{body{margin:0;max-width:none}a{color:#000;text-decoration:none}\
section,table,svg{break-inside:avoid}h2{break-before:auto}}";

/// `--report FILE.html`: the audit as one self-contained page.
pub fn html(
    rows: &[AuditRow],
    not_read: u64,
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
        "<p>{} cases assessed, {not_read} could not be read (see the batch's rows). Rules: {}, sha256 <code>{}</code>.{}</p>",
        rows.len(),
        esc(rules.origin.label()),
        esc(&rules.sha256),
        map.map_or(String::new(), |m| format!(
            " Read through the map <code>{}</code>, sha256 <code>{}</code>.",
            esc(&m.path),
            esc(&m.sha256)
        ))
    );
    out.push_str("<p class=\"note\">\"Below\" means the level recorded is lower than the level the guidance supports for the answers recorded; \"above\", higher. The tool supports a decision and never makes one: each disagreement is for a person to read.</p>\n");
    let areas = audit(rows);
    out.push_str(&overview_svg(&areas));
    for (index, (name, area)) in areas.iter().enumerate() {
        area_section(&mut out, index, name, area);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Agreement per area as stacked horizontal bars (below, agree, above).
fn overview_svg(areas: &BTreeMap<&str, AreaAudit>) -> String {
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
        let total = area.compared().max(1) as f64;
        let width = |n: u64| (n as f64 / total * 400.0).round();
        let (b, a, o) = (width(area.below), width(area.agree), width(area.above));
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
            percent(area.agree, area.compared())
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

fn area_section(out: &mut String, index: usize, name: &str, area: &AreaAudit) {
    let _ = writeln!(out, "<section>\n<h2>{}</h2>", esc(name));
    let _ = writeln!(
        out,
        "<p>{} compared: <strong>{} agree ({})</strong>, <strong>{} recorded below</strong> the level the guidance supports, {} above; {} not compared (no recorded level, or no children).</p>",
        area.compared(),
        area.agree,
        percent(area.agree, area.compared()),
        area.below,
        area.above,
        area.uncompared
    );
    out.push_str("<table>\n<caption>Cases by level recorded (rows) and level the guidance supports (columns); a count links to its cases</caption>\n<tr><th scope=\"col\">Recorded \\ supported</th>");
    for t in 1..=4 {
        let _ = write!(out, "<th scope=\"col\">Level {t}</th>");
    }
    out.push_str("</tr>\n");
    for (r, line) in area.cells.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">Level {}</th>", r + 1);
        for (t, cell) in line.iter().enumerate() {
            let class = match r.cmp(&t) {
                std::cmp::Ordering::Equal => "agree",
                std::cmp::Ordering::Less => "below",
                std::cmp::Ordering::Greater => "above",
            };
            if cell.is_empty() {
                let _ = write!(out, "<td class=\"n {class}\">0</td>");
            } else {
                let _ = write!(
                    out,
                    "<td class=\"n {class}\"><a href=\"#{}\">{}</a></td>",
                    anchor(index, r, t),
                    cell.len()
                );
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    let reasons = top(&area.reasons, 8);
    out.push_str("<h3>Reasons most often behind a disagreement</h3>\n");
    if reasons.is_empty() {
        out.push_str("<p>None: no disagreement.</p>\n");
    } else {
        out.push_str(&bars_svg(
            "Reasons most often behind a disagreement",
            &reasons,
        ));
    }
    let raising = top(&area.raising, 8);
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
    out.push_str("<h3>The cases behind each cell</h3>\n");
    for (r, line) in area.cells.iter().enumerate() {
        for (t, cell) in line.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "<h4 id=\"{}\">Recorded level {}, guidance supports level {} ({} case{})</h4>",
                anchor(index, r, t),
                r + 1,
                t + 1,
                cell.len(),
                if cell.len() == 1 { "" } else { "s" }
            );
            out.push_str("<table>\n<tr><th scope=\"col\">Reference</th><th scope=\"col\">Source</th><th scope=\"col\">Reasons</th><th scope=\"col\">Unknowns that could raise it</th></tr>\n");
            for row in cell {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&row.reference),
                    esc(&row.source),
                    esc(&row.reasons.join("; ")),
                    esc(&row.raising.join("; "))
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reference: &str, recorded: Option<u8>, tool: Option<u8>, reasons: &[&str]) -> AuditRow {
        AuditRow {
            reference: reference.into(),
            source: format!("x.csv:{reference}"),
            area: "Salford".into(),
            recorded,
            tool,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            raising: vec!["immediate danger".into()],
        }
    }

    #[test]
    fn the_matrix_counts_below_above_and_agreeing_and_reasons_only_of_disagreements() {
        let rows = [
            row("a", Some(1), Some(3), &["domestic abuse"]),
            row("b", Some(2), Some(2), &["school"]),
            row("c", Some(4), Some(3), &["domestic abuse", "mental health"]),
            row("d", None, Some(1), &[]),
        ];
        let areas = audit(&rows);
        let area = &areas["Salford"];
        assert_eq!(
            (area.agree, area.below, area.above, area.uncompared),
            (1, 1, 1, 1)
        );
        assert_eq!(area.cells[0][2].len(), 1);
        assert_eq!(area.cells[3][2][0].reference, "c");
        assert_eq!(
            top(&area.reasons, 5),
            vec![("domestic abuse", 2), ("mental health", 1)]
        );
        assert_eq!(area.raising["immediate danger"], 4);
    }

    #[test]
    fn text_from_a_case_is_escaped_in_html() {
        assert_eq!(esc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        assert!(!esc("a\u{202e}b").contains('\u{202e}'));
    }
}
