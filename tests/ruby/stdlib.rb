# The standard library is found and works: set (pure Ruby), json (C extension, linked
# statically), and a few more.
require 'set'
s = Set.new([3, 1, 2, 3])
s << 5
p s.size, s.include?(2), s.to_a.sort, (s & Set[1, 5, 9]).to_a.sort
require 'json'
data = { "name" => "ruby", "list" => [1, 2.5, nil, true], "nested" => { "k" => "v" } }
text = JSON.generate(data)
puts text
p JSON.parse(text) == data
puts JSON.pretty_generate([1, { "a" => [2, { "b" => nil }] }])
require 'stringio'
io = StringIO.new
io.puts "in a StringIO"
print io.string
require 'strscan'
sc = StringScanner.new("3 apples")
p sc.scan(/\d+/), sc.scan(/\s+/), sc.rest
require 'digest'
puts Digest::SHA256.hexdigest("abc")
