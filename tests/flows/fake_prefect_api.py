"""A stand-in for Prefect's API in tests of the reused local server: answers `/api/health` at once.

Served by the same detached launcher as the real server (`flows.local_server.SERVE`, with its
idle watch), so the tests check the launcher, the state file and the locks in a second, not
Prefect's 8-16 s start-up; tests/flows/test_local_server.py also runs the real one once.
"""

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    status = 200 if scope["path"] == "/api/health" else 404
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b"true"})
