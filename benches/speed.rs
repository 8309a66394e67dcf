//! Speed targets of SPEC section 11, measured (not asserted: CI machines are noisy).
//! Run with `cargo bench --bench speed`; the figures go in the README.
//!
//! - start-up to a result for one case: < 10 ms (SPEC), and within 2.5x of a bare `true`
//!   started the same way, measured side by side (issue 13): the bundled rules are checked
//!   when the program is built and read pre-parsed;
//! - the engine alone, rules compiled once, a one-child case: < 2 µs

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // The day the bundled rules were last reviewed: no warning, so no second, locating pass.
    let today = jiff::civil::date(2026, 12, 7);
    let case_path = "examples/cases/salford-domestic-abuse-cumulative.yaml";

    // The whole program, as a practitioner starts it: process start, the bundled rules
    // read, the case read, the result printed; and beside it, run for run, a process that
    // does nothing (`true`), so the ratio holds however busy the machine is.
    let binary = env!("CARGO_BIN_EXE_threshold");
    let time = |command: &mut Command| {
        let start = Instant::now();
        let output = command.output().expect("run the command");
        assert!(output.status.success());
        start.elapsed()
    };
    let (mut program, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        program.push(time(Command::new(binary).args([
            "assess",
            case_path,
            "--at",
            "2026-11-24T10:00",
            "--format",
            "json",
        ])));
        bare.push(time(&mut Command::new("true")));
    }
    let (program, bare) = (median(program), median(bare));
    println!("assess, whole process (median of 300): {program:?}");
    println!(
        "`true`, whole process (median of 300, side by side): {bare:?}; assess is {:.1}x",
        program.as_secs_f64() / bare.as_secs_f64()
    );

    let reads: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            black_box(threshold::rules::bundled().expect("bundled rules read"));
            start.elapsed()
        })
        .collect();
    println!(
        "bundled rules read pre-parsed (median of 200): {:?}",
        median(reads)
    );

    type Load = fn(
        Vec<threshold::rules::RuleFile>,
        threshold::rules::Origin,
        jiff::civil::Date,
    ) -> Result<
        (threshold::rules::RuleSet, threshold::error::Diagnostics),
        threshold::error::Diagnostics,
    >;
    let checks: [(&str, Load); 2] = [
        (
            "rules parsed from YAML and checked, every quotation found in its source text, as `rules check` does",
            threshold::rules::load,
        ),
        (
            "rules parsed from YAML and checked for use, as `--rules DIR` does",
            threshold::rules::load_for_use,
        ),
    ];
    for (what, load) in checks {
        let loads: Vec<Duration> = (0..100)
            .map(|_| {
                let start = Instant::now();
                let rules = load(
                    threshold::rules::bundled_files(),
                    threshold::rules::Origin::Bundled,
                    today,
                );
                black_box(rules.expect("bundled rules load"));
                start.elapsed()
            })
            .collect();
        println!("{what} (median of 100): {:?}", median(loads));
    }

    let (rules, _) = threshold::rules::load(
        threshold::rules::bundled_files(),
        threshold::rules::Origin::Bundled,
        today,
    )
    .unwrap();
    let bytes = std::fs::read("examples/cases/trafford-young-carer.yaml").unwrap();
    let case = threshold::case::read(&bytes, "case", &rules.questions).unwrap();
    let area = rules.area("trafford").unwrap();
    let at: jiff::ZonedDateTime = "2026-11-24T10:00:00+00:00[Europe/London]".parse().unwrap();
    let parses: Vec<Duration> = (0..2000)
        .map(|_| {
            let start = Instant::now();
            black_box(threshold::case::read(black_box(&bytes), "case", &rules.questions).unwrap());
            start.elapsed()
        })
        .collect();
    println!(
        "one-child YAML case file parsed (median of 2000): {:?}",
        median(parses)
    );

    let rounds = 200_000u32;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..rounds {
            black_box(threshold::engine::assess(
                area,
                &rules.questions,
                black_box(&case),
                &at,
            ));
        }
        best = best.min(start.elapsed() / rounds);
    }
    println!("engine, one-child case, rules compiled once (best of 5 x {rounds}): {best:?}");
}
