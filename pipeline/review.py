"""The local review app: ``factpipe review OUT --serve``.

A small Flask app bound to 127.0.0.1 that reads a run's output folder on every
request and renders the report's view model (:func:`pipeline.report.build_view`)
through the same Jinja2 macros as ``report.html``.  Pages: ``/conflicts`` (open
and reopened first, then resolved), ``/facts``, ``/timelines``, ``/sources``;
each takes the filters of :func:`pipeline.report.filter_view` as query
parameters (entity, metric, status, outlet, date, q).

A decision (accept a value, a corrected value with its unit, "not the same
fact", dismiss with a note) is checked by :func:`pipeline.decisions.make_decision`
and appended to the decisions file of the corpus that ``run.json`` records,
with the reviewer's name and the UTC time; the next ``factpipe extract``
applies it.  Forms carry a per-process token and requests must name the local
host, so other web pages cannot post decisions.
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, request

from pipeline.decisions import DecisionError, default_user, load_decisions, make_decision, write_decision
from pipeline.report import build_view, environment, filter_view, load_output, pending_decisions

PAGES = {"conflicts": "Conflicts", "facts": "Facts", "timelines": "Timelines", "sources": "Sources"}
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def create_app(out_dir: str | Path, reviewer: str | None = None) -> Flask:
    """The WSGI app for the run in ``out_dir``; decisions are recorded as ``reviewer``
    (default: the OS user)."""
    out = Path(out_dir)
    who = reviewer or default_user()
    token = secrets.token_urlsafe(16)
    app = Flask("factpipe.review")
    app.config["FACTPIPE_TOKEN"] = token

    @app.before_request
    def _local_only() -> None:
        host = (request.host or "").rsplit(":", 1)[0].strip("[]")
        if host not in LOCAL_HOSTS:
            abort(403)

    def data() -> dict[str, Any]:
        try:
            return load_output(out)
        except (OSError, ValueError, KeyError) as exc:
            abort(Response(f"cannot read the run in {out}: {exc}", status=500, mimetype="text/plain"))

    def page(name: str) -> str:
        d = data()
        view = filter_view(build_view(**d), {k: request.args.get(k, "") for k in request.args})
        if name == "conflicts":  # conflicts are open, reopened or resolved (not single/agreed)
            view = dict(view, options=dict(view["options"], status=view["options"]["conflict_status"]))
        pending = pending_decisions(d)
        return environment("html").get_template("app.html.j2").render(
            v=view, page=name, title=PAGES[name], out_dir=str(out), reviewer=who, token=token,
            decisions_path=d.get("decisions_path"), pending=pending,
            message=request.args.get("msg"), error=request.args.get("error") == "1")

    @app.get("/")
    def index():
        return redirect("/conflicts")

    @app.get("/<name>")
    def listing(name: str):
        if name not in PAGES:
            abort(404)
        return page(name)

    @app.get("/conflict/<cid>")
    def one_conflict(cid: str):
        return redirect(f"/conflicts#{cid}")

    @app.post("/conflict/<cid>/decide")
    def decide(cid: str):
        if request.form.get("token") != token:
            abort(403)
        d = data()
        conflict = next((c for c in d["conflicts"] if c["conflict_id"] == cid), None)
        if conflict is None:
            return _back(f"{cid} is not a conflict of this run", error=True)
        if not d.get("decisions_path"):
            return _back("this run has no run.json, so it has no decisions file: run `factpipe extract` again", error=True)
        fact = next((f for f in d["facts"] if f["fact_id"] == conflict["fact_id"]), None)
        action = request.form.get("action") or ""
        note = (request.form.get("note") or "").strip() or None
        kw: dict[str, Any] = {}
        if action.startswith("accept:"):
            kw["accept_claim"] = action.split(":", 1)[1]
        elif action == "value":
            kw["value_text"] = request.form.get("value") or ""
            kw["force"] = request.form.get("force") == "1"
        elif action == "split":
            kw["split"] = True
        elif action == "dismiss":
            kw["dismiss"] = True
        else:
            return _back("choose what to do with the conflict", error=True)
        try:
            rec = make_decision(conflict, fact=fact, note=note, who=who,
                                previous=load_decisions(d["decisions_path"], on_error=lambda n, why: None), **kw)
            write_decision(d["decisions_path"], rec)
        except (DecisionError, ValueError, OSError) as exc:
            return _back(f"not recorded: {exc}", error=True, anchor=cid)
        what = {"accept": "accept claim " + str(rec["accept_claim"]), "value": f"value {rec['value_text']}",
                "split": "not the same fact", "dismiss": "dismissed"}[rec["action"]]
        return _back(f"Decision recorded for {cid}: {what}. Run `factpipe extract` again to apply it.",
                     anchor=cid)

    return app


def _back(message: str, error: bool = False, anchor: str | None = None):
    q = {"msg": message}
    if error:
        q["error"] = "1"
    return redirect("/conflicts?" + urlencode(q) + (f"#{anchor}" if anchor else ""), code=303)


def make_server(out_dir: str | Path, port: int = 8765, reviewer: str | None = None):
    """A werkzeug server on 127.0.0.1:``port`` (0 picks a free port); ``.port`` is the port."""
    import socket

    from werkzeug.serving import make_server as mk

    if port:  # werkzeug prints a paragraph and exits on a busy port: find out first (OSError)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    return mk("127.0.0.1", port, create_app(out_dir, reviewer), threaded=True)


class PortError(RuntimeError):
    """The app cannot listen on the port asked for (a one-line message naming --port)."""


def serve(out_dir: str | Path, port: int = 8765, reviewer: str | None = None,
          echo: Callable[[str], None] = print) -> None:
    """Serve until interrupted; prints the URL first.  Raises PortError when
    127.0.0.1:``port`` cannot be bound."""
    try:
        server = make_server(out_dir, port, reviewer)
    except OSError as exc:  # port in use, no permission ...
        why = (exc.strerror or str(exc)).rstrip(". ").lower()
        raise PortError(f"cannot listen on 127.0.0.1:{port} ({why}): choose another port with --port "
                        f"(--port 0 picks a free one)") from None
    echo(f"Factpipe review app: http://127.0.0.1:{server.port}/  (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
