//! Importing warroom's own JSON export, checked like a Markdown runbook: a known schema, tasks
//! with ids that are there and unique, dependencies on tasks that exist, none on the task itself
//! and no circle of them, titles within the limit. Every problem is reported at once, with the
//! task's path in the document (`phases[1].tasks[2]`) and the line its id is on.

use super::{Diagnostic, ImportError, ImportReport, Imported, MAX_BYTES, diag};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use warroom_model::{RUNBOOK_SCHEMA, Runbook};

/// Longer task titles are refused: a title is a line on the timeline, not a document.
pub const MAX_TITLE_CHARS: usize = 1000;

#[derive(Deserialize)]
struct Head {
    schema: Option<String>,
}

/// The line of the `nth` (from 0) `"id": "<id>"` in the text, where it can be found; else 1.
fn line_of_id(text: &str, id: &str, nth: usize) -> usize {
    let quoted = serde_json::to_string(id).unwrap_or_default();
    let mut seen = 0;
    for (i, line) in text.lines().enumerate() {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains(&format!("\"id\":{quoted}")) {
            if seen == nth {
                return i + 1;
            }
            seen += 1;
        }
    }
    1
}

/// Reads a JSON runbook; `file` names it in messages.
pub(crate) fn import_json(file: &str, bytes: &[u8]) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { file: file.into(), size: bytes.len(), limit: MAX_BYTES });
    }
    let invalid = |problems: Vec<Diagnostic>| ImportError::Invalid { file: file.into(), problems };
    let head: Head = serde_json::from_slice(bytes)
        .map_err(|e| invalid(vec![diag(e.line(), format!("not a warroom JSON runbook: {e}"))]))?;
    let mut warnings = Vec::new();
    match head.schema.as_deref() {
        Some(RUNBOOK_SCHEMA) => {}
        Some(other) => {
            return Err(invalid(vec![diag(
                1,
                format!(
                    "`schema` is `{other}`: this warroom reads `{RUNBOOK_SCHEMA}` (export the runbook again with \
                     this version, or from the version that wrote it)"
                ),
            )]));
        }
        None => warnings.push(diag(1, format!("no `schema` field: read as `{RUNBOOK_SCHEMA}`"))),
    }
    let runbook: Runbook = serde_json::from_slice(bytes)
        .map_err(|e| invalid(vec![diag(e.line(), format!("not a warroom JSON runbook: {e}"))]))?;
    if runbook.tasks().next().is_none() {
        return Err(ImportError::NoTimeline { file: file.into(), line: 1 });
    }
    let text = String::from_utf8_lossy(bytes);
    let problems = check(&runbook, &text);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let report = ImportReport::new(file, None, warnings, &runbook);
    Ok(Imported { runbook, report })
}

/// Every problem of the runbook's phases and tasks, in document order.
fn check(rb: &Runbook, text: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut phase_ids: HashMap<&str, usize> = HashMap::new();
    let mut task_ids: HashMap<&str, (String, usize)> = HashMap::new();
    for (pi, p) in rb.phases.iter().enumerate() {
        let path = format!("phases[{pi}]");
        let seen = phase_ids.entry(p.id.as_str()).or_default();
        let line = line_of_id(text, &p.id, *seen);
        *seen += 1;
        if p.id.trim().is_empty() {
            problems.push(diag(line, format!("{path} (`{}`): the phase has no id", p.display_name())));
        } else if *seen > 1 {
            problems.push(diag(line, format!("{path}: phase id `{}` is used twice", p.id)));
        }
        for (ti, t) in p.tasks.iter().enumerate() {
            let path = format!("{path}.tasks[{ti}]");
            let nth = task_ids.get(t.id.as_str()).map_or(0, |(_, n)| *n);
            let line = line_of_id(text, t.id.as_str(), nth);
            if t.id.as_str().trim().is_empty() {
                problems.push(diag(line, format!("{path} (`{}`): the task has no id", t.title)));
            } else if let Some((first, n)) = task_ids.get_mut(t.id.as_str()) {
                problems.push(diag(line, format!("{path}: task id `{}` is used twice (first at {first})", t.id)));
                *n += 1;
            } else {
                task_ids.insert(t.id.as_str(), (path.clone(), 1));
            }
            let chars = t.title.chars().count();
            if chars > MAX_TITLE_CHARS {
                problems.push(diag(
                    line,
                    format!(
                        "{path} (task `{}`): the title is {chars} characters; titles longer than {MAX_TITLE_CHARS} \
                         are refused (put the rest in the notes)",
                        t.id
                    ),
                ));
            }
            for a in &t.after {
                if a == &t.id {
                    problems.push(diag(line, format!("{path}: task `{}` waits for itself", t.id)));
                }
            }
        }
    }
    let known: HashSet<&str> = rb.tasks().map(|t| t.id.as_str()).collect();
    for (pi, p) in rb.phases.iter().enumerate() {
        for (ti, t) in p.tasks.iter().enumerate() {
            for a in t.after.iter().filter(|a| !known.contains(a.as_str())) {
                problems.push(diag(
                    line_of_id(text, t.id.as_str(), 0),
                    format!("phases[{pi}].tasks[{ti}]: task `{}` waits for `{a}`, which no task has", t.id),
                ));
            }
        }
    }
    if let Some(circle) = circle(rb) {
        let line = line_of_id(text, &circle[0], 0);
        problems.push(diag(line, format!("tasks wait for each other in a circle: {}", circle.join(" → "))));
    }
    problems.sort_by_key(|d| d.line);
    problems
}

