#!/usr/bin/env bash
# Makes sure what the test suite needs is on this machine, installing it when missing (as root,
# with apt-get). Run by `npm test` (pretest) and by .ci/run, so a fresh machine passes.
set -euo pipefail

need_apt=()
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v git >/dev/null 2>&1 || need_apt+=(git)
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
