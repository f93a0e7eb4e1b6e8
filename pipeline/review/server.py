"""Start the review server with uvicorn on 127.0.0.1 (by default): check the port first, so a
second server gets a clear error instead of a traceback."""

from __future__ import annotations

import socket
import threading
import webbrowser
from pathlib import Path

from pipeline.errors import StageError


def check_port(host: str, port: int) -> None:
    """StageError S020 when ``host:port`` cannot be listened on (another server holds it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # as uvicorn binds: a port in TIME_WAIT is free, a port with a listener is not
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StageError(f"{host}:{port} is in use or not available ({exc.strerror or exc}); "
                             "stop the other server or choose another --port", code="S020") \
                from None


def serve(run_folder: str | Path, *, port: int, reviewer: str, host: str = "127.0.0.1",
          open_browser: bool = True, themes_path: str | Path | None = None,
          announce=print) -> None:
    """Serve the review app for ``run_folder`` until interrupted."""
    import uvicorn

    from pipeline.review.app import LOCAL_HOSTS, create_app

    hosts = tuple(dict.fromkeys([*LOCAL_HOSTS, host]))
    app = create_app(run_folder, reviewer, themes_path=themes_path, allowed_hosts=hosts)
    check_port(host, port)
    # score the run's sentences while the reviewer reads the index: the first theme page's
    # near misses then need no wait for the embedder
    threading.Thread(target=app.state.retagger.semantic_scores, args=(app.state.run.themes(),),
                     daemon=True).start()
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    announce(f"Reviewing {run_folder} at {url} (Ctrl+C to stop)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
