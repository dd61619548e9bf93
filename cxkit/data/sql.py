"""SQL sources: a table or a query from DuckDB or PostgreSQL -> a typed :class:`RawTable`.

URLs are SQLAlchemy URLs, for example ``duckdb:///data/cx.duckdb`` (relative path; four
slashes for an absolute one) or ``postgresql+psycopg://cx:${CX_DB_PASSWORD}@db:5432/cx``.
``${NAME}`` is replaced by the environment variable ``NAME`` so that passwords live in the
environment, not in the catalog. Every message, note and ``RawTable.source`` shows the URL
with its password replaced by ``***`` (see :func:`mask_url`).

User values never enter SQL text: query parameters are bound (``:name`` in the query,
``params={"name": value}``), and table, schema and column names are quoted by SQLAlchemy
after they have been matched against what the database lists.

Reading never writes, and a query reaches nothing but the database (:func:`check_query`):

- a ``query`` must be one SELECT (or ``WITH … SELECT``, ``VALUES``, DuckDB's ``FROM …``)
  statement: a second statement after ``;``, a word that writes (``INSERT``, ``COPY``,
  ``ATTACH``, ``INSTALL``, ``LOAD``, ``PRAGMA``, ``CALL``, ``SELECT … INTO`` …) and a function
  that reads files or URLs (``read_csv('/etc/passwd')``, ``FROM 'file.csv'``,
  ``pg_read_file``, ``dblink`` …) are refused before anything is sent: a file is a catalog
  source of its own (``path:``), under the catalog's path rules;
- DuckDB files are opened read-only and every DuckDB connection (``:memory:`` too) with
  ``enable_external_access = false``, locked, so the database itself refuses to touch a file
  or the network; SQLite files are opened read-only (``mode=ro``); PostgreSQL sessions are
  ``READ ONLY`` (``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``), so a function
  that writes fails too. Give cxkit a database user that may only read, as well.

Values passed in ``secrets`` (the catalog passes those it took from ``${NAME}`` variables),
the URL's password and password-like URL query values are replaced by ``***`` in every
message.

Examples
--------
>>> mask_url("postgresql+psycopg://cx:s3cret@db.example.com:5432/cx")
'postgresql+psycopg://cx:***@db.example.com:5432/cx'
>>> raw = read_sql("duckdb:///:memory:", query="SELECT 9 AS nps, 'Blåbær' AS comment WHERE 9 > :low",
...                params={"low": 6})
>>> raw.frame
   nps comment
0    9  Blåbær
>>> raw.source, raw.lines.tolist(), raw.typed
('duckdb:///:memory: query', [1], True)
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from ..errors import SchemaError, SourceError
from .formats import RawTable

__all__ = ["read_sql", "mask_url", "check_query"]

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# scheme://USERINFO@...: the userinfo ends at the last "@" before the path, query or fragment
_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://([^/?#]*)@")
_SECRET_QUERY_KEY = re.compile(r"pass|pwd|secret|token|key", re.IGNORECASE)
_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}
_SYSTEM_DUCKDB_DATABASES = {"system", "temp"}
_CONNECT_TIMEOUT_S = 10  # libpq waits forever by default; a notebook should not hang on a dead host
_EXAMPLE_URLS = "duckdb:///path/to/file.duckdb or postgresql+psycopg://user:${PASSWORD_VARIABLE}@host:5432/database"
_INT64 = np.iinfo(np.int64)


# --------------------------------------------------------------------------- URLs


def mask_url(url: str) -> str:
    """The URL with its password (and any password-like query value) replaced by ``***``.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, possibly still containing ``${NAME}`` references.

    Returns
    -------
    str
        Safe to print, log and store.

    Examples
    --------
    >>> mask_url("postgresql+psycopg://cx:p%40ss@127.0.0.1:5432/cx?sslmode=require&password=x")
    'postgresql+psycopg://cx:***@127.0.0.1:5432/cx?sslmode=require&password=***'
    >>> mask_url("duckdb:///data/cx.duckdb")
    'duckdb:///data/cx.duckdb'
    >>> mask_url("postgresql://cx:${CX_DB_PASSWORD}@db/cx")
    'postgresql://cx:***@db/cx'
    >>> mask_url("not a url://user:secret@host")  # unparsable: masked by pattern instead
    'not a url://user:***@host'
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Greedy up to the last "@": masking too much is harmless, too little is not.
        return re.sub(r"(://[^:/@]*:).*@", r"\1***@", url)
    # SQLAlchemy percent-encodes the database and query ("duckdb:///%3Amemory%3A"); people
    # recognise their path as they wrote it, so only the part before the database is rendered.
    server = URL.create(parsed.drivername, parsed.username, parsed.password, parsed.host, parsed.port)
    shown: str = server.render_as_string(hide_password=True)
    if parsed.database:
        shown += "/" + parsed.database
    pairs = [
        (key, "***" if _SECRET_QUERY_KEY.search(key) else value)
        for key, values in parsed.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]
    if pairs:
        shown += "?" + "&".join(f"{key}={value}" for key, value in pairs)
    return shown


