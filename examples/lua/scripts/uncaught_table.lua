-- Ends with an uncaught error whose value is a table with __tostring: the driver reports it
-- through the metamethod, on stderr, and exits with status 1.

local Failure = {__tostring = function(f) return "Failure(" .. f.what .. ", code " .. f.code .. ")" end}
for i = 1, 3 do print("step", i) end
local ok, e = pcall(error, setmetatable({what = "caught", code = 1}, Failure))
print("caught first:", ok, tostring(e))
error(setmetatable({what = "uncaught", code = 2}, Failure))
