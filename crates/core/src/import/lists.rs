//! Lists. A checklist runbook's items (`- [ ] Backup DB (DBA)`, plain `- ` items under a phase
//! or day heading, or under a bold time line `**06:00 - 07:00: Chuẩn bị**`) become timed tasks:
//! their own time when they start with one, else spread over the range above them, else in
//! order at the time before them. Lists in the rollback, triggers, contacts, commands,
//! deadline and checklist sections become those parts.

use super::blocks::{Inline, Item};
use super::tidy::unless_placeholder;
use super::vocab::Section;
use super::{Builder, diag, key_value, times, vocab};
use warroom_model::{ChecklistItem, ClockTime, CommandRef, Contact, RollbackStep, Task, Trigger};

/// `Trigger: error rate > 5%` under a rollback heading: when to roll back.
const TRIGGER_KEYS: &[&str] = &["trigger", "triggers", "when", "khi nao", "dieu kien", "tac nhan"];

/// `Steps: disable the flag, redeploy` under a rollback heading: its steps, in order.
const STEPS_KEYS: &[&str] = &["steps", "step", "action", "actions", "cac buoc", "buoc", "hanh dong"];

/// Words in brackets after a task that are not who does it.
const NOT_OWNERS: &[&str] =
    &["optional", "if", "see", "e g", "eg", "neu", "xem", "vi du", "tuy chon", "khong bat buoc"];

