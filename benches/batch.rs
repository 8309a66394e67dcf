//! `threshold batch` against SPEC section 11, measured (not asserted: machines differ).
//! Run with `cargo bench --bench batch`; the figures go in the README.
//!
//! - JSON Lines to CSV, the whole program on 2 workers: at least 200,000 cases a second,
//!   and within 2x of merely parsing the same lines into the case type with serde_json
//!   (`threshold::case::parse`, one thread: the floor no evaluator can beat);
//! - peak memory (the child's maximum resident set, from `/usr/bin/time`) for
//!   BATCH_BENCH_CASES cases (default 200,000) and for BATCH_BENCH_MILLION cases (default
//!   1,000,000) streamed through a pipe: flat when the two are about the same;
//! - the same cases as a CSV export (one row per child, the household columns repeated),
//!   CSV to CSV on 2 workers: cases a second and the ratio to JSON Lines, and peak memory
//!   for BATCH_BENCH_CASES cases and for BATCH_BENCH_MILLION cases (a CSV export is a
//!   file, never a pipe): flat when the two are about the same;
//! - a folder of BATCH_BENCH_FILES case files (default 100,000; YAML and JSON, 1 in 1,000
//!   malformed);
//! - the audit (`--report`) of BATCH_BENCH_REPORT cases (default 1,000,000): under 30 s
//!   and a page of a few MB at most, whatever the number of cases;
//! - a case system's export through a map (`--map`, the shipped CIN census map, one row a
//!   child, 1 to 3 children a household, a case each household): BATCH_BENCH_MAPPED
//!   households (default 1,000,000) and a fifth of them as CSV, on 2 workers: at least
//!   100,000 cases a second, and peak memory flat (within 2x of JSON Lines');
//! - the audit (`--report`) of a census-shaped export through the map:
//!   BATCH_BENCH_MAPPED_REPORT households (default 1,000,000): under 30 s, as the audit of
//!   JSON Lines (each case's unknown answers are tried one at a time for the audit);
//! - the same through a map from a workbook (`.xlsx`, one row a case, as one sheet holds at
//!   most 1,048,575): BATCH_BENCH_MAPPED_XLSX cases (default 1,000,000) and a fifth of
//!   them: peak memory flat.
//!
//! The cases are synthetic and deterministic: the same seed gives the same bytes.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HOUSEHOLD: [&str; 14] = [
    "immediate_danger",
    "adult_mental_health",
    "adult_substance_misuse",
    "relapse_or_crisis",
    "domestic_abuse",
    "children_witness_abuse",
    "adult_learning_disability",
    "adult_physical_illness",
    "parenting_capacity_concern",
    "adult_risk_to_children",
    "allegation_against_professional",
    "housing_or_financial_crisis",
    "support_network",
    "engaging_with_services",
];
const CHILD: [&str; 13] = [
    "disclosed_harm",
    "suspected_significant_harm",
    "basic_needs_unmet",
    "young_carer",
    "young_carer_impact",
    "school_concerns",
    "health_development_concerns",
    "disability_substantial_impact",
    "exploitation",
    "missing_episodes",
    "self_harm",
    "private_fostering",
    "has_social_worker",
];
const AREAS: [&str; 4] = ["salford", "trafford", "redbridge", "torbay"];

/// xorshift64*: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn answer(&mut self) -> Option<&'static str> {
        match self.below(4) {
            0 => Some("yes"),
            1 | 2 => Some("no"),
            _ => None,
        }
    }
}

