# The README's two set-up commands: `make run` starts braind on its embedded default
# (SQLite, no Mem0 needed); `make test` runs the whole test suite: `swift test`, then the
# official Python MCP client against `brain mcp` (in a venv, .venv-mcp), then schemathesis against
# braind and schema/openapi.yaml (scripts/contract-test, in .venv-contract). Both install missing
# system packages first. Tests get /dev/null as stdin, never a closed descriptor 0 (see .ci/run).

.PHONY: run test deps

run: deps
	swift run braind

test: deps
	swift test </dev/null
	BRAIND_BIN=.build/debug/braind BRAIN_BIN=.build/debug/brain scripts/mcp-python-tests
	BRAIND_BIN=.build/debug/braind scripts/contract-test

deps:
	@scripts/ensure-deps
