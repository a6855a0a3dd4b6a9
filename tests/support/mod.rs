//! The harness of the hop tests: fakes for DNS, the ECR API, the registry, S3 and
//! CloudWatch Logs on 127.0.0.1, and a runner for the real `vpce-probe` binary.
//!
//! Design rules:
//! - Only 127.0.0.0/8. The probe always gets `--dns-server` (the fake) and the clean
//!   environment of [`Probe`] (fixed `PATH`, `HOME` in a temp dir, IMDS disabled) plus
//!   fake static keys and `AWS_REGION`. Every name the probe resolves is answered by
//!   the fake, with 127.0.0.1 or NXDOMAIN.
//! - Ports are never guessed: every fake binds `:0` and the probe is pointed at the
//!   port through the image reference (`host:port/repo`) and `--endpoint`.
//! - Every run is bounded: `--timeout 1s --deadline 10s`, and the subprocess is killed
//!   if it outlives [`RUN_LIMIT`].
//! - The fakes' defaults model a working ECR pull; a test overrides one behaviour
//!   (an [`Override`] returning `Some`) and asserts on the JSON report and exit code.
//! - Secrets are known to the harness so [`Outcome::assert_no_secrets`] can fail.

// Harness helpers are a toolbox: not every test binary that includes it uses each one.
#![allow(dead_code)]

pub mod dns;
pub mod https;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::probe::{BIN, Probe};
use dns::{Answer, FakeDns};
use https::{FakeHttps, Handler, Identity, Request, Response};

/// A run still going after this is killed and the test fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(40);
/// The `--deadline` every run gets.
pub const DEADLINE: Duration = Duration::from_secs(10);

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";
pub const API_HOST: &str = "api.ecr.us-east-1.amazonaws.com";
pub const DKR_HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
pub const S3_HOST: &str = "s3.us-east-1.amazonaws.com";
pub const BUCKET_HOST: &str = "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com";
pub const LOGS_HOST: &str = "logs.us-east-1.amazonaws.com";
pub const REPO: &str = "app";
pub const TAG: &str = "v1";

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/fakeSecretDoNotPrint";
/// The registry password inside the ECR token (`base64("AWS:" + PASSWORD)`).
pub const PASSWORD: &str = "eyJwYXlsb2FkIjoiZmFrZS1lY3ItcGFzc3dvcmQtZG8tbm90LXByaW50In0";
/// The query values of the presigned S3 URL.
pub const S3_SIGNATURE: &str = "5f1ee7c0ffee4b1d5ea1ed0fdeadbeef0badc0de5ca1ab1e5eed1e55f00dface";
pub const S3_CREDENTIAL: &str = "ASIAFAKELAYERCRED%2F20261128%2Fus-east-1%2Fs3%2Faws4_request";
pub const S3_SECURITY_TOKEN: &str = "IQoJb3JpZ2luX2VjEFAKESESSIONTOKENdoNotPrint";
pub const S3_PATH: &str = "/layers/0a1b2c3d-layer";

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const LAYER_LEN: usize = 100 * 1024;

/// The ECR authorization token: base64 of `AWS:<password>`, sent whole as Basic.
pub fn token() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("AWS:{PASSWORD}"))
}

pub fn sha256(bytes: &[u8]) -> String {
    let mut s = String::from("sha256:");
    for b in Sha256::digest(bytes).iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

// ------------------------------------------------------------------ certificates

pub struct Certs {
    /// For every lab name; in the bundle.
    pub good: Identity,
    /// Same names, not in the bundle (a TLS-inspection CA the task does not trust).
    pub untrusted: Identity,
    /// In the bundle, but for another name.
    pub wrong_name: Identity,
}

pub const UNTRUSTED_CN: &str = "Corp Firewall TLS Inspection CA";

/// Generated once per test process.
pub fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        let names = [
            API_HOST,
            "*.dkr.ecr.us-east-1.amazonaws.com",
            S3_HOST,
            "*.s3.us-east-1.amazonaws.com",
            // The legacy global name of the layer bucket (docs/aws-facts.md#starport-legacy-host).
            "*.s3.amazonaws.com",
            LOGS_HOST,
        ];
        Certs {
            good: Identity::self_signed("vpce-probe test endpoints", &names),
            untrusted: Identity::self_signed(UNTRUSTED_CN, &names),
            wrong_name: Identity::self_signed("wrong.example.net", &["wrong.example.net"]),
        }
    })
}

