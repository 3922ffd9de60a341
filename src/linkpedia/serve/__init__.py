"""linkpedia over HTTP: a JSON/NIF API, a GERBIL endpoint and a web reader.

Needs the ``serve`` extra (``pip install 'linkpedia[serve]'``). ``create_app``
returns the ASGI app for one KB, to mount or test; ``serve`` runs it on uvicorn,
one process or several (see docs/server.md).

    >>> from linkpedia.serve import serve
    >>> serve(Path("sample-kb"), port=8000, workers=2)   # doctest: +SKIP
"""

from .app import create_app
from .limits import Limits
from .run import app_from_env, serve

__all__ = ["create_app", "serve", "app_from_env", "Limits"]
