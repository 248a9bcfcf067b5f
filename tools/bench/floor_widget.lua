-- tools/bench/floor_widget.lua -- the floor, measured in place: a widget that
-- does only the bare socket work, run by tools/bench.ts in the same BAR-like
-- host, at the same frame rate and with the same stopwatch as the Live Data
-- Export widget, so that the widget's figures can be read as ratios to it.
--
-- Settings (the config file's data["Bench Floor"]):
--   mode = "empty"    Update and DrawScreen do nothing: what the host's
--                     stopwatch and call-in dispatch cost by themselves
--   mode = "idle"     every Update: socket.select({c}, nil, 0) and
--                     c:receive(8192) on an idle connected loopback socket
--                     (set up in Initialize with a listener of its own);
--                     every DrawScreen: one gl.Text of the status line the
--                     widget's indicator shows when connected
--   mode = "refused"  every `every` frames, one refused connect attempt to
--                     `port` (no listener), split over two frames as a
--                     non-blocking client must: frame 1 socket.tcp(),
--                     settimeout(0), connect (answers "timeout"); frame 2
--                     select(nil, {c}, 0), getpeername, connect again
--                     (answers "connection refused"), close. The host times
--                     those frames apart (updateSocketCreated/-Closed).

function widget:GetInfo()
  return { name = "Bench Floor", layer = 0, enabled = true }
end

local mode, closedPort, every = "empty", 9, 500
local listener, client, accepted
local watched = {}
local attempt, attemptList = nil, {}
local frame = 0
local answers = { attempts = 0 }

function widget:SetConfigData(data)
  mode = data.mode or mode
  closedPort = data.port or closedPort
  every = data.every or every
end

function widget:GetConfigData()
  return { mode = mode, port = closedPort, every = every }
end


function widget:Initialize()
  widget:ViewResize(Spring.GetViewGeometry())
  if mode == "idle" then
    listener = assert(socket.tcp())
    listener:settimeout(0)
    assert(listener:bind("127.0.0.1", 0))
    assert(listener:listen(4))
    local _, port = listener:getsockname()
    client = assert(socket.tcp())
    client:settimeout(0)
    client:connect("127.0.0.1", port)
    for _ = 1, 1000000 do
      accepted = listener:accept()
      if accepted then
        break
      end
    end
    assert(accepted, "the floor widget could not accept its own connection")
    accepted:settimeout(0)
    watched[1] = client
  end
  WG.BenchFloor = {
    getStatus = function()
      return { mode = mode, answers = answers, connected = client ~= nil and client:getpeername() ~= nil }
    end,
  }
end

function widget:Update()
  if mode == "idle" then
    socket.select(watched, nil, 0)
    client:receive(8192)
  elseif mode == "refused" then
    frame = frame + 1
    if attempt then
      local _, writable = socket.select(nil, attemptList, 0)
      if writable[1] then
        attempt:getpeername()
        local _, err = attempt:connect("127.0.0.1", closedPort)
        answers.second = err
        attempt:close()
        attempt = nil
      end
    elseif frame % every == 0 then
      attempt = socket.tcp()
      attempt:settimeout(0)
      local _, err = attempt:connect("127.0.0.1", closedPort)
      answers.first = err
      answers.attempts = answers.attempts + 1
      attemptList[1] = attempt
    end
  end
end

-- the indicator's line when connected (src/app/indicator.ts), for the DrawScreen floor
local function colour(r, g, b)
  return string.char(255, r, g, b)
end
local text = colour(200, 200, 200) .. "Live Data: " .. colour(96, 230, 96) .. "CONNECTED"
  .. colour(200, 200, 200) .. " 127.0.0.1:9876"
local textX, textY = 0, 0

function widget:ViewResize(vsx)
  textX, textY = vsx - 8, 8 + 13
end

function widget:DrawScreen()
  if mode == "idle" then
    gl.Text(text, textX, textY, 13, "ro")
  end
end

function widget:Shutdown()
  for _, s in pairs({ attempt or false, client or false, accepted or false, listener or false }) do
    if s then
      s:close()
    end
  end
  WG.BenchFloor = nil
end
