"""The dev stack's web server: the reference portal in web/, its config, demo tokens, status.

Dev-only by design: `POST /dev/token` mints a token for any role and subject, which is
exactly what a demo needs and exactly what no service may ever offer.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from zll.platform.auth import ROLES, mint_token
from zll.platform.settings import Settings
from zll.status import read_status

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"


def create_app(services: dict[str, str], root: Path = WEB_ROOT) -> Starlette:
    async def config_js(request: Request) -> Response:
        body = f"export default {json.dumps({'services': services})};\n"
        return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-store"})

    async def dev_token(request: Request) -> JSONResponse:
        try:
            asked: Any = await request.json()
            role, sub = str(asked["role"]), str(asked["sub"])
        except (ValueError, KeyError, TypeError):
            return _problem(422, "Send {role, sub}.", "body")
        if role not in ROLES:
            return _problem(422, f"role must be one of {', '.join(ROLES)}", "role")
        if not 1 <= len(sub) <= 128 or any(c.isspace() for c in sub):
            return _problem(422, "sub: 1–128 characters, no spaces", "sub")
        token = mint_token(Settings(), role=role, sub=sub, ttl=timedelta(hours=8))  # type: ignore[arg-type]
        return JSONResponse({"token": token, "role": role, "sub": sub})

    async def status_json(request: Request) -> JSONResponse:
        statuses = await run_in_threadpool(read_status, services)
        return JSONResponse(
            [asdict(s) | {"error_rate": s.error_rate} for s in statuses],
            headers={"Cache-Control": "no-store"},
        )

    return Starlette(
        routes=[
            Route("/config.js", config_js),
            Route("/dev/token", dev_token, methods=["POST"]),
            Route("/status.json", status_json),
            Mount("/", StaticFiles(directory=root, html=True)),
        ]
    )


def _problem(status: int, message: str, field: str) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": "Invalid request",
        "status": status,
        "errors": [{"field": field, "message": message}],
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the ZLL reference portal (dev only).")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--services", required=True, help='JSON: {"catalog": "http://…", …}')
    args = parser.parse_args()
    app = create_app(json.loads(args.services))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
