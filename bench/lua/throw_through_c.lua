-- Bench-only script, as throw_loop.lua (3,000 errors from depths 1 to 60, nested pcall,
-- coroutines) but every other level of the recursion goes through a C function that calls back
-- into Lua (string.gsub with a function replacement), so each error also crosses C frames, as
-- errors raised inside library callbacks do. Prints a checksum. Needs longjmp, so it cannot run
-- in the baseline build.

local dive

local function through_c(n, v)
  local r
  ("x"):gsub("x", function() r = dive(n, v) end)
  return r
end

dive = function(n, v)
  if n == 0 then error({code = v}) end
  if n % 2 == 0 then return through_c(n - 1, v) + 1 end
  return dive(n - 1, v) + 1
end

local function nested(n, v)
  -- an inner pcall catches the error and raises it again from one frame higher
  local ok, e = pcall(dive, n, v)
  if not ok then error({code = e.code + 1}) end
  return e
end

local caught, sum = 0, 0
for i = 1, 3000 do
  local depth = i % 60 + 1
  local ok, e
  if i % 3 == 0 then
    ok, e = pcall(nested, depth, i)
  elseif i % 3 == 1 then
    local co = coroutine.create(function() return dive(depth, i) end)
    ok, e = coroutine.resume(co)
  else
    ok, e = pcall(dive, depth, i)
  end
  if ok then
    print("unexpected success at", i)
    os.exit(1)
  end
  caught = caught + 1
  sum = sum + e.code
end
print("throw_through_c caught", caught, "checksum", sum)