// ------------------------------------------------------------------ the image

/// A one-layer image as the registry and S3 fakes serve it.
#[derive(Clone)]
pub struct Image {
    pub layer: Vec<u8>,
    pub layer_digest: String,
    pub config: Vec<u8>,
    pub config_digest: String,
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    pub manifest_media_type: &'static str,
}

impl Image {
    pub fn standard() -> Image {
        Image::with_media_type(DOCKER_MANIFEST)
    }

    pub fn with_media_type(media_type: &'static str) -> Image {
        let layer = pseudo_random(LAYER_LEN, 0x5eed_1a7e_u64);
        let config =
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}"#.to_vec();
        let manifest = manifest_doc(media_type, &config, &[layer_descriptor(&layer)]);
        Image {
            layer_digest: sha256(&layer),
            config_digest: sha256(&config),
            manifest_digest: sha256(&manifest),
            layer,
            config,
            manifest,
            manifest_media_type: media_type,
        }
    }
}

pub fn layer_descriptor(layer: &[u8]) -> Value {
    json!({"mediaType": LAYER_MEDIA_TYPE, "size": layer.len(), "digest": sha256(layer)})
}

pub fn manifest_doc(media_type: &str, config: &[u8], layers: &[Value]) -> Vec<u8> {
    let config_type = if media_type == OCI_MANIFEST {
        "application/vnd.oci.image.config.v1+json"
    } else {
        "application/vnd.docker.container.image.v1+json"
    };
    serde_json::to_vec_pretty(&json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": config_type, "size": config.len(), "digest": sha256(config)},
        "layers": layers,
    }))
    .expect("manifest json")
}

/// Deterministic bytes (xorshift64), so digests are stable across runs.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

// ------------------------------------------------------------------ default behaviour

/// What the handlers know about the lab.
pub struct World {
    pub image: Image,
    pub s3_port: u16,
}

impl World {
    /// The presigned URL the registry's blob redirect points at.
    pub fn layer_url(&self) -> String {
        format!(
            "https://{BUCKET_HOST}:{}{S3_PATH}?X-Amz-Security-Token={S3_SECURITY_TOKEN}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Credential={S3_CREDENTIAL}&X-Amz-Signature={S3_SIGNATURE}",
            self.s3_port
        )
    }
}

/// A test's replacement for one request's answer; `None` falls back to the default.
pub type Override = Arc<dyn Fn(&Request, &World) -> Option<Response> + Send + Sync>;

pub fn registry_error(status: u16, code: &str, message: &str) -> Response {
    Response::with_body(
        status,
        "application/json; charset=utf-8",
        serde_json::to_vec(&json!({"errors": [{"code": code, "message": message}]}))
            .expect("error json"),
    )
    .header("Docker-Distribution-Api-Version", "registry/2.0")
}

pub fn manifest_response(media_type: &str, body: &[u8]) -> Response {
    Response::with_body(200, media_type, body.to_vec())
        .header("Docker-Content-Digest", &sha256(body))
        .header("Docker-Distribution-Api-Version", "registry/2.0")
}

