# The two commands: `make run` (the service, with its own PostgreSQL and the embedded Stripe sandbox)
# and `make test` (every test, against a real PostgreSQL and the sandbox over HTTP).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PG_PORT ?= 55432
PG_DIR ?= /tmp/payment-api-pg
export PG_PORT PG_DIR
export DATABASE_URL ?= postgresql://postgres@127.0.0.1:$(PG_PORT)/payments

.PHONY: run test build deps pydeps db db-stop clean bench release chaos

deps:
	@Sandbox/scripts/install-deps.sh

# The tests validate with Python packages: events and answers with `jsonschema` (a real JSON Schema validator),
# openapi.json with `openapi-spec-validator`. $(call pyinstall,MODULE,PYPI NAME,DEBIAN PACKAGE)
pyinstall = python3 -c 'import $(1)' 2>/dev/null || python3 -m pip install --quiet $(2) \
	|| python3 -m pip install --quiet --break-system-packages $(2) \
	|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(3) >/dev/null; }

pydeps:
	@$(call pyinstall,jsonschema,jsonschema,python3-jsonschema)
	@$(call pyinstall,openapi_spec_validator,openapi-spec-validator,python3-openapi-spec-validator)

db: deps
	@Sandbox/scripts/postgres.sh start >/dev/null
	@echo "PostgreSQL ready: $(DATABASE_URL)"

db-stop:
	@Sandbox/scripts/postgres.sh stop >/dev/null

build: deps
	swift build --product payment-service
	swift build --product stripe-sandbox

run: db build
	.build/debug/payment-service serve

test: db pydeps
	@Sandbox/scripts/postgres.sh drop-test-databases >/dev/null
	swift build --build-tests
	swift build --product payment-service
	swift build --product stripe-sandbox
	swift test --skip-build --no-parallel
	Sandbox/scripts/schemathesis.sh
	python3 Sandbox/chaos/chaos.py --short

# The chaos run (README, "Guarantees under faults"): its own PostgreSQL, the standalone sandbox with faults
# on, two instances, 2,000 authorizations with captures, voids and refunds, SIGKILLs, a PostgreSQL restart.
chaos: deps
	swift build --product payment-service
	swift build --product stripe-sandbox
	python3 Sandbox/chaos/chaos.py $(CHAOS_ARGS)

clean:
	rm -rf .build

# The release build, in its own scratch folder (a debug build elsewhere does not wait for it).
release: deps
	swift build -c release --scratch-path .build-release --product payment-service
	swift build -c release --scratch-path .build-release --product stripe-sandbox

# Throughput next to PostgreSQL's own single-row INSERT rate, measured in the same run.
bench: db release
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	Sandbox/bench/bench.sh
