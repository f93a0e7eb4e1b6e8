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
    RECOMMENDATION,
    TEXTS,
    Retagger,
    check_yaml,
    diff,
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
                    criteria=views.criteria(themes, theme_id),
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

    def theme_fields(theme) -> dict:
        """What the edit form shows of a theme: its text fields, owner and action, lists."""
        recommendation = theme.recommendation
        return {"label": theme.label, "description": theme.description,
                "owner": recommendation.owner if recommendation else "",
                "action": recommendation.action if recommendation else "",
                **{name: list(getattr(theme, name)) for name in EDITABLE}}

    def edit_page(request: Request, theme_id: str, fields: dict | None = None, preview=None,
                  problems: str = "", saved: str = "", status: int = 200,
                  version: str | None = None, changes: str = "", new: bool = False
                  ) -> HTMLResponse:
        empty = {"label": "", "description": "", "owner": "", "action": "",
                 **{name: [] for name in EDITABLE}}
        try:
            themes = run.themes()
        except ConfigProblems as broken:  # the file on disk is broken: say so, keep the form
            if fields is None:
                return page(request, "edit.html", status=422, theme_id=theme_id, label=theme_id,
                            fields=empty, preview=None, texts={},
                            problems=_problem_text(broken), saved="", changes="", new=new,
                            themes_file=run.themes_path.name,
                            version=file_version(run.themes_path))
            themes = None
        if not new and themes is not None and theme_id not in themes.ids:
            raise HTTPException(404, f"theme '{theme_id}' is not in {run.themes_path.name}")
        theme = themes.by_id()[theme_id] if themes is not None and not new else None
        shown_fields = {**empty, **(theme_fields(theme) if theme is not None else {}),
                        **(fields or {})}
        texts = run.kept.set_index("comment_id")["text"]
        shown = {} if preview is None else {
            c: str(texts.get(c, "")) for c in [*preview.gained, *preview.lost]}
        return page(request, "edit.html", status=status, theme_id=theme_id,
                    label=shown_fields["label"] or theme_id, fields=shown_fields,
                    preview=preview, texts=shown, problems=problems, saved=saved,
                    changes=changes, new=new, themes_file=run.themes_path.name,
                    version=version or file_version(run.themes_path))

    @app.get("/theme/{theme_id}/edit", response_class=HTMLResponse)
    def edit_form(request: Request, theme_id: str, saved: str = "") -> HTMLResponse:
        return edit_page(request, theme_id, saved=saved)

    @app.get("/themes/new", response_class=HTMLResponse)
    def new_theme_form(request: Request) -> HTMLResponse:
        return edit_page(request, "", new=True)

    def form_fields(form: dict) -> dict:
        """The fields a form sent (one it left out stays as it is in the file)."""
        fields: dict = {}
        for name in (*TEXTS, *RECOMMENDATION):
            if form.get(name) is not None:
                fields[name] = str(form[name])
        for name in EDITABLE:
            if form.get(name) is not None:
                fields[name] = lines_of(form[name])
        return fields

    def edit(request: Request, theme_id: str, form: dict, action: str, version: str,
             new: bool) -> Response:
        """Preview (re-tag with the edit, show its diff and what it gains and loses) or save
        (check, back up and write the themes file, under the lock and only over the file
        ``version`` names, when the form sends one)."""
        if action not in ("preview", "save"):
            raise HTTPException(400, "action must be preview or save")
        fields = form_fields(form)
        try:
            if action == "save":
                with saving:
                    if version and version != file_version(run.themes_path):
                        return edit_page(request, theme_id, fields, status=409, version=version,
                                         new=new,
                                         problems=f"{run.themes_path.name} was changed since "
                                         "you opened this form (another save); nothing was "
                                         "saved: reload the page and make your edit again")
                    text = edited_yaml(run.themes_path, theme_id, fields, new=new)
                    backup = save_themes(run.themes_path, text)
            else:
                text = edited_yaml(run.themes_path, theme_id, fields, new=new)
                result = retagger.preview(run.themes(), check_yaml(text, run.themes_path),
                                          theme_id)
        except DataError as error:
            status = 409 if new else 404
            if new:
                return edit_page(request, theme_id, fields, problems=error.message,
                                 status=status, version=version or None, new=True)
            raise HTTPException(status, error.message) from None
        except ConfigProblems as problems:
            return edit_page(request, theme_id, fields, problems=_problem_text(problems),
                             status=422, version=version or None, new=new)
        if action == "preview":
            return edit_page(request, theme_id, fields, preview=result,
                             version=version or None, new=new,
                             changes=diff(run.themes_path, text))
        saved = urlencode({"saved": backup.name})
        return RedirectResponse(f"/theme/{quote(theme_id)}/edit?{saved}", status_code=303)

    async def sent_fields(request: Request) -> dict:
        """The theme fields the form sent, by name (the recommendation's action is sent as
        ``action_text``: ``action`` is the preview/save button); a field left out of the form
        is left as it is in the file."""
        form = await request.form()
        names = {**{name: name for name in (*TEXTS, *EDITABLE)}, "owner": "owner",
                 "action": "action_text"}
        return {field: str(form[sent]) for field, sent in names.items() if sent in form}

    @app.post("/theme/{theme_id}/edit")
    async def try_edit(request: Request, theme_id: str, csrf_token: str = Form(""),
                       action: str = Form("preview"), version: str = Form("")) -> Response:
        """Preview or save an edit of one theme (see ``edit``)."""
        check_token(csrf_token)
        return edit(request, theme_id, await sent_fields(request), action, version, new=False)

    @app.post("/themes/new")
    async def add_theme(request: Request, csrf_token: str = Form(""), theme_id: str = Form(""),
                        action: str = Form("preview"), version: str = Form("")) -> Response:
        """Preview or save a new theme (see ``edit``): its id, label and what it matches."""
        check_token(csrf_token)
        form = {"label": "", **await sent_fields(request)}
        return edit(request, theme_id.strip(), form, action, version, new=True)

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
