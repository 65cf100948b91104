-- Bench-only script that raises Lua errors constantly: 3,000 errors, each raised from a
-- recursion 1 to 60 frames deep below a pcall, some through nested pcalls, some inside
-- coroutines; about one error in three is caught by an inner pcall and re-raised. Every error is
-- a longjmp (a setjmp/longjmp round trip in Lua's ldo.c). Prints a checksum. Needs longjmp, so
-- it cannot run in the baseline build. The recursion is pure Lua (no C frames between the error and
-- its pcall); bench/lua/throw_through_c.lua is the variant whose errors cross C frames.

local function dive(n, v)
  if n == 0 then error({code = v}) end
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
print("throw_loop caught", caught, "checksum", sum)