/// Answers by question id, as written.
type Answers = Vec<(&'static str, String)>;

/// A synthetic case: a realistic export (1-3 children, most questions answered, a
/// recorded level on half the cases).
struct Synthetic {
    reference: String,
    area: &'static str,
    recorded: Option<u64>,
    answers: Answers,
    children: Vec<(char, u64, Answers)>,
}

fn answers(rng: &mut Rng, ids: &[&'static str]) -> Answers {
    ids.iter()
        .filter_map(|id| rng.answer().map(|a| (*id, a.to_string())))
        .collect()
}

fn synthetic(rng: &mut Rng, index: usize) -> Synthetic {
    let mut household = answers(rng, &HOUSEHOLD);
    household.push(("domestic_abuse_incidents_12m", rng.below(5).to_string()));
    let children = (0..1 + rng.below(3))
        .map(|c| {
            let age = rng.below(18);
            (char::from(b'A' + c as u8), age, answers(rng, &CHILD))
        })
        .collect();
    let mut case = Synthetic {
        reference: format!("CASE-{index:07}"),
        area: AREAS[index % 4],
        recorded: (rng.below(2) == 0).then(|| 1 + rng.below(4)),
        answers: household,
        children,
    };
    applicable(&mut case);
    case
}

/// The bundled question bank, read once.
fn bank() -> &'static std::sync::Arc<threshold::question::QuestionBank> {
    static RULES: std::sync::OnceLock<threshold::rules::RuleSet> = std::sync::OnceLock::new();
    &RULES
        .get_or_init(|| threshold::rules::bundled().expect("bundled rules"))
        .questions
}

/// Leave out the answers that the rules say cannot apply (`ask_when` in
/// rules/questions.yaml: an age, or an answer that rules a question out), one at a time as
/// the case reader finds them, as a case system that asks in order would: a case is read,
/// not refused.
fn applicable(case: &mut Synthetic) {
    let bank = bank();
    loop {
        let json = to_json(case);
        let read = threshold::case::parse_before_applies(
            &json,
            threshold::case::Format::Json,
            "bench",
            bank,
        )
        .expect("a synthetic case reads");
        let Some(found) = threshold::case::not_applicable(&read, bank) else {
            return;
        };
        let id = bank.name(found.question);
        let answers = match found.child {
            None => &mut case.answers,
            Some(i) => &mut case.children[i].2,
        };
        answers.retain(|(q, _)| *q != id);
    }
}

fn json_map(answers: &[(&str, String)]) -> String {
    let pairs: Vec<String> = answers
        .iter()
        .map(|(id, a)| match a.parse::<u64>() {
            Ok(n) => format!("\"{id}\":{n}"),
            Err(_) => format!("\"{id}\":\"{a}\""),
        })
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// Case `index` as one line of JSON.
fn case_json(rng: &mut Rng, index: usize) -> String {
    to_json(&synthetic(rng, index))
}

/// A synthetic case as one line of JSON.
fn to_json(case: &Synthetic) -> String {
    let children: Vec<String> = case
        .children
        .iter()
        .map(|(id, age, answers)| {
            format!(
                "{{\"id\":\"{id}\",\"age\":{age},\"answers\":{}}}",
                json_map(answers)
            )
        })
        .collect();
    let recorded = case
        .recorded
        .map(|r| format!(",\"recorded_level\":{r}"))
        .unwrap_or_default();
    format!(
        "{{\"schema\":1,\"area\":\"{}\",\"reference\":\"{}\",\"assessed_at\":\"2026-11-24T10:00:00Z\"{recorded},\"answers\":{},\"children\":[{}]}}",
        case.area,
        case.reference,
        json_map(&case.answers),
        children.join(",")
    )
}

/// Case `index` as a YAML case file, as a person or a case system would write it.
fn case_yaml(rng: &mut Rng, index: usize) -> String {
    let case = synthetic(rng, index);
    let mut text = format!(
        "schema: 1\narea: {}\nreference: {}\nassessed_at: 2026-11-24T10:00:00Z\n",
        case.area, case.reference
    );
    if let Some(recorded) = case.recorded {
        text += &format!("recorded_level: {recorded}\n");
    }
    text += "answers:\n";
    for (id, answer) in &case.answers {
        text += &format!("  {id}: {answer}\n");
    }
    text += "children:\n";
    for (id, age, answers) in &case.children {
        text += &format!("  - id: {id}\n    age: {age}\n    answers:\n");
        for (q, answer) in answers {
            text += &format!("      {q}: {answer}\n");
        }
    }
    text
}

fn write_cases(out: &mut dyn Write, cases: usize) -> std::io::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for index in 0..cases {
        writeln!(out, "{}", case_json(&mut rng, index))?;
    }
    out.flush()
}

/// The CSV export's header: the fixed columns, then every question the cases answer.
fn csv_header() -> String {
    let fixed = "reference,area,assessed_at,recorded_level,child_id,child_age,child_unborn";
    let household = HOUSEHOLD.iter().chain(&["domestic_abuse_incidents_12m"]);
    let questions: Vec<&str> = household.chain(&CHILD).copied().collect();
    format!("{fixed},{}", questions.join(","))
}

/// The answer to `id` in `answers`, or an empty cell (unknown).
fn cell<'a>(answers: &'a [(&str, String)], id: &str) -> &'a str {
    answers
        .iter()
        .find(|(q, _)| *q == id)
        .map_or("", |(_, a)| a.as_str())
}

