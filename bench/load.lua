-- The load run's requests for wrk: 50 logged-in sessions (bench/sessions.py writes them to
-- the file named by BENCH_SESSIONS), taken in turn; each request is one of its session's
-- typical requests, chosen at random by weight. Anything but 200 counts as an error (a
-- redirect to the login page would otherwise pass as a success). done() writes the
-- figures as JSON to BENCH_LOAD_OUT.

dofile("bench/wrk_report.lua")

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local mine = {}
local turn = 0
responses = 0
not_ok = 0
statuses = {}

function init(args)
  local all = dofile(os.getenv("BENCH_SESSIONS"))
  local count = tonumber(os.getenv("BENCH_THREADS") or "2")
  for i, session in ipairs(all) do
    if (i - 1) % count == index then
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
  responses = responses + 1
  if status ~= 200 then
    not_ok = not_ok + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  write_report(threads, summary, latency, { connections = 50, expected = 200 })
end
