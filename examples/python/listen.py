# Reads the Live Data Export stream. Python 3.8+, standard library only.
#   python3 listen.py [port]        (Windows: py listen.py [port]; the default port is 9876)
import json, socket, sys, time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9876
sys.stdout.reconfigure(line_buffering=True)
highest = {}  # session -> highest seq handled; a reconnect resends, so drop what is not above it
num = lambda x: "?" if x is None else f"{x:.1f}"  # a float is null where the engine had nan/inf


def unit_event(row):
    """A unit event row as a line: [kind, unitID, unitDefID, teamID] (created, finished,
    destroyed) or [kind, unitID, unitDefID, oldTeamID, newTeamID] (given, taken); None for
    a kind this script does not know (a later version may add some): skip the row."""
    kind = row[0]
    if kind in ("given", "taken"):
        return f"{kind} unit {row[1]} (def {row[2]}) from team {row[3]} to team {row[4]}"
    if kind in ("created", "finished", "destroyed"):
        return f"{kind} unit {row[1]} (def {row[2]}) of team {row[3]}"
    return None


def serve(conn):
    conn.settimeout(0.25)  # wake up at least every 250 ms to acknowledge
    session, pending, acked, acked_at = None, b"", 0, 0.0
    while True:
        try:
            data = conn.recv(65536)
            if not data:
                return  # the widget closed the connection
        except socket.timeout:
            data = b""
        *lines, pending = (pending + data).split(b"\n")
        for m in map(json.loads, lines):
            if m["type"] == "hello":
                if m["protocol"] != 2:
                    return print(f"refused: protocol {m['protocol']}, this script reads 2")
                session = m["session"]
                highest.setdefault(session, 0)
                print(f"widget connected: session {session}, next seq {m['nextSeq']}")
            elif session and m["seq"] > highest[session]:
                highest[session] = m["seq"]
                # One row per unit event, in the game's order.
                for row in m["events"] if m["type"] == "unit_events" else []:
                    line = unit_event(row)
                    if line is not None:
                        print(line)
                for t in m["teams"] if m["type"] == "economy" else []:
                    print(f"team {t['teamID']}: metal {num(t['metal']['income'])}/s,"
                          f" energy {num(t['energy']['income'])}/s")
        if session and highest[session] > acked and time.monotonic() - acked_at >= 0.25:
            acked, acked_at = highest[session], time.monotonic()
            ack = {"type": "ack", "seq": acked, "session": session}
            conn.sendall(json.dumps(ack).encode() + b"\n")


server = socket.create_server(("127.0.0.1", port))
print(f"listening on 127.0.0.1:{port}")
while True:
    conn, _ = server.accept()  # the widget; again after every reconnect
    with conn:
        try:
            serve(conn)
        except (OSError, ValueError):
            pass  # reset (the widget reconnects), or not the widget: a line that is not JSON
    print("widget disconnected")
