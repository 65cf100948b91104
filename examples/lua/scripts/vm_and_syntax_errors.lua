-- Errors raised by the virtual machine itself and by the compiler (load), caught by pcall.

local function try(label, f, ...)
  local r = table.pack(pcall(f, ...))
  for i = 1, r.n do
    local v = r[i]
    if type(v) == "table" or type(v) == "function" or type(v) == "userdata" or type(v) == "thread" then
      r[i] = "<" .. type(v) .. ">"
    else
      r[i] = tostring(v)
    end
  end
  print(label .. ": " .. table.concat(r, " | ", 1, r.n))
end

print("== virtual machine errors")
local t = {inner = {}}
local up = nil
try("index nil local", function() local x; return x.y end)
try("index nil field", function() return t.missing.y end)
try("index nil upvalue", function() return up.y end)
try("index nil global", function() return not_a_global.y end)
try("call nil field", function() t.nofunc() end)
try("call nil method", function() t:nomethod() end)
try("call a string", function() local s = "str"; s() end)
try("arithmetic on nil field", function() return t.count + 1 end)
try("arithmetic on a string that is not a number", function() return "abc" + 1 end)
try("arithmetic on a numeric string", function() return "10" + 1 end)
try("concatenate a table", function() return "x" .. t end)
try("concatenate nil", function() return "x" .. t.missing end)
try("compare number with nil", function() return 1 < nil end)
try("compare two tables", function() return {} < {} end)
try("compare number with string", function() return 1 < "2" end)
try("integer division by zero", function() local z = 0; return 1 // z end)
try("integer modulo by zero", function() local z = 0; return 1 % z end)
try("float division by zero is fine", function() return 1 / 0, -1 / 0 end)
try("float modulo by zero is nan", function() local z = 0.0; local r = 1 % z; return r ~= r end)
try("bitwise on a float", function() return 1.5 | 0 end)
try("bitwise on a string", function() return "a" & 1 end)
try("bitwise on a numeric string", function() return "3" & 1 end)
try("float key to integer", function() local k = 2^53; return math.tointeger(k) end)
try("length of nil", function() return #t.missing end)
try("length of a number", function() local n = 5; return #n end)
try("set index nil", function() local x; x.y = 1 end)
try("nil as a table key", function() local k; t[k] = 1 end)
try("NaN as a table key", function() local k = 0/0; t[k] = 1 end)
try("for initial value", function() for i = "a", 2 do end end)
try("for step zero", function() for i = 1, 10, 0 do end end)
try("for limit not a number", function() for i = 1, {} do end end)
try("goto into a label scope", load, "goto l; local x; ::l:: print(x)")
try("upvalue in error name", function() local fn; return (function() return fn() end)() end)
try("integer overflow wraps silently", function() return math.maxinteger + 1 == math.mininteger end)
try("string to integer in for", function() local s = 0; for i = 1, "3" do s = s + i end return s end)

print("== compiler errors (load returns nil and the message)")
local function compile(label, src)
  local f, err = load(src, "=" .. label)
  print(label .. ": " .. (f and "compiled" or err))
end
compile("unexpected symbol", "x = = 1")
compile("unfinished string", "x = 'abc")
compile("missing end", "if x then")
compile("missing paren", "print((1)")
compile("break outside loop", "break")
compile("undefined goto", "goto nowhere")
compile("repeated label", "::a:: ::a::")
compile("bad escape", [[x = "\q"]])
compile("decimal escape too large", [[x = "\300"]])
compile("malformed number", "x = 3x")
compile("attempt to assign to const", "local c <const> = 1; c = 2")
compile("unknown attribute", "local c <foo> = 1")
compile("multiple to-be-closed", "local a <close>, b <close> = nil, nil")
compile("too many local variables", "local " .. string.rep("a,", 300) .. "a")
compile("too many syntax levels", "return " .. string.rep("(", 300) .. "1" .. string.rep(")", 300))
compile("deep table constructor", "return " .. string.rep("{", 300) .. string.rep("}", 300))
compile("fine at 100 levels", "return " .. string.rep("(", 100) .. "1" .. string.rep(")", 100))
compile("binary chunk as text", "\27Lua")

print("== load with a reader function that errors")
local pieces = {"return ", "1 + "}
local i = 0
try("reader error", load, function()
  i = i + 1
  if pieces[i] then return pieces[i] end
  error("reader gave up")
end)
try("reader returns a table", load, function() return {} end)

print("== errors from code loaded at run time carry the chunk name")
local f = load("local a = ...; return a.b", "=dynamic")
try("dynamic chunk", f, nil)
local g = load("error('from a string chunk')")
try("string chunk name", g)
