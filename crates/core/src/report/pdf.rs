//! The audit record as a PDF, drawn in Rust with krilla (maintained by the Typst authors: it
//! embeds and subsets fonts and shapes text, so Vietnamese diacritics come out whole) and Noto
//! Sans (SIL Open Font License, `crates/core/fonts/`), with DejaVu Sans for the symbols Noto
//! Sans lacks. Text is wrapped by the font's own
//! advance widths; tables break across pages with their header repeated, a row taller than a
//! page continues on the next, and every page ends with the record's footer and "page x of y".

use super::{Block, Cell, Doc};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_normalization::UnicodeNormalization;

static REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
/// For what Noto Sans lacks (arrows, box drawing, many symbols).
static FALLBACK: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

pub use warroom_model::api::Paper;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A bundled font could not be parsed.
    #[error("the bundled font cannot be read")]
    Font,
    /// The PDF writer failed; what it said.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

const MARGIN: f32 = 36.0;
const FOOTER: f32 = 26.0;
const PAD: f32 = 3.0;
const BODY: f32 = 8.0;

/// A character as drawn: from the main face or the fallback, its glyph, and its advance per
/// point of font size.
#[derive(Clone, Copy)]
struct GlyphInfo {
    main: bool,
    id: u16,
    advance: f32,
}

/// Glyphs and advance widths of a face and its fallback, looked up once per character: a
/// record of 20,000 events lays out a few million characters.
struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
    fallback: ttf_parser::Face<'a>,
    /// Printable ASCII, looked up ahead: most of any record.
    ascii: Vec<GlyphInfo>,
    cache: std::cell::RefCell<std::collections::HashMap<char, GlyphInfo>>,
}

fn lookup(face: &ttf_parser::Face<'_>, c: char) -> Option<(u16, f32)> {
    let g = face.glyph_index(c)?;
    Some((g.0, f32::from(face.glyph_hor_advance(g)?) / f32::from(face.units_per_em())))
}

impl<'a> Metrics<'a> {
    fn new(data: &'a [u8]) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|_| PdfError::Font)?;
        let fallback = ttf_parser::Face::parse(FALLBACK, 0).map_err(|_| PdfError::Font)?;
        let mut m = Self {
            face,
            fallback,
            ascii: Vec::new(),
            cache: std::cell::RefCell::new(std::collections::HashMap::new()),
        };
        m.ascii = (0u8..128).map(|b| m.find(char::from(b))).collect();
        Ok(m)
    }

    fn glyph(&self, c: char) -> GlyphInfo {
        if let Some(g) = self.ascii.get(c as usize) {
            return *g;
        }
        if let Some(g) = self.cache.borrow().get(&c) {
            return *g;
        }
        let g = self.find(c);
        self.cache.borrow_mut().insert(c, g);
        g
    }

    fn find(&self, c: char) -> GlyphInfo {
        let c2 = if c == '\t' { ' ' } else { c };
        match (lookup(&self.face, c2), lookup(&self.fallback, c2)) {
            (Some((id, advance)), _) => GlyphInfo { main: true, id, advance },
            (None, Some((id, advance))) => GlyphInfo { main: false, id, advance },
            // Neither has it: the main face's `?`, so nothing is silently dropped.
            (None, None) => {
                lookup(&self.face, '?').map_or(GlyphInfo { main: true, id: 0, advance: 0.6 }, |(id, advance)| {
                    GlyphInfo { main: true, id, advance }
                })
            }
        }
    }

    /// Whether the main face draws `c` (else the fallback does).
    fn has(&self, c: char) -> bool {
        c.is_whitespace() || self.glyph(c).main
    }

