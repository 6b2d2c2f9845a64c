//! Reads Markdown with pulldown-cmark into a flat list of blocks (headings, paragraphs split in
//! lines, tables, code blocks, lists) that remember their line and source range, so the
//! importer can say where something is and keep what it does not understand verbatim.

use pulldown_cmark::{Event, HeadingLevel, Options, Tag, TagEnd};
use std::ops::Range;

/// Inline text: `text` keeps code spans in backticks, `plain` drops the backticks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Inline {
    pub(crate) text: String,
    pub(crate) plain: String,
    pub(crate) codes: Vec<String>,
    /// Strong text that opens the inline (`**CHECKPOINT 1**: ...`).
    pub(crate) lead_strong: Option<String>,
}

impl Inline {
    fn trimmed(mut self) -> Self {
        trim_in_place(&mut self.text);
        trim_in_place(&mut self.plain);
        self
    }
}

/// Trims without a second allocation: a big table has hundreds of thousands of cells.
fn trim_in_place(s: &mut String) {
    s.truncate(s.trim_end().len());
    let lead = s.len() - s.trim_start().len();
    s.drain(..lead);
}

#[derive(Default)]
struct InlineBuilder {
    inline: Inline,
    strong_start: Option<usize>,
}

impl InlineBuilder {
    fn push_text(&mut self, s: &str) {
        self.inline.text.push_str(s);
        self.inline.plain.push_str(s);
    }
    fn push_code(&mut self, s: &str) {
        let fence = if s.contains('`') { "``" } else { "`" };
        self.inline.text.push_str(&format!("{fence}{s}{fence}"));
        self.inline.plain.push_str(s);
        self.inline.codes.push(s.to_owned());
    }
    fn strong_begin(&mut self) {
        if self.inline.text.trim().is_empty() && self.inline.lead_strong.is_none() {
            self.strong_start = Some(self.inline.plain.len());
        }
    }
    fn strong_end(&mut self) {
        if let Some(start) = self.strong_start.take() {
            self.inline.lead_strong = Some(self.inline.plain[start..].trim().to_owned());
        }
    }
    fn finish(&mut self) -> Inline {
        self.strong_start = None;
        std::mem::take(&mut self.inline).trimmed()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) cells: Vec<Inline>,
    pub(crate) line: usize,
    /// Cells counted in the source line; a table whose rows differ from its header is ragged.
    pub(crate) source_cells: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub(crate) inline: Inline,
    pub(crate) checked: Option<bool>,
    pub(crate) line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Heading {
        level: u8,
        text: Inline,
        id: Option<String>,
    },
    /// Each line of the paragraph with its line number.
    Para(Vec<(Inline, usize)>),
    Table {
        header: Vec<Inline>,
        header_cells: usize,
        rows: Vec<Row>,
    },
    Code {
        text: String,
        /// The fence's language word (`bash`, `text`, `mermaid`); empty when none is given.
        lang: String,
    },
    List {
        items: Vec<Item>,
    },
    Rule,
    Html {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub(crate) kind: Kind,
    pub(crate) line: usize,
    pub(crate) range: Range<usize>,
}

/// Maps byte offsets to 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// Cells in one source line of a table: pipes outside code spans and not escaped.
pub(crate) fn count_cells(line: &str) -> usize {
    let line = line.trim();
    let mut count = 0;
    let mut in_code = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '`' => in_code = !in_code,
            '|' if !in_code => count += 1,
            _ => {}
        }
    }
    let mut cells = count + 1;
    if line.starts_with('|') {
        cells -= 1;
    }
    if line.ends_with('|') && !line.ends_with("\\|") && line.len() > 1 {
        cells -= 1;
    }
    cells
}

fn level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

enum Open {
    Heading { level: u8, id: Option<String>, start: usize },
    Para { lines: Vec<(Inline, usize)>, line: usize, start: usize },
    Table { header: Vec<Inline>, header_cells: usize, rows: Vec<Row>, in_head: bool, start: usize },
    Code { text: String, lang: String, start: usize },
    List { items: Vec<Item>, depth: usize, item: Option<(Item, bool)>, start: usize },
}

const OPTS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_HEADING_ATTRIBUTES);

