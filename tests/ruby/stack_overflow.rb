# Runaway recursion raises SystemStackError, which is rescued, and the interpreter goes on:
# through plain method calls, through C iterators (each) and blocks, in main and in a Fiber.
def plain(n) = plain(n + 1) + 1
def through_each(n) = [n].each { |x| through_each(x + 1) }
def through_map(n) = [n].map { |x| through_map(x + 1) }

def try(label)
  yield
  puts "#{label}: no error?"
rescue SystemStackError
  puts "#{label}: SystemStackError rescued"
end

try("plain") { plain(0) }
try("each") { through_each(0) }
try("map") { through_map(0) }
try("plain again") { plain(0) }

f = Fiber.new do
  try("fiber plain") { plain(0) }
  try("fiber each") { through_each(0) }
  :fiber_done
end
p f.resume
# The interpreter still works after all of that.
puts (1..100).sum
try("each after fiber") { through_each(0) }
puts "end"