    fn char_width(&self, c: char, size: f32) -> f32 {
        self.glyph(c).advance * size
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// `text` cut where it changes between the main face and the fallback.
    fn runs<'t>(&self, text: &'t str) -> Vec<(bool, &'t str)> {
        let mut out: Vec<(bool, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<bool> = None;
        for (i, c) in text.char_indices() {
            let main = self.has(c);
            if current.is_some_and(|m| m != main) {
                out.push((current.unwrap_or(true), &text[start..i]));
                start = i;
            }
            current = Some(main);
        }
        if start < text.len() {
            out.push((current.unwrap_or(true), &text[start..]));
        }
        out
    }

    /// `text` broken into lines no wider than `max` where Unicode's line-breaking rules allow
    /// (UAX #14: after spaces and hyphens, never inside a word); only a piece wider than the
    /// whole column (a digest) is broken between characters.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let text: String = text.nfc().collect();
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        let mut start = 0;
        for (end, opportunity) in unicode_linebreak::linebreaks(&text) {
            let piece = text.get(start..end).unwrap_or_default().trim_end_matches(['\n', '\r']);
            start = end;
            let visible = piece.trim_end();
            let visible_w = self.width(visible, size);
            if line_w + visible_w > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                line_w = 0.0;
            }
            if visible_w > max {
                for c in visible.chars() {
                    let w = self.char_width(c, size);
                    if line_w + w > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
                let trailing = piece.get(visible.len()..).unwrap_or_default();
                line.push_str(trailing);
                line_w += self.width(trailing, size);
            } else {
                line.push_str(piece);
                line_w += self.width(piece, size);
            }
            if opportunity == unicode_linebreak::BreakOpportunity::Mandatory {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                line_w = 0.0;
            }
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// The widest piece of `text` that may not be broken (a word, with what clings to it).
    fn widest_piece(&self, text: &str, size: f32) -> f32 {
        let mut start = 0;
        let mut widest: f32 = 0.0;
        for (end, _) in unicode_linebreak::linebreaks(text) {
            widest = widest.max(self.width(text.get(start..end).unwrap_or_default().trim_end(), size));
            start = end;
        }
        widest
    }
}

/// Column widths in points: `widths` as fractions of `inner`, then each column narrower than
/// its widest word (up to `cap` of the table) widened, taken from columns with room to spare,
/// so that no word is split ("Incident Commande / r").
fn fit_columns(widths: &[f32], need: &[f32], inner: f32) -> Vec<f32> {
    let total: f32 = widths.iter().sum::<f32>().max(0.01);
    let mut cols: Vec<f32> = widths.iter().map(|w| w / total * inner).collect();
    let need: Vec<f32> = need.iter().map(|n| n.min(inner * 0.35)).collect();
    let short: f32 = cols.iter().zip(&need).map(|(c, n)| (n - c).max(0.0)).sum();
    let spare: f32 = cols.iter().zip(&need).map(|(c, n)| (c - n).max(0.0)).sum();
    if short <= 0.0 || spare <= 0.0 {
        return cols;
    }
    let give = short.min(spare);
    for (c, n) in cols.iter_mut().zip(&need) {
        if *c < *n {
            *c += (*n - *c) * give / short;
        } else {
            *c -= (*c - *n) * give / spare;
        }
    }
    cols
}

/// What is drawn on a page, decided before drawing so the page count is known.
enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, red: bool, text: String },
    Fill { rect: (f32, f32, f32, f32), grey: u8 },
    Line { from: (f32, f32), to: (f32, f32), width: f32 },
}

