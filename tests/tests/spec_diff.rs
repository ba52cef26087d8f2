//! Change reports (`agentgen::diff`) on Clerk's real spec history: the three revisions of
//! `bapi/2026-05-12.yml` in the mirror's `history/` and the current file, and dated versions.
//! The findings asserted here are the ones the spec research (clerk-spec.md §4) lists.

use agentgen::diff::{diff_files, Bump, Change, ChangeReport, Class, DiffOptions};
use agentgen_tests::mirror;
use std::path::{Path, PathBuf};

fn history(rev: &str) -> PathBuf {
    mirror().join(format!("history/bapi-2026-05-12@{rev}.yml"))
}

fn dated(version: &str) -> PathBuf {
    mirror().join(format!("bapi/{version}.yml"))
}

fn report(old: &Path, new: &Path) -> ChangeReport {
    diff_files(old, new, &DiffOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The change of `kind` at `place` (`GET /users query.limit`, `schema User.name`).
fn find<'a>(r: &'a ChangeReport, place: &str, kind: &str) -> &'a Change {
    let all = || {
        r.changes
            .iter()
            .map(|c| format!("{} [{}]", c.place(), c.kind))
            .collect::<Vec<_>>()
            .join("\n")
    };
    r.changes
        .iter()
        .find(|c| c.place() == place && c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} at {place}; changes:\n{}", all()))
}

fn impact(c: &Change) -> (Class, bool) {
    (c.class, c.wire_breaking)
}

#[test]
fn history_7d9ea9b_to_current_adds_two_operations_and_changes_two() {
    let r = report(&history("7d9ea9b"), &dated("2026-05-12"));
    assert_eq!(
        r.operations.added,
        [
            "POST /billing/subscription_items/{subscription_item_id}/discounts",
            "DELETE /billing/subscription_items/{subscription_item_id}/discounts/{discount_id}",
        ]
    );
    assert!(r.operations.removed.is_empty());
    assert_eq!(
        r.operations.changed,
        ["POST /billing/prices", "GET /instance"]
    );
    let c = find(
        &r,
        "POST /billing/subscription_items/{subscription_item_id}/discounts",
        "operation-added",
    );
    assert_eq!(impact(c), (Class::Additive, false));
    assert!(c
        .new
        .as_deref()
        .unwrap()
        .contains("ApplyBillingSubscriptionItemDiscount"));
    // GET /instance: the response gains `workspace_id`.
    let c = find(&r, "schema Instance.workspace_id", "field-added");
    assert_eq!(impact(c), (Class::Additive, false));
    assert_eq!(c.operations, ["GET /instance"]);
    // POST /billing/prices: the request's `amount` and `annual_monthly_amount` are documented
    // differently (complimentary prices); nothing a caller has to change.
    for field in ["amount", "annual_monthly_amount"] {
        let c = find(
            &r,
            &format!("schema CreateBillingPriceRequest.{field}"),
            "description-changed",
        );
        assert_eq!(impact(c), (Class::Compatible, false));
        assert!(c.new.as_deref().unwrap().contains("complimentary"), "{c:?}");
        assert_eq!(c.operations, ["POST /billing/prices"]);
    }
    find(&r, "schema ApplyCommerceDiscountRequest", "schema-added");
    find(
        &r,
        "schema CommerceDiscountRedemptionResponse",
        "schema-added",
    );
    assert_eq!(
        r.counts.breaking + r.counts.wire_breaking + r.counts.type_rename,
        0
    );
    assert_eq!(r.counts.breaks_deployed_clients, 0);
    assert_eq!(r.counts.total, 7);
    assert_eq!(
        (r.semver.bump, r.semver.next.as_str()),
        (Bump::Minor, "0.1.1")
    );
}

#[test]
fn history_5073491_to_fd0ea09_breaking_changes_and_bundler_renames() {
    let r = report(&history("5073491"), &history("fd0ea09"));
    assert_eq!(r.operations.added.len(), 18);
    assert!(r.operations.removed.is_empty());
    assert!(r
        .operations
        .added
        .contains(&"PUT /organizations/{organization_id}/metadata".to_string()));
    // Three query parameters removed from GET /public/interstitial.
    for p in ["logo_url", "flow", "application_name"] {
        let c = find(
            &r,
            &format!("GET /public/interstitial query.{p}"),
            "parameter-removed",
        );
        assert_eq!(impact(c), (Class::Breaking, false));
    }
    // PATCH /organizations/{id} loses its metadata request fields (moved to .../metadata).
    for f in ["public_metadata", "private_metadata"] {
        let c = find(
            &r,
            &format!("PATCH /organizations/{{organization_id}} request.{f}"),
            "field-removed",
        );
        assert_eq!(impact(c), (Class::Breaking, false));
    }
    // A required response field removed, and a real type change: both break deployed clients.
    let c = find(
        &r,
        "schema CommerceCreditLedgerResponse.currency",
        "field-removed",
    );
    assert_eq!(impact(c), (Class::Breaking, true));
    assert_eq!(c.old.as_deref(), Some("required string"));
    let c = find(
        &r,
        "schema CommerceCreditLedgerResponse.amount",
        "type-changed",
    );
    assert_eq!(impact(c), (Class::Breaking, true));
    assert_eq!(
        (c.old.as_deref(), c.new.as_deref()),
        (Some("integer"), Some("CommerceMoneyResponse"))
    );
    assert_eq!(r.counts.breaks_deployed_clients, 2);
    // The bundler renames `schemas-X` -> `X-2`: structurally identical, wire format unchanged.
    for (old, new) in [
        ("schemas-CommercePlan", "CommercePlan-2"),
        (
            "schemas-CommerceSubscriptionItem",
            "CommerceSubscriptionItem-2",
        ),
        ("schemas-FeatureResponse", "FeatureResponse-2"),
        ("schemas-CommercePayerResponse", "CommercePayerResponse-2"),
    ] {
        let c = find(&r, &format!("schema {new}"), "schema-renamed");
        assert_eq!(impact(c), (Class::TypeRename, false));
        assert!(c.old.as_deref().unwrap().starts_with(old), "{c:?}");
    }
    assert!(!r.changes.iter().any(|c| c.kind == "schema-removed"));
    // A `$ref` retargeted to a different schema (which adds `discounts`).
    for owner in ["BillingPaymentAttempt", "CommerceSubscriptionItem"] {
        let c = find(&r, &format!("schema {owner}.totals"), "ref-retargeted");
        assert_eq!(c.class, Class::Breaking);
        assert!(c
            .new
            .as_deref()
            .unwrap()
            .starts_with("CommerceTotalsResponse-2"));
        assert!(
            c.note.contains("field-added .totals.discounts"),
            "{}",
            c.note
        );
    }
    // Enums extended: open enums keep unknown values, so additive.
    let c = find(
        &r,
        "schema OrganizationDomain.enrollment_mode",
        "enum-value-added",
    );
    assert_eq!(c.new.as_deref(), Some("enterprise_sso"));
    assert_eq!(impact(c), (Class::Additive, false));
    // A new required response field is additive: deployed clients ignore it.
    let c = find(
        &r,
        "schema BillingPriceResponse.supported_billing_periods",
        "field-added",
    );
    assert_eq!(impact(c), (Class::Additive, false));
    assert_eq!(
        (r.semver.bump, r.semver.next.as_str()),
        (Bump::Major, "0.2.0")
    );
}