/// Case `index` as the rows of a CSV export: one a child, the household columns on each.
fn case_csv(rng: &mut Rng, index: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let case = synthetic(rng, index);
    let recorded = case.recorded.map(|r| r.to_string()).unwrap_or_default();
    let household: Vec<&str> = HOUSEHOLD
        .iter()
        .chain(&["domestic_abuse_incidents_12m"])
        .map(|id| cell(&case.answers, id))
        .collect();
    let household = household.join(",");
    for (id, age, answers) in &case.children {
        let child: Vec<&str> = CHILD.iter().map(|q| cell(answers, q)).collect();
        writeln!(
            out,
            "{},{},2026-11-24T10:00:00Z,{recorded},{id},{age},,{household},{}",
            case.reference,
            case.area,
            child.join(",")
        )?;
    }
    Ok(())
}

/// The same cases as `write_cases`, as a CSV export.
fn write_csv(out: &mut dyn Write, cases: usize) -> std::io::Result<()> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    writeln!(out, "{}", csv_header())?;
    for index in 0..cases {
        case_csv(&mut rng, index, out)?;
    }
    out.flush()
}

/// One run of the program: wall time, and from `/usr/bin/time` the CPU seconds and the
/// peak resident set in KiB (when it is there).
struct Run {
    wall: Duration,
    cpu: Option<f64>,
    peak_kib: Option<u64>,
    /// The summary the program wrote on standard error.
    summary: String,
}

fn time_tool() -> Option<&'static str> {
    Path::new("/usr/bin/time")
        .exists()
        .then_some("/usr/bin/time")
}

/// Run `threshold ARGS` with `stdin`, its rows thrown away.
fn run_batch(args: &[&str], stdin: Stdio, feed: Option<usize>) -> Run {
    let binary = env!("CARGO_BIN_EXE_threshold");
    let report = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut command = match time_tool() {
        Some(time) => {
            let mut c = Command::new(time);
            c.args(["-f", "%U %S %M", "-o"])
                .arg(report.path())
                .arg(binary);
            c
        }
        None => Command::new(binary),
    };
    command
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().expect("run threshold");
    if let Some(cases) = feed {
        let mut pipe = BufWriter::with_capacity(1 << 20, child.stdin.take().expect("a pipe"));
        write_cases(&mut pipe, cases).expect("feed the cases");
    }
    let output = child.wait_with_output().expect("threshold ran");
    let wall = start.elapsed();
    let summary = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.code().is_some_and(|c| c <= 2),
        "threshold failed: {summary}"
    );
    // GNU time writes "Command exited with non-zero status N" first when it is not 0.
    let figures = std::fs::read_to_string(report.path()).unwrap_or_default();
    let mut fields = figures
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace();
    let user: Option<f64> = fields.next().and_then(|f| f.parse().ok());
    let system: Option<f64> = fields.next().and_then(|f| f.parse().ok());
    Run {
        wall,
        cpu: user.zip(system).map(|(u, s)| u + s),
        peak_kib: fields.next().and_then(|f| f.parse().ok()),
        summary,
    }
}

fn peak(run: &Run) -> String {
    run.peak_kib.map_or("n/a (no /usr/bin/time)".into(), |k| {
        format!("{:.1} MiB", k as f64 / 1024.0)
    })
}

