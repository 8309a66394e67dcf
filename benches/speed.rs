//! Speed targets of SPEC section 11, measured (not asserted: CI machines are noisy).
//! Run with `cargo bench --bench speed`; the figures go in the README.
//!
//! - start-up to a result for one case, embedded rules parsed and validated: < 10 ms
//! - the engine alone, rules compiled once, a one-child case: < 2 µs

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let today = jiff::civil::date(2026, 12, 2);
    let case_path = "examples/cases/salford-domestic-abuse-cumulative.yaml";

    // The whole program, as a practitioner starts it: process start, embedded rules parsed
    // and validated, the case read, the result printed.
    let binary = env!("CARGO_BIN_EXE_threshold");
    let runs: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            let output = Command::new(binary)
                .args([
                    "assess",
                    case_path,
                    "--at",
                    "2026-11-24T10:00",
                    "--format",
                    "json",
                ])
                .output()
                .expect("run threshold");
            assert!(output.status.success());
            start.elapsed()
        })
        .collect();
    println!("assess, whole process (median of 200): {:?}", median(runs));

    let loads: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            let rules = threshold::rules::load(
                threshold::rules::bundled_files(),
                threshold::rules::Origin::Bundled,
                today,
            );
            black_box(rules.expect("bundled rules load"));
            start.elapsed()
        })
        .collect();
    println!(
        "embedded rules parsed and validated (median of 200): {:?}",
        median(loads)
    );

    let (rules, _) = threshold::rules::load(
        threshold::rules::bundled_files(),
        threshold::rules::Origin::Bundled,
        today,
    )
    .unwrap();
    let bytes = std::fs::read("examples/cases/trafford-young-carer.yaml").unwrap();
    let case = threshold::case::read(&bytes, "case", &rules.questions).unwrap();
    let area = rules.area("trafford").unwrap();
    let at: jiff::Zoned = "2026-11-24T10:00:00+00:00[Europe/London]".parse().unwrap();
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
