-- wrk script: POST /v1/payments with a new checkout and order id on every request.
-- Usage: wrk -t2 -c64 -d30s --latency -s bench/post-payments.lua http://127.0.0.1:8080
--
-- It defines no `response` callback on purpose: with one, wrk hands every answer to Lua
-- (status, headers and body) and the client's parsing takes CPU from the server on a
-- two-core machine. wrk's own C code still counts every status that is not 2xx or 3xx
-- (summary.errors.status), which is all the benchmark needs to know.
local counter = 0
local prefix = "wrk-" .. tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000))

function setup(thread)
  thread:set("tid", tostring(math.random(1, 1000000000)))
end

function request()
  counter = counter + 1
  local id = prefix .. "-" .. tid .. "-" .. counter
  local body = '{"checkout_id":"chk-' .. id .. '","buyer_info":{"user_id":"user-1001","email":"buyer@example.com"},'
    .. '"credit_card_info":{"payment_token":"tok_visa_4242"},'
    .. '"payment_orders":[{"payment_order_id":"po-' .. id .. '","seller_account":"seller-acct-001",'
    .. '"amount":"25.00","currency":"USD"}]}'
  return wrk.format("POST", "/v1/payments", {["Content-Type"] = "application/json"}, body)
end

-- One machine-readable line per run; bench/api-bench.sh reads it.
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50=%.2f p90=%.2f p99=%.2f max=%.2f requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
