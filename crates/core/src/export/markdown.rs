//! Markdown in the layout of the ERP team's runbook: overview lines, tables, the rollback code
//! block, task lists. Section headings and keys keep the document's own words. A task table
//! gains an ID column so ids survive a round trip.

use super::Progress;
use warroom_model::{ClockTime, Field, Phase, Runbook, Task};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        put!(out, " {} |", cell(c));
    }
    out.push('\n');
}

fn table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    row(out, header);
    out.push('|');
    for _ in header {
        out.push_str("------|");
    }
    out.push('\n');
    for r in rows {
        row(out, r);
    }
    out.push('\n');
}

/// Names of extra columns across items, in order of first appearance.
fn extra_names<'a>(lists: impl Iterator<Item = &'a [Field]>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for list in lists {
        for f in list {
            if !names.contains(&f.name) {
                names.push(f.name.clone());
            }
        }
    }
    names
}

fn extra_values(list: &[Field], names: &[String]) -> Vec<String> {
    names.iter().map(|n| list.iter().find(|f| &f.name == n).map(|f| f.value.clone()).unwrap_or_default()).collect()
}

fn range(start: ClockTime, end: ClockTime, open: bool) -> String {
    format!("{start} - {end}{}", if open { "+" } else { "" })
}

fn heading(out: &mut String, level: usize, text: &str) {
    putln!(out, "{} {}\n", "#".repeat(level), text);
}

fn rule(out: &mut String) {
    out.push_str("---\n\n");
}

/// The runbook as Markdown; `progress` fills status cells and actual times.
pub fn to_markdown(rb: &Runbook, progress: &Progress) -> String {
    let mut out = String::new();
    putln!(out, "<!-- warroom:runbook {} -->\n", rb.id);
    heading(&mut out, 1, &rb.title);
    let mut top: Vec<String> = Vec::new();
    if let Some(v) = &rb.version {
        top.push(format!("**{}**: {v}", rb.label("version", "Version")));
    }
    if let Some(d) = &rb.date {
        top.push(format!("**{}**: {d}", rb.label("date", "Date")));
    }
    if !top.is_empty() {
        putln!(out, "{}\n", top.join("  \n"));
        rule(&mut out);
    }

    let mut overview: Vec<String> = Vec::new();
    if let Some(d) = &rb.go_live_day {
        overview.push(format!("**{}**: {d}", rb.label("go_live_day", "Go-live day")));
    }
    if let Some(w) = &rb.window {
        overview.push(format!("**{}**: {}", rb.label("window", "Window"), range(w.start, w.end, false)));
    }
    if let Some(h) = &rb.hypercare {
        overview.push(format!("**{}**: {h}", rb.label("hypercare", "Hypercare")));
    }
    for f in &rb.overview {
        overview.push(format!("**{}**: {}", f.name, f.value));
    }
    if !overview.is_empty() {
        heading(&mut out, 2, rb.label("overview", "Overview"));
        putln!(out, "{}\n", overview.join("  \n"));
        rule(&mut out);
    }

    if !rb.contacts.is_empty() {
        heading(&mut out, 2, rb.label("contacts", "Emergency contacts"));
        let extras = extra_names(rb.contacts.iter().map(|c| c.extra.as_slice()));
        let mut header: Vec<String> = ["Role", "Name", "Phone", "Backup"].map(String::from).to_vec();
        header.extend(extras.iter().cloned());
        let rows: Vec<Vec<String>> = rb
            .contacts
            .iter()
            .map(|c| {
                let mut r = vec![c.role.clone(), c.name.clone(), c.phone.clone(), c.backup.clone()];
                r.extend(extra_values(&c.extra, &extras));
                r
            })
            .collect();
        table(&mut out, &header, &rows);
        rule(&mut out);
    }

    heading(&mut out, 2, rb.label("timeline", "Timeline"));
    for (i, phase) in rb.phases.iter().enumerate() {
        phase_md(&mut out, phase, i, progress);
    }
    rule(&mut out);

    let rbk = &rb.rollback;
    if !(rbk.triggers.is_empty() && rbk.matrix.is_empty() && rbk.steps.is_empty() && rbk.deadline_notes.is_empty()) {
        heading(&mut out, 2, rb.label("rollback", "Rollback procedure"));
        if !rbk.triggers.is_empty() {
            heading(&mut out, 3, rb.label("triggers", "When to roll back"));
            let rows: Vec<Vec<String>> =
                rbk.triggers.iter().map(|t| vec![t.name.clone(), t.condition.clone()]).collect();
            table(&mut out, &["Trigger".into(), "Condition".into()], &rows);
        }
        if !rbk.matrix.is_empty() {
            heading(&mut out, 3, rb.label("matrix", "Decision Matrix"));
            let rows: Vec<Vec<String>> = rbk
                .matrix
                .iter()
                .map(|m| vec![m.issue.clone(), m.severity.clone(), m.rollback.clone(), m.approver.clone()])
                .collect();
            table(&mut out, &["Issue", "Severity", "Rollback?", "Approver"].map(String::from), &rows);
        }
        if !rbk.steps.is_empty() {
            heading(&mut out, 3, rb.label("steps", "Rollback Steps"));
            out.push_str("```bash\n");
            for (i, s) in rbk.steps.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                let dur = s.duration_min.map(|d| format!(" ({d} min)")).unwrap_or_default();
                putln!(out, "# {}. {}{dur}", i + 1, s.title);
                for n in &s.notes {
                    putln!(out, "# {n}");
                }
                for c in &s.commands {
                    putln!(out, "{c}");
                }
            }
            out.push_str("```\n\n");
        }
        if !rbk.deadline_notes.is_empty() {
            heading(&mut out, 3, rb.label("deadline", "Rollback Deadline"));
            for n in &rbk.deadline_notes {
                putln!(out, "- {n}");
            }
            out.push('\n');
        }
        rule(&mut out);
    }

    if !(rb.metrics.is_empty() && rb.checklist.is_empty()) {
        heading(&mut out, 2, rb.label("monitoring", "Post go-live monitoring"));
        if !rb.metrics.is_empty() {
            heading(&mut out, 3, rb.label("metrics", "Metrics to watch"));
            let extras = extra_names(rb.metrics.iter().map(|m| m.extra.as_slice()));
            let mut header: Vec<String> = ["Metric", "Target", "Alert Threshold"].map(String::from).to_vec();
            header.extend(extras.iter().cloned());
            let rows: Vec<Vec<String>> = rb
                .metrics
                .iter()
                .map(|m| {
                    let mut r = vec![m.name.clone(), m.target.clone(), m.alert.clone()];
                    r.extend(extra_values(&m.extra, &extras));
                    r
                })
                .collect();
            table(&mut out, &header, &rows);
        }
        if !rb.checklist.is_empty() {
            heading(&mut out, 3, rb.label("checklist", "Checklist - End of Day"));
            for c in &rb.checklist {
                putln!(out, "- [{}] {}", if c.checked { "x" } else { " " }, c.text);
            }
            out.push('\n');
        }
        rule(&mut out);
    }

    if !rb.commands.is_empty() {
        heading(&mut out, 2, rb.label("commands", "Commands reference"));
        out.push_str("```bash\n");
        let mut last: Option<&str> = None;
        for c in &rb.commands {
            if last != Some(c.label.as_str()) {
                if last.is_some() {
                    out.push('\n');
                }
                if !c.label.is_empty() {
                    putln!(out, "# {}", c.label);
                }
                last = Some(&c.label);
            }
            putln!(out, "{}", c.command);
        }
        out.push_str("```\n");
    }

    for a in &rb.appendix {
        out.push('\n');
        if !a.heading.is_empty() {
            putln!(out, "{}\n", a.heading);
        }
        putln!(out, "{}", a.markdown);
    }
    out
}

