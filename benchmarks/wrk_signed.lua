-- wrk script for benchmarks/ingest.py: each thread replays its share of pre-signed webhooks.
-- Usage: wrk -s wrk_signed.lua URL -- REQUESTS_FILE THREADS   (lines: sig \t timestamp \t body)
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(args[2])
  requests = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % total == tid then
      local sig, ts, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
      requests[#requests + 1] = wrk.format("POST", "/webhooks/zendesk", {
        ["Content-Type"] = "application/json",
        ["X-Zendesk-Webhook-Signature"] = sig,
        ["X-Zendesk-Webhook-Signature-Timestamp"] = ts,
      }, body)
    end
    n = n + 1
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end