fn best(runs: Vec<Run>) -> Run {
    runs.into_iter()
        .min_by_key(|r| r.wall)
        .expect("at least one run")
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The floor: every line parsed into the case type on one thread, best of 3: with
/// serde_json alone (`Case: Deserialize`, the question bank in scope), and as `assess`
/// parses a case (`case::parse`, which also locates each child for its error messages).
fn parse_only(path: &Path) -> (Duration, Duration) {
    let (rules, _) = threshold::rules::load(
        threshold::rules::bundled_files(),
        threshold::rules::Origin::Bundled,
        jiff::civil::date(2026, 12, 2),
    )
    .expect("bundled rules");
    let bank = &rules.questions;
    let text = std::fs::read_to_string(path).expect("the cases");
    let best = |parse: &dyn Fn(&str)| {
        (0..3)
            .map(|_| {
                let start = Instant::now();
                text.lines().for_each(parse);
                start.elapsed()
            })
            .min()
            .expect("three runs")
    };
    let serde = best(&|line| {
        let case = threshold::question::with_bank(bank, || {
            serde_json::from_str::<threshold::case::Case>(line)
        });
        std::hint::black_box(case.expect("a valid case"));
    });
    let assess = best(&|line| {
        let case = threshold::case::parse(line, threshold::case::Format::Json, "bench", bank);
        std::hint::black_box(case.expect("a valid case"));
    });
    (serde, assess)
}

/// JSON Lines to CSV; returns the cases a second.
fn jsonl_to_csv(cases: usize, dir: &Path) -> f64 {
    let path = dir.join("cases.jsonl");
    let mut file = BufWriter::new(std::fs::File::create(&path).expect("create the cases"));
    write_cases(&mut file, cases).expect("write the cases");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "{cases} synthetic cases, {:.0} MiB of JSON Lines",
        size as f64 / 1048576.0
    );

    let (serde, assess) = parse_only(&path);
    let runs = (0..3)
        .map(|_| {
            let input = std::fs::File::open(&path).expect("open the cases");
            run_batch(
                &["batch", "-", "--format", "csv", "--jobs", "2"],
                input.into(),
                None,
            )
        })
        .collect();
    let batch = best(runs);
    let seconds = batch.wall.as_secs_f64();
    println!(
        "batch - --format csv --jobs 2 (best of 3): {seconds:.2} s, {:.0} cases/s (target >= 200,000)",
        cases as f64 / seconds
    );
    println!("  peak memory: {}", peak(&batch));
    cpu_time(&batch, cases);
    for (what, floor) in [
        ("serde_json alone into the case type", serde),
        ("case::parse (as assess reads a case)", assess),
    ] {
        let floor = floor.as_secs_f64();
        println!(
            "{what}, one thread (best of 3): {floor:.2} s, {:.0} cases/s",
            cases as f64 / floor
        );
        println!(
            "  batch wall time / this: {:.2} (target <= 2)",
            seconds / floor
        );
        if let Some(cpu) = batch.cpu {
            println!("  batch CPU time, all threads / this: {:.2}", cpu / floor);
        }
    }
    println!("  {}", first_line(&batch.summary));
    cases as f64 / seconds
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The same cases as a CSV export, to CSV on 2 workers: best of `runs`, against the JSON
/// Lines figure when there is one.
fn csv_to_csv(cases: usize, dir: &Path, runs: usize, jsonl: Option<f64>) {
    let path = dir.join("cases.csv");
    let mut file = BufWriter::new(std::fs::File::create(&path).expect("create the export"));
    write_csv(&mut file, cases).expect("write the export");
    drop(file);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let name = path.display().to_string();
    let batch = best(
        (0..runs)
            .map(|_| {
                run_batch(
                    &["batch", &name, "--format", "csv", "--jobs", "2"],
                    Stdio::null(),
                    None,
                )
            })
            .collect(),
    );
    let seconds = batch.wall.as_secs_f64();
    let rate = cases as f64 / seconds;
    println!(
        "{cases} cases as a CSV export ({:.0} MiB), batch FILE.csv --format csv --jobs 2 (best of {runs}): {seconds:.2} s, {rate:.0} cases/s (target >= 150,000)",
        size as f64 / 1048576.0
    );
    if let Some(jsonl) = jsonl {
        println!("  JSON Lines / CSV, cases a second: {:.2}", jsonl / rate);
    }
    println!("  peak memory: {}", peak(&batch));
    cpu_time(&batch, cases);
    println!("  {}", first_line(&batch.summary));
    std::fs::remove_file(&path).expect("remove the export");
}

/// The CPU time of a run, all threads: on a machine shared with other work it moves
/// less than the wall time does.
fn cpu_time(run: &Run, cases: usize) {
    if let Some(cpu) = run.cpu {
        println!(
            "  CPU time, all threads: {cpu:.2} s, {:.0} cases a CPU second",
            cases as f64 / cpu
        );
    }
}

fn million_through_a_pipe(cases: usize) {
    let run = run_batch(
        &["batch", "-", "--format", "csv", "--jobs", "2"],
        Stdio::piped(),
        Some(cases),
    );
    println!(
        "{cases} cases generated into a pipe, batch to CSV: {:.2} s (generator included), peak memory {}",
        run.wall.as_secs_f64(),
        peak(&run)
    );
}

/// A folder of `files` case files in 100 subfolders: YAML and JSON, 1 in 1,000 malformed.
fn folder(files: usize, dir: &Path) {
    let root = dir.join("folder");
    let mut rng = Rng(7);
    for index in 0..files {
        let sub = root.join(format!("{:02}", index % 100));
        if index < 100 {
            std::fs::create_dir_all(&sub).expect("make the folder");
        }
        let (name, text) = match index % 1000 {
            999 => (
                format!("{index}.yaml"),
                "schema: 1\nanswers: [\n".to_string(),
            ),
            i if i % 2 == 0 => (format!("{index}.json"), case_json(&mut rng, index)),
            _ => (format!("{index}.yaml"), case_yaml(&mut rng, index)),
        };
        std::fs::write(sub.join(name), text).expect("write a case file");
    }
    let root = root.display().to_string();
    let run = run_batch(
        &["batch", &root, "--format", "csv", "--jobs", "2"],
        Stdio::null(),
        None,
    );
    println!(
        "folder of {files} case files (half YAML, 1 in 1,000 malformed): {:.2} s, {:.0} files/s, peak memory {}",
        run.wall.as_secs_f64(),
        files as f64 / run.wall.as_secs_f64(),
        peak(&run)
    );
}

/// The audit of `cases` cases (`--report`, with its two downloads): the time, the peak
/// memory and the page's size, which must not grow with the cases.
fn audit_report(cases: usize, dir: &Path) {
    let input = dir.join("audit.jsonl");
    let mut file = BufWriter::new(std::fs::File::create(&input).expect("write the cases"));
    write_cases(&mut file, cases).expect("write the cases");
    file.flush().expect("write the cases");
    drop(file);
    let report = dir.join("audit.html");
    let run = run_batch(
        &[
            "batch",
            input.to_str().expect("UTF-8"),
            "--jobs",
            "2",
            "--output",
            "/dev/null",
            "--report",
            report.to_str().expect("UTF-8"),
        ],
        Stdio::null(),
        None,
    );
    let size = |name: &str| {
        std::fs::metadata(dir.join(name)).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64
    };
    println!(
        "{cases} cases with --report: {:.2} s, peak memory {}, the page {:.2} MiB (downloads: cases {:.1} MiB, refused {:.1} MiB)",
        run.wall.as_secs_f64(),
        peak(&run),
        size("audit.html"),
        size("audit-cases.csv"),
        size("audit-refused.csv")
    );
    std::fs::remove_file(&input).expect("remove the cases");
}

/// Codes of the CIN census that the shipped map reads, and some it knows but takes for no
/// question.
const CENSUS_CODES: [&str; 16] = [
    "1B", "2B", "3B", "4B", "5B", "6B", "16A", "1A", "2A", "7A", "10A", "15A", "24A", "4A", "20",
    "21",
];
const CENSUS_LEVELS: [&str; 4] = ["NFA", "Early Help", "CIN", "CP"];
const CENSUS_HEADER: [&str; 9] = [
    "FamilyID",
    "LAchildID",
    "PersonBirthDate",
    "ReferralSource",
    "AssessmentActualStartDate",
    "AssessmentAuthorisationDate",
    "AssessmentFactors",
    "LocalLevel",
    "ExpectedPersonBirthDate",
];

/// Codes of questions asked only from age 5 (young carer, missing, self-harm).
const FROM_FIVE: [&str; 3] = ["7A", "10A", "15A"];

/// Household `index` of a census-shaped export: the cells of each child's row (at most
/// `most` children). A child born in 2021 or later is given no code of a question asked
/// only from age 5, as a case system's records would not, except in 1 household in 100,
/// where such a code is refused as it would be in a real export.
fn census_rows(rng: &mut Rng, index: usize, most: u64) -> Vec<[String; 9]> {
    let family = format!("FAM-{index:07}");
    let day = 1 + rng.below(28);
    let assessed = format!("{day:02}/11/2026");
    (0..1 + rng.below(most))
        .map(|child| {
            let (born_day, born_month, born_year) =
                (1 + rng.below(28), 1 + rng.below(12), 2009 + rng.below(17));
            let born = format!("{born_day:02}/{born_month:02}/{born_year}");
            let any_code = born_year < 2021 || index.is_multiple_of(100);
            let codes: Vec<&str> = (0..rng.below(4))
                .map(|_| CENSUS_CODES[rng.below(CENSUS_CODES.len() as u64) as usize])
                .filter(|code| any_code || !FROM_FIVE.contains(code))
                .collect();
            [
                family.clone(),
                format!("SYN{index:07}{child}"),
                born,
                "1A".to_string(),
                format!("{:02}/10/2026", 1 + rng.below(28)),
                assessed.clone(),
                codes.join(","),
                CENSUS_LEVELS[rng.below(4) as usize].to_string(),
                String::new(),
            ]
        })
        .collect()
}

/// A census-shaped export of `households` households as CSV.
fn write_census_csv(out: &mut dyn Write, households: usize) -> std::io::Result<()> {
    let mut rng = Rng(0x005E_EDCE_2505);
    writeln!(out, "{}", CENSUS_HEADER.join(","))?;
    for index in 0..households {
        for row in census_rows(&mut rng, index, 3) {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c.contains(',') {
                    true => format!("\"{c}\""),
                    false => c.clone(),
                })
                .collect();
            writeln!(out, "{}", cells.join(","))?;
        }
    }
    out.flush()
}

