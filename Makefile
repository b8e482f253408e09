# The README's two set-up commands: `make run` starts braind on its embedded default
# (SQLite, no Mem0 needed); `make test` runs the whole test suite. Both install missing
# system packages first.

.PHONY: run test deps

run: deps
	swift run braind

test: deps
	swift test

deps:
	@scripts/ensure-deps