struct Layout<'a> {
    regular: Metrics<'a>,
    bold: Metrics<'a>,
    width: f32,
    height: f32,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn metrics(&self, bold: bool) -> &Metrics<'_> {
        if bold { &self.bold } else { &self.regular }
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN - FOOTER
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() {
            self.new_page();
        }
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, red: bool, before: f32) {
        let lines = self.metrics(bold).wrap(text, size, self.width - 2.0 * MARGIN);
        let lh = size * 1.35;
        self.y += before;
        // Keep a heading with at least three lines of what follows.
        self.ensure(lh * if size > BODY + 1.0 { 4.0 } else { 1.0 });
        for l in lines {
            self.ensure(lh);
            let y = self.y + size;
            self.push(Op::Text { x: MARGIN, y, size, bold, red, text: l });
            self.y += lh;
        }
    }

    fn rule(&mut self) {
        let y = self.y;
        self.push(Op::Line { from: (MARGIN, y), to: (self.width - MARGIN, y), width: 1.2 });
        self.y += 4.0;
    }

    fn table(&mut self, head: &[String], widths: &[f32], rows: &[Vec<Cell>], keyed: bool) {
        let inner = self.width - 2.0 * MARGIN;
        let mut need: Vec<f32> = head.iter().map(|h| self.bold.widest_piece(h, BODY) + 2.0 * PAD).collect();
        need.resize(widths.len(), 0.0);
        for row in rows {
            for (i, c) in row.iter().enumerate() {
                let m = self.metrics(c.strong || (keyed && i == 0));
                if let Some(n) = need.get_mut(i) {
                    *n = n.max(m.widest_piece(&c.text, BODY) + 2.0 * PAD);
                }
            }
        }
        let cols = fit_columns(widths, &need, inner);
        let lh = BODY * 1.3;
        let wrap_row = |l: &Layout<'_>, cells: &[(String, bool)]| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(&cols)
                .map(|((text, bold), w)| l.metrics(*bold).wrap(text, BODY, (w - 2.0 * PAD).max(4.0)))
                .collect()
        };
        let head_cells: Vec<(String, bool)> = head.iter().map(|h| (h.clone(), true)).collect();
        let head_lines = wrap_row(self, &head_cells);
        let head_h = head_lines.iter().map(Vec::len).max().unwrap_or(0) as f32 * lh + 2.0 * PAD;
        let draw_head = |l: &mut Layout<'_>| {
            if head.is_empty() {
                return;
            }
            let y = l.y;
            l.push(Op::Fill { rect: (MARGIN, y, inner, head_h), grey: 225 });
            l.cells(&head_lines, &cols, &vec![false; cols.len()], &vec![true; cols.len()], 0, usize::MAX);
            l.y += head_h;
        };
        self.y += 2.0;
        self.ensure(head_h + lh + 2.0 * PAD);
        draw_head(self);
        for row in rows {
            let cells: Vec<(String, bool)> =
                row.iter().enumerate().map(|(i, c)| (c.text.clone(), keyed && i == 0)).collect();
            let lines = wrap_row(self, &cells);
            let red: Vec<bool> = row.iter().map(|c| c.strong).collect();
            let bold: Vec<bool> = row.iter().enumerate().map(|(i, c)| c.strong || (keyed && i == 0)).collect();
            let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let mut from = 0;
            while from < n {
                let room = ((self.bottom() - self.y - 2.0 * PAD) / lh).floor().max(0.0) as usize;
                if room == 0 || (from == 0 && room < n && n <= 40) {
                    // Move the row to a new page whole when it fits on one; else split it.
                    self.new_page();
                    draw_head(self);
                    continue;
                }
                let take = room.min(n - from);
                let h = take as f32 * lh + 2.0 * PAD;
                self.cells(&lines, &cols, &red, &bold, from, from + take);
                let y = self.y + h;
                self.push(Op::Line { from: (MARGIN, y), to: (MARGIN + inner, y), width: 0.4 });
                self.y += h;
                from += take;
            }
        }
        self.y += 6.0;
    }

    /// Lines `from..to` of each cell, in a row starting at the current `y`.
    fn cells(&mut self, lines: &[Vec<String>], cols: &[f32], red: &[bool], bold: &[bool], from: usize, to: usize) {
        let lh = BODY * 1.3;
        let mut x = MARGIN;
        let y0 = self.y;
        for (i, cell) in lines.iter().enumerate() {
            for (k, line) in cell.iter().enumerate().skip(from).take(to.saturating_sub(from)) {
                let y = y0 + PAD + (k - from) as f32 * lh + BODY;
                let (r, b) = (red.get(i).copied().unwrap_or(false), bold.get(i).copied().unwrap_or(false));
                self.push(Op::Text { x: x + PAD, y, size: BODY, bold: b, red: r, text: line.clone() });
            }
            x += cols.get(i).copied().unwrap_or(0.0);
        }
    }
}

