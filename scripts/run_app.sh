#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
# One BLAS thread per process: the matrices are small (H <= 256) and a shared server runs many sessions
# at once, where threads of one product only fight each other for the cores.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -r requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