/// A census-shaped workbook of `cases` one-child households, written as a case system's
/// export library writes one (rust_xlsxwriter, its rows streamed to the file).
fn write_census_xlsx(path: &Path, cases: usize) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book
        .add_worksheet_with_constant_memory()
        .expect("a worksheet");
    for (column, name) in CENSUS_HEADER.iter().enumerate() {
        sheet
            .write_string(0, column as u16, *name)
            .expect("write the header");
    }
    let mut rng = Rng(0x005E_EDCE_2505);
    for index in 0..cases {
        for row in census_rows(&mut rng, index, 1) {
            for (column, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    sheet
                        .write_string(index as u32 + 1, column as u16, text)
                        .expect("write a cell");
                }
            }
        }
    }
    book.save(path).expect("save the workbook");
}

/// The shipped CIN census map.
fn census_map() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/maps/cin-census.yaml").to_string()
}

/// An export of `households` households through the map, to CSV on 2 workers.
fn mapped_csv(households: usize, dir: &Path) {
    let path = dir.join("census.csv");
    let mut file = BufWriter::new(std::fs::File::create(&path).expect("create the export"));
    write_census_csv(&mut file, households).expect("write the export");
    drop(file);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let (name, map) = (path.display().to_string(), census_map());
    let run = run_batch(
        &[
            "batch", &name, "--map", &map, "--format", "csv", "--jobs", "2",
        ],
        Stdio::null(),
        None,
    );
    let seconds = run.wall.as_secs_f64();
    println!(
        "{households} households as a census-shaped export ({:.0} MiB) through a map, batch FILE.csv --map MAP --format csv --jobs 2: {seconds:.2} s, {:.0} cases/s (target >= 100,000), peak memory {} (target within 2x of JSON Lines')",
        size as f64 / 1048576.0,
        households as f64 / seconds,
        peak(&run)
    );
    cpu_time(&run, households);
    println!("  {}", first_line(&run.summary));
    std::fs::remove_file(&path).expect("remove the export");
}

