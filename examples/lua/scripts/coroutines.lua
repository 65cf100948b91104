-- Errors crossing coroutine boundaries: resume, wrap, yield across pcall, close.
-- (In Lua 5.4 a yield from inside a C function is itself a longjmp.)

local function show(...)
  local r = table.pack(...)
  for i = 1, r.n do
    local v = r[i]
    if type(v) == "table" then
      r[i] = "{" .. (v.code and ("code=" .. tostring(v.code)) or "") .. "}"
    elseif type(v) == "function" or type(v) == "thread" or type(v) == "userdata" then
      r[i] = "<" .. type(v) .. ">"
    else
      r[i] = tostring(v)
    end
  end
  return table.concat(r, " | ", 1, r.n)
end

print("== error inside a coroutine, caught by resume")
local co = coroutine.create(function(a)
  local b = coroutine.yield(a + 1)
  error("failed after resume with " .. tostring(b))
end)
print(show(coroutine.resume(co, 1)))
print(show(coroutine.resume(co, "B")))
print("status:", coroutine.status(co))
print(show(coroutine.resume(co)))

print("== error object that is a table")
co = coroutine.create(function() error({code = 17}) end)
print(show(coroutine.resume(co)))

print("== traceback of the dead coroutine")
co = coroutine.create(function()
  local function deep() error("deep in the coroutine") end
  deep()
end)
coroutine.resume(co)
print(debug.traceback(co))
print(debug.traceback(co, "with a message"))

print("== error in coroutine.wrap propagates to the caller")
local gen = coroutine.wrap(function()
  coroutine.yield(1)
  coroutine.yield(2)
  error("generator exhausted badly")
end)
print(show(pcall(gen)))
print(show(pcall(gen)))
print(show(pcall(gen)))
print(show(pcall(gen)))  -- dead now
local tgen = coroutine.wrap(function() error({code = 99}) end)
print(show(pcall(tgen)))
local lgen = coroutine.wrap(function() error("level 0 message", 0) end)
print(show(pcall(lgen)))

print("== wrap inside wrap inside wrap")
local function layer(name, inner)
  return coroutine.wrap(function()
    local r = inner()
    return name .. "(" .. tostring(r) .. ")"
  end)
end
local innermost = coroutine.wrap(function() error("innermost failed") end)
print(show(pcall(layer("outer", layer("middle", innermost)))))

print("== yield across pcall")
co = coroutine.create(function()
  local ok, e = pcall(function()
    local x = coroutine.yield("yielded from inside pcall")
    error("error after resume: " .. x)
  end)
  coroutine.yield("pcall caught: " .. tostring(e))
  local ok2, v = pcall(coroutine.yield, "yield is the pcall'd function")
  return "finished with " .. tostring(ok2) .. " " .. tostring(v)
end)
print(show(coroutine.resume(co)))
print(show(coroutine.resume(co, "X")))
print(show(coroutine.resume(co)))
print(show(coroutine.resume(co, "V")))
print("status:", coroutine.status(co))

print("== yield across xpcall with a handler")
co = coroutine.wrap(function()
  return xpcall(function()
    coroutine.yield("in xpcall")
    error("after yield", 0)
  end, function(m) return "handled: " .. m end)
end)
print(show(co()))
print(show(co()))

print("== many yields across nested pcalls")
co = coroutine.wrap(function()
  local function level(n)
    if n == 0 then
      for i = 1, 3 do coroutine.yield(i) end
      error("bottom", 0)
    end
    local ok, e = pcall(level, n - 1)
    error("level " .. n .. " <- " .. tostring(e), 0)
  end
  local ok, e = pcall(level, 5)
  return "done: " .. tostring(e)
end)
for _ = 1, 4 do print(show(co())) end

print("== yield across a C-call boundary: an error in sort, allowed in __index (5.4)")
co = coroutine.create(function()
  table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end)
end)
print(show(coroutine.resume(co)))
co = coroutine.create(function()
  local t = setmetatable({}, {__index = function() coroutine.yield("from __index") return 1 end})
  return t.x
end)
print(show(coroutine.resume(co)))
print(show(coroutine.resume(co)))

print("== yield outside a coroutine")
print(show(pcall(coroutine.yield, 1)))

print("== resume errors")
print(show(coroutine.resume(coroutine.running())))
co = coroutine.create(function() return coroutine.resume(coroutine.running()) end)
print(show(coroutine.resume(co)))
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function() return coroutine.resume(outer) end)
  return coroutine.resume(inner)
end)
print(show(coroutine.resume(outer)))

print("== coroutine.close with pending to-be-closed variables")
local log = {}
co = coroutine.create(function()
  local a <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "a closed " .. tostring(e) end})
  local b <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "b closed " .. tostring(e); error("b refuses", 0) end})
  coroutine.yield("suspended")
end)
print(show(coroutine.resume(co)))
print(show(coroutine.close(co)))
print(table.concat(log, "; "))
print("status:", coroutine.status(co))
co = coroutine.create(function() error({code = 5}) end)
coroutine.resume(co)
print(show(coroutine.close(co)))

print("== errors inside coroutines inside pcall inside coroutines")
local function chain(n)
  if n == 0 then error("chain end", 0) end
  local c = coroutine.create(chain)
  local ok, e = coroutine.resume(c, n - 1)
  error(n .. ":" .. tostring(e), 0)
end
print(show(pcall(chain, 10)))
local ok, e = pcall(chain, 300)
local levels = select(2, string.gsub(e, "%d+:", ""))
print(ok, "levels before the limit: " .. levels, "ends with: " .. string.sub(e, -26))

print("== a thousand coroutines, each failing once")
local failures = 0
for i = 1, 1000 do
  local c = coroutine.create(function(x) coroutine.yield(x); error(x) end)
  coroutine.resume(c, i)
  local ok, e = coroutine.resume(c)
  if not ok and e == i then failures = failures + 1 end
end
print("failures seen:", failures)

print("== generator driven by a for loop, stopping with an error")
local function numbers(limit)
  return coroutine.wrap(function()
    for i = 1, math.huge do
      if i > limit then error("limit " .. limit .. " passed", 0) end
      coroutine.yield(i)
    end
  end)
end
local sum = 0
print(show(pcall(function() for v in numbers(100) do sum = sum + v end end)))
print("sum before the error:", sum)
