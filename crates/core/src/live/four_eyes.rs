//! Four eyes: the approvals a rollback needs must come from distinct people, whatever case or
//! diacritics each typed their name with ("Nguyễn Văn An" is "nguyen van an"), each role of a
//! decision-matrix row filled by someone else; and approvals given on one laptop are flagged,
//! since two names typed at one keyboard may be one person.

use std::collections::BTreeMap;
use warroom_model::live::SignOff;
use warroom_model::{fold, same_role};

/// Who a name is, for telling people apart: folded (lower case, no diacritics, spacing and
/// punctuation normalised).
pub fn person(name: &str) -> String {
    fold(name)
}

/// Whether `approvals` fill every role of `needed`, each by a different person.
#[derive(Debug, PartialEq, Eq)]
pub enum Cover {
    /// Every role has its own approver.
    Met,
    /// The roles are approved, but only with one person in two of them (that person's name).
    SamePerson(String),
    /// Some role is approved by nobody.
    Missing,
}

/// Fills the roles of `needed` with distinct people among `approvals` (a small matching: a
/// matrix row names two or three roles).
pub fn cover(needed: &[String], approvals: &[SignOff]) -> Cover {
    let candidates: Vec<Vec<String>> = needed
        .iter()
        .map(|role| approvals.iter().filter(|a| same_role(&a.role, role)).map(|a| person(&a.by.name)).collect())
        .collect();
    if candidates.iter().any(Vec::is_empty) {
        return Cover::Missing;
    }
    if assign(&candidates, &mut Vec::new()) {
        return Cover::Met;
    }
    // Who stood in more than one role of the row.
    let twice = approvals.iter().find(|a| {
        let p = person(&a.by.name);
        candidates.iter().filter(|c| c.contains(&p)).count() > 1
    });
    Cover::SamePerson(twice.map(|a| a.by.name.clone()).unwrap_or_default())
}

/// Whether the roles from `taken.len()` on can each get a person not in `taken`.
fn assign(candidates: &[Vec<String>], taken: &mut Vec<String>) -> bool {
    let Some(options) = candidates.get(taken.len()) else { return true };
    for p in options {
        if taken.contains(p) {
            continue;
        }
        taken.push(p.clone());
        if assign(candidates, taken) {
            return true;
        }
        taken.pop();
    }
    false
}

/// The first approval already given by the person named `name`, if any.
pub fn already<'a>(approvals: &'a [SignOff], name: &str) -> Option<&'a SignOff> {
    let p = person(name);
    approvals.iter().find(|a| person(&a.by.name) == p)
}

/// The laptops (device ids) on which more than one person approved.
pub fn shared_laptops(approvals: &[SignOff]) -> Vec<String> {
    let mut people: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in approvals {
        let who = people.entry(a.by.device.as_str()).or_default();
        let p = person(&a.by.name);
        if !who.contains(&p) {
            who.push(p);
        }
    }
    people.into_iter().filter(|(_, who)| who.len() > 1).map(|(d, _)| d.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use warroom_model::live::Stamp;

    fn approval(role: &str, name: &str, device: &str) -> SignOff {
        SignOff {
            role: role.into(),
            by: Stamp { name: name.into(), role: role.into(), device: device.into(), ..Stamp::default() },
            seen_events: 0,
        }
    }

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn one_person_in_two_roles_is_one_pair_of_eyes_whatever_the_spelling() {
        let need = roles(&["Tech Lead", "DBA"]);
        for other in ["Nguyễn Văn An", "nguyen van an", "NGUYEN  VĂN  AN", "Nguyen Van An."] {
            let a = [approval("Tech Lead", "Nguyễn Văn An", "aaaa"), approval("DBA", other, "bbbb")];
            assert_eq!(cover(&need, &a), Cover::SamePerson("Nguyễn Văn An".into()), "{other}");
        }
        let a = [approval("Tech Lead", "Nguyễn Văn An", "aaaa"), approval("DBA", "Trần Thị Bình", "bbbb")];
        assert_eq!(cover(&need, &a), Cover::Met);
        assert_eq!(cover(&need, &a[..1]), Cover::Missing);
        // Approvals that can be placed two ways: found.
        let a = [approval("tech lead", "An", "a"), approval("DBA", "An", "a"), approval("Tech Lead", "Bình", "b")];
        assert_eq!(cover(&need, &a), Cover::Met);
    }

    #[test]
    fn two_people_on_one_laptop_are_flagged() {
        let a = [approval("Tech Lead", "An", "aaaa"), approval("DBA", "Bình", "aaaa"), approval("PM", "Chi", "cccc")];
        assert_eq!(shared_laptops(&a), vec!["aaaa".to_owned()]);
        assert!(shared_laptops(&a[1..]).is_empty());
        assert_eq!(already(&a, "an").map(|s| s.role.as_str()), Some("Tech Lead"));
    }
}
