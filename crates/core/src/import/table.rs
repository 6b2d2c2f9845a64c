//! Tables: recognises each table's columns and turns its rows into tasks, contacts, rollback
//! triggers, decision-matrix rows, metrics, rollback steps and commands. Task rows also open the
//! phases they belong to and are placed on the timeline (times after midnight go to the next day).

use super::blocks::{Inline, Row};
use super::tidy::{MAX_TITLE_CHARS, unless_placeholder};
use super::vocab::{Col, Section, TableKind, fold};
use super::{Builder, diag, split_phase_heading, times, vocab};
use warroom_model::{
    ChecklistItem, ClockTime, CmpOp, CommandRef, Condition, Contact, Field, MatrixAction, MatrixRow, Metric, Phase,
    RollbackStep, Task, Trigger, split_roles,
};

static EMPTY_INLINE: Inline =
    Inline { text: String::new(), plain: String::new(), codes: Vec::new(), lead_strong: None };

/// `| Step | Task | Duration |` with 1, 2, 3 under Step: the numbers only order the rows, and
/// the title is in the next column that names one (which `map` left out as a second title).
fn titles_over_ordinals(kind: TableKind, cols: &mut [Option<Col>], names: &[String], rows: &[Row]) {
    let Some(title) = cols.iter().position(|c| *c == Some(Col::Task)) else { return };
    let ordinal = |s: &str| {
        let n = s.trim().trim_end_matches(['.', ')']);
        !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    };
    let mut filled = rows.iter().filter(|r| r.cells.iter().any(|c| !c.text.is_empty())).peekable();
    if filled.peek().is_none() || !filled.all(|r| r.cells.get(title).is_some_and(|c| ordinal(&c.plain))) {
        return;
    }
    let other = (0..cols.len()).find(|&i| {
        i != title && cols[i].is_none() && names.get(i).is_some_and(|n| kind.column_of(n) == Some(Col::Task))
    });
    if let Some(other) = other {
        cols[title] = None;
        cols[other] = Some(Col::Task);
    }
}

