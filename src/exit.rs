//! The process exit codes. They are part of the contract with scripts and schedulers
//! (documented in `--help` and the README), so they never change meaning.

/// Every hop passed (warnings allowed).
pub const PASS: u8 = 0;
/// At least one hop failed: the pull path is broken somewhere; the report says where.
pub const HOP_FAILED: u8 = 1;
/// The command line or the configuration was wrong; nothing was probed.
pub const USAGE: u8 = 2;
/// The probe itself could not run (runtime, output or internal error).
pub const COULD_NOT_RUN: u8 = 3;
