#!/usr/bin/env python3
"""A TCP proxy in front of PostgreSQL that loses one reply at the worst moment, for tests.

    pg-drop-proxy.py --upstream 127.0.0.1:55432 --control DIR

Prints "listening <port>" once it accepts connections. To arm it, a test writes one line into DIR/arm:
    self <regex>    the next statement whose text (Parse, Query) or prepared name (Bind) matches is
                    forwarded and executed, and its reply is never delivered: the connection is cut
    commit <regex>  on the connection where such a statement is seen, the next COMMIT is forwarded and
                    executed, and its reply is never delivered
The arm file is consumed when the rule fires; DIR/fired counts the replies lost so far.
"""
import argparse, os, re, socket, struct, sys, threading, time

def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data

class Rules:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()
        self.fired = 0

    def take(self, kind_wanted, text):
        """Whether an armed rule of this kind matches `text` (the rule is consumed when it does)."""
        path = os.path.join(self.folder, "arm")
        with self.lock:
            try:
                with open(path) as f:
                    kind, _, pattern = f.read().strip().partition(" ")
            except FileNotFoundError:
                return False
            if kind != kind_wanted or not re.search(pattern, text):
                return False
            if kind == "self":
                os.remove(path)
            return True

    def consume(self):
        with self.lock:
            try:
                os.remove(os.path.join(self.folder, "arm"))
            except FileNotFoundError:
                pass

    def count(self):
        with self.lock:
            self.fired += 1
            with open(os.path.join(self.folder, "fired"), "w") as f:
                f.write(str(self.fired))

def statement_text(kind, payload):
    if kind == b"Q":
        return payload.split(b"\0", 1)[0].decode("utf-8", "replace")
    if kind == b"P":
        parts = payload.split(b"\0", 2)
        return parts[1].decode("utf-8", "replace") if len(parts) > 1 else ""
    if kind == b"B":
        parts = payload.split(b"\0", 2)
        return parts[1].decode("utf-8", "replace") if len(parts) > 1 else ""
    return None

def serve(client, upstream, rules):
    server = socket.create_connection(upstream)
    cut = threading.Event()

    def backward():
        try:
            while True:
                data = server.recv(65536)
                if not data or cut.is_set():
                    break
                client.sendall(data)
        except OSError:
            pass

    threading.Thread(target=backward, daemon=True).start()
    try:
        # Startup: untyped messages (an SSLRequest, then the startup packet).
        while True:
            length = struct.unpack("!I", read_exact(client, 4))[0]
            body = read_exact(client, length - 4)
            server.sendall(struct.pack("!I", length) + body)
            if struct.unpack("!I", body[:4])[0] != 80877103:
                break
        armed_commit = False
        dropping = False
        while True:
            kind = read_exact(client, 1)
            length = struct.unpack("!I", read_exact(client, 4))[0]
            payload = read_exact(client, length - 4)
            text = statement_text(kind, payload)
            if text is not None and not dropping:
                if rules.take("self", text):
                    dropping = True
                elif rules.take("commit", text):
                    armed_commit = True
                elif armed_commit and re.match(r"\s*COMMIT\b", text, re.I):
                    rules.consume()
                    dropping = True
                if dropping:
                    cut.set()
            server.sendall(kind + struct.pack("!I", length) + payload)
            if dropping and kind in (b"S", b"Q"):
                time.sleep(0.5)  # the server executes (and commits) what it was sent
                rules.count()
                break
    except (EOFError, OSError):
        pass
    finally:
        for sock in (client, server):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--control", required=True)
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    rules = Rules(args.control)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(f"listening {listener.getsockname()[1]}", flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, (host, int(port)), rules), daemon=True).start()

if __name__ == "__main__":
    main()