impl Builder<'_> {
    pub(super) fn on_table(&mut self, header: &[Inline], header_cells: usize, rows: &[Row], line: usize) -> bool {
        let names: Vec<String> = header.iter().map(|h| h.plain.clone()).collect();
        let Some((kind, mut cols)) = vocab::table_kind(&names, self.ctx()) else {
            self.warnings.push(diag(
                line,
                format!("a table with columns `{}` was not recognised; it is kept as written", names.join(" | ")),
            ));
            return false;
        };
        titles_over_ordinals(kind, &mut cols, &names, rows);
        for row in rows {
            if row.source_cells != header_cells {
                self.problems.push(diag(
                    row.line,
                    format!(
                        "this row has {} cells but the table's header (line {line}) has {header_cells} (`{}`); its cells were read in order",
                        row.source_cells,
                        names.join(" | ")
                    ),
                ));
            }
        }
        let get = |row: &'_ Row, c: Col| -> Option<Inline> {
            cols.iter().position(|x| *x == Some(c)).and_then(|i| row.cells.get(i).cloned())
        };
        let text = |row: &Row, c: Col| get(row, c).map(|i| i.plain).unwrap_or_default();
        let extra = |row: &Row| -> Vec<Field> {
            cols.iter()
                .enumerate()
                .filter(|(_, c)| c.is_none())
                .map(|(i, _)| Field {
                    name: names[i].clone(),
                    value: row.cells.get(i).map(|c| c.text.clone()).unwrap_or_default(),
                })
                .collect()
        };
        let rows: Vec<&Row> = rows.iter().filter(|r| r.cells.iter().any(|c| !c.text.is_empty())).collect();
        match kind {
            TableKind::Tasks
                if matches!(self.ctx(), Some(Section::Checklist | Section::Criteria))
                    && !cols.contains(&Some(Col::Time)) =>
            {
                for row in rows {
                    let n = self.rb.checklist.len() + 1;
                    let status = text(row, Col::Status);
                    self.rb.checklist.push(ChecklistItem {
                        id: format!("k{n}"),
                        text: get(row, Col::Task).map(|c| c.text).unwrap_or_default(),
                        checked: is_checked(&status),
                    });
                }
            }
            TableKind::Tasks => self.tasks(&cols, &names, &rows, line),
            TableKind::Contacts => {
                for row in rows {
                    let n = self.rb.contacts.len() + 1;
                    self.rb.contacts.push(Contact {
                        id: format!("c{n}"),
                        role: unless_placeholder(text(row, Col::Role)),
                        name: unless_placeholder(text(row, Col::Name)),
                        phone: unless_placeholder(text(row, Col::Phone)),
                        backup: unless_placeholder(text(row, Col::Backup)),
                        extra: extra(row),
                    });
                }
            }
            TableKind::Triggers => {
                for row in rows {
                    let n = self.rb.rollback.triggers.len() + 1;
                    self.rb.rollback.triggers.push(Trigger {
                        id: format!("t{n}"),
                        name: text(row, Col::Trigger),
                        condition: text(row, Col::Condition),
                    });
                }
            }
            TableKind::Matrix => {
                for row in rows {
                    let n = self.rb.rollback.matrix.len() + 1;
                    let rollback = text(row, Col::Rollback);
                    let approver = text(row, Col::Approver);
                    self.rb.rollback.matrix.push(MatrixRow {
                        id: format!("d{n}"),
                        issue: text(row, Col::Issue),
                        severity: text(row, Col::Severity),
                        action: matrix_action(&rollback),
                        rollback,
                        approvers: split_roles(&approver),
                        approver,
                    });
                }
            }
            TableKind::Metrics => {
                for row in rows {
                    let n = self.rb.metrics.len() + 1;
                    let target = text(row, Col::Target);
                    let alert = text(row, Col::Alert);
                    self.rb.metrics.push(Metric {
                        id: format!("m{n}"),
                        name: text(row, Col::Metric),
                        target_condition: parse_condition(&target),
                        alert_condition: parse_condition(&alert),
                        target,
                        alert,
                        extra: extra(row),
                    });
                }
            }
            TableKind::Steps => {
                for row in rows {
                    let n = self.rb.rollback.steps.len() + 1;
                    let task = get(row, Col::Task).unwrap_or_default();
                    let mut commands = task.codes.clone();
                    if let Some(c) = get(row, Col::Command) {
                        let cmd = if c.codes.is_empty() { vec![c.plain] } else { c.codes };
                        commands.extend(cmd.into_iter().filter(|c| !c.is_empty()));
                    }
                    self.rb.rollback.steps.push(RollbackStep {
                        id: format!("r{n}"),
                        title: task.plain,
                        commands,
                        notes: Vec::new(),
                        duration_min: times::parse_duration(&text(row, Col::Duration)),
                    });
                }
            }
            TableKind::Commands => {
                for row in rows {
                    let n = self.rb.commands.len() + 1;
                    let c = get(row, Col::Command).unwrap_or_default();
                    self.rb.commands.push(CommandRef {
                        id: format!("x{n}"),
                        label: text(row, Col::Label),
                        command: if c.codes.is_empty() { c.plain } else { c.codes.join("\n") },
                    });
                }
            }
        }
        true
    }

    /// The phase new tasks go into: from the heading above the table, or the current one.
    pub(super) fn current_phase(&mut self) -> usize {
        let fresh = match &self.heading {
            Some((_, _, _, _, false)) => true,
            Some((_, _, _, _, true)) => self.rb.phases.is_empty(),
            None => self.rb.phases.is_empty(),
        };
        if fresh {
            let (words, id) = match &mut self.heading {
                Some((words, _, _, id, used)) => {
                    *used = true;
                    (words.clone(), id.clone())
                }
                None => ("Timeline".to_owned(), None),
            };
            let line = self.heading.as_ref().map_or(1, |h| h.2);
            self.new_phase(&words, id, line);
        }
        self.rb.phases.len() - 1
    }

    fn new_phase(&mut self, heading: &str, id: Option<String>, line: usize) {
        let n = self.rb.phases.len() + 1;
        let (label, name, range) = split_phase_heading(heading);
        let mut phase = Phase {
            id: id.unwrap_or_else(|| format!("p{n}")),
            label,
            name,
            start_day: self.day,
            end_day: self.day,
            ..Phase::default()
        };
        if let Some(range) = range {
            match times::parse_range(&range) {
                Ok(r) => {
                    let start_day = self.place(r.start, line);
                    phase.start = Some(r.start);
                    phase.start_day = start_day;
                    phase.end = Some(r.end);
                    phase.end_day = start_day + i16::from(r.end < r.start);
                    phase.open_end = r.open;
                }
                Err(e) => self.problems.push(diag(line, format!("phase `{heading}`: {}", e.0))),
            }
        }
        self.rb.phases.push(phase);
    }

    /// `title`, cut at `MAX_TITLE_CHARS` with a problem when longer.
    pub(super) fn limit_title(&mut self, title: String, line: usize) -> String {
        match title.char_indices().nth(MAX_TITLE_CHARS) {
            Some((cut, _)) => {
                let chars = title.chars().count();
                self.problems.push(diag(
                    line,
                    format!(
                        "this task's title is {chars} characters; titles are cut at {MAX_TITLE_CHARS} (put long text in a notes column)"
                    ),
                ));
                title[..cut].to_owned()
            }
            None => title,
        }
    }

    /// `id`, or when another task has it, a new one (`A-2`) with a problem at `line`.
    pub(super) fn unique_id(&mut self, id: String, line: usize) -> String {
        let Some(&first) = self.task_lines.get(&id) else {
            self.task_lines.insert(id.clone(), line);
            return id;
        };
        let fresh = (2..).map(|n| format!("{id}-{n}")).find(|c| !self.task_lines.contains_key(c)).unwrap_or_default();
        self.problems.push(diag(
            line,
            format!("task id `{id}` is used twice (first at line {first}); this task is imported as `{fresh}`"),
        ));
        self.task_lines.insert(fresh.clone(), line);
        fresh
    }

    /// Puts a time on the timeline: a time far before the previous one is the next day.
    pub(super) fn place(&mut self, t: ClockTime, line: usize) -> i16 {
        let Some(last) = self.last_minutes else {
            self.last_minutes = Some(t.on_day(self.day));
            return self.day;
        };
        let mut m = t.on_day(self.day);
        if m < last {
            if last - m > 12 * 60 {
                self.day = self.day.saturating_add(1);
                m = t.on_day(self.day);
            } else {
                self.warnings.push(diag(
                    line,
                    format!(
                        "{t} is earlier than the time before it ({}); kept in the written order",
                        ClockTime::of_timeline(last)
                    ),
                ));
            }
        }
        self.last_minutes = Some(last.max(m));
        self.day
    }

    fn tasks<'r>(&mut self, cols: &[Option<Col>], names: &[String], rows: &[&'r Row], line: usize) {
        let has_phase_col = cols.contains(&Some(Col::Phase));
        if !has_phase_col {
            self.current_phase();
        }
        let timed = cols.contains(&Some(Col::Time));
        if !timed && !rows.is_empty() {
            self.warnings.push(diag(
                line,
                format!(
                    "this task table has no time column: its {} tasks are placed in order from {}, each until the next",
                    rows.len(),
                    ClockTime::of_timeline(self.untimed_at())
                ),
            ));
        }
        // `Time (UTC)`: the zone of the whole column.
        if let Some(i) = cols.iter().position(|c| *c == Some(Col::Time))
            && let (_, Some(zone)) = times::split_zone(&names[i])
        {
            self.note_zone(&zone, self.heading.as_ref().map_or(1, |h| h.2));
        }
        let positions: Vec<(Col, usize)> = cols.iter().enumerate().filter_map(|(i, c)| c.map(|c| (c, i))).collect();
        let cell = |row: &'r Row, c: Col| -> &'r Inline {
            positions.iter().find(|(x, _)| *x == c).and_then(|(_, i)| row.cells.get(*i)).unwrap_or(&EMPTY_INLINE)
        };
        let mut prev_time: Option<(ClockTime, i16)> = None;
        for row in rows {
            if has_phase_col {
                let name = cell(row, Col::Phase).plain.clone();
                // The cell may carry the phase's range (`Prepare (06:00 - 07:00)`) on every row;
                // an empty cell continues the phase above.
                let (label, pname, _) = split_phase_heading(&name);
                let same =
                    self.rb.phases.last().is_some_and(|p| name.is_empty() || (p.label == label && p.name == pname));
                if !same {
                    self.new_phase(&name, None, row.line);
                }
            }
            let Some(phase_idx) = self.rb.phases.len().checked_sub(1) else {
                continue;
            };
            let time_cell = cell(row, Col::Time).plain.clone();
            let mut written_zone: Option<String> = None;
            let mut range_minutes: Option<u32> = None;
            let (time, day, offset) = if !timed {
                let (t, d) = self.place_untimed(self.untimed_at());
                (t, d, None)
            } else if time_cell.is_empty() {
                match prev_time {
                    Some((t, d)) => {
                        self.warnings.push(diag(row.line, format!("no time given; using the time before it ({t})")));
                        (t, d, None)
                    }
                    None => {
                        self.problems.push(diag(row.line, "the first task of a table needs a time (HH:MM)"));
                        continue;
                    }
                }
            } else if let Some(off) = times::parse_offset(&time_cell) {
                let base = self
                    .rb
                    .window
                    .as_ref()
                    .map(|w| w.start_minutes())
                    .or_else(|| self.rb.tasks().next().map(Task::minutes))
                    .unwrap_or(0);
                let at = base.saturating_add(i32::try_from(off).unwrap_or(i32::MAX));
                let day = i16::try_from(at.div_euclid(warroom_model::time::DAY_MINUTES as i32)).unwrap_or(i16::MAX);
                self.last_minutes = Some(self.last_minutes.unwrap_or(0).max(at));
                (ClockTime::of_timeline(at), day, Some(time_cell.clone()))
            } else {
                let read = times::parse_time_zoned(&time_cell).map(|(t, z)| (t, z, None)).or_else(|e| {
                    // `06:10 - 06:15`: the start, and the span as the duration.
                    times::parse_range(&time_cell).map(|r| (r.start, r.zone.clone(), Some(r.minutes()))).map_err(|_| e)
                });
                match read {
                    Ok((t, zone, span)) => {
                        if let Some(z) = zone
                            && !self.note_zone(&z, row.line)
                        {
                            written_zone = Some(z.written);
                        }
                        range_minutes = span;
                        let day = self.place(t, row.line);
                        (t, day, None)
                    }
                    Err(e) => {
                        self.problems.push(diag(row.line, e.0));
                        continue;
                    }
                }
            };
            prev_time = Some((time, day));
            let task_cell = cell(row, Col::Task);
            if task_cell.text.is_empty() {
                self.problems.push(diag(row.line, "a task row without a task: the task column is empty"));
                continue;
            }
            let CheckpointCell { checkpoint, number: checkpoint_no, label: checkpoint_label, title } =
                checkpoint_of(task_cell);
            let owner = unless_placeholder(cell(row, Col::Owner).plain.clone());
            let title = self.limit_title(title, row.line);
            if owner.is_empty() {
                self.warnings.push(diag(row.line, format!("task `{title}` has no owner")));
            }
            let status = cell(row, Col::Status).plain.clone();
            let checked = is_checked(&status);
            let mut extra: Vec<Field> = cols
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_none())
                .map(|(i, _)| Field {
                    name: names[i].clone(),
                    value: row.cells.get(i).map(|c| c.text.clone()).unwrap_or_default(),
                })
                .collect();
            if let Some(zone) = written_zone {
                extra.push(Field { name: "Zone".into(), value: zone });
            }
            if !status.is_empty() && !checked && !is_unchecked(&status) {
                extra.push(Field { name: "Status".into(), value: status.clone() });
            }
            let id_cell = cell(row, Col::Id).plain.clone();
            let n = self.rb.phases[phase_idx].tasks.len() + 1;
            let id = if id_cell.is_empty() { format!("{}.{n}", phase_idx + 1) } else { id_cell };
            let id = self.unique_id(id, row.line);
            let duration_cell = cell(row, Col::Duration).plain.clone();
            let duration_min = if duration_cell.is_empty() {
                range_minutes
            } else {
                let d = times::parse_duration(&duration_cell);
                if d.is_none() {
                    self.problems.push(diag(
                        row.line,
                        format!("`{duration_cell}` is not a duration: expected minutes such as 15 min or 1h30"),
                    ));
                }
                d
            };
            let after = cell(row, Col::After)
                .plain
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Into::into)
                .collect();
            let task = Task {
                id: id.into(),
                time,
                day,
                offset,
                commands: task_cell.codes.clone(),
                title,
                owner,
                checkpoint,
                checkpoint_no,
                checkpoint_label,
                notes: cell(row, Col::Notes).text.clone(),
                checked,
                duration_min,
                after,
                extra,
            };
            self.rb.phases[phase_idx].tasks.push(task);
        }
    }
}