/// The record as a PDF on `paper`.
pub fn render(doc: &Doc, paper: Paper) -> Result<Vec<u8>, PdfError> {
    let (width, height) = paper.points();
    let mut l = Layout {
        regular: Metrics::new(REGULAR)?,
        bold: Metrics::new(BOLD)?,
        width,
        height,
        pages: Vec::new(),
        y: MARGIN,
    };
    l.new_page();
    for block in &doc.blocks {
        match block {
            Block::Title(t) => l.paragraph(t, 17.0, true, false, 0.0),
            Block::Text(t) => l.paragraph(t, 9.0, false, false, 2.0),
            Block::Alert(t) => l.paragraph(t, 10.0, true, true, 4.0),
            Block::Heading(t) => {
                l.paragraph(t, 13.0, true, false, 10.0);
                l.rule();
            }
            Block::Subheading(t) => l.paragraph(t, 10.0, true, false, 6.0),
            Block::Table { head, widths, rows, keyed } => l.table(head, widths, rows, *keyed),
        }
    }
    let count = l.pages.len();
    let footer_lines: Vec<String> = l.regular.wrap(&doc.footer, 6.5, width - 2.0 * MARGIN - 70.0);
    for (i, page) in l.pages.iter_mut().enumerate() {
        let top = height - MARGIN - FOOTER + 8.0;
        page.push(Op::Line { from: (MARGIN, top), to: (width - MARGIN, top), width: 0.5 });
        for (k, line) in footer_lines.iter().enumerate() {
            page.push(Op::Text {
                x: MARGIN,
                y: top + 9.0 + k as f32 * 8.5,
                size: 6.5,
                bold: false,
                red: false,
                text: line.clone(),
            });
        }
        let label = format!("page {} of {count}", i + 1);
        let w = l.regular.width(&label, 8.0);
        page.push(Op::Text { x: width - MARGIN - w, y: top + 10.0, size: 8.0, bold: true, red: false, text: label });
    }
    draw(&l.pages, width, height, metadata(doc))
}

/// The record's document information: what a file browser, a search or an archive reads
/// without opening it, the log's digest included.
fn metadata(doc: &Doc) -> Metadata {
    use chrono::{Datelike as _, Timelike as _};
    let t = doc.meta.created;
    let offset = t.offset().local_minus_utc();
    let small = |v: u32| u8::try_from(v).unwrap_or(u8::MAX);
    let created = krilla::metadata::DateTime::new(u16::try_from(t.year()).unwrap_or(0))
        .month(small(t.month()))
        .day(small(t.day()))
        .hour(small(t.hour()))
        .minute(small(t.minute()))
        .second(small(t.second()))
        .utc_offset_hour(i8::try_from(offset / 3600).unwrap_or(0))
        .utc_offset_minute(small((offset.unsigned_abs() % 3600) / 60));
    Metadata::new()
        .title(doc.title.clone())
        .description(doc.meta.subject.clone())
        .authors(doc.meta.authors.clone())
        .keywords(doc.meta.keywords.clone())
        .creator(format!("warroom {}", env!("CARGO_PKG_VERSION")))
        .creation_date(created)
}

