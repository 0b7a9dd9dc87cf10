"""A webhook receiver, the partner's side of the outbound webhooks: a real HTTP server on
127.0.0.1 in a thread that checks each request as a partner's system would (the README's
verification, written again here from the README, not imported from our code), records it
and answers with the next status of `answers` (200 once they run out).

The tests start one per test; `manage.py webhook_receiver` runs one for the demo
(`make run`), printing each event and appending it to a JSON-lines file."""

import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300
logger = logging.getLogger("webhook_receiver")


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """The README's snippet: `t=<ts>,v1=<hex>`; HMAC-SHA256 of "<ts>." + body; the timestamp
    within five minutes of now."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        signature = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature)


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.headers["X-Prichal-Event"]


class Receiver:
    def __init__(self, secret: str = "", *, port: int = 0, log_file: str | None = None):
        self.secret = secret
        self.log_file = log_file
        self.answers: list[int] = []
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                verified = verify(receiver.secret, headers.get("X-Prichal-Signature", ""), body)
                receiver.record(Received(headers, body, verified))
                status = receiver.answers.pop(0) if receiver.answers else 200
                answer = b'{"ok": true}' if status < 300 else b"receiver failed " * 100
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/prichal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, item: Received) -> None:
        self.received.append(item)
        if not self.log_file:
            return
        logger.info(
            "%s %s: signature %s",
            item.event,
            item.headers.get("X-Prichal-Delivery", ""),
            "verified" if item.verified else "INVALID",
        )
        line = {
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "event": item.event,
            "signature_verified": item.verified,
            "body": json.loads(item.body or b"null"),
        }
        with open(self.log_file, "a", encoding="utf-8") as log:
            log.write(json.dumps(line, ensure_ascii=False) + "\n")

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [item.event for item in self.received]
