-- The load run's requests for wrk: 50 logged-in sessions (bench/sessions.py writes them to
-- the file named by BENCH_SESSIONS), taken in turn; each request is one of its session's
-- typical requests, chosen at random by weight. Anything but 200 counts as an error (a
-- redirect to the login page would otherwise pass as a success). done() writes the
-- figures as JSON to BENCH_LOAD_OUT.

dofile("bench/wrk_report.lua")

local mine = {}
local turn = 0

function init(args)
  local all = dofile(os.getenv("BENCH_SESSIONS"))
  local thread_total = tonumber(os.getenv("BENCH_THREADS") or "2")
  for i, session in ipairs(all) do
    if (i - 1) % thread_total == index then
      table.insert(mine, session)
    end
  end
  math.randomseed(1000 + index)
end

function request()
  turn = turn % #mine + 1
  local session = mine[turn]
  local r = session.requests[math.random(#session.requests)]
  local headers = { ["Cookie"] = session.cookie }
  if r[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = session.csrf
  end
  return wrk.format(r[1], r[2], headers, r[3] ~= "" and r[3] or nil)
end

function response(status, headers, body)
  count(status, 200)
end

function done(summary, latency, requests)
  write_report(threads, summary, latency, { connections = 50, expected = 200 })
end
