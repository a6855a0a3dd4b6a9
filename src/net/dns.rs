//! DNS through hickory, one resolver per name server so that every answer can be
//! attributed to the server that gave it (hickory does not report it).
//!
//! We never use `getaddrinfo`: it hides the rcode and the TTL, runs on a blocking thread
//! a timeout cannot cancel, and would consult whatever the host's NSS says instead of
//! the resolver a task in this subnet really uses.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RecordType;

/// The outcome of one query to one server.
#[derive(Debug, Clone)]
pub struct Answer {
    pub server: SocketAddr,
    pub record_type: RecordType,
    pub elapsed: Duration,
    pub result: Result<Vec<(IpAddr, u32)>, QueryError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    Timeout,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// NOERROR without records of this type.
    NoData,
    /// SERVFAIL, REFUSED, …
    Rcode(String),
    Other(String),
}

impl QueryError {
    pub fn rcode(&self) -> Option<String> {
        match self {
            QueryError::NxDomain => Some("NXDOMAIN".into()),
            QueryError::NoData => Some("NOERROR".into()),
            QueryError::Rcode(r) => Some(r.clone()),
            QueryError::Timeout | QueryError::Other(_) => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            QueryError::Timeout => "timeout".into(),
            QueryError::NxDomain => "no such name".into(),
            QueryError::NoData => "no records".into(),
            QueryError::Rcode(r) => format!("error response {r}"),
            QueryError::Other(e) => e.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Dns {
    servers: Arc<Vec<(SocketAddr, TokioResolver)>>,
    timeout: Duration,
    /// Every address answer of this run, by name and type: the clients' lookups reuse
    /// what a dns hop already asked (its own queries always go to the wire).
    answers: Arc<std::sync::Mutex<std::collections::HashMap<(String, RecordType), Cached>>>,
}

/// A definite answer: addresses, or that there are none (NXDOMAIN, no data).
type Cached = Result<Vec<IpAddr>, QueryError>;

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dns")
            .field(
                "servers",
                &self.servers.iter().map(|(a, _)| a).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Why a resolv.conf gave no name servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvConfError {
    Unreadable { path: PathBuf, reason: String },
    NoServer { path: PathBuf },
}

/// The bytes of a resolv.conf: the only I/O of reading one.
pub fn read_resolv_conf(path: &Path) -> Result<Vec<u8>, ResolvConfError> {
    std::fs::read(path).map_err(|e| ResolvConfError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The name servers in the text of a resolv.conf, in order, each once (`path` names
/// it in errors). Pure.
pub fn parse_resolv_conf(path: &Path, text: &[u8]) -> Result<Vec<SocketAddr>, ResolvConfError> {
    let err = |reason: String| ResolvConfError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    if text.len() > 64 * 1024 {
        return Err(err("larger than 64 KiB".into()));
    }
    let (cfg, _) =
        hickory_resolver::system_conf::parse_resolv_conf(text).map_err(|e| err(e.to_string()))?;
    let mut out: Vec<SocketAddr> = Vec::new();
    for ns in cfg.name_servers() {
        let port = ns.connections.first().map(|c| c.port).unwrap_or(53);
        let addr = SocketAddr::new(ns.ip, port);
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    if out.is_empty() {
        return Err(ResolvConfError::NoServer {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

impl Dns {
    pub fn new(servers: &[SocketAddr], timeout: Duration) -> Result<Self, NetError> {
        let mut built = Vec::with_capacity(servers.len());
        for &addr in servers {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            let cfg = ResolverConfig::from_name_servers(vec![NameServerConfig::new(
                addr.ip(),
                true,
                vec![udp, tcp],
            )]);
            let mut opts = ResolverOpts::default();
            opts.timeout = timeout;
            // One try per server: the probe reports what this server does, and a second
            // server is asked only when the first does not answer at all.
            opts.attempts = 0;
            opts.cache_size = 0;
            opts.use_hosts_file = ResolveHosts::Never;
            opts.num_concurrent_reqs = 1;
            opts.ndots = 0;
            let resolver = hickory_resolver::Resolver::builder_with_config(
                cfg,
                TokioRuntimeProvider::default(),
            )
            .with_options(opts)
            .build()?;
            built.push((addr, resolver));
        }
        Ok(Dns {
            servers: Arc::new(built),
            timeout,
            answers: Arc::default(),
        })
    }

    pub fn servers(&self) -> Vec<SocketAddr> {
        self.servers.iter().map(|(a, _)| *a).collect()
    }

    /// Ask the servers in order; move to the next only when one does not answer
    /// (timeout or network error), as a stub resolver does.
    pub async fn query(&self, host: &str, rtype: RecordType) -> Answer {
        let fqdn = if host.ends_with('.') {
            host.to_string()
        } else {
            format!("{host}.")
        };
        let mut last = None;
        for (addr, resolver) in self.servers.iter() {
            let t0 = Instant::now();
            // hickory has its own timeout; ours bounds the whole call including retries
            // inside the UDP transport.
            let result = match tokio::time::timeout(
                self.timeout + Duration::from_millis(250),
                resolver.lookup(fqdn.as_str(), rtype),
            )
            .await
            {
                Err(_) => Err(QueryError::Timeout),
                Ok(Ok(lookup)) => Ok(lookup
                    .answers()
                    .iter()
                    .filter_map(|r| r.data.ip_addr().map(|ip| (ip, r.ttl)))
                    .collect::<Vec<_>>()),
                Ok(Err(e)) => Err(classify(&e)),
            };
            let result = match result {
                Ok(v) if v.is_empty() => Err(QueryError::NoData),
                other => other,
            };
            let answer = Answer {
                server: *addr,
                record_type: rtype,
                elapsed: t0.elapsed(),
                result,
            };
            match &answer.result {
                Err(QueryError::Timeout | QueryError::Other(_)) => last = Some(answer),
                definite => {
                    let cached = definite
                        .clone()
                        .map(|v| v.into_iter().map(|(ip, _)| ip).collect());
                    if let Ok(mut answers) = self.answers.lock() {
                        answers.insert((host.to_ascii_lowercase(), rtype), cached);
                    }
                    return answer;
                }
            }
        }
        last.unwrap_or(Answer {
            server: SocketAddr::from(([0, 0, 0, 0], 53)),
            record_type: rtype,
            elapsed: Duration::ZERO,
            result: Err(QueryError::Other("no DNS server configured".into())),
        })
    }

    /// A and AAAA, for clients (HTTP, SDK): IPv4 first, as the ECR endpoints are IPv4.
    /// A name the run already resolved is not asked again.
    pub async fn lookup_ips(&self, host: &str) -> Result<Vec<IpAddr>, QueryError> {
        let (a, aaaa) = tokio::join!(
            self.cached_or_query(host, RecordType::A),
            self.cached_or_query(host, RecordType::AAAA)
        );
        let mut ips: Vec<IpAddr> = Vec::new();
        if let Ok(v) = &a {
            ips.extend(v.iter().copied());
        }
        if let Ok(v) = &aaaa {
            ips.extend(v.iter().copied());
        }
        if ips.is_empty() {
            return Err(a.err().unwrap_or(QueryError::NoData));
        }
        keep_probed(&mut ips);
        Ok(ips)
    }

    async fn cached_or_query(
        &self,
        host: &str,
        rtype: RecordType,
    ) -> Result<Vec<IpAddr>, QueryError> {
        let key = (host.to_ascii_lowercase(), rtype);
        if let Some(cached) = self.answers.lock().ok().and_then(|a| a.get(&key).cloned()) {
            return cached;
        }
        let answer = self.query(host, rtype).await;
        answer
            .result
            .map(|v| v.into_iter().map(|(ip, _)| ip).collect())
    }
}

/// The most addresses of one name the probe connects to. An interface endpoint has one
/// address per Availability Zone (six at most in any region); a hostile or broken
/// server may answer thousands, and one connect each would exhaust file descriptors.
pub const MAX_ADDRESSES: usize = 16;

/// Drop repeated addresses, then all past [`MAX_ADDRESSES`], keeping answer order.
pub fn keep_probed(ips: &mut Vec<IpAddr>) {
    let mut seen = std::collections::HashSet::new();
    ips.retain(|ip| seen.insert(*ip));
    ips.truncate(MAX_ADDRESSES);
}

fn classify(e: &NetError) -> QueryError {
    match e {
        NetError::Timeout => QueryError::Timeout,
        NetError::Dns(DnsError::NoRecordsFound(nr))
            if nr.response_code == ResponseCode::NXDomain =>
        {
            QueryError::NxDomain
        }
        NetError::Dns(DnsError::NoRecordsFound(_)) => QueryError::NoData,
        NetError::Dns(DnsError::ResponseCode(code)) => QueryError::Rcode(rcode_name(*code)),
        other => {
            let text = other.to_string();
            if text.contains("timed out") {
                QueryError::Timeout
            } else {
                QueryError::Other(text)
            }
        }
    }
}

fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NoError => "NOERROR".into(),
        other => format!("{other:?}").to_ascii_uppercase(),
    }
}
