use super::*;

const OLD: &str = r#"
openapi: 3.0.3
info: {title: Pets API, version: '1'}
servers: [{url: 'https://api.example.com'}]
paths:
  /pets:
    get:
      operationId: ListPets
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: flow, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      operationId: CreatePet
      tags: [pets]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
                kind: {type: string, enum: [cat, dog, bird]}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /pets/{pet_id}/verify:
    post:
      operationId: VerifyPet
      tags: [pets]
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
  /owners/{id}:
    get:
      operationId: GetOwner
      tags: [owners]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/schemas-Owner'}
components:
  schemas:
    Pet:
      type: object
      required: [id, status, legs]
      properties:
        id: {type: string}
        status: {type: string, enum: [active, gone]}
        legs: {type: integer}
        nickname: {type: string}
    schemas-Owner:
      type: object
      required: [id]
      properties:
        id: {type: string, description: The id.}
"#;

const NEW: &str = r#"
openapi: 3.0.3
info: {title: Pets API, version: '2'}
servers: [{url: 'https://api.example.com'}]
paths:
  /pets:
    get:
      operationId: ListPets
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: order_by, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
    post:
      operationId: CreatePet
      tags: [pets]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, owner_id]
              properties:
                name: {type: string}
                owner_id: {type: string}
                kind: {type: string, enum: [cat, dog, fish]}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /owners/{owner_id}:
    get:
      operationId: GetOwner
      tags: [owners]
      parameters:
        - {name: owner_id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Owner-2'}
  /owners:
    get:
      operationId: ListOwners
      tags: [owners]
      responses:
        '200': {description: ok}
components:
  schemas:
    Pet:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {type: string, enum: [active, gone, pending]}
        legs: {type: integer, nullable: true}
        color: {type: string}
    Owner-2:
      type: object
      required: [id]
      properties:
        id: {type: string, description: The owner id.}
"#;

fn report() -> ChangeReport {
    diff("old.yaml", OLD, "new.yaml", NEW, &DiffOptions::default()).unwrap()
}

fn find<'a>(r: &'a ChangeReport, place: &str, kind: &str) -> &'a Change {
    r.changes
        .iter()
        .find(|c| c.place() == place && c.kind == kind)
        .unwrap_or_else(|| {
            let all: Vec<String> = r
                .changes
                .iter()
                .map(|c| format!("{} {}", c.place(), c.kind))
                .collect();
            panic!("no {kind} at {place}; changes:\n{}", all.join("\n"))
        })
}

#[test]
fn operations_added_removed_and_renamed_params() {
    let r = report();
    let c = find(&r, "POST /pets/{pet_id}/verify", "operation-removed");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, true));
    let c = find(&r, "GET /owners", "operation-added");
    assert_eq!(c.class, Class::Additive);
    // `{id}` -> `{owner_id}` is the same operation; the path parameter is positional.
    let c = find(
        &r,
        "GET /owners/{owner_id} path.owner_id",
        "path-parameter-renamed",
    );
    assert_eq!(c.class, Class::Compatible);
    let c = find(&r, "GET /pets query.flow", "parameter-removed");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, false));
    let c = find(&r, "GET /pets query.order_by", "parameter-added");
    assert_eq!(c.class, Class::Additive);
}

#[test]
fn request_fields_and_enums() {
    let r = report();
    let c = find(&r, "POST /pets request.owner_id", "field-added");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, true));
    let c = find(&r, "POST /pets request.kind", "enum-value-removed");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, true));
    assert_eq!(c.old.as_deref(), Some("bird"));
    let c = find(&r, "POST /pets request.kind", "enum-value-added");
    assert_eq!(c.class, Class::Additive);
}

#[test]
fn response_schema_changes_are_reported_once_per_schema() {
    let r = report();
    let c = find(&r, "schema Pet.legs", "field-optional");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, true));
    let c = find(&r, "schema Pet.legs", "field-nullable");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, true));
    let c = find(&r, "schema Pet.nickname", "field-removed");
    assert_eq!((c.class, c.wire_breaking), (Class::Breaking, false));
    let c = find(&r, "schema Pet.color", "field-added");
    assert_eq!(c.class, Class::Additive);
    let c = find(&r, "schema Pet.status", "enum-value-added");
    assert_eq!((c.class, c.wire_breaking), (Class::Additive, false));
    assert_eq!(
        r.changes
            .iter()
            .filter(|c| c.place().contains(".legs") && c.kind == "field-nullable")
            .count(),
        1
    );
}

#[test]
fn structurally_identical_rename_keeps_the_wire_format() {
    let r = report();
    let c = find(&r, "schema Owner-2", "schema-renamed");
    assert_eq!(c.class, Class::TypeRename);
    assert!(!c.wire_breaking);
    assert!(c.old.as_deref().unwrap().starts_with("schemas-Owner"));
    let c = find(&r, "GET /owners/{owner_id} response", "ref-renamed");
    assert_eq!(c.class, Class::TypeRename);
    assert!(!r.changes.iter().any(|c| c.kind == "schema-removed"));
}

#[test]
fn semver_and_determinism() {
    let r = report();
    assert_eq!(r.semver.bump, Bump::Major);
    assert_eq!(r.semver.next, "0.2.0");
    let again = report();
    assert_eq!(r, again);
    assert_eq!(r.to_json(), again.to_json());
    let md = markdown(&r);
    assert!(md.contains("## Operations"), "{md}");
    assert!(md.contains("### `schema Pet`"), "{md}");
    assert!(md.contains(&summary_line(&r)), "{md}");
    let same = diff("a", OLD, "b", OLD, &DiffOptions::default()).unwrap();
    assert!(same.changes.is_empty());
    assert_eq!(same.semver.bump, Bump::None);
    assert_eq!(same.semver.next, "0.1.0");
}

#[test]
fn next_versions_follow_cargo_pre_1_0_rules() {
    assert_eq!(next_version("0.1.0", Bump::Major), "0.2.0");
    assert_eq!(next_version("0.1.3", Bump::Minor), "0.1.4");
    assert_eq!(next_version("0.1.3", Bump::Patch), "0.1.4");
    assert_eq!(next_version("0.0.3", Bump::Major), "0.0.4");
    assert_eq!(next_version("1.2.3", Bump::Major), "2.0.0");
    assert_eq!(next_version("1.2.3", Bump::Minor), "1.3.0");
    assert_eq!(next_version("1.2.3", Bump::Patch), "1.2.4");
    assert_eq!(next_version("1.2.3", Bump::None), "1.2.3");
}

#[test]
fn vendor_extensions_of_an_operation_are_compared() {
    let old = OLD.replace(
        "      operationId: ListPets\n",
        "      operationId: ListPets\n      x-speakeasy-name-override: list\n      x-kept: 1\n",
    );
    let new = OLD.replace(
        "      operationId: ListPets\n",
        "      operationId: ListPets\n      x-speakeasy-name-override: all\n      x-kept: 1\n",
    );
    let r = diff("old.yaml", &old, "new.yaml", &new, &DiffOptions::default()).unwrap();
    let changed: Vec<&Change> = r
        .changes
        .iter()
        .filter(|c| c.kind == "extension-changed")
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].location, "x-speakeasy-name-override");
    assert_eq!(changed[0].old.as_deref(), Some("\"list\""));
    assert_eq!(changed[0].new.as_deref(), Some("\"all\""));
}