/// ECR's registry: a Basic challenge on `/v2/`, the manifest by tag or digest with the
/// token, the blob as a 307 to the presigned S3 URL.
pub fn registry_default(req: &Request, w: &World) -> Response {
    let path = req.path().to_string();
    if path == "/v2/" {
        return Response::with_body(401, "text/plain; charset=utf-8", "Not Authorized\n")
            .header(
                "Www-Authenticate",
                &format!("Basic realm=\"https://{DKR_HOST}/\",service=\"ecr.amazonaws.com\""),
            )
            .header("Docker-Distribution-Api-Version", "registry/2.0");
    }
    if req.header("authorization") != Some(&format!("Basic {}", token())) {
        return registry_error(401, "UNAUTHORIZED", "Not Authorized");
    }
    let manifests = format!("/v2/{REPO}/manifests/");
    let blobs = format!("/v2/{REPO}/blobs/");
    if let Some(reference) = path.strip_prefix(&manifests) {
        if reference == TAG || reference == w.image.manifest_digest {
            return manifest_response(w.image.manifest_media_type, &w.image.manifest);
        }
        return registry_error(404, "MANIFEST_UNKNOWN", "Requested image not found");
    }
    if let Some(digest) = path.strip_prefix(&blobs) {
        if digest == w.image.layer_digest {
            return Response::new(307)
                .header("Location", &w.layer_url())
                .header("Docker-Distribution-Api-Version", "registry/2.0");
        }
        return registry_error(404, "BLOB_UNKNOWN", "blob unknown to registry");
    }
    registry_error(404, "NAME_UNKNOWN", "The repository does not exist")
}

pub fn s3_error(status: u16, code: &str, message: &str) -> Response {
    Response::with_body(
        status,
        "application/xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>FAKE0REQUEST0ID</RequestId><HostId>fake</HostId></Error>"
        ),
    )
}

/// The layer bucket: the layer at [`S3_PATH`] (honouring a `Range`), and S3's refusal of
/// a presigned URL that also carries an `Authorization` header.
pub fn s3_default(req: &Request, w: &World) -> Response {
    if req.header("authorization").is_some() {
        return s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        );
    }
    if req.path() != S3_PATH {
        return s3_error(404, "NoSuchKey", "The specified key does not exist.");
    }
    let layer = &w.image.layer;
    if let Some(range) = req.header("range").and_then(|r| r.strip_prefix("bytes=")) {
        let (a, b) = range.split_once('-').unwrap_or((range, ""));
        let start: usize = a.parse().unwrap_or(0).min(layer.len());
        let end: usize = b
            .parse::<usize>()
            .map(|e| e + 1)
            .unwrap_or(layer.len())
            .min(layer.len())
            .max(start);
        return Response::with_body(206, "application/octet-stream", layer[start..end].to_vec())
            .header(
                "Content-Range",
                &format!("bytes {start}-{}/{}", end.saturating_sub(1), layer.len()),
            );
    }
    Response::with_body(200, "application/octet-stream", layer.clone())
}

pub fn aws_json(status: u16, body: Value) -> Response {
    Response::with_body(
        status,
        "application/x-amz-json-1.1",
        serde_json::to_vec(&body).expect("aws json"),
    )
    .header("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
}

pub fn aws_error(status: u16, error_type: &str, message: &str) -> Response {
    aws_json(status, json!({"__type": error_type, "message": message}))
        .header("x-amzn-ErrorType", error_type)
}

/// ECR's API: `GetAuthorizationToken` with the token; anything else is unknown.
pub fn api_default(req: &Request, _: &World) -> Response {
    match req.header("x-amz-target") {
        Some("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken") => aws_json(
            200,
            json!({"authorizationData": [{
                "authorizationToken": token(),
                "expiresAt": 1.7e9,
                "proxyEndpoint": format!("https://{DKR_HOST}"),
            }]}),
        ),
        _ => aws_error(400, "UnknownOperationException", "unknown operation"),
    }
}

/// CloudWatch Logs: `DescribeLogGroups` answers an empty list.
pub fn logs_default(req: &Request, _: &World) -> Response {
    match req.header("x-amz-target") {
        Some("Logs_20140328.DescribeLogGroups") => aws_json(200, json!({"logGroups": []})),
        _ => aws_error(400, "UnknownOperationException", "unknown operation"),
    }
}

// ------------------------------------------------------------------ the lab

/// Which certificate the registry fake presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryCert {
    Good,
    Untrusted,
    WrongName,
}

