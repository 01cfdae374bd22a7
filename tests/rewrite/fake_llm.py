"""A local fake HTTP server speaking the Gemini and OpenAI chat APIs (never the network).

``script`` is a list of behaviours consumed one per request (the last one repeats): a reply
text, or one of ``"429"``, ``"500"``, ``"slow"``, ``"garbage"``, ``"wrongshape"``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    def __init__(self, script: list[str], api: str = "openai", delay: float = 2.0) -> None:
        self.script, self.api, self.delay = list(script), api, delay
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                    step = fake.script.pop(0) if len(fake.script) > 1 else fake.script[0]
                fake.respond(self, step, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}" + ("/v1beta" if self.api == "gemini" else "/v1")

    def respond(self, h: BaseHTTPRequestHandler, step: str, body: dict) -> None:
        if step in ("429", "500", "503"):
            payload = b'{"error": {"message": "nope"}}'
            h.send_response(int(step))
            if step == "429":
                h.send_header("Retry-After", "0")
        elif step == "slow":
            time.sleep(self.delay)
            payload = self.reply("too late")
            h.send_response(200)
        elif step == "garbage":
            payload = b"<html>definitely not json"
            h.send_response(200)
        elif step == "wrongshape":
            payload = b'{"unexpected": [1, 2, 3]}'
            h.send_response(200)
        else:
            payload = self.reply(step)
            h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        try:
            h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def reply(self, text: str) -> bytes:
        if self.api == "gemini":
            data = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                                    "finishReason": "STOP"}]}
        else:
            data = {"id": "x", "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}]}
        return json.dumps(data).encode()

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
