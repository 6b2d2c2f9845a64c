//! Code blocks: shell commands under the rollback steps become steps (a `# 1. Title` comment
//! opens one) and their commands; under the commands reference, labelled commands; diagrams and
//! prose in code blocks there are kept as notes, not commands.

use super::vocab::Section;
use super::{Builder, diag, tidy, times};
use warroom_model::{CommandRef, RollbackStep};

impl Builder<'_> {
    pub(super) fn on_code(&mut self, code: &str, lang: &str, line: usize) -> bool {
        let is_rollback = matches!(self.ctx(), Some(Section::RollbackSteps | Section::Rollback));
        if (is_rollback || self.ctx() == Some(Section::Commands)) && !tidy::is_commands(code, lang) {
            // A decision tree or prose in a code block: a note to read, not commands to run.
            return match self.rb.rollback.steps.last_mut() {
                Some(step) if is_rollback => {
                    step.notes.push(code.trim_end().to_owned());
                    true
                }
                _ => false,
            };
        }
        match self.ctx() {
            Some(Section::RollbackSteps | Section::Rollback) => {
                self.steps_from_code(code, line);
                true
            }
            Some(Section::Commands) => {
                self.commands_from_code(code);
                true
            }
            _ => false,
        }
    }

    fn steps_from_code(&mut self, code: &str, line: usize) {
        for raw in code.lines() {
            let l = raw.trim();
            if l.is_empty() {
                continue;
            }
            if let Some(comment) = l.strip_prefix('#') {
                let comment = comment.trim();
                if let Some(title) = numbered(comment) {
                    let n = self.rb.rollback.steps.len() + 1;
                    let (title, duration_min) = times::split_duration_suffix(title);
                    self.rb.rollback.steps.push(RollbackStep {
                        id: format!("r{n}"),
                        title,
                        duration_min,
                        ..RollbackStep::default()
                    });
                } else if let Some(step) = self.rb.rollback.steps.last_mut() {
                    step.notes.push(comment.to_owned());
                } else {
                    self.warnings
                        .push(diag(line, format!("comment `{comment}` before the first rollback step ignored")));
                }
            } else if let Some(step) = self.rb.rollback.steps.last_mut() {
                step.commands.push(l.to_owned());
            } else {
                let n = self.rb.rollback.steps.len() + 1;
                self.rb.rollback.steps.push(RollbackStep {
                    id: format!("r{n}"),
                    title: l.to_owned(),
                    commands: vec![l.to_owned()],
                    ..RollbackStep::default()
                });
            }
        }
    }

    fn commands_from_code(&mut self, code: &str) {
        let mut label = String::new();
        let mut pending = String::new();
        for raw in code.lines() {
            let l = raw.trim_end();
            if l.trim().is_empty() {
                continue;
            }
            if let Some(c) = l.trim_start().strip_prefix('#') {
                label = c.trim().to_owned();
                continue;
            }
            if !pending.is_empty() {
                pending.push('\n');
            }
            pending.push_str(l.trim());
            if !l.ends_with('\\') {
                let n = self.rb.commands.len() + 1;
                self.rb.commands.push(CommandRef {
                    id: format!("x{n}"),
                    label: label.clone(),
                    command: std::mem::take(&mut pending),
                });
            }
        }
    }
}

fn numbered(comment: &str) -> Option<&str> {
    let digits = comment.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 {
        return None;
    }
    let rest = &comment[digits..];
    rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')).map(str::trim)
}
