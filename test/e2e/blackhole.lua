-- A loopback listener that never accepts, with the smallest accept backlog.
-- Once its backlog is full, the kernel drops further SYNs, so a client's connect
-- stays pending until it gives up: the "server that never answers" case.
-- Prints its port, then waits until its standard input closes.
local socket = require("socket")
local server = assert(socket.tcp())
assert(server:bind("127.0.0.1", 0))
assert(server:listen(0))
local _, port = server:getsockname()
io.write(port, "\n")
io.flush()
io.read("*a")
server:close()
