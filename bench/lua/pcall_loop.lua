-- Bench-only script: 100000 calls of pcall on a function that does not raise an error.
-- Every pcall enters Lua's protected-call machinery (a setjmp in ldo.c), but no longjmp
-- ever happens, so this also runs in the baseline build whose _longjmp aborts.

local function work(a, b)
  return a * 2 + b
end

local total = 0
for i = 1, 100000 do
  local ok, v = pcall(work, i, 1)
  if not ok then
    print("unexpected error", v)
    os.exit(1)
  end
  total = total + v
end
print("pcall_loop total", total)
