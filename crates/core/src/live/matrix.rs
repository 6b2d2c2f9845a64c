//! The decision matrix read for one issue: an incident ("Data corruption in orders", P1) takes
//! the row whose issue it names ("Data corruption"), not merely the first row of its severity;
//! a failed or blocked task is read the same way from its title and reason. Words are compared
//! after folding case and Vietnamese diacritics, so `Dữ liệu hỏng` meets `du lieu hong`.

use std::collections::HashMap;
use warroom_model::live::{MatrixAdvice, Severity, StoppedTask, TaskLive, TaskStatus};
use warroom_model::{MatrixRow, TaskId, fold};

/// Words that say nothing about which issue it is.
const FILLER: [&str; 30] = [
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "with", "by", "from", "is", "are", "was", "be",
    "not", "no", "va", "cua", "cho", "trong", "la", "bi", "da", "dang", "cac", "mot",
];

/// The severity a row is for, when its cell names one (`P1`, `p2 - high`).
fn row_severity(row: &MatrixRow) -> Option<Severity> {
    fold(&row.severity).split(' ').find_map(|w| match w {
        "p1" => Some(Severity::P1),
        "p2" => Some(Severity::P2),
        "p3" => Some(Severity::P3),
        "p4" => Some(Severity::P4),
        _ => None,
    })
}

/// The words of `text` that may name an issue, folded, a plural `s` dropped.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem.to_owned(),
            _ => w.to_owned(),
        })
        .collect()
}

/// The same word, or forms of one (`corrupted`, `corruption`: five letters or more in common
/// from the start).
fn alike(a: &str, b: &str) -> bool {
    const STEM: usize = 5;
    a == b
        || (a.len() >= STEM && b.len() >= STEM && a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count() >= STEM)
}

/// What the matrix says about an issue of `severity` (none: any row may fit) described by
/// `text`. The row whose issue shares the most words with it fits (ties: the larger share of
/// the row's words, then the first); a row of another severity never does. With no shared
/// words, the only row of the severity fits; otherwise the rows of the severity are the
/// candidates.
pub fn advise(rows: &[MatrixRow], severity: Option<Severity>, text: &str) -> MatrixAdvice {
    let said = words(text);
    let eligible: Vec<&MatrixRow> = rows
        .iter()
        .filter(|r| match (severity, row_severity(r)) {
            (Some(s), Some(rs)) => s == rs,
            _ => true,
        })
        .collect();
    let best = eligible
        .iter()
        .filter_map(|r| {
            let issue = words(&r.issue);
            let shared = issue.iter().filter(|w| said.iter().any(|s| alike(w, s))).count();
            (shared > 0).then_some((shared, issue.len().max(1), *r))
        })
        // More shared words, then the larger share of the row's words (cross-multiplied).
        .fold(None::<(usize, usize, &MatrixRow)>, |best, (n, len, r)| match best {
            Some((bn, blen, _)) if (bn, bn * len) >= (n, n * blen) => best,
            _ => Some((n, len, r)),
        });
    if let Some((_, _, row)) = best {
        return MatrixAdvice { row: Some(row.clone()), candidates: Vec::new() };
    }
    let same_severity: Vec<&MatrixRow> =
        eligible.iter().copied().filter(|r| severity.is_some() && row_severity(r) == severity).collect();
    if let [only] = same_severity[..] {
        return MatrixAdvice { row: Some(only.clone()), candidates: Vec::new() };
    }
    MatrixAdvice { row: None, candidates: eligible.into_iter().cloned().collect() }
}

