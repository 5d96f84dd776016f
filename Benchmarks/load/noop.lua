-- wrk script: the same server's no-op POST route, with the same headers and a body of the same size.
local cookie = os.getenv("KHAOTHI_COOKIE")
function request()
  local body = '{"deviceToken":"00000000-0000-0000-0000-000000000000","events":[{"sequence":100000001,"item":"I.1","value":"A"}]}'
  return wrk.format("POST", "/api/noop", {["Content-Type"] = "application/json", ["X-Khaothi"] = "1", ["Cookie"] = cookie}, body)
end
