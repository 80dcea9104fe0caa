-- Near-duplicate assignment in one atomic step (see duplicates.py).
-- KEYS: groups hash, datasketch keys hash, this article's keys list,
--       then each band's bucket hash, then each band's bucket set for this article.
-- ARGV: article id, number of bands, then the article's bucket in each band.
local id = ARGV[1]
local known = redis.call('HGET', KEYS[1], id)
if known then
  return known
end
local bands = tonumber(ARGV[2])
local seen, matches = {}, {}
for band = 1, bands do
  for _, other in ipairs(redis.call('SMEMBERS', KEYS[3 + bands + band])) do
    if other ~= id and not seen[other] then
      seen[other] = true
      matches[#matches + 1] = other
    end
  end
end
-- The earliest-sorting match that has a group, as a Python sorted() over bytes picks it.
table.sort(matches)
local group = id
for _, other in ipairs(matches) do
  local theirs = redis.call('HGET', KEYS[1], other)
  if theirs then
    group = theirs
    break
  end
end
-- Insert exactly as datasketch's Redis storage does, so its own client reads the index.
redis.call('HSET', KEYS[2], id, KEYS[3])
redis.call('RPUSH', KEYS[3], unpack(ARGV, 3, 2 + bands))
for band = 1, bands do
  redis.call('HSET', KEYS[3 + band], ARGV[2 + band], KEYS[3 + bands + band])
  redis.call('SADD', KEYS[3 + bands + band], id)
end
redis.call('HSET', KEYS[1], id, group)
return group
