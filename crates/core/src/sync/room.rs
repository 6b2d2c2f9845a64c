//! A room: the laptops that run one go-live together. `create` makes a database's runbook a
//! room (an event in the log, with this laptop as its first member); `invite` makes a join code
//! (the room id, a fresh 128-bit secret kept only on this laptop, its fingerprint and the
//! addresses it serves on); `admit` lets in a laptop that proves over its own TLS session that
//! it holds the secret — an HMAC over the session's exporter value, so a proof seen once is
//! worth nothing on any other connection — by making its certificate a member, through the log.
//! Also kept here: the peers this laptop knows how to reach (local, never replicated).

use super::codes::{self, Spent};
use super::members;
use super::tls::{normalize, shown};
use crate::clock::Clock;
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use std::num::NonZeroU32;
use warroom_model::{Author, Write};

const ROOM: &str = "room";
const INVITES: &str = "room.invites";
const PEERS: &str = "sync.peers";
/// Where this laptop last listened for peers (set by whichever shell serves them).
const LISTEN: &str = "sync.listen";
/// The label both sides give the TLS exporter for a join proof (RFC 8446 §7.5).
pub const EXPORTER_LABEL: &[u8] = b"EXPORTER-warroom-join-v1";
/// How long a join code stays good unless told otherwise: one go-live day.
pub const VALID_HOURS: u32 = 12;
/// How many laptops a join code admits unless told otherwise: one.
pub const USES: NonZeroU32 = NonZeroU32::MIN;
const PREFIX: &str = "warroom://join?";

/// Why making a room, inviting to it or admitting a laptop was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing imported yet: a room needs a runbook.
    #[error("this database holds no runbook yet: import one before making it a room")]
    NoRunbook,
    /// The database is a room already (its name).
    #[error("this database is already the room {0}")]
    Already(String),
    /// The database is not a room, so it cannot invite or admit.
    #[error("this database is not a room yet: `warroom room create` makes it one")]
    NotARoom,
    /// This laptop serves no peers, so a code could not say where to reach it.
    #[error("this laptop does not serve peers yet, so a join code could not say where to reach it")]
    NotServing,
    /// No randomness for a room id or a secret; what the system said.
    #[error("the operating system gave no randomness for a secret: {0}")]
    Random(String),
    /// The text is not a join code; what is wrong with it.
    #[error("not a join code ({0}); it looks like warroom://join?room=…&key=…&fp=…&at=…")]
    BadCode(String),
    /// A join code of another room.
    #[error("the join code is for room {got}, but this laptop is room {ours}")]
    WrongRoom {
        /// The room the code names.
        got: String,
        /// This laptop's room.
        ours: String,
    },
    /// The proof matches no code this laptop made.
    #[error("the join code is wrong, or was not made on this laptop")]
    WrongSecret,
    /// The code's time ran out (when, as shown).
    #[error("the join code expired at {0}: ask a member for a new one (`warroom room invite`)")]
    Expired(String),
    /// The code admitted as many laptops as it may.
    #[error(
        "the join code was already used ({uses} of {uses} use(s)): ask a member for a new one (`warroom room invite`)"
    )]
    UsedUp {
        /// How many laptops it could admit.
        uses: u32,
    },
    /// A laptop was revoked from the room after the code was issued, which voids it.
    #[error(
        "the join code was issued before {0} was revoked from the room, which voids it: ask a member for a new one (`warroom room invite`)"
    )]
    Voided(String),
    /// The room's log holds no issue of the code (made by an older warroom).
    #[error("the join code is not recorded in the room's log (an older warroom made it): ask a member for a new one")]
    Unrecorded,
    /// The joining laptop (its fingerprint, as shown) was revoked from the room.
    #[error("this laptop ({0}) was revoked from the room: a member must let it in again with `warroom peers trust`")]
    Revoked(String),
    /// The joining laptop did not prove it holds the signing key it named (or is a warroom from
    /// before events were signed).
    #[error("the joining laptop did not prove its signing key: update warroom on it and join again")]
    BadKey,
}

type Result<T, E = RoomError> = std::result::Result<T, E>;

/// The room a database belongs to, as its log says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    /// Random id (hex), the same on every laptop of the room.
    pub id: String,
    /// The runbook's title, for people.
    pub name: String,
}

/// What a new laptop needs to join: shown as text and as a QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinCode {
    /// The room's id.
    pub room: String,
    /// 128 bits, hex.
    pub secret: String,
    /// The inviting laptop's certificate.
    pub fingerprint: String,
    /// Where the inviting laptop serves its peers (`ADDR:PORT`), best first.
    pub addresses: Vec<String>,
}

