"""A local fake of SMS.ru's sending API, for tests and development.

It answers `/sms/send` over real HTTP the way https://sms.ru/api/send documents it:
form (or query) fields `api_id`, `to` (one number or several separated by commas,
digits only), `msg`, optional `from`, `test`, `json`; with `json=1` the answer is

    {"status": "OK", "status_code": 100,
     "sms": {"79161234567": {"status": "OK", "status_code": 100, "sms_id": "000001-10000001"}},
     "balance": 999.0}

and a request-level error is `{"status": "ERROR", "status_code": 200, "status_text": "…"}`
(a recipient-level one sits in the recipient's entry the same way). Without `json=1` the
answer is SMS.ru's plain text: `100\\n<sms_id>\\nbalance=…` or the error code alone.

It checks the api_id (200), the recipients (202: digits only, 11–15 of them — stricter
than SMS.ru, which also takes `+7…`), the text (203 when empty, 212 when not UTF-8,
205 when longer than 8 SMS segments) and the balance (201; each segment costs 1.00).

Failure modes for tests, each used by the next request(s):
- `fail_next(status_code=201, where=None, times=1)`: an SMS.ru error code, at the
  request level or in the recipient's entry (`where="top"|"recipient"`, by default
  where SMS.ru puts that code);
- `fail_next(http_status=503)`: an HTTP error with an HTML page;
- `drop_next()`: read the request, then close the connection without an answer;
- `delay_next(seconds)`: answer normally, but late.

`requests` lists every request received (with its `outcome`); `messages` lists the
messages accepted (the form fields plus `sms_id`).

    fake = FakeSmsRu(api_id="test").start()
    ... SmsRuBackend(api_id="test", api_url=fake.url) ...
    fake.stop()

Run it by hand with `python -m devservers.smsru --port 8002` and point
`SMSRU_API_URL` at `http://127.0.0.1:8002/sms/send`.
"""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("fake_smsru")

STATUS_TEXT = {
    200: "Неправильный api_id",
    201: "Не хватает средств на лицевом счету",
    202: "Неправильно указан номер телефона получателя, либо на него нет маршрута",
    203: "Нет текста сообщения",
    205: "Сообщение слишком длинное (превышает 8 СМС)",
    206: "Будет превышен или уже превышен дневной лимит на отправку сообщений",
    207: "На этот номер нет маршрута для доставки сообщений",
    209: "Вы добавили этот номер (или один из номеров) в стоп-лист",
    211: "Метод не найден",
    212: "Текст сообщения необходимо передать в кодировке UTF-8",
    220: "Сервис временно недоступен, попробуйте чуть позже",
    230: "Превышен общий лимит количества сообщений на этот номер в день",
    231: "Превышен лимит одинаковых сообщений на этот номер в минуту",
    232: "Превышен лимит одинаковых сообщений на этот номер в день",
    500: "Ошибка на сервере. Повторите запрос",
}
# Codes that concern one recipient and so sit in its entry of the answer.
RECIPIENT_CODES = {202, 207, 209, 214, 215, 230, 231, 232}
MAX_SEGMENTS = 8
# GSM 03.38 basic character set (a message of these alone is sent in 7-bit segments).
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def segments(text: str) -> int:
    """How many SMS a text takes: 160/153 characters (GSM 7-bit) or 70/67 (UCS-2)."""
    single, multi = (160, 153) if set(text) <= GSM7 else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)


