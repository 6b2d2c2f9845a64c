//! Spreadsheet runbooks: `.csv` (and `.tsv`) and workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`).
//! Each sheet's rows are written as the Markdown the importer already reads — a timeline sheet
//! as a phase's table (one sheet per phase) or as one table with a Phase column, a contacts,
//! rollback, metrics or overview sheet as its section — so the same column vocabulary (English
//! and Vietnamese), times and checks apply. Times may be Excel times (fractions of a day) or
//! text. Problems are reported by sheet and row, not by the Markdown written in between.

use super::vocab::{Col, Section, TableKind, section, table_kind};
use super::{Diagnostic, ImportError, Imported, MAX_BYTES, Mode, diag, import_markdown_with};
use crate::encoding;
use calamine::{Data, Reader};

/// File name endings read as a workbook.
const WORKBOOK: &[&str] = &[".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"];
/// File name endings read as delimited text.
const DELIMITED: &[&str] = &[".csv", ".tsv"];

/// Whether the file is a spreadsheet, by its name (or, for a workbook, its zip signature).
pub(crate) fn is_sheet(file: &str, bytes: &[u8]) -> bool {
    let lower = file.to_lowercase();
    WORKBOOK.iter().chain(DELIMITED).any(|e| lower.ends_with(e)) || bytes.starts_with(b"PK\x03\x04")
}

/// One cell: its text, and its Excel serial when it may be a time (a date-time, or a number
/// under 1: a fraction of a day).
#[derive(Debug, Clone, Default)]
struct Cell {
    text: String,
    serial: Option<f64>,
}

/// A row: its number in the sheet (from 1) and its cells.
type Row = (usize, Vec<Cell>);

/// A table of a sheet: its header row and the rows under it, and what each column means.
struct Grid<'a> {
    sheet: &'a str,
    head_row: usize,
    head: &'a [Cell],
    body: &'a [&'a Row],
    cols: &'a [Option<Col>],
}

/// One sheet: its name and its rows, each with its row number (from 1).
#[derive(Debug)]
struct Sheet {
    name: String,
    rows: Vec<(usize, Vec<Cell>)>,
}

/// Imports a spreadsheet runbook; `file` names it in messages. In `Mode::Strict` a cell that
/// cannot be understood refuses the whole file, as a Markdown line does.
pub(crate) fn import_sheet(file: &str, bytes: &[u8], mode: Mode) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { file: file.into(), size: bytes.len(), limit: MAX_BYTES });
    }
    let lower = file.to_lowercase();
    let delimited = DELIMITED.iter().any(|e| lower.ends_with(e)) && !bytes.starts_with(b"PK\x03\x04");
    let (sheets, repaired) = if delimited { read_delimited(file, bytes)? } else { (read_workbook(file, bytes)?, None) };
    let stem = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
    let md = Markdown::of(stem, &sheets);
    if md.text.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { file: file.into(), size: md.text.len(), limit: MAX_BYTES });
    }
    let at = |d: &Diagnostic| md.place(d, delimited);
    match import_markdown_with(file, md.text.as_bytes(), mode) {
        Ok(mut imported) => {
            imported.report.warnings = imported.report.warnings.iter().map(at).collect();
            imported.report.problems = imported.report.problems.iter().map(at).collect();
            imported.report.repaired = repaired;
            Ok(imported)
        }
        Err(ImportError::Invalid { file, problems }) => {
            Err(ImportError::Invalid { file, problems: problems.iter().map(at).collect() })
        }
        Err(e) => Err(e),
    }
}

fn read_delimited(file: &str, bytes: &[u8]) -> Result<(Vec<Sheet>, Option<String>), ImportError> {
    let decoded = encoding::decode(bytes).map_err(|err| ImportError::Decode { file: file.into(), err })?;
    let repaired = decoded.repair_note().or_else(|| decoded.source_encoding.map(|e| format!("decoded from {e}")));
    // The separator used most on the first lines (a title line may have none); a comma on a tie.
    let head: Vec<&str> = decoded.text.lines().take(20).collect();
    let delimiter =
        [b'\t', b';', b','].into_iter().max_by_key(|d| head.iter().flat_map(|l| l.bytes()).filter(|b| b == d).count());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.unwrap_or(b','))
        .from_reader(decoded.text.as_bytes());
    let mut rows = Vec::new();
    // Lines counted from where each record starts: the reader's own line count lags a line.
    let text = decoded.text.as_bytes();
    let (mut line, mut counted) = (1usize, 0usize);
    let mut line_at = |byte: u64| {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        // A record's start may still be at the previous line's end.
        while text.get(byte).is_some_and(|b| *b == b'\r' || *b == b'\n') {
            byte += 1;
        }
        line += text[counted.min(byte)..byte].iter().filter(|b| **b == b'\n').count();
        counted = counted.max(byte);
        line
    };
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
            ImportError::Invalid { file: file.into(), problems: vec![diag(line, format!("not a CSV file: {e}"))] }
        })?;
        if !more {
            break;
        }
        let line = line_at(start);
        rows.push((line, record.iter().map(|t| Cell { text: t.trim().to_owned(), serial: None }).collect()));
    }
    let stem = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
    Ok((vec![Sheet { name: stem.to_owned(), rows }], repaired))
}

