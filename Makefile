# The two commands: `make run` (the service, with its own PostgreSQL and the embedded Stripe sandbox)
# and `make test` (every test, against a real PostgreSQL and the sandbox over HTTP).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

PG_PORT ?= 55432
PG_DIR ?= /tmp/payment-api-pg
export PG_PORT PG_DIR
export DATABASE_URL ?= postgresql://postgres@127.0.0.1:$(PG_PORT)/payments

.PHONY: run test build deps db db-stop clean

deps:
	@Sandbox/scripts/install-deps.sh

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

test: db
	swift build --build-tests
	swift build --product payment-service
	swift build --product stripe-sandbox
	swift test --skip-build

clean:
	rm -rf .build
