# catch/throw: values, nesting, through blocks and C iterators, uncaught throw.
p catch(:done) { 10.times { |i| throw :done, i * 100 if i == 7 }; :never }
p catch { |tag| [1, 2, 3].each { |x| [4, 5].map { |y| throw tag, [x, y] if x * y == 10 } } }
r = catch(:outer) do
  catch(:inner) do
    throw :outer, "skipped inner"
  end
  "not here"
end
puts r
def deep(n) = n.zero? ? throw(:deep, "from the bottom") : [n].each { deep(n - 1) }
puts catch(:deep) { deep(2000) }
ensured = false
catch(:x) do
  begin
    throw :x
  ensure
    ensured = true
  end
end
p ensured
begin
  throw :nobody
rescue UncaughtThrowError => e
  p e.tag
end
