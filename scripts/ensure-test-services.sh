#!/usr/bin/env bash
# Makes sure what the test suite needs is on this machine, installing it when missing (as root,
# with apt-get). Run by `npm test` (pretest) and by .ci/run, so a fresh machine passes.
set -euo pipefail

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v git >/dev/null 2>&1 || need_apt+=(git)
# The durability test counts a store's flushes (fsync) per acknowledged batch with strace.
command -v strace >/dev/null 2>&1 || need_apt+=(strace)
# The completion tests check the zsh and fish scripts with the shells themselves.
command -v zsh >/dev/null 2>&1 || need_apt+=(zsh)
command -v fish >/dev/null 2>&1 || need_apt+=(fish)
# The dashboard tests drive Debian's Chromium through playwright-core (no browser download).
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] || need_apt+=(chromium)

if ((${#need_apt[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing: ${need_apt[*]} — install them (apt-get install ${need_apt[*]}) and run the tests again" >&2
    exit 1
  fi
  echo "installing ${need_apt[*]} …" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL for the store contract suite on the second engine and the multi-node tests.
# Tests reach it at MAESTRO_TEST_PG (default postgres://postgres:maestro@127.0.0.1:5432/maestro_test).
# Set up here when run as root with MAESTRO_TEST_PG unset; then, in every case, checked to answer:
# under CI (CI=true) an unreachable PostgreSQL fails the run, locally it is one loud warning (the
# suites it serves are then skipped, each saying so).
pg_url=${MAESTRO_TEST_PG:-postgres://postgres:maestro@127.0.0.1:5432/maestro_test}
if [[ -z "${MAESTRO_TEST_PG:-}" && $(id -u) -eq 0 ]]; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "installing postgresql …" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  if [[ -n "$cluster" ]]; then
    pg_lsclusters -h | awk 'NR==1 {print $4}' | grep -q online || pg_ctlcluster $cluster start
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'maestro'\"" >/dev/null
    su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'maestro_test'\"" | grep -q 1 ||
      su postgres -c "createdb maestro_test"
  fi
fi

# Answers a query at $pg_url (the URL the tests use, password included), within a few seconds.
pg_answers() {
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql "$pg_url" -tAqc 'SELECT 1' 2>/dev/null | grep -qx 1
  else
    node -e '
      const pg = require("pg");
      const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 5000 });
      c.connect().then(() => c.query("SELECT 1")).then(() => c.end(), () => process.exit(1));
    ' "$pg_url" 2>/dev/null
  fi
}

pg_shown=$(sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"$pg_url") # no password in logs
if ! pg_answers; then
  case "${CI:-}" in
    true | TRUE | 1)
      echo "PostgreSQL does not answer at $pg_shown: CI=true requires it (store contract on PostgreSQL, multi-node tests)" >&2
      exit 1
      ;;
    *)
      echo "!!! PostgreSQL does not answer at $pg_shown: the PostgreSQL store contract and multi-node tests will be SKIPPED" >&2
      ;;
  esac
fi