/// What a task cell says about a checkpoint.
pub(super) struct CheckpointCell {
    pub(super) checkpoint: bool,
    pub(super) number: Option<u32>,
    /// The label as written, when it says more than the bare word: `CHECKPOINT A`, `CP-3`.
    pub(super) label: Option<String>,
    pub(super) title: String,
}

/// `**CHECKPOINT 2**: Data migration OK` → a checkpoint numbered 2, labelled `CHECKPOINT 2`,
/// titled `Data migration OK`.
pub(super) fn checkpoint_of(cell: &Inline) -> CheckpointCell {
    let plain = || CheckpointCell { checkpoint: false, number: None, label: None, title: cell.text.clone() };
    // Every checkpoint word starts with c, g, d/đ or k: most titles need no folding.
    let first = cell.plain.trim_start().chars().next().map(|c| c.to_lowercase().next().unwrap_or(c));
    if !matches!(first, Some('c' | 'g' | 'd' | 'đ' | 'k')) {
        return plain();
    }
    let f = fold(&cell.plain);
    let words = ["checkpoint", "go no go", "diem kiem tra", "kiem tra chot", "cp"];
    let Some(word) = words.iter().find(|w| f == **w || f.starts_with(&format!("{w} "))) else {
        return plain();
    };
    if *word != "go no go" {
        // `checkpoint list finalized`: the word used as a noun in a sentence, not a checkpoint's
        // label, which is followed by nothing, a mark (`2`, `A`), a colon or a dash.
        let rest = f[word.len()..].trim_start();
        let mark = rest.split(' ').next().unwrap_or_default();
        let after: String = cell.plain.trim_start().chars().skip(word.chars().count()).collect();
        let labelled = rest.is_empty()
            || mark.len() <= 2
            || mark.contains(|c: char| c.is_ascii_digit())
            || rest.starts_with("go no go")
            || after.trim_start().starts_with([':', '-', '–', '—']);
        if !labelled {
            return plain();
        }
    }
    let lead = cell.lead_strong.clone().unwrap_or_default();
    // `Checkpoint 2 - data OK`: without a colon, a dash closes a head that is a label.
    let dashed = || {
        [" - ", " – ", " — "]
            .iter()
            .filter_map(|d| cell.text.find(d))
            .min()
            .filter(|i| cell.text.get(..*i).is_some_and(|h| is_label(h, word)))
    };
    let head_len = if !lead.is_empty() && fold(&lead).starts_with(word) {
        lead.len()
    } else {
        cell.text.find(':').or_else(dashed).unwrap_or(0)
    };
    let head = cell.text.get(..head_len).unwrap_or_default();
    let number = head.split(|c: char| !c.is_ascii_digit()).find(|s| !s.is_empty()).and_then(|s| s.parse().ok());
    let label = head.trim().trim_end_matches([':', '-', '–', ' ']).trim();
    let label = is_label(label, word).then(|| label.to_owned());
    let title = cell.text.get(head_len..).unwrap_or_default().trim_start_matches([':', '-', '–', ' ']).trim();
    let title = if title.is_empty() { cell.text.trim().to_owned() } else { title.to_owned() };
    CheckpointCell { checkpoint: true, number, label, title }
}

