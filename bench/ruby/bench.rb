# One benchmark row per run: `ruby bench.rb ROW [ARG]` prints "value=<number>" (ns per
# operation, a depth, or ns for one GC) measured inside the interpreter with the monotonic clock.
def now = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)

def per_op(n)
  t = now
  yield
  (now - t).to_f / n
end

# Recursion through Array#each: every level is a C frame (Array#each) calling a block, so a
# raise at the bottom unwinds `depth` levels of C frames, as in real code that raises from
# inside iterators.
def dive(depth, &blk)
  return blk.call if depth.zero?
  [depth].each { dive(depth - 1, &blk) }
end

row, arg = ARGV
value =
  case row
  when "raise"
    depth = Integer(arg)
    n = [200_000 / (depth + 10), 20].max
    per_op(n) { n.times { begin; dive(depth) { raise ArgumentError }; rescue ArgumentError; end } }
  when "fiber"
    n = 200_000
    f = Fiber.new { loop { Fiber.yield } }
    per_op(n) { n.times { f.resume } }
  when "enum_next"
    n = 200_000
    e = (1..).each
    per_op(n) { n.times { e.next } }
  when "deepest_method"
    $d = 0
    def down = ($d += 1; down)
    begin; down; rescue SystemStackError; end
    $d
  when "deepest_each"
    $d = 0
    def down_each = ($d += 1; [1].each { down_each })
    begin; down_each; rescue SystemStackError; end
    $d
  when "gc_1m"
    live = Array.new(1_000_000) { |i| [i] }
    GC.start
    times = 3.times.map { t = now; GC.start; now - t }
    live.size # keep it alive
    times.sort[1]
  else
    abort "unknown row #{row}"
  end
puts "value=#{value}"
