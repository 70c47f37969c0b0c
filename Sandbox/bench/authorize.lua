-- wrk script: every request an AuthorizePayment for a new cart (unique per thread and counter).
local thread_index = 0
local threads = {}

function setup(thread)
  thread:set("index", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  index = tonumber(wrk.thread:get("index"))
  counter = 0
  token = os.getenv("BENCH_TOKEN") or "bench"
  run = tonumber(os.getenv("BENCH_RUN") or "0")
end

function request()
  counter = counter + 1
  local cart = string.format("%08x-%04x-4000-8000-%012x", run, index, counter)
  local body = '{"cartId":"' .. cart .. '","customerId":"3f0c6a2e-1d7b-4c55-8f0e-2b9a7c4d5e60","amount":4999,"currency":"USD"}'
  return wrk.format("POST", "/payments/authorize",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