def _expand_environment(url: str) -> tuple[str, list[str]]:
    """Replace ``${NAME}`` with environment values; return the URL and the names used.

    A value inside the user:password part is percent-encoded, so a password containing
    ``@``, ``:`` or ``/`` works as stored; SQLAlchemy decodes it again.
    """
    names = list(dict.fromkeys(_ENV_REFERENCE.findall(url)))
    missing = [name for name in names if name not in os.environ]
    if missing:
        listed = ", ".join(missing)
        raise SourceError(
            f"{mask_url(url)}: the URL refers to environment variable(s) {listed}, which are not set. "
            f"Set them in the environment that starts Python or Jupyter (e.g. `export {missing[0]}=...` "
            "in the shell, or your secrets manager) and restart the kernel; keep secrets out of the catalog."
        )
    userinfo = _USERINFO.match(url)
    start, end = (userinfo.start(1), userinfo.end(1)) if userinfo else (0, 0)

    def value(match: re.Match[str]) -> str:
        text = os.environ[match.group(1)]
        return quote(text, safe="") if start <= match.start() < end else text

    return _ENV_REFERENCE.sub(value, url), names


class _Scrubber:
    """Removes secrets from text that came from a driver or the database: the URL's password,
    its password-like query values (as :func:`mask_url` hides them) and ``extra`` values."""

    def __init__(self, url: URL, extra: Sequence[str] = ()):
        values = [url.password or ""]
        values += [v for key, v in url.query.items() if isinstance(v, str) and _SECRET_QUERY_KEY.search(key)]
        values += list(extra)
        # Replacing a one- or two-letter value would garble every message (and such a
        # password protects nothing); anything longer is removed wherever it appears, also
        # as it is written in a URL and inside a Python repr.
        forms = {form for v in values if len(v) >= 3 for form in (v, quote(v, safe=""), repr(v)[1:-1])}
        self.secrets = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _database_message(exc: BaseException, scrub: _Scrubber) -> str:
    """The database's own words, without SQLAlchemy's SQL dump and background link."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(original).strip() or type(original).__name__
    text = text.split("\n(Background on this error", 1)[0]
    return scrub(text[:1500])


def _error(head: str, exc: BaseException, scrub: _Scrubber) -> SourceError:
    """``head`` (what failed and how to fix it), then the database's message, indented."""
    said = _database_message(exc, scrub).replace("\n", "\n    ")
    return SourceError(f"{head}\n  the database said: {said}")


# --------------------------------------------------------------------------- read-only queries

