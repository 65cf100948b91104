-- error() with every kind of error value, and error levels.
-- Prints what pcall returns; tables are shown field by field (never by address).

local function show(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "function" or t == "thread" or t == "userdata" then return "<" .. t .. ">" end
  if t ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local val = v[k]
    if val == nil then val = v[tonumber(k)] end
    parts[#parts + 1] = k .. "=" .. (type(val) == "table" and "{...}" or tostring(val))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function report(label, ...)
  local n = select("#", ...)
  local out = {}
  for i = 1, n do out[i] = show((select(i, ...))) end
  print(string.format("%-28s n=%d  %s", label, n, table.concat(out, "  ")))
end

-- strings, with the three interesting levels
local function lvl1() error("level one") end
local function lvl2() error("level two", 2) end
local function lvl0() error("level zero", 0) end
local function caller_of_lvl2() lvl2() end  -- level 2 blames this line
report("string, default level", pcall(lvl1))
report("string, level 2", pcall(caller_of_lvl2))
report("string, level 0", pcall(lvl0))
report("string, level 3", pcall(function() (function() error("three", 3) end)() end))
report("string, level 50", pcall(function() error("too deep a level", 50) end))

-- non-string values are passed through unchanged, no position added
report("integer", pcall(error, 42))
report("float", pcall(error, 2.5))
report("boolean false", pcall(error, false))
report("boolean true", pcall(error, true))
report("nil", pcall(error, nil))
report("no arguments", pcall(error))
report("nil from Lua code", pcall(function() error() end))
report("table", pcall(error, {code = 7, msg = "seven"}))
report("list table", pcall(error, {"a", "b", "c"}))
report("function value", pcall(error, print))

-- the same table comes back (identity is kept)
local obj = {}
local ok, got = pcall(error, obj)
print("identity kept:", ok, got == obj)

-- numbers as messages are still numbers (error() adds position only to strings)
ok, got = pcall(function() error(10) end)
print("number message type:", math.type(got), got)

-- rethrowing keeps the original position
ok, got = pcall(function()
  local ok2, e = pcall(error, "inner")
  error(e, 0)
end)
print("rethrown:", ok, got)

ok, got = pcall(function()
  local ok2, e = pcall(function() error("first") end)
  error(e)   -- adds a second position prefix
end)
print("rethrown with position:", ok, got)

-- pcall of something that is not callable
report("pcall(nil)", pcall(nil))
report("pcall(42)", pcall(42))
report("pcall(table)", pcall({}))

-- pcall returning several values on success
report("success values", pcall(function(...) return ... end, 1, "two", nil, 4))
report("success, nothing", pcall(function() end))

-- assert
report("assert false", pcall(assert, false))
report("assert nil msg", pcall(assert, nil, "custom assert message"))
report("assert table msg", pcall(assert, false, {why = "table"}))
report("assert passes", pcall(assert, 1, 2, 3))
report("assert no args", pcall(assert))

-- errors in a loop: the state stays healthy
local count = 0
for i = 1, 10000 do
  local ok3, e = pcall(error, i)
  if not ok3 and e == i then count = count + 1 end
end
print("10000 errors caught:", count)
