#!/usr/bin/env bash
# The HTTP API as curl sees it. Usage: Tests/http/curl-api.sh BASE_URL SAMPLES_DIR
# Prints one line per check and exits 1 if any status or header is not the expected one.
set -u
base="$1"; samples="$2"
failures=0
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# check NAME EXPECTED_STATUS CURL_ARGS...
check() {
  local name="$1" want="$2"; shift 2
  local got
  got="$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$@")"
  if [[ "$got" == "$want" ]]; then
    echo "ok   $want $name"
  else
    echo "FAIL $name: expected $want, got $got: $(head -c 300 "$tmp/body")"
    failures=$((failures + 1))
  fi
}
json=(-H 'Content-Type: application/json')

check "POST success.json" 202 -X POST "${json[@]}" --data-binary @"$samples/success.json" "$base/v1/payments"
grep -qi '^traceparent: 00-[0-9a-f]\{32\}-[0-9a-f]\{16\}-01' "$tmp/headers" || { echo "FAIL 202 without traceparent"; failures=$((failures + 1)); }
grep -q '"message":"Payment event initiated"' "$tmp/body" && grep -q '"payment_event":{' "$tmp/body" \
  || { echo "FAIL 202 not in the seed's envelope: $(cat "$tmp/body")"; failures=$((failures + 1)); }
grep -q 'tok_' "$tmp/body" && { echo "FAIL 202 echoes card data"; failures=$((failures + 1)); }
cp "$tmp/body" "$tmp/first-202"
check "same body again" 202 -X POST "${json[@]}" --data-binary @"$samples/success.json" "$base/v1/payments"
cmp -s "$tmp/body" "$tmp/first-202" || { echo "FAIL the resubmission's 202 differs from the first"; failures=$((failures + 1)); }
sed 's/149.99/150.00/' "$samples/success.json" > "$tmp/changed.json"
check "same checkout, other body" 409 -X POST "${json[@]}" --data-binary @"$tmp/changed.json" "$base/v1/payments"
sed 's/chk-sample-success/chk-curl-traced/; s/po-sample-success-1/po-curl-traced-1/' "$samples/success.json" > "$tmp/traced.json"
check "client traceparent" 202 -X POST "${json[@]}" -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
  --data-binary @"$tmp/traced.json" "$base/v1/payments"
grep -qi '^traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-' "$tmp/headers" || { echo "FAIL trace not continued"; failures=$((failures + 1)); }
check "GET the checkout" 200 "$base/v1/payments/chk-sample-success"
grep -q '"checkout_id":"chk-sample-success"' "$tmp/body" || { echo "FAIL GET body: $(cat "$tmp/body")"; failures=$((failures + 1)); }
grep -q 'tok_visa' "$tmp/body" && { echo "FAIL GET echoes card data"; failures=$((failures + 1)); }
check "GET unknown checkout" 404 "$base/v1/payments/chk-nobody"
check "unknown route" 404 "$base/v1/refunds"
check "wrong method" 405 -X DELETE "$base/v1/payments"
check "text/plain body" 415 -X POST -H 'Content-Type: text/plain' --data-binary 'hello' "$base/v1/payments"
head -c 300000 /dev/zero | tr '\0' ' ' > "$tmp/huge.json"
check "300 KB body" 413 -X POST "${json[@]}" --data-binary @"$tmp/huge.json" "$base/v1/payments"
check "malformed JSON" 400 -X POST "${json[@]}" --data-binary '{"checkout_id": ' "$base/v1/payments"
check "empty body" 400 -X POST "${json[@]}" "$base/v1/payments"
check "healthz" 200 "$base/healthz"

for f in "$samples"/*.json; do
  name="$(basename "$f")"
  case "$name" in
    invalid-*) want=400 ;;
    simulate-initializer-error.json) want=500 ;;
    *) want=202 ;;
  esac
  check "sample $name" "$want" -X POST "${json[@]}" --data-binary @"$f" "$base/v1/payments"
done

if (( failures > 0 )); then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