/// How a test wants the lab; `Lab::start` brings it up.
pub struct Setup {
    pub image: Image,
    pub dns: HashMap<String, Answer>,
    pub dns_silent: bool,
    pub registry_cert: RegistryCert,
    /// Point the image at a port where nothing listens (no registry fake).
    pub registry_down: bool,
    pub registry: Option<Override>,
    pub api: Option<Override>,
    pub s3: Option<Override>,
    /// Start the CloudWatch Logs fake; without it the run gets `--skip-logs`.
    pub logs: bool,
    pub logs_override: Option<Override>,
}

impl Default for Setup {
    fn default() -> Self {
        let dns = [API_HOST, DKR_HOST, S3_HOST, BUCKET_HOST, LOGS_HOST]
            .into_iter()
            .map(|h| (h.to_string(), Answer::V4(Ipv4Addr::LOCALHOST)))
            .collect();
        Setup {
            image: Image::standard(),
            dns,
            dns_silent: false,
            registry_cert: RegistryCert::Good,
            registry_down: false,
            registry: None,
            api: None,
            s3: None,
            logs: false,
            logs_override: None,
        }
    }
}

impl Setup {
    pub fn dns(mut self, host: &str, answer: Answer) -> Self {
        self.dns.insert(host.to_string(), answer);
        self
    }

    pub fn registry(
        mut self,
        f: impl Fn(&Request, &World) -> Option<Response> + Send + Sync + 'static,
    ) -> Self {
        self.registry = Some(Arc::new(f));
        self
    }

    pub fn api(
        mut self,
        f: impl Fn(&Request, &World) -> Option<Response> + Send + Sync + 'static,
    ) -> Self {
        self.api = Some(Arc::new(f));
        self
    }

    pub fn s3(
        mut self,
        f: impl Fn(&Request, &World) -> Option<Response> + Send + Sync + 'static,
    ) -> Self {
        self.s3 = Some(Arc::new(f));
        self
    }

    /// Also starts the logs fake.
    pub fn logs(
        mut self,
        f: impl Fn(&Request, &World) -> Option<Response> + Send + Sync + 'static,
    ) -> Self {
        self.logs = true;
        self.logs_override = Some(Arc::new(f));
        self
    }

    pub fn start(self) -> Lab {
        Lab::start(self)
    }
}

/// The running fakes of one test. Dropping it stops them (the runtime goes away).
pub struct Lab {
    pub dns: FakeDns,
    pub api: FakeHttps,
    pub registry: Option<FakeHttps>,
    pub s3: FakeHttps,
    pub logs: Option<FakeHttps>,
    pub dkr_port: u16,
    pub world: Arc<World>,
    // Holds the CA bundle; removed with the lab.
    _dir: tempfile::TempDir,
    bundle: PathBuf,
    // Last, so the fakes' handles above are dropped before their tasks stop.
    rt: tokio::runtime::Runtime,
}

fn handler(
    default: fn(&Request, &World) -> Response,
    o: Option<Override>,
    w: Arc<World>,
) -> Handler {
    Arc::new(move |req: &Request| {
        o.as_ref()
            .and_then(|f| f(req, &w))
            .unwrap_or_else(|| default(req, &w))
    })
}

