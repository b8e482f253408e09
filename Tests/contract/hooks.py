"""schemathesis hooks for scripts/contract-test (loaded through schemathesis.toml)."""

import json

import schemathesis


@schemathesis.deserializer("application/x-ndjson")
def json_lines(_context, response):
    """A JSON-lines answer, read as the array of its lines, as schema/openapi.yaml describes it."""
    return [json.loads(line) for line in response.content.decode("utf-8").split("\n") if line.strip()]