impl std::fmt::Display for JoinCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{PREFIX}room={}&key={}&fp={}&at={}",
            self.room,
            self.secret,
            self.fingerprint,
            self.addresses.join(",")
        )
    }
}

impl std::str::FromStr for JoinCode {
    type Err = RoomError;

    fn from_str(s: &str) -> Result<Self> {
        // Codes are pasted from chats and e-mails that wrap lines and add spaces.
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if !s.starts_with(PREFIX) {
            return Err(RoomError::BadCode("it does not start with warroom://join?".into()));
        }
        let url = url::Url::parse(&s).map_err(|e| RoomError::BadCode(format!("it is not a link: {e}")))?;
        let (mut room, mut secret, mut fp, mut at) = (None, None, None, None);
        for (key, v) in url.query_pairs() {
            match &*key {
                "room" => room = Some(v.into_owned()),
                "key" => secret = Some(v.into_owned()),
                "fp" => fp = Some(normalize(&v)),
                "at" => at = Some(v.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect::<Vec<_>>()),
                _ => return Err(RoomError::BadCode(format!("`{key}={v}` is not part of one"))),
            }
        }
        let hex_of = |v: &Option<String>, len: usize| {
            v.as_ref().is_some_and(|v| v.len() == len && v.chars().all(|c| c.is_ascii_hexdigit()))
        };
        if !hex_of(&room, 32) {
            return Err(RoomError::BadCode("the room id is missing or cut short".into()));
        }
        if !hex_of(&secret, 32) {
            return Err(RoomError::BadCode("the key is missing or cut short".into()));
        }
        if !hex_of(&fp, 64) {
            return Err(RoomError::BadCode("the fingerprint is missing or cut short".into()));
        }
        let addresses = at.unwrap_or_default();
        if addresses.is_empty() {
            return Err(RoomError::BadCode("it names no address to reach the inviting laptop".into()));
        }
        Ok(Self {
            room: room.unwrap_or_default().to_ascii_lowercase(),
            secret: secret.unwrap_or_default().to_ascii_lowercase(),
            fingerprint: fp.unwrap_or_default(),
            addresses,
        })
    }
}

/// What a joining laptop sends, over the TLS session its proof is bound to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The room the code was for.
    pub room: String,
    /// HMAC-SHA256 under the code's key of the room id and the session's exporter value, hex.
    pub proof: String,
    /// The name people will see for the new laptop.
    pub name: String,
    /// Where the new laptop serves peers, if it does (`ADDR:PORT`).
    #[serde(default)]
    pub addresses: Vec<String>,
    /// The new laptop's database (origin id), which its key names.
    #[serde(default)]
    pub origin: String,
    /// The new laptop's public signing key (hex).
    #[serde(default)]
    pub key: String,
    /// Its signature over this session's exporter value: it holds `key` (hex).
    #[serde(default)]
    pub key_proof: String,
}

/// The inviter's answer to an admitted join.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinAnswer {
    /// The room joined.
    pub room: Room,
    /// False when the laptop already was a member.
    pub admitted: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Invite {
    secret: String,
    expires_ms: i64,
}

/// A peer this laptop knows how to reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPeer {
    /// `https://ADDR:PORT`
    pub url: String,
    /// The laptop's certificate fingerprint (hex), pinned when connecting.
    pub fingerprint: String,
}

/// What the others call a laptop, from its person's name.
pub fn laptop_name(person: &str) -> String {
    let person = person.trim();
    if person.is_empty() { "a laptop".to_owned() } else { format!("{person}'s laptop") }
}

/// The room this database belongs to, if any.
pub fn room(store: &Store) -> Result<Option<Room>, StoreError> {
    Ok(store
        .entity_values(ROOM)?
        .into_iter()
        .next()
        .map(|((id, _), name)| Room { id, name: name.as_str().unwrap_or_default().to_owned() }))
}

fn random_hex() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| RoomError::Random(e.to_string()))?;
    Ok(hex::encode(b))
}