impl Lab {
    pub fn start(setup: Setup) -> Lab {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let dir = tempfile::tempdir().expect("temp dir for the CA bundle");
        let certs = certs();
        let bundle = dir.path().join("ca-bundle.pem");
        std::fs::write(
            &bundle,
            format!("{}{}", certs.good.cert_pem, certs.wrong_name.cert_pem),
        )
        .expect("write CA bundle");

        let (dns, api, registry, s3, logs, dkr_port, world) = rt.block_on(async {
            let dns = if setup.dns_silent {
                FakeDns::silent().await
            } else {
                FakeDns::start(setup.dns.clone()).await
            };
            // S3 first: the registry's redirect names its port. Its handler gets the
            // world once it exists.
            let world_slot: Arc<OnceLock<Arc<World>>> = Arc::new(OnceLock::new());
            let s3_handler: Handler = {
                let slot = world_slot.clone();
                let o = setup.s3.clone();
                Arc::new(move |req: &Request| {
                    let w = slot.get().expect("world set before any request");
                    o.as_ref()
                        .and_then(|f| f(req, w))
                        .unwrap_or_else(|| s3_default(req, w))
                })
            };
            let s3 = FakeHttps::start(&certs.good, s3_handler).await;
            let world = Arc::new(World {
                image: setup.image.clone(),
                s3_port: s3.port(),
            });
            let _ = world_slot.set(world.clone());
            let api = FakeHttps::start(
                &certs.good,
                handler(api_default, setup.api.clone(), world.clone()),
            )
            .await;
            let (registry, dkr_port) = if setup.registry_down {
                (None, unused_port().await)
            } else {
                let identity = match setup.registry_cert {
                    RegistryCert::Good => &certs.good,
                    RegistryCert::Untrusted => &certs.untrusted,
                    RegistryCert::WrongName => &certs.wrong_name,
                };
                let r = FakeHttps::start(
                    identity,
                    handler(registry_default, setup.registry.clone(), world.clone()),
                )
                .await;
                let port = r.port();
                (Some(r), port)
            };
            let logs = if setup.logs {
                Some(
                    FakeHttps::start(
                        &certs.good,
                        handler(logs_default, setup.logs_override.clone(), world.clone()),
                    )
                    .await,
                )
            } else {
                None
            };
            (dns, api, registry, s3, logs, dkr_port, world)
        });
        Lab {
            dns,
            api,
            registry,
            s3,
            logs,
            dkr_port,
            world,
            _dir: dir,
            bundle,
            rt,
        }
    }

    /// A plain-HTTP fake on this lab's runtime (task metadata, container credentials).
    pub fn plain(&self, f: impl Fn(&Request) -> Response + Send + Sync + 'static) -> FakeHttps {
        self.rt.block_on(FakeHttps::start_plain(Arc::new(f)))
    }

    pub fn image_ref(&self) -> String {
        format!("{DKR_HOST}:{}/{REPO}:{TAG}", self.dkr_port)
    }

    pub fn registry_requests(&self) -> Vec<Request> {
        self.registry
            .as_ref()
            .map(|r| r.requests())
            .unwrap_or_default()
    }

    /// Run the probe against the fakes with `extra` arguments (which may replace
    /// `--output`, `--timeout`, `--deadline` or `--image`).
    pub fn run(&self, extra: &[&str]) -> Outcome {
        self.run_with(extra, &RunOpts::default())
    }

    /// [`Lab::run`] with the ssm and secretsmanager endpoints at the logs fake (the
    /// service hop's fakes answer there), checking that no secret is printed.
    pub fn run_with_services(&self, args: &[&str]) -> Outcome {
        let port = self.logs.as_ref().expect("the logs fake").port();
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for s in ["ssm", "secretsmanager"] {
            all.push("--endpoint".into());
            all.push(format!("{s}=https://{LOGS_HOST}:{port}"));
        }
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = self.run(&all);
        out.assert_no_secrets();
        out
    }