impl Builder<'_> {
    pub(super) fn on_list(&mut self, items: &[Item]) -> bool {
        let ctx = self.ctx();
        let all_tasks = items.iter().all(|i| i.checked.is_some());
        match ctx {
            Some(Section::Deadline) => {
                for it in items {
                    self.deadline_line(&it.inline.plain);
                }
                true
            }
            Some(Section::RollbackSteps | Section::Rollback) => {
                for it in items {
                    self.rollback_item(it);
                }
                true
            }
            Some(Section::Triggers) => {
                for it in items {
                    let n = self.rb.rollback.triggers.len() + 1;
                    let (name, condition) = match key_value(&it.inline) {
                        Some((k, v)) if !v.is_empty() => (k, v),
                        _ => (it.inline.plain.clone(), it.inline.plain.clone()),
                    };
                    self.rb.rollback.triggers.push(Trigger { id: format!("t{n}"), name, condition });
                }
                true
            }
            Some(Section::Contacts) => {
                for it in items {
                    self.contact_item(&it.inline);
                }
                true
            }
            Some(Section::Commands) => {
                for it in items.iter().filter(|i| !i.inline.codes.is_empty()) {
                    let n = self.rb.commands.len() + 1;
                    let label = it.inline.plain.split(':').next().unwrap_or_default().trim().to_owned();
                    self.rb.commands.push(CommandRef {
                        id: format!("x{n}"),
                        label,
                        command: it.inline.codes.join("\n"),
                    });
                }
                true
            }
            Some(Section::Checklist | Section::Timeline) if self.lists_are_tasks => {
                self.list_tasks(items);
                true
            }
            Some(Section::Checklist | Section::Criteria) => {
                self.checklist(items);
                true
            }
            Some(Section::Timeline) => {
                self.list_tasks(items);
                true
            }
            Some(Section::Overview) | None if self.list_phase || all_tasks || self.lists_are_tasks => {
                self.list_tasks(items);
                true
            }
            Some(Section::Overview) | None => {
                let mut used = false;
                for it in items {
                    if let Some((k, v)) = key_value(&it.inline)
                        && let Some(key) = vocab::key(&k)
                    {
                        used |= self.overview_key(key, &k, &v, it.line);
                    }
                }
                used
            }
            _ if all_tasks && !ctx.is_some_and(Section::is_rollback_part) => {
                self.checklist(items);
                true
            }
            _ => false,
        }
    }

    /// A list item under the rollback: a step, or, written `Trigger: …` or `Steps: a, b, c`,
    /// a trigger or several steps.
    fn rollback_item(&mut self, it: &Item) {
        let kv = key_value(&it.inline).filter(|(_, v)| !v.is_empty());
        let key = kv.as_ref().map(|(k, _)| warroom_model::fold(k)).unwrap_or_default();
        if let Some((_, v)) = kv.as_ref().filter(|_| TRIGGER_KEYS.contains(&key.as_str())) {
            let n = self.rb.rollback.triggers.len() + 1;
            self.rb.rollback.triggers.push(Trigger { id: format!("t{n}"), name: v.clone(), condition: v.clone() });
            return;
        }
        let titles: Vec<String> = match kv.as_ref().filter(|_| STEPS_KEYS.contains(&key.as_str())) {
            Some((_, v)) => v.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            None => vec![it.inline.text.clone()],
        };
        for text in titles {
            let n = self.rb.rollback.steps.len() + 1;
            let (title, duration_min) = times::split_duration_suffix(&text);
            self.rb.rollback.steps.push(RollbackStep {
                id: format!("r{n}"),
                title,
                commands: it.inline.codes.clone(),
                notes: Vec::new(),
                duration_min,
            });
        }
    }

    fn checklist(&mut self, items: &[Item]) {
        for it in items {
            let n = self.rb.checklist.len() + 1;
            self.rb.checklist.push(ChecklistItem {
                id: format!("k{n}"),
                text: it.inline.text.clone(),
                checked: it.checked.unwrap_or(false),
            });
        }
    }

    /// `DBA: Lan – 0901 234 567`, `Tech Lead (Minh) 0902…`.
    fn contact_item(&mut self, inline: &Inline) {
        let (role, rest) = match key_value(inline) {
            Some((k, v)) => (k, v),
            None => (String::new(), inline.plain.clone()),
        };
        let phone_at = rest
            .find(|c: char| c.is_ascii_digit() || c == '+')
            .filter(|&i| rest[i..].chars().filter(char::is_ascii_digit).count() >= 6);
        let (name, phone) = match phone_at {
            Some(i) => (rest[..i].to_owned(), rest[i..].trim().to_owned()),
            // `[Tên] - _________`: a name and a phone number both still to be filled in.
            None => match [" - ", " – ", " — "].iter().find_map(|sep| rest.rsplit_once(sep)) {
                Some((name, blank)) if super::tidy::is_placeholder(blank) => (name.to_owned(), String::new()),
                _ => (rest.clone(), String::new()),
            },
        };
        let name = name.trim().trim_end_matches(['-', '–', '—', ':', ',', '(', '.']).trim().to_owned();
        // `Release commander.` alone under `Roles`: a role still to be staffed, not a name.
        let (role, name) = if role.is_empty() && phone.is_empty() { (name, String::new()) } else { (role, name) };
        let n = self.rb.contacts.len() + 1;
        self.rb.contacts.push(Contact {
            id: format!("c{n}"),
            role: unless_placeholder(role),
            name: unless_placeholder(name),
            phone: unless_placeholder(phone),
            ..Contact::default()
        });
    }

    /// A bold line that opens a block of list items: `**06:00 - 07:00: Chuẩn bị**` (a phase with
    /// its range) or `**T-1 Day**` (a day).
    pub(super) fn bold_phase_line(&mut self, inline: &Inline, line: usize) -> bool {
        let Some(strong) = &inline.lead_strong else {
            return false;
        };
        let plain = inline.plain.trim();
        if plain.len() > strong.len() + 2 || !matches!(self.ctx(), None | Some(Section::Timeline | Section::Overview)) {
            return false;
        }
        let strong = strong.trim().trim_end_matches(':').trim();
        let split = [": ", " – ", " — ", " | "]
            .iter()
            .filter_map(|sep| strong.rsplit_once(sep))
            .find(|(range, _)| times::parse_range(range).is_ok());
        let heading = match split {
            Some((range, name)) => format!("{} ({})", name.trim(), range.trim()),
            None if times::parse_range(strong).is_ok() => format!("{strong} ({strong})"),
            None => match lead_offset(strong) {
                // `**T-4h: Begin Cutover**`: a phase that starts that long before go-live.
                Some((off, _, name)) => {
                    let at = self.rb.window.as_ref().map_or(0, |w| w.start_minutes()).saturating_add(off);
                    self.day = i16::try_from(at.div_euclid(1440)).unwrap_or(0);
                    self.last_minutes = Some(at);
                    name.to_owned()
                }
                None if self.day_heading(strong) => strong.to_owned(),
                None => return false,
            },
        };
        self.heading = Some((heading, 6, line, None, false));
        self.list_phase = true;
        true
    }

    /// Where a task written without a time goes, in minutes from the go-live day's midnight:
    /// at the last time placed (the task before it, or its phase's start: each lasts until the
    /// next), else at the window's start on its day, else at its day's midnight.
    pub(super) fn untimed_at(&self) -> i32 {
        let day = i32::from(self.day) * 1440;
        self.last_minutes.or_else(|| self.rb.window.as_ref().map(|w| day + w.start_minutes())).unwrap_or(day)
    }

    /// Puts an untimed task at `at` on the timeline: its time and day.
    pub(super) fn place_untimed(&mut self, at: i32) -> (ClockTime, i16) {
        self.last_minutes = Some(self.last_minutes.map_or(at, |l| l.max(at)));
        (ClockTime::of_timeline(at), i16::try_from(at.div_euclid(1440)).unwrap_or(0))
    }

    /// List items as tasks of the phase above them.
    fn list_tasks(&mut self, items: &[Item]) {
        let phase_idx = self.current_phase();
        let untimed = items.iter().filter(|it| lead_time(&it.inline.plain).is_none()).count();
        let (span_start, step) = {
            let p = &self.rb.phases[phase_idx];
            match (p.start_minutes(), p.end_minutes()) {
                (Some(s), Some(e)) if e > s && untimed == items.len() && untimed > 0 && p.tasks.is_empty() => {
                    (Some(s), Some((e - s) / i32::try_from(untimed).unwrap_or(i32::MAX)))
                }
                _ => (None, None),
            }
        };
        let mut k = 0;
        for it in items {
            let plain = it.inline.plain.trim();
            // `- Product:` with nothing after it is a blank form field, not a task.
            if plain.is_empty() || plain.ends_with(':') {
                continue;
            }
            if let Some((k, v)) = key_value(&it.inline)
                && let Some(key) = vocab::key(&k)
            {
                self.overview_key(key, &k, &v, it.line);
                continue;
            }
            let mut offset = None;
            let (time, day, duration, rest) = match (lead_time(plain), lead_offset(plain)) {
                (Some((t, span, rest)), _) => {
                    let day = self.place(t, it.line);
                    (t, day, span, rest)
                }
                (None, Some((off, mark, rest))) => {
                    // `T-60m: final review`, `Week 2: onboard`: from the go-live moment.
                    let base = self.rb.window.as_ref().map_or(0, |w| w.start_minutes());
                    let (t, d) = self.place_untimed(base.saturating_add(off));
                    offset = Some(mark.to_owned());
                    (t, d, None, rest)
                }
                (None, None) => {
                    let (at, duration) = match (span_start, step) {
                        (Some(s), Some(step)) => (s + step * k, u32::try_from(step).ok()),
                        _ => (self.untimed_at(), None),
                    };
                    k += 1;
                    let (time, day) = self.place_untimed(at);
                    (time, day, duration, plain)
                }
            };
            let (title, owner) = split_owner(rest);
            let title_inline = Inline { text: title.clone(), plain: title, codes: Vec::new(), lead_strong: None };
            let cp = super::table::checkpoint_of(&title_inline);
            let title = self.limit_title(cp.title, it.line);
            if owner.is_empty() && !cp.checkpoint {
                self.warnings.push(diag(it.line, format!("task `{title}` has no owner")));
            }
            let n = self.rb.phases[phase_idx].tasks.len() + 1;
            let id = self.unique_id(format!("{}.{n}", phase_idx + 1), it.line);
            self.rb.phases[phase_idx].tasks.push(Task {
                id: id.into(),
                time,
                day,
                title,
                owner,
                checkpoint: cp.checkpoint,
                checkpoint_no: cp.number,
                checkpoint_label: cp.label,
                commands: it.inline.codes.clone(),
                checked: it.checked == Some(true),
                duration_min: duration,
                offset,
                ..Task::default()
            });
        }
    }
}

