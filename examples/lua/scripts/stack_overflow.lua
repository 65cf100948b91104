-- Runaway recursion caught by pcall: Lua's own "stack overflow" (Lua stack above
-- LUAI_MAXSTACK slots) and "C stack overflow" (C calls above LUAI_MAXCCALLS).

-- Plain non-tail recursion: only Lua frames, no C recursion.
local calls = 0
local function runaway(n)
  calls = calls + 1
  return 1 + runaway(n + 1)   -- not a tail call
end
local ok, e = pcall(runaway, 1)
print("runaway:", ok, e)
print("frames before the overflow:", calls)

-- It can be caught again, and the state is fine afterwards.
calls = 0
ok, e = pcall(runaway, 1)
print("again:", ok, e, calls)

-- A function with many locals overflows after fewer calls.
local big_calls = 0
local function big(n)
  big_calls = big_calls + 1
  local a, b, c, d, e1, f, g, h, i, j = n, n, n, n, n, n, n, n, n, n
  local k, l, m, o, p, q, r, s, t, u = n, n, n, n, n, n, n, n, n, n
  return big(n + 1) + a + b + c + d + e1 + f + g + h + i + j + k + l + m + o + p + q + r + s + t + u
end
ok, e = pcall(big, 1)
print("big frames:", ok, e, big_calls)

-- With debug.traceback as handler: the traceback elides the middle.
ok, e = xpcall(runaway, debug.traceback, 1)
print("traceback of the overflow:")
print(e)

-- A tail-recursive loop does not overflow.
local function tail(n) if n == 0 then return "tail done" end return tail(n - 1) end
print(pcall(tail, 1000000))

-- Recursion through a metamethod goes through C each time: C stack overflow.
local rec = setmetatable({}, {})
getmetatable(rec).__index = function(t, k) return t[k .. "x"] end
ok, e = pcall(function() return rec.a end)
print("__index recursion:", ok, e)

-- Recursion through tostring / __tostring.
local ts = setmetatable({}, {__tostring = function(self) return "<" .. tostring(self) .. ">" end})
ok, e = pcall(tostring, ts)
print("__tostring recursion:", ok, e)

-- Recursion through string.gsub callbacks.
local function g(s) return (string.gsub(s, ".", g)) end
ok, e = pcall(g, "abc")
print("gsub recursion:", ok, e)

-- Recursion through pcall itself, without any error at the bottom.
local pdepth = 0
local function prec() pdepth = pdepth + 1; local ok2, e2 = pcall(prec); if not ok2 then error(e2, 0) end end
ok, e = pcall(prec)
print("pcall recursion:", ok, e, pdepth)

-- Overflow inside a coroutine is caught by resume and kills only the coroutine.
local co = coroutine.create(function() return runaway(1) end)
calls = 0
print("in a coroutine:", coroutine.resume(co))
print("coroutine status:", coroutine.status(co), "frames:", calls)

-- Error while handling a stack overflow (the handler needs stack too).
ok, e = xpcall(runaway, function(m) return runaway(1) end, 1)
print("handler that overflows too:", ok, e)
