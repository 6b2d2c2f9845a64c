//! Runs pulldown-cmark over a long Markdown file a section at a time, cut before top-level ATX
//! headings, and hands on its events with offsets into the whole file. The events are the
//! ones a single parse of the whole file gives; what changes is memory: pulldown-cmark builds
//! the block tree of all it is given before the first event, and a 10,000-row runbook's tree,
//! grown by doubling, was some 40 MB of fresh pages, and grows with the file. A long file can
//! also be read in two halves at once (`halves`), one on each core, cut at a heading near its
//! middle.

use pulldown_cmark::{Event, Options, Parser, Tag};
use std::ops::Range;

/// About how much text one parse takes: large enough that the cuts cost nothing, small
/// enough that a section's tree fits in memory already touched.
const SECTION_BYTES: usize = 32 * 1024;

/// How many heading lines past a failed cut are tried before the reach starts doubling.
const NEAR_TRIES: usize = 4;

/// Below this size a file is not worth a second thread.
const HALVES_BYTES: usize = 128 * 1024;

/// The events of `text`, parsed with `opts`, with ranges into `text`.
pub(crate) fn events(text: &str, opts: Options) -> Events<'_> {
    Events::new(text, opts, cuts(text), 0, text.len())
}

/// The events of `text` in two halves, cut at the first heading line past its middle, to be
/// read at the same time: the first half's, which say at their end whether the cut held
/// (`Events::held`), and the second half's, which are only right if it did. `None` for a file
/// too short to be worth it or with no heading line past its middle.
pub(crate) fn halves(text: &str, opts: Options) -> Option<(Events<'_>, Events<'_>)> {
    halves_from(text, opts, HALVES_BYTES)
}

fn halves_from(text: &str, opts: Options, min_bytes: usize) -> Option<(Events<'_>, Events<'_>)> {
    if text.len() < min_bytes {
        return None;
    }
    let cuts = cuts(text);
    let middle = *cuts.get(cuts.partition_point(|&c| c < text.len() / 2))?;
    Some((Events::new(text, opts, cuts.clone(), 0, middle), Events::new(text, opts, cuts, middle, text.len())))
}

/// Where each line that may be a top-level ATX heading starts. A link reference definition
/// counts for the whole file: such a file has none, and is parsed at once.
fn cuts(text: &str) -> Vec<usize> {
    if text.contains("]:") { Vec::new() } else { heading_lines(text) }
}

/// The iterator `events` returns.
pub(crate) struct Events<'a> {
    text: &'a str,
    opts: Options,
    /// Where each line that may be a top-level ATX heading starts, ascending.
    cuts: Vec<usize>,
    /// Where the text not yet parsed starts.
    start: usize,
    /// Where the text these events are of ends: the file's end, or a cut (`halves`).
    end: usize,
    /// Whether `end`, a cut, parsed as one: false once it did not (the events stop there).
    held: bool,
    /// `SECTION_BYTES`, but for tests.
    section: usize,
    pending: std::vec::IntoIter<(Event<'a>, Range<usize>)>,
}

impl<'a> Iterator for Events<'a> {
    type Item = (Event<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.pending.next() {
                return Some(next);
            }
            if self.start >= self.end {
                return None;
            }
            self.parse_section();
        }
    }
}

impl<'a> Events<'a> {
    fn new(text: &'a str, opts: Options, cuts: Vec<usize>, start: usize, end: usize) -> Self {
        Self { text, opts, cuts, start, end, held: true, section: SECTION_BYTES, pending: Vec::new().into_iter() }
    }

    /// Whether the text up to `end` parsed as a whole of its own (the cut of `halves` held):
    /// known once the events have run out.
    pub(crate) fn held(&self) -> bool {
        self.held
    }