fn draw(pages: &[Vec<Op>], width: f32, height: f32, metadata: Metadata) -> Result<Vec<u8>, PdfError> {
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let fallback = Font::new(FALLBACK.into(), 0).ok_or(PdfError::Font)?;
    let (m_regular, m_bold) = (Metrics::new(REGULAR)?, Metrics::new(BOLD)?);
    let settings = PageSettings::from_wh(width, height).ok_or_else(|| PdfError::Write("bad paper size".into()))?;
    let mut document = Document::new();
    document.set_metadata(metadata);
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, bold: b, red, text } => {
                    let color = if *red { rgb::Color::new(179, 38, 30) } else { rgb::Color::new(17, 17, 17) };
                    surface.set_fill(Some(Fill { paint: color.into(), ..Fill::default() }));
                    let (font, metrics) = if *b { (&bold, &m_bold) } else { (&regular, &m_regular) };
                    // Placed glyph by glyph from the faces' own advances: no shaping pass per
                    // line (the text is NFC, so Vietnamese letters are single glyphs).
                    let mut at = *x;
                    for (main, run) in metrics.runs(text) {
                        let f = if main { font.clone() } else { fallback.clone() };
                        let glyphs: Vec<KrillaGlyph> = run
                            .char_indices()
                            .map(|(i, c)| {
                                let g = metrics.glyph(c);
                                KrillaGlyph::new(
                                    GlyphId::new(u32::from(g.id)),
                                    g.advance,
                                    0.0,
                                    0.0,
                                    0.0,
                                    i..i + c.len_utf8(),
                                    None,
                                )
                            })
                            .collect();
                        surface.draw_glyphs(Point::from_xy(at, *y), &glyphs, f, run, *size, false);
                        at += metrics.width(run, *size);
                    }
                }
                Op::Fill { rect: (x, y, w, h), grey } => {
                    let mut pb = PathBuilder::new();
                    if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                        pb.push_rect(r);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(Fill {
                            paint: rgb::Color::new(*grey, *grey, *grey).into(),
                            ..Fill::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Line { from, to, width: w } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(from.0, from.1);
                    pb.line_to(to.0, to.1);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(120, 120, 120).into(),
                            width: *w,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_noto_lacks_come_from_the_fallback() {
        let m = Metrics::new(REGULAR).unwrap();
        assert_eq!(m.runs("Order → Stock"), vec![(true, "Order "), (false, "→"), (true, " Stock")]);
        assert!(m.width("→", 10.0) > 1.0);
        assert_eq!(m.runs("Khóa hệ thống"), vec![(true, "Khóa hệ thống")], "Vietnamese is all in Noto Sans");
    }

    #[test]
    fn words_wrap_within_the_column_and_long_ones_break() {
        let m = Metrics::new(REGULAR).unwrap();
        let lines = m.wrap("Khóa hệ thống cũ (read-only) và kiểm tra dữ liệu trước khi chuyển", 8.0, 90.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| m.width(l, 8.0) <= 90.0), "{lines:?}");
        assert_eq!(lines.join(" "), "Khóa hệ thống cũ (read-only) và kiểm tra dữ liệu trước khi chuyển");
        let hash = "b2a72c66427c5d6b8a4d3c123a16c375f3d0f1d951e17763250b0659c71888a1";
        let broken = m.wrap(hash, 8.0, 60.0);
        assert!(broken.len() > 2 && broken.concat() == hash, "{broken:?}");
    }

    #[test]
    fn lines_break_between_words_by_unicode_rules_and_narrow_columns_widen() {
        let m = Metrics::new(REGULAR).unwrap();
        let text = "Mai (Incident Commander), Tech Lead + DBA, DC-West";
        let max = m.widest_piece(text, 8.0);
        let lines = m.wrap(text, 8.0, max);
        assert!(lines.len() > 3, "{lines:?}");
        // Broken only at spaces and after the hyphen of DC-West, never inside a word.
        assert_eq!(lines, vec!["Mai (Incident", "Commander),", "Tech Lead +", "DBA, DC-", "West"]);
        assert_eq!(m.wrap("a\nb", 8.0, 100.0), vec!["a", "b"], "a newline breaks the line");
        // A column too narrow for its longest word takes room from those with some to spare.
        let cols = fit_columns(&[0.5, 0.1, 0.4], &[10.0, 60.0, 10.0], 300.0);
        assert!(cols[1] >= 59.9 && (cols.iter().sum::<f32>() - 300.0).abs() < 0.01, "{cols:?}");
        let hash = fit_columns(&[0.5, 0.5], &[1000.0, 10.0], 300.0);
        assert!(hash[0] <= 300.0 * 0.35 + 150.0, "a digest does not take the whole table: {hash:?}");
    }

    #[test]
    fn long_tables_break_across_pages_with_their_header() {
        let rows: Vec<Vec<Cell>> = (0..400).map(|i| vec![format!("{i}").into(), format!("task {i}").into()]).collect();
        let doc = Doc {
            title: "t".into(),
            footer: "footer".into(),
            digest: "d".into(),
            meta: super::super::Meta {
                subject: "s".into(),
                authors: vec!["Lan".into()],
                keywords: vec!["log digest d".into()],
                created: chrono::DateTime::parse_from_rfc3339("2026-03-21T03:10:00-07:00").unwrap(),
            },
            blocks: vec![Block::Table {
                head: vec!["#".into(), "Task".into()],
                widths: vec![0.2, 0.8],
                rows,
                keyed: false,
            }],
        };
        let pdf = render(&doc, Paper::A4).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let letter = render(&doc, Paper::Letter).unwrap();
        assert!(letter.starts_with(b"%PDF"));
    }
}