# Words that write, change the session or reach outside the database. A single SELECT can hold
# some of them (WITH d AS (DELETE ...), SELECT ... INTO t, FOR UPDATE, MySQL's INTO OUTFILE);
# the others start statements of their own, refused here with a message that names them.
_WRITING_WORDS = frozenset(
    """insert update delete merge upsert into drop create alter truncate rename grant revoke
    copy attach detach install load pragma call export import vacuum checkpoint commit rollback""".split()
)
# Functions that read (or write) files or URLs, or run SQL given as text: DuckDB's file
# readers and scanners of other databases, PostgreSQL's server-file and dblink functions,
# SQLite's extension loader. Reading a file from a query would pass by the catalog's path rules.
_FILE_FUNCTIONS = frozenset(
    """read_csv read_csv_auto read_parquet parquet_scan parquet_metadata parquet_schema
    parquet_file_metadata parquet_kv_metadata read_json read_json_auto read_json_objects
    read_json_objects_auto read_ndjson read_ndjson_auto read_ndjson_objects read_text read_blob
    read_xlsx read_avro sniff_csv glob st_read sqlite_scan sqlite_attach postgres_scan
    postgres_scan_pushdown postgres_attach postgres_query postgres_execute mysql_scan mysql_query
    iceberg_scan iceberg_metadata iceberg_snapshots delta_scan query query_table pg_read_file
    pg_read_binary_file pg_ls_dir pg_stat_file pg_ls_logdir pg_ls_waldir pg_ls_tmpdir
    pg_file_write lo_import lo_export dblink dblink_exec dblink_connect load_extension readfile
    writefile""".split()
)
_READING_STARTS = frozenset({"select", "with", "values", "table", "from"})
_TOKEN = re.compile(
    r"""(?P<space>\s+)
    | (?P<comment>--[^\n]*)
    | (?P<block>/\*)
    | (?P<string>[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*')
    | (?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$)
    | (?P<name>"(?:[^"]|"")*"|`[^`]*`)
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<open>['"`])
    | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(query: str) -> list[tuple[str, str]]:
    """``(kind, text)`` of the query's tokens without spaces and comments: ``word``,
    ``string``, ``name`` (quoted), ``other`` (one character). Raises ValueError for an
    unterminated quote or comment.

    Hand-written (no SQL parser is a dependency): it only has to tell words from the insides of
    strings, quoted names and comments, in the dialects cxkit reads (PostgreSQL's E'' and
    dollar quotes, nested block comments; DuckDB and SQLite are subsets)."""
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(query):
        match = cast(re.Match[str], _TOKEN.match(query, at))  # "other" matches any character
        kind, text, at = cast(str, match.lastgroup), match.group(), match.end()
        if kind == "block":
            depth = 1
            while depth:
                ends = [i for i in (query.find("/*", at), query.find("*/", at)) if i >= 0]
                if not ends:
                    raise ValueError("a /* comment is not closed")
                nearest = min(ends)
                depth += 1 if query.startswith("/*", nearest) else -1
                at = nearest + 2
        elif kind == "dollar":
            end = query.find(text, at)
            if end < 0:
                raise ValueError(f"a {text} quoted string is not closed")
            tokens.append(("string", query[match.start() : end + len(text)]))
            at = end + len(text)
        elif kind == "open":
            raise ValueError(f"a {text} quote is not closed")
        elif kind not in ("space", "comment"):
            tokens.append((kind, text))
    return tokens


def check_query(query: str, where: str = "query") -> None:
    """Refuse a query that is not one reading statement (see the module docs).

    Parameters
    ----------
    query : str
        The SQL, with ``:name`` placeholders.
    where : str
        What to name in the message (the masked URL and ``query``).

    Raises
    ------
    SourceError
        Naming what was refused and the fix.

    Examples
    --------
    >>> check_query("WITH m AS (SELECT * FROM feedback) SELECT nps, \\"update\\" FROM m WHERE c = 'x; DROP'")
    >>> check_query("COPY (SELECT 1) TO 'x.csv'; SELECT 1", "duckdb:///cx.duckdb query")
    Traceback (most recent call last):
    ...
    cxkit.errors.SourceError: duckdb:///cx.duckdb query: refused: it holds more than one statement (a second one after ';'). cxkit only reads: write one SELECT (or WITH ... SELECT) statement, and run other statements with the database's own tools.
    """
    lead = f"{where}: refused: "
    rule = " cxkit only reads: write one SELECT (or WITH ... SELECT) statement"
    try:
        tokens = _tokens(query)
    except ValueError as exc:
        raise SourceError(f"{lead}{exc}.{rule} with every quote and comment closed.") from None
    while tokens and tokens[-1] == ("other", ";"):
        tokens.pop()
    if ("other", ";") in tokens:
        raise SourceError(
            f"{lead}it holds more than one statement (a second one after ';').{rule}, "
            "and run other statements with the database's own tools."
        )
    first = next((text for kind, text in tokens if (kind, text) != ("other", "(")), "")
    if first.casefold() not in _READING_STARTS:
        raise SourceError(
            f"{lead}it starts with {first!r}, not SELECT or WITH.{rule}; to read a whole table, "
            "give `table: NAME` instead of `query:`."
        )
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        word = text.casefold()
        before = tokens[i - 1][1] if i else ""
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if before in (".", ":") or after == ".":
            continue  # a qualified name (t.update) or a :placeholder, not a keyword
        if word in _WRITING_WORDS:
            raise SourceError(
                f"{lead}{text.upper()} writes to the database or to files, or changes the session.{rule}. "
                f'If {text} is a column or table name, write it in double quotes ("{text}").'
            )
        if word in _FILE_FUNCTIONS and after == "(":
            raise SourceError(
                f"{lead}{text}(...) reads files, URLs or SQL text from inside the query, which would pass by "
                "the catalog's path rules. Give the file its own catalog source (path: ...), or load it "
                "into the database first."
            )
        if word in ("from", "join") and i + 1 < len(tokens) and tokens[i + 1][0] == "string":
            raise SourceError(
                f"{lead}{text.upper()} {tokens[i + 1][1]} reads a file named in the query, which would "
                "pass by the catalog's path rules. Give the file its own catalog source (path: ...), or "
                "load it into the database first."
            )


# --------------------------------------------------------------------------- connecting


def _create_engine(url: URL, masked: str) -> sa.Engine:
    backend = url.get_backend_name()
    connect_args: dict[str, Any] = {}
    database = url.database or ":memory:"
    if backend in ("duckdb", "sqlite") and database != ":memory:" and not re.match(r"\w+:", database):
        path = Path(database)
        if not path.is_file():
            # Both would silently create an empty database at a mistyped path.
            raise SourceError(
                f"{masked}: no {backend} database file at {path} (resolved to {path.absolute()}). "
                f"Check the path; {backend}:///relative/path is relative to the working directory, "
                f"{backend}:////absolute/path (four slashes) is absolute."
            )
    engine_args: dict[str, Any] = {}
    if backend == "duckdb":
        if database != ":memory:":
            # Read-only lets several processes (parallel tests, two notebooks) read one file,
            # and nothing a query does can change it.
            connect_args["read_only"] = True
        # No file or network access from a query (COPY TO, read_csv, ATTACH, INSTALL, httpfs),
        # locked so that a query cannot turn it back on.
        connect_args["config"] = {"enable_external_access": False, "lock_configuration": True}
    elif backend == "sqlite" and database != ":memory:" and not re.match(r"\w+:", database):
        import sqlite3

        # SQLite opens a file read-only only through its URI form (file:...?mode=ro).
        uri = f"file:{quote(str(Path(database).absolute()))}?mode=ro"
        engine_args["creator"] = lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        # Naming the default driver loads the dialect, so it belongs inside the try.
        driver = url.get_driver_name()
        if backend == "postgresql" and driver in ("psycopg", "psycopg2") and "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = _CONNECT_TIMEOUT_S
        engine = sa.create_engine(url, connect_args=connect_args, **engine_args)
    except (NoSuchModuleError, ImportError) as exc:
        raise SourceError(
            f"{masked}: no SQLAlchemy driver for {url.drivername!r} ({type(exc).__name__}: {exc}). "
            f"cxkit installs the drivers for {_EXAMPLE_URLS}; for another database install its "
            "SQLAlchemy driver package."
        ) from None
    if backend == "postgresql":
        sa.event.listen(engine, "connect", _read_only_session)
    return engine


def _read_only_session(dbapi_connection: Any, _record: Any) -> None:
    """Make every transaction of a new PostgreSQL session read-only: a query that writes, or a
    function it calls that writes, fails (``cannot execute INSERT in a read-only transaction``).
    Committed at once, so a rollback later in the read does not undo it."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    finally:
        cursor.close()
    dbapi_connection.commit()


def _connect(engine: sa.Engine, masked: str, scrub: _Scrubber) -> sa.Connection:
    try:
        return engine.connect()
    except Exception as exc:  # drivers raise their own classes here, not only SQLAlchemy's
        message = _database_message(exc, scrub)
        hint = "check the host/port and that the server is running"
        if re.search(r"password|authentication", message, re.IGNORECASE):
            hint += ", and the user name and password (environment variable)"
        elif re.search(r"database .* does not exist", message, re.IGNORECASE):
            hint = "check the database name at the end of the URL"
        elif re.search(r"\block\b|different configuration", message, re.IGNORECASE):
            hint = "close other connections that have the DuckDB file open for writing"
        # `from None`: the chained driver exception would be printed in full in a notebook
        raise _error(f"{masked}: cannot connect; {hint}.", exc, scrub) from None


# --------------------------------------------------------------------------- names


def _short_schema(schema: str) -> str:
    # DuckDB lists schemas as "database.schema"; users and SQL name only the schema.
    return schema.split(".", 1)[1] if "." in schema else schema


def _materialized_views(inspector: sa.Inspector, schema: str) -> list[str]:
    try:
        return list(inspector.get_materialized_view_names(schema=schema))
    except NotImplementedError:  # dialects without materialized views
        return []


def _list_tables(inspector: sa.Inspector) -> list[tuple[str | None, str, str]]:
    """``(schema or None for the default one, name, kind)`` for every user table and view."""
    default = inspector.default_schema_name
    found = []
    for schema in inspector.get_schema_names():
        database = schema.split(".", 1)[0] if "." in schema else None
        short = _short_schema(schema)
        if short in _SYSTEM_SCHEMAS or short.startswith("pg_") or database in _SYSTEM_DUCKDB_DATABASES:
            continue
        shown = None if short == default else short
        found += [(shown, name, "table") for name in inspector.get_table_names(schema=schema)]
        found += [(shown, name, "view") for name in inspector.get_view_names(schema=schema)]
        # Analytics databases often publish materialized views; SQLAlchemy lists them apart.
        found += [(shown, name, "materialized view") for name in _materialized_views(inspector, schema)]
    return found


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _resolve_table(
    inspector: sa.Inspector, table: str, schema: str | None, where: str, scrub: _Scrubber
) -> tuple[str | None, str, list[str]]:
    """Match the requested table to one the database lists; return ``(schema, name, notes)``.

    An exact match wins; otherwise a unique case-insensitive one (PostgreSQL folds unquoted
    names to lower case, so ``Feedback`` in a catalog usually means ``feedback``), and
    ``schema.table`` written in ``table`` is split when no table has that dotted name.
    """
    try:
        relations = _list_tables(inspector)
    except SQLAlchemyError as exc:
        raise _error(
            f"{where}: cannot list the database's tables; check that the user may read the catalog.", exc, scrub
        ) from None
    default = inspector.default_schema_name
    wanted: list[tuple[str | None, str]] = [(schema if schema != default else None, table)]
    if schema is None and "." in table:
        wanted.append(cast("tuple[str, str]", tuple(table.split(".", 1))))
    for fold in (False, True):
        for want_schema, want_name in wanted:

            def same(a: str | None, b: str | None) -> bool:  # used at once in this iteration's comprehension
                return (a or "").casefold() == (b or "").casefold() if fold else a == b  # noqa: B023

            hits = [(s, n) for s, n, _ in relations if same(s, want_schema) and same(n, want_name)]
            if len(hits) == 1:
                notes = [f"table {_qualified(schema, table)!r} matched {_qualified(*hits[0])!r}"] if fold else []
                return hits[0][0], hits[0][1], notes
    available = (
        ", ".join(
            _qualified(s, n) + ("" if kind == "table" else f" ({kind})")
            for s, n, kind in sorted(relations, key=lambda r: ((r[0] or "").casefold(), r[1].casefold()))
        )
        or "none (the database is empty)"
    )
    raise SourceError(
        f"{where}: table {_qualified(schema, table)} not found: available tables: {available}. "
        "Name one of these in `table` (and `schema`), or check that the URL points at the right database."
    )


def _resolve_columns(requested: list[str], available: list[str], where: str) -> list[str]:
    resolved = []
    for name in requested:
        if name in available:
            resolved.append(name)
            continue
        folded = [a for a in available if a.casefold() == name.casefold()]
        if len(folded) != 1:
            raise SchemaError(
                f"{where}: column {name!r} (in `columns`) not found: available columns: "
                f"{', '.join(available)}. Fix the name in `columns`, or leave `columns` out to read every column."
            )
        resolved.append(folded[0])
    return resolved


# --------------------------------------------------------------------------- reading


def _check_arguments(
    table: str | None,
    query: str | None,
    params: dict[str, Any] | None,
    schema: str | None,
    columns: list[str] | None,
) -> None:
    if (table is None) == (query is None):
        raise SourceError(
            "read_sql needs exactly one of `table` (a table or view name) or `query` (a SELECT statement)"
            + (", not both." if table is not None else ".")
        )
    for name, value in (("table", table), ("query", query), ("schema", schema)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise SourceError(f"read_sql: `{name}` must be a non-empty string, not {value!r}.")
    if query is not None and schema is not None:
        raise SourceError("read_sql: `schema` applies to `table` only; qualify table names inside the query instead.")
    if params is not None:
        if table is not None:
            raise SourceError(
                "read_sql: `params` apply to `query` only; write a query with :name placeholders to filter a table."
            )
        if not isinstance(params, dict):
            raise SourceError(
                f"read_sql: `params` must be a dict of placeholder name -> value, not {type(params).__name__}."
            )
    if columns is not None:
        if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
            raise SourceError(
                f"read_sql: `columns` must be a list of column names, e.g. ['nps', 'comment'], not {columns!r}."
            )
        if not columns:
            raise SourceError("read_sql: `columns` is empty; leave it out to read every column.")
        duplicates = sorted({c for c in columns if list(columns).count(c) > 1})
        if duplicates:
            raise SourceError(f"read_sql: `columns` lists {', '.join(duplicates)} more than once.")


def _check_params(query: str, params: dict[str, Any], where: str) -> None:
    needed = set(sa.text(query).compile().params)
    missing, unused = sorted(needed - set(params)), sorted(set(params) - needed)
    if missing:
        raise SourceError(
            f"{where}: the query has placeholder(s) {', '.join(':' + m for m in missing)} without a value. "
            f"Pass params={{{', '.join(repr(m) + ': ...' for m in missing)}}}. (A literal colon followed by a "
            "word inside the SQL also reads as a placeholder; write it as \\: to keep it literal.)"
        )
    if unused:
        raise SourceError(
            f"{where}: params {', '.join(unused)} are not used by the query. "
            f"Refer to each as :{unused[0]} in the query, or remove it from params."
        )


def _typed_column(values: tuple[Any, ...]) -> pd.Series:
    """One column of driver values as the tightest pandas dtype that keeps every value.

    Integer columns with NULLs stay integers (``Int64``) and boolean ones stay booleans
    (``boolean``), rather than becoming floats and objects as in ``pandas.read_sql``.
    """
    present = [v for v in values if v is not None]
    complete = len(present) == len(values)
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype=bool if complete else "boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if all(_INT64.min <= v <= _INT64.max for v in present):
            return pd.Series(values, dtype="int64" if complete else "Int64")
        return pd.Series(values, dtype=object)  # beyond int64 (NUMERIC(30)): keep exact ints
    if present and all(isinstance(v, (Decimal, int, float)) and not isinstance(v, bool) for v in present):
        # NUMERIC/DECIMAL arrive as Decimal objects; analysis wants floats.
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    series = pd.Series(values)
    if series.dtype == object and present and all(isinstance(v, dt.date) for v in present):
        # DATE columns, and timestamps whose UTC offsets differ (daylight saving): datetime64.
        aware = any(isinstance(v, dt.datetime) and v.tzinfo is not None for v in present)
        try:
            series = pd.to_datetime(series, utc=aware)
        except (TypeError, ValueError):  # naive mixed with aware: leave as written
            pass
    return series


def _fetch(
    conn: sa.Connection, statement: sa.Executable, params: dict[str, Any], where: str, scrub: _Scrubber
) -> pd.DataFrame:
    try:
        result = conn.execute(statement, params)
        keys = list(result.keys())
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            raise SourceError(
                f"{where}: the result has more than one column named {', '.join(duplicated)}. "
                "Give each selected column its own name with AS."
            )
        rows = result.fetchall()
    except SQLAlchemyError as exc:
        raise _error(
            f"{where}: the database refused the read; check the SQL, the table and column names, "
            "and the parameter values.",
            exc,
            scrub,
        ) from None
    if not rows:
        shown = f" with params {scrub(repr(params))}" if params else ""
        raise SourceError(
            f"{where}: returned no rows{shown}. Check that the table is filled and that the query's "
            "WHERE clause and parameter values select something."
        )
    columns = list(zip(*rows))
    return pd.DataFrame({key: _typed_column(values) for key, values in zip(keys, columns)})


def _column_names(
    conn: sa.Connection, selectable: sa.FromClause, params: dict[str, Any], where: str, scrub: _Scrubber
) -> list[str]:
    """Column names of a table or query, without reading a row."""
    probe: sa.Select[*tuple[Any, ...]] = sa.select(sa.literal_column("*")).select_from(selectable).limit(0)
    try:
        return list(conn.execute(probe, params).keys())
    except SQLAlchemyError as exc:
        raise _error(
            f"{where}: the database refused the read; check the SQL, the table name and the parameter values.",
            exc,
            scrub,
        ) from None


def _primary_key(conn: sa.Connection, inspector: sa.Inspector, name: str, schema: str | None) -> list[str]:
    try:
        return list(inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or [])
    except (SQLAlchemyError, NotImplementedError):
        # Some dialects (duckdb-engine with SQLAlchemy 2.1) cannot reflect keys; reading
        # unordered is still correct. The failed statement spoiled the transaction: restart it.
        conn.rollback()
        return []


def _plan_table_read(
    conn: sa.Connection,
    masked: str,
    table: str,
    schema: str | None,
    columns: list[str] | None,
    where: str,
    scrub: _Scrubber,
    period: dict[str, Any] | None = None,
) -> tuple[str, sa.Select[*tuple[Any, ...]], list[str]]:
    """The SELECT for a table: names matched to the database's, columns pushed down, key order."""
    inspector = sa.inspect(conn)
    schema, table, notes = _resolve_table(inspector, table, schema, where, scrub)
    source = f"{masked} table {_qualified(schema, table)}"
    available = _column_names(conn, sa.table(table, schema=schema), {}, source, scrub)
    selected = _resolve_columns(columns, available, source) if columns else available
    # sa.table/sa.column let SQLAlchemy quote the names the way this database needs.
    relation = sa.table(table, *(sa.column(c) for c in available), schema=schema)
    statement = sa.select(*(relation.c[c] for c in selected))
    key = _primary_key(conn, inspector, table, schema)
    if key:
        statement = statement.order_by(*(relation.c[c] for c in key))
        notes.append("rows ordered by primary key " + ", ".join(key))
    else:
        notes.append("rows in the database's order (the table has no primary key that cxkit could read)")
    if columns:
        notes.append("columns read (pushed down to the database): " + ", ".join(selected))
    if period:
        statement = _period_where(inspector, relation, statement, available, period, source, notes)
    return source, statement, notes


def _period_where(
    inspector: sa.Inspector,
    relation: sa.TableClause,
    statement: sa.Select[*tuple[Any, ...]],
    available: list[str],
    period: dict[str, Any],
    source: str,
    notes: list[str],
) -> sa.Select[*tuple[Any, ...]]:
    """WHERE start <= column < end, when the column is a date or timestamp in the database."""
    name = _resolve_columns([str(period["column"])], available, source)[0]
    column = relation.c[name]
    # The column's type, from a value: reflection is not available on every dialect
    # (duckdb-engine), and comparing text with a timestamp fails on PostgreSQL.
    # inspector.bind is the connection the inspector was made from (sa.inspect(conn)).
    probe = cast(sa.Connection, inspector.bind).execute(sa.select(column).where(column.isnot(None)).limit(1)).scalar()
    if not isinstance(probe, (dt.date, dt.datetime)):
        notes.append(
            f"month filter applied after reading ({name} holds {type(probe).__name__}, not dates or timestamps)"
        )
        return statement
    end = pd.Timestamp(period["end"]).to_pydatetime()
    statement = statement.where(column < end)
    if period.get("start") is not None:
        statement = statement.where(column >= pd.Timestamp(period["start"]).to_pydatetime())
    notes.append(
        f"rows read: {name} from {period.get('start') or 'the start'} to {period['end']} (pushed down to the database)"
    )
    return statement


def _plan_query_read(
    conn: sa.Connection, masked: str, query: str, params: dict[str, Any], columns: list[str] | None, scrub: _Scrubber
) -> tuple[str, sa.Executable, list[str]]:
    """The statement for a query; with ``columns``, the query becomes a subquery to select from."""
    source = f"{masked} query"
    statement = sa.text(query)
    if not columns:
        return source, statement, []
    subquery = statement.columns().subquery("cxkit_query")
    selected = _resolve_columns(columns, _column_names(conn, subquery, params, source, scrub), source)
    pushed_down: sa.Select[*tuple[Any, ...]] = sa.select(*(sa.column(c) for c in selected)).select_from(subquery)
    return source, pushed_down, ["columns read (pushed down to the database): " + ", ".join(selected)]


def read_sql(
    url: str,
    *,
    table: str | None = None,
    query: str | None = None,
    params: dict[str, Any] | None = None,
    schema: str | None = None,
    columns: list[str] | None = None,
    period: dict[str, Any] | None = None,
    secrets: Sequence[str] = (),
) -> RawTable:
    """Read a table or the result of a query into a typed :class:`~cxkit.data.formats.RawTable`.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``duckdb:///path/to/file.duckdb`` or
        ``postgresql+psycopg://user:${PASSWORD_VARIABLE}@host:5432/database``. ``${NAME}``
        is replaced by the environment variable ``NAME``. A DuckDB file is opened read-only.
    table : str, optional
        Table or view to read, e.g. ``"feedback"`` or ``"analytics.feedback"``. Matched
        against the names the database lists, ignoring case when that is unambiguous.
    query : str, optional
        A SELECT statement; ``:name`` placeholders take their values from ``params``.
        Exactly one of ``table`` and ``query`` is required.
    params : dict, optional
        Values of the query's placeholders, sent to the database as bound parameters.
    schema : str, optional
        Schema of ``table`` (default: the database's default schema, ``public`` or ``main``).
    columns : list of str, optional
        Read only these columns; the database does the selection (pushdown).
    period : dict, optional
        ``{"column": name, "start": timestamp or None, "end": timestamp}``: with ``table``,
        only rows with ``start <= column < end`` are read, the database doing the filtering,
        when the column is a date or timestamp (a text column is read whole; the note says
        so). Used by :meth:`cxkit.data.catalog.Catalog.read` to read one month. Not for
        ``query``: filter inside the query with ``params``.
    secrets : sequence of str, optional
        Values never to show: replaced by ``***`` in every message, like the URL's password
        (the catalog passes the values it took from ``${NAME}`` variables, e.g. a token in
        ``params``).

    Returns
    -------
    RawTable
        ``frame`` with the database's types (integer columns with NULLs as ``Int64``,
        booleans with NULLs as ``boolean``, NULL as missing, timestamps as ``datetime64``),
        ``lines`` the row numbers 1..n, ``source`` the masked URL plus ``table NAME`` or
        ``query``, ``format`` ``"sql"``, ``typed`` True, and ``notes``. A table with a
        primary key is read in key order, so row numbers are stable between runs.

    Raises
    ------
    SourceError
        Wrong arguments, an unset environment variable, no driver, no connection, a
        missing table (the message lists the available ones), a query that is not one
        reading statement (:func:`check_query`), a failing query, or no rows. Messages show
        the URL with its password masked, and no value of ``secrets``.
    SchemaError
        A name in ``columns`` is not a column of the table or query.

    Examples
    --------
    >>> raw = read_sql("duckdb:///:memory:", query="SELECT 1 AS id, NULL::INTEGER AS nps UNION ALL SELECT 2, 7")
    >>> raw.frame.dtypes.astype(str).to_dict()
    {'id': 'int64', 'nps': 'Int64'}
    """
    _check_arguments(table, query, params, schema, columns)
    if period and query is not None:
        raise SourceError("read_sql: `period` applies to `table` only; filter inside the query with :name params.")
    params = dict(params or {})
    expanded, env_names = _expand_environment(url)
    masked = mask_url(expanded)
    try:
        parsed = make_url(expanded)
    except (ArgumentError, ValueError):
        # The parser's message can quote the URL, password included: do not pass it on.
        raise SourceError(f"{masked}: not a database URL. Write it like {_EXAMPLE_URLS}.") from None
    scrub = _Scrubber(parsed, [s for s in secrets if isinstance(s, str)])
    where = f"{masked} {'table ' + _qualified(schema, table) if table is not None else 'query'}"
    if query is not None:
        query = query.strip().rstrip(";").strip()  # a trailing ";" breaks the subquery for `columns`
        check_query(query, where)
        _check_params(query, params, where)

    engine = _create_engine(parsed, masked)
    notes = [f"{engine.dialect.name} via SQLAlchemy ({engine.dialect.driver})"]
    if env_names:
        notes.append("URL took " + ", ".join(env_names) + " from the environment")
    try:
        with _connect(engine, masked, scrub) as conn:
            statement: sa.Executable
            if table is not None:
                source, statement, planned = _plan_table_read(
                    conn, masked, table, schema, columns, where, scrub, period
                )
            else:
                source, statement, planned = _plan_query_read(
                    conn, masked, cast(str, query), params, columns, scrub
                )  # exactly one of table and query (_check_arguments)
            frame = _fetch(conn, statement, params, source, scrub)
            # Nothing is committed: whatever the query did is rolled back when conn closes.
        notes += planned
    finally:
        engine.dispose()
    notes.append("line numbers are row numbers")
    return RawTable(
        frame=frame,
        lines=np.arange(1, len(frame) + 1, dtype=np.int64),
        source=source,
        format="sql",
        notes=notes,
        typed=True,
    )
