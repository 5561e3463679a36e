-- wrk script for bench/jobs/run.sh: walks GET /api/v1/jobs/{JOB_ID}/results?per_page=PER_PAGE
-- (default 100) page after page through next_cursor, starting over at the first page after the last.
-- The cursor is per wrk thread (wrk has no per-connection state): a thread's connections share one
-- walk, so a page may be read by more than one of them; the walk only moves forward (a late answer
-- naming a cursor already seen in this walk is ignored). Environment: TOKEN, JOB_ID, PER_PAGE.
--   TOKEN=... JOB_ID=... wrk -t2 -c8 -d10s --latency -s bench/jobs/walk_results.lua http://127.0.0.1:8080
local token = os.getenv("TOKEN")
local job = os.getenv("JOB_ID")
local per_page = os.getenv("PER_PAGE") or "100"
if not token or token == "" or not job or job == "" then
  error("walk_results.lua: set TOKEN and JOB_ID")
end

local first = "/api/v1/jobs/" .. job .. "/results?per_page=" .. per_page
wrk.method = "GET"
wrk.path = first
wrk.headers["Authorization"] = "Bearer " .. token

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per thread (globals, so that done() can read them with thread:get).
cursor = nil
seen = {}     -- the cursors of the current walk
pages = 0     -- 200 answers
walks = 0     -- walks that reached next_cursor = null
depth = 0     -- distinct pages reached in the current walk
deepest = 0
failures = 0  -- non-200 answers (the walk starts over)

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  if cursor then
    return wrk.format(nil, first .. "&cursor=" .. urlencode(cursor))
  end
  return wrk.format(nil, first)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    cursor, depth, seen = nil, 0, {}
    return
  end
  pages = pages + 1
  local next_cursor = body:match('"next_cursor"%s*:%s*"([^"]*)"')
  if next_cursor then
    if not seen[next_cursor] then
      seen[next_cursor] = true
      cursor = next_cursor
      depth = depth + 1
      if depth > deepest then deepest = depth end
    end
  elseif cursor then  -- the last page of the walk (not a first page answered late)
    cursor, depth, seen = nil, 0, {}
    walks = walks + 1
  end
end

function done(summary, latency, requests)
  local p, w, d, f = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + t:get("pages")
    w = w + t:get("walks")
    f = f + t:get("failures")
    local td = t:get("deepest")
    if td > d then d = td end
  end
  io.write(string.format("walk: %d pages read, furthest page requested %d, %d complete walks, %d non-200\n", p, d + 1, w, f))
end
