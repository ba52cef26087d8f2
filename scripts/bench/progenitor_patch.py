"""The three spec patches progenitor 0.15.1 needs to generate a compiling crate from Clerk's
Backend API (see /work/shared/research/rust-generators.md, "progenitor patch log"):

1. multipart: drop the requestBody of operations whose body is multipart/form-data
   (progenitor fails with `unexpected content type: multipart/form-data`);
2. errors: operations whose error responses (4XX/5XX/default) use more than one schema
   (inline ClerkErrors copies, or ClerkErrors next to a body-less response) get every error
   response pointed at #/components/schemas/ClerkErrors (progenitor asserts one error type);
3. frontendapi: remove the deprecated `frontendApi` query parameter, which clashes with
   `frontend_api` once both become snake_case.

Usage: python progenitor_patch.py IN.yml OUT.json   (prints the number of edits per patch)
Run at bench time on a copy under target/; the spec and the patched copy are never committed.
"""
import json
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def resolve_response(doc, resp):
    ref = resp.get("$ref") if isinstance(resp, dict) else None
    if ref and ref.startswith("#/components/responses/"):
        return doc["components"]["responses"][ref.rsplit("/", 1)[1]]
    return resp


def error_kind(doc, resp):
    resp = resolve_response(doc, resp)
    content = resp.get("content") or {}
    if not content:
        return "none"
    return json.dumps(content, sort_keys=True)


def is_error(status):
    s = str(status)
    return s == "default" or s[0] in "45"


def main(src, dst):
    with open(src) as f:
        doc = yaml.safe_load(f)
    # Operations edited per patch.
    edits = {"multipart": 0, "errors": 0, "frontendapi": 0}
    for path_item in (doc.get("paths") or {}).values():
        if not isinstance(path_item, dict):
            continue
        for method in METHODS:
            op = path_item.get(method)
            if not isinstance(op, dict):
                continue
            body = op.get("requestBody")
            if isinstance(body, dict) and "multipart/form-data" in (body.get("content") or {}):
                del op["requestBody"]
                edits["multipart"] += 1
            responses = op.get("responses") or {}
            errors = [s for s in responses if is_error(s)]
            kinds = {error_kind(doc, responses[s]) for s in errors}
            if len(kinds) > 1:
                edits["errors"] += 1
                for s in errors:
                    desc = resolve_response(doc, responses[s]).get("description", "error")
                    responses[s] = {
                        "description": desc,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ClerkErrors"}
                            }
                        },
                    }
            params = op.get("parameters")
            if isinstance(params, list):
                kept = [p for p in params if not (isinstance(p, dict) and p.get("name") == "frontendApi")]
                edits["frontendapi"] += len(params) - len(kept)
                op["parameters"] = kept
    with open(dst, "w") as f:
        json.dump(doc, f)
    print(" ".join(f"{k}={v}" for k, v in edits.items()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
