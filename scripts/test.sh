#!/usr/bin/env bash
# Installs everything the tests need into .venv and runs them (browser tests need Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt
.venv/bin/python -m pytest "$@"