/// Splits `text` into blocks; a long file in two halves read at once, one on each core.
pub(crate) fn parse(text: &str) -> Vec<Block> {
    let lines = Lines::new(text);
    if let Some((mut first, second)) = super::sections::halves(text, OPTS) {
        let (mut blocks, held, rest) = std::thread::scope(|scope| {
            let rest = scope.spawn(|| read(text, &lines, second));
            let blocks = read(text, &lines, &mut first);
            (blocks, first.held(), rest.join())
        });
        match rest {
            Ok(rest) if held => {
                blocks.extend(rest);
                return blocks;
            }
            Ok(_) => {}
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    read(text, &lines, super::sections::events(text, OPTS))
}

/// The blocks of `events`, parsed from `text` (a whole file, or one of its halves).
fn read<'a>(text: &'a str, lines: &Lines, events: impl Iterator<Item = (Event<'a>, Range<usize>)>) -> Vec<Block> {
    let line_text = |offset: usize| -> &str {
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        &text[start..end]
    };
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    let mut inline = InlineBuilder::default();
    let push = |blocks: &mut Vec<Block>, kind: Kind, start: usize, end: usize| {
        blocks.push(Block { kind, line: lines.line(start), range: start..end });
    };

    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading { level: l, id, .. }) => {
                inline = InlineBuilder::default();
                open = Some(Open::Heading { level: level(l), id: id.map(|s| s.to_string()), start: range.start });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(Open::Heading { level, id, start }) = open.take() {
                    push(&mut blocks, Kind::Heading { level, text: inline.finish(), id }, start, range.end);
                }
            }
            Event::Start(Tag::Paragraph) => {
                if !matches!(open, Some(Open::List { .. })) {
                    inline = InlineBuilder::default();
                    open = Some(Open::Para { lines: Vec::new(), line: lines.line(range.start), start: range.start });
                } else if let Some(Open::List { item: Some((item, _)), .. }) = &mut open
                    && !item.inline.text.is_empty()
                {
                    inline.push_text(" ");
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(Open::Para { mut lines, line, start }) = open.take() {
                    lines.push((inline.finish(), line));
                    push(&mut blocks, Kind::Para(lines), start, range.end);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(Open::Para { lines: para, line, .. }) = &mut open {
                    para.push((inline.finish(), *line));
                    *line = lines.line(range.end);
                } else {
                    inline.push_text(" ");
                }
            }
            Event::Start(Tag::Table(_)) => {
                open = Some(Open::Table {
                    header: Vec::new(),
                    header_cells: count_cells(line_text(range.start)),
                    rows: Vec::new(),
                    in_head: false,
                    start: range.start,
                });
            }
            Event::Start(Tag::TableHead) => {
                if let Some(Open::Table { in_head, .. }) = &mut open {
                    *in_head = true;
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(Open::Table { in_head, .. }) = &mut open {
                    *in_head = false;
                }
            }
            Event::Start(Tag::TableRow) => {
                if let Some(Open::Table { rows, .. }) = &mut open {
                    let source_cells = count_cells(line_text(range.start));
                    rows.push(Row { cells: Vec::new(), line: lines.line(range.start), source_cells });
                }
            }
            Event::Start(Tag::TableCell) => inline = InlineBuilder::default(),
            Event::End(TagEnd::TableCell) => {
                if let Some(Open::Table { header, rows, in_head, .. }) = &mut open {
                    let cell = inline.finish();
                    if *in_head {
                        header.push(cell);
                    } else if let Some(row) = rows.last_mut() {
                        row.cells.push(cell);
                    }
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(Open::Table { header, header_cells, rows, start, .. }) = open.take() {
                    push(&mut blocks, Kind::Table { header, header_cells, rows }, start, range.end);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) if !matches!(open, Some(Open::List { .. })) => {
                let lang = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or_default().to_lowercase()
                    }
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                open = Some(Open::Code { text: String::new(), lang, start: range.start });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Open::Code { text, lang, start }) = open.take() {
                    push(&mut blocks, Kind::Code { text, lang }, start, range.end);
                }
            }
            Event::Start(Tag::List(_)) => match &mut open {
                Some(Open::List { depth, .. }) => *depth += 1,
                _ => open = Some(Open::List { items: Vec::new(), depth: 1, item: None, start: range.start }),
            },
            Event::End(TagEnd::List(_)) => {
                if let Some(Open::List { depth, .. }) = &mut open {
                    *depth -= 1;
                    if *depth == 0
                        && let Some(Open::List { items, start, .. }) = open.take()
                    {
                        push(&mut blocks, Kind::List { items }, start, range.end);
                    }
                }
            }
            Event::Start(Tag::Item) => {
                if let Some(Open::List { items, item, .. }) = &mut open {
                    // A nested list: its parent item ends where the child begins.
                    if let Some((mut parent, _)) = item.take() {
                        parent.inline = inline.finish();
                        items.push(parent);
                    }
                    inline = InlineBuilder::default();
                    let new = Item { inline: Inline::default(), checked: None, line: lines.line(range.start) };
                    *item = Some((new, true));
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(Open::List { items, item, .. }) = &mut open
                    && let Some((mut it, _)) = item.take()
                {
                    it.inline = inline.finish();
                    items.push(it);
                }
            }
            Event::TaskListMarker(done) => {
                if let Some(Open::List { item: Some((it, _)), .. }) = &mut open {
                    it.checked = Some(done);
                }
            }
            Event::Text(t) => match &mut open {
                Some(Open::Code { text, .. }) => text.push_str(&t),
                _ => inline.push_text(&t),
            },
            Event::Code(c) => inline.push_code(&c),
            Event::InlineHtml(h) if h.trim().eq_ignore_ascii_case("<br>") || h.trim().eq_ignore_ascii_case("<br/>") => {
                inline.push_text(" ");
            }
            Event::Start(Tag::Strong) => inline.strong_begin(),
            Event::End(TagEnd::Strong) => inline.strong_end(),
            Event::Html(h) if open.is_none() => {
                push(&mut blocks, Kind::Html { text: h.to_string() }, range.start, range.end);
            }
            Event::Rule => push(&mut blocks, Kind::Rule, range.start, range.end),
            _ => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cells_like_a_reader_would() {
        assert_eq!(count_cells("| a | b | c |"), 3);
        assert_eq!(count_cells("a | b"), 2);
        assert_eq!(count_cells("| `x|y` | b |"), 2);
        assert_eq!(count_cells(r"| a \| b | c |"), 2);
        assert_eq!(count_cells("| Tech Lead | | | |"), 4);
    }

    #[test]
    fn a_long_file_read_in_two_halves_gives_the_blocks_of_one_reading() {
        let text = crate::demo::synthetic_markdown(5000);
        assert!(text.len() > 128 * 1024, "{} bytes: long enough to be read in halves", text.len());
        assert!(super::super::sections::halves(&text, OPTS).is_some());
        let lines = Lines::new(&text);
        let once = read(&text, &lines, super::super::sections::events(&text, OPTS));
        assert_eq!(parse(&text), once);
        // The contacts and a table for each wave of 50 tasks.
        assert_eq!(once.iter().filter(|b| matches!(b.kind, Kind::Table { .. })).count(), 101);
    }

    #[test]
    fn blocks_keep_lines_and_inline_structure() {
        let md = "# Title\n\n**Version**: 1.0  \n**Date**: 2026-01-25\n\n| Time | Task |\n|---|---|\n| 6:30 | **CHECKPOINT 1**: Go (`make go`) |\n\n- [x] done\n- [ ] open\n\n```bash\n# 1. Stop\nstop.sh\n```\n";
        let blocks = parse(md);
        assert!(matches!(&blocks[0].kind, Kind::Heading { level: 1, text, .. } if text.plain == "Title"));
        let Kind::Para(lines) = &blocks[1].kind else { panic!("{:?}", blocks[1]) };
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0.lead_strong.as_deref(), Some("Version"));
        assert_eq!(lines[0].0.plain, "Version: 1.0");
        assert_eq!(lines[1].1, 4);
        let Kind::Table { header, rows, header_cells, .. } = &blocks[2].kind else { panic!() };
        assert_eq!((header.len(), *header_cells), (2, 2));
        assert_eq!(rows[0].line, 8);
        let cell = &rows[0].cells[1];
        assert_eq!(cell.lead_strong.as_deref(), Some("CHECKPOINT 1"));
        assert_eq!(cell.text, "CHECKPOINT 1: Go (`make go`)");
        assert_eq!(cell.codes, vec!["make go"]);
        let Kind::List { items } = &blocks[3].kind else { panic!() };
        assert_eq!(items.iter().map(|i| i.checked).collect::<Vec<_>>(), vec![Some(true), Some(false)]);
        assert!(matches!(&blocks[4].kind, Kind::Code { text, .. } if text == "# 1. Stop\nstop.sh\n"));
        assert_eq!(blocks[4].line, 13);
    }
}
