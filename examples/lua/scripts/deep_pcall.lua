-- pcall nested up to 1,000 deep. Every pcall is a C call (and a setjmp in ldo.c), so Lua's
-- limit on nested C calls (LUAI_MAXCCALLS = 200) ends the nesting with "C stack overflow";
-- the point where that happens and the way it unwinds are printed.

-- nest(n): n nested pcalls, then an error at the bottom. Each level reports what the level
-- below returned and passes the error on (as a new error) if there was one.
local deepest = 0
local function nest(n, depth)
  depth = depth or 1
  if depth > deepest then deepest = depth end
  if depth == n then error("bottom reached at depth " .. depth, 0) end
  local ok, e = pcall(nest, n, depth + 1)
  if not ok then error(e, 0) end
  return e
end

for _, n in ipairs({1, 2, 10, 50, 100, 150, 180, 190, 195, 196, 197, 198, 199, 200, 250, 1000}) do
  deepest = 0
  local ok, e = pcall(nest, n)
  print(string.format("nest(%4d): ok=%s deepest=%d error=%s", n, tostring(ok), deepest, tostring(e)))
end

-- The same, but each level catches and counts instead of rethrowing: the error at the bottom
-- is swallowed by the innermost pcall and each level returns normally.
local function count_levels(n, depth)
  if depth == n then return depth end
  local ok, r = pcall(count_levels, n, depth + 1)
  if ok then return r end
  return "stopped below depth " .. depth .. ": " .. r
end
for _, n in ipairs({100, 1000}) do
  print(string.format("count_levels(%d) -> %s", n, tostring(count_levels(n, 1))))
end

-- Each level adds a frame to a message on the way out, so the whole unwinding is visible.
local function collect(n, depth)
  if depth == n then error({depth}) end
  local ok, e = pcall(collect, n, depth + 1)
  if type(e) == "table" then e[#e + 1] = depth; error(e) end
  error({"non-table at depth " .. depth .. ": " .. tostring(e)})
end
local ok, e = pcall(collect, 1000, 1)
print("collect(1000): ok=" .. tostring(ok) .. " entries=" .. #e .. " first=" .. tostring(e[1])
  .. " last=" .. tostring(e[#e]))
ok, e = pcall(collect, 150, 1)
local seq = true
for i = 1, #e do if e[i] ~= 151 - i then seq = false end end
print("collect(150): entries=" .. #e .. " in order: " .. tostring(seq))

-- After all of that the state still works: 1,000 sequential (not nested) pcalls.
local n = 0
for i = 1, 1000 do
  if not pcall(error, i) then n = n + 1 end
end
print("sequential pcalls that failed as expected:", n)

-- xpcall nested the same way, with a traceback handler at the top only.
local function xnest(n, depth)
  if depth == n then error("bottom of xnest", 0) end
  return select(2, xpcall(xnest, function(m) return m end, n, depth + 1))
end
print("xnest(100):", xnest(100, 1))
print("xnest(1000):", xnest(1000, 1))
