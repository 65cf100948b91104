-- xpcall with debug.traceback and with handlers of our own; tracebacks of nested calls.

local function innermost(x)
  if x > 2 then error("x too big: " .. x) end
  return x
end
local function middle(x) local r = innermost(x + 1); return r end
local function outer(x) local r = middle(x + 1); return r end

print("== debug.traceback as handler")
print(xpcall(outer, debug.traceback, 5))

print("== success passes values through")
print(xpcall(outer, debug.traceback, 0))

print("== extra arguments reach the function")
print(xpcall(function(a, b, c) return a + b + c end, debug.traceback, 1, 2, 3))

print("== handler sees the original error object")
local seen
print(xpcall(function() error({code = 404}) end,
  function(e) seen = e; return "handled code " .. e.code end))
print("handler got a table:", type(seen), seen.code)

print("== debug.traceback with a table message returns the table unchanged")
local ok, e = xpcall(function() error({tag = "t"}) end, debug.traceback)
print(ok, type(e), e.tag)

print("== handler returning several values: only the first is kept")
print(xpcall(error, function(m) return "one", "two" end, "boom"))

print("== handler that returns nothing")
print(select("#", xpcall(error, function() end, "boom")))

print("== runtime errors (not error()) with a traceback")
print(xpcall(function() local t = nil; return t.field end, debug.traceback))
print(xpcall(function() return 1 + {} end, debug.traceback))
print(xpcall(function() undefined_global_function() end, debug.traceback))

print("== traceback with a message and a level")
local function lv3() return debug.traceback("custom message", 1) end
local function lv2() local s = lv3(); return s end
local function lv1() local s = lv2(); return s end
print(lv1())
print((debug.traceback("level two", 2):gsub("\n.*", "")))

print("== a handler that itself errors")
print(xpcall(error, function(m) error("handler failed") end, "original"))

print("== a handler that is not a function")
print(pcall(xpcall, error, nil, "x"))

print("== nested xpcall: inner handler runs, outer call succeeds")
print(xpcall(function()
  local ok2, msg = xpcall(function() error("inner failure") end,
    function(m) return "inner handler: " .. m end)
  return "outer saw", ok2, msg
end, debug.traceback))

print("== an inner handler that errors: the inner xpcall reports it, the outer goes on")
print(xpcall(function()
  local r = table.pack(xpcall(function() error("deep", 0) end,
    function(m) error("rethrown " .. m, 0) end))
  return "outer goes on", r.n, r[1], r[2]
end, function(m) return "outer handler: " .. tostring(m) end))

print("== error raised from a handler while handling an error of a handler")
local depth = 0
print(xpcall(error, function(m) depth = depth + 1; error(m) end, "recursive"))
print("handler ran", depth, "times")

print("== traceback of a tail call")
local function tail2() error("in tail callee") end
local function tail1() return tail2() end
print(xpcall(tail1, debug.traceback))
