//! vpce-probe: can a container in this subnet pull its image from Amazon ECR without a
//! NAT, and if not, which hop breaks and why?
//!
//! The library is the whole probe; `main.rs` only parses arguments, calls [`app`] and
//! maps the report to an exit code. Keeping it a library lets tests drive the probe
//! in-process and keeps every renderer a pure function of the [`report::Report`].
//!
//! Data flow: [`cli::Args`] → [`config::Config`] (validated) → [`runner::run`] (the
//! facts, then the hops, concurrently where independent) → [`report::Report`] (the
//! versioned wire contract) → a renderer in [`report`].

pub mod app;
pub mod aws;
pub mod causes;
pub mod cli;
pub mod config;
pub mod denial;
pub mod diagnose;
pub mod diff;
pub mod error;
pub mod escape;
pub mod exec;
pub mod exit;
pub mod explain;
pub mod facts;
pub mod hop;
pub mod hop_kind;
pub mod image_ref;
pub mod judges;
pub mod launch;
pub mod needs;
pub mod net;
pub mod plan;
pub mod principal;
pub mod provenance;
pub mod remediation;
pub mod report;
pub mod runner;
pub mod secret;
pub mod steps;
pub mod taskdef;
mod value_set;
