#!/usr/bin/env bash
# Validates the Kubernetes manifests of Scripts/cluster/ against the Kubernetes OpenAPI schema
# (strict: unknown fields are errors), and checks the Slurm template's shell syntax.
#
#   Scripts/cluster/validate-k8s.sh [FILE.yaml ...]     (default: Scripts/cluster/k8s-*.yaml)
#
# The schemas ship inside the pinned PyPI package kubernetes-validate (offline once installed).
# The first run creates a virtual environment in Scripts/.venv-k8s and installs it (about 25 MB);
# later runs reuse it. K8S_VERSION chooses the Kubernetes version (default 1.33.0).
# With WALRUS_SIM set to a walrus-sim binary, it also checks that the Indexed Job's
# `completions` equals the size of the manifest of the scenario it runs.
# Exit status: 0 when everything is valid, 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/Scripts/.venv-k8s"
pin="kubernetes-validate==1.37.0"
version=${K8S_VERSION:-1.33.0}

if ! "$venv/bin/python" -c 'import kubernetes_validate' 2>/dev/null \
   || [ "$(cat "$venv/.pin" 2>/dev/null)" != "$pin" ]; then
  echo "validate-k8s: installing $pin into $venv (once)" >&2
  "${PYTHON:-python3}" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pin"
  echo "$pin" >"$venv/.pin"
fi

files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/k8s-*.yaml)
status=0
for f in "${files[@]}"; do
  if "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "$f"; then
    echo "valid: $f (Kubernetes $version, strict)"
  else
    echo "INVALID: $f" >&2
    status=1
  fi
done

if [ -n "${WALRUS_SIM:-}" ]; then
  # completions must equal the manifest size of the scenario the Indexed Job runs.
  for f in "${files[@]}"; do
    read -r completions scenario < <("$venv/bin/python" - "$f" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    spec = (doc or {}).get("spec", {})
    if doc and doc.get("kind") == "Job" and spec.get("completionMode") == "Indexed":
        cmd = spec["template"]["spec"]["containers"][0]["command"]
        print(spec["completions"], cmd[cmd.index("sweep") + 1])
PY
    ) || true
    [ -n "${completions:-}" ] || continue
    n=$(cd "$repo" && "$WALRUS_SIM" sweep "$scenario" --manifest | wc -l)
    if [ "$n" -eq "$completions" ]; then
      echo "consistent: $f completions=$completions = manifest size of $scenario"
    else
      echo "INCONSISTENT: $f has completions=$completions, $scenario has $n manifest entries" >&2
      status=1
    fi
    completions=""
  done
fi

if bash -n "$here/slurm.sbatch"; then echo "valid: $here/slurm.sbatch (bash syntax)"; else status=1; fi
exit $status
