# Exceptions: raise, rescue, ensure, retry, cause, custom classes; through blocks and
# C-implemented iterators (each, map, inject, times) at depth 1,000 and more.
class AppError < StandardError
  def initialize(msg = "app failed") = super
end
class DeepError < AppError; end

def level(n, &blk)
  return blk.call if n.zero?
  [n].each { |_| return level(n - 1, &blk) }
end

# raise/rescue with a custom class and a default message
begin
  raise AppError
rescue AppError => e
  puts "rescued #{e.class}: #{e.message}"
end

# ensure runs on normal exit and on raise, in order
log = []
begin
  begin
    log << :body
    raise DeepError, "inner"
  ensure
    log << :ensure1
  end
rescue AppError => e
  log << :"rescue_#{e.message}"
ensure
  log << :ensure2
end
p log

# retry
attempts = 0
begin
  attempts += 1
  raise "flaky" if attempts < 4
  puts "succeeded after #{attempts} attempts"
rescue
  retry
end

# cause
begin
  begin
    raise ArgumentError, "low"
  rescue => e
    raise AppError, "high"
  end
rescue => e
  puts "#{e.message} caused by #{e.cause.class}: #{e.cause.message}"
end

# Raise at depth N through each-blocks, rescued at the top; ensure blocks at every level.
[10, 1000, 3000].each do |depth|
  ensured = 0
  down = lambda do |n|
    if n.zero?
      raise DeepError, "bottom of #{depth}"
    end
    [n].each do |m|
      begin
        down.(m - 1)
      ensure
        ensured += 1
      end
    end
  end
  begin
    down.(depth)
  rescue DeepError => e
    puts "#{e.message}: ensured #{ensured}"
  end
end

# Through map and inject: the exception escapes the C iterator, the partial results are gone.
r = begin
  (1..2000).map { |i| i == 1500 ? raise(AppError, "in map at #{i}") : i * 2 }
rescue AppError => e
  e.message
end
puts r
r = (1..100).inject(0) do |acc, i|
  begin
    raise DeepError if i % 10 == 0
    acc + i
  rescue DeepError
    acc - i
  end
end
puts r

# Rescue at every level of a 1,200-deep recursion through times, re-raising a counter.
def nest(n)
  return raise(AppError, "0") if n.zero?
  1.times do
    begin
      nest(n - 1)
    rescue AppError => e
      raise AppError, (e.message.to_i + 1).to_s
    end
  end
end
begin
  nest(1200)
rescue AppError => e
  puts "re-raised through #{e.message} levels"
end

# Exceptions thrown by C code (ZeroDivisionError, TypeError, KeyError, NoMethodError)
[-> { 1 / 0 }, -> { 1 + "x" }, -> { {}.fetch(:k) }, -> { nil.no_such }].each do |f|
  begin
    f.call
  rescue => e
    puts e.class
  end
end

# rescue modifier, method-level rescue/else/ensure, raise with class and backtrace
def m
  yield
rescue ArgumentError
  :rescued
else
  :else
ensure
  puts "method ensure"
end
p m { raise ArgumentError }, m { 1 }
p((raise "x" rescue :modifier))
e = RuntimeError.new("manual")
e.set_backtrace(["here:1"])
begin
  raise e
rescue => x
  p x.backtrace
end
