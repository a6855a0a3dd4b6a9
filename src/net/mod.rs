//! Network plumbing shared by the hops: the DNS client, the TLS configuration and
//! handshake, a one-connection HTTP/1.1 client with per-phase timing and a redirect
//! follower, the URL type, the proxy rules, and the AWS SDK wiring.
//! Hops decide what a result *means*; this module only measures and reports, in its
//! own types: it knows protocols, not hops, the configuration or the report.

pub mod aws_call;
pub mod clock;
pub mod dns;
pub mod http;
pub mod metadata;
pub mod plain_http;
pub mod pool;
pub mod proxy;
pub mod registry;
pub mod sdk;
pub mod tls;
pub mod url;