/// The failed and blocked tasks: what waits for each, and the matrix read for it.
pub fn stopped(tasks: &[TaskLive], rows: &[MatrixRow]) -> Vec<StoppedTask> {
    let mut blocks: HashMap<&str, Vec<TaskId>> = HashMap::new();
    for t in tasks {
        if let Some(h) = &t.held_by {
            blocks.entry(h.as_str()).or_default().push(t.id.clone());
        }
    }
    tasks
        .iter()
        .filter(|t| matches!(t.status, TaskStatus::Failed | TaskStatus::Blocked))
        .map(|t| {
            let text = format!("{} {}", t.title, t.reason.as_deref().unwrap_or_default());
            let matrix = advise(rows, None, &text);
            StoppedTask {
                task: t.id.clone(),
                status: t.status,
                reason: t.reason.clone(),
                blocks: blocks.remove(t.id.as_str()).unwrap_or_default(),
                recommendation: matrix.action(),
                matrix,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use warroom_model::MatrixAction;

    fn row(id: &str, issue: &str, severity: &str, action: MatrixAction, approver: &str) -> MatrixRow {
        MatrixRow {
            id: id.into(),
            issue: issue.into(),
            severity: severity.into(),
            action,
            approver: approver.into(),
            approvers: warroom_model::split_roles(approver),
            ..MatrixRow::default()
        }
    }

    fn seed() -> Vec<MatrixRow> {
        vec![
            row("d1", "Minor UI bug", "P3", MatrixAction::FixForward, "Dev Lead"),
            row("d2", "Single feature broken", "P2", MatrixAction::DisableFeature, "Tech Lead"),
            row("d3", "Core flow broken", "P1", MatrixAction::Rollback, "Tech Lead + Business"),
            row("d4", "Data corruption", "P1", MatrixAction::Rollback, "Tech Lead + DBA"),
        ]
    }

    fn fits(severity: Option<Severity>, text: &str) -> Option<String> {
        advise(&seed(), severity, text).row.map(|r| r.id)
    }

    #[test]
    fn the_issue_picks_the_row_not_the_first_of_its_severity() {
        let a = advise(&seed(), Some(Severity::P1), "Data corruption in orders");
        let row = a.row.clone().unwrap();
        assert_eq!((row.id.as_str(), row.approvers.join(" + ")), ("d4", "Tech Lead + DBA".into()));
        assert_eq!(a.action(), Some(MatrixAction::Rollback));
        assert_eq!(fits(Some(Severity::P1), "Checkout flow broken for everyone").as_deref(), Some("d3"));
        assert_eq!(fits(Some(Severity::P1), "orders table corrupted after migration").as_deref(), Some("d4"));
    }

    #[test]
    fn case_and_vietnamese_diacritics_do_not_matter() {
        let rows = vec![
            row("d1", "Lỗi giao diện nhỏ", "P3", MatrixAction::FixForward, "Dev Lead"),
            row("d2", "Dữ liệu hỏng", "P1", MatrixAction::Rollback, "Tech Lead + DBA"),
            row("d3", "Luồng chính hỏng", "P1", MatrixAction::Rollback, "Tech Lead + Business"),
        ];
        let a = advise(&rows, Some(Severity::P1), "DU LIEU don hang bi hong");
        assert_eq!(a.row.map(|r| r.id).as_deref(), Some("d2"));
    }

    #[test]
    fn a_row_of_another_severity_never_fits() {
        let mut rows = seed();
        rows.push(row("d5", "Replica lag", "P2", MatrixAction::FixForward, "DBA"));
        let a = advise(&rows, Some(Severity::P2), "Data corruption in orders");
        assert_eq!(a.row, None, "d4 is P1");
        assert_eq!(a.candidates.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["d2", "d5"]);
        let a = advise(&seed(), Some(Severity::P2), "Data corruption in orders");
        assert_eq!(a.row.map(|r| r.id).as_deref(), Some("d2"), "the only P2 row: the severity alone decides");
    }

    #[test]
    fn no_row_fits_and_the_candidates_are_named() {
        let a = advise(&seed(), Some(Severity::P1), "Sales orders fail");
        assert_eq!(a.row, None);
        let ids: Vec<&str> = a.candidates.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["d3", "d4"]);
        assert_eq!(a.action(), Some(MatrixAction::Rollback), "both candidates roll back");
        let task = advise(&seed(), None, "Run database migrations: timeout");
        assert_eq!((&task.row, task.candidates.len()), (&None, 4), "without a severity every row is a candidate");
        assert_eq!(task.action(), None, "they disagree");
    }
}
