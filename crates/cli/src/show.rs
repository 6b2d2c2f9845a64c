//! Terminal views: the runbook as a readable page, and the event log as lines.

use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;
use warroom_core::{put, putln};
use warroom_model::{Event, Runbook};

/// `s` padded with spaces to `width` terminal columns.
fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn width_of<'a>(items: impl Iterator<Item = &'a str>) -> usize {
    items.map(UnicodeWidthStr::width).max().unwrap_or(0)
}

pub(crate) fn render(rb: &Runbook) -> String {
    let mut o = String::new();
    let mut head = rb.title.clone();
    if let Some(v) = &rb.version {
        put!(head, " · v{v}");
    }
    if let Some(d) = &rb.date {
        put!(head, " · {d}");
    }
    putln!(o, "{head}\n{}", "═".repeat(UnicodeWidthStr::width(head.as_str())));
    let mut facts: Vec<String> = Vec::new();
    if let Some(d) = &rb.go_live_day {
        facts.push(format!("Go-live: {d}"));
    }
    if let Some(w) = &rb.window {
        facts.push(format!("window {}–{}", w.start, w.end));
    }
    if let Some(h) = &rb.hypercare {
        facts.push(format!("hypercare {h}"));
    }
    if let Some(d) = rb.rollback.deadline {
        facts.push(format!("rollback deadline {d}"));
    }
    if !facts.is_empty() {
        putln!(o, "{}", facts.join(" · "));
    }

    let titles = width_of(rb.tasks().map(|t| t.title.as_str())).min(60) + 14;
    for p in &rb.phases {
        let span = match (p.start, p.end) {
            (Some(s), Some(e)) => format!("{s}–{e}{}", if p.open_end { "+" } else { "" }),
            _ => String::new(),
        };
        putln!(o, "\n{} {span}", pad(&p.display_name(), titles + 8));
        for t in &p.tasks {
            let time = t.offset.clone().unwrap_or_else(|| {
                let next_day = if t.day == 0 { String::new() } else { format!("{:+}d", t.day) };
                format!("{}{next_day}", t.time)
            });
            let title = if t.checkpoint {
                format!("◆ {}: {}", t.checkpoint_name().unwrap_or_else(|| "CHECKPOINT".to_owned()), t.title)
            } else {
                t.title.clone()
            };
            let mark = if t.checked { "☑" } else { "☐" };
            putln!(o, "  {mark} {} {} {} {}", pad(&t.id, 5), pad(&time, 6), pad(&title, titles), t.owner);
        }
    }

    let r = &rb.rollback;
    if !(r.triggers.is_empty() && r.matrix.is_empty() && r.steps.is_empty()) {
        putln!(o, "\nROLLBACK");
        if !r.triggers.is_empty() {
            let w = width_of(r.triggers.iter().map(|t| t.name.as_str()));
            putln!(o, "  Triggers");
            for t in &r.triggers {
                putln!(o, "    {}  {}", pad(&t.name, w), t.condition);
            }
        }
        if !r.matrix.is_empty() {
            let w = width_of(r.matrix.iter().map(|m| m.issue.as_str()));
            putln!(o, "  Decision matrix");
            for m in &r.matrix {
                putln!(o, "    {}  {:<3}  {}  — {}", pad(&m.issue, w), m.severity, m.rollback, m.approver);
            }
        }
        if !r.steps.is_empty() {
            putln!(o, "  Steps");
            for (i, s) in r.steps.iter().enumerate() {
                let dur = s.duration_min.map(|d| format!(" ({d} min)")).unwrap_or_default();
                putln!(o, "    {}. {}{dur}", i + 1, s.title);
                for n in &s.notes {
                    putln!(o, "       {n}");
                }
                for c in &s.commands {
                    putln!(o, "       $ {c}");
                }
            }
        }
        for n in &r.deadline_notes {
            putln!(o, "  ⏱ {n}");
        }
    }

    if !rb.metrics.is_empty() {
        let w = width_of(rb.metrics.iter().map(|m| m.name.as_str()));
        putln!(o, "\nMETRICS");
        for m in &rb.metrics {
            putln!(o, "  {}  target {}  alert {}", pad(&m.name, w), m.target, m.alert);
        }
    }
    if !rb.checklist.is_empty() {
        putln!(o, "\nEND OF DAY");
        for c in &rb.checklist {
            putln!(o, "  {} {}", if c.checked { "☑" } else { "☐" }, c.text);
        }
    }
    if !rb.contacts.is_empty() {
        let w = width_of(rb.contacts.iter().map(|c| c.role.as_str()));
        putln!(o, "\nCONTACTS");
        for c in &rb.contacts {
            let line = [c.name.as_str(), c.phone.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("  ");
            let backup = if c.backup.is_empty() { String::new() } else { format!("  (backup: {})", c.backup) };
            let line = if line.is_empty() { "—".to_owned() } else { line };
            putln!(o, "  {}  {line}{backup}", pad(&c.role, w));
        }
    }
    if !rb.commands.is_empty() {
        let w = width_of(rb.commands.iter().map(|c| c.label.as_str()));
        putln!(o, "\nCOMMANDS");
        for c in &rb.commands {
            putln!(o, "  {}  $ {}", pad(&c.label, w), c.command.replace('\n', "\n    "));
        }
    }
    o
}

pub(crate) fn render_log(events: &[Event]) -> String {
    let mut o = String::new();
    for e in events {
        let at = DateTime::<Utc>::from_timestamp_millis(e.wall_ms)
            .map_or_else(|| e.wall_ms.to_string(), |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string());
        let who = if e.author.role.is_empty() {
            e.author.name.clone()
        } else {
            format!("{} ({})", e.author.name, e.author.role)
        };
        let device = e.origin.get(..8).unwrap_or(&e.origin);
        putln!(o, "{at}  {device}#{:<4} {:<18} {who}  [{} writes]", e.seq, e.kind, e.writes.len());
    }
    if events.is_empty() {
        o.push_str("no events yet\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_every_phase_task_and_section() {
        let rb = warroom_core::demo::runbook().unwrap().runbook;
        let s = render(&rb);
        for needle in [
            "GO-LIVE RUNBOOK · v1.0 · 2026-01-25",
            "window 06:00–12:00",
            "Phase 2: Data Migration",
            "☐ 2.5   08:00  ◆ CHECKPOINT 2: Data migration OK",
            "+24h",
            "ROLLBACK",
            "$ docker-compose -f docker-compose.prod.yml down",
            "Response p95",
            "Business Owner",
            "$ ./scripts/health-check.sh",
        ] {
            assert!(s.contains(needle), "missing {needle:?} in\n{s}");
        }
    }
}
