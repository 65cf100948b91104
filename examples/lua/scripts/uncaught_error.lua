-- Ends with an uncaught error: the driver prints "lua_run: <message>" and a traceback on
-- stderr and exits with status 1. Everything printed before must still reach stdout.

print("before: caught errors still work")
print(pcall(error, "caught one"))

local function validate(config)
  if type(config.port) ~= "number" then
    error("config.port must be a number, got " .. type(config.port), 2)
  end
  return config.port
end

local function start(raw)
  local port = validate(raw)  -- level 2 blames this line
  print("listening on", port)
  return port
end

start({port = 8080})
local starter = coroutine.wrap(function(raw) return start(raw) end)
print("about to fail inside a coroutine.wrap")
starter({port = "eighty"})
print("not reached")
