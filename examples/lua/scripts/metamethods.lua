-- Errors raised inside metamethods, caught by pcall.

local function try(label, f, ...)
  local r = table.pack(pcall(f, ...))
  for i = 2, r.n do
    local v = r[i]
    if type(v) == "table" then r[i] = "<table" .. (v.kind and (" kind=" .. v.kind) or "") .. ">"
    elseif type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean" and v ~= nil then
      r[i] = "<" .. type(v) .. ">"
    else r[i] = tostring(v) end
  end
  print(label .. ": " .. tostring(r[1]) .. (r.n > 1 and (" | " .. table.concat(r, " | ", 2, r.n)) or ""))
end

local mt = {}
mt.__index = function(t, k)
  if k == "bad" then error("no field '" .. k .. "'") end
  if k == "tbl" then error({kind = "index"}) end
  return "default:" .. k
end
mt.__newindex = function(t, k, v) error("read-only table, cannot set " .. tostring(k), 2) end
mt.__add = function(a, b) error("cannot add these") end
mt.__sub = function(a, b) return 100 end
mt.__call = function(self, x)
  if x == nil then error("called without argument") end
  return "called with " .. x
end
mt.__tostring = function(self) error("no string form for this object") end
mt.__len = function() error({kind = "len"}) end
mt.__eq = function() error("equality refused") end
mt.__lt = function() error("ordering refused") end
mt.__le = function() return true end
mt.__concat = function() error("concat refused") end
mt.__unm = function() error("negation refused", 0) end
mt.__close = nil

local obj = setmetatable({}, mt)
local other = setmetatable({}, mt)

try("__index ok", function() return obj.anything end)
try("__index error", function() return obj.bad end)
try("__index table error", function() return obj.tbl end)
try("__newindex error (level 2)", function() obj.x = 1 end)
try("rawset bypasses __newindex", function() rawset(obj, "x", 1); return rawget(obj, "x") end)
try("__add error", function() return obj + 1 end)
try("__add error, obj on right", function() return 1 + obj end)
try("__sub ok", function() return obj - 1 end)
try("__call ok", function() return obj("arg") end)
try("__call error", function() return obj() end)
try("__call through pcall directly", obj, "direct")
try("__call error through pcall directly", obj)
try("__tostring error", function() return tostring(obj) end)
try("__tostring error in print", function() print(obj) end)
try("__tostring error in string.format %s", function() return string.format("%s", obj) end)
try("__len error", function() return #obj end)
try("__eq error", function() return obj == other end)
try("__eq not called for same object", function() return obj == obj end)
try("__lt error", function() return obj < other end)
try("__le ok", function() return obj <= other end)
try("__concat error", function() return obj .. "s" end)
try("__unm error (level 0)", function() return -obj end)

-- a metamethod that is not callable
local weird = setmetatable({}, {__index = 42, __add = "not a function", __call = 7})
try("__index is a number", function() return weird.x end)
try("__add is a string", function() return weird + 1 end)
try("__call is a number", function() return weird() end)

-- a __tostring that returns a non-string
local nonstr = setmetatable({}, {__tostring = function() return 12 end})
try("__tostring returns a number", function() return tostring(nonstr) end)

-- __name is used in messages
local named = setmetatable({}, {__name = "MyType"})
try("arithmetic on a named type", function() return named + 1 end)
try("bad argument with a named type", function() return string.rep(named, 2) end)

-- chained __index tables, the last one raising
local base = setmetatable({}, {__index = function(_, k) error("missing key " .. k) end})
local mid = setmetatable({}, {__index = base})
local top = setmetatable({}, {__index = mid})
try("error at the end of an __index chain", function() return top.deep end)

-- an __index loop without functions ends in a loop error
local loop1, loop2 = {}, {}
setmetatable(loop1, {__index = loop2})
setmetatable(loop2, {__index = loop1})
try("__index loop", function() return loop1.x end)

-- to-be-closed variables: __close runs during error propagation
local log = {}
local function closer(name, fail)
  return setmetatable({}, {__close = function(_, err)
    log[#log + 1] = name .. " closed (err=" .. tostring(err) .. ")"
    if fail then error(name .. " close failed", 0) end
  end})
end
try("close on error", function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  error("body failed", 0)
end)
for _, l in ipairs(log) do print("  " .. l) end
log = {}
try("error in __close replaces the error", function()
  local a <close> = closer("a", true)
  local b <close> = closer("b")
  error("body failed", 0)
end)
for _, l in ipairs(log) do print("  " .. l) end
log = {}
try("error in __close on normal exit", function()
  local a <close> = closer("a", true)
  return "normal"
end)
for _, l in ipairs(log) do print("  " .. l) end
try("non-closable value in <close>", function()
  local x <close> = {}
end)

-- __gc that errors: the error does not propagate (warnings are off in this host)
do
  local gc_ran = false
  setmetatable({}, {__gc = function() gc_ran = true; error("error in finalizer") end})
  collectgarbage()
  collectgarbage()
  print("__gc ran:", gc_ran, "and the program goes on")
end

-- metamethod errors deep inside a sort comparator and gsub callback
try("error in sort comparator", function()
  table.sort({3, 1, 2}, function(a, b) if a == 2 or b == 2 then error("cannot compare 2") end return a < b end)
end)
try("error in gsub callback", function()
  return string.gsub("abc", "%w", function(c) if c == "b" then error("bad letter " .. c) end end)
end)
try("error in gsub __index table", function()
  return string.gsub("a bad word", "%w+", obj)
end)
