//! Finding the room's other laptops on the LAN by mDNS (DNS-SD, `_warroom._tcp`): each laptop
//! that serves peers advertises a hash of its room id and its certificate's fingerprint, never
//! a secret; a laptop of the same room that sees it learns where to reach it. Only a hint:
//! multicast does not cross VPNs and is blocked on guest Wi-Fi and Windows' public profile, so
//! join codes and manual addresses always work without it, and a laptop found this way is
//! still only synced with if its fingerprint is a member's.

use super::room::KnownPeer;
use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

/// The DNS-SD service type warroom laptops advertise.
pub const SERVICE: &str = "_warroom._tcp.local.";

#[derive(Debug, thiserror::Error)]
#[error("LAN discovery (mDNS) is not available: {0}")]
pub struct DiscoveryError(String);

impl From<mdns_sd::Error> for DiscoveryError {
    fn from(e: mdns_sd::Error) -> Self {
        Self(e.to_string())
    }
}

/// What a room is advertised as: a hash of its id, so that the LAN does not learn the id.
pub fn room_tag(room: &str) -> String {
    hex::encode(&Sha256::digest(format!("warroom room {room}").as_bytes())[..8])
}

/// The advertisement and the browsing, for as long as this lives.
pub struct Discovery {
    daemon: ServiceDaemon,
}

impl Discovery {
    /// Advertises this laptop (`fingerprint`, serving peers on `port`) as a laptop of `room`,
    /// and calls `found` for every other laptop of that room seen on the LAN, at each address.
    pub fn start(
        room: &str,
        fingerprint: &str,
        port: u16,
        found: impl Fn(KnownPeer) + Send + 'static,
    ) -> Result<Self, DiscoveryError> {
        let daemon = ServiceDaemon::new()?;
        let tag = room_tag(room);
        let short = fingerprint.get(..16).unwrap_or(fingerprint);
        let props = [("room", tag.as_str()), ("fp", fingerprint), ("v", "1")];
        let info = ServiceInfo::new(SERVICE, short, &format!("warroom-{short}.local."), "", port, &props[..])?
            .enable_addr_auto();
        daemon.register(info)?;
        let events = daemon.browse(SERVICE)?;
        let me = fingerprint.to_owned();
        std::thread::spawn(move || {
            while let Ok(event) = events.recv() {
                let ServiceEvent::ServiceResolved(s) = event else { continue };
                if s.get_property_val_str("room") != Some(tag.as_str()) {
                    continue;
                }
                let Some(fp) = s.get_property_val_str("fp").map(super::tls::normalize) else { continue };
                if fp == me || fp.len() != 64 {
                    continue;
                }
                for ip in s.get_addresses() {
                    let ip = ip.to_ip_addr();
                    // Link-local IPv6 needs a scope id that differs per laptop.
                    if matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()) {
                        continue;
                    }
                    let url = format!("https://{}", SocketAddr::new(ip, s.get_port()));
                    found(KnownPeer { url, fingerprint: fp.clone() });
                }
            }
        });
        Ok(Self { daemon })
    }
}

impl Drop for Discovery {
    fn drop(&mut self) {
        if let Err(e) = self.daemon.shutdown() {
            tracing::debug!("stopping the mDNS daemon: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_room_is_advertised_by_a_hash_not_its_id() {
        let tag = room_tag("e1742f090a2cc6bc584eb46e67b6ddbd");
        assert_eq!(tag.len(), 16);
        assert!(!"e1742f090a2cc6bc584eb46e67b6ddbd".contains(&tag));
        assert_ne!(tag, room_tag("f1742f090a2cc6bc584eb46e67b6ddbd"));
    }

    #[test]
    fn two_laptops_of_a_room_find_each_other_and_not_another_rooms() {
        let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        let (tx, rx) = mpsc::channel();
        let tx2 = tx.clone();
        let _a = Discovery::start("room-1", &a, 47001, move |p| {
            tx.send(("a", p)).ok();
        })
        .unwrap();
        let _b = Discovery::start("room-1", &b, 47002, move |p| {
            tx2.send(("b", p)).ok();
        })
        .unwrap();
        let _c = Discovery::start("room-2", &c, 47003, |_| {}).unwrap();
        let (mut a_found_b, mut b_found_a) = (false, false);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !(a_found_b && b_found_a) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let (who, p) = rx.recv_timeout(left).expect("the two laptops found each other on the LAN");
            assert_ne!(p.fingerprint, c, "a laptop of another room is not reported");
            match who {
                "a" => {
                    assert_eq!(p.fingerprint, b);
                    assert!(p.url.ends_with(":47002"), "{p:?}");
                    a_found_b = true;
                }
                _ => {
                    assert_eq!(p.fingerprint, a);
                    assert!(p.url.ends_with(":47001"), "{p:?}");
                    b_found_a = true;
                }
            }
        }
    }
}
