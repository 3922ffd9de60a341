"""Run the app on uvicorn: one process, or several sharing one KB.

With ``workers > 1`` uvicorn starts fresh processes that import the app by
name, so the KB path and the limits travel in environment variables and each
worker builds its app with ``app_from_env``. Every worker opens the KB
read-only; the index is mmap'd, so the workers share one copy of its pages in
the OS page cache instead of loading one each.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import logging
import logging.config
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from .app import create_app
from .balance import LOOP
from .limits import Limits

__all__ = ["serve", "app_from_env", "ENV_KB", "ENV_LIMITS"]

ENV_KB = "LINKPEDIA_SERVE_KB"
ENV_LIMITS = "LINKPEDIA_SERVE_LIMITS"

log = logging.getLogger("linkpedia.serve")

_DEFAULTS = Limits()


def app_from_env() -> FastAPI:
    """The app for a uvicorn worker process (``uvicorn --factory linkpedia.serve.run:app_from_env``)."""
    kb_dir = os.environ.get(ENV_KB)
    if not kb_dir:
        raise RuntimeError(f"{ENV_KB} is not set; start the server with `linkpedia serve --kb KB_DIR`")
    return create_app(Path(kb_dir), **json.loads(os.environ.get(ENV_LIMITS) or "{}"))


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging setup, plus the ``linkpedia`` logger on the same stderr handler."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["linkpedia"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


def serve(
    kb_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    max_text_chars: int = _DEFAULTS.max_text_chars,
    max_body_bytes: int = _DEFAULTS.max_body_bytes,
    timeout_s: float = _DEFAULTS.timeout_s,
    log_level: str = "info",
    mode: str = _DEFAULTS.mode,
    inlink_cap: int | None = None,
) -> None:
    """Serve the KB at ``kb_dir`` over HTTP until interrupted.

    Binds to loopback unless ``host`` says otherwise. A missing KB raises
    ``KBNotFoundError`` before anything listens.
    """
    import uvicorn

    limits = Limits(max_body_bytes=max_body_bytes, max_text_chars=max_text_chars, timeout_s=timeout_s, mode=mode,
                    inlink_cap=inlink_cap)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    config = log_config(log_level)
    logging.config.dictConfig(config)
    if not _is_loopback(host):
        log.warning("listening on %s: anyone who can reach this machine can use the server", host)
    common: dict[str, Any] = dict(host=host, port=port, log_config=config, log_level=log_level,
                                  server_header=False, timeout_graceful_shutdown=5)
    if workers == 1:
        uvicorn.run(create_app(kb_dir, **asdict(limits)), **common)
        return
    create_app(kb_dir, **asdict(limits))  # fail here, once, if the KB cannot be opened
    os.environ[ENV_KB] = str(Path(kb_dir).resolve())
    os.environ[ENV_LIMITS] = json.dumps(asdict(limits))
    log.info("starting %d workers", workers)
    # LOOP: the workers share the listening socket's connections evenly (serve/balance.py).
    uvicorn.run("linkpedia.serve.run:app_from_env", factory=True, workers=workers, loop=LOOP, **common)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
