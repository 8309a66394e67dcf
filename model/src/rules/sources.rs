//! The texts the rules quote, shipped in `rules/sources/`: each file a header of
//! `field: value` lines (title, publisher, url, checked, words), a line `---`, then the
//! document's words as extracted (or the part of them relied on). Read by `rules check`,
//! the build and `rules book`, never when a result is worked out.
//!
//! A quotation is found in a text after both are normalised: letters to lower case, runs
//! of white space to one space, curly quotes to straight ones, every dash to `-`, and the
//! `*` of extracted Markdown dropped. `...`, `…` and an editorial `[...]` in a quotation
//! stand for words left out: the parts must then appear in order, close together.

use crate::error::{Diagnostic, Location};
use std::collections::BTreeMap;

/// Where shipped source texts live, relative to the rules folder.
pub const SOURCES_DIR: &str = "sources";

/// How far apart (in normalised bytes) two parts of a quotation with words left out may be.
const MAX_GAP: usize = 2000;

/// What a shipped text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    /// The whole document's own words, as extracted.
    Verbatim,
    /// Parts of the document's own words, each under a `## ` heading saying where from; a
    /// heading with `SECONDARY` marks a third party's copy, not the document itself.
    Excerpts,
    /// What this project recorded about the page, not its words: nothing may be quoted
    /// from it.
    Notes,
}

impl Words {
    fn parse(text: &str) -> Option<Words> {
        match text.split([' ', ':']).next()? {
            "verbatim" => Some(Words::Verbatim),
            "excerpts" => Some(Words::Excerpts),
            "notes" => Some(Words::Notes),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Words::Verbatim => "verbatim",
            Words::Excerpts => "excerpts",
            Words::Notes => "notes",
        }
    }
}

/// One shipped text.
#[derive(Debug, Clone)]
pub struct Shipped {
    /// Relative to the rules folder (`sources/seeds/000_fda4d71004fa14a2.txt`).
    pub path: String,
    pub header: BTreeMap<String, String>,
    pub words: Words,
    /// The whole file as written (line numbers count from its first line).
    text: String,
    /// Where the body (after `---`) begins in `text`.
    body_start: usize,
    /// The body normalised, and for each of its bytes the offset in `text` it came from:
    /// worked out when a quotation is first looked for.
    normalised: std::sync::OnceLock<(String, Vec<u32>)>,
    /// `## ` headings of the body: offset in `text`, and whether they mark a secondary copy.
    headings: Vec<(usize, bool)>,
}

/// Where a quotation was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: String,
    /// 1-based line in the shipped file.
    pub line: usize,
    /// Found only in a part marked as a third party's copy.
    pub secondary: bool,
}

/// Why a quotation was not found, with the nearest passage where some of it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub nearest: Option<(String, usize, String)>,
}

impl Shipped {
    fn read(path: &str, text: &str) -> Result<Shipped, Diagnostic> {
        let problem = |message: String, at: Option<Location>| {
            Diagnostic::error(crate::error::Code::RulesSource, path, message)
                .at(at)
                .help("a source text begins with `title:`, `publisher:`, `url:`, `checked:` and `words:` lines, then a line `---`, then the words; see rules/sources/README.md")
        };
        let mut header = BTreeMap::new();
        let mut offset = 0;
        let mut body_start = None;
        for line in text.split_inclusive('\n') {
            let at = Some(Location::of_offset(text, offset));
            offset += line.len();
            let line = line.trim_end();
            if line == "---" {
                body_start = Some(offset);
                break;
            }
            let Some((field, value)) = line.split_once(':') else {
                return Err(problem(
                    format!(
                        "the header line `{}` is not `field: value`",
                        crate::text::shorten(line, 40)
                    ),
                    at,
                ));
            };
            header.insert(field.trim().to_string(), value.trim().to_string());
        }
        let Some(body_start) = body_start else {
            return Err(problem(
                "the header is not closed by a line `---`".into(),
                None,
            ));
        };
        for field in ["title", "publisher", "url", "checked", "words"] {
            if header.get(field).is_none_or(|v| v.is_empty()) {
                return Err(problem(format!("the header has no `{field}:`"), None));
            }
        }
        let words = Words::parse(&header["words"]).ok_or_else(|| {
            problem(
                format!(
                    "`words: {}` is not one of verbatim, excerpts, notes",
                    crate::text::shorten(&header["words"], 30)
                ),
                None,
            )
        })?;
        let mut headings = Vec::new();
        let mut at = body_start;
        for line in text[body_start..].split_inclusive('\n') {
            if line.starts_with("## ") {
                headings.push((at, line.contains("SECONDARY")));
            }
            at += line.len();
        }
        Ok(Shipped {
            path: path.to_string(),
            header,
            words,
            text: text.to_string(),
            body_start,
            normalised: std::sync::OnceLock::new(),
            headings,
        })
    }

