"""Under ASGI, Django reads the whole request body before any view runs, so the GraphQL
view's "refuse an oversized upload before reading it" check comes too late there. This
middleware applies the same rule (same 413 answer) from the headers, before the body."""
from __future__ import annotations

import json

from booking_graph.views import oversized_multipart_length, oversized_upload_body


class MultipartSizeLimit:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or ())
            length = oversized_multipart_length(
                headers.get(b"content-type", b"").decode("latin1").lower(),
                headers.get(b"content-length", b"").decode("latin1") or None,
            )
            if length is not None:
                body = json.dumps(oversized_upload_body(length)).encode()
                await send({
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")],
                })
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
