# External enumerators: next, peek, rewind, StopIteration; two at once; generators.
e = [1, 2, 3].each
p e.next, e.peek, e.next, e.next
begin
  e.next
rescue StopIteration => s
  puts "StopIteration: result #{s.result.inspect}"
end
e.rewind
p e.next

# Two external enumerators iterated at the same time (a merge of sorted sequences).
a = [1, 4, 6, 9, 12].each
b = [2, 3, 7, 10, 11, 13].each
merged = []
loop do
  x = begin; a.peek; rescue StopIteration; nil; end
  y = begin; b.peek; rescue StopIteration; nil; end
  break if x.nil? && y.nil?
  merged << (y.nil? || (!x.nil? && x <= y) ? a.next : b.next)
end
p merged

# zip uses external enumerators for non-array arguments
p (1..4).zip(("a".."d").each, (10..).each)

# Enumerator.new with a yielder, infinite, lazy
fib = Enumerator.new do |y|
  a, b = 0, 1
  loop { y << a; a, b = b, a + b }
end
p fib.take(12)
p fib.lazy.select(&:even?).first(6)
ext = fib.each_slice(3)
p ext.next, ext.next

# loop rescues StopIteration and returns its result
e = [10, 20].each
r = loop { e.next }
p r

# Many short-lived external enumerators
t = 0
2000.times { |i| en = [i, i + 1].each; t += en.next + en.next }
p t
