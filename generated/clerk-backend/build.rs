//! Generates the Clerk Backend API client into `OUT_DIR` from the pinned spec
//! (`spec/clerk-bapi.yaml`): found through `AGENTGEN_SPEC_MIRROR`, the download cache, or a
//! download, with its sha256 checked. Reruns only when the spec file or those variables change.

use std::process::ExitCode;

fn main() -> ExitCode {
    match agentgen::configure().crate_name("clerk-backend").compile() {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot generate the Clerk Backend API client\n{e}");
            ExitCode::FAILURE
        }
    }
}
