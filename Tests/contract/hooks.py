"""schemathesis hooks for scripts/contract-test (loaded through schemathesis.toml)."""

import json

import schemathesis


@schemathesis.deserializer("application/x-ndjson")
def json_lines(_context, response):
    """A JSON-lines answer, read as the array of its lines, as schema/openapi.yaml describes it."""
    return [json.loads(line) for line in response.content.decode("utf-8").split("\n") if line.strip()]


@schemathesis.check
def search_refuses_only_wordless_queries(_context, response, case):
    """Schema-valid searches may get 422 for one reason only: a `q` with no word.

    schemathesis.toml lets positive_data_acceptance take a 422 from the search operations, since
    the schema cannot say what a word is; this keeps every other 422 a failure.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or case.operation.path != "/v1/search":
        return None
    if response.status_code != 422:
        return None
    message = response.json()["error"]["message"]
    if not message.startswith("q: must contain at least one word"):
        raise AssertionError(f"Valid search refused for another reason than a wordless q: {message}")
    return None


IMPORT_PATHS = {"/v1/companies", "/v1/users", "/v1/sessions"}


@schemathesis.check
def imports_refuse_only_unreadable_files(_context, response, case):
    """A schema-valid JSON array read as JSON is a readable file: its bad rows fail alone, with 200.

    schemathesis.toml lets positive_data_acceptance take a 422 from the imports for text bodies,
    whose header row the schema cannot describe; a JSON array body has no such excuse.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or case.operation.path not in IMPORT_PATHS:
        return None
    forced = (case.query or {}).get("format")
    if response.status_code == 422 and case.media_type == "application/json" and forced in (None, "json"):
        message = response.json()["error"]["message"]
        raise AssertionError(f"A valid JSON array was refused as a whole: {message}")
    return None
