//! List Clerk users by email address with a read-only client.
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_... cargo run -p clerk-backend --example list_users_by_email -- ada@example.com
//! ```
//!
//! `CLERK_API_URL` overrides the base URL (default: Clerk's API), e.g. the Prism mock server of
//! the test suite in dynamic mode (`tools/prism/node_modules/.bin/prism mock -d
//! bapi/2026-05-12.yml`, then `CLERK_API_URL=http://127.0.0.1:4010`). Prism's static example
//! of a user violates the spec (a `saml_connection` of `{}`), which the client refuses to
//! decode, as `tests/clerk/e2e.rs` records. The client is read-only: it cannot call an
//! operation that changes data, whatever the key allows. The key is never printed.

use clerk_backend::users::ListParams;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let emails: Vec<String> = std::env::args().skip(1).collect();
    if emails.is_empty() {
        eprintln!("usage: list_users_by_email EMAIL...");
        return ExitCode::from(2);
    }
    let Ok(key) = std::env::var("CLERK_SECRET_KEY") else {
        eprintln!("error: set CLERK_SECRET_KEY to a Clerk secret key");
        return ExitCode::from(2);
    };
    let mut builder = clerk_backend::Client::builder().secret_key(key);
    if let Ok(url) = std::env::var("CLERK_API_URL") {
        builder = builder.base_url(url);
    }
    let client = match builder.build_read_only() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let params = ListParams {
        email_address: Some(emails),
        ..Default::default()
    };
    match client.users().list(&params).await {
        Ok(users) => {
            println!("{} user(s)", users.len());
            for user in users.iter() {
                let addresses: Vec<&str> = user
                    .email_addresses
                    .iter()
                    .map(|e| e.email_address.as_str())
                    .collect();
                println!("{}\t{}", user.id, addresses.join(", "));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