fn phase_md(out: &mut String, phase: &Phase, index: usize, progress: &Progress) {
    let mut title = phase.display_name();
    if let (Some(s), Some(e)) = (phase.start, phase.end) {
        put!(title, " ({})", range(s, e, phase.open_end));
    }
    if phase.id != format!("p{}", index + 1) {
        put!(title, " {{#{}}}", phase.id);
    }
    heading(out, 3, &title);
    let tasks = &phase.tasks;
    let any = |f: fn(&Task) -> bool| tasks.iter().any(f);
    let notes = any(|t| !t.notes.is_empty());
    let duration = any(|t| t.duration_min.is_some());
    let after = any(|t| !t.after.is_empty());
    let actual = tasks.iter().any(|t| progress.contains_key(&t.id));
    let extras = extra_names(tasks.iter().map(|t| t.extra.as_slice()));
    let mut header: Vec<String> = ["ID", "Time", "Task", "Owner", "Status"].map(String::from).to_vec();
    if notes {
        header.push("Notes".into());
    }
    if duration {
        header.push("Duration".into());
    }
    if after {
        header.push("After".into());
    }
    header.extend(extras.iter().cloned());
    if actual {
        header.push("Actual start".into());
        header.push("Actual finish".into());
    }
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| {
            let p = progress.get(&t.id);
            let time = t.offset.clone().unwrap_or_else(|| t.time.to_string());
            let title = if t.checkpoint {
                let label = t.checkpoint_name().unwrap_or_else(|| "CHECKPOINT".to_owned());
                format!("**{label}**: {}", t.title)
            } else {
                t.title.clone()
            };
            let done = p.map_or(t.checked, |p| p.is_done());
            let mut r = vec![t.id.to_string(), time, title, t.owner.clone(), if done { "☑" } else { "☐" }.into()];
            if notes {
                r.push(t.notes.clone());
            }
            if duration {
                r.push(t.duration_min.map(|d| format!("{d} min")).unwrap_or_default());
            }
            if after {
                r.push(t.after.join(", "));
            }
            r.extend(extra_values(&t.extra, &extras));
            if actual {
                r.push(p.and_then(|p| p.actual_start.clone()).unwrap_or_default());
                r.push(p.and_then(|p| p.actual_finish.clone()).unwrap_or_default());
            }
            r
        })
        .collect();
    table(out, &header, &rows);
}
