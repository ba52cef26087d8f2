#!/usr/bin/env python3
"""Bytes an agent reads to complete the reviewed workflows through `agentgen mcp` (progressive
mode, the default): the server instructions, `tools/list`, one `search_operations` per workflow
(its summary as the query), one `describe_operation` per step and one `call_operation` per step,
against Stoplight Prism serving Clerk's Backend API.

Usage: scripts/bench-tokens.py [--agentgen BIN]... [--spec FILE] [--workflows FILE]

Each `--agentgen` binary is measured in turn (e.g. an older build and the current one), side by
side in one run. The figures are byte counts of what the server sends back: the `instructions`
of `initialize`, the `tools/list` result, and the text content of each tool result. Bytes, not
tokens: no tokenizer is assumed; they are deterministic for a given binary and spec (Prism runs
in static mode, answering with the spec's examples).

Arguments come from the workflow steps: `$inputs.*` get fixed sample values, `$steps.*` a
plausible ID. When the server's `call_operation` accepts `fields`, a step whose outputs all
name fields (`$response.body#/0/id`, `$response.body#/banned`) passes those fields, as an
agent that follows the server's instructions would; steps that keep whole lists or bodies
(`$response.body#/data`, `$response.body`) pass none.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SAMPLES = {
    "email": "ada@example.com",
    "organization": "org_2bQ6pYb5F3xk1vZ8",
    "role": "org:member",
    "query": "ada",
    "public_metadata": {"plan": "pro"},
    "private_metadata": {"crm_id": "c-42"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mcp:
    """A stdio MCP client speaking newline-delimited JSON-RPC."""

    def __init__(self, argv, env):
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        self.next_id = 0

    def request(self, method, params):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server closed during {method}")
            reply = json.loads(line)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def notify(self, method):
        msg = {"jsonrpc": "2.0", "method": method}
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def result_text(result):
    return "".join(c.get("text", "") for c in result.get("content", []))


def value_of(expr, step_ids):
    if isinstance(expr, str) and expr.startswith("$inputs."):
        return SAMPLES[expr[len("$inputs."):]]
    if isinstance(expr, str) and expr.startswith("$steps."):
        name = expr.rsplit(".", 1)[-1]
        return {"organization_id": "org_2bQ6pYb5F3xk1vZ8"}.get(name, "user_2bQ6pYb5F3xk1vZ8")
    if isinstance(expr, dict):
        return {k: value_of(v, step_ids) for k, v in expr.items()}
    return expr


def item_fields(outputs):
    """The fields the step's outputs name: of each item (`$response.body#/0/id` -> id) or of
    the object (`$response.body#/banned` -> banned). Outputs that take a whole list or body
    (`#/data`, `$response.body`) name none: every output must name a field for a selection."""
    fields = []
    for expr in outputs.values():
        m = re.fullmatch(r"\$response\.body#/(?:0/)?([A-Za-z0-9_]+)", str(expr))
        if not m or m.group(1) in ("data",):
            return []
        fields.append(m.group(1))
    return fields


def fit(args, schema):
    """Wrap a scalar in a list where the operation's input schema wants an array (the workflow
    file passes one email address to the `email_address` filter)."""
    props = schema.get("properties", {})
    for k, v in args.items():
        if props.get(k, {}).get("type") == "array" and not isinstance(v, list):
            args[k] = [v]
    return args


def measure(binary, spec, workflows, prism_url, tool_names, schemas):
    conn = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(
        {
            "display_name": "Benchmark",
            "description": "Acme's customer accounts. Find a user: GET /v1/users?email_address=<email>",
            "connection_details": {"clerk": {"bearer_token": {"token": "sk_test_bench"}}},
        },
        conn,
    )
    conn.close()
    env = dict(os.environ, NO_PROXY="127.0.0.1")
    mcp = Mcp(
        [binary, "mcp", "--connection", conn.name, "--spec", spec, "--base-url", prism_url], env
    )
    init = mcp.request(
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "bench-tokens", "version": "1"},
        },
    )
    mcp.notify("notifications/initialized")
    instructions = len(init.get("instructions", "").encode())
    tools = mcp.request("tools/list", {})
    tools_bytes = len(json.dumps(tools, separators=(",", ":")).encode())
    call_schema = next(t for t in tools["tools"] if t["name"] == "call_operation")["inputSchema"]
    has_fields = "fields" in call_schema.get("properties", {})
    rows = []
    for w in workflows:
        search = mcp.request(
            "tools/call", {"name": "search_operations", "arguments": {"query": w["summary"]}}
        )
        row = {"workflow": w["id"], "search": len(result_text(search).encode()), "describe": 0, "call": 0}
        for step in w["steps"]:
            tool = tool_names[step["operation"]]
            d = mcp.request("tools/call", {"name": "describe_operation", "arguments": {"name": tool}})
            row["describe"] += len(result_text(d).encode())
            args = fit(
                {k: value_of(v, None) for k, v in step.get("params", {}).items()},
                schemas[tool],
            )
            if "body" in step:
                args["body"] = value_of(step["body"], None)
            call = {"name": tool, "arguments": args}
            fields = item_fields(step.get("outputs", {}))
            if has_fields and fields:
                call["fields"] = fields
            c = mcp.request("tools/call", {"name": "call_operation", "arguments": call})
            row["call"] += len(result_text(c).encode())
        row["total"] = instructions + tools_bytes + row["search"] + row["describe"] + row["call"]
        rows.append(row)
    mcp.close()
    os.unlink(conn.name)
    return instructions, tools_bytes, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agentgen", action="append", help="binary to measure (repeatable)")
    ap.add_argument("--spec", default=os.path.join(os.environ.get("AGENTGEN_SPEC_MIRROR", "../shared/spec/clerk"), "bapi/2026-05-12.yml"))
    ap.add_argument("--workflows", default=os.path.join(ROOT, "spec/clerk-bapi.workflows.yaml"))
    a = ap.parse_args()
    binaries = a.agentgen or [os.path.join(ROOT, "target/release/agentgen")]
    workflows = yaml.safe_load(open(a.workflows))["workflows"]

    port = free_port()
    prism = subprocess.Popen(
        [os.path.join(ROOT, "tools/prism/node_modules/.bin/prism"), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "fatal", a.spec],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}"
        results = []
        for b in binaries:
            # Tool names from the binary's own documents.
            out = tempfile.mkdtemp()
            subprocess.run([b, "generate", "--spec", a.spec, "--out", out, "--outputs", "agent"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            manifest = json.load(open(os.path.join(out, "agent/agentspec.json")))
            names = {o["operationId"]: o["name"] for o in manifest["operations"]}
            schemas = {
                o["name"]: json.load(open(os.path.join(out, "agent", o["file"])))["inputSchema"]
                for o in manifest["operations"]
            }
            results.append((b, measure(b, a.spec, workflows, url, names, schemas)))
    finally:
        prism.terminate()
        prism.wait()

    for b, (instructions, tools_bytes, rows) in results:
        print(f"\n{b}: instructions {instructions} B, tools/list {tools_bytes} B")
        print(f"{'workflow':<26}{'search':>8}{'describe':>10}{'call':>9}{'total':>9}")
        for r in rows:
            print(f"{r['workflow']:<26}{r['search']:>8}{r['describe']:>10}{r['call']:>9}{r['total']:>9}")
        print(f"{'sum':<26}{sum(r['search'] for r in rows):>8}{sum(r['describe'] for r in rows):>10}{sum(r['call'] for r in rows):>9}{sum(r['total'] for r in rows):>9}")
    if len(results) > 1:
        base = sum(r["total"] for r in results[0][1][2])
        for b, (_, _, rows) in results[1:]:
            total = sum(r["total"] for r in rows)
            print(f"\n{b}: {total} B vs {base} B = {total / base:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
