//! The credentials hop: which source the AWS default chain used, whether the keys are
//! temporary, when they expire. Never the keys themselves.
//!
//! On ECS the chain reads the container credentials endpoint (169.254.170.2, link-local,
//! no VPC endpoint needed); a failure here is a task definition problem (no task role),
//! not a network one.

use std::time::{Duration, Instant, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;

use crate::causes::code;
use crate::config::{Env, vars};
use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop_kind::HopKind;
use crate::net::sdk::{Asked, Tap};
use crate::provenance::CredentialSource;

pub const ID: &str = "credentials";

/// The hop, and the credentials for the calls that sign with them themselves (the
/// service hop); the keys never leave the process.
/// The tap for the SDK's client that keeps the container credentials document, whose
/// `RoleArn` the SDK drops (see [`crate::net::sdk::Tap`]).
pub fn tap(env: &Env) -> Option<Tap> {
    container_url(env).map(Tap::new)
}

pub async fn run(
    sdk: &SdkConfig,
    tap: Option<&Tap>,
    env: &Env,
    timeout: Duration,
) -> (HopResult, Option<aws_credential_types::Credentials>) {
    let t0 = Instant::now();
    let expected = expected_source(env);
    let hop = HopResult::new(HopKind::Credentials, ID, expected.as_str());
    let Some(provider) = sdk.credentials_provider() else {
        return (hop.fail(no_credentials()).timed(t0), None);
    };
    let (hop, creds) = provide(hop, &provider, tap, expected, timeout, t0).await;
    (hop, creds)
}

async fn provide(
    mut hop: HopResult,
    provider: &aws_credential_types::provider::SharedCredentialsProvider,
    tap: Option<&Tap>,
    expected: CredentialSource,
    timeout: Duration,
    t0: Instant,
) -> (HopResult, Option<aws_credential_types::Credentials>) {
    // The container provider has its own 2 s connect / 5 s read timeouts; ours bounds
    // the whole chain.
    match tokio::time::timeout(timeout * 2, provider.provide_credentials()).await {
        Err(_) => (hop
            .fail(Cause::new(
                code!("auth.credentials_timeout"),
                format!("the credentials provider ({expected}) did not answer: on ECS the container credentials endpoint 169.254.170.2 must be reachable (it is link-local; a proxy variable without NO_PROXY=169.254.170.2 breaks it)"),
            ))
            .timed(t0), None),
        Ok(Err(e)) => {
            let mut message = crate::net::sdk::error_chain(&e);
            // The SDK keeps only the status ("StatusCode(400)"), and after a refused
            // retry only that refusal; the one answer the endpoint gave (the agent's
            // reason: "Credentials not found", "Service account token cannot be empty")
            // is what tells a missing task role from a broken endpoint.
            let asked = tap.filter(|_| expected == CredentialSource::Container).and_then(Tap::asked);
            match &asked {
                Some(Asked::Answer(status, body)) if (200..300).contains(status) => {
                    // The SDK could not read a success: not the agent's document. JSON of
                    // another shape may still hold keys: its start is not shown.
                    let json = serde_json::from_slice::<serde_json::Value>(body.expose()).is_ok();
                    let mut hop = crate::hop::unreadable_answer(
                        hop,
                        "the container credentials endpoint",
                        *status,
                        body.expose(),
                        if json {
                            "JSON, but not the credentials document (not shown: it may hold keys)"
                        } else {
                            "not the credentials JSON document"
                        },
                    );
                    if json {
                        hop.evidence.answer_prefix = None;
                    }
                    return (hop.message(message).timed(t0), None);
                }
                Some(Asked::Answer(status, body)) => {
                    message = format!("the endpoint said: {}", endpoint_reason(*status, body.expose()));
                }
                Some(Asked::Failed(f)) => {
                    message = format!("the endpoint did not answer: {}", crate::secret::scrub(f, 300));
                }
                None => {}
            }
            let cause = match e {
                CredentialsError::CredentialsNotLoaded(_) => no_credentials(),
                _ if crate::net::sdk::too_large(&e).is_some() => {
                    crate::hop::too_large_cause(expected.as_str(), crate::net::sdk::SDK_BODY_LIMIT)
                }
                _ => Cause::new(
                    code!("auth.credentials_error"),
                    format!("the {expected} credentials source failed: on ECS check the task role (taskRoleArn) and that the container credentials endpoint answers"),
                ),
            };
            (hop.fail(cause).message(message).timed(t0), None)
        }
        Ok(Ok(creds)) => {
            let provider_name = provider_name(&creds);
            hop.evidence.credentials().source = Some(source_of(provider_name.as_deref()).unwrap_or(expected));
            hop.evidence.credentials().provider = provider_name;
            hop.evidence.credentials().temporary = Some(creds.session_token().is_some());
            hop.evidence.credentials().expires_at = creds.expiry().map(rfc3339);
            let document = tap.and_then(Tap::take);
            if hop.evidence.credentials().source == Some(CredentialSource::Container) {
                hop.evidence.credentials().role_arn = document.and_then(|d| role_arn(d.expose()));
            }
            if let Some(exp) = creds.expiry()
                && exp < SystemTime::now() + Duration::from_secs(60)
            {
                hop = hop.warn(Cause::new(code!("auth.credentials_expiring"), "the credentials expire within a minute; the provider should have refreshed them"));
            }
            (hop.timed(t0), Some(creds))
        }
    }
}

/// The container credentials endpoint's error answer as one scrubbed line ("HTTP 400
/// NoIdInRequest: CredentialsV2Request: …"). Its error bodies are the agent's JSON
/// `{"code","message"}` (ECS) or plain text (EKS Pod Identity).
fn endpoint_reason(status: u16, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct AgentError {
        code: Option<String>,
        message: Option<String>,
    }
    let text = match serde_json::from_slice::<AgentError>(body) {
        Ok(AgentError { code, message }) => [code, message]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": "),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    crate::secret::scrub(&format!("HTTP {status} {text}"), 200)
}

/// The endpoint the SDK's container provider calls.
fn container_url(env: &Env) -> Option<String> {
    match (
        env.get(vars::AWS_CONTAINER_CREDENTIALS_RELATIVE_URI),
        env.get(vars::AWS_CONTAINER_CREDENTIALS_FULL_URI),
    ) {
        (Some(rel), _) => Some(format!("http://169.254.170.2{rel}")),
        (None, Some(full)) => Some(full.to_string()),
        (None, None) => None,
    }
}

/// The ECS agent's credentials document names the role; the SDK drops that field.
/// Only `RoleArn` is read (serde ignores the other keys of the document).
fn role_arn(document: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(rename = "RoleArn")]
        role_arn: Option<String>,
    }
    serde_json::from_slice::<Doc>(document).ok()?.role_arn
}