    /// Parses the next section into `pending`. A cut is taken only where the text up to and
    /// including the heading's line parses with that line as a heading of its own: then no
    /// block is open across it (a fence or an HTML block would have taken the line in), every
    /// container before it is closed by it, and the blocks before it are what a parse of the
    /// whole file gives them (CommonMark reads a line at a time, and a link definition, the one
    /// thing that reaches across, keeps the file whole). Where cuts keep failing, the tries
    /// reach twice as far each time, so a long code block full of `# comments` is parsed a few
    /// times, not once for each comment.
    fn parse_section(&mut self) {
        let start = self.start;
        let mut reach = self.section;
        let mut misses = 0;
        loop {
            let first = self.cuts.partition_point(|&c| c < start.saturating_add(reach));
            let cut = self.cuts.get(first).copied().filter(|&c| c < self.end).unwrap_or(self.end);
            if cut == self.text.len() {
                self.take(start);
                return;
            }
            let line_end = self.text[cut..].find('\n').map_or(self.text.len(), |i| cut + i + 1);
            let local_cut = cut - start;
            let events: Vec<_> = Parser::new_ext(&self.text[start..line_end], self.opts).into_offset_iter().collect();
            let heading =
                events.iter().position(|(e, r)| r.start == local_cut && matches!(e, Event::Start(Tag::Heading { .. })));
            if let Some(heading) = heading {
                // By position, not offset: the parser ends a short table row with empty cells
                // placed at the row's end, which is where the heading starts.
                self.pending = shifted(events, start, heading);
                self.start = cut;
                return;
            }
            if cut == self.end {
                self.held = false;
                self.start = self.end;
                return;
            }
            // The next heading line is most often the next section's; past a few misses the text
            // is something like a long script, and the reach doubles.
            misses += 1;
            reach = if misses < NEAR_TRIES { cut - start + 1 } else { reach.saturating_mul(2).max(cut - start + 1) };
        }
    }

    #[cfg(test)]
    fn reach_for_tests(&mut self, bytes: usize) {
        self.section = bytes;
    }

    /// Parses the rest of the text, from `start`, whole into `pending`.
    fn take(&mut self, start: usize) {
        let events: Vec<_> = Parser::new_ext(&self.text[start..], self.opts).into_offset_iter().collect();
        let all = events.len();
        self.pending = shifted(events, start, all);
        self.start = self.text.len();
    }
}

/// The first `count` events, with ranges into the whole text.
fn shifted<'a>(
    mut events: Vec<(Event<'a>, Range<usize>)>,
    start: usize,
    count: usize,
) -> std::vec::IntoIter<(Event<'a>, Range<usize>)> {
    events.truncate(count);
    for (_, r) in &mut events {
        *r = r.start + start..r.end + start;
    }
    events.into_iter()
}

