//! The bundled demo runbook (the ERP team's seed, UTF-8), opened when there is no data yet.

use crate::import::{ImportError, Imported, import_markdown};

/// The name the demo is imported under, as messages and the runbook's file name show it.
pub const FILE_NAME: &str = "go-live-runbook.md";
/// The demo runbook's Markdown, compiled in.
pub const MARKDOWN: &str = include_str!("../demo/go-live-runbook.md");

/// The demo runbook, imported.
pub fn runbook() -> Result<Imported, ImportError> {
    import_markdown(FILE_NAME, MARKDOWN.as_bytes())
}

/// A generated runbook of `tasks` tasks in phases of 50, for benchmarks and load tests: the
/// seed's layout with the timeline repeated, a minute apart, across as many days as it takes.
pub fn synthetic_markdown(tasks: usize) -> String {
    let mut md =
        String::from("# Synthetic go-live\n\n**Version**: 1.0\n\n## Overview\n\n**Window**: 06:00 - 23:59\n\n");
    md.push_str("## Contacts\n\n| Role | Name | Phone | Backup |\n|---|---|---|---|\n| Tech Lead | Lan | 0900 000 001 | Minh |\n| DBA | Huy | 0900 000 002 | |\n\n## Timeline\n\n");
    let owners = ["Tech Lead", "DBA", "DevOps", "QA", "Dev Lead"];
    for i in 0..tasks {
        if i % 50 == 0 {
            put!(
                md,
                "\n### Phase {}: Wave {}\n\n| Time | Task | Owner | Status |\n|---|---|---|---|\n",
                i / 50 + 1,
                i / 50 + 1
            );
        }
        let t = (6 * 60 + i) % (24 * 60);
        let title = if i % 50 == 49 {
            format!("**CHECKPOINT {}**: wave {} verified", i / 50 + 1, i / 50 + 1)
        } else {
            format!("Bước {i}: chuyển dữ liệu bảng `table_{i}`")
        };
        putln!(md, "| {:02}:{:02} | {title} | {} | ☐ |", t / 60, t % 60, owners[i % owners.len()]);
    }
    md.push_str("\n## Rollback Procedure\n\n### Rollback Steps\n\n```bash\n# 1. Stop services (20 min)\nsystemctl stop app\n# 2. Restore database (40 min)\n./restore.sh\n```\n\n### Rollback Deadline\n\n- Before 20:00\n");
    md
}

#[cfg(test)]
mod tests {
    #[test]
    fn synthetic_runbooks_import_with_every_task() {
        let md = super::synthetic_markdown(1200);
        let imported = crate::import_markdown("synthetic.md", md.as_bytes()).unwrap();
        assert_eq!(imported.runbook.tasks().count(), 1200);
        assert_eq!(imported.runbook.phases.len(), 24);
        let days: std::collections::BTreeSet<i16> = imported.runbook.tasks().map(|t| t.day).collect();
        assert_eq!(days.len(), 2, "1,200 minutes from 06:00 run into the next day");
        assert!(imported.report.warnings.is_empty(), "{}", imported.report);
    }
}
