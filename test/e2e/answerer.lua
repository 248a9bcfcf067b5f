-- A receiver that talks back, as the phase-3 receiver will: on accept it sends a
-- greeting line, and it answers every line it reads with "ack <n>" after
-- ACK_DELAY seconds. Listens on 127.0.0.1:PORT; writes one line per event to
-- stdout: "listening", "accepted", "greeted", "line <text>", "acked <n>",
-- "closed". Runs until its standard input closes (the test's child is killed).
--   lua5.1 answerer.lua PORT [ACK_DELAY]
local socket = require("socket")
local port = assert(tonumber(arg[1]), "usage: answerer.lua PORT [ACK_DELAY]")
local ackDelay = tonumber(arg[2] or "0")

-- The port may be held for a moment (a client's socket that connected to itself is
-- only closed in its next frames): try to bind for up to five seconds.
local server, bound, bindError
for _ = 1, 100 do
  server = assert((socket.tcp4 or socket.tcp)())
  assert(server:setoption("reuseaddr", true))
  bound, bindError = server:bind("127.0.0.1", port)
  if bound then
    break
  end
  server:close()
  socket.sleep(0.05)
end
assert(bound, bindError)
assert(server:listen(8))
server:settimeout(0)

local function say(text)
  io.write(text, "\n")
  io.flush()
end
say("listening")

local clients = {} -- { sock, buffer, acks = { {at, n} } }
local lines = 0
while true do
  local watched = { server }
  for _, c in ipairs(clients) do
    watched[#watched + 1] = c.sock
  end
  socket.select(watched, nil, 0.01)
  local sock = server:accept()
  if sock then
    sock:settimeout(0)
    sock:send("receiver ready\n")
    clients[#clients + 1] = { sock = sock, buffer = "", acks = {} }
    say("accepted")
    say("greeted")
  end
  local now = socket.gettime()
  for i = #clients, 1, -1 do
    local c = clients[i]
    local data, err, partial = c.sock:receive(8192)
    c.buffer = c.buffer .. (data or partial or "")
    while true do
      local nl = c.buffer:find("\n", 1, true)
      if not nl then
        break
      end
      lines = lines + 1
      say("line " .. c.buffer:sub(1, nl - 1))
      c.acks[#c.acks + 1] = { at = now + ackDelay, n = lines }
      c.buffer = c.buffer:sub(nl + 1)
    end
    while c.acks[1] and c.acks[1].at <= now do
      local ack = table.remove(c.acks, 1)
      c.sock:send("ack " .. ack.n .. "\n")
      say("acked " .. ack.n)
    end
    if err == "closed" then
      c.sock:close()
      table.remove(clients, i)
      say("closed")
    end
  end
end