    fn normal(&self) -> &str {
        &self.normalised().0
    }

    fn origin(&self, at: usize) -> usize {
        self.normalised().1[at] as usize
    }

    fn normalised(&self) -> &(String, Vec<u32>) {
        self.normalised
            .get_or_init(|| normalise(&self.text[self.body_start..], self.body_start))
    }

    /// The `checked:` date of the header, when it is one.
    pub fn checked(&self) -> Option<jiff::civil::Date> {
        self.header.get("checked")?.parse().ok()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset].matches('\n').count() + 1
    }

    fn secondary_at(&self, offset: usize) -> bool {
        self.headings
            .iter()
            .rev()
            .find(|(at, _)| *at <= offset)
            .is_some_and(|(_, secondary)| *secondary)
    }

    /// Where the parts of a normalised quotation stand in order, close together: the
    /// offset (in `normal`) of each.
    fn find_parts(&self, parts: &[String]) -> Option<usize> {
        let first = parts.first()?;
        let normal = self.normal();
        let mut from = 0;
        'start: while let Some(i) = normal[from..].find(first.as_str()) {
            let start = from + i;
            let mut end = start + first.len();
            for part in &parts[1..] {
                match normal[end..].find(part.as_str()) {
                    Some(j) if j <= MAX_GAP => end += j + part.len(),
                    _ => {
                        from = start + 1;
                        while !normal.is_char_boundary(from) {
                            from += 1;
                        }
                        continue 'start;
                    }
                }
            }
            return Some(start);
        }
        None
    }

    /// The longest run of the quotation's words found here: (its length in words, the
    /// line and the text there).
    fn nearest(&self, words: &[&str]) -> Option<(usize, usize, String)> {
        let normal = self.normal();
        let mut best: Option<(usize, usize)> = None;
        let mut end = 0;
        for start in 0..words.len() {
            end = end.max(start);
            while end < words.len() && normal.contains(&words[start..=end].join(" ")) {
                end += 1;
            }
            if end > start && best.is_none_or(|(len, _)| end - start > len) {
                best = Some((end - start, start));
            }
        }
        let (len, start) = best?;
        let run = words[start..start + len].join(" ");
        let at = normal.find(&run)?;
        let from = self.origin(at);
        let shown: String = self.text[from..]
            .split_whitespace()
            .take(words.len().max(8) + 4)
            .collect::<Vec<_>>()
            .join(" ");
        Some((
            len,
            self.line_of(from),
            crate::text::shorten(&shown, 160).into_owned(),
        ))
    }
}

