-- Error objects that are tables with fields: a small exception "class" hierarchy,
-- rethrowing across layers, __tostring for reporting, and error values nil / none.

local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.class .. ": " .. e.message end

local function new_class(name, parent)
  local c = setmetatable({}, {__index = parent})
  c.__index = c
  c.__tostring = Error.__tostring
  c.class = name
  c.parent = parent
  return c
end
local IOError = new_class("IOError", Error)
local ParseError = new_class("ParseError", Error)
local EndOfInput = new_class("EndOfInput", ParseError)

local function throw(class, message, fields)
  local e = setmetatable(fields or {}, class)
  e.message = message
  error(e)
end

local function is_a(e, class)
  if type(e) ~= "table" then return false end
  local c = getmetatable(e)
  while c do
    if c == class then return true end
    c = c.parent
  end
  return false
end

-- try(body, {class, handler}, ...): runs body, dispatches a table error to the first handler
-- whose class matches, rethrows anything else unchanged.
local function try(body, ...)
  local handlers = {...}
  local r = table.pack(pcall(body))
  if r[1] then return table.unpack(r, 2, r.n) end
  for _, h in ipairs(handlers) do
    if is_a(r[2], h[1]) then return h[2](r[2]) end
  end
  error(r[2], 0)
end

local function parse(text)
  if text == nil then throw(IOError, "no input", {errno = 2}) end
  if text == "" then throw(EndOfInput, "empty text", {line = 1, column = 1}) end
  local n = tonumber(text)
  if not n then throw(ParseError, "not a number: " .. text, {line = 1, column = #text}) end
  return n
end

for _, input in ipairs({"42", "", "x1"}) do
  print(try(function() return parse(input) end,
    {EndOfInput, function(e) return "end of input at " .. e.line .. ":" .. e.column end},
    {ParseError, function(e) return "parse error (" .. tostring(e) .. ") at column " .. e.column end}))
end

-- An IOError is not handled by these handlers: it passes through try() unchanged.
local ok, e = pcall(try, function() return parse(nil) end,
  {ParseError, function() return "wrong handler" end})
print("passed through:", ok, tostring(e), e.errno, is_a(e, IOError), is_a(e, ParseError))

-- Layers add context without losing the original object.
local function layer(name, f)
  return function(...)
    local r = table.pack(pcall(f, ...))
    if r[1] then return table.unpack(r, 2, r.n) end
    local err = r[2]
    if type(err) == "table" then
      err.trail = (err.trail and (err.trail .. " < ") or "") .. name
    end
    error(err, 0)
  end
end
local stack = layer("api", layer("service", layer("storage", function(key)
  throw(IOError, "disk unavailable for key " .. key, {errno = 5})
end)))
ok, e = pcall(stack, "k1")
print("layers:", ok, tostring(e), "errno=" .. e.errno, "trail=" .. e.trail)

-- Fields survive a trip through a coroutine and through xpcall's handler.
local co = coroutine.create(function() throw(ParseError, "inside coroutine", {line = 7}) end)
local okc, ec = coroutine.resume(co)
print("from a coroutine:", okc, tostring(ec), ec.line)
print("xpcall handler:", xpcall(function() throw(IOError, "x", {errno = 13}) end,
  function(err) return "handler saw errno " .. err.errno .. " and class " .. err.class end))

-- The driver's own handler style: tostring() uses __tostring.
print("tostring:", tostring(setmetatable({message = "m"}, IOError)))

-- Tables without __tostring, nested tables as fields.
ok, e = pcall(error, {code = 1, details = {reason = "nested", list = {10, 20, 30}}})
print("nested fields:", ok, e.code, e.details.reason, #e.details.list, e.details.list[3])

-- error() with nil and with no arguments: pcall gets nil (a second value, not nothing).
print("error(nil):", select("#", pcall(error, nil)), pcall(error, nil))
print("error():", select("#", pcall(error)), pcall(error))
local function raise_nothing() error() end
ok, e = xpcall(raise_nothing, function(m) return "handler got " .. tostring(m) end)
print("error() with a handler:", ok, e)
co = coroutine.create(function() error() end)
print("error() in a coroutine:", coroutine.resume(co))
ok, e = pcall(coroutine.wrap(function() error(nil) end))
print("error(nil) through wrap:", ok, e)

-- Error values of other types keep their type.
for _, v in ipairs({true, 0, -1.5, math.maxinteger, "s"}) do
  local ok2, got = pcall(error, v, 0)
  print("type kept:", type(got), math.type(got) or "-", tostring(got))
end
