//! One SigV4-signed AWS API call (JSON 1.1 or Query protocol) over the probe's own
//! HTTPS client: the same resolver, trust store, per-phase timeouts and size cap as
//! every other hop, and a request to exactly the host the dns/tcp/tls hops tested.
//!
//! Why not one AWS SDK crate per service: five more generated crates would add minutes
//! of build on two cores and megabytes of binary for one read-only call each, and the
//! calls need nothing the SDK adds here (no retries, no pagination, no waiters). The
//! credentials still come from the SDK's default chain (the caller passes them in).
//!
//! This layer knows the wire protocols, not which call is harmless: that is the
//! service table's business (`aws.rs`).

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};

use crate::net::http::{Client, HttpError, Request};
use crate::net::url::HttpsUrl;

/// How the operation is put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// `POST /`, `X-Amz-Target: <target>`, a JSON body.
    Json11 { target: String },
    /// `POST /`, a form body `Action=…&Version=…` (STS, CloudWatch); XML answers.
    Query,
    /// The REST-JSON protocol of X-Ray's API: `POST <path>` (the operation is the
    /// path, `/GetSamplingRules`), a JSON body, errors as JSON with
    /// `x-amzn-ErrorType`, as the JSON 1.1 protocol reports them.
    RestJson,
    /// S3's REST API: `HEAD <path>` on the bucket's own host, signed with the payload
    /// hash header S3 requires. A HEAD answer has no body, so an error is its status
    /// alone (403, 404, 301 or 400 with `x-amz-bucket-region`).
    S3Head,
}

#[derive(Debug, Clone)]
pub struct SignedCall {
    /// `https://host[:port]`: the endpoint tested by the dns/tcp/tls hops.
    pub endpoint: HttpsUrl,
    pub region: String,
    /// The SigV4 signing name (`secretsmanager`, `ssm`, `kms`, `ecs`, `sts`).
    pub signing_name: String,
    pub protocol: Protocol,
    pub body: String,
}

/// What AWS answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub request_id: Option<String>,
    /// The AWS error code and message, when the status says error.
    pub error: Option<(String, String)>,
    /// The body, for the caller to read the few fields it wants.
    pub body: Bytes,
    /// The answer's `Date` header (AWS's clock; see net::clock).
    pub date: Option<String>,
    /// S3's `x-amz-bucket-region`: the region the bucket is in, on any answer.
    pub bucket_region: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("cannot sign the request: {0}")]
    Sign(String),
    /// Boxed: the HTTP error carries a certificate and is large.
    #[error("{0}")]
    Http(Box<HttpError>),
}

