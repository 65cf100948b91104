# GC.start and GC.stress while objects are reachable only from C locals (the result array
# that map is building, the accumulator of inject, a string being built by gsub), inside and
# outside fibers, and while a fiber holding such objects is suspended.
def churn = 2000.times.map { |i| "garbage #{i}" * 3 }.size

r = (1..300).map { |i| GC.start if i % 50 == 0; churn if i % 100 == 0; "item#{i}" * 2 }
puts r.size, r.first, r.last, r.all? { |s| s.start_with?("item") }

acc = (1..200).inject([]) { |a, i| GC.start if i % 40 == 0; a << i.to_s }
puts acc.join.size

s = "abcdefghij" * 30
t = s.gsub(/[aeiou]/) { |m| GC.start if m == "e"; m.upcase * 2 }
puts t.size, t[0, 20]

h = (1..500).each_with_object({}) { |i, hh| GC.start if i % 100 == 0; hh["k#{i}"] = [i] * 3 }
puts h.size, h["k250"].inspect

GC.stress = true
x = (1..60).map { |i| [i, i.to_s, i.to_f].join(":") }.select { |v| v.end_with?("0") }.sort_by(&:size)
GC.stress = false
p x

# Inside a fiber
f = Fiber.new do
  v = (1..300).map { |i| GC.start if i % 60 == 0; "fiber#{i}" }
  Fiber.yield v.size
  v.last
end
p f.resume, f.resume

# A fiber suspended in the middle of map: the partial result array is held only by the C
# locals of map's frames, which are suspended (spilled) while the main context collects.
g = Fiber.new do
  (1..20).map { |i| Fiber.yield(i) if i % 5 == 0; "kept#{i}" * 4 }
end
out = []
loop do
  v = g.resume
  if g.alive?
    churn
    GC.start
    out << v
  else
    out << v.size << v.first << v.last << v.all? { |z| z.start_with?("kept") }
    break
  end
end
p out

# Objects created and dropped in many fibers while the GC runs
live = Array.new(50) { |i| Fiber.new { a = ["live#{i}"] * 10; Fiber.yield; GC.start; a.join.size } }
live.each(&:resume)
GC.start
p live.map(&:resume).uniq