/// `CHECKPOINT A`, `Checkpoint 2`, `CP-3`: the checkpoint word and one short mark after it.
fn is_label(head: &str, word: &str) -> bool {
    fold(head)
        .strip_prefix(word)
        .map(str::trim)
        .is_some_and(|mark| !mark.is_empty() && mark.len() <= 4 && !mark.contains(' '))
}

fn is_checked(status: &str) -> bool {
    let s = status.trim();
    ["☑", "✅", "✔", "✓", "[x]", "[X]", "x", "X", "☒"].contains(&s)
        || ["done", "xong", "yes", "complete", "completed", "hoan thanh", "ok"].contains(&fold(s).as_str())
}

fn is_unchecked(status: &str) -> bool {
    ["☐", "[ ]", "[]", "⬜", "-"].contains(&status.trim())
}

fn matrix_action(cell: &str) -> MatrixAction {
    let f = fold(cell);
    if f.contains("disable") || f.contains("tat") || f.contains("feature flag") {
        MatrixAction::DisableFeature
    } else if f.starts_with("yes") || f.starts_with("co") || f.starts_with("rollback") || f == "y" {
        MatrixAction::Rollback
    } else if f.contains("fix forward") || f.starts_with("no") || f.starts_with("khong") || f.contains("sua") {
        MatrixAction::FixForward
    } else {
        MatrixAction::Other
    }
}

