//! The tls hop: a handshake with SNI, on the first address that accepted TCP (over the
//! tcp hop's own connection). It records version, cipher, ALPN and the certificate, and
//! verifies it against the public roots (+ `--ca-bundle`). An unknown issuer inside a
//! VPC almost always means TLS inspection by a firewall or proxy in the path. The
//! session it opens carries the HTTP hops to the same host (`net::pool`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::causes::code;
use crate::diagnose::{self, Cause};
use crate::hop::HopResult;
use crate::hop_kind::HopKind;
use crate::net::http::{Client, HttpError, connect_tcp, http1};
use crate::net::pool::Idle;
use crate::net::tls::{HandshakeFailure, SetupError, handshake};
use crate::plan::Target;

pub fn id(target: &Target) -> String {
    format!("tls:{}", target.host)
}

pub async fn run(
    target: &Target,
    addr: SocketAddr,
    client: &Client,
    timeout: Duration,
) -> HopResult {
    let t0 = Instant::now();
    let mut hop = HopResult::new(
        HopKind::Tls,
        id(target),
        format!("{}@{}", target.host, addr),
    );
    hop.evidence.remote_address = Some(addr.to_string());
    hop.evidence.port = Some(addr.port());
    hop.evidence.tls().sni = Some(target.host.clone());
    let reused = client.pool().take_tcp(addr);
    let connected = match reused {
        Some(s) => Ok(s),
        None => connect_tcp(addr, timeout).await,
    };
    let tcp = match connected {
        Ok(s) => s,
        Err(e) => {
            let code = if matches!(e, HttpError::Timeout { .. }) {
                code!("tls.timeout")
            } else {
                code!("tls.connect_failed")
            };
            return hop
                .fail(Cause::new(code, format!("the TCP connection to {addr} worked a moment ago and now failed: the endpoint is flapping or overloaded")))
                .message(e.to_string())
                .timed(t0);
        }
    };
    let shake = match handshake(client.trust(), &target.host, tcp, timeout).await {
        Ok(h) => h,
        Err(SetupError::ServerName { .. }) => {
            return hop
                .fail(Cause::new(
                    code!("tls.handshake_failed"),
                    "the host is not a valid TLS server name",
                ))
                .timed(t0);
        }
    };
    hop.evidence.tls().handshake = Some(shake.elapsed);
    hop.evidence.tls().certificate = shake.certificate.clone();
    match shake.result {
        Err(HandshakeFailure::Timeout) => hop
            .fail(Cause::new(
                code!("tls.timeout"),
                format!("TCP to {addr} works but the TLS handshake got no answer: something in the path (a firewall or proxy, or an MTU problem) swallows the handshake"),
            ))
            .timed(t0),
        Err(HandshakeFailure::Failed { code, message }) => {
            hop.evidence.tls().verification = Some(message.clone());
            let issuer = shake.certificate.as_ref().map(|c| c.issuer.clone()).unwrap_or_else(|| "unknown".into());
            let hint = match code {
                "tls.untrusted" => format!("the certificate for {} was issued by {issuer}, which is not a public CA: TLS inspection (a firewall or proxy re-signing traffic) sits in the path. Exempt *.amazonaws.com from inspection, or pass its CA with --ca-bundle if the inspection is intended", target.host),
                "tls.name_mismatch" => format!("the server at {addr} presented a certificate that is not for {}: the name resolves to the wrong thing (another endpoint, a proxy, or an interface endpoint used under a name it does not serve)", target.host),
                "tls.expired" | "tls.not_yet_valid" => "the certificate's validity does not cover the current time: check the clock of this host, or the TLS inspection device that issued it".to_string(),
                _ => format!("the TLS handshake with {addr} failed: {message}"),
            };
            hop.fail(Cause::new(diagnose::tls_code(code), hint)).message(message).timed(t0)
        }
        Ok(stream) => {
            let (_, conn) = stream.get_ref();
            hop.evidence.tls().tls_version = conn.protocol_version().map(|v| format!("{v:?}"));
            hop.evidence.tls().cipher_suite = conn.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite()));
            hop.evidence.tls().alpn = conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned());
            hop.evidence.tls().verification = Some("ok".into());
            // Setting up HTTP/1.1 sends nothing; the first request goes on this session.
            if let Ok(sender) = http1(stream).await {
                client.pool().put(&target.host, target.port, Idle { sender, remote: addr });
            }
            hop.timed(t0)
        }
    }
}