/// The audit of `households` of a census-shaped export through the map, on 2 workers.
fn mapped_report(households: usize, dir: &Path) {
    let path = dir.join("census-audit.csv");
    let mut file = BufWriter::new(std::fs::File::create(&path).expect("create the export"));
    write_census_csv(&mut file, households).expect("write the export");
    drop(file);
    let report = dir.join("census-audit.html");
    let (name, map) = (path.display().to_string(), census_map());
    let run = run_batch(
        &[
            "batch",
            &name,
            "--map",
            &map,
            "--jobs",
            "2",
            "--output",
            "/dev/null",
            "--report",
            report.to_str().expect("UTF-8"),
        ],
        Stdio::null(),
        None,
    );
    println!(
        "{households} households through a map with --report: {:.2} s (target < 30 s), peak memory {}, the page {:.2} MiB",
        run.wall.as_secs_f64(),
        peak(&run),
        std::fs::metadata(&report).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64
    );
    std::fs::remove_file(&path).expect("remove the export");
}

/// A workbook of `cases` one-child households through the map, to CSV on 2 workers.
fn mapped_xlsx(cases: usize, dir: &Path) {
    let path = dir.join("census.xlsx");
    let start = Instant::now();
    write_census_xlsx(&path, cases);
    let written = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let (name, map) = (path.display().to_string(), census_map());
    let run = run_batch(
        &[
            "batch", &name, "--map", &map, "--format", "csv", "--jobs", "2",
        ],
        Stdio::null(),
        None,
    );
    let seconds = run.wall.as_secs_f64();
    println!(
        "{cases} cases as a census-shaped workbook ({:.0} MiB, written in {written:.1} s) through a map, batch FILE.xlsx --map MAP --format csv --jobs 2: {seconds:.2} s, {:.0} cases/s, peak memory {} (target within 2x of JSON Lines')",
        size as f64 / 1048576.0,
        cases as f64 / seconds,
        peak(&run)
    );
    cpu_time(&run, cases);
    println!("  {}", first_line(&run.summary));
    std::fs::remove_file(&path).expect("remove the workbook");
}

