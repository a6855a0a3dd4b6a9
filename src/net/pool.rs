//! The connections of one run, handed from the hop that opened them to the hops after
//! it: the tcp hop's connect becomes the tls hop's connection, and the tls hop's
//! session carries the token call, the manifest and the blob. A real client (the ECS
//! agent, containerd) keeps one connection per registry host; opening one per request
//! cost the probe four round trips on the critical path and charged connects and
//! handshakes to hops that test neither (README, "Performance").
//!
//! A connection is pinned to the address the hop before it tested: reuse never crosses
//! to an address no hop judged. Each HTTP hop's evidence says when it reused one
//! (`timings.reused_connection`), so a hop's timings never silently include or omit a
//! connect.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use tokio::net::TcpStream;

/// A request sender of an HTTP/1.1 connection whose task runs in the background.
pub type Sender = SendRequest<Full<Bytes>>;

/// An HTTP/1.1 connection ready for its next request.
pub struct Idle {
    pub sender: Sender,
    pub remote: SocketAddr,
}

/// Where the connections wait between hops. Cloning shares it.
#[derive(Clone, Default)]
pub struct Pool(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    /// Connected by a tcp hop and not used since, by address.
    tcp: HashMap<SocketAddr, TcpStream>,
    /// HTTP/1.1 connections between requests, by host and port (the TLS name).
    idle: HashMap<(String, u16), Vec<Idle>>,
}

/// At most this many idle connections per host are kept: a run needs one.
const IDLE_PER_HOST: usize = 2;

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (tcp, idle) = self
            .0
            .lock()
            .map(|i| (i.tcp.len(), i.idle.values().map(Vec::len).sum::<usize>()))
            .unwrap_or_default();
        f.debug_struct("Pool")
            .field("tcp", &tcp)
            .field("idle", &idle)
            .finish()
    }
}

impl Pool {
    /// Keep a connected stream for the next connection to `addr`; one per address.
    pub fn put_tcp(&self, addr: SocketAddr, stream: TcpStream) {
        if let Ok(mut inner) = self.0.lock() {
            inner.tcp.entry(addr).or_insert(stream);
        }
    }

    pub fn take_tcp(&self, addr: SocketAddr) -> Option<TcpStream> {
        self.0.lock().ok()?.tcp.remove(&addr)
    }

    /// Keep `idle` for the next request to `host:port`, unless its connection closed.
    pub fn put(&self, host: &str, port: u16, idle: Idle) {
        if idle.sender.is_closed() {
            return;
        }
        if let Ok(mut inner) = self.0.lock() {
            let slot = inner.idle.entry((host.to_string(), port)).or_default();
            if slot.len() < IDLE_PER_HOST {
                slot.push(idle);
            }
        }
    }

    /// An open connection to `host:port`, the one put last first.
    pub fn take(&self, host: &str, port: u16) -> Option<Idle> {
        let mut inner = self.0.lock().ok()?;
        let slot = inner.idle.get_mut(&(host.to_string(), port))?;
        while let Some(idle) = slot.pop() {
            if !idle.sender.is_closed() {
                return Some(idle);
            }
        }
        None
    }
}