fn read_workbook(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ImportError> {
    let refused = |e: &dyn std::fmt::Display| ImportError::Invalid {
        file: file.into(),
        problems: vec![diag(1, format!("not a spreadsheet warroom reads (.xlsx, .xlsm, .xls, .ods): {e}"))],
    };
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| refused(&e))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| refused(&format!("sheet `{name}`: {e}")))?;
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = vec![Cell::default(); first_col];
                cells.extend(row.iter().map(cell));
                (first_row + i + 1, cells)
            })
            .collect();
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::default(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            Cell { text: s.trim().to_owned(), serial: None }
        }
        Data::Int(i) => Cell { text: i.to_string(), serial: None },
        Data::Float(f) => Cell { text: number_text(*f), serial: (0.0..1.0).contains(f).then_some(*f) },
        Data::Bool(b) => Cell { text: if *b { "[x]".into() } else { "[ ]".into() }, serial: None },
        Data::DateTime(t) => {
            let f = t.as_f64();
            let text = if f.fract() == 0.0 {
                date_text(f)
            } else if f < 1.0 {
                time_text(f)
            } else {
                format!("{} {}", date_text(f), time_text(f))
            };
            Cell { text, serial: Some(f) }
        }
        Data::Error(e) => Cell { text: format!("#{e:?}"), serial: None },
    }
}

/// `30` for 30.0, `1.5` for 1.5.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { f.to_string() }
}

