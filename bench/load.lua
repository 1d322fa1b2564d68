-- wrk script: count 200s and 304s, and with BENCH_CONDITIONAL=1 revalidate
-- like a browser, sending back the last ETag the server gave (it changes
-- every minute, so a long run keeps getting fresh ones). BENCH_ETAG is the
-- ETag to start from, as a returning reader's browser would have it.
local conditional = os.getenv("BENCH_CONDITIONAL") == "1"
local threads = {}
etag = os.getenv("BENCH_ETAG")
ok = 0
not_modified = 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  if conditional and etag then
    return wrk.format("GET", nil, {["If-None-Match"] = etag})
  end
  return wrk.format("GET")
end

function response(status, headers, body)
  if status == 304 then
    not_modified = not_modified + 1
  elseif status == 200 then
    ok = ok + 1
    etag = headers["ETag"] or etag
  end
end

function done(summary, latency, requests)
  local total_ok, total_not_modified = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_not_modified = total_not_modified + thread:get("not_modified")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "ok": %d, "not_modified": %d, ' ..
    '"errors": %d, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, total_ok, total_not_modified,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
