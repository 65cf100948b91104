-- This file does not compile: the driver reports the syntax error (raised by the parser
-- with a longjmp) on stderr and exits with status 1; nothing runs, stdout stays empty.
print("never printed")
local function f(
  return 1
end