/// Each measurement's size comes from the environment; 0 leaves it out.
fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (cases, million) = (
        env_number("BATCH_BENCH_CASES", 200_000),
        env_number("BATCH_BENCH_MILLION", 1_000_000),
    );
    let jsonl = (cases > 0).then(|| jsonl_to_csv(cases, dir.path()));
    if cases > 0 {
        csv_to_csv(cases, dir.path(), 3, jsonl);
    }
    if million > 0 {
        million_through_a_pipe(million);
        csv_to_csv(million, dir.path(), 1, None);
    }
    match env_number("BATCH_BENCH_MAPPED", 1_000_000) {
        0 => {}
        households => {
            mapped_csv(households / 5, dir.path());
            mapped_csv(households, dir.path());
        }
    }
    match env_number("BATCH_BENCH_MAPPED_XLSX", 1_000_000) {
        0 => {}
        workbook => {
            mapped_xlsx(workbook / 5, dir.path());
            mapped_xlsx(workbook, dir.path());
        }
    }
    match env_number("BATCH_BENCH_REPORT", 1_000_000) {
        0 => {}
        report => audit_report(report, dir.path()),
    }
    match env_number("BATCH_BENCH_MAPPED_REPORT", 1_000_000) {
        0 => {}
        households => mapped_report(households, dir.path()),
    }
    match env_number("BATCH_BENCH_FILES", 100_000) {
        0 => {}
        files => folder(files, dir.path()),
    }
}
