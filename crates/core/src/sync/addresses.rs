//! Where each member laptop serves its peers, passed on through the log: a laptop records its
//! own addresses as an event it signs (`laptop.addresses`) when they change, every laptop gets
//! them with the rest of the log, and the followers try them. So any two members find each other
//! without the laptop that invited them, where LAN discovery (multicast) is blocked. An address
//! counts only when written by the laptop it is for; connections still pin its certificate, so a
//! wrong address costs a failed attempt, never a connection to someone else.

use super::members;
use super::room::{KnownPeer, serving_addresses};
use crate::clock::Clock;
use crate::store::{Store, StoreError};
use serde_json::json;
use warroom_model::{Author, Write};

/// The kind of the event in which a laptop says where it serves.
pub const KIND: &str = "laptop.addresses";

const FIELD: &str = "addresses";

fn laptop() -> Author {
    Author { name: "warroom".into(), role: "laptop".into() }
}

/// Records where this laptop (certificate `fingerprint`) serves, when it is a member of a room,
/// listens, and has not recorded these addresses already; says whether it wrote.
pub fn publish(store: &mut Store, fingerprint: &str, clock: &dyn Clock) -> Result<bool, StoreError> {
    let Some(me) = members::members(store)?.into_iter().find(|m| m.fingerprint == fingerprint && !m.revoked) else {
        return Ok(false);
    };
    let addresses = serving_addresses(store)?;
    if addresses.is_empty() {
        return Ok(false);
    }
    let recorded = store.entity_versions("member")?.remove(&(fingerprint.to_owned(), FIELD.to_owned()));
    if recorded.is_some_and(|v| v.value == json!(addresses) && v.origin == store.origin()) {
        return Ok(false);
    }
    let summary = format!("{} serves its peers at {}", me.name, addresses.join(", "));
    let writes = vec![Write::set("member", fingerprint, FIELD, json!(addresses))];
    store.commit(&laptop(), KIND, json!({ "summary": summary }), writes, clock)?;
    Ok(true)
}

/// Where the room's other members serve, as each recorded it itself: revoked members, laptops
/// outside the room's membership and addresses written by anyone but their own laptop are left
/// out.
pub fn gossiped(store: &Store, me: &str) -> Result<Vec<KnownPeer>, StoreError> {
    let versions = store.entity_versions("member")?;
    let mut out = Vec::new();
    for m in members::members(store)? {
        if m.revoked || m.origin.is_empty() || m.fingerprint == me {
            continue;
        }
        let Some(v) = versions.get(&(m.fingerprint.clone(), FIELD.to_owned())) else { continue };
        if v.origin != m.origin {
            continue;
        }
        for a in v.value.as_array().into_iter().flatten().filter_map(|a| a.as_str()) {
            // Only `ADDR:PORT`: nothing else is made into a URL to connect to.
            if a.parse::<std::net::SocketAddr>().is_ok() {
                out.push(KnownPeer { url: format!("https://{a}"), fingerprint: m.fingerprint.clone() });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::sync::{self, Local};
    use crate::test_support::{clock, lan};
    use std::cell::RefCell;

    /// A room of two laptops (`a` made it, `b` joined), each listening on loopback.
    fn two_members() -> (Store, Store, FakeClock) {
        let c = clock();
        let mut a = Store::open_in_memory().unwrap();
        a.import(&crate::demo::runbook().unwrap(), &lan(), false, &c).unwrap();
        crate::sync::room::create(&mut a, &lan(), "fa", "Lan's laptop", &c).unwrap();
        let mut b = Store::open_in_memory().unwrap();
        let (origin, key) = (b.origin().to_owned(), b.public_key().unwrap());
        let mut writes = members::trust_writes("fb", "Minh's laptop");
        writes.extend(members::laptop_writes("fb", &origin, &key));
        a.commit(&lan(), "member.join", json!({}), writes, &c).unwrap();
        crate::sync::room::set_listening(&mut a, "127.0.0.1:7001".parse().unwrap()).unwrap();
        crate::sync::room::set_listening(&mut b, "127.0.0.1:7002".parse().unwrap()).unwrap();
        (a, b, c)
    }

    fn pull(into: &mut Store, from: Store, c: &FakeClock) -> Store {
        let from = RefCell::new(from);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(sync::pull_from(into, &Local { store: &from, clock: c }, c)).unwrap();
        from.into_inner()
    }

    #[test]
    fn a_member_records_its_addresses_once_and_the_others_learn_them_through_the_log() {
        let (mut a, mut b, c) = two_members();
        // Not a member yet as far as its own log knows: nothing to say.
        assert!(!publish(&mut b, "fb", &c).unwrap());
        a = pull(&mut b, a, &c);
        assert!(publish(&mut b, "fb", &c).unwrap());
        assert!(!publish(&mut b, "fb", &c).unwrap(), "written once while they do not change");
        assert!(publish(&mut a, "fa", &c).unwrap());
        b = pull(&mut a, b, &c);
        assert_eq!(
            gossiped(&a, "fa").unwrap(),
            vec![KnownPeer { url: "https://127.0.0.1:7002".into(), fingerprint: "fb".into() }]
        );
        assert!(gossiped(&b, "fb").unwrap().is_empty(), "b has not heard from a since");
        pull(&mut b, a, &c);
        assert_eq!(
            gossiped(&b, "fb").unwrap(),
            vec![KnownPeer { url: "https://127.0.0.1:7001".into(), fingerprint: "fa".into() }]
        );
        crate::sync::room::set_listening(&mut b, "127.0.0.1:7003".parse().unwrap()).unwrap();
        assert!(publish(&mut b, "fb", &c).unwrap(), "a laptop that moved says so");
    }

    #[test]
    fn an_address_written_for_another_laptop_or_by_a_revoked_one_is_not_followed() {
        let (mut a, b, c) = two_members();
        publish(&mut a, "fa", &c).unwrap();
        pull(&mut a, b, &c);
        // a (a member) writes an address for b: a lure, not where b said it serves.
        a.commit(&lan(), KIND, json!({}), vec![Write::set("member", "fb", FIELD, json!(["10.9.9.9:1"]))], &c).unwrap();
        assert!(gossiped(&a, "fa").unwrap().is_empty());
        let mut x = Store::open_in_memory().unwrap();
        let x = {
            let (origin, key) = (x.origin().to_owned(), x.public_key().unwrap());
            let mut writes = members::trust_writes("fx", "X");
            writes.extend(members::laptop_writes("fx", &origin, &key));
            a.commit(&lan(), "member.join", json!({}), writes, &c).unwrap();
            crate::sync::room::set_listening(&mut x, "127.0.0.1:7009".parse().unwrap()).unwrap();
            x
        };
        let mut x = x;
        let a = pull(&mut x, a, &c);
        publish(&mut x, "fx", &c).unwrap();
        let mut a = a;
        pull(&mut a, x, &c);
        assert_eq!(gossiped(&a, "fa").unwrap().len(), 1);
        members::revoke(&mut a, &lan(), "fx", &c).unwrap();
        assert!(gossiped(&a, "fa").unwrap().is_empty(), "a revoked laptop is not followed");
    }
}
