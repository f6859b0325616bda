#!/usr/bin/env bash
# Regenerates Tests/ReedSolomonTests/Fixtures/rs_wheel_fixtures.txt with reed-solomon-simd's
# Python bindings, in a private venv under Scripts/.venv (git-ignored).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/Scripts/.venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q reed-solomon-leopard==0.2.1
"$venv/bin/python" "$here/gen_rs_fixtures.py" "$root/Tests/ReedSolomonTests/Fixtures/rs_wheel_fixtures.txt"
