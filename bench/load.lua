-- load.lua - wrk script for `make load` (bench/load.sh): a county's working
-- day squeezed onto loopback, reads and writes mixed.
--
-- Environment (all required):
--   XT_TOKEN_OP    bearer token of an operator (scope: the prefecture)
--   XT_TOKEN_TOWN  bearer token of the township the grids belong to
--   XT_TOWN        that township's code
--   XT_GRIDS       comma-separated grid codes of the township
--   XT_PERIOD      month for the rates, YYYY-MM
--
-- Mix (per request drawn at random): 15 % file a ticket (operator), 10 %
-- dispatch a filed one to the township, 10 % sign a dispatched one
-- (township), 20 % read a ticket, 10 % its timeline, 10 % list tickets,
-- 10 % read a grid, 8 % the township's rates, 7 % the categories. When no
-- ticket is ready for an action the request is a read instead.
--
-- A response tells wrk nothing about its request, so tickets are tracked
-- from the answers: a 201 is a new ticket, a ticket answer in state
-- "dispatched" one ready to sign. Actions carry an Idempotency-Key derived
-- from the number, so a ticket seen twice is never a second (409) action.
--
-- Every answer that is not 2xx counts as an error; wrk's socket errors are
-- errors too. Prints at the end (load.sh reads these lines):
--   load_requests N, load_created N, load_non2xx N, load_status S N,
--   load_socket_errors connect=.. read=.. write=.. timeout=..,
--   load_latency_ms p50=.. p90=.. p99=.. max=.., load_result OK|FAIL

local op = os.getenv("XT_TOKEN_OP")
local town_tok = os.getenv("XT_TOKEN_TOWN")
local town = os.getenv("XT_TOWN")
local grids_env = os.getenv("XT_GRIDS")
local period = os.getenv("XT_PERIOD")
if not (op and town_tok and town and grids_env and period) or op == "" or grids_env == "" then
  io.stderr:write("load.lua: set XT_TOKEN_OP, XT_TOKEN_TOWN, XT_TOWN, XT_GRIDS, XT_PERIOD\n")
  os.exit(2)
end

local grids = {}
for g in string.gmatch(grids_env, "[^,]+") do
  grids[#grids + 1] = g
end

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

-- per thread (each wrk thread has its own Lua state)
created = 0
other = 0
statuses = {}
local filed, to_sign, known = {}, {}, {}
local known_next = 1
local h_op, h_town

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
  h_op = { ["Authorization"] = "Bearer " .. op, ["Content-Type"] = "application/json" }
  h_town = { ["Authorization"] = "Bearer " .. town_tok, ["Content-Type"] = "application/json" }
end

local function with_key(h, key)
  local c = {}
  for k, v in pairs(h) do
    c[k] = v
  end
  c["Idempotency-Key"] = key
  return c
end

local function any_known()
  if #known == 0 then
    return nil
  end
  return known[math.random(#known)]
end

local function remember(number)
  known[known_next] = number
  known_next = known_next % 512 + 1
end

local function create()
  local g = grids[math.random(#grids)]
  local body = string.format(
    '{"text":"负载测试：%s 小区路灯不亮，晚上出行不便，请尽快维修。","type":"help",' ..
    '"category":"C01","location":{"unit":"%s"},' ..
    '"contact":{"name":"负载测试","phone":"1990000%04d"}}', g, g, math.random(0, 9999))
  return wrk.format("POST", "/api/v1/tickets", h_op, body)
end

local function read_some()
  local r = math.random(100)
  local n = any_known()
  if r <= 35 and n then
    return wrk.format("GET", "/api/v1/tickets/" .. n, h_op)
  elseif r <= 52 and n then
    return wrk.format("GET", "/api/v1/tickets/" .. n .. "/timeline", h_op)
  elseif r <= 70 then
    return wrk.format("GET", "/api/v1/tickets?limit=20&unit=" .. town, h_op)
  elseif r <= 87 then
    return wrk.format("GET", "/api/v1/units/" .. grids[math.random(#grids)], h_op)
  elseif r <= 94 then
    return wrk.format("GET", "/api/v1/metrics/rates?unit=" .. town .. "&period=" .. period, h_op)
  else
    return wrk.format("GET", "/api/v1/categories", h_op)
  end
end

function request()
  local r = math.random(100)
  if r <= 15 then
    return create()
  elseif r <= 25 then
    if #filed > 0 then
      local n = table.remove(filed, 1)
      return wrk.format("POST", "/api/v1/tickets/" .. n .. "/dispatch",
        with_key(h_op, "load-dispatch-" .. n), '{"handler":"' .. town .. '"}')
    end
  elseif r <= 35 then
    if #to_sign > 0 then
      local n = table.remove(to_sign, 1)
      return wrk.format("POST", "/api/v1/tickets/" .. n .. "/sign",
        with_key(h_town, "load-sign-" .. n), "{}")
    end
  end
  return read_some()
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local n, state = string.match(body or "", '^{"number":"([%d%-]+)","state":"(%a+)"')
    if status == 201 and n then
      created = created + 1
      filed[#filed + 1] = n
      remember(n)
    elseif n and state == "dispatched" and #to_sign < 1000 then
      to_sign[#to_sign + 1] = n
    end
  else
    other = other + 1
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    if other <= 3 then
      io.stderr:write("load.lua: status " .. k .. ": " .. string.sub(body or "", 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests_)
  local total_created, total_other, by_status = 0, 0, {}
  for _, t in ipairs(threads) do
    total_created = total_created + (t:get("created") or 0)
    total_other = total_other + (t:get("other") or 0)
    local st = t:get("statuses") or {}
    for k, v in pairs(st) do
      by_status[k] = (by_status[k] or 0) + v
    end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("load_requests %d\n", summary.requests))
  io.write(string.format("load_per_sec %.0f\n", summary.requests / secs))
  io.write(string.format("load_created %d\n", total_created))
  io.write(string.format("load_non2xx %d\n", total_other))
  for k, v in pairs(by_status) do
    io.write(string.format("load_status %s %d\n", k, v))
  end
  io.write(string.format("load_socket_errors connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("load_latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  local sockerr = e.connect + e.read + e.write + e.timeout
  if total_other > 0 or sockerr > 0 then
    io.write("load_result FAIL\n")
  else
    io.write("load_result OK\n")
  end
end
