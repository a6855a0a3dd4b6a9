//! What every test binary shares. Kept light (no fake servers, no async runtime) so the
//! binaries that only need to start the probe do not compile the hop harness.

pub mod probe;
pub mod schema;
