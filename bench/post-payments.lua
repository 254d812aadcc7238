-- wrk script: POST /v1/payments with a new checkout and order id on every request.
-- Usage: wrk -t2 -c64 -d30s --latency -s bench/post-payments.lua http://127.0.0.1:8080
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

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("requests/s %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx/3xx %d  socket errors connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
