# Many fibers created and finished, one after another and in batches. Each fiber has its own
# machine stack (CRuby's fiber pool); if finished fibers' stacks were not reused or freed,
# 20,000 of them would not fit in a 4 GiB wasm32 memory.
done = 0
20_000.times do |i|
  f = Fiber.new { |x| Fiber.yield x * 2; x + 1 }
  a = f.resume(i)
  b = f.resume
  done += 1 if a == i * 2 && b == i + 1 && !f.alive?
end
puts "sequential: #{done} fibers finished"

total = 0
50.times do
  batch = Array.new(200) { |i| Fiber.new { Fiber.yield i; i } }
  batch.each(&:resume)
  total += batch.sum(&:resume)
end
puts "batches: #{total}"

# Abandoned (suspended, unreachable) fibers are collected too.
2_000.times { Fiber.new { Fiber.yield }.resume }
GC.start
puts "abandoned: ok"

# External enumerators abandoned in mid-iteration: each holds a suspended fiber whose C locals
# (spilled by the runtime) reference the enumerator. Once unreachable they must be collected,
# not kept alive by their own suspended frames.
3.times do |round|
  1_000.times { e = [1, 2, 3].each; e.next }
  GC.start
  alive = ObjectSpace.each_object(Fiber).count(&:alive?)
  puts "round #{round}: suspended fibers left after GC: #{alive < 100 ? 'few' : alive}"
end
