-- wrk script for bench/jobs/run.sh: GET /api/v1/jobs/{JOB_ID}/results?per_page=PER_PAGE (default 100)
-- with a Bearer token, the same request on every connection. Environment: TOKEN, JOB_ID, PER_PAGE.
--   TOKEN=... JOB_ID=... wrk -t2 -c8 -d10s --latency -s bench/jobs/results.lua http://127.0.0.1:8080
local token = os.getenv("TOKEN")
local job = os.getenv("JOB_ID")
local per_page = os.getenv("PER_PAGE") or "100"
if not token or token == "" or not job or job == "" then
  error("results.lua: set TOKEN and JOB_ID")
end

wrk.method = "GET"
wrk.path = "/api/v1/jobs/" .. job .. "/results?per_page=" .. per_page
wrk.headers["Authorization"] = "Bearer " .. token
