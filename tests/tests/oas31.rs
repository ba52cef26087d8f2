//! OpenAPI 3.1 (`tests/fixtures/oas31/spec.yaml`, our own fixture using every 3.1 construct
//! the loader reads): each construct reaches the IR as the Rust type a user would write by
//! hand, the committed crate (`fixture-oas31`, a workspace member) decodes what the spec
//! describes, and the agent documents carry the constructs in JSON Schema 2020-12 (MCP)
//! while each model API's export keeps its own rules.

use agentgen::ir::{Api, BodyEncoding, ResponseKind, TypeKind, TypeRef};
use serde_json::{json, Value};
use std::path::PathBuf;

fn spec() -> PathBuf {
    agentgen_tests::repo_root().join("tests/fixtures/oas31/spec.yaml")
}

fn generated() -> agentgen::Generated {
    let config = agentgen::Config::new(spec()).crate_name("fixture-oas31");
    agentgen::load_and_generate(&config).unwrap_or_else(|e| panic!("{e}"))
}

fn named<'a>(api: &'a Api, name: &str) -> &'a agentgen::ir::TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
}

fn field<'a>(api: &'a Api, ty: &str, wire: &str) -> &'a agentgen::ir::Field {
    let TypeKind::Struct { fields } = &named(api, ty).kind else {
        panic!("{ty} is not a struct")
    };
    fields.iter().find(|f| f.wire_name == wire).unwrap()
}

#[test]
fn every_3_1_construct_reaches_the_ir_as_a_hand_written_type() {
    let g = generated();
    let api = &g.api;
    let widget = named(api, "Widget").id_ref(api);
    // `type: [string, "null"]`: Option<String>.
    assert_eq!(
        field(api, "Widget", "color").ty,
        TypeRef::Nullable(Box::new(TypeRef::String))
    );
    // `prefixItems: [number, number], items: false`: (f64, f64).
    assert_eq!(
        field(api, "Widget", "position").ty,
        TypeRef::Tuple(vec![TypeRef::Number, TypeRef::Number])
    );
    // `anyOf: [$ref, {type: null}]`: Option<Part>.
    let part = TypeRef::Named(api.types.iter().position(|t| t.name == "Part").unwrap());
    assert_eq!(
        field(api, "Widget", "spare_part").ty,
        TypeRef::Nullable(Box::new(part.clone()))
    );
    // `$ref` with siblings: the reference's type, the siblings' description and readOnly.
    let main = field(api, "Widget", "main_part");
    assert_eq!(main.ty, part);
    assert!(main.read_only);
    assert_eq!(
        main.description.as_deref(),
        Some("The part the widget is built around.")
    );
    // `type: [integer, string]`: a union of the two.
    let TypeRef::Named(code) = field(api, "Widget", "code").ty else {
        panic!()
    };
    let TypeKind::Union { variants, .. } = &api.types[code].kind else {
        panic!()
    };
    let kinds: Vec<&TypeRef> = variants.iter().map(|v| &v.ty).collect();
    assert_eq!(kinds, [&TypeRef::Integer, &TypeRef::String]);
    // A boolean schema `true`: untyped JSON.
    assert_eq!(field(api, "Widget", "attributes").ty, TypeRef::Json);
    // `const`: a fixed value; a `const` discriminator selects union variants.
    let object = &field(api, "Widget", "object").constraints;
    assert_eq!(object.const_value, Some(json!("widget")));
    let TypeKind::Union { tag, variants } = &named(api, "Part").kind else {
        panic!()
    };
    assert_eq!(tag.as_deref(), Some("kind"));
    for (v, tag) in variants.iter().zip(["gear", "spring"]) {
        assert!(v.tag_values.iter().any(|t| t == tag), "{:?}", v.tag_values);
    }
    // `examples` lists: the first is the example, all are kept.
    let id = &field(api, "Widget", "id").constraints;
    assert_eq!(id.example, Some(json!("wid_1")));
    assert_eq!(id.examples, [json!("wid_1"), json!("wid_2")]);
    // Numeric exclusive bounds.
    let weight = &field(api, "Widget", "weight").constraints;
    assert_eq!((weight.minimum, weight.maximum), (Some(0.0), Some(1000.0)));
    assert!(weight.exclusive_minimum && weight.exclusive_maximum);
    // `contentEncoding: base64`: a string, `format: byte`.
    assert_eq!(field(api, "Widget", "signature").ty, TypeRef::String);
    let signature = &field(api, "Widget", "signature").constraints;
    assert_eq!(signature.format.as_deref(), Some("byte"));
    // `contentMediaType` of binary content: bytes (a file part; a bytes response).
    let op = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.operation_id == id)
            .unwrap()
    };
    let upload = op("UploadWidgetImage").body.as_ref().unwrap();
    assert_eq!(upload.encoding, BodyEncoding::Multipart);
    let TypeRef::Named(body) = upload.ty else {
        panic!()
    };
    let body = &api.types[body].name;
    assert_eq!(field(api, body, "image").ty, TypeRef::Bytes);
    assert_eq!(op("GetWidgetThumbnail").response.kind, ResponseKind::Bytes);
    // `components/pathItems`: the operations of a referenced path item.
    for id in ["ListWidgets", "CreateWidget"] {
        assert_eq!(op(id).path, "/widgets");
    }
    assert_eq!(api.operations.len(), 6);
    // Integer bounds past 64 bits: -2^63 as JavaScript prints it is i64::MIN and stays; 2^64
    // is outside i64 and is dropped with a located note.
    let seed = &op("ListParts").params[1];
    let c = &seed.constraints;
    assert_eq!((c.minimum, c.maximum), (Some(i64::MIN as f64), None));
    let note = g
        .diagnostics
        .iter()
        .find(|d| d.code == "bound-out-of-range")
        .unwrap();
    assert_eq!(
        note.pointer,
        "#/paths/~1parts/get/parameters/1/schema/maximum"
    );
    assert_eq!(note.line, Some(107));
    let limit = &op("ListParts").params[0].constraints;
    assert!(limit.exclusive_minimum && limit.minimum == Some(0.0));
    assert_eq!(limit.examples, [json!(10), json!(50)]);
    // Top-level `webhooks`: the webhooks module, dispatching on the body's constant `type`.
    let events: Vec<(&str, &str)> = api
        .webhooks
        .iter()
        .map(|e| (e.event_type.as_str(), e.variant.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("widget.created", "WidgetCreated"),
            ("part.recalled", "PartRecalled")
        ]
    );
    assert_eq!(api.webhooks[0].payload, widget);
    assert_eq!(api.webhooks[0].pointer, "#/webhooks/widget_created");
    assert_eq!(api.webhooks[1].payload, part);
    // `info.summary` and `license.identifier`.
    assert_eq!(
        api.info.summary.as_deref(),
        Some("Widgets and their parts, as a small 3.1 service describes them.")
    );
    assert_eq!(api.info.license.as_deref(), Some("Apache-2.0"));
    assert!(g.files["client/README.md"].contains("licensed under `Apache-2.0`"));
    // No warning: every construct is understood.
    let warnings: Vec<_> = g
        .diagnostics
        .iter()
        .filter(|d| d.severity != agentgen::Severity::Note)
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    // The Rust a user would write.
    let models = &g.files["client/src/models.rs"];
    for line in [
        "pub color: Option<String>,",
        "pub position: (f64, f64),",
        "pub spare_part: Option<Part>,",
    ] {
        assert!(models.contains(line), "models.rs lacks `{line}`");
    }
}

