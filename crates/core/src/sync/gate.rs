//! The peer port's door: what a connection gets before anyone knows who is calling. It owns
//! the accept loop, the caps on open connections (overall and per remote address, the excess
//! closed at once), the TLS handshake's deadline, and the pause when accepting fails (file
//! descriptors run out), so that a stranger cannot exhaust the laptop before authentication.
//! What comes through, with its caller known, is served by `node`'s router.

use super::node::Caller;
use super::room::EXPORTER_LABEL;
use super::tls::fingerprint;
use axum::{Extension, Router};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A connection that has not finished its TLS handshake by then is dropped.
pub(super) const HANDSHAKE: Duration = Duration::from_secs(10);
/// Connections open at once, whoever makes them; more are closed as soon as they are accepted.
pub(super) const MAX_CONNECTIONS: usize = 256;
/// Connections open at once from one address: a member laptop needs a few (its requests and its
/// change stream), so this leaves room for several behind one address and no more.
pub(super) const PER_ADDRESS: usize = 32;
/// The first and the longest pause after a failed accept: a failure such as running out of file
/// descriptors repeats at once, and retrying without a pause spins a core.
const PAUSE_FIRST: Duration = Duration::from_millis(100);
const PAUSE_MAX: Duration = Duration::from_secs(1);

/// Counts the open connections, overall and per address.
#[derive(Clone)]
pub(super) struct Door {
    total: Arc<Semaphore>,
    per_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    most_per_address: usize,
}

/// One connection let in: its place is given back when it is dropped.
pub(super) struct Pass {
    _total: OwnedSemaphorePermit,
    ip: IpAddr,
    per_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Pass {
    fn drop(&mut self) {
        if let Ok(mut open) = self.per_address.lock()
            && let Some(n) = open.get_mut(&self.ip)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

impl Door {
    pub(super) fn new(total: usize, per_address: usize) -> Self {
        Self { total: Arc::new(Semaphore::new(total)), per_address: Arc::default(), most_per_address: per_address }
    }

    /// A place for a connection from `ip`, unless the door is full overall or for that address.
    pub(super) fn admit(&self, ip: IpAddr) -> Option<Pass> {
        let total = Arc::clone(&self.total).try_acquire_owned().ok()?;
        let mut open = self.per_address.lock().ok()?;
        let n = open.entry(ip).or_insert(0);
        if *n >= self.most_per_address {
            return None;
        }
        *n += 1;
        Some(Pass { _total: total, ip, per_address: Arc::clone(&self.per_address) })
    }
}

impl Default for Door {
    fn default() -> Self {
        Self::new(MAX_CONNECTIONS, PER_ADDRESS)
    }
}

/// Accepts connections on `listener` until `stop`, each served by `app` in a task of `tasks`.
pub(super) async fn accept_loop(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: Router,
    stop: CancellationToken,
    tasks: TaskTracker,
) {
    let door = Door::default();
    let mut pause = PAUSE_FIRST;
    loop {
        let (tcp, from) = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if pause == PAUSE_FIRST {
                        tracing::warn!("cannot accept a peer's connection ({e}): pausing");
                    }
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(PAUSE_MAX);
                    continue;
                }
            },
        };
        pause = PAUSE_FIRST;
        let Some(pass) = door.admit(from.ip()) else {
            tracing::debug!("{from}: too many connections, closed");
            drop(tcp);
            continue;
        };
        let (acceptor, app, stop) = (acceptor.clone(), app.clone(), stop.clone());
        tasks.spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = serve_connection(acceptor, app, tcp) => {}
            }
            drop(pass);
        });
    }
}

/// One peer connection: TLS (within `HANDSHAKE`), then HTTP until either side ends it.
async fn serve_connection(acceptor: tokio_rustls::TlsAcceptor, app: Router, tcp: tokio::net::TcpStream) {
    // A failed or late handshake (no certificate, a wrong pin on the other side, nothing sent)
    // just ends it.
    let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp)).await else { return };
    let conn = tls.get_ref().1;
    let Some(fp) = conn.peer_certificates().and_then(|c| c.first()).map(|c| fingerprint(c)) else {
        return;
    };
    let mut exporter = [0u8; 32];
    if conn.export_keying_material(&mut exporter, EXPORTER_LABEL, None).is_err() {
        return;
    }
    let caller = Caller { fingerprint: fp, exporter };
    let service = hyper_util::service::TowerToHyperService::new(app.layer(Extension(caller)));
    if let Err(e) = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
        .await
    {
        tracing::debug!("a peer's connection ended: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_over_the_caps_are_refused_and_their_places_given_back_when_closed() {
        let door = Door::new(3, 2);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = door.admit(a).unwrap();
        let _second = door.admit(a).unwrap();
        assert!(door.admit(a).is_none(), "two from one address at most");
        let _third = door.admit(b).unwrap();
        assert!(door.admit(b).is_none(), "three at most overall");
        drop(first);
        assert!(door.admit(b).is_some(), "a closed connection's place is free again");
        assert!(door.per_address.lock().unwrap().len() <= 2);
    }
}
