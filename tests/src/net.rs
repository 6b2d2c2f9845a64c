//! A fault-injecting TCP proxy for the peer tests: it forwards one direction of one pair of
//! laptops, and can be cut (open connections are torn down, new ones closed at once) and healed,
//! which is how a test partitions the room without root or network namespaces.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub port: u16,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Forwards 127.0.0.1:`self.port` to 127.0.0.1:`to` until the test process ends.
    pub fn start(to: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("proxy: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("proxy: {e}"));
        let cut = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c, o) = (Arc::clone(&cut), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if c.load(Ordering::SeqCst) {
                    client.shutdown(Shutdown::Both).ok();
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                    client.shutdown(Shutdown::Both).ok();
                    continue;
                };
                client.set_nodelay(true).ok();
                server.set_nodelay(true).ok();
                if let (Ok(a), Ok(b)) = (client.try_clone(), server.try_clone()) {
                    let mut open = o.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    open.push(a);
                    open.push(b);
                }
                pipe(&client, &server);
                pipe(&server, &client);
            }
        });
        Self { port, cut, open }
    }

    /// Cuts the link (`true`) or heals it (`false`).
    pub fn cut(&self, on: bool) {
        self.cut.store(on, Ordering::SeqCst);
        if on {
            let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for s in open.drain(..) {
                s.shutdown(Shutdown::Both).ok();
            }
        }
    }
}

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else { return };
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        to.shutdown(Shutdown::Write).ok();
    });
}
