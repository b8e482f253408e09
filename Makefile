# The README's two set-up commands: `make run` starts braind on its embedded default
# (SQLite, no Mem0 needed); `make test` runs the whole test suite: `swift test` on SQLite, the
# store-dependent suites again on PostgreSQL (PG_SUITES), then the
# official Python MCP client against `brain mcp` (in a venv, .venv-mcp), then schemathesis against
# braind and schema/openapi.yaml (scripts/contract-test, in .venv-contract). Both install missing
# system packages first. Tests get /dev/null as stdin, never a closed descriptor 0 (see .ci/run).
#
# `make install` builds release binaries and installs them with a systemd user unit, the example
# configuration and shell completions; `make uninstall` removes exactly those files. PREFIX
# (default /usr/local) and DESTDIR (staging) are honoured.

.PHONY: run test deps install install-files uninstall release postgres postgres-stop

run: deps
	swift run braind

# The PostgreSQL pass: the store contract, the PostgreSQL store's own suite, and the sync, router,
# MCP and end-to-end suites and the kill -9 proofs again with every store and daemon on a throwaway
# PostgreSQL cluster (scripts/with-postgres starts it on its own socket and stops it by PID). Suites
# about the SQLite file itself skip themselves there, with a reason. Two runs, not one: the server
# shares the machine's cores with every daemon under test, and the sync suites' rates need room.
# The cluster proofs (three daemons each) get a run of their own for the same reason.
PG_SUITES = StoreContractTests|BrainStorePostgresTests|BrainServerTests|BrainMCPTests|EndToEndTests
PG_SYNC_SUITES = BrainSyncTests|CrashProofTests
PG_CLUSTER_SUITES = ClusterProofTests|SharedLoadProofTests

test: deps
	swift test </dev/null
	BRAIND_TEST_STORE=postgresql scripts/with-postgres swift test --skip-build --filter '$(PG_SUITES)' </dev/null
	BRAIND_TEST_STORE=postgresql scripts/with-postgres swift test --skip-build --filter '$(PG_SYNC_SUITES)' </dev/null
	BRAIND_TEST_STORE=postgresql scripts/with-postgres swift test --skip-build --filter '$(PG_CLUSTER_SUITES)' </dev/null
	BRAIND_BIN=.build/debug/braind BRAIN_BIN=.build/debug/brain scripts/mcp-python-tests
	BRAIND_BIN=.build/debug/braind scripts/contract-test

deps:
	@scripts/ensure-deps

# A local PostgreSQL in .postgres/ for running braind on PostgreSQL by hand (prints the --db URL).
postgres:
	@scripts/postgres-dev start

postgres-stop:
	@scripts/postgres-dev stop

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
# Searched by systemd's user manager for PREFIX /usr and /usr/local; for PREFIX ~/.local pass
# USERUNITDIR=~/.local/share/systemd/user.
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
# Where the binaries to install are; tests install a debug build without rebuilding.
BUILD_DIR ?= .build/release

INSTALLED = $(BINDIR)/braind $(BINDIR)/brain $(USERUNITDIR)/braind.service $(DATADIR)/braind/braind.toml \
	$(BASHCOMPDIR)/brain $(ZSHCOMPDIR)/_brain $(FISHCOMPDIR)/brain.fish

install: release install-files

# The commit is stamped into the binaries for `--version` and the placeholder put back, even if
# the build fails, so the tree stays clean.
release: deps
	@scripts/stamp-commit >/dev/null; swift build -c release --product braind && swift build -c release --product brain; \
		status=$$?; scripts/stamp-commit --reset; exit $$status

install-files:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(USERUNITDIR) $(DESTDIR)$(DATADIR)/braind \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BUILD_DIR)/braind $(DESTDIR)$(BINDIR)/braind
	install -m 755 $(BUILD_DIR)/brain $(DESTDIR)$(BINDIR)/brain
	sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/braind.service.in > $(DESTDIR)$(USERUNITDIR)/braind.service
	chmod 644 $(DESTDIR)$(USERUNITDIR)/braind.service
	install -m 644 config/braind.toml $(DESTDIR)$(DATADIR)/braind/braind.toml
	$(BUILD_DIR)/brain --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/brain
	$(BUILD_DIR)/brain --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_brain
	$(BUILD_DIR)/brain --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/brain.fish

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(DATADIR)/braind 2>/dev/null