/// A circle of `after` dependencies (`2.1 → 2.3 → 2.1`), if there is one; a task waiting for
/// itself is reported on its own.
fn circle(rb: &Runbook) -> Option<Vec<String>> {
    let edges: HashMap<&str, Vec<&str>> = rb
        .tasks()
        .map(|t| (t.id.as_str(), t.after.iter().map(|a| a.as_str()).filter(|a| *a != t.id.as_str()).collect()))
        .collect();
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state: HashMap<&str, u8> = HashMap::new();
    for start in rb.tasks().map(|t| t.id.as_str()) {
        if state.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        // Iterative depth-first search: a long chain must not overflow the stack.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((node, next)) = path.last_mut() {
            let out = edges.get(*node).map_or(&[][..], Vec::as_slice);
            if let Some(&to) = out.get(*next) {
                *next += 1;
                match state.get(to).copied().unwrap_or(0) {
                    1 => {
                        let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut c: Vec<String> = path[from..].iter().map(|(n, _)| (*n).to_owned()).collect();
                        c.push(to.to_owned());
                        return Some(c);
                    }
                    0 if edges.contains_key(to) => {
                        state.insert(to, 1);
                        path.push((to, 0));
                    }
                    _ => {}
                }
            } else {
                state.insert(*node, 2);
                path.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn export() -> Value {
        let rb = crate::demo::runbook().unwrap().runbook;
        let mut v = serde_json::to_value(&rb).unwrap();
        v["schema"] = json!(RUNBOOK_SCHEMA);
        v
    }

    fn problems(v: &Value) -> Vec<String> {
        let text = serde_json::to_string_pretty(v).unwrap();
        match import_json("plan.json", text.as_bytes()) {
            Err(ImportError::Invalid { problems, .. }) => {
                problems.iter().map(|p| format!("{}: {}", p.line, p.message)).collect()
            }
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_export_reads_back() {
        let text = serde_json::to_string_pretty(&export()).unwrap();
        let i = import_json("plan.json", text.as_bytes()).unwrap();
        assert_eq!(i.runbook, crate::demo::runbook().unwrap().runbook);
        assert!(i.report.warnings.is_empty());
    }

    #[test]
    fn a_missing_or_self_dependency_or_a_circle_is_refused_naming_the_task() {
        let mut v = export();
        v["phases"][1]["tasks"][0]["after"] = json!(["9.9"]);
        v["phases"][1]["tasks"][1]["after"] = json!(["2.2"]);
        let p = problems(&v);
        assert!(
            p.iter().any(|m| m.contains("phases[1].tasks[0]: task `2.1` waits for `9.9`, which no task has")),
            "{p:?}"
        );
        assert!(p.iter().any(|m| m.contains("phases[1].tasks[1]: task `2.2` waits for itself")), "{p:?}");
        let mut v = export();
        v["phases"][1]["tasks"][0]["after"] = json!(["2.3"]);
        v["phases"][1]["tasks"][2]["after"] = json!(["2.1"]);
        let p = problems(&v);
        assert!(p.iter().any(|m| m.contains("in a circle: 2.1 → 2.3 → 2.1")), "{p:?}");
        let line: usize = p[0].split(':').next().unwrap().parse().unwrap();
        let text = serde_json::to_string_pretty(&v).unwrap();
        assert!(text.lines().nth(line - 1).unwrap().contains("\"2.1\""), "the line is task 2.1's id");
    }

    #[test]
    fn empty_or_repeated_ids_an_unknown_schema_and_a_huge_title_are_refused() {
        let mut v = export();
        v["phases"][0]["tasks"][1]["id"] = json!("");
        v["phases"][0]["tasks"][2]["id"] = json!("1.1");
        v["phases"][0]["tasks"][3]["title"] = json!("x".repeat(MAX_TITLE_CHARS + 1));
        let p = problems(&v);
        assert!(p.iter().any(|m| m.contains("phases[0].tasks[1] (`") && m.contains("the task has no id")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("task id `1.1` is used twice (first at phases[0].tasks[0])")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("titles longer than 1000 are refused")), "{p:?}");
        let mut v = export();
        v["schema"] = json!("warroom.runbook/9");
        assert!(problems(&v)[0].contains("`schema` is `warroom.runbook/9`"));
    }
}
