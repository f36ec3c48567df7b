-- open311_post.lua - wrk script for POST /open311/v2/requests.json: a
-- form-encoded Open311 request (category C01, type help, on a grid), as an
-- outside app files it. Counts 201 answers; anything else makes the
-- summary say FAIL.
--
-- Environment: XT_KEY (an API key) and XT_GRID (a grid code), required.
local key = os.getenv("XT_KEY")
local grid = os.getenv("XT_GRID")
if not key or key == "" or not grid or grid == "" then
  io.stderr:write("open311_post.lua: set XT_KEY and XT_GRID\n")
  os.exit(2)
end
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end
created = 0
other = 0
local req
function init(args)
  local body = "api_key=" .. key .. "&service_code=C01&attribute%5Brequest_type%5D=help" ..
    "&address_id=" .. grid .. "&first_name=%E5%B0%8F%E8%8A%B1&last_name=%E9%A9%AC" ..
    "&phone=13912345678&description=%E8%B7%AF%E7%81%AF%E5%9D%8F%E4%BA%86%E4%B8%A4%E5%91%A8"
  req = wrk.format("POST", "/open311/v2/requests.json",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function request()
  return req
end
function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if other <= 3 then
      io.stderr:write("open311_post.lua: status " .. status .. ": " .. string.sub(body or "", 1, 200) .. "\n")
    end
  end
end
function done(summary, latency, requests_)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + (t:get("created") or 0)
    o = o + (t:get("other") or 0)
  end
  io.write(string.format("post_per_sec %.0f\n", c / (summary.duration / 1e6)))
  io.write(string.format("post_latency_ms p50=%.2f p99=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("post_result %s\n", o > 0 and "FAIL" or "OK"))
end