/// Where each line that opens like an ATX heading starts (`#` to `######` at the line's start,
/// then a space, a tab or the line's end), leaving out the file's first line.
fn heading_lines(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::new();
    for (i, _) in text.match_indices("\n#") {
        let at = i + 1;
        let hashes = bytes[at..].iter().take_while(|&&b| b == b'#').count();
        let after = bytes.get(at + hashes).copied();
        if hashes <= 6 && matches!(after, None | Some(b' ' | b'\t' | b'\n' | b'\r')) {
            cuts.push(at);
        }
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(super) const OPTS: Options = Options::ENABLE_TABLES
        .union(Options::ENABLE_TASKLISTS)
        .union(Options::ENABLE_STRIKETHROUGH)
        .union(Options::ENABLE_HEADING_ATTRIBUTES);

    fn whole(text: &str) -> Vec<(Event<'_>, Range<usize>)> {
        Parser::new_ext(text, OPTS).into_offset_iter().collect()
    }

    /// Pieces a runbook is made of, including every way a `#` line can sit inside a block.
    const PIECES: &[&str] = &[
        "# Phase 1\n",
        "## 1.2 Check {#p2}\n",
        "#\n",
        "#not-a-heading\n",
        "####### seven\n",
        "\n",
        "| Time | Task | Owner |\n|---|---|---|\n| 06:00 | Stop jobs | DBA |\n",
        "| 06:10 | **Go/No-Go** | Lead |\n",
        "```bash\n",
        "```\n",
        "~~~\n",
        "````\n",
        "# stop the service\n",
        "  ```\n",
        "    ```\n",
        "- [ ] Back up the database (DBA)\n",
        "  continued item\n",
        "1. Step one\n",
        "> quoted\n",
        "> ```\n",
        "<!-- a comment\n",
        "-->\n",
        "<div>\n",
        "</div>\n",
        "<script>\n",
        "</script>\n",
        "Some text with `code`\n",
        "===\n",
        "---\n",
        "    indented code\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Cut into sections of any size, any document gives the events of one whole parse.
        #[test]
        fn sections_give_the_events_of_the_whole(picks in proptest::collection::vec(0..PIECES.len(), 0..60), size in 1usize..200) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            let mut events = events(&text, OPTS);
            events.reach_for_tests(size);
            let got: Vec<_> = events.collect();
            prop_assert_eq!(got, whole(&text), "{:?}", text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Two halves read apart give the whole file's events when their cut holds, and say so
        /// when it does not.
        #[test]
        fn halves_whose_cut_holds_give_the_events_of_the_whole(picks in proptest::collection::vec(0..PIECES.len(), 0..60), size in 1usize..200) {
            let text: String = picks.iter().map(|&i| PIECES[i]).collect();
            if let Some((mut first, mut second)) = halves_from(&text, OPTS, 0) {
                first.reach_for_tests(size);
                second.reach_for_tests(size);
                let mut got: Vec<_> = first.by_ref().collect();
                if first.held() {
                    got.extend(second);
                    prop_assert_eq!(got, whole(&text), "{:?}", text);
                } else {
                    let middle = second.start;
                    let parsed = whole(&text);
                    let heading_there = parsed.iter().any(|(e, r)| r.start == middle && matches!(e, Event::Start(Tag::Heading { .. })));
                    prop_assert!(!heading_there, "a cut that holds was refused: {:?}", text);
                }
            }
        }
    }

    #[test]
    fn a_middle_inside_a_code_block_does_not_hold() {
        let text = "# A\n\n```bash\nstop all the services first\n# stop the jobs\nstart\n```\n\n# B\n";
        let (mut first, _) = halves_from(text, OPTS, 0).unwrap();
        assert_eq!(&text[first.end..first.end + 3], "# s", "the middle is the comment line");
        first.by_ref().for_each(drop);
        assert!(!first.held());
        let (mut first, second) = halves_from("# A\n\ntext\n\n# B\n\nmore\n", OPTS, 0).unwrap();
        let mut got: Vec<_> = first.by_ref().collect();
        assert!(first.held());
        got.extend(second);
        assert_eq!(got, whole("# A\n\ntext\n\n# B\n\nmore\n"));
    }

    #[test]
    fn a_long_runbook_is_parsed_in_many_sections_to_the_same_events() {
        let text = crate::demo::synthetic_markdown(3000);
        let mut sections = events(&text, OPTS);
        let mut parses = 0;
        let mut got = Vec::new();
        while let Some(e) = sections.next() {
            got.push(e);
            if sections.pending.len() == 0 {
                parses += 1;
            }
        }
        assert_eq!(got, whole(&text));
        assert!(parses >= text.len() / SECTION_BYTES, "{parses} sections for {} bytes", text.len());
    }

    #[test]
    fn a_link_definition_keeps_the_file_whole() {
        let text = "# A\n\nSee [the plan][p].\n\n# B\n\n[p]: https://example.com/plan\n";
        let mut sections = events(text, OPTS);
        sections.reach_for_tests(1);
        assert_eq!(sections.collect::<Vec<_>>(), whole(text));
    }
}
