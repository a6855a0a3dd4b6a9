//! A fake DNS server on 127.0.0.1 (UDP and TCP on the same port) for the hop tests.
//!
//! It answers from a table: a name maps to an IPv4 address (A answer; AAAA is NOERROR
//! without records), to NXDOMAIN, or to silence. Names not in the table get NXDOMAIN.
//! `FakeDns::silent` never answers anything, for the "DNS does not answer" case.
//! Every query is recorded, so a test can assert that a name was never looked up.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use hickory_resolver::proto::op::{Message, OpCode, ResponseCode};
use hickory_resolver::proto::rr::rdata::A;
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// What the fake says about one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A: this address; AAAA: NOERROR, no records.
    V4(Ipv4Addr),
    NxDomain,
    /// No reply at all.
    Silent,
    /// A: this many addresses, 127.0.x.y (all loopback); over UDP a truncated
    /// answer, so the client asks again over TCP as for any large answer.
    Many(u16),
    /// A reply that is not DNS at all.
    Garbage,
}

/// One query the fake received: the name (lower case, no trailing dot) and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub name: String,
    pub record_type: String,
}

type Table = Arc<HashMap<String, Answer>>;

pub struct FakeDns {
    pub addr: SocketAddr,
    queries: Arc<Mutex<Vec<Query>>>,
}

impl FakeDns {
    /// Serve `table` (names without trailing dot) on a fresh loopback port.
    pub async fn start(table: HashMap<String, Answer>) -> FakeDns {
        Self::start_with(Arc::new(table), false).await
    }

    /// A server that receives every query and never answers.
    pub async fn silent() -> FakeDns {
        Self::start_with(Arc::new(HashMap::new()), true).await
    }

    async fn start_with(table: Table, silent: bool) -> FakeDns {
        let (udp, tcp) = bind_pair().await;
        let addr = udp.local_addr().expect("udp local addr");
        let queries = Arc::new(Mutex::new(Vec::new()));
        let udp = Arc::new(udp);
        {
            let (table, queries) = (table.clone(), queries.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                // Bounded by the runtime: the test drops it when done.
                loop {
                    let Ok((n, peer)) = udp.recv_from(&mut buf).await else {
                        continue;
                    };
                    if let Some(reply) = answer(&buf[..n], &table, &queries, silent, true) {
                        let _ = udp.send_to(&reply, peer).await;
                    }
                }
            });
        }
        {
            let (table, queries) = (table.clone(), queries.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((mut conn, _)) = tcp.accept().await else {
                        continue;
                    };
                    let _ = conn.set_nodelay(true);
                    let (table, queries) = (table.clone(), queries.clone());
                    tokio::spawn(async move {
                        // Length-prefixed messages (RFC 1035 §4.2.2), several per connection.
                        for _ in 0..16 {
                            let Ok(len) = conn.read_u16().await else {
                                return;
                            };
                            let mut msg = vec![0u8; usize::from(len)];
                            if conn.read_exact(&mut msg).await.is_err() {
                                return;
                            }
                            match answer(&msg, &table, &queries, silent, false) {
                                Some(reply) => {
                                    let Ok(len) = u16::try_from(reply.len()) else {
                                        return;
                                    };
                                    let _ = conn.write_u16(len).await;
                                    let _ = conn.write_all(&reply).await;
                                }
                                // Hold the connection open without answering; the
                                // runtime's shutdown ends this task.
                                None => std::future::pending::<()>().await,
                            }
                        }
                    });
                }
            });
        }
        FakeDns { addr, queries }
    }

    pub fn queries(&self) -> Vec<Query> {
        self.queries.lock().expect("dns query log").clone()
    }

    /// Whether any query asked about `name`.
    pub fn was_asked(&self, name: &str) -> bool {
        self.queries().iter().any(|q| q.name == name)
    }
}

/// A UDP socket and a TCP listener on the same loopback port.
async fn bind_pair() -> (UdpSocket, TcpListener) {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
        let addr = udp.local_addr().expect("udp addr");
        if let Ok(tcp) = TcpListener::bind(addr).await {
            return (udp, tcp);
        }
    }
    panic!("no loopback port free for both UDP and TCP");
}

fn answer(
    request: &[u8],
    table: &HashMap<String, Answer>,
    log: &Mutex<Vec<Query>>,
    silent: bool,
    udp: bool,
) -> Option<Vec<u8>> {
    let req = Message::from_vec(request).ok()?;
    let q = req.queries.first()?.clone();
    let name = q
        .name()
        .to_ascii()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    log.lock().ok()?.push(Query {
        name: name.clone(),
        record_type: q.query_type().to_string(),
    });
    if silent {
        return None;
    }
    let mut resp = Message::response(req.metadata.id, OpCode::Query);
    resp.metadata.recursion_desired = req.metadata.recursion_desired;
    resp.metadata.recursion_available = true;
    resp.metadata.authoritative = true;
    resp.add_query(q.clone());
    match table.get(&name).copied().unwrap_or(Answer::NxDomain) {
        Answer::Silent => return None,
        Answer::NxDomain => resp.metadata.response_code = ResponseCode::NXDomain,
        Answer::V4(ip) => {
            if q.query_type() == RecordType::A {
                resp.add_answer(Record::from_rdata(q.name().clone(), 60, RData::A(A(ip))));
            }
        }
        Answer::Many(_) if udp => resp.metadata.truncation = true,
        Answer::Many(n) => {
            if q.query_type() == RecordType::A {
                for i in 0..n {
                    let ip = Ipv4Addr::new(127, 0, (i / 250) as u8, (i % 250) as u8 + 1);
                    resp.add_answer(Record::from_rdata(q.name().clone(), 60, RData::A(A(ip))));
                }
            }
        }
        Answer::Garbage => {
            // The request's id, so the client reads it, then bytes that parse as nothing.
            let mut junk = request.get(..2).unwrap_or_default().to_vec();
            junk.extend_from_slice(&[0xff; 40]);
            return Some(junk);
        }
    }
    resp.to_vec().ok()
}
