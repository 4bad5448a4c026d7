#!/usr/bin/env bash
# Installs everything the tests need (Debian's chromium for the browser tests, its nginx for the deployment
# tests, the dev requirements in .venv) and runs pytest. Extra arguments go to pytest, e.g.
# `bash scripts/test.sh tests/test_optim.py -q`.
set -euo pipefail
cd "$(dirname "$0")/.."
# One BLAS thread per process: the matrices are small (H <= 256) and a shared server runs many sessions
# at once, where threads of one product only fight each other for the cores.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# nginx: tests/test_deploy.py runs the app behind it, as deploy/launch.py does (never the system's nginx service).
if ! command -v chromium >/dev/null 2>&1 || ! { command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core nginx
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt
.venv/bin/python -m pytest "$@"
