#!/usr/bin/env bash
# The OpenAPI contract, checked from outside: docs/openapi.json validated, the served
# document compared with it, then schemathesis against a `paytop serve` this script starts.
# Usage: Tests/http/schemathesis.sh PAYTOP_BINARY [MAX_EXAMPLES]
set -euo pipefail
bin=${1:?paytop binary}
examples=${2:-40}
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

python3 - "$root/docs/openapi.json" <<'PY'
import sys
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
doc, _ = read_from_filename(sys.argv[1])
validate(doc)
print("openapi.json: a valid OpenAPI", doc["openapi"], "document")
PY

"$bin" serve --listen 127.0.0.1:0 --db "$tmp/fuzz.db" >"$tmp/serve.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.out" | head -1 || true)
    [ -n "$url" ] && curl -fs "$url/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
[ -n "${url:-}" ] || { echo "paytop serve did not start:"; cat "$tmp/serve.out"; exit 1; }

# The document the server serves is the one in docs/.
curl -fs "$url/openapi.json" -o "$tmp/served.json"
python3 - "$root/docs/openapi.json" "$tmp/served.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a == b, "GET /openapi.json differs from docs/openapi.json"
print("GET /openapi.json serves docs/openapi.json")
PY

# The fuzz leaves out `simulate`: its whole purpose is to make the server answer 5xx,
# which not_a_server_error would (rightly) flag. Everything else is as documented.
python3 - "$root/docs/openapi.json" "$tmp/fuzz.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
req = doc["components"]["schemas"]["PaymentRequest"]
del req["properties"]["simulate"]
req["additionalProperties"] = False
json.dump(doc, open(sys.argv[2], "w"))
PY

schemathesis run "$tmp/fuzz.json" --url "$url" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" --seed 7 --request-timeout 10
echo "schemathesis: every check passed"
