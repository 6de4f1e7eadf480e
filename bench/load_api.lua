-- The API's load run for wrk: partner systems submitting referrals, POST /api/v1/inquiries/
-- with the bench client's key (var/bench/api-load.lua, written by bench/measure_api.py, named
-- by BENCH_API), a new Idempotency-Key on every request (thread, counter and the run's id,
-- so no request is a retry). Anything but 201 counts as an error. done() writes the figures
-- as JSON to BENCH_LOAD_OUT, as bench/load.lua does.

dofile("bench/wrk_report.lua")

local api
local sent = 0

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
  count(status, 201)
end

function done(summary, latency, requests)
  write_report(threads, summary, latency, {
    request = "POST /api/v1/inquiries/",
    connections = tonumber(os.getenv("BENCH_API_CONNECTIONS") or "0"),
    expected = 201,
  })
end
