# Partner Hub — every routine task. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# PostgreSQL used by `make test-postgres` (and by `make test` when DATABASE_URL points at one), on
# the same host, so without TLS: OpenSSL's exit-time cleanup could free its state under a pooled
# connection that was still closing when a test process ended ("double free" after a passed test).
PG_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
# cargo-nextest runs each test in its own process, in parallel; plain `cargo test` otherwise.
TEST_RUNNER := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo "$(CARGO) nextest run --workspace --no-fail-fast" || echo "$(CARGO) test --workspace --no-fail-fast")

.PHONY: help run demo admin build test test-sqlite test-postgres fmt fmt-check lint spec-lint api-fuzz browser-test openapi bench ci clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: ## build and serve on http://127.0.0.1:8080 (SQLite under ./data, migrated at start)
	@echo "Swagger UI: http://$${PH_BIND:-127.0.0.1:8080}/swagger-ui/"
	$(CARGO) run -p api --bin partner-hub -- serve

demo: ## generate the demo dataset into ./data (CUSTOMERS=1000 PARTNERS=5) and print the admin's link
	$(CARGO) run -q -p api --bin partner-hub -- demo --customers $(or $(CUSTOMERS),1000) --partners $(or $(PARTNERS),5)

admin: ## invite a platform admin and print the link: make admin EMAIL=you@example.com
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=you@example.com"; exit 2; }
	$(CARGO) run -q -p api --bin partner-hub -- create-platform-admin --email "$(EMAIL)"

build: ## build the server in release mode (target/release/partner-hub)
	$(CARGO) build --release -p api --bin partner-hub

test: test-sqlite ## the whole suite on SQLite, and on PostgreSQL too when DATABASE_URL=postgres://…
	@if [[ "$$DATABASE_URL" == postgres* ]]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL run skipped: set DATABASE_URL=postgres://… (CI always runs it)"; fi

test-sqlite: ## the whole suite, each test on its own temporary SQLite file
	env -u DATABASE_URL $(TEST_RUNNER)

test-postgres: ## the whole suite, each test on its own fresh PostgreSQL database (PG_URL)
	DATABASE_URL=$(PG_URL) $(TEST_RUNNER)

fmt: ## format the code
	$(CARGO) fmt --all

fmt-check: ## fail when the code is not formatted
	$(CARGO) fmt --all -- --check

lint: ## clippy over every target, warnings are errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

openapi: ## regenerate openapi.yaml from the code
	$(CARGO) run -q -p api --bin partner-hub -- openapi > openapi.yaml.tmp && mv openapi.yaml.tmp openapi.yaml

# Spectral, from the npm registry, installed once under target/tools.
SPECTRAL := target/tools/node_modules/.bin/spectral
$(SPECTRAL):
	npm install --silent --no-audit --no-fund --prefix target/tools @stoplight/spectral-cli@6

spec-lint: $(SPECTRAL) ## lint openapi.yaml with Spectral and the rules in .spectral.yaml (warnings fail)
	$(SPECTRAL) lint openapi.yaml --ruleset .spectral.yaml --fail-severity warn

# schemathesis, from PyPI, in a virtualenv under target/tools (pinned: a run is repeatable).
SCHEMATHESIS := target/tools/venv/bin/st
$(SCHEMATHESIS):
	python3 -m venv target/tools/venv
	target/tools/venv/bin/pip install --quiet --disable-pip-version-check schemathesis==4.32.5

api-fuzz: $(SCHEMATHESIS) ## schemathesis against the live server, on SQLite and PostgreSQL (PG_URL), EXAMPLES per operation
	$(CARGO) build -q -p api --bin partner-hub
	python3 tests/schemathesis/run.py target/debug/partner-hub sqlite $(or $(EXAMPLES),10)
	python3 tests/schemathesis/run.py target/debug/partner-hub $(PG_URL) $(or $(EXAMPLES),10)

# playwright-core, from npm, drives Debian's Chromium (never a browser of its own download).
PLAYWRIGHT := target/tools/node_modules/playwright-core/package.json
$(PLAYWRIGHT):
	npm install --silent --no-audit --no-fund --prefix target/tools playwright-core@1

browser-test: $(PLAYWRIGHT) ## Swagger UI in Debian's Chromium: authorize, try GET /me; screenshot in target/browser/
	@command -v chromium >/dev/null || { echo "browser-test needs Debian's chromium: apt-get install chromium"; exit 1; }
	$(CARGO) build -q -p api --bin partner-hub
	python3 tests/browser/run.py target/debug/partner-hub sqlite
	python3 tests/browser/run.py target/debug/partner-hub $(PG_URL)

bench: ## the Performance table, SQLite and PostgreSQL (PG_URL) side by side, into bench/RESULTS.md
	@command -v wrk >/dev/null || apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(CARGO) build -q --release -p api --bin partner-hub
	python3 bench/run.py target/release/partner-hub $(PG_URL) $(or $(CUSTOMERS),100000)

CI_STEPS := fmt-check lint spec-lint test api-fuzz browser-test
ci: ## what .ci/run runs: formatting, lints, spec lint, tests, API fuzzing, browser test (each timed)
	@for step in $(CI_STEPS); do started=$$(date +%s); $(MAKE) --no-print-directory $$step || exit 1; \
		echo "== make $$step: $$(( $$(date +%s) - started )) s"; done

clean: ## remove build output and the local database
	$(CARGO) clean
	rm -rf data