/// `text` normalised for finding quotations, with the offset (plus `base`) each byte came from.
fn normalise(text: &str, base: usize) -> (String, Vec<u32>) {
    let mut normal = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut space = true;
    for (i, c) in text.char_indices() {
        let at = (base + i) as u32;
        let mapped: Option<char> = match c {
            c if c.is_whitespace() => {
                if !space {
                    normal.push(' ');
                    origin.push(at);
                    space = true;
                }
                continue;
            }
            '*' => None,
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' => Some('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => Some('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
            '\u{2026}' => {
                for _ in 0..3 {
                    normal.push('.');
                    origin.push(at);
                }
                space = false;
                continue;
            }
            c => Some(c),
        };
        if let Some(c) = mapped {
            for lower in c.to_lowercase() {
                let before = normal.len();
                normal.push(lower);
                origin.extend(std::iter::repeat_n(at, normal.len() - before));
            }
            space = false;
        }
    }
    if normal.ends_with(' ') {
        normal.pop();
        origin.pop();
    }
    (normal, origin)
}

/// A quotation's parts: normalised, split where words are left out (`...`, `…`, `[...]`
/// or any editorial `[words]`).
fn quotation_parts(quote: &str) -> Vec<String> {
    let (normal, _) = normalise(quote, 0);
    let mut parts = Vec::new();
    let mut rest = normal.as_str();
    loop {
        let cut = [rest.find("..."), rest.find('[')]
            .into_iter()
            .flatten()
            .min();
        let Some(cut) = cut else {
            parts.push(rest.to_string());
            break;
        };
        parts.push(rest[..cut].to_string());
        rest = if rest[cut..].starts_with('[') {
            rest[cut..]
                .find(']')
                .map_or("", |end| &rest[cut + end + 1..])
        } else {
            rest[cut..].trim_start_matches('.')
        };
    }
    parts
        .into_iter()
        .map(|p| {
            p.trim_matches(|c: char| c == ' ' || c == '"' || c == '\'')
                .to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Every shipped source text, by its path relative to the rules folder.
#[derive(Debug, Clone, Default)]
pub struct Library {
    texts: BTreeMap<String, Shipped>,
}

impl Library {
    /// The shipped texts among the rule files (paths under `sources/` ending `.txt`), and
    /// what is wrong with any of them.
    pub fn read(
        files: &[super::RuleFile],
        name_of: impl Fn(&str) -> String,
    ) -> (Library, Vec<Diagnostic>) {
        let mut library = Library::default();
        let mut problems = Vec::new();
        for file in files.iter().filter(|f| is_source_text(&f.path)) {
            match Shipped::read(&name_of(&file.path), &file.text) {
                Ok(mut shipped) => {
                    shipped.path = file.path.clone();
                    library.texts.insert(file.path.clone(), shipped);
                }
                Err(problem) => problems.push(problem),
            }
        }
        (library, problems)
    }

    pub fn get(&self, path: &str) -> Option<&Shipped> {
        self.texts.get(path)
    }

    /// Where `quote` stands in the first of `paths` that holds it (a text of notes holds
    /// nothing that can be quoted), or the nearest passage in any of them.
    pub fn find(&self, quote: &str, paths: &[&str]) -> Result<Found, NotFound> {
        let parts = quotation_parts(quote);
        let texts: Vec<&Shipped> = paths
            .iter()
            .filter_map(|p| self.texts.get(*p))
            .filter(|t| t.words != Words::Notes)
            .collect();
        for text in &texts {
            if let Some(at) = text.find_parts(&parts) {
                let offset = text.origin(at);
                return Ok(Found {
                    path: text.path.clone(),
                    line: text.line_of(offset),
                    secondary: text.secondary_at(offset),
                });
            }
        }
        // Not found: the longest run of its words that any of the texts holds.
        let joined = parts.join(" ");
        let words: Vec<&str> = joined.split(' ').collect();
        let nearest = texts
            .iter()
            .filter_map(|text| {
                let (len, line, shown) = text.nearest(&words)?;
                Some((len, text.path.clone(), line, shown))
            })
            .max_by_key(|(len, ..)| *len);
        Err(NotFound {
            nearest: nearest.map(|(_, path, line, shown)| (path, line, shown)),
        })
    }
}

impl Shipped {
    /// The body as written, for showing.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Whether a rule file's path is a shipped source text.
pub fn is_source_text(path: &str) -> bool {
    path.starts_with("sources/") && path.ends_with(".txt")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleFile;

    fn library(body: &str, words: &str) -> Library {
        let text = format!(
            "title: T\npublisher: P\nurl: u\nchecked: 2026-12-01\nwords: {words}\n---\n{body}"
        );
        let (library, problems) = Library::read(
            &[RuleFile {
                path: "sources/t.txt".into(),
                text,
            }],
            |p| p.to_string(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        library
    }

    #[test]
    fn a_quotation_is_found_after_normalising_space_quotes_dashes_and_case() {
        let lib = library(
            "Intro\n\nThe children\n too could be “at risk” – **and** must\nbe seen.\n",
            "verbatim",
        );
        let found = lib
            .find(
                "the children too could be \"at risk\" - and must be seen",
                &["sources/t.txt"],
            )
            .unwrap();
        assert_eq!(found.line, 9);
        assert!(
            lib.find("The children ... must be seen", &["sources/t.txt"])
                .is_ok()
        );
        assert!(lib.find("[t]he children too", &["sources/t.txt"]).is_ok());
        let missing = lib
            .find("the children could be at risk too", &["sources/t.txt"])
            .unwrap_err();
        let (_, line, shown) = missing.nearest.unwrap();
        assert_eq!(line, 9);
        assert!(shown.contains("could be"), "{shown}");
        assert!(
            lib.find("must be seen ... the children", &["sources/t.txt"])
                .is_err()
        );
    }

    #[test]
    fn nothing_is_quoted_from_notes_and_a_secondary_copy_is_marked() {
        assert!(
            library("the words", "notes")
                .find("the words", &["sources/t.txt"])
                .is_err()
        );
        let lib = library(
            "## s17 (OFFICIAL)\nchild in need\n## s47 (SECONDARY copy)\nreasonable cause to suspect\n",
            "excerpts",
        );
        assert!(
            !lib.find("child in need", &["sources/t.txt"])
                .unwrap()
                .secondary
        );
        assert!(
            lib.find("reasonable cause", &["sources/t.txt"])
                .unwrap()
                .secondary
        );
    }
}
