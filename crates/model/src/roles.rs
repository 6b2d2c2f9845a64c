//! Who a task belongs to: one rule for "is this mine?", used by core's status and notifications
//! and by the UI, so the app never highlights a task the laptop does not notify about.

use crate::runbook::split_roles;
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Lower case, without diacritics, punctuation folded to single spaces: how names and roles are
/// compared (`Trưởng nhóm` is `truong nhom`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Owners that mean the whole team.
const EVERYONE: [&str; 5] = ["all", "tat ca", "everyone", "moi nguoi", "team"];

/// Is a task owned by `owner` the business of a person in `role`? Yes when one of the owner's
/// roles (`Tech Lead + DBA`) is theirs, compared without case or diacritics; a task for the
/// whole team (`All`, `Tất cả`) is theirs when their role is one of the runbook's `roles`.
/// Nobody's without a role.
pub fn is_mine(owner: &str, role: &str, roles: &[String]) -> bool {
    let me = fold(role);
    if me.is_empty() {
        return false;
    }
    if EVERYONE.contains(&fold(owner).as_str()) {
        return roles.iter().any(|r| fold(r) == me);
    }
    split_roles(owner).iter().any(|r| fold(r) == me)
}

/// Are two roles the same role?
pub fn same_role(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_mine_by_any_of_its_roles_without_case_or_diacritics() {
        let roles = vec!["Tech Lead".to_owned(), "DBA".to_owned()];
        assert!(is_mine("Tech Lead + DBA", "dba", &roles));
        assert!(is_mine("Trưởng nhóm", "truong nhom", &roles));
        assert!(is_mine("All", "Tech Lead", &roles));
        assert!(is_mine("Tất cả", "DBA", &roles));
        assert!(!is_mine("All", "Auditor", &roles), "not a role of this runbook");
        assert!(!is_mine("QA Lead", "QA", &roles), "a role is a whole role, not a part of one");
        assert!(!is_mine("DBA", "", &roles), "nobody's without a role");
        assert!(same_role("Đảm bảo chất lượng", "dam bao chat luong"));
    }
}
