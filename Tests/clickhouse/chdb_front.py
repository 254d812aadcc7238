#!/usr/bin/env python3
"""A small HTTP front over chdb (ClickHouse in-process), answering as ClickHouse's HTTP
interface does for what paytop sends: GET runs read-only (as ClickHouse runs GET), POST
runs anything, `database` picks the database, `query` is the SQL (a POST's body follows
it, or is it), errors are HTTP 500 with ClickHouse's own text (404 for an unknown table,
as ClickHouse answers UNKNOWN_TABLE). Test-only: paytop's tests start it on port 0 and
read "listening on PORT" from its first line.

Usage: chdb_front.py DATA_DIR [--delay SECONDS]   (--delay: answer every query that late)
"""
import socket, sys, time, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chdb import session

data_dir = sys.argv[1]
delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
sess = session.Session(data_dir)
lock = threading.Lock()
created = {"default"}
READS = ("SELECT", "WITH", "DESC", "DESCRIBE", "SHOW", "EXISTS")


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm holds
        # the body until the client's delayed ACK (~40 ms a response), which ClickHouse's own
        # server never adds.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        if "--log" in sys.argv:
            sys.stderr.write((args[0] % args[1:]) + "\n")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def run(self, method):
        if "--log" in sys.argv:
            sys.stderr.write(f"{method} {self.path} {dict(self.headers)}\n")
            sys.stderr.flush()
        url = urllib.parse.urlsplit(self.path)
        if url.path not in ("", "/"):
            return self.answer(404, b"There is no handle " + url.path.encode() + b"\n")
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        sql = params.get("query")
        if sql is None:
            sql, body = body.decode(), b""
        elif body:
            sql = sql + "\n" + body.decode()
        words = sql.lstrip().split(None, 1)
        if method == "GET" and (not words or words[0].upper() not in READS):
            return self.answer(500, b"Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY)\n")
        if delay:
            time.sleep(delay)
        database = params.get("database", "default")
        with lock:
            try:
                if database not in created:
                    sess.query(f"CREATE DATABASE IF NOT EXISTS {database}")
                    created.add(database)
                sess.query(f"USE {database}")
                result = sess.query(sql, "TabSeparated")
                out = result.bytes() if hasattr(result, "bytes") else bytes(str(result), "utf-8")
            except Exception as e:
                text = str(e).encode()
                return self.answer(404 if b"UNKNOWN_TABLE" in text else 500, text + b"\n")
        self.answer(200, out)

    def do_GET(self):
        self.run("GET")

    def do_POST(self):
        self.run("POST")


server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
