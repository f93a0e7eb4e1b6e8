"""Start the review server with uvicorn on 127.0.0.1 (by default): check the port first, so a
second server gets a clear error instead of a traceback. Bound to any other host, the server
answers only requests naming that host (never ``localhost``: anyone on the network can send
``Host: localhost``) and carrying the access token it prints in its address."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
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


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine's loopback only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hosts_for(host: str) -> tuple[str, ...]:
    """The Host headers the app answers when bound to ``host``: loopback names for a loopback
    bind; else the host itself, and for a wildcard bind (0.0.0.0, ::) this machine's names
    and addresses, never ``localhost``."""
    from pipeline.review.app import LOCAL_HOSTS

    if is_loopback(host):
        return tuple(dict.fromkeys([*LOCAL_HOSTS, host]))
    if host not in ("0.0.0.0", "::"):
        return (host,)
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        names |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    return tuple(sorted(n for n in names if n and not is_loopback(n)))


def serve(run_folder: str | Path, *, port: int, reviewer: str, host: str = "127.0.0.1",
          open_browser: bool = True, themes_path: str | Path | None = None,
          announce=print) -> None:
    """Serve the review app for ``run_folder`` until interrupted."""
    import uvicorn

    from pipeline.review.app import create_app

    access = None if is_loopback(host) else secrets.token_urlsafe(24)
    app = create_app(run_folder, reviewer, themes_path=themes_path,
                     allowed_hosts=hosts_for(host), access_token=access)
    check_port(host, port)
    # score the run's sentences while the reviewer reads the index: the first theme page's
    # near misses then need no wait for the embedder
    threading.Thread(target=app.state.retagger.semantic_scores, args=(app.state.run.themes(),),
                     daemon=True).start()
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host  # a name it answers
    url = f"http://{shown if ':' not in shown else f'[{shown}]'}:{port}/" + (
        f"?token={access}" if access else "")
    announce(f"Reviewing {run_folder} at {url} (Ctrl+C to stop)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