/// `< 200ms`, `> 1%`, `≤ 85 %`, `dưới 200 ms`; anything else (`Baseline`, `-50% or spike`) is manual.
pub fn parse_condition(text: &str) -> Condition {
    let t = text.trim();
    let ops: &[(&str, CmpOp)] = &[
        ("<=", CmpOp::Le),
        ("≤", CmpOp::Le),
        (">=", CmpOp::Ge),
        ("≥", CmpOp::Ge),
        ("<", CmpOp::Lt),
        (">", CmpOp::Gt),
        ("=", CmpOp::Eq),
        ("under ", CmpOp::Lt),
        ("below ", CmpOp::Lt),
        ("less than ", CmpOp::Lt),
        ("dưới ", CmpOp::Lt),
        ("over ", CmpOp::Gt),
        ("above ", CmpOp::Gt),
        ("more than ", CmpOp::Gt),
        ("trên ", CmpOp::Gt),
    ];
    let lower = t.to_lowercase();
    let Some((op, rest)) = ops.iter().find_map(|(p, op)| lower.strip_prefix(p).map(|r| (*op, r.trim()))) else {
        return Condition::Manual;
    };
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-')).unwrap_or(rest.len());
    let Ok(value) = rest[..end].replace(',', ".").parse::<f64>() else {
        return Condition::Manual;
    };
    let unit = rest[end..].trim();
    if unit.contains(char::is_whitespace) || unit.chars().count() > 8 {
        return Condition::Manual;
    }
    // Take the unit's case from the original text.
    let unit = (!unit.is_empty()).then(|| t.get(t.len().saturating_sub(unit.len())..).unwrap_or(unit).to_owned());
    Condition::Compare { op, value, unit }
}
