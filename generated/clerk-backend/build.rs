//! Generates the Clerk Backend API client into `OUT_DIR` from the pinned spec
//! (`spec/clerk-bapi.yaml`), with the webhook events of the pinned webhooks spec
//! (`spec/clerk-webhooks.yaml`) as `clerk_backend::webhook_events`: found through
//! `AGENTGEN_SPEC_MIRROR`, the download cache, or a download, with their sha256 checked.
//! Reruns only when the spec files or those variables change.

use std::process::ExitCode;

fn main() -> ExitCode {
    match agentgen::configure()
        .crate_name("clerk-backend")
        .clerk_webhooks()
        .compile()
    {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot generate the Clerk Backend API client\n{e}");
            ExitCode::FAILURE
        }
    }
}
