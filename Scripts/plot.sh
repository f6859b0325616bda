#!/usr/bin/env bash
# Draws PNG plots from a walrus-sim results database:
#   Scripts/plot.sh DB [--out DIR] [--run RUN_ID]      (Scripts/plot.sh --help for more)
# The first run creates a virtual environment in Scripts/.venv and installs the pinned packages
# of Scripts/requirements-plot.txt from PyPI. Later runs reuse it: a stamp file in the venv holds
# the hash of the requirements it was built from, and only a different hash (or a broken venv)
# triggers a reinstall. Set PYTHON to choose the interpreter (3.11 or later; default python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
req="$here/requirements-plot.txt"
stamp="$venv/.requirements-plot.sha256"

# The base interpreter is only needed to build the venv, so look for it only then.
base_python() {
  local py="${PYTHON:-python3}"
  if ! command -v "$py" >/dev/null; then
    echo "plot: no '$py' on PATH; install Python 3.11 or later, or set PYTHON" >&2
    exit 1
  fi
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "plot: $("$py" --version 2>&1) is too old; pandas 3 needs Python 3.11 or later (set PYTHON)" >&2
    exit 1
  fi
  printf '%s\n' "$py"
}

hash_of() {  # sha256 of a file, with whatever tool this system has
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

want="$(hash_of "$req")"
if ! "$venv/bin/python" -c '' 2>/dev/null || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -f "$stamp"
  if ! "$venv/bin/python" -c '' 2>/dev/null; then
    py="$(base_python)"
    echo "plot: creating $venv" >&2
    "$py" -m venv --clear "$venv"
  fi
  echo "plot: installing the packages of $(basename "$req") (once)" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  # Written last: an interrupted install leaves no stamp, so the next run installs again.
  printf '%s\n' "$want" >"$stamp"
fi
exec "$venv/bin/python" "$here/plot.py" "$@"
