-- wrk script: requests a random path from the file named by WRK_PATHS (one path per line); with
-- WRK_BODIES it POSTs one body per request from that file (one URL-encoded body per line, each
-- used once across all threads). Prints latency percentiles and errors as one JSON line.
local paths = {}
local bodies = nil
local method = os.getenv("WRK_METHOD") or "GET"
local threads = {}
local counter = 0
local thread_count = 1
-- thread_id is a global: setup() sets it in each thread's own Lua state (a local would hide it).
thread_id = thread_id or 0

local function read_lines(name)
  local lines = {}
  for line in io.lines(name) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  return lines
end

setup = function(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

init = function(args)
  paths = read_lines(os.getenv("WRK_PATHS"))
  local body_file = os.getenv("WRK_BODIES")
  if body_file and #body_file > 0 then bodies = read_lines(body_file) end
  thread_count = tonumber(os.getenv("WRK_THREADS") or "1")
  math.randomseed(os.time() + thread_id * 7919)
end

request = function()
  local path = paths[math.random(#paths)]
  if bodies then
    local index = (counter * thread_count + thread_id) % #bodies + 1
    counter = counter + 1
    return wrk.format(method, path, nil, bodies[index])
  end
  return wrk.format(method, path)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_s": %.2f, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, ' ..
    '"max_ms": %.1f, "socket_errors": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors, summary.errors.status))
end
