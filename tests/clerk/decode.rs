//! Copied into the crate generated from Clerk's bapi 2026-05-12 by `tests/tests/clerk_specs.rs`
//! and run there: Clerk-shaped JSON through the real generated models.

use clerk_backend_api::models::{
    EmailAddress, EmailAddressVerification, SessionStatus, VerificationOtpStatus,
    VerificationOtpStrategy,
};
use serde_json::{json, Value};

fn email(verification: Value) -> Value {
    json!({
        "id": "idn_2abc",
        "object": "email_address",
        "email_address": "ada@example.com",
        "reserved": false,
        "verification": verification,
        "linked_to": [{"type": "oauth_google", "id": "idn_x"}],
        "created_at": 1732306236469i64,
        "updated_at": 1732306236469i64
    })
}

#[test]
fn real_millisecond_timestamp() {
    let e: EmailAddress = serde_json::from_value(email(Value::Null)).unwrap();
    assert_eq!(e.created_at, 1_732_306_236_469);
}

#[test]
fn verification_without_its_optional_object_tag() {
    let v = json!({"status": "verified", "strategy": "email_code", "attempts": 1, "expire_at": 1732306236469i64});
    let e: EmailAddress = serde_json::from_value(email(v)).unwrap();
    match e.verification {
        Some(EmailAddressVerification::Otp(otp)) => {
            assert_eq!(otp.status, VerificationOtpStatus::Verified);
            assert_eq!(otp.strategy, VerificationOtpStrategy::EmailCode);
            assert_eq!(otp.expire_at, Some(1_732_306_236_469));
        }
        other => panic!("expected Otp, got {other:?}"),
    }
    let admin = json!({"status": "verified", "strategy": "admin", "attempts": null, "expire_at": null});
    let e: EmailAddress = serde_json::from_value(email(admin)).unwrap();
    assert!(matches!(e.verification, Some(EmailAddressVerification::Admin(_))), "{:?}", e.verification);
}

#[test]
fn unknown_enum_value() {
    let v = json!({"object": "verification_otp", "status": "verified", "strategy": "from_future", "attempts": 1, "expire_at": 1});
    let e: EmailAddress = serde_json::from_value(email(v)).unwrap();
    let Some(EmailAddressVerification::Otp(otp)) = e.verification else { panic!() };
    assert_eq!(otp.strategy, VerificationOtpStrategy::Unknown("from_future".into()));
    assert_eq!(SessionStatus::from("pending_review").as_str(), "pending_review");
}

#[test]
fn unknown_one_of_variant() {
    let v = json!({"object": "verification_passkey_2030", "status": "verified"});
    let e: EmailAddress = serde_json::from_value(email(v.clone())).unwrap();
    assert_eq!(e.verification, Some(EmailAddressVerification::Unknown(v)));
}

#[test]
fn null_where_nullable() {
    let e: EmailAddress = serde_json::from_value(email(Value::Null)).unwrap();
    assert_eq!(e.verification, None);
}

#[test]
fn unknown_extra_field() {
    let mut v = email(Value::Null);
    v["brand_new_field"] = json!(["x"]);
    let e: EmailAddress = serde_json::from_value(v).unwrap();
    assert_eq!(e.email_address, "ada@example.com");
}