    /// [`Lab::run`] with extra variables, variables taken away, or a wrapper.
    pub fn run_with(&self, extra: &[&str], opts: &RunOpts) -> Outcome {
        let has = |flag: &str| extra.contains(&flag);
        let mut args: Vec<String> = Vec::new();
        if !has("--image") {
            args.extend(["--image".into(), self.image_ref()]);
        }
        if !has("--output") {
            args.extend(["--output".into(), "json".into()]);
        }
        if !has("--timeout") {
            args.extend(["--timeout".into(), "1s".into()]);
        }
        if !has("--deadline") {
            args.extend(["--deadline".into(), format!("{}s", DEADLINE.as_secs())]);
        }
        args.extend([
            "--dns-server".into(),
            self.dns.addr.to_string(),
            "--endpoint".into(),
            format!("api=https://{API_HOST}:{}", self.api.port()),
            "--endpoint".into(),
            format!("s3=https://{S3_HOST}:{}", self.s3.port()),
            "--ca-bundle".into(),
            self.bundle.display().to_string(),
        ]);
        match &self.logs {
            Some(l) => args.extend([
                "--endpoint".into(),
                format!("logs=https://{LOGS_HOST}:{}", l.port()),
            ]),
            None => args.push("--skip-logs".into()),
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        run_probe_with(&args, opts)
    }
}

/// How a run differs from [`run_probe`]'s: variables added or removed, and a command
/// it is started through (e.g. `prlimit --as=…`).
#[derive(Default)]
pub struct RunOpts {
    pub env: Vec<(String, String)>,
    pub unset: Vec<String>,
    pub wrapper: Vec<String>,
}

impl RunOpts {
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn unset(mut self, k: &str) -> Self {
        self.unset.push(k.into());
        self
    }

    /// Started through `prlimit --as=<bytes>`: the address-space limit a small task's
    /// memory would be.
    pub fn memory_limit(self, bytes: u64) -> Self {
        self.limit(&format!("--as={bytes}"))
    }

    /// Started through GNU time, which writes the run's peak resident memory as the
    /// last line of stderr (read it with [`Outcome::max_rss_kib`]).
    pub fn measured(mut self) -> Self {
        self.wrapper = vec!["/usr/bin/time".into(), "-f".into(), format!("{MAX_RSS}%M")];
        self
    }

    /// Started through `prlimit <resource>`, e.g. `--nofile=16`.
    pub fn limit(mut self, resource: &str) -> Self {
        self.wrapper = vec!["prlimit".into(), resource.into()];
        self
    }
}

/// A loopback port where nothing listens (bound, then released).
async fn unused_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind for a free port");
    l.local_addr().expect("free port").port()
}

// ------------------------------------------------------------------ running the binary

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report.schema.json");

/// Every report the edge cases produce must match the published schema (the schema
/// test checks one failing run; these cover every evidence shape).
pub fn assert_schema_valid(report: &Value) {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH)
            .unwrap_or_else(|e| panic!("reading {SCHEMA_PATH}: {e}"));
        let schema: Value = serde_json::from_str(&text).expect("schema JSON");
        jsonschema::validator_for(&schema).expect("a valid JSON Schema")
    });
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "the report does not match {SCHEMA_PATH}: {errors:#?}"
    );
    assert_causes_catalogued(report);
}

/// Every cause a hop reports is a row of the catalogue that names the hop's kind, so
/// the table's `hops` column stays true as hops learn new failures.
fn assert_causes_catalogued(report: &Value) {
    let hops = report["hops"].as_array().into_iter().flatten();
    for hop in hops {
        let kind = hop["kind"].as_str().unwrap_or_default();
        let findings = hop["evidence"]["findings"].as_array().into_iter().flatten();
        let causes = hop["cause"]
            .as_str()
            .into_iter()
            .chain(findings.filter_map(|f| f["cause"].as_str()));
        for cause in causes {
            let row = vpce_probe::causes::Code::lookup(cause)
                .unwrap_or_else(|| panic!("{cause} is not in src/causes.rs"))
                .info();
            assert!(
                row.hops.iter().any(|k| k.as_str() == kind),
                "a {kind} hop reported {cause}, whose row in src/causes.rs does not list {kind}"
            );
        }
    }
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub args: Vec<String>,
}

/// Run the binary in [`Probe`]'s clean environment plus fake static keys and
/// `AWS_REGION`. A run still going after [`RUN_LIMIT`] is killed and fails the test.
pub fn run_probe(args: &[String]) -> Outcome {
    run_probe_with(args, &RunOpts::default())
}