/// Makes this database's runbook a room, with this laptop (`fingerprint`) its first member.
pub fn create(store: &mut Store, by: &Author, fingerprint: &str, laptop: &str, clock: &dyn Clock) -> Result<Room> {
    if let Some(r) = room(store)? {
        return Err(RoomError::Already(r.name));
    }
    let runbook = store.runbook()?.ok_or(RoomError::NoRunbook)?;
    let id = random_hex()?;
    let mut writes = vec![Write::set(ROOM, &id, "name", json!(runbook.title))];
    writes.extend(members::trust_writes(fingerprint, laptop));
    if let Some(key) = store.public_key() {
        writes.extend(members::laptop_writes(fingerprint, store.origin(), &key));
    }
    let summary = format!("{} became a room; {laptop} ({}) its first member", runbook.title, shown(fingerprint));
    store.commit(by, "room.create", json!({ "summary": summary }), writes, clock)?;
    Ok(Room { id, name: runbook.title })
}

/// What a join code is good for: how long, and how many laptops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    /// Hours from now.
    pub hours: u32,
    /// Laptops it admits.
    pub uses: NonZeroU32,
}

impl Default for Terms {
    fn default() -> Self {
        Self { hours: VALID_HOURS, uses: USES }
    }
}

/// A new join code on `terms`, naming this laptop (`fingerprint`) and where it serves peers. Its
/// issue is an event by `by` (the secret stays on this laptop), so that every laptop holding
/// the log knows how many uses it has left.
pub fn invite(
    store: &mut Store,
    by: &Author,
    fingerprint: &str,
    addresses: Vec<String>,
    terms: Terms,
    clock: &dyn Clock,
) -> Result<JoinCode> {
    let room = room(store)?.ok_or(RoomError::NotARoom)?;
    let now = clock.now().timestamp_millis();
    let mut invites: Vec<Invite> = invites(store)?.into_iter().filter(|i| i.expires_ms > now).collect();
    let secret = random_hex()?;
    let expires_ms = now + i64::from(terms.hours) * 3_600_000;
    let id = codes::code_id(&secret);
    let until = chrono::DateTime::from_timestamp_millis(expires_ms).unwrap_or_default().format("%Y-%m-%d %H:%M UTC");
    let summary = format!("join code {id} issued by {}: {} use(s), until {until}", shown(fingerprint), terms.uses);
    let writes = codes::issue_writes(&id, terms.uses, now, expires_ms, fingerprint);
    store.commit(by, "room.invite", json!({ "summary": summary }), writes, clock)?;
    invites.push(Invite { secret: secret.clone(), expires_ms });
    store.set_local(INVITES, &serde_json::to_string(&invites).map_err(StoreError::from)?)?;
    Ok(JoinCode { room: room.id, secret, fingerprint: fingerprint.to_owned(), addresses })
}

