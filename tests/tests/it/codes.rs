//! Join codes admit as many laptops as they were issued for, each use recorded in the room's
//! log, and a revocation voids every code issued before it: the attacks of a code reused by a
//! second laptop and of a revoked person rejoining with a new database and their original code.

use crate::sync::{a_served_room, join_code, sync_status};
use warroom_tests::Scratch;

#[test]
fn a_code_admits_the_laptops_it_was_issued_for_and_no_more() {
    let s = Scratch::new();
    let (_a, _, _) = a_served_room(&s);
    let once = join_code(&s, &[]);
    let b = s.path("b.db");
    let r = s.warroom_db(&b, &["room", "join", &once, "--name", "B"]);
    assert!(r.ok(), "{r:?}");
    // The code passed on to a second laptop.
    let c = s.path("c.db");
    let r = s.warroom_db(&c, &["room", "join", &once, "--name", "C"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("403") && r.stderr.contains("already used (1 of 1 use(s))"), "{r:?}");
    assert_eq!(sync_status(&s, &c)["events"], 0, "the refused laptop got nothing");

    let twice = join_code(&s, &["--uses", "2"]);
    for name in ["c", "d"] {
        let db = s.path(&format!("{name}2.db"));
        let r = s.warroom_db(&db, &["room", "join", &twice, "--name", name]);
        assert!(r.ok(), "{name}: {r:?}");
    }
    let before = sync_status(&s, &s.db());
    let r = s.warroom_db(&s.path("e.db"), &["room", "join", &twice, "--name", "E"]);
    assert!(!r.ok() && r.stderr.contains("already used (2 of 2 use(s))"), "{r:?}");
    assert_eq!(sync_status(&s, &s.db()), before, "a refused join changes nothing");

    // Every laptop holding the log knows the codes and their uses: B, once in step, too.
    let log = s.ok(&["log"]);
    assert_eq!(log.matches("room.invite").count(), 2, "{log}");
    let members = s.ok(&["room", "members"]);
    for name in ["B", "c", "d"] {
        assert!(members.contains(&format!("member   {name}")), "{members}");
    }
    assert!(!members.contains(" C\n") && !members.contains(" E\n"), "{members}");
}

#[test]
fn a_revoked_person_cannot_rejoin_with_their_original_code() {
    let s = Scratch::new();
    let (_a, _, _) = a_served_room(&s);
    // A code for two, so that only the revocation can be what stops the second join.
    let code = join_code(&s, &["--uses", "2"]);
    let d = s.path("d.db");
    assert!(s.warroom_db(&d, &["room", "join", &code, "--name", "Dung's laptop"]).ok());
    s.ok(&["room", "revoke", &s.fingerprint(&d)]);

    // Dũng comes back with a new database (a new certificate) and the code they were given.
    let again = s.path("d-new.db");
    let r = s.warroom_db(&again, &["room", "join", &code, "--name", "Dung's laptop"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("issued before") && r.stderr.contains("revoked"), "{r:?}");
    assert_eq!(sync_status(&s, &again)["events"], 0, "the refused laptop got nothing");
    // A code issued after the revocation is a member's fresh decision: it admits.
    let fresh = join_code(&s, &[]);
    let r = s.warroom_db(&s.path("f.db"), &["room", "join", &fresh, "--name", "F"]);
    assert!(r.ok(), "{r:?}");
}
