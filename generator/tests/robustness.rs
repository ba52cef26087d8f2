//! Bad specs get located errors, never panics or silently wrong output.

use agentgen::{generate, Config, Inputs};

fn err_of(text: &str) -> String {
    match generate(
        &Inputs::from_text("spec.yaml", text),
        &Config::new("spec.yaml"),
    ) {
        Ok(g) => panic!("expected an error, got {} files", g.files.len()),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

#[test]
fn not_a_document() {
    assert!(err_of("- 1\n- 2\n").contains("must be a mapping"));
    assert!(err_of("").contains("empty"));
    assert!(err_of("swagger: '2.0'\n").contains("Swagger 2.0"));
    assert!(err_of("info: {title: T}\n").contains("missing `openapi`"));
    assert!(err_of("openapi: 4.0.0\n").contains("unsupported OpenAPI version"));
}

#[test]
fn wrong_types_name_the_pointer() {
    let e = err_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses: 5\n"
    ));
    assert!(e.contains("#/paths/~1a/get/responses"), "{e}");
}

#[test]
fn fields_generation_does_not_need_get_a_warning_and_a_default() {
    let g = generate(
        &Inputs::from_text(
            "spec.yaml",
            "openapi: 3.0.3\ninfo: {title: [T], version: 1.5}\npaths: {}\n",
        ),
        &Config::new("spec.yaml"),
    )
    .unwrap();
    let found: Vec<(&str, &str)> = g
        .diagnostics
        .iter()
        .filter(|d| d.severity == agentgen::Severity::Warning)
        .map(|d| (d.code, d.pointer.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("invalid-info", "#/info/title"),
            ("invalid-info", "#/info/version"),
            ("no-operations", "#/paths")
        ]
    );
    assert_eq!(
        (g.api.info.title.as_str(), g.api.info.version.as_str()),
        ("API", "1.5")
    );
    assert!(g.api.operations.is_empty());
    // Hostile input stays an error.
    let e = err_of("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: [1]\n");
    assert!(e.contains("invalid-type") && e.contains("#/paths"), "{e}");
}

#[test]
fn reference_problems() {
    let ok = "      responses: {'200': {description: ok}}\n";
    let e = err_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n{ok}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    ));
    assert!(e.contains("alias-cycle"), "{e}");
    let e = err_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n{ok}components:\n  schemas:\n    A: {{allOf: [{{$ref: '#/components/schemas/B'}}, {{properties: {{a: {{type: string}}}}}}]}}\n    B: {{allOf: [{{$ref: '#/components/schemas/A'}}, {{properties: {{b: {{type: string}}}}}}]}}\n"
    ));
    assert!(e.contains("allof-cycle"), "{e}");
    let e = err_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      parameters: [{{$ref: '#/components/parameters/Nope'}}]\n{ok}"
    ));
    assert!(
        e.contains("dangling-ref") && e.contains("#/paths/~1a/get/parameters/0"),
        "{e}"
    );
    let e = err_of(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: 'other.yaml#/X'}}}}}}}}}}\n"
    ));
    assert!(e.contains("unsupported-ref"), "{e}");
}

#[test]
fn duplicate_operation_ids_are_errors() {
    let e = err_of(&format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: x, responses: {{'200': {{description: ok}}}}}}\n  /b:\n    get: {{operationId: x, responses: {{'200': {{description: ok}}}}}}\n"
    ));
    assert!(
        e.contains("duplicate-operation-id") && e.contains("#/paths/~1b/get"),
        "{e}"
    );
}

#[test]
fn recursive_schemas_generate_boxed_fields() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Node'}}}}}}}}}}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      required: [next]\n      properties:\n        next: {{$ref: '#/components/schemas/Node'}}\n"
    );
    let g = generate(
        &Inputs::from_text("spec.yaml", text),
        &Config::new("spec.yaml"),
    )
    .unwrap();
    let models = &g.files["client/src/models.rs"];
    assert!(models.contains("pub next: Box<Node>"), "{models}");
}

#[test]
fn deep_nesting_is_bounded() {
    let mut schema = String::from("{type: string}");
    for _ in 0..200 {
        schema = format!("{{type: array, items: {schema}}}");
    }
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {schema}}}}}}}}}\n"
    );
    let e = err_of(&text);
    assert!(e.contains("deep") || e.contains("recursion"), "{e}");
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let mut text =
        format!("{HEAD}paths: {{}}\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut prev = 'a';
    for c in 'b'..='j' {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("x-{c}: &{c} [{refs}]\n"));
        prev = c;
    }
    let e = err_of(&text);
    assert!(
        e.contains("repetition limit") || e.contains("invalid YAML"),
        "{e}"
    );
}