fn invites(store: &Store) -> Result<Vec<Invite>> {
    Ok(store.local(INVITES)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// HMAC accepts keys of any length, so this is `None` only for a secret that is not hex, which
/// then matches nothing.
fn mac(secret: &str, room: &str, exporter: &[u8]) -> Option<Hmac<Sha256>> {
    let key = hex::decode(secret).ok()?;
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    m.update(b"warroom join v1\0");
    m.update(room.as_bytes());
    m.update(b"\0");
    m.update(exporter);
    Some(m)
}

/// The proof a joining laptop sends: bound to the room and to this one TLS session.
pub fn proof(code: &JoinCode, exporter: &[u8]) -> String {
    mac(&code.secret, &code.room, exporter).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
}

/// Lets the laptop with certificate `caller` in, if its proof matches one of this laptop's join
/// codes on this session (`exporter`) and the log says that code is not spent (`codes::check`). Its certificate becomes a member through
/// an event by `by`; one that already is changes nothing; a revoked one stays out.
pub fn admit(
    store: &mut Store,
    by: &Author,
    caller: &str,
    exporter: &[u8],
    req: &JoinRequest,
    clock: &dyn Clock,
) -> Result<JoinAnswer> {
    let room = room(store)?.ok_or(RoomError::NotARoom)?;
    if req.room != room.id {
        return Err(RoomError::WrongRoom { got: req.room.clone(), ours: room.id });
    }
    let proof = hex::decode(&req.proof).map_err(|_| RoomError::WrongSecret)?;
    let now = clock.now().timestamp_millis();
    let matching = invites(store)?
        .into_iter()
        .find(|i| mac(&i.secret, &room.id, exporter).is_some_and(|m| m.verify_slice(&proof).is_ok()));
    let invite = matching.ok_or(RoomError::WrongSecret)?;
    let known = members::members(store)?.into_iter().find(|m| m.fingerprint == caller);
    match known {
        Some(m) if m.revoked => return Err(RoomError::Revoked(shown(caller))),
        // A member trying again (its pull failed after it was let in) uses nothing up.
        Some(_) => return Ok(JoinAnswer { room, admitted: false }),
        None => {}
    }
    let id = codes::code_id(&invite.secret);
    let code = codes::check(store, &id, now)?.map_err(|spent| match spent {
        Spent::Expired(at) => RoomError::Expired(at),
        Spent::UsedUp { uses } => RoomError::UsedUp { uses },
        Spent::Voided(who) => RoomError::Voided(who),
        Spent::Unrecorded => RoomError::Unrecorded,
    })?;
    let name = if req.name.trim().is_empty() {
        format!("laptop {}", &caller[..caller.len().min(8)])
    } else {
        req.name.trim().to_owned()
    };
    if crate::keys::origin_of(&req.key) != req.origin
        || !crate::keys::verify_session(&req.key, exporter, &req.key_proof)
    {
        return Err(RoomError::BadKey);
    }
    let summary = format!(
        "{name} ({}) joined the room with join code {id} (use {} of {})",
        shown(caller),
        code.used_by.len() + 1,
        code.uses
    );
    let mut writes = members::trust_writes(caller, &name);
    writes.extend(members::laptop_writes(caller, &req.origin, &req.key));
    writes.push(codes::use_write(&id, caller, now));
    store.commit(by, "member.join", json!({ "summary": summary }), writes, clock)?;
    for a in &req.addresses {
        remember(store, &KnownPeer { url: format!("https://{a}"), fingerprint: caller.to_owned() })?;
    }
    Ok(JoinAnswer { room, admitted: true })
}

/// The peers this laptop knows how to reach, oldest first.
pub fn known_peers(store: &Store) -> Result<Vec<KnownPeer>, StoreError> {
    Ok(store.local(PEERS)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// Remembers where a peer can be reached (a peer seen at a new address keeps the old too).
pub fn remember(store: &mut Store, peer: &KnownPeer) -> Result<bool, StoreError> {
    let mut peers = known_peers(store)?;
    if peers.contains(peer) {
        return Ok(false);
    }
    peers.push(peer.clone());
    store.set_local(PEERS, &serde_json::to_string(&peers)?)?;
    Ok(true)
}

/// Records where this laptop serves peers, for the join codes it makes.
pub fn set_listening(store: &mut Store, addr: std::net::SocketAddr) -> Result<(), StoreError> {
    store.set_local(LISTEN, &addr.to_string())
}

/// The addresses other laptops may reach this one's peer service at, best first: the LAN's
/// IPv4 addresses, then global IPv6, then loopback (for a second database on this laptop).
pub fn serving_addresses(store: &Store) -> Result<Vec<String>, StoreError> {
    let Some(listen) = store.local(LISTEN)?.and_then(|s| s.parse::<std::net::SocketAddr>().ok()) else {
        return Ok(Vec::new());
    };
    if !listen.ip().is_unspecified() {
        return Ok(vec![listen.to_string()]);
    }
    let port = listen.port();
    let mut ips: Vec<std::net::IpAddr> =
        if_addrs::get_if_addrs().map(|v| v.into_iter().map(|i| i.ip()).collect()).unwrap_or_default();
    ips.retain(|ip| match ip {
        std::net::IpAddr::V4(v4) => !v4.is_link_local(),
        // Link-local IPv6 needs a scope id that differs per laptop.
        std::net::IpAddr::V6(v6) => listen.is_ipv6() && !v6.is_unicast_link_local(),
    });
    ips.sort_by_key(|ip| (ip.is_loopback(), ip.is_ipv6()));
    ips.dedup();
    Ok(ips.into_iter().map(|ip| std::net::SocketAddr::new(ip, port).to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;

    fn at(t: &str) -> FakeClock {
        FakeClock::new(t.parse().unwrap())
    }

    fn lead() -> Author {
        Author { name: "Minh".into(), role: "Tech Lead".into() }
    }

    fn a_room() -> (Store, FakeClock, Room) {
        let mut s = Store::open_in_memory().unwrap();
        let clock = at("2026-01-31T20:00:00Z");
        s.import(&crate::demo::runbook().unwrap(), &lead(), false, &clock).unwrap();
        let room = create(&mut s, &lead(), &"a".repeat(64), "bridge laptop", &clock).unwrap();
        (s, clock, room)
    }

    fn hours(hours: u32) -> Terms {
        Terms { hours, ..Terms::default() }
    }

    fn request(code: &JoinCode, exporter: &[u8]) -> JoinRequest {
        let keys = crate::keys::LaptopKeys::generate().unwrap();
        JoinRequest {
            room: code.room.clone(),
            proof: proof(code, exporter),
            name: "Huy's laptop".into(),
            addresses: vec![],
            origin: crate::keys::origin_of(&keys.public_hex()),
            key: keys.public_hex(),
            key_proof: keys.sign_session(exporter),
        }
    }

    #[test]
    fn a_laptop_cannot_enrol_another_laptops_key_as_its_own() {
        let (mut s, clock, _) = a_room();
        let code = invite(&mut s, &lead(), &"a".repeat(64), vec!["10.0.0.5:7879".into()], hours(12), &clock).unwrap();
        let session = [7u8; 32];
        let victim = request(&code, &[9u8; 32]);
        let mut req = request(&code, &session);
        // The victim's key and database, with a proof made on another session.
        (req.origin, req.key, req.key_proof) = (victim.origin, victim.key, victim.key_proof);
        let before = s.event_count().unwrap();
        let e = admit(&mut s, &lead(), &"b".repeat(64), &session, &req, &clock).unwrap_err();
        assert!(matches!(e, RoomError::BadKey), "{e}");
        assert_eq!(s.event_count().unwrap(), before);
    }

    #[test]
    fn a_join_code_reads_back_as_written_even_wrapped_by_a_chat() {
        let (mut s, clock, room) = a_room();
        let code = invite(
            &mut s,
            &lead(),
            &"a".repeat(64),
            vec!["10.0.0.5:7879".into(), "[fe80::1]:7879".into()],
            hours(12),
            &clock,
        )
        .unwrap();
        assert_eq!(code.room, room.id);
        let text = code.to_string();
        assert!(text.starts_with("warroom://join?room="), "{text}");
        let wrapped = format!("  {}\n{} ", &text[..40], &text[40..]);
        assert_eq!(wrapped.parse::<JoinCode>().unwrap(), code);
        let cut = &text[..text.len() - 70];
        assert!(cut.parse::<JoinCode>().unwrap_err().to_string().contains("cut short"));
        assert!("https://example".parse::<JoinCode>().unwrap_err().to_string().contains("warroom://join?"));
    }

    #[test]
    fn a_laptop_with_the_code_is_admitted_once_through_the_log() {
        let (mut s, clock, room) = a_room();
        let code = invite(&mut s, &lead(), &"a".repeat(64), vec!["10.0.0.5:7879".into()], hours(12), &clock).unwrap();
        let joiner = "b".repeat(64);
        let session = [7u8; 32];
        let before = s.event_count().unwrap();
        let a = admit(&mut s, &lead(), &joiner, &session, &request(&code, &session), &clock).unwrap();
        assert!(a.admitted);
        assert_eq!(a.room, room);
        assert!(members::admitted(&s, &joiner).unwrap());
        assert_eq!(s.event_count().unwrap(), before + 1);
        let again = admit(&mut s, &lead(), &joiner, &session, &request(&code, &session), &clock).unwrap();
        assert!(!again.admitted);
        assert_eq!(s.event_count().unwrap(), before + 1, "a second join writes nothing");
    }

    #[test]
    fn a_wrong_replayed_expired_or_revoked_join_is_refused_and_changes_nothing() {
        let (mut s, clock, _) = a_room();
        let code = invite(&mut s, &lead(), &"a".repeat(64), vec!["10.0.0.5:7879".into()], hours(1), &clock).unwrap();
        let joiner = "b".repeat(64);
        let before = s.event_count().unwrap();

        let mut wrong = code.clone();
        wrong.secret = "0".repeat(32);
        let e = admit(&mut s, &lead(), &joiner, &[1; 32], &request(&wrong, &[1; 32]), &clock).unwrap_err();
        assert!(matches!(e, RoomError::WrongSecret), "{e}");

        // A proof made on one session, sent over another.
        let replayed = request(&code, &[1; 32]);
        let e = admit(&mut s, &lead(), &joiner, &[2; 32], &replayed, &clock).unwrap_err();
        assert!(matches!(e, RoomError::WrongSecret), "{e}");

        let mut other = request(&code, &[1; 32]);
        other.room = "f".repeat(32);
        assert!(matches!(admit(&mut s, &lead(), &joiner, &[1; 32], &other, &clock), Err(RoomError::WrongRoom { .. })));

        let later = at("2026-01-31T21:00:01Z");
        let e = admit(&mut s, &lead(), &joiner, &[1; 32], &request(&code, &[1; 32]), &later).unwrap_err();
        assert!(e.to_string().contains("expired at 2026-01-31 21:00 UTC"), "{e}");
        assert_eq!(s.event_count().unwrap(), before);

        members::trust(&mut s, &lead(), &joiner, "Huy", &clock).unwrap();
        members::revoke(&mut s, &lead(), &joiner, &clock).unwrap();
        let n = s.event_count().unwrap();
        let e = admit(&mut s, &lead(), &joiner, &[1; 32], &request(&code, &[1; 32]), &clock).unwrap_err();
        assert!(matches!(e, RoomError::Revoked(_)), "{e}");
        assert_eq!(s.event_count().unwrap(), n);
        assert!(!members::admitted(&s, &joiner).unwrap());
    }

    #[test]
    fn a_code_admits_as_many_laptops_as_it_was_issued_for_and_its_uses_are_in_the_log() {
        let (mut s, clock, _) = a_room();
        let two = Terms { hours: 12, uses: NonZeroU32::new(2).unwrap() };
        let code = invite(&mut s, &lead(), &"a".repeat(64), vec!["10.0.0.5:7879".into()], two, &clock).unwrap();
        for (i, joiner) in ["b", "c"].iter().enumerate() {
            let session = [u8::try_from(i).unwrap(); 32];
            let a = admit(&mut s, &lead(), &joiner.repeat(64), &session, &request(&code, &session), &clock).unwrap();
            assert!(a.admitted, "{joiner}");
        }
        let before = s.event_count().unwrap();
        let e = admit(&mut s, &lead(), &"d".repeat(64), &[9; 32], &request(&code, &[9; 32]), &clock).unwrap_err();
        assert!(matches!(e, RoomError::UsedUp { uses: 2 }), "{e}");
        assert!(e.to_string().contains("already used (2 of 2"), "{e}");
        assert_eq!(s.event_count().unwrap(), before);
        let issued = codes::issued(&s, &codes::code_id(&code.secret)).unwrap().unwrap();
        assert_eq!(issued.used_by, vec!["b".repeat(64), "c".repeat(64)]);
        let log: Vec<String> = s.events().unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(log.iter().filter(|k| *k == "room.invite").count(), 1);
        assert_eq!(log.iter().filter(|k| *k == "member.join").count(), 2);
    }

    #[test]
    fn a_revocation_voids_every_code_issued_before_it() {
        let (mut s, clock, _) = a_room();
        let three = Terms { hours: 12, uses: NonZeroU32::new(3).unwrap() };
        let old = invite(&mut s, &lead(), &"a".repeat(64), vec!["10.0.0.5:7879".into()], three, &clock).unwrap();
        admit(&mut s, &lead(), &"b".repeat(64), &[1; 32], &request(&old, &[1; 32]), &clock).unwrap();
        clock.advance(chrono::Duration::seconds(1));
        members::revoke(&mut s, &lead(), &"b".repeat(64), &clock).unwrap();
        // The revoked person again, from a new database: a new certificate.
        let e = admit(&mut s, &lead(), &"e".repeat(64), &[2; 32], &request(&old, &[2; 32]), &clock).unwrap_err();
        assert!(matches!(e, RoomError::Voided(_)), "{e}");
        assert!(e.to_string().contains("issued before"), "{e}");
        clock.advance(chrono::Duration::seconds(1));
        let new = invite(&mut s, &lead(), &"a".repeat(64), vec!["10.0.0.5:7879".into()], three, &clock).unwrap();
        assert!(admit(&mut s, &lead(), &"f".repeat(64), &[3; 32], &request(&new, &[3; 32]), &clock).unwrap().admitted);
    }

    #[test]
    fn a_room_needs_a_runbook_and_is_made_once() {
        let mut s = Store::open_in_memory().unwrap();
        let clock = at("2026-01-31T20:00:00Z");
        assert!(matches!(create(&mut s, &lead(), &"a".repeat(64), "x", &clock), Err(RoomError::NoRunbook)));
        assert!(matches!(invite(&mut s, &lead(), "a", vec![], hours(1), &clock), Err(RoomError::NotARoom)));
        let (mut s, clock, _) = a_room();
        assert!(matches!(create(&mut s, &lead(), &"a".repeat(64), "x", &clock), Err(RoomError::Already(_))));
        assert!(members::admitted(&s, &"a".repeat(64)).unwrap(), "the creator is a member");
    }
}
