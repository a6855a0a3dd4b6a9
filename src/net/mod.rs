//! Network plumbing shared by the hops: the DNS client, the TLS configuration, a
//! one-connection HTTP/1.1 client with per-phase timing, and the AWS SDK wiring.
//! Hops decide what a result *means*; this module only measures and reports.

pub mod dns;
pub mod http;
pub mod metadata;
pub mod plain_http;
pub mod sdk;
pub mod tls;