/// A time or range at the start of an item: `06:10 - 06:15 Backup`, `**0610**: Backup`.
fn lead_time(text: &str) -> Option<(ClockTime, Option<u32>, &str)> {
    if !text.starts_with(|c: char| c.is_ascii_digit() || c == '*') {
        return None;
    }
    let ends: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .take(5)
        .collect();
    for &end in ends.iter().rev() {
        let head = text[..end].trim_end_matches([':', '-', '–', '—', ',', ' ']);
        let rest = text[end..].trim_start_matches([':', '-', '–', '—', ',', ' ']);
        if rest.is_empty() {
            continue;
        }
        if let Ok(r) = times::parse_range(head) {
            return Some((r.start, Some(r.minutes()), rest));
        }
        if let Ok(t) = times::parse_time(head) {
            return Some((t, None, rest));
        }
    }
    None
}

/// An offset from the go-live moment at the start of an item, in minutes, with the mark as
/// written and the rest: `T-60m: final review`, `T-0: window opens`, `T+15m: health check`,
/// `Week 2: onboard` (a week is seven days from the first).
fn lead_offset(text: &str) -> Option<(i32, &str, &str)> {
    let (head, rest) = text.split_once(':').or_else(|| text.split_once(" - "))?;
    let (head, rest) = (head.trim(), rest.trim());
    if rest.is_empty() || head.chars().count() > 16 {
        return None;
    }
    let f = warroom_model::fold(head);
    if let Some(n) = f.strip_prefix("week ").or_else(|| f.strip_prefix("tuan ")).and_then(|n| n.parse::<i32>().ok()) {
        return Some((n.saturating_sub(1).saturating_mul(7 * 1440), head, rest));
    }
    let body = head.strip_prefix(['T', 't'])?;
    let sign = body.chars().next()?;
    let amount = body[sign.len_utf8()..].trim();
    let minutes = if amount == "0" { 0 } else { i32::try_from(times::parse_duration(amount)?).ok()? };
    match sign {
        '+' => Some((minutes, head, rest)),
        '-' | '−' => Some((-minutes, head, rest)),
        _ => None,
    }
}