#[test]
fn history_fd0ea09_to_7d9ea9b_is_additive() {
    let r = report(&history("fd0ea09"), &history("7d9ea9b"));
    assert_eq!(r.operations.added.len(), 13);
    assert_eq!(
        r.counts.breaking + r.counts.wire_breaking + r.counts.type_rename,
        0
    );
    let c = find(&r, "GET /users query.starting_after", "parameter-added");
    assert_eq!(impact(c), (Class::Additive, false));
    let c = find(
        &r,
        "schema CommercePaymentMethodResponse.payment_type",
        "enum-value-added",
    );
    assert_eq!(c.new.as_deref(), Some("payer-credits"));
    assert_eq!(impact(c), (Class::Additive, false));
    let c = find(
        &r,
        "PUT /users/{user_id}/email_address request.identification_status",
        "enum-value-added",
    );
    assert_eq!(c.new.as_deref(), Some("unverified"));
    assert_eq!(
        r.of_class(Class::Compatible)
            .filter(|c| c.kind == "field-deprecated")
            .count(),
        1
    );
    assert_eq!(r.semver.bump, Bump::Minor);
}

#[test]
fn dated_2024_10_01_to_2025_04_10_removes_session_verify() {
    let r = report(&dated("2024-10-01"), &dated("2025-04-10"));
    assert_eq!(r.operations.removed, ["POST /sessions/{session_id}/verify"]);
    let c = find(
        &r,
        "POST /sessions/{session_id}/verify",
        "operation-removed",
    );
    assert_eq!(impact(c), (Class::Breaking, true));
    let c = find(&r, "schema Session.status", "enum-value-added");
    assert_eq!(c.new.as_deref(), Some("pending"));
    assert_eq!(impact(c), (Class::Additive, false));
    assert!(c.operations.contains(&"GET /sessions".to_string()));
    assert_eq!(
        (r.semver.bump, r.semver.next.as_str()),
        (Bump::Major, "0.2.0")
    );
}

#[test]
fn dated_2025_04_10_to_2025_11_10_moves_commerce_to_billing() {
    let r = report(&dated("2025-04-10"), &dated("2025-11-10"));
    let moved: Vec<(&str, &str)> = r
        .changes
        .iter()
        .filter(|c| c.kind == "operation-moved")
        .map(|c| (c.old.as_deref().unwrap(), c.new.as_deref().unwrap()))
        .collect();
    assert_eq!(
        moved,
        [
            ("GET /commerce/plans", "GET /billing/plans"),
            (
                "GET /commerce/subscription_items",
                "GET /billing/subscription_items"
            ),
            (
                "DELETE /commerce/subscription_items/{subscription_item_id}",
                "DELETE /billing/subscription_items/{subscription_item_id}"
            ),
        ]
    );
    // Same operationId: the method keeps its name but moves group, and deployed clients
    // call the old path.
    let c = find(&r, "GET /billing/plans", "operation-moved");
    assert_eq!(impact(c), (Class::WireBreaking, true));
    let c = find(&r, "GET /billing/plans", "method-renamed");
    assert_eq!(
        (c.old.as_deref(), c.new.as_deref()),
        (Some("commerce().list_plans"), Some("billing().list_plans"))
    );
    assert!(r.operations.removed.is_empty());
    assert!(r.counts.breaks_deployed_clients > 20);
}

#[test]
fn reports_are_deterministic_and_sorted() {
    let a = report(&history("5073491"), &history("fd0ea09"));
    let b = report(&history("5073491"), &history("fd0ea09"));
    assert_eq!(agentgen::diff::markdown(&a), agentgen::diff::markdown(&b));
    assert_eq!(a.to_json(), b.to_json());
    let keys: Vec<_> = a
        .changes
        .iter()
        .map(|c| (c.scope.clone(), c.location.clone(), c.kind))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let json: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert_eq!(json["counts"]["total"], a.changes.len());
    assert_eq!(json["semver"]["bump"], "major");
    assert_eq!(json["changes"][0]["scope"]["kind"], "operation");
}
