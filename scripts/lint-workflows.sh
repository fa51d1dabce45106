#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint, installing it with `go install` when missing.
# actionlint also runs shellcheck over `run:` scripts when shellcheck is on PATH
# (Debian/Ubuntu: `sudo apt-get install -y shellcheck`).
#
#   bash scripts/lint-workflows.sh [actionlint args...]
#   ACTIONLINT_VERSION=v1.7.7 bash scripts/lint-workflows.sh   # pin the version (default: latest)
set -euo pipefail
cd "$(dirname "$0")/.."

find_actionlint() {
  if command -v actionlint >/dev/null 2>&1; then
    command -v actionlint
    return
  fi
  if command -v go >/dev/null 2>&1; then
    local gobin
    gobin="$(go env GOBIN)"
    [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
    if [ -x "$gobin/actionlint" ]; then
      printf '%s\n' "$gobin/actionlint"
      return
    fi
  fi
  return 1
}

if ! bin="$(find_actionlint)"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "lint-workflows: actionlint is not installed and Go is missing to install it." >&2
    echo "Install Go (https://go.dev/dl/) or actionlint (https://github.com/rhysd/actionlint)." >&2
    exit 2
  fi
  version="${ACTIONLINT_VERSION:-latest}"
  echo "lint-workflows: installing actionlint@${version} with go install" >&2
  go install "github.com/rhysd/actionlint/cmd/actionlint@${version}"
  bin="$(find_actionlint)"
fi

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "lint-workflows: shellcheck not found; run: scripts are not checked (sudo apt-get install -y shellcheck)" >&2
fi

"$bin" -version | head -n 1 >&2
exec "$bin" "$@"