/// The time of day of an Excel serial (a fraction of a day), to the minute: `06:10`.
fn time_text(f: f64) -> String {
    let minutes = (f.fract() * 1440.0).round() as u32 % 1440;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The date of an Excel serial (days since 1899-12-30): `2026-01-31`.
fn date_text(f: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    base.checked_add_signed(chrono::Duration::days(f.floor() as i64)).map_or_else(String::new, |d| d.to_string())
}

/// The Markdown written from the sheets, and where each of its lines came from.
struct Markdown {
    text: String,
    /// For each line (from 1, index 0 unused): the sheet and row it was written from.
    from: Vec<Option<(String, usize)>>,
}

impl Markdown {
    fn line(&mut self, text: &str, from: Option<(&str, usize)>) {
        self.text.push_str(text);
        self.text.push('\n');
        self.from.push(from.map(|(s, r)| (s.to_owned(), r)));
    }

    fn of(stem: &str, sheets: &[Sheet]) -> Self {
        let mut md = Self { text: String::new(), from: vec![None] };
        // A first row with one cell, before the header, is the title.
        let title =
            sheets.first().and_then(|s| s.rows.iter().find(|(_, r)| filled(r) > 0)).filter(|(_, r)| filled(r) == 1);
        match title {
            Some((row, cells)) => {
                let t = cells.iter().find(|c| !c.text.is_empty()).map_or(stem, |c| c.text.as_str());
                let name = sheets.first().map_or("", |s| s.name.as_str());
                md.line(&format!("# {}", escape(t)), Some((name, *row)));
            }
            None => md.line(&format!("# {}", escape(stem)), None),
        }
        md.line("", None);
        let mut timeline = false;
        for (si, sheet) in sheets.iter().enumerate() {
            let skip = if si == 0 { title.map(|(r, _)| *r) } else { None };
            let rows: Vec<&(usize, Vec<Cell>)> =
                sheet.rows.iter().filter(|(r, cells)| Some(*r) != skip && filled(cells) > 0).collect();
            let Some(((head_row, head), body)) = rows.split_first().map(|(h, b)| ((h.0, &h.1), b)) else { continue };
            let from = Some((sheet.name.as_str(), head_row));
            let named = section(&sheet.name);
            if named == Some(Section::Overview) || (named.is_none() && filled(head) <= 2 && !is_table(head, named)) {
                md.overview(sheet, &rows, named.is_some());
                continue;
            }
            let headers: Vec<String> = head.iter().map(|c| c.text.clone()).collect();
            let kind = table_kind(&headers, named);
            match kind {
                Some((TableKind::Tasks, cols)) => {
                    if !timeline {
                        md.line("## Timeline", from);
                        md.line("", from);
                        timeline = true;
                    }
                    let grid = Grid { sheet: &sheet.name, head_row, head, body, cols: &cols };
                    match cols.iter().position(|c| *c == Some(Col::Phase)) {
                        Some(k) => md.phases(&grid, k),
                        None => {
                            md.line(&format!("### {}", escape(&sheet.name)), from);
                            md.line("", from);
                            md.table(&grid);
                        }
                    }
                }
                other => {
                    timeline = false;
                    md.line(&format!("## {}", escape(&sheet.name)), from);
                    md.line("", from);
                    let cols = other.map(|(_, c)| c).unwrap_or_default();
                    md.table(&Grid { sheet: &sheet.name, head_row, head, body, cols: &cols });
                }
            }
        }
        md
    }

    /// A timeline with a Phase column as one phase heading and table per run of rows with the
    /// same phase (an empty phase cell continues the phase above it).
    fn phases(&mut self, g: &Grid<'_>, k: usize) {
        let drop = |cells: &[Cell]| -> Vec<Cell> {
            cells.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, c)| c.clone()).collect()
        };
        let head = drop(g.head);
        let cols: Vec<Option<Col>> = g.cols.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, c)| *c).collect();
        let mut groups: Vec<(String, usize, Vec<Row>)> = Vec::new();
        for (row, cells) in g.body {
            let phase = cells.get(k).map(|c| c.text.clone()).unwrap_or_default();
            match groups.last_mut() {
                Some((name, _, rows)) if phase.is_empty() || *name == phase => rows.push((*row, drop(cells))),
                _ => groups.push((phase, *row, vec![(*row, drop(cells))])),
            }
        }
        for (name, first, rows) in &groups {
            let from = Some((g.sheet, *first));
            let name = if name.is_empty() { g.sheet } else { name.as_str() };
            self.line(&format!("### {}", escape(name)), from);
            self.line("", from);
            let rows: Vec<&Row> = rows.iter().collect();
            self.table(&Grid { head: &head, body: &rows, cols: &cols, ..*g });
        }
    }

    /// Key/value rows as the overview's `**Key**: value` lines.
    fn overview(&mut self, sheet: &Sheet, rows: &[&(usize, Vec<Cell>)], heading: bool) {
        let first = rows.first().map_or(1, |r| r.0);
        if heading {
            self.line(&format!("## {}", escape(&sheet.name)), Some((&sheet.name, first)));
            self.line("", Some((&sheet.name, first)));
        }
        for (row, cells) in rows {
            let mut filled = cells.iter().filter(|c| !c.text.is_empty());
            let (Some(k), v) = (filled.next(), filled.next()) else { continue };
            let v = v.map_or(String::new(), |v| v.text.clone());
            self.line(&format!("**{}**: {}", escape(&k.text), escape(&v)), Some((&sheet.name, *row)));
            self.line("", Some((&sheet.name, *row)));
        }
    }

    /// A table; in a time column an Excel time is written `HH:MM`, in a duration column a bare
    /// number is minutes.
    fn table(&mut self, g: &Grid<'_>) {
        let Grid { sheet, head_row, head, body, cols } = *g;
        let time = cols.iter().position(|c| *c == Some(Col::Time));
        let duration = cols.iter().position(|c| *c == Some(Col::Duration));
        let width = head.iter().rposition(|c| !c.text.is_empty()).map_or(0, |i| i + 1);
        let from = Some((sheet, head_row));
        let row = |cells: &[Cell], time: Option<usize>, duration: Option<usize>| {
            let mut s = String::from("|");
            for i in 0..width {
                let c = cells.get(i);
                let text = match c {
                    Some(Cell { serial: Some(f), .. }) if time == Some(i) => time_text(*f),
                    Some(c) if duration == Some(i) && c.text.parse::<u32>().is_ok() => format!("{} min", c.text),
                    Some(c) => c.text.clone(),
                    None => String::new(),
                };
                s.push(' ');
                s.push_str(&escape(&text));
                s.push_str(" |");
            }
            s
        };
        self.line(&row(head, None, None), from);
        self.line(&format!("|{}", "---|".repeat(width)), from);
        for (r, cells) in body {
            self.line(&row(cells, time, duration), Some((sheet, *r)));
        }
        self.line("", None);
    }

    /// A problem of the Markdown, at the sheet and row it came from: for a CSV file the row is
    /// its line; for a workbook the message names the sheet.
    fn place(&self, d: &Diagnostic, delimited: bool) -> Diagnostic {
        match self.from.get(d.line).cloned().flatten() {
            Some((_, row)) if delimited => Diagnostic { line: row, message: d.message.clone() },
            Some((sheet, row)) => {
                Diagnostic { line: row, message: format!("sheet `{sheet}`, row {row}: {}", d.message) }
            }
            None => Diagnostic { line: 1, message: d.message.clone() },
        }
    }
}