fn no_credentials() -> Cause {
    Cause::new(
        code!("auth.no_credentials"),
        "no AWS credentials were found: on ECS give the task a task role (taskRoleArn; the probe calls ECR with it); elsewhere use an instance profile or the usual AWS_* variables",
    )
}

/// What the default chain will try first, given the environment (its documented order).
pub fn expected_source(env: &Env) -> CredentialSource {
    if env.get(vars::AWS_ACCESS_KEY_ID).is_some() {
        CredentialSource::Environment
    } else if env.get(vars::AWS_PROFILE).is_some() {
        CredentialSource::Profile
    } else if env.get(vars::AWS_WEB_IDENTITY_TOKEN_FILE).is_some() {
        CredentialSource::WebIdentity
    } else if env
        .first(&[
            vars::AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
            vars::AWS_CONTAINER_CREDENTIALS_FULL_URI,
        ])
        .is_some()
    {
        CredentialSource::Container
    } else {
        CredentialSource::Imds
    }
}

/// The SDK keeps the provider's name private but prints it in `Debug` (which redacts
/// the secret key); read it from there.
fn provider_name(creds: &aws_credential_types::Credentials) -> Option<String> {
    let dbg = format!("{creds:?}");
    let rest = dbg.split("provider_name: \"").nth(1)?;
    Some(rest.split('"').next()?.to_string())
}

fn source_of(provider: Option<&str>) -> Option<CredentialSource> {
    Some(match provider? {
        "EnvironmentVariable" => CredentialSource::Environment,
        "EcsContainer" => CredentialSource::Container,
        "ProfileFile" => CredentialSource::Profile,
        "WebIdentityToken" => CredentialSource::WebIdentity,
        p if p.starts_with("IMDS") => CredentialSource::Imds,
        _ => return None,
    })
}

pub fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `provider_name` reads the SDK's `Debug` output; this pins that format to the
    /// SDK version in Cargo.lock, and shows the secret key is not in it.
    #[test]
    fn reads_the_provider_name_from_debug() {
        let creds = aws_credential_types::Credentials::new(
            "AKIDEXAMPLE",
            "SECRETKEY",
            Some("TOKEN".into()),
            None,
            "EcsContainer",
        );
        assert_eq!(provider_name(&creds).as_deref(), Some("EcsContainer"));
        assert_eq!(
            source_of(Some("EcsContainer")),
            Some(CredentialSource::Container)
        );
        assert_eq!(source_of(Some("IMDSv2")), Some(CredentialSource::Imds));
        assert!(!format!("{creds:?}").contains("SECRETKEY"));
    }

    #[test]
    fn expected_source_follows_the_chain_order() {
        assert_eq!(
            expected_source(&Env::from_pairs([
                ("AWS_ACCESS_KEY_ID", "A"),
                ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/x")
            ])),
            CredentialSource::Environment
        );
        assert_eq!(
            expected_source(&Env::from_pairs([(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/x"
            )])),
            CredentialSource::Container
        );
        assert_eq!(expected_source(&Env::default()), CredentialSource::Imds);
    }
}
