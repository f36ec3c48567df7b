-- create.lua - wrk script for POST /api/v1/tickets (durable creation).
--
-- Environment:
--   XT_TOKEN  bearer token of the operator (required)
--   XT_GRIDS  comma-separated grid codes to file tickets on, or
--   XT_GRIDS_FILE  a file of them, one a line (for all villages of a
--             province: more than an environment variable holds)
--   XT_TEXTS  a file of request texts, one a line (optional; bench/texts.sh
--             takes them from real messages). Without it every request has
--             the same text, so that each new ticket finds the village's
--             earlier ones as possible duplicates: the costliest intake.
--             With it, 16,384 to 65,536 requests are prepared per wrk thread, each
--             text on varying grids, so that a village sees the same text
--             again only now and then, as in life.
--   XT_SEED   a number that makes this wrk's requests differ from another
--             wrk's (two wrk processes on two servers), default 0
--
-- Each request is a hotline request of category C01 on one of the grids,
-- with a contact, as an operator files it. Only 201 responses count as
-- created; every other status is counted, printed and makes the summary
-- say FAIL, so that run.sh can stop loudly.
--
-- Prints, at the end:
--   create_created N
--   create_per_sec R          (201 responses per second of the run)
--   create_non201 N           (with a line per status when N > 0)

local token = os.getenv("XT_TOKEN")
local grids_env = os.getenv("XT_GRIDS") or ""
local grids_file = os.getenv("XT_GRIDS_FILE") or ""
local grids = {}
for g in string.gmatch(grids_env, "[^,]+") do
  grids[#grids + 1] = g
end
if grids_file ~= "" then
  for line in io.lines(grids_file) do
    if line ~= "" then
      grids[#grids + 1] = line
    end
  end
end
if not token or token == "" or #grids == 0 then
  io.stderr:write("create.lua: set XT_TOKEN and XT_GRIDS or XT_GRIDS_FILE\n")
  os.exit(2)
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
local requests = {}
local next_req = 1

function init(args)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
  local texts = {}
  local tf = os.getenv("XT_TEXTS")
  if tf and tf ~= "" then
    for line in io.lines(tf) do
      if line ~= "" then
        texts[#texts + 1] = line:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('%c', ' ')
      end
    end
  end
  if #texts == 0 then
    texts[1] = "小区门口的路灯已经坏了两个多星期，晚上出行很不方便，希望有关部门尽快派人维修。"
  end
  -- Pre-format requests so that wrk spends its (shared) CPU on sending.
  local seed = tonumber(os.getenv("XT_SEED") or "0") or 0
  local n = #texts > 1 and math.max(math.min(#grids * 8, 65536), 16384) or #grids
  for i = 1, n do
    local body = string.format(
      '{"text":"%s",' ..
      '"type":"help","category":"C01","location":{"unit":"%s"},' ..
      '"contact":{"name":"演示居民","phone":"1990000%04d"}}',
      texts[((i * 7919 + (id or 0) + seed * 104729) % #texts) + 1],
      grids[((i - 1) * 7507 + seed * 97) % #grids + 1], (i * 37 + (id or 0) + seed) % 10000)
    requests[i] = wrk.format("POST", "/api/v1/tickets", headers, body)
  end
  next_req = ((id or 1) * 131) % #requests + 1
end

function request()
  local r = requests[next_req]
  next_req = next_req + 1
  if next_req > #requests then
    next_req = 1
  end
  return r
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    if other <= 3 then
      io.stderr:write("create.lua: status " .. k .. ": " .. string.sub(body or "", 1, 300) .. "\n")
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
  local secs = summary.duration / 1e6
  io.write(string.format("create_created %d\n", total_created))
  io.write(string.format("create_per_sec %.0f\n", total_created / secs))
  io.write(string.format("create_non201 %d\n", total_other))
  for k, v in pairs(by_status) do
    io.write(string.format("create_status %s %d\n", k, v))
  end
  local e = summary.errors
  io.write(string.format("create_socket_errors connect=%d read=%d write=%d timeout=%d status=%d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("create_latency_ms p50=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  if total_other > 0 then
    io.write("create_result FAIL (non-201 responses)\n")
  else
    io.write("create_result OK\n")
  end
end
