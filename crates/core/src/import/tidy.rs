//! What an import says about what it did not understand, and the small judgements that keep
//! noise out of a runbook: many warnings of one kind grouped into one line, placeholders
//! (`_________`, `[Name]`, `TBD`) read as empty, and code blocks that are diagrams or prose
//! told apart from shell commands.

use super::Diagnostic;

/// The longest task title kept, in characters; longer ones are cut there and reported.
pub const MAX_TITLE_CHARS: usize = 500;

/// How many lines a grouped warning names before saying how many more there are.
const GROUP_LINES_SHOWN: usize = 5;

/// A message with its quoted parts blanked: `task `a` has no owner` and `task `b` has no owner`
/// are the same kind of warning.
fn skeleton(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            quoted = !quoted;
            out.push(c);
        } else if !quoted && !c.is_ascii_digit() {
            out.push(c);
        }
    }
    out
}

/// Diagnostics with those of one kind on three or more lines folded into one, at the first
/// line, naming the first few lines and how many there are in all; order is kept.
pub fn grouped(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut order: Vec<(String, Vec<&Diagnostic>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for d in diags {
        let key = skeleton(&d.message);
        match index.get(&key) {
            Some(&i) => order[i].1.push(d),
            None => {
                index.insert(key.clone(), order.len());
                order.push((key, vec![d]));
            }
        }
    }
    let mut out = Vec::new();
    for (_, group) in order {
        if group.len() < 3 {
            out.extend(group.into_iter().cloned());
            continue;
        }
        let lines: Vec<String> = group.iter().take(GROUP_LINES_SHOWN).map(|d| d.line.to_string()).collect();
        let more = group.len() - lines.len();
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        out.push(Diagnostic {
            line: group[0].line,
            message: format!("{} (on {} lines: {}{tail})", group[0].message, group.len(), lines.join(", ")),
        });
    }
    out.sort_by_key(|d| d.line);
    out
}

/// A blank waiting to be filled in (`_________`, `[Name]`, `<name>`, `TBD`, `...`): no value.
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return true;
    }
    if t.chars().all(|c| matches!(c, '_' | '.' | '…' | '-' | '—' | '–' | 'x' | 'X' | '?' | ' ')) {
        return true;
    }
    let bracketed = |open: char, close: char| {
        t.strip_prefix(open).and_then(|r| r.strip_suffix(close)).is_some_and(|inner| {
            !inner.is_empty() && inner.len() <= 40 && !inner.contains([open, close]) && !inner.contains("://")
        })
    };
    if bracketed('[', ']') || bracketed('<', '>') || bracketed('{', '}') {
        return true;
    }
    let f = warroom_model::fold(t);
    ["tbd", "tba", "tbc", "n a", "na", "todo", "name", "phone", "xxx", "chua co", "dang cap nhat", "se cap nhat"]
        .contains(&f.as_str())
}

/// `text` unless it is a placeholder, then empty.
pub fn unless_placeholder(text: String) -> String {
    if is_placeholder(&text) { String::new() } else { text }
}

/// Whether a code block holds commands to run: its fence says a shell or query language, or,
/// with no language, its lines read as commands rather than a diagram or prose.
pub fn is_commands(code: &str, lang: &str) -> bool {
    const SHELLS: &[&str] = &[
        "bash",
        "sh",
        "shell",
        "zsh",
        "console",
        "shell-session",
        "powershell",
        "ps1",
        "pwsh",
        "cmd",
        "bat",
        "sql",
        "psql",
        "mysql",
        "plsql",
        "tsql",
        "kubectl",
        "yaml",
        "yml",
        "json",
        "python",
        "py",
        "ruby",
        "terraform",
        "hcl",
    ];
    if SHELLS.contains(&lang) {
        return true;
    }
    if !lang.is_empty() {
        return false;
    }
    let lines: Vec<&str> = code.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    if lines.is_empty() {
        // Only comments: numbered steps written as `# 1. Stop the app`.
        return true;
    }
    let drawn = |l: &&str| {
        l.chars().any(|c| ('\u{2500}'..='\u{257F}').contains(&c) || matches!(c, '▼' | '▲' | '►' | '◄' | '↓' | '↑'))
            || l.contains("-->")
            || l.contains("==>")
            || l.starts_with('|')
            || l.starts_with('+')
            || l.chars().all(|c| matches!(c, '|' | 'v' | 'V' | '^' | '/' | '\\' | ' ' | '-' | '+' | '*'))
    };
    if lines.iter().filter(|l| drawn(l)).count() * 3 >= lines.len() {
        return false;
    }
    // Prose: most lines are sentences (several words, ending like one, no shell punctuation).
    let prose = |l: &&str| {
        l.split_whitespace().count() >= 6
            && !l.contains(['$', '=', '|', '>', '/', '\\', ';', '&', '`'])
            && l.chars().next().is_some_and(char::is_uppercase)
    };
    lines.iter().filter(|l| prose(l)).count() * 2 < lines.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_warnings_of_one_kind_make_one_line() {
        let d = |line, m: &str| Diagnostic { line, message: m.into() };
        let many: Vec<Diagnostic> = (1..=9).map(|i| d(i + 10, &format!("task `t{i}` has no owner"))).collect();
        let mut all = vec![d(3, "phase `x` has no tasks")];
        all.extend(many);
        all.push(d(40, "task `z` is odd"));
        let g = grouped(&all);
        assert_eq!(g.len(), 3, "{g:?}");
        assert_eq!(g[1].line, 11);
        assert_eq!(g[1].message, "task `t1` has no owner (on 9 lines: 11, 12, 13, 14, 15 and 4 more)");
    }

    #[test]
    fn placeholders_are_blanks() {
        for p in ["_________", "[Name]", "<name>", "TBD", "tba", "...", "N/A", "xxx-xxx-xxxx", "Chưa có", "{phone}"] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["Lan", "0901 234 567", "DBA", "[Lan](tel:0901)", "Team A"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn diagrams_and_prose_are_not_commands() {
        assert!(is_commands("systemctl stop app\npg_restore -d db dump.sql\n", ""));
        assert!(is_commands("# 1. Stop\nstop.sh\n", ""));
        assert!(is_commands("anything", "bash"));
        let tree = "Error rate > 5%?\n   |\n   +-- yes --> Roll back\n   |\n   +-- no --> Watch\n";
        assert!(!is_commands(tree, ""));
        assert!(!is_commands("┌──────┐\n│ Go?  │\n└──┬───┘\n   ▼\n", ""));
        let prose = "If the error rate stays above five percent we roll back\nThe incident commander makes the call with the DBA\n";
        assert!(!is_commands(prose, ""));
        assert!(!is_commands("graph TD; A-->B", "mermaid"));
    }
}
