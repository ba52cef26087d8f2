//! Clerk-shaped JSON decodes through generated models (fixture `accounts`), including the
//! payloads that break other generators: real millisecond timestamps, a verification without
//! its optional `object` tag, unknown enum values, unknown union variants, `null` where
//! nullable, unknown extra fields.

use fixture_accounts::models::{
    Account, AccountStatus, EmailAddressVerification, Key, UpdateAccountBody,
    VerificationOtpStrategy,
};
use serde_json::json;

fn account(verification: serde_json::Value) -> serde_json::Value {
    json!({
        "id": "acct_1",
        "object": "account",
        "status": "active",
        "display_name": null,
        "email_addresses": [{
            "id": "idn_1",
            "email_address": "a@example.test",
            "verification": verification
        }],
        "public_metadata": {"plan": "pro", "seats": 3},
        "created_at": 1732306236469i64,
        "updated_at": 1732306236469i64
    })
}

fn otp(with_tag: bool) -> serde_json::Value {
    let mut v = json!({"status": "verified", "strategy": "email_code", "attempts": 1, "expire_at": 1732306236469i64});
    if with_tag {
        v["object"] = json!("verification_otp");
    }
    v
}

#[test]
fn millisecond_timestamps_fit() {
    let a: Account = serde_json::from_value(account(otp(true))).unwrap();
    assert_eq!(a.created_at, 1_732_306_236_469);
    assert_eq!(a.updated_at, 1_732_306_236_469);
}

#[test]
fn verification_without_object_tag_is_dispatched_by_shape() {
    let a: Account = serde_json::from_value(account(otp(false))).unwrap();
    match a.email_addresses[0].verification.as_ref().unwrap() {
        EmailAddressVerification::Otp(v) => {
            assert_eq!(v.strategy, VerificationOtpStrategy::EmailCode);
            assert_eq!(v.object, None);
        }
        other => panic!("expected the OTP variant, got {other:?}"),
    }
    let link = json!({"status": "verified", "strategy": "email_link", "expire_at": null, "verified_url": "https://x.test"});
    let a: Account = serde_json::from_value(account(link)).unwrap();
    assert!(matches!(
        a.email_addresses[0].verification,
        Some(EmailAddressVerification::Link(_))
    ));
}

#[test]
fn unknown_enum_values_are_kept() {
    let mut v = account(otp(true));
    v["status"] = json!("suspended_by_policy");
    v["email_addresses"][0]["verification"]["strategy"] = json!("passkey");
    let a: Account = serde_json::from_value(v).unwrap();
    assert_eq!(
        a.status,
        AccountStatus::Unknown("suspended_by_policy".into())
    );
    assert_eq!(a.status.as_str(), "suspended_by_policy");
    let EmailAddressVerification::Otp(otp) = a.email_addresses[0].verification.clone().unwrap()
    else {
        panic!("tagged variant expected");
    };
    assert_eq!(
        otp.strategy,
        VerificationOtpStrategy::Unknown("passkey".into())
    );
    // Round trip keeps the unknown value.
    let back = serde_json::to_value(&a).unwrap();
    assert_eq!(back["status"], "suspended_by_policy");
}

#[test]
fn unknown_union_variant_keeps_raw_json() {
    let v = json!({"object": "verification_passkey", "status": "verified", "strategy": "passkey"});
    let a: Account = serde_json::from_value(account(v.clone())).unwrap();
    assert_eq!(
        a.email_addresses[0].verification,
        Some(EmailAddressVerification::Unknown(v.clone()))
    );
    let back = serde_json::to_value(&a).unwrap();
    assert_eq!(back["email_addresses"][0]["verification"], v);
}

#[test]
fn null_where_nullable() {
    let a: Account = serde_json::from_value(account(json!(null))).unwrap();
    assert_eq!(a.email_addresses[0].verification, None);
    assert_eq!(a.display_name, None);
    // Required + nullable is always serialized, as null.
    let back = serde_json::to_value(&a).unwrap();
    assert!(back.as_object().unwrap().contains_key("display_name"));
    assert_eq!(back["display_name"], json!(null));
}

#[test]
fn unknown_extra_fields_are_ignored() {
    let mut v = account(otp(true));
    v["brand_new_field"] = json!({"nested": true});
    v["email_addresses"][0]["verification"]["brand_new_field"] = json!(1);
    let a: Account = serde_json::from_value(v).unwrap();
    assert_eq!(a.id, "acct_1");
}

#[test]
fn decode_errors_inside_a_union_name_the_field() {
    let mut v = account(otp(true));
    v["email_addresses"][0]["verification"]["attempts"] = json!("three");
    let err = serde_json::from_value::<Account>(v)
        .unwrap_err()
        .to_string();
    assert!(err.contains("attempts"), "{err}");
}

#[test]
fn untagged_union_prefers_the_most_specific_variant() {
    let private = json!({"kty": "OKP", "crv": "Ed25519", "x": "pub", "d": "secret"});
    let public = json!({"kty": "OKP", "crv": "Ed25519", "x": "pub"});
    let rsa = json!({"kty": "RSA", "n": "m", "e": "AQAB", "x5t#S256": "t"});
    assert!(
        matches!(serde_json::from_value::<Key>(private).unwrap(), Key::KeyEd25519PrivateKey(k) if k.d == "secret")
    );
    assert!(matches!(
        serde_json::from_value::<Key>(public).unwrap(),
        Key::KeyEd25519PublicKey(_)
    ));
    match serde_json::from_value::<Key>(rsa).unwrap() {
        Key::KeyRsaPublicKey(k) => assert_eq!(k.x5t_s256.as_deref(), Some("t")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        serde_json::from_value::<Key>(json!(42)).unwrap(),
        Key::Unknown(_)
    ));
}

#[test]
fn patch_fields_are_tri_state() {
    let absent = UpdateAccountBody::default();
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));
    let clear = UpdateAccountBody {
        display_name: Some(None),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&clear).unwrap(),
        json!({"display_name": null})
    );
    let set = UpdateAccountBody {
        display_name: Some(Some("Ada".into())),
        attribute_mapping: Some(
            [
                ("email".to_string(), Some("mail".to_string())),
                ("phone".to_string(), None),
            ]
            .into_iter()
            .collect(),
        ),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&set).unwrap(),
        json!({"display_name": "Ada", "attribute_mapping": {"email": "mail", "phone": null}})
    );
    let back: UpdateAccountBody = serde_json::from_value(json!({"locale": null})).unwrap();
    assert_eq!(back.locale, Some(None));
    assert_eq!(back.display_name, None);
}

#[test]
fn boolean_const_and_free_form_fields() {
    let d: fixture_accounts::models::DeletedObject =
        serde_json::from_value(json!({"object": "account", "deleted": true, "id": "a"})).unwrap();
    assert!(d.deleted);
    let a: Account = serde_json::from_value(account(otp(true))).unwrap();
    assert_eq!(a.public_metadata.as_ref().unwrap()["seats"], json!(3));
}
