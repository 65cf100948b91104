# Fibers: resume, yield, alive?, values both ways, nesting, exceptions reaching resume.
f = Fiber.new do |x|
  puts "fiber got #{x}"
  y = Fiber.yield x + 1
  puts "fiber got #{y}"
  z = Fiber.yield y * 2
  puts "fiber got #{z}"
  :finished
end
p f.alive?
p f.resume(10)
p f.resume(20)
p f.resume(30)
p f.alive?
begin
  f.resume
rescue FiberError
  puts "resuming a dead fiber raises FiberError"
end

# A generator
gen = Fiber.new do
  a, b = 0, 1
  loop { Fiber.yield a; a, b = b, a + b }
end
p 15.times.map { gen.resume }

# An exception raised in a fiber reaches resume; ensure in the fiber runs.
bad = Fiber.new do
  begin
    Fiber.yield :first
    raise ArgumentError, "raised inside the fiber"
  ensure
    puts "fiber ensure ran"
  end
end
p bad.resume
begin
  bad.resume
rescue ArgumentError => e
  puts "caught at resume: #{e.message}"
end
p bad.alive?

# Nested fibers, and a fiber yielding from deep inside C iterators.
outer = Fiber.new do
  inner = Fiber.new { Fiber.yield :inner1; :inner_done }
  Fiber.yield inner.resume
  Fiber.yield inner.resume
  :outer_done
end
p 3.times.map { outer.resume }
deep = Fiber.new do
  [1, 2].each { |i| [3, 4].map { |j| (1..2).each { |k| Fiber.yield [i, j, k] } } }
  :deep_done
end
r = []
while deep.alive?
  r << deep.resume
end
p r

# Fiber#raise
g = Fiber.new { begin; Fiber.yield; rescue => e; "fiber rescued #{e.message}"; end }
g.resume
p g.raise(RuntimeError, "injected")

# Many round trips
c = Fiber.new { loop { Fiber.yield } }
100_000.times { c.resume }
puts "100000 round trips"
