# Basics: output, arithmetic, strings, collections, blocks, methods.
puts "hello from ruby"
print "no newline", "\n"
$stdout.write("write: ", 42, "\n")
p [1, 2.5, "three", :four, nil, true]
puts (1..10).sum, 2**100, 10.0 / 4, -7 / 2, -7 % 3
h = { "b" => 2, "a" => 1 }
h.sort.each { |k, v| puts "#{k}=#{v}" }
puts %w[pear apple fig].sort_by(&:size).join(",")
puts "abc".upcase.reverse * 2
def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
puts fib(20)
puts [3, 1, 2].map { |x| x * x }.select(&:odd?).inspect
s = +""
1000.times { |i| s << i.to_s }
puts s.size, s.hash == s.dup.hash
puts format("%05.1f|%-4s|%x", 3.14159, "ab", 255)
$stderr.puts "to stderr"