trait IdRef {
    fn id_ref(&self, api: &Api) -> TypeRef;
}

impl IdRef for agentgen::ir::TypeDef {
    fn id_ref(&self, api: &Api) -> TypeRef {
        TypeRef::Named(api.types.iter().position(|t| t.name == self.name).unwrap())
    }
}

#[test]
fn the_committed_crate_decodes_what_the_spec_describes() {
    use fixture_oas31::models::{Part, Widget, WidgetCode};
    let w: Widget = serde_json::from_value(json!({
        "id": "wid_1", "object": "widget", "name": "Sprocket", "color": null,
        "position": [1.5, -2], "code": 7, "spare_part": {"kind": "spring", "stiffness": 0.5},
        "main_part": {"kind": "gear", "teeth": 12}, "attributes": {"any": ["thing"]}
    }))
    .unwrap();
    assert_eq!(w.position, (1.5, -2.0));
    assert_eq!(w.color, None);
    assert!(matches!(w.code, Some(WidgetCode::Integer(7))));
    assert!(matches!(w.main_part, Some(Part::Gear(ref g)) if g.teeth == 12));
    assert!(matches!(w.spare_part, Some(Part::Spring(_))));
    // A tuple of the wrong length is refused.
    let err = serde_json::from_value::<Widget>(json!({
        "id": "w", "object": "widget", "name": "n", "color": "red", "position": [1]
    }))
    .unwrap_err()
    .to_string();
    assert!(err.contains("tuple of size 2"), "{err}");
    // Written back, the tuple is a JSON array.
    let back = serde_json::to_value(&w).unwrap();
    assert_eq!(back["position"], json!([1.5, -2.0]));
    // A 3.1 webhook delivery decodes by its `type`.
    let event = fixture_oas31::webhooks::Event::from_value(json!({
        "type": "part.recalled", "data": {"kind": "gear", "teeth": 3}
    }))
    .unwrap();
    assert_eq!(event.event_type(), "part.recalled");
}

#[test]
fn agent_documents_carry_3_1_schemas_and_each_export_keeps_its_rules() {
    let g = generated();
    let doc = |p: &str| -> Value { serde_json::from_str(&g.files[&format!("agent/{p}")]).unwrap() };
    let create = doc("ops/widgets_create_widget.json");
    let position = &create["inputSchema"]["$defs"]["WidgetInput"]["properties"]["position"];
    assert_eq!(
        position,
        &json!({"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": false, "minItems": 2, "maxItems": 2})
    );
    let list = doc("ops/parts_list_parts.json");
    assert_eq!(
        list["inputSchema"]["properties"]["limit"],
        json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 100, "examples": [10, 50]})
    );
    // OpenAI strict mode has no tuples: the tool is not strict, and says why.
    let openai = doc("tools/openai.tools.json");
    let reason = openai["nonStrict"]["widgets_create_widget"]
        .as_str()
        .unwrap();
    assert!(reason.contains("prefixItems"), "{reason}");
    // Gemini: its keywords only (no `exclusiveMinimum`, no boolean `items`).
    let gemini = doc("tools/gemini.tools.json");
    let text = gemini.to_string();
    assert!(!text.contains("exclusiveMinimum") && !text.contains("\"items\":false"));
    assert!(text.contains("prefixItems"));
    // Anthropic: an input named outside its key rule is renamed, and the rename listed.
    let anthropic = doc("tools/anthropic.tools.json");
    let tool = anthropic["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "parts_list_parts")
        .unwrap();
    let props = tool["input_schema"]["properties"].as_object().unwrap();
    assert!(props.contains_key("created_at_gte") && !props.contains_key("created_at[gte]"));
    assert_eq!(
        anthropic["inputNames"]["parts_list_parts"],
        json!({"created_at_gte": "created_at[gte]"})
    );
    // The other exports keep the API's name.
    assert!(list["inputSchema"]["properties"]["created_at[gte]"].is_object());
}
