//! What `warroom serve` answers a browser with, besides the API itself: the names it may be
//! reached by (a `Host` allow-list, so a page whose name was rebound to this laptop's address
//! gets nothing) and the headers every answer carries (a Content-Security-Policy that lets the
//! built UI run and nothing else, no framing, no type sniffing, no referrer).

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// The headers every answer carries besides the Content-Security-Policy.
pub const SECURITY_HEADERS: [(&str, &str); 3] =
    [("x-frame-options", "DENY"), ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer")];

/// The names a browser may reach a server bound to one address by.
#[derive(Clone, Debug)]
pub struct Hosts {
    bind: IpAddr,
}

impl Hosts {
    /// For a server bound to `bind`: loopback (`localhost`, `127.0.0.1`, `[::1]`) always; the
    /// bound address; and, bound to every address (`0.0.0.0`, `::`), each of this laptop's.
    pub fn new(bind: IpAddr) -> Self {
        Self { bind }
    }

    /// Whether a request whose `Host` header says `host` (with or without a port) is for us.
    /// Only addresses and `localhost` are: any other name may have been pointed at this laptop
    /// by someone else's DNS.
    pub fn allows(&self, host: &str) -> bool {
        let Some(name) = name_of(host) else { return false };
        if name.eq_ignore_ascii_case("localhost") || name.eq_ignore_ascii_case("localhost.") {
            return true;
        }
        let Ok(ip) = name.parse::<IpAddr>() else { return false };
        if ip.is_loopback() || ip == self.bind {
            return true;
        }
        self.bind.is_unspecified()
            && (ip.is_unspecified() || if_addrs::get_if_addrs().is_ok_and(|all| all.iter().any(|i| i.ip() == ip)))
    }
}

/// The name or address of a `Host` header, without its port or an IPv6 address's brackets.
fn name_of(host: &str) -> Option<&str> {
    let host = host.trim();
    if let Some(v6) = host.strip_prefix('[') {
        let (addr, rest) = v6.split_once(']')?;
        return (rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port)).then_some(addr);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if is_port(port) => Some(name),
        Some(_) => None,
        None => Some(host),
    }
    .filter(|n| !n.is_empty())
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

/// The Content-Security-Policy for the UI whose `index.html` is given (and for the API's answers,
/// with none): scripts only from this server — the UI's inline loader by its hash — plus
/// WebAssembly; styles from this server or inline (the audit record's page has its own);
/// connections back to this server only; never in a frame.
pub fn content_security_policy(index_html: Option<&str>) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for inline in index_html.map(inline_scripts).unwrap_or_default() {
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(inline.as_bytes()));
        scripts.push_str(&format!(" 'sha256-{digest}'"));
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The text of each `<script>` in `html` that has no `src`: what the page runs inline.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<script") {
        let Some(open_end) = rest[i..].find('>') else { break };
        let tag = &rest[i..i + open_end];
        let body = &rest[i + open_end + 1..];
        let Some(close) = body.find("</script>") else { break };
        if !tag.contains("src=") {
            found.push(&body[..close]);
        }
        rest = &body[close..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_bound_address_are_allowed_and_other_names_are_not() {
        let loopback = Hosts::new("127.0.0.1".parse().unwrap());
        for ok in ["localhost", "localhost:7878", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:7878", "[::1]:7878", "[::1]"] {
            assert!(loopback.allows(ok), "{ok}");
        }
        for refused in
            ["rebind.evil.example", "rebind.evil.example:7878", "localhost.evil.example", "", ":7878", "[::1", "a:b:c"]
        {
            assert!(!loopback.allows(refused), "{refused:?}");
        }
        assert!(!loopback.allows("192.0.2.7:7878"), "a loopback server is not reached by a LAN address");
        let lan = Hosts::new("192.0.2.7".parse().unwrap());
        assert!(lan.allows("192.0.2.7:7878") && lan.allows("localhost:7878"));
        assert!(!lan.allows("192.0.2.8:7878") && !lan.allows("warroom.example:7878"));
        let every = Hosts::new("0.0.0.0".parse().unwrap());
        assert!(every.allows("0.0.0.0:7878") && every.allows("127.0.0.1:7878"));
        assert!(!every.allows("rebind.evil.example:7878"));
    }

    #[test]
    fn the_policy_lets_the_uis_own_inline_loader_run_and_nothing_else_inline() {
        let html = "<head><script type=\"module\">\nimport init from '/ui.js';\n</script>\
                    <script src=\"/x.js\"></script></head>";
        let csp = content_security_policy(Some(html));
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"\nimport init from '/ui.js';\n"));
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';")), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("'unsafe-eval'"), "{csp}");
        assert!(!content_security_policy(None).contains("sha256"));
    }
}
