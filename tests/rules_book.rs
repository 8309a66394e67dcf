//! `threshold rules book`: the books in docs/rules are what the command renders from the
//! bundled rules; the HTML is one self-contained page with every text escaped; the book
//! names every rule, route and contact of its area, and every question.

mod common;

use common::{copy_dir, stdout, threshold};
use predicates::prelude::*;
use threshold::rules::{self, Origin};

const AREAS: [&str; 4] = ["trafford", "redbridge", "torbay", "salford"];

const REGENERATE: &str = "for a in trafford redbridge torbay salford; do \
cargo run -q -- rules book $a > docs/rules/$a.md; \
cargo run -q -- rules book $a --format html > docs/rules/$a.html; done";

#[test]
fn the_books_in_docs_are_current() {
    let mut stale = Vec::new();
    for area in AREAS {
        for (ext, format) in [("md", "markdown"), ("html", "html")] {
            let path = format!("docs/rules/{area}.{ext}");
            let rendered = stdout(threshold().args(["rules", "book", area, "--format", format]));
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if rendered != committed {
                stale.push(path);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{} differ from what `threshold rules book` renders from the bundled rules \
         (the rules or the scenarios changed): regenerate them with\n  {REGENERATE}\n\
         then read the diff of docs/rules before committing",
        stale.join(", ")
    );
}

#[test]
fn the_html_book_is_one_self_contained_page() {
    for area in AREAS {
        let page = stdout(threshold().args(["rules", "book", area, "--format", "html"]));
        assert!(page.starts_with("<!DOCTYPE html>"), "{area}");
        assert!(
            page.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            ),
            "{area}: no content security policy"
        );
        let lower = page.to_lowercase();
        for forbidden in [
            "<script", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe",
        ] {
            assert!(
                !lower.contains(forbidden),
                "{area}: the page has `{forbidden}`"
            );
        }
        assert!(page.contains("@media print"), "{area}: no print style");
        assert!(page.trim_end().ends_with("</html>"), "{area}");
    }
}

/// A copy of the rules whose Salford texts carry markup: the book shows it as text.
#[test]
fn every_text_is_escaped_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(std::path::Path::new("rules"), dir.path());
    let path = dir.path().join("areas/salford.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let hostile = "Child's basic needs <script>alert('x')</script> & *unmet* | [link](x)";
    let text = text.replacen(
        "label: Parent or carer with mental ill health",
        &format!("label: \"{hostile}\""),
        1,
    );
    assert!(text.contains("<script>"), "the fixture did not change");
    std::fs::write(&path, text).unwrap();
    let rules = dir.path().to_str().unwrap();
    let html = stdout(threshold().args([
        "--rules", rules, "rules", "book", "salford", "--format", "html",
    ]));
    assert!(!html.contains("<script>"), "markup reached the page");
    assert!(html.contains(
        "Child&#39;s basic needs &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; *unmet* | [link](x)"
    ));
    assert!(
        html.contains("a LOCAL copy of the rules from"),
        "a local book says so"
    );
    let markdown = stdout(threshold().args(["--rules", rules, "rules", "book", "salford"]));
    assert!(markdown.contains(
        "Child's basic needs \\<script\\>alert('x')\\</script\\> & \\*unmet\\* \\| \\[link\\](x)"
    ));
}

/// Every threshold, weight, floor, protective factor, route and contact of the area is in
/// its book, and every bundled scenario is in the grid.
#[test]
fn the_book_names_everything_the_rules_do() {
    let today = jiff::civil::date(2026, 12, 2);
    let (rules, _) = rules::load(rules::bundled_files(), Origin::Bundled, today).unwrap();
    let files = threshold::scenario::bundled_files();
    let scenarios = threshold::scenario::load(&files, &rules.questions).unwrap();
    for area in &rules.areas {
        let book = stdout(threshold().args(["rules", "book", &area.id]));
        let s = &area.scoring;
        let ids = s
            .weights
            .iter()
            .chain(&s.protective.factors)
            .map(|r| &r.id)
            .chain(s.floors.iter().map(|f| &f.id))
            .chain(area.contacts.iter().map(|c| &c.id));
        for id in ids {
            assert!(
                book.contains(&format!("`{id}`")),
                "{}: `{id}` is missing",
                area.id
            );
        }
        for route in &area.routes {
            assert!(
                book.contains(&format!("### Route {}", route.id)),
                "{}: route {}",
                area.id,
                route.id
            );
        }
        for rule in &s.weights {
            assert!(book.contains(&rules.questions.describe(&rule.when)));
        }
        for t in &s.thresholds {
            assert!(book.contains(&format!("| {} points or more |", t.at_least)));
        }
        for level in &area.levels {
            assert!(book.contains(&level.name));
        }
        for scenario in &scenarios {
            assert!(
                book.contains(&format!("`{}`", scenario.name)),
                "{}",
                scenario.name
            );
        }
        for (_, question) in rules.questions.questions() {
            assert!(
                book.contains(&format!("`{}`", question.id)),
                "{}",
                question.id
            );
        }
        assert!(book.contains("Tuesday 24 November 2026, 10:00 London time"));
        assert!(book.contains(area.bank_holidays.source.split_whitespace().next().unwrap()));
    }
}

#[test]
fn an_unknown_area_is_refused_with_the_areas_there_are() {
    threshold()
        .args(["rules", "book", "slford"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `salford`"))
        .stderr(predicate::str::contains("threshold areas"));
}

#[test]
fn a_bad_format_is_refused() {
    threshold()
        .args(["rules", "book", "salford", "--format", "pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("markdown"));
}
