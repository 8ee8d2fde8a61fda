# Laurel: `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
TOOLS ?= $(HOME)/.cache/laurel-tools
export PATH := $(TOOLS)/bin:$(TOOLS)/binaryen/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LAUREL_TOOLS := $(TOOLS)

.PHONY: run test bench tools build clean

## Install what is missing (idempotent; seconds when everything is there).
tools:
	@bash .ci/install-tools.sh

## Release build of the server and the WASM bundle.
build: tools
	cargo leptos build --release

## Build and serve http://127.0.0.1:3000 on data/laurel.db, with demo data on first start.
run: build
	@mkdir -p data
	@echo ""
	@echo "  Laurel: http://127.0.0.1:3000  (sign in at /users/sign_in)"
	@echo "  admin: root / $${INITIAL_ROOT_PASSWORD:-laurel-admin}   demo users (alice, bob, carol, ...): laurel-demo"
	@echo "  data: data/laurel.db (kept between runs; delete data/ to start over)"
	@echo ""
	DEMO_DATA=$${DEMO_DATA:-1} LEPTOS_ENV=PROD LEPTOS_SITE_ROOT=target/site \
	  INITIAL_ROOT_PASSWORD=$${INITIAL_ROOT_PASSWORD:-laurel-admin} \
	  ./target/release/server

## Every test: lints, unit, integration on SQLite and PostgreSQL, Playwright in
## Chromium. Builds what it tests itself (.ci/test.sh), each crate once.
test: tools
	@bash .ci/test.sh

## Print API throughput and latency next to the practical limit (SQLite and PostgreSQL).
bench: tools
	@bash .ci/bench.sh

clean:
	cargo clean
