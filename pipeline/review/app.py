"""The review server: a FastAPI app over one finished run folder.

Routes: ``GET /`` (themes, candidates, theme x group), ``GET /theme/{id}`` (its comments with
the tagging sentence highlighted, filters, near misses), ``POST /decide`` (accept, reject,
add, unusable_quote: appended at once to the round's decisions file in the project,
see ``pipeline.decisions``), ``GET /decisions``,
``GET /theme/{id}/edit`` + ``POST /theme/{id}/edit`` (try an edit: preview or save), ``GET
/export.csv`` (the coded export) and ``GET /static/{name}`` (this package's own CSS and JS,
by name from a fixed list: no route serves any other file).

Safety: Jinja2 autoescaping; every POST carries the app's CSRF token (a random value made at
start-up, compared in constant time); only the hosts given (127.0.0.1 and localhost by default)
are answered, which stops DNS-rebinding pages from reaching the server; with an ``access_token``
(``serve`` makes one when bound to any host but loopback) every request must carry it, once
in the URL (``?token=``, then kept in a same-site cookie); every response forbids framing
(``X-Frame-Options: DENY``, ``Content-Security-Policy: frame-ancestors 'none'``); redirects go
to local paths only. Theme edits are saved one at a time (a lock), and only over the file the
editor loaded (the form carries its SHA-256, ``version``): a save over a file changed since is
refused with a message (409), never silently lost. The pages work as plain HTML forms; ``review.js`` (ours, a few lines) only saves
decisions without a page reload.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pipeline import decisions as decisions_module
from pipeline.errors import ConfigProblems, DataError, ThemingError
from pipeline.review import views
from pipeline.review.export import coded_table
from pipeline.review.retag import (
    EDITABLE,
    Retagger,
    check_yaml,
    edited_yaml,
    lines_of,
    save_themes,
)
from pipeline.review.run_data import RunData

STATIC = {"review.css": "text/css", "review.js": "text/javascript"}
NEAR_MISSES = 15  # rows in a theme page's near-miss table (a display choice, not a setting)
LOCAL_HOSTS = ("127.0.0.1", "localhost")
TOKEN_COOKIE = "review_token"
FRAMING = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


def _package_file(name: str) -> str:
    return resources.files("pipeline.review").joinpath(name).read_text(encoding="utf-8")


def _problem_text(problems: ConfigProblems) -> str:
    return f"Error [{problems.code}]: {problems.message}"


def file_version(path: Path) -> str:
    """The SHA-256 of a file's bytes ("" when it cannot be read): what an editor loaded."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def create_app(run_folder: str | Path, reviewer: str, *, themes_path: str | Path | None = None,
               allowed_hosts: tuple[str, ...] = LOCAL_HOSTS,
               access_token: str | None = None) -> FastAPI:
    """The app for ``run_folder`` (D080 if it is not a finished run folder); with
    ``access_token``, a request without it (query ``token`` or the cookie) gets 403."""
    run = RunData.open(run_folder, themes_path)
    retagger = Retagger(run)
    token = secrets.token_urlsafe(32)
    saving = threading.Lock()  # one theme save at a time: read, check, edit, write
    templates = Jinja2Templates(env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("pipeline.review") / "templates")),
        autoescape=True))
    app = FastAPI(title="theming review", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")  # inside the Host check (middleware added later runs first)
    async def guard(request: Request, call_next) -> Response:
        """The access token (when one is set) and the no-framing headers on every answer."""
        given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE, "")
        if access_token is not None and not secrets.compare_digest(
                given.encode(), access_token.encode()):
            response = Response("this review server needs its access token: open the address "
                                "it printed (with ?token=...)", status_code=403,
                                media_type="text/plain")
        else:
            response = await call_next(request)
            if access_token is not None and request.query_params.get("token"):
                response.set_cookie(TOKEN_COOKIE, access_token, httponly=True,
                                    samesite="strict")
        response.headers.update(FRAMING)
        return response

    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.state.run = run
    app.state.csrf_token = token
    app.state.retagger = retagger

    @app.exception_handler(ThemingError)
    def theming_error(request: Request, error: ThemingError) -> HTMLResponse:
        """A problem the reviewer can fix (a broken themes file, a damaged decisions file)
        as a page that names it, not a server error."""
        return HTMLResponse(f"<!doctype html><title>Error</title><p>Error [{escape(error.code)}]"
                            f": {escape(error.message)}</p><p><a href=\"/\">Back</a></p>",
                            status_code=422)

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context |= {"run": run, "csrf_token": token, "reviewer": reviewer,
                    "summary": run.summary(), "folder": run.folder.name}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def check_token(given: str) -> None:
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(403, "missing or stale form token: reload the page and try again")

    def known_theme(theme_id: str) -> str:
        if theme_id not in {*run.manifest["themes"]["ids"], *run.themes().ids}:
            raise HTTPException(404, f"no theme '{theme_id}' in this run or its theme config")
        return theme_id

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        themes = run.themes()
        decisions = decisions_module.read_decisions(run.folder)
        rows, by_group = views.index_rows(run, themes, decisions)
        return page(request, "index.html", rows=rows, by_group=by_group,
                    candidates=run.candidates.to_dict("records"), decisions=len(decisions),
                    orphaned=len(decisions_module.orphaned_decisions(run.folder)),
                    decisions_file=decisions_module.decisions_path(run.folder),
                    respondents=max(run.kept["respondent_id"].nunique(), 1))

    @app.get("/theme/{theme_id}", response_class=HTMLResponse)
    def theme_page(request: Request, theme_id: str, sort: str = "score_desc", layer: str = "",
                   group: str = "", stance: str = "") -> HTMLResponse:
        known_theme(theme_id)
        if sort not in views.SORTS:
            raise HTTPException(400, f"sort must be one of {', '.join(views.SORTS)}")
        themes = run.themes()
        decisions = decisions_module.read_decisions(run.folder)
        rows = views.theme_rows(run, theme_id, decisions, sort=sort, layer=layer, group=group,
                                stance=stance)
        misses = retagger.near_misses(themes, theme_id, NEAR_MISSES).to_dict("records")
        label = themes.by_id()[theme_id].label if theme_id in themes.ids else theme_id
        query = urlencode({k: v for k, v in (("sort", sort), ("layer", layer), ("group", group),
                                             ("stance", stance)) if v})
        return page(request, "theme.html", theme_id=theme_id, label=label, rows=rows,
                    misses=misses, sort=sort, layer=layer, group=group, stance=stance,
                    here=f"/theme/{quote(theme_id)}" + (f"?{query}" if query else ""),
                    groups=sorted(set(run.kept["group"])), layers=sorted(set(run.tags["method"])),
                    theme_ids=[t for t in themes.ids if t != theme_id],
                    semantic=run.pipeline.tag.semantic)

    @app.post("/decide")
    def decide(request: Request, csrf_token: str = Form(""), comment_id: str = Form(...),
               theme: str = Form(...), decision: str = Form(...),
               next_page: str = Form("/", alias="next")) -> Response:
        check_token(csrf_token)
        known_theme(theme)
        if comment_id not in set(run.kept["comment_id"]):
            raise HTTPException(404, f"no kept comment '{comment_id}' in this run")
        try:
            made = decisions_module.append_decision(run.folder, reviewer, comment_id, theme,
                                                    decision)
        except DataError as error:
            raise HTTPException(400, error.message) from None
        if request.headers.get("x-requested-with") == "review.js":
            return Response(made.decision, media_type="text/plain")
        local = next_page if next_page.startswith("/") and not next_page.startswith("//") else "/"
        return RedirectResponse(local, status_code=303)

    @app.get("/decisions", response_class=HTMLResponse)
    def decisions_page(request: Request) -> HTMLResponse:
        return page(request, "decisions.html",
                    decisions=list(reversed(decisions_module.read_decisions(run.folder))),
                    orphaned=decisions_module.orphaned_decisions(run.folder),
                    decisions_file=decisions_module.decisions_path(run.folder))

    def edit_page(request: Request, theme_id: str, fields: dict[str, list[str]] | None = None,
                  preview=None, problems: str = "", saved: str = "",
                  status: int = 200, version: str | None = None) -> HTMLResponse:
        try:
            themes = run.themes()
        except ConfigProblems as broken:  # the file on disk is broken: say so, keep the form
            if fields is None:
                return page(request, "edit.html", status=422, theme_id=theme_id, label=theme_id,
                            fields={"keywords": [], "examples": [], "not_examples": [],
                                    "exclude": []},
                            preview=None, texts={}, problems=_problem_text(broken), saved="",
                            themes_file=run.themes_path.name,
                            version=file_version(run.themes_path))
            themes = None
        if themes is not None and theme_id not in themes.ids:
            raise HTTPException(404, f"theme '{theme_id}' is not in {run.themes_path.name}")
        theme = themes.by_id()[theme_id] if themes is not None else None
        fields = fields or {name: list(getattr(theme, name)) for name in EDITABLE}
        texts = run.kept.set_index("comment_id")["text"]
        shown = {} if preview is None else {
            c: str(texts.get(c, "")) for c in [*preview.gained, *preview.lost]}
        return page(request, "edit.html", status=status, theme_id=theme_id,
                    label=theme.label if theme is not None else theme_id,
                    fields=fields, preview=preview, texts=shown, problems=problems,
                    saved=saved, themes_file=run.themes_path.name,
                    version=version or file_version(run.themes_path))

    @app.get("/theme/{theme_id}/edit", response_class=HTMLResponse)
    def edit_form(request: Request, theme_id: str, saved: str = "") -> HTMLResponse:
        return edit_page(request, theme_id, saved=saved)

    def edited(theme_id: str, keywords: str, examples: str, not_examples: str,
               exclude: str) -> tuple[dict, str]:
        fields = {"keywords": lines_of(keywords), "examples": lines_of(examples),
                  "not_examples": lines_of(not_examples), "exclude": lines_of(exclude)}
        try:
            return fields, edited_yaml(run.themes_path, theme_id, fields)
        except DataError as error:
            raise HTTPException(404, error.message) from None

    @app.post("/theme/{theme_id}/edit")
    def try_edit(request: Request, theme_id: str, csrf_token: str = Form(""),
                 keywords: str = Form(""), examples: str = Form(""),
                 not_examples: str = Form(""), exclude: str = Form(""),
                 action: str = Form("preview"), version: str = Form("")) -> Response:
        """``action`` preview: re-tag with the edit and show what it gains and loses; save:
        check, back up and write the themes file, under the lock and only over the file
        ``version`` names (when the form sends one)."""
        check_token(csrf_token)
        if action not in ("preview", "save"):
            raise HTTPException(400, "action must be preview or save")
        try:
            if action == "save":
                with saving:
                    if version and version != file_version(run.themes_path):
                        fields = {"keywords": lines_of(keywords), "examples": lines_of(examples),
                                  "not_examples": lines_of(not_examples),
                                  "exclude": lines_of(exclude)}
                        return edit_page(request, theme_id, fields, status=409, version=version,
                                         problems=f"{run.themes_path.name} was changed since "
                                         "you opened this form (another save); nothing was "
                                         "saved: reload the page and make your edit again")
                    fields, text = edited(theme_id, keywords, examples, not_examples, exclude)
                    backup = save_themes(run.themes_path, text)
            else:
                fields, text = edited(theme_id, keywords, examples, not_examples, exclude)
                result = retagger.preview(run.themes(), check_yaml(text, run.themes_path),
                                          theme_id)
        except ConfigProblems as problems:
            return edit_page(request, theme_id, fields, problems=_problem_text(problems),
                             status=422, version=version or None)
        if action == "preview":
            return edit_page(request, theme_id, fields, preview=result, version=version or None)
        saved = urlencode({"saved": backup.name})
        return RedirectResponse(f"/theme/{quote(theme_id)}/edit?{saved}", status_code=303)

    @app.get("/export.csv")
    def export() -> Response:
        from pipeline.io.writers import safe_frame

        table = safe_frame(coded_table(run))
        return Response(table.to_csv(index=False, lineterminator="\n"), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="coded.csv"'})

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "no such file")
        return Response(_package_file(name), media_type=STATIC[name])

    return app
