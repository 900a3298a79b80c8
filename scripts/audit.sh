#!/usr/bin/env bash
# Known vulnerabilities in the pinned dependencies (`make audit`; docs/security.md, "Dependencies").
#
# Audits constraints.txt — every transitive pin, runtime and dev — against the PyPI advisory
# database, without installing anything (--no-deps: the file is already the full closure).
# Exits non-zero when a vulnerability is found that is not in IGNORED below. Each ignored ID
# must have its reason written in docs/security.md; the check at the end enforces that.
set -euo pipefail
cd "$(dirname "$0")/.."

PIP_AUDIT=${PIP_AUDIT:-.venv/bin/pip-audit}
DOC=docs/security.md

# Accepted advisories: ID (one per line). Keep in step with the table in docs/security.md.
IGNORED=(
)

for id in "${IGNORED[@]}"; do
    grep -q -- "$id" "$DOC" || { echo "audit: $id is ignored but not explained in $DOC" >&2; exit 2; }
done

args=(--requirement constraints.txt --no-deps --disable-pip --progress-spinner off --format json)
for id in "${IGNORED[@]}"; do args+=(--ignore-vuln "$id"); done

echo "pip-audit: $(grep -c '==' constraints.txt) pinned packages in constraints.txt"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$PIP_AUDIT" "${args[@]}" >"$report" 2>/dev/null || true
# Three outcomes, kept apart: clean (0), vulnerable (1), and could not check (3). A package the
# advisory source does not answer for is never counted as clean.
.venv/bin/python - "$report" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
deps = data.get("dependencies", [])
vulnerable = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if d.get("skip_reason")]
for d in vulnerable:
    for v in d["vulns"]:
        fixed = ", ".join(v.get("fix_versions", [])) or "no fix yet"
        print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fixed})")
if vulnerable:
    sys.exit(1)
if skipped:
    print(f"audit: could not check {len(skipped)} of {len(deps)} packages, e.g. "
          f"{skipped[0]['name']}: {skipped[0]['skip_reason']}")
    print("audit: the advisory source (PyPI's per-release JSON API) is not reachable from here")
    sys.exit(3)
print(f"audit: no known vulnerability in {len(deps)} packages")
PY