pub fn run_probe_with(args: &[String], opts: &RunOpts) -> Outcome {
    let wrapper: Vec<&str> = opts.wrapper.iter().map(String::as_str).collect();
    let mut probe = Probe::wrapped(&wrapper, BIN);
    probe
        .args(args)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", REGION);
    for (k, v) in &opts.env {
        probe.env(k, v);
    }
    for k in &opts.unset {
        probe.env_remove(k);
    }
    let run = probe
        .run_within(RUN_LIMIT)
        .unwrap_or_else(|e| panic!("running {BIN}: {e}"));
    assert!(
        !run.killed,
        "the probe ran longer than {RUN_LIMIT:?} (args {args:?})"
    );
    Outcome {
        code: run.code.unwrap_or(-1),
        stdout: run.stdout,
        stderr: run.stderr,
        elapsed: run.took,
        args: args.to_vec(),
    }
}

const MAX_RSS: &str = "vpce-probe-max-rss-kib=";

impl Outcome {
    /// The peak resident memory of a [`RunOpts::measured`] run, in KiB.
    pub fn max_rss_kib(&self) -> u64 {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix(MAX_RSS))
            .next_back()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {MAX_RSS} line on stderr:\n{}", self.stderr))
    }

    /// The `--output json` report, validated against `docs/report.schema.json`.
    pub fn report(&self) -> Value {
        let report: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a JSON report ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
                self.code, self.stdout, self.stderr
            )
        });
        assert_schema_valid(&report);
        report
    }

    pub fn hops(&self) -> Vec<Value> {
        self.report()["hops"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn find_hop(&self, id: &str) -> Option<Value> {
        self.hops().into_iter().find(|h| h["id"] == id)
    }

    /// The hop `id`; fails the test with the hop list when it is missing.
    pub fn hop(&self, id: &str) -> Value {
        self.find_hop(id).unwrap_or_else(|| {
            panic!(
                "no hop {id:?}; hops: {:?}\nstderr:\n{}",
                self.hops()
                    .iter()
                    .map(|h| h["id"].as_str().unwrap_or("?").to_string())
                    .collect::<Vec<_>>(),
                self.stderr
            )
        })
    }

    /// Assert verdict and cause (None: no cause) of hop `id`; returns the hop.
    pub fn expect_hop(&self, id: &str, verdict: &str, cause: Option<&str>) -> Value {
        let h = self.hop(id);
        assert_eq!(
            (h["verdict"].as_str(), h["cause"].as_str()),
            (Some(verdict), cause),
            "hop {id}: {}",
            serde_json::to_string_pretty(&h).unwrap_or_default()
        );
        h
    }

    /// Assert that hop `id` was skipped because of `because`.
    pub fn expect_skipped(&self, id: &str, because: &str) {
        let h = self.hop(id);
        assert_eq!(
            (h["verdict"].as_str(), h["skipped_because"].as_str()),
            (Some("skipped"), Some(because)),
            "hop {id}: {h}"
        );
    }

    pub fn expect_exit(&self, code: i32) {
        assert_eq!(
            self.code, code,
            "exit code; args {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args, self.stdout, self.stderr
        );
    }

    /// Every hop except those listed passed (or warned with one of `warnings`).
    pub fn expect_all_pass_except(&self, except: &[&str]) {
        for h in self.hops() {
            let id = h["id"].as_str().unwrap_or_default();
            if except.contains(&id) {
                continue;
            }
            assert_eq!(h["verdict"], "pass", "hop {id} did not pass: {h}");
        }
    }

    /// Neither the token, its password, the secret key nor any part of the presigned
    /// URL's query appears on stdout or stderr.
    pub fn assert_no_secrets(&self) {
        let token = token();
        let needles = [
            token.as_str(),
            PASSWORD,
            SECRET_KEY,
            "X-Amz-Signature",
            "X-Amz-Credential",
            "X-Amz-Security-Token",
            S3_SIGNATURE,
            S3_CREDENTIAL,
            "ASIAFAKELAYERCRED",
            S3_SECURITY_TOKEN,
        ];
        for (stream, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            for n in needles {
                assert!(
                    !text.contains(n),
                    "{stream} contains the secret {n:?}:\n{text}"
                );
            }
        }
    }
}
