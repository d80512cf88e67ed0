-- wrk script: requests a random path from the file named by WRK_PATHS (one path per line),
-- optionally POSTing WRK_BODY_FILE, and prints latency percentiles and errors as one JSON line.
local paths = {}
local method = os.getenv("WRK_METHOD") or "GET"
local body = nil

local function read_lines(name)
  local lines = {}
  for line in io.lines(name) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  return lines
end

init = function(args)
  paths = read_lines(os.getenv("WRK_PATHS"))
  local body_file = os.getenv("WRK_BODY_FILE")
  if body_file and #body_file > 0 then
    local f = assert(io.open(body_file, "rb"))
    body = f:read("*a")
    f:close()
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

request = function()
  local path = paths[math.random(#paths)]
  return wrk.format(method, path, nil, body)
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
