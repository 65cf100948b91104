-- Bench-only script: pure computation that never raises a Lua error, so it also runs in the
-- baseline build (Lua for WASI without Asyncify, whose _longjmp aborts). Numeric loops,
-- string building and matching, table insertion, sorting and lookup. Prints a checksum.

local N = tonumber(arg and arg[1]) or 1

local function sieve(n)
  local composite, count = {}, 0
  for i = 2, n do
    if not composite[i] then
      count = count + 1
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return count
end

local function strings(n)
  local parts = {}
  for i = 1, n do
    parts[#parts + 1] = string.format("%d:%x", i, i * 7)
  end
  local s = table.concat(parts, ",")
  local total = 0
  for a, b in s:gmatch("(%d+):(%x+)") do
    total = total + #a + #b
  end
  return total + #s:upper():rep(2)
end

local function tables(n)
  local t = {}
  local x = 12345
  for i = 1, n do
    x = (x * 1103515245 + 12345) % 2147483648
    t[i] = x
  end
  table.sort(t)
  local index = {}
  for i = 1, n do index["k" .. t[i]] = i end
  local hits = 0
  for i = 1, n, 3 do
    if index["k" .. t[i]] == i then hits = hits + 1 end
  end
  return hits
end

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local sum = 0
for _ = 1, N do
  sum = sum + sieve(300000) + strings(30000) + tables(45000) + fib(24)
end
print("compute checksum", sum)