fn filled(cells: &[Cell]) -> usize {
    cells.iter().filter(|c| !c.text.is_empty()).count()
}

/// Whether a row reads as the header of a table warroom knows.
fn is_table(head: &[Cell], named: Option<Section>) -> bool {
    let headers: Vec<String> = head.iter().map(|c| c.text.clone()).collect();
    table_kind(&headers, named).is_some()
}

/// A cell's text made safe inside a Markdown table or line.
fn escape(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import_file;
    use warroom_model::Runbook;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/sheets/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    /// The runbook without what only says which file it came from: its id (a digest of the
    /// text) and the headings in the document's own words.
    fn content(name: &str) -> Runbook {
        let mut rb = import_file(name, &fixture(name)).unwrap().runbook;
        rb.id.clear();
        rb.labels.clear();
        rb
    }

    #[test]
    fn a_workbook_and_a_csv_import_to_the_same_runbook_as_their_markdown_twins() {
        let md = content("cutover.md");
        assert_eq!(md.phases.len(), 2);
        assert_eq!((md.contacts.len(), md.rollback.steps.len(), md.metrics.len()), (3, 2, 2));
        assert_eq!(content("cutover.xlsx"), md);
        let md = content("timeline.md");
        assert_eq!(md.tasks().last().map(|t| (t.time.to_string(), t.day)), Some(("00:15".to_owned(), 1)));
        assert_eq!(content("timeline.csv"), md);
    }

    #[test]
    fn a_problem_is_reported_at_its_sheet_and_row() {
        let csv = "Phase,Time,Task,Owner\nPrepare,06:00,Open the bridge,All\nPrepare,25:99,Lock the old system,DBA\n";
        // The rest is imported; the line left out is listed at its row.
        let imported = import_file("plan.csv", csv.as_bytes()).unwrap();
        let problems = &imported.report.problems;
        assert_eq!(imported.runbook.tasks().count(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 3, "{problems:?}");
        assert!(problems[0].message.contains("25:99"), "{problems:?}");
        // `--strict` refuses the sheet, at the same row, and imports none of it.
        let Err(ImportError::Invalid { problems, .. }) =
            crate::import::import_file_with("plan.csv", csv.as_bytes(), Mode::Strict)
        else {
            panic!("a strict import of a sheet with a bad time is refused")
        };
        assert_eq!((problems[0].line, problems.len()), (3, 1), "{problems:?}");
        let semicolons = "Giờ;Công việc;Phụ trách\n06:00;Họp mở đầu;Tech Lead\n06:10;Khóa hệ thống;DBA\n";
        let rb = import_file("ke-hoach.csv", semicolons.as_bytes()).unwrap().runbook;
        assert_eq!(rb.tasks().map(|t| t.owner.as_str()).collect::<Vec<_>>(), ["Tech Lead", "DBA"]);
    }

    #[test]
    fn excel_times_and_dates_read_as_written() {
        assert_eq!(time_text(0.25), "06:00");
        assert_eq!(time_text(6.0 / 24.0 + 10.0 / 1440.0), "06:10");
        assert_eq!(time_text(46_083.5), "12:00");
        assert_eq!(date_text(46_082.0), "2026-03-01");
        assert_eq!(number_text(2.0), "2");
        assert_eq!(number_text(2.5), "2.5");
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_with_a_reason() {
        let Err(ImportError::Invalid { problems, .. }) = import_file("plan.xlsx", b"PK\x03\x04 not really") else {
            panic!("refused")
        };
        assert!(problems[0].message.contains("not a spreadsheet warroom reads"), "{problems:?}");
    }
}