/// Send the call, reading at most `limit` bytes of the answer.
pub async fn send(
    client: &Client,
    creds: &Credentials,
    call: &SignedCall,
    limit: u64,
) -> Result<Answer, CallError> {
    let mut req = Request::get(call.endpoint.clone());
    req.method = Method::POST;
    req.body = Bytes::from(call.body.clone());
    let content_type = match &call.protocol {
        Protocol::Json11 { target } => {
            req.headers
                .insert(HeaderName::from_static("x-amz-target"), header(target)?);
            Some("application/x-amz-json-1.1")
        }
        Protocol::Query => Some("application/x-www-form-urlencoded; charset=utf-8"),
        Protocol::RestJson => Some("application/json"),
        Protocol::S3Head => {
            req.method = Method::HEAD;
            req.body = Bytes::new();
            None
        }
    };
    if let Some(ct) = content_type {
        req.headers
            .insert(http::header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    let host = call.endpoint.host_header();
    let signed = signature_headers(creds, call, &host, content_type, &req)?;
    for (name, value) in signed {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| CallError::Sign(e.to_string()))?;
        let mut value = header(&value)?;
        // The signature and the session token must never be printed by anything.
        value.set_sensitive(true);
        req.headers.insert(name, value);
    }
    let resp = client
        .send(&req)
        .await
        .map_err(|e| CallError::Http(Box::new(e)))?;
    let status = resp.status;
    let request_id = resp
        .header("x-amzn-requestid")
        .or_else(|| resp.header("x-amz-request-id"))
        .map(str::to_string);
    let header_type = resp.header("x-amzn-errortype").map(str::to_string);
    let date = resp.header("date").and_then(crate::net::clock::keep);
    // Only a region-shaped value: it goes into the report.
    let bucket_region = resp
        .header("x-amz-bucket-region")
        .filter(|r| {
            r.len() <= 32
                && r.contains('-')
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .map(str::to_string);
    let (body, _) = resp
        .bytes(limit)
        .await
        .map_err(|e| CallError::Http(Box::new(e)))?;
    let error = (status >= 300).then(|| match call.protocol {
        Protocol::Json11 { .. } | Protocol::RestJson => json_error(&body, header_type.as_deref()),
        Protocol::Query => query_error(&body),
        Protocol::S3Head => s3_error(status, &body),
    });
    Ok(Answer {
        status,
        request_id,
        error,
        body,
        date,
        bucket_region,
    })
}

fn header(v: &str) -> Result<HeaderValue, CallError> {
    HeaderValue::from_str(v).map_err(|e| CallError::Sign(e.to_string()))
}

fn signature_headers(
    creds: &Credentials,
    call: &SignedCall,
    host: &str,
    content_type: Option<&str>,
    req: &Request,
) -> Result<Vec<(String, String)>, CallError> {
    let identity = creds.clone().into();
    let mut settings = SigningSettings::default();
    if call.protocol == Protocol::S3Head {
        // S3 signs the path as sent (no normalising, no second encoding) and wants
        // the payload's hash in a header.
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&call.region)
        .name(&call.signing_name)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| CallError::Sign(e.to_string()))?
        .into();
    let mut signed_headers = vec![("host", host)];
    if let Some(ct) = content_type {
        signed_headers.push(("content-type", ct));
    }
    let target;
    if let Protocol::Json11 { target: t } = &call.protocol {
        target = t.clone();
        signed_headers.push(("x-amz-target", target.as_str()));
    }
    let uri = format!(
        "{}{}",
        call.endpoint.origin(),
        call.endpoint.path_and_query()
    );
    let signable = SignableRequest::new(
        req.method.as_str(),
        uri,
        signed_headers.into_iter(),
        SignableBody::Bytes(&req.body),
    )
    .map_err(|e| CallError::Sign(e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| CallError::Sign(e.to_string()))?
        .into_parts();
    let (headers, _) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect())
}

/// `{"__type": "…#AccessDeniedException", "message": "…"}` (or `Message`).
fn json_error(body: &[u8], header_type: Option<&str>) -> (String, String) {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Doc {
        #[serde(rename = "__type")]
        kind: Option<String>,
        message: Option<String>,
        #[serde(rename = "Message")]
        message_upper: Option<String>,
    }
    let doc: Doc = serde_json::from_slice(body).unwrap_or_default();
    let raw = header_type
        .map(|h| h.split(':').next().unwrap_or(h).to_string())
        .or(doc.kind)
        .unwrap_or_else(|| "Unknown".into());
    let code = raw.rsplit('#').next().unwrap_or(&raw).to_string();
    (code, doc.message.or(doc.message_upper).unwrap_or_default())
}

/// `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error>…`.
fn query_error(body: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(body);
    (
        xml_text(&text, "Code").unwrap_or_else(|| "Unknown".into()),
        xml_text(&text, "Message").unwrap_or_default(),
    )
}

/// S3's error: the XML `<Error><Code>` when there is a body, else what the status of a
/// body-less HEAD answer means (S3's own error codes for them).
fn s3_error(status: u16, body: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(body);
    if let Some(code) = xml_text(&text, "Code") {
        return (code, xml_text(&text, "Message").unwrap_or_default());
    }
    let code = match status {
        301 => "PermanentRedirect",
        400 => "BadRequest",
        403 => "AccessDenied",
        404 => "NotFound",
        _ => "Unknown",
    };
    (code.to_string(), String::new())
}

/// The text of the first `<tag>…</tag>`, entities of the five XML escapes decoded.
/// Enough for the flat answers of the Query protocol; not an XML parser.
pub fn xml_text(doc: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = doc.find(&open)? + open.len();
    let len = doc[start..].find(&close)?;
    Some(
        doc[start..start + len]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// A string field of a JSON answer's top-level object.
pub fn json_field(body: &[u8], field: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get(field)?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_documents() {
        let body = br#"{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ssm:DescribeParameters because no VPC endpoint policy allows the ssm:DescribeParameters action"}"#;
        let (code, msg) = json_error(body, None);
        assert_eq!(code, "AccessDeniedException");
        assert!(msg.contains("no VPC endpoint policy"));
        let (code, _) = json_error(
            b"{}",
            Some("ResourceNotFoundException:http://internal.amazon.com/"),
        );
        assert_eq!(code, "ResourceNotFoundException");
        assert_eq!(json_error(b"not json", None).0, "Unknown");
        let xml = b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>a &amp; b</Message></Error></ErrorResponse>";
        assert_eq!(query_error(xml), ("AccessDenied".into(), "a & b".into()));
        assert_eq!(
            xml_text("<GetCallerIdentityResult><Arn>arn:aws:sts::1:assumed-role/x/y</Arn></GetCallerIdentityResult>", "Arn").as_deref(),
            Some("arn:aws:sts::1:assumed-role/x/y")
        );
        assert_eq!(
            json_field(
                br#"{"endpoint":"https://ecs-a-1.us-east-1.amazonaws.com/"}"#,
                "endpoint"
            )
            .as_deref(),
            Some("https://ecs-a-1.us-east-1.amazonaws.com/")
        );
    }
}
