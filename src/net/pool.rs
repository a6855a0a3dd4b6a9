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
use std::time::Duration;

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
pub struct Pool(Arc<Shared>);

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    /// Signalled whenever a leased connection comes back (or is gone).
    returned: tokio::sync::Notify,
}

#[derive(Default)]
struct Inner {
    /// Connected by a tcp hop and not used since, by address.
    tcp: HashMap<SocketAddr, TcpStream>,
    /// HTTP/1.1 connections between requests, by host and port (the TLS name).
    idle: HashMap<(String, u16), Vec<Idle>>,
    /// Connections carrying a request now, by host and port.
    busy: HashMap<(String, u16), usize>,
}

/// At most this many idle connections per host are kept: a run needs one.
const IDLE_PER_HOST: usize = 2;

/// How long a request waits for a busy connection to its host before opening another:
/// the `/v2/` ping and the token call run side by side, and the manifest that follows
/// the token should take the ping's connection, not handshake again.
pub const WAIT_FOR_BUSY: Duration = Duration::from_millis(250);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (tcp, idle) = self
            .0
            .inner
            .lock()
            .map(|i| (i.tcp.len(), i.idle.values().map(Vec::len).sum::<usize>()))
            .unwrap_or_default();
        f.debug_struct("Pool")
            .field("tcp", &tcp)
            .field("idle", &idle)
            .finish()
    }
}

/// A connection in use: counted busy until it is given back or dropped (a response
/// whose body was not read to its end closes its connection).
#[derive(Debug)]
pub struct Lease {
    pool: Pool,
    key: (String, u16),
}

impl Lease {
    /// Keep the connection for the next request to the same host, then wake a request
    /// waiting for it.
    pub fn give_back(self, idle: Idle) {
        self.pool.put(&self.key.0, self.key.1, idle);
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.pool.0.inner.lock()
            && let Some(n) = inner.busy.get_mut(&self.key)
        {
            *n = n.saturating_sub(1);
        }
        self.pool.0.returned.notify_waiters();
    }
}

impl Pool {
    /// Keep a connected stream for the next connection to `addr`; one per address.
    pub fn put_tcp(&self, addr: SocketAddr, stream: TcpStream) {
        if let Ok(mut inner) = self.0.inner.lock() {
            inner.tcp.entry(addr).or_insert(stream);
        }
    }

    pub fn take_tcp(&self, addr: SocketAddr) -> Option<TcpStream> {
        self.0.inner.lock().ok()?.tcp.remove(&addr)
    }

    /// Keep `idle` for the next request to `host:port`, unless its connection closed.
    pub fn put(&self, host: &str, port: u16, idle: Idle) {
        if idle.sender.is_closed() {
            return;
        }
        if let Ok(mut inner) = self.0.inner.lock() {
            let slot = inner.idle.entry((host.to_string(), port)).or_default();
            if slot.len() < IDLE_PER_HOST {
                slot.push(idle);
            }
        }
    }

    /// Count a connection to `host:port` busy until the lease is dropped.
    pub fn lease(&self, host: &str, port: u16) -> Lease {
        let key = (host.to_string(), port);
        if let Ok(mut inner) = self.0.inner.lock() {
            *inner.busy.entry(key.clone()).or_default() += 1;
        }
        Lease {
            pool: self.clone(),
            key,
        }
    }

    /// An open connection to `host:port`, the one put last first; when every one is
    /// busy, the first to come back within `wait`. `None`: open a new one.
    pub async fn take(&self, host: &str, port: u16, wait: Duration) -> Option<Idle> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let returned = self.0.returned.notified();
            tokio::pin!(returned);
            // Registered before looking, so a return in between is not missed.
            returned.as_mut().enable();
            {
                let mut inner = self.0.inner.lock().ok()?;
                let key = (host.to_string(), port);
                if let Some(slot) = inner.idle.get_mut(&key) {
                    while let Some(idle) = slot.pop() {
                        if !idle.sender.is_closed() {
                            return Some(idle);
                        }
                    }
                }
                if inner.busy.get(&key).copied().unwrap_or(0) == 0 {
                    return None;
                }
            }
            tokio::time::timeout_at(until, returned).await.ok()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sender over an in-memory pipe; the server end is returned so the connection
    /// stays open while the test holds it.
    async fn sender() -> (Sender, tokio::io::DuplexStream) {
        let (client, server) = tokio::io::duplex(1024);
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(client))
                .await
                .unwrap();
        tokio::spawn(conn);
        (sender, server)
    }

    fn addr() -> SocketAddr {
        SocketAddr::from(([10, 0, 1, 102], 443))
    }

    fn idle(sender: Sender) -> Idle {
        Idle {
            sender,
            remote: addr(),
        }
    }

    /// Runs `test` on a fresh pool in a current-thread runtime, as the probe runs.
    fn with_pool<F: std::future::Future<Output = ()>>(test: impl FnOnce(Pool) -> F) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(test(Pool::default()));
    }

    #[test]
    fn nothing_idle_and_nothing_busy_means_open_a_new_one_at_once() {
        with_pool(|pool| async move {
            assert!(
                pool.take("dkr", 443, Duration::from_secs(30))
                    .await
                    .is_none()
            );
        });
    }

    #[test]
    fn a_connection_put_back_is_taken_for_its_host_only() {
        with_pool(|pool| async move {
            let (s, _server) = sender().await;
            pool.put("dkr", 443, idle(s));
            assert!(pool.take("api", 443, Duration::ZERO).await.is_none());
            assert!(pool.take("dkr", 8443, Duration::ZERO).await.is_none());
            let got = pool.take("dkr", 443, Duration::ZERO).await;
            assert_eq!(got.map(|i| i.remote), Some(addr()));
            assert!(pool.take("dkr", 443, Duration::ZERO).await.is_none());
        });
    }

    #[test]
    fn a_request_waits_for_the_busy_connection_to_come_back() {
        with_pool(|pool| async move {
            let lease = pool.lease("dkr", 443);
            let (s, _server) = sender().await;
            let back = pool.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                back.put("dkr", 443, idle(s));
                drop(lease);
            });
            let got = pool.take("dkr", 443, Duration::from_secs(30)).await;
            assert_eq!(got.map(|i| i.remote), Some(addr()));
        });
    }

    #[test]
    fn a_connection_that_never_comes_back_is_not_waited_for_past_the_bound() {
        with_pool(|pool| async move {
            let _held = pool.lease("dkr", 443);
            assert!(
                pool.take("dkr", 443, Duration::from_millis(30))
                    .await
                    .is_none()
            );
        });
    }

    #[test]
    fn a_closed_connection_is_never_handed_out() {
        with_pool(|pool| async move {
            let (s, server) = sender().await;
            drop(server);
            // The connection task sees the pipe close.
            for _ in 0..100 {
                if s.is_closed() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            assert!(s.is_closed());
            pool.put("dkr", 443, idle(s));
            assert!(pool.take("dkr", 443, Duration::ZERO).await.is_none());
        });
    }
}