class FakeSmsRu:
    def __init__(self, *, host="127.0.0.1", port=0, api_id="test", balance=1000.0):
        self.api_id = api_id
        self.balance = float(balance)
        self.requests: list[dict] = []
        self.messages: list[dict] = []
        self._actions: list[tuple] = []
        self._counter = 0
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self.httpd.daemon_threads = True
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        self.url = f"{self.base_url}/sms/send"
        self._thread = None

    # --- failure modes -------------------------------------------------------------
    def fail_next(
        self,
        status_code: int | None = None,
        *,
        http_status: int | None = None,
        where: str | None = None,
        times: int = 1,
    ) -> "FakeSmsRu":
        if (status_code is None) == (http_status is None):
            raise ValueError("give either status_code or http_status")
        if http_status is not None:
            action = ("http", http_status)
        else:
            where = where or ("recipient" if status_code in RECIPIENT_CODES else "top")
            if where not in ("top", "recipient"):
                raise ValueError("where is 'top' or 'recipient'")
            action = ("error", status_code, where)
        with self._lock:
            self._actions.extend([action] * times)
        return self

    def drop_next(self, times: int = 1) -> "FakeSmsRu":
        with self._lock:
            self._actions.extend([("drop",)] * times)
        return self

    def delay_next(self, seconds: float, times: int = 1) -> "FakeSmsRu":
        with self._lock:
            self._actions.extend([("delay", seconds)] * times)
        return self

    def reset(self) -> None:
        with self._lock:
            self._actions.clear()
            self.requests.clear()
            self.messages.clear()

    # --- the API -------------------------------------------------------------------
    def handle(self, path: str, fields: dict | None, method: str):
        """The answer to one request: `("drop",)`, `("http", status, html)` or
        `("answer", delay, json_wanted, data)`."""
        with self._lock:
            action = self._actions.pop(0) if self._actions else None
            record = {"method": method, "path": path, "fields": dict(fields or {})}
            self.requests.append(record)
            if action and action[0] == "drop":
                record["outcome"] = "dropped"
                return ("drop",)
            if action and action[0] == "http":
                record["outcome"] = f"http {action[1]}"
                return ("http", action[1], f"<html><body><h1>{action[1]}</h1></body></html>")
            delay = action[1] if action and action[0] == "delay" else 0
            if fields is None:
                data = self._error(212)
            else:
                data = self._send(path, fields, action if action and action[0] == "error" else None)
            record["outcome"] = data["status_code"] if data["status"] == "ERROR" else "sent"
            if data["status"] == "OK":
                codes = [entry["status_code"] for entry in data["sms"].values()]
                if any(code != 100 for code in codes):
                    record["outcome"] = codes[0] if len(codes) == 1 else codes
            json_wanted = (fields or {}).get("json") == "1"
            return ("answer", delay, json_wanted, data)

    @staticmethod
    def _error(code: int) -> dict:
        return {
            "status": "ERROR",
            "status_code": code,
            "status_text": STATUS_TEXT.get(code, "Ошибка"),
        }

    def _send(self, path: str, fields: dict, forced: tuple | None) -> dict:
        if path != "/sms/send":
            return self._error(211)
        if fields.get("api_id") != self.api_id:
            return self._error(200)
        if forced and forced[2] == "top":
            return self._error(forced[1])
        text = fields.get("msg", "")
        if not text:
            return self._error(203)
        parts = segments(text)
        if parts > MAX_SEGMENTS:
            return self._error(205)
        recipients = [to.strip() for to in fields.get("to", "").split(",") if to.strip()]
        if not recipients:
            return self._error(202)
        valid = [to for to in recipients if to.isdigit() and 11 <= len(to) <= 15]
        if self.balance < parts * len(valid):
            return self._error(201)
        answer = {"status": "OK", "status_code": 100, "sms": {}}
        for to in recipients:
            if to not in valid:
                answer["sms"][to] = self._error(202)
            elif forced:
                answer["sms"][to] = self._error(forced[1])
            else:
                self._counter += 1
                sms_id = f"{self._counter:06d}-{10_000_000 + self._counter}"
                self.balance -= parts
                self.messages.append({**fields, "to": to, "sms_id": sms_id})
                answer["sms"][to] = {"status": "OK", "status_code": 100, "sms_id": sms_id}
        answer["balance"] = round(self.balance, 2)
        return answer

    # --- the server ----------------------------------------------------------------
    def start(self) -> "FakeSmsRu":
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _plain(data: dict) -> str:
    """SMS.ru's answer without `json=1`."""
    if data["status"] != "OK":
        return str(data["status_code"])
    lines = ["100"]
    for entry in data["sms"].values():
        lines.append(entry["sms_id"] if entry["status"] == "OK" else str(entry["status_code"]))
    lines.append(f"balance={data['balance']:.2f}")
    return "\n".join(lines)


def _make_handler(fake: FakeSmsRu):
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeSmsRu/1"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            # The query string may carry an api_id: log the path only.
            logger.debug("%s %s", self.command, urlsplit(self.path).path)

        def _fields(self, raw: bytes) -> dict | None:
            """Query and form fields (the first value of each), or None when not UTF-8."""
            query = urlsplit(self.path).query
            try:
                fields = parse_qs(query, encoding="utf-8", errors="strict")
                if raw:
                    body = raw.decode("utf-8")
                    fields.update(parse_qs(body, encoding="utf-8", errors="strict"))
            except UnicodeDecodeError:
                return None
            return {name: values[0] for name, values in fields.items()}

        def _reply(self, status: int, body: str, content_type: str):
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (a delayed answer after its timeout)
                self.close_connection = True

        def _handle(self):
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > 1_000_000:
                self.close_connection = True
                return self._reply(400, "bad request", "text/plain")
            raw = self.rfile.read(length) if length else b""
            outcome = fake.handle(urlsplit(self.path).path, self._fields(raw), self.command)
            if outcome[0] == "drop":
                self.close_connection = True
                return None
            if outcome[0] == "http":
                self.close_connection = True
                return self._reply(outcome[1], outcome[2], "text/html")
            _, delay, json_wanted, data = outcome
            if delay:
                time.sleep(delay)
            if json_wanted:
                return self._reply(200, json.dumps(data, ensure_ascii=False), "application/json")
            return self._reply(200, _plain(data), "text/plain")

        do_GET = _handle
        do_POST = _handle

    return Handler


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="A local fake of SMS.ru's sending API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--api-id", default="test")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    server = FakeSmsRu(host=args.host, port=args.port, api_id=args.api_id)
    print(f"Fake SMS.ru on {server.url} (api_id {args.api_id!r})")
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
