-- Shared by bench/load.lua and bench/load_api.lua: the threads' bookkeeping, the count of
-- answers other than the expected status, and the figures of a wrk run written as JSON to
-- BENCH_LOAD_OUT.

threads = {}
thread_count = 0
responses = 0
not_ok = 0
statuses = {}

function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function count(status, expected)
  responses = responses + 1
  if status ~= expected then
    not_ok = not_ok + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function write_report(threads, summary, latency, fields)
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
  "tool": "wrk",%s
  "connections": %d,
  "seconds": %.1f,
  "requests": %d,
  "requests_per_second": %.1f,
  "latency_ms": {"p50": %.1f, "p90": %.1f, "p95": %.1f, "p99": %.1f, "max": %.1f},
  "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "not_%d": %d},
  "not_%d_by_status": {%s},
  "responses_checked": %d
}
]], fields.request and string.format('\n  "request": "%s",', fields.request) or "",
    fields.connections, seconds, summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, fields.expected, bad, fields.expected,
    table.concat(by_status, ", "), seen))
  out:close()
end
