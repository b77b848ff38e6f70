#!/usr/bin/env bash
# Runs Civic Credit's whole test suite: makes sure PostgreSQL, Redis and Keycloak are up on 127.0.0.1
# (starting or installing what is missing), then builds every module and runs every test: each service's
# @QuarkusTests and the system tests that start the three packaged services as separate processes.
# Extra arguments go to Maven, e.g. scripts/test.sh -pl scoring-service -am
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/infra.sh up
scripts/infra.sh fresh-test-state
exec ./mvnw -B --no-transfer-progress verify "$@"
