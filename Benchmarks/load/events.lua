-- wrk script: durable answer saves. Each request is one event with a sequence number unique to its thread
-- and connection order, on the attempt whose cookie and device token are given in the environment.
local cookie = os.getenv("KHAOTHI_COOKIE")
local token = os.getenv("KHAOTHI_TOKEN")
local counter = 0
local threads = 0

-- Each thread gets its own range of sequence numbers (a global in the thread's Lua state), so no event is a
-- replay of another thread's.
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 100000000)
end

function request()
  counter = counter + 1
  local sequence = offset + counter
  local item = "I." .. tostring((counter % 18) + 1)
  local body = '{"deviceToken":"' .. token .. '","events":[{"sequence":' .. sequence .. ',"item":"' .. item .. '","value":"A"}]}'
  return wrk.format("POST", "/api/attempt/events", {["Content-Type"] = "application/json", ["X-Khaothi"] = "1", ["Cookie"] = cookie}, body)
end