/// `Backup DB (DBA)` or `Backup DB — Lan` → (`Backup DB`, owner); the owner is a few words that
/// each start with a capital (or `@`), not a duration or a remark.
fn split_owner(text: &str) -> (String, String) {
    let t = text.trim();
    let looks_like_owner = |s: &str| {
        let s = s.trim();
        let words: Vec<&str> = s.split_whitespace().collect();
        !words.is_empty()
            && words.len() <= 4
            && times::parse_duration(s).is_none()
            && !NOT_OWNERS.iter().any(|w| warroom_model::fold(s).starts_with(w))
            && words
                .iter()
                .all(|w| w.starts_with(|c: char| c.is_uppercase() || c == '@' || c == '+' || c == '/' || c == '&'))
    };
    let owner_or_blank = |s: &str| looks_like_owner(s) || (!s.trim().is_empty() && super::tidy::is_placeholder(s));
    if let Some(inner) = t.strip_suffix(')')
        && let Some(open) = inner.rfind('(')
        && owner_or_blank(&inner[open + 1..])
        && !inner[..open].trim().is_empty()
    {
        return (inner[..open].trim().to_owned(), unless_placeholder(inner[open + 1..].trim().to_owned()));
    }
    for sep in [" — ", " – ", " - "] {
        if let Some((title, owner)) = t.rsplit_once(sep)
            && looks_like_owner(owner)
            && owner.split_whitespace().count() <= 3
            && !title.trim().is_empty()
        {
            return (title.trim().to_owned(), unless_placeholder(owner.trim().to_owned()));
        }
    }
    (t.to_owned(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_after_a_task() {
        let s = |t: &str| split_owner(t);
        assert_eq!(s("Backup DB (DBA)"), ("Backup DB".into(), "DBA".into()));
        assert_eq!(s("Backup DB — Tech Lead"), ("Backup DB".into(), "Tech Lead".into()));
        assert_eq!(s("Backup DB (10 min)"), ("Backup DB (10 min)".into(), String::new()));
        assert_eq!(s("Restart (if applicable)"), ("Restart (if applicable)".into(), String::new()));
        assert_eq!(s("Export data - full dump"), ("Export data - full dump".into(), String::new()));
        assert_eq!(s("Gọi khách hàng (PM + Sales)"), ("Gọi khách hàng".into(), "PM + Sales".into()));
        assert_eq!(s("Notify users ([Name])"), ("Notify users".into(), String::new()));
    }

    #[test]
    fn times_at_the_start_of_an_item() {
        let l = |t: &str| lead_time(t).map(|(t, d, r)| (t.to_string(), d, r.to_owned()));
        assert_eq!(l("06:10 - 06:15 Backup"), Some(("06:10".into(), Some(5), "Backup".into())));
        assert_eq!(l("0610: Backup"), Some(("06:10".into(), None, "Backup".into())));
        assert_eq!(l("6:10 PM – Call"), Some(("18:10".into(), None, "Call".into())));
        assert_eq!(l("3 servers restart"), None);
        assert_eq!(l("Backup at 06:00"), None);
    }

    #[test]
    fn offsets_and_weeks_at_the_start_of_an_item() {
        assert_eq!(lead_offset("T-60m: final review"), Some((-60, "T-60m", "final review")));
        assert_eq!(lead_offset("T-0: window opens"), Some((0, "T-0", "window opens")));
        assert_eq!(lead_offset("T+1h30: stable"), Some((90, "T+1h30", "stable")));
        assert_eq!(lead_offset("Week 2: onboard"), Some((7 * 1440, "Week 2", "onboard")));
        assert_eq!(lead_offset("T-1: the day before"), None, "a day, not minutes");
        assert_eq!(lead_offset("Trigger: error rate"), None);
    }
}
