-- The API's load run for wrk: partner systems submitting referrals, POST /api/v1/inquiries/
-- with the bench client's key (var/bench/api-load.lua, written by bench/measure_api.py, named
-- by BENCH_API), a new Idempotency-Key on every request (thread, counter and the run's id,
-- so no request is a retry). Anything but 201 counts as an error. done() writes the figures
-- as JSON to BENCH_LOAD_OUT, as bench/load.lua does.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local api
local sent = 0
responses = 0
not_ok = 0
statuses = {}

function init(args)
  api = dofile(os.getenv("BENCH_API"))
end

function request()
  sent = sent + 1
  local headers = {
    ["Authorization"] = "Bearer " .. api.key,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("load-%s-%d-%d", api.run, index, sent),
  }
  return wrk.format("POST", "/api/v1/inquiries/", headers, api.body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 201 then
    not_ok = not_ok + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    seen = seen + thread:get("responses")
    for status, n in pairs(thread:get("statuses")) do
      by_status[#by_status + 1] = string.format('"%d": %d', status, n)
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local out = io.open(os.getenv("BENCH_LOAD_OUT"), "w")
  out:write(string.format([[{
  "tool": "wrk",
  "request": "POST /api/v1/inquiries/",
  "connections": %d,
  "seconds": %.1f,
  "requests": %d,
  "requests_per_second": %.1f,
  "latency_ms": {"p50": %.1f, "p90": %.1f, "p95": %.1f, "p99": %.1f, "max": %.1f},
  "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "not_201": %d},
  "not_201_by_status": {%s},
  "responses_checked": %d
}
]], tonumber(os.getenv("BENCH_API_CONNECTIONS") or "0"), seconds, summary.requests,
    summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, bad, table.concat(by_status, ", "), seen))
  out:close()
end
