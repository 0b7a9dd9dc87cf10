-- bench/holds.lua: wrk's script for bench/holds.py (wrk runs Lua in C: the load
-- generator costs little CPU, so the 2 cores serve requests instead of client threads).
-- Arguments after `--`: departure id, ticket type id, mode.
--   race:  every request holds 1 or 2 places of the departure until it is full;
--   hold:  every request holds one place (a roomy departure: the figure is holds/s);
--   churn: holds one place, and releases each hold it got by its token (the next request
--          of the same wrk thread), so the departure never fills.
-- Every request comes from a customer of its own: an address drawn from 10.0.0.0/8 in
-- X-Forwarded-For, which the site reads behind one trusted proxy (NUM_PROXIES=1, as in
-- production behind the load balancer), so the per-address rate limit and caps stay on.
-- An API client without a session owns its hold by the returned token.
local departure, ticket_type, mode
local tokens = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  departure, ticket_type, mode = args[1], args[2], args[3] or "churn"
  created, released, refused, server_errors, other = 0, 0, 0, 0, 0
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  if mode == "churn" and #tokens > 0 then
    return wrk.format("DELETE", "/api/v1/holds/" .. table.remove(tokens))
  end
  local quantity = 1
  if mode == "race" then quantity = math.random(1, 2) end
  local body = string.format(
    '{"departure_id": %s, "quantities": [{"ticket_type_id": %s, "quantity": %d}]}',
    departure, ticket_type, quantity)
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", "/api/v1/holds", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    if mode == "churn" then
      local token = body:match('"token"%s*:%s*"([^"]+)"')
      if token then table.insert(tokens, token) end
    end
  elseif status == 204 then
    released = released + 1
  elseif status == 409 then
    refused = refused + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = {created = 0, released = 0, refused = 0, server_errors = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT secs=%.2f requests=%d created=%d released=%d refused=%d http5xx=%d other=%d " ..
    "sock_err=%d p50_ms=%.1f p99_ms=%.1f\n",
    summary.duration / 1e6, summary.requests, totals.created, totals.released, totals.refused,
    totals.server_errors, totals.other, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
