-- wrk script: one request, the same every time, from the environment: ROUTE_METHOD, ROUTE_PATH, ROUTE_BODY
-- (optional) and KHAOTHI_COOKIE (optional). Used by routes.sh for every route but the answer save.
local method = os.getenv("ROUTE_METHOD") or "GET"
local path = os.getenv("ROUTE_PATH") or "/"
local body = os.getenv("ROUTE_BODY")
local cookie = os.getenv("KHAOTHI_COOKIE")

function request()
  local headers = {["X-Khaothi"] = "1"}
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  if body and body ~= "" then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body ~= "" and body or nil)
end
