"""Tests for cxkit.data.sql on an embedded DuckDB file and a throwaway PostgreSQL server.

Most tests run once per backend through the ``db`` fixture; the PostgreSQL runs carry the
``postgres`` marker and skip, with the reason, when no server can be started here
(``make system-deps`` installs one). Every expected value comes from the rows inserted by
``_fill`` below.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import traceback

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from pgserver import PostgresUnavailable, postgres_server

from cxkit.data import sql as sql_module
from cxkit.data.sql import check_query, mask_url, read_sql
from cxkit.errors import SchemaError, SourceError

NORDIC = "Blåbær ære Övervägande"
EMOJI = "Kjøp 😀 – \"quoted\" 'single'"

# response_id, nps, csat, responded_at, promoter, comment: every kind of cell, with NULLs
FEEDBACK = [
    (1, 9, 4.5, dt.datetime(2026, 1, 5, 9, 30), True, NORDIC),
    (2, None, 3.0, dt.datetime(2026, 1, 6, 14, 0), False, None),
    (3, 3, None, None, None, EMOJI),
    (4, 10, 5.0, dt.datetime(2026, 2, 1, 0, 0), True, ""),
]
FEEDBACK_COLUMNS = ["response_id", "nps", "csat", "responded_at", "promoter", "comment"]

DDL = [
    "CREATE SCHEMA analytics",
    "CREATE TABLE feedback (response_id INTEGER PRIMARY KEY, nps INTEGER, csat DOUBLE PRECISION, "
    "responded_at TIMESTAMP, promoter BOOLEAN, comment TEXT)",
    # same name as the default schema's table, different content: proves which one was read
    "CREATE TABLE analytics.feedback (response_id INTEGER, channel TEXT)",
    # a name that only works quoted
    'CREATE TABLE "NPS Q1 2026" ("Response ID" INTEGER, "NPS" INTEGER)',
    "CREATE TABLE empty_table (x INTEGER)",
    # inserted out of key order: a reader that orders by the key returns 1, 2
    "CREATE TABLE late_ids (id INTEGER PRIMARY KEY, label TEXT)",
    "CREATE VIEW promoters AS SELECT response_id, nps FROM feedback WHERE nps >= 9",
]


def _fill(url: str) -> None:
    """Create and fill the test tables through SQLAlchemy (the same statements on both backends)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in DDL:
                conn.execute(sa.text(statement))
            conn.execute(
                sa.text("INSERT INTO feedback VALUES (:id, :nps, :csat, :at, :promoter, :comment)"),
                [dict(zip(["id", "nps", "csat", "at", "promoter", "comment"], row)) for row in FEEDBACK],
            )
            conn.execute(sa.text("INSERT INTO analytics.feedback VALUES (10, 'app'), (11, 'web')"))
            conn.execute(sa.text('INSERT INTO "NPS Q1 2026" VALUES (7, 8)'))
            conn.execute(sa.text("INSERT INTO late_ids VALUES (2, 'second'), (1, 'first')"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def duckdb_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("duckdb") / "cx.duckdb"
    url = f"duckdb:///{path}"  # path is absolute, so this has four slashes
    _fill(url)
    return url


@pytest.fixture(scope="session")
def pg_url() -> str:
    """One PostgreSQL server for the whole file (about a second to start)."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_server())
        except PostgresUnavailable as exc:
            # CI installs the server (make system-deps) and sets CXKIT_REQUIRE_POSTGRES=1, so
            # a server that fails to start there is a failure, not a silent skip.
            if os.environ.get("CXKIT_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL server required (CXKIT_REQUIRE_POSTGRES=1) but unavailable: {exc}")
            pytest.skip(f"PostgreSQL server unavailable: {exc}")
        _fill(url)
        engine = sa.create_engine(url)
        with engine.begin() as conn:  # PostgreSQL only; SQLAlchemy lists these apart from views
            conn.execute(sa.text("CREATE MATERIALIZED VIEW nps_by_day AS SELECT count(*) AS n FROM feedback"))
        engine.dispose()
        yield url


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request) -> str:
    # getfixturevalue: DuckDB-only runs (-m "not postgres") never start a server
    return request.getfixturevalue({"duckdb": "duckdb_url", "postgres": "pg_url"}[request.param])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _shown(exc: BaseException) -> str:
    """The messages a notebook prints for an exception and every exception chained to it."""
    parts = []
    while exc is not None:
        parts.append("".join(traceback.format_exception_only(exc)))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "".join(parts)


# --------------------------------------------------------------------------- reading


def test_read_table_types_and_metadata(db):
    raw = read_sql(db, table="feedback")
    frame = raw.frame
    assert list(frame.columns) == FEEDBACK_COLUMNS
    assert frame["response_id"].dtype == "int64"
    # NULL keeps an integer column integer (pandas.read_sql would give float64)
    assert frame["nps"].dtype == "Int64"
    assert frame["nps"].tolist() == [9, pd.NA, 3, 10]
    assert frame["csat"].dtype == "float64"
    assert frame["csat"].isna().tolist() == [False, False, True, False]
    assert frame["csat"].iloc[0] == 4.5
    assert pd.api.types.is_datetime64_dtype(frame["responded_at"])
    assert frame["responded_at"].iloc[0] == pd.Timestamp("2026-01-05 09:30")
    assert pd.isna(frame["responded_at"].iloc[2])
    assert frame["promoter"].dtype == "boolean"
    assert frame["promoter"].tolist() == [True, False, pd.NA, True]
    assert frame["comment"].iloc[0] == NORDIC
    assert frame["comment"].iloc[2] == EMOJI
    assert pd.isna(frame["comment"].iloc[1])
    assert frame["comment"].iloc[3] == ""  # an empty string is a value, not NULL

    np.testing.assert_array_equal(raw.lines, [1, 2, 3, 4])
    assert raw.lines.dtype == np.int64
    assert raw.format == "sql"
    assert raw.typed is True
    assert raw.source == f"{mask_url(db)} table feedback"
    assert "line numbers are row numbers" in raw.notes
    assert raw.n_read == 4
    assert raw.excluded.empty and raw.dialect == {}


def test_parameterised_query(db):
    raw = read_sql(
        db,
        query="SELECT response_id, comment FROM feedback WHERE nps >= :low AND responded_at < :before "
        "ORDER BY response_id;",
        params={"low": 9, "before": dt.datetime(2026, 2, 1)},
    )
    assert raw.frame.to_dict("list") == {"response_id": [1], "comment": [NORDIC]}
    assert raw.source == f"{mask_url(db)} query"


def test_non_ascii_parameter_round_trips(db):
    raw = read_sql(db, query="SELECT response_id FROM feedback WHERE comment = :text", params={"text": NORDIC})
    assert raw.frame["response_id"].tolist() == [1]


def test_parameter_values_are_bound_not_spliced(db):
    # Spliced into the SQL this would select every row; bound, it is just an odd comment.
    with pytest.raises(SourceError, match="returned no rows"):
        read_sql(db, query="SELECT * FROM feedback WHERE comment = :text", params={"text": "x' OR '1'='1"})


@pytest.fixture
def executed_sql():
    """The SQL every engine sends while the test runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    yield statements
    sa.event.remove(sa.Engine, "before_cursor_execute", record)


def _row_reads(statements: list[str], relation: str) -> list[str]:
    """Statements that fetch rows of ``relation`` (not the LIMIT 0 probe, not the catalog)."""
    return [
        s
        for s in statements
        if relation in s and "LIMIT" not in s.upper() and "pg_catalog" not in s and "information_schema" not in s
    ]


def test_column_pushdown_on_a_table(db, executed_sql):
    raw = read_sql(db, table="feedback", columns=["comment", "NPS"])  # NPS: case is forgiven
    assert list(raw.frame.columns) == ["comment", "nps"]
    reads = _row_reads(executed_sql, "feedback")
    assert len(reads) == 1
    assert "csat" not in reads[0] and "*" not in reads[0]
    assert "columns read (pushed down to the database): comment, nps" in raw.notes


def test_column_pushdown_on_a_query(db, executed_sql):
    raw = read_sql(db, query="SELECT * FROM feedback WHERE nps > :n", params={"n": 5}, columns=["response_id"])
    assert raw.frame.to_dict("list") == {"response_id": [1, 4]}
    reads = _row_reads(executed_sql, "cxkit_query")
    assert len(reads) == 1 and "csat" not in reads[0].split("FROM")[0]


def test_unknown_column_lists_available_ones(db):
    with pytest.raises(SchemaError, match="column 'score' .* available columns: response_id, nps, csat"):
        read_sql(db, table="feedback", columns=["nps", "score"])
    with pytest.raises(SchemaError, match="available columns: response_id, comment"):
        read_sql(db, query="SELECT response_id, comment FROM feedback", columns=["score"])


def test_schema_qualified_table(db):
    by_argument = read_sql(db, table="feedback", schema="analytics")
    assert by_argument.frame.to_dict("list") == {"response_id": [10, 11], "channel": ["app", "web"]}
    assert by_argument.source == f"{mask_url(db)} table analytics.feedback"
    dotted = read_sql(db, table="analytics.feedback")
    pd.testing.assert_frame_equal(dotted.frame, by_argument.frame)


def test_table_name_that_needs_quoting(db):
    raw = read_sql(db, table="NPS Q1 2026", columns=["Response ID"])
    assert raw.frame.to_dict("list") == {"Response ID": [7]}


def test_table_name_case_is_forgiven(db):
    raw = read_sql(db, table="FEEDBACK", columns=["response_id"])
    assert raw.frame["response_id"].tolist() == [1, 2, 3, 4]
    assert "table 'FEEDBACK' matched 'feedback'" in raw.notes


def test_view(db):
    raw = read_sql(db, table="promoters")
    assert raw.frame.to_dict("list") == {"response_id": [1, 4], "nps": [9, 10]}


@pytest.mark.postgres
def test_materialized_view_and_percent_sign(pg_url):
    # psycopg's placeholders are %(name)s: a literal % in the query must survive that
    raw = read_sql(
        pg_url, query="SELECT response_id FROM feedback WHERE comment LIKE 'Bl%' AND nps > :n", params={"n": 1}
    )
    assert raw.frame["response_id"].tolist() == [1]
    assert read_sql(pg_url, table="nps_by_day").frame["n"].tolist() == [4]


@pytest.mark.postgres
def test_rows_follow_the_primary_key(pg_url):
    # inserted 2 then 1: ordering by the key makes row numbers stable between runs
    raw = read_sql(pg_url, table="late_ids")
    assert raw.frame["id"].tolist() == [1, 2]
    assert "rows ordered by primary key id" in raw.notes


def test_reading_never_changes_the_database(db):
    # DuckDB files are opened read-only (the DELETE fails); PostgreSQL rolls it back.
    with contextlib.suppress(SourceError):
        read_sql(db, query="DELETE FROM feedback WHERE response_id = 1 RETURNING response_id")
    assert len(read_sql(db, table="feedback").frame) == len(FEEDBACK)


def test_environment_variable_in_url(db, monkeypatch):
    parsed = sa.engine.make_url(db)
    if parsed.password:  # PostgreSQL: the secret comes from the environment
        monkeypatch.setenv("CX_TEST_DB_PASSWORD", parsed.password)
        template = db.replace(parsed.password, "${CX_TEST_DB_PASSWORD}")
    else:  # DuckDB: any part of the URL can come from the environment
        monkeypatch.setenv("CX_TEST_DB_FILE", parsed.database)
        template = "duckdb:///${CX_TEST_DB_FILE}"
    raw = read_sql(template, table="feedback", columns=["response_id"])
    assert raw.frame["response_id"].tolist() == [1, 2, 3, 4]
    assert any("from the environment" in note for note in raw.notes)


# --------------------------------------------------------------------------- errors


def test_missing_table_lists_available_ones(db):
    with pytest.raises(SourceError) as caught:
        read_sql(db, table="feedbak")
    message = str(caught.value)
    assert "table feedbak not found: available tables: " in message
    for name in ["feedback", "analytics.feedback", "NPS Q1 2026", "empty_table", "promoters (view)"]:
        assert name in message


def test_table_name_is_never_spliced_into_sql(db):
    with pytest.raises(SourceError, match="not found: available tables"):
        read_sql(db, table="feedback; DROP TABLE late_ids")
    assert len(read_sql(db, table="late_ids").frame) == 2


def test_empty_result(db):
    with pytest.raises(SourceError, match="empty_table: returned no rows"):
        read_sql(db, table="empty_table")
    with pytest.raises(SourceError, match=r"query: returned no rows with params \{'low': 11\}"):
        read_sql(db, query="SELECT * FROM feedback WHERE nps >= :low", params={"low": 11})


def test_failing_query(db):
    with pytest.raises(SourceError, match="(?s)the database refused the read; check the SQL.*no_such_column"):
        read_sql(db, query="SELECT no_such_column FROM feedback")


def test_duplicate_result_columns(db):
    with pytest.raises(SourceError, match="more than one column named response_id"):
        read_sql(db, query="SELECT response_id, response_id FROM feedback")


def test_placeholders_and_params_must_match(duckdb_url):
    with pytest.raises(SourceError, match=r"placeholder\(s\) :low without a value"):
        read_sql(duckdb_url, query="SELECT * FROM feedback WHERE nps >= :low")
    with pytest.raises(SourceError, match="params high are not used by the query"):
        read_sql(duckdb_url, query="SELECT * FROM feedback WHERE nps >= :low", params={"low": 1, "high": 2})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "exactly one of `table`"),
        ({"table": "feedback", "query": "SELECT 1"}, "not both"),
        ({"table": "feedback", "params": {"a": 1}}, "`params` apply to `query` only"),
        ({"query": "SELECT 1", "schema": "analytics"}, "`schema` applies to `table` only"),
        ({"table": "feedback", "columns": "nps"}, "`columns` must be a list"),
        ({"table": "feedback", "columns": []}, "`columns` is empty"),
        ({"table": " "}, "`table` must be a non-empty string"),
    ],
)
def test_argument_errors(duckdb_url, arguments, message):
    with pytest.raises(SourceError, match=message):
        read_sql(duckdb_url, **arguments)


def test_missing_environment_variable(monkeypatch):
    monkeypatch.delenv("CX_TEST_UNSET_PASSWORD", raising=False)
    with pytest.raises(SourceError) as caught:
        read_sql("postgresql+psycopg://cx:${CX_TEST_UNSET_PASSWORD}@127.0.0.1:5432/cx", table="feedback")
    message = str(caught.value)
    assert "environment variable(s) CX_TEST_UNSET_PASSWORD, which are not set" in message
    assert "export CX_TEST_UNSET_PASSWORD=" in message
    assert message.startswith("postgresql+psycopg://cx:***@127.0.0.1:5432/cx:")


def test_missing_duckdb_file(tmp_path):
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(SourceError, match="no duckdb database file at .*nope.duckdb.*four slashes"):
        read_sql(f"duckdb:///{missing}", table="feedback")
    assert not missing.exists()  # DuckDB would have created it


def test_unknown_driver():
    with pytest.raises(SourceError, match="no SQLAlchemy driver for 'nosuchdb'") as caught:
        read_sql("nosuchdb://u:pw@host/db", table="feedback")
    assert ":pw@" not in _shown(caught.value)


def test_bad_host_is_a_source_error_without_the_password():
    password = "cxPw-not-a-real-one"
    url = f"postgresql+psycopg://cxkit:{password}@127.0.0.1:{_free_port()}/postgres"
    with pytest.raises(SourceError) as caught:
        read_sql(url, table="feedback")
    message = str(caught.value)
    assert message.startswith(f"{mask_url(url)}: cannot connect; check the host/port and that the server is running.")
    assert "the database said: " in message
    assert password not in _shown(caught.value)


def test_server_helper_says_how_to_install(monkeypatch):
    import pgserver

    monkeypatch.setattr(pgserver.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(pgserver.shutil, "which", lambda name: None)
    with pytest.raises(PostgresUnavailable, match=r"not found under /usr/lib/postgresql.*make system-deps"):
        pgserver.find_bindir()


# --------------------------------------------------------------------------- the password


def test_mask_url():
    assert mask_url("postgresql+psycopg://cx:s3cr%40t@db:5432/cx") == "postgresql+psycopg://cx:***@db:5432/cx"
    assert mask_url("postgresql+psycopg://cx@db/cx") == "postgresql+psycopg://cx@db/cx"
    assert mask_url("postgresql+psycopg://db/cx?sslpassword=k&sslmode=verify-full") == (
        "postgresql+psycopg://db/cx?sslpassword=***&sslmode=verify-full"
    )
    assert mask_url("duckdb:////srv/data/Blåbær.duckdb") == "duckdb:////srv/data/Blåbær.duckdb"
    assert "s3cret" not in mask_url("postgres ql://cx:s3cret@db/cx")  # unparsable, still masked


@pytest.mark.postgres
def test_password_never_leaks(pg_url, monkeypatch):
    password = sa.engine.make_url(pg_url).password
    host_part = pg_url.split("@", 1)[1]  # 127.0.0.1:PORT/postgres
    seen: list[str] = []

    ok = read_sql(pg_url, table="feedback")
    shown_on_success = [ok.source, *ok.notes, repr(ok)]
    failing_calls = [
        dict(url=pg_url, table="feedbak"),
        dict(url=pg_url, table="feedback", columns=["score"]),
        dict(url=pg_url, query="SELECT no_such_column FROM feedback"),
        dict(url=pg_url, query="SELECT * FROM feedback WHERE nps > :n", params={"n": 99}),
        dict(url=pg_url.replace("/postgres", "/no_such_database"), table="feedback"),
        # the real password against a port where nothing listens
        dict(url=pg_url.replace(host_part.split("/")[0], f"127.0.0.1:{_free_port()}"), table="feedback"),
        # a wrong password with URL-special characters, from the environment
        dict(url=pg_url.replace(password, "${CX_TEST_WRONG_PASSWORD}"), table="feedback"),
    ]
    monkeypatch.setenv("CX_TEST_WRONG_PASSWORD", "wr@ng/pa:ss")
    for call in failing_calls:
        with pytest.raises((SourceError, SchemaError)) as caught:
            read_sql(**call)
        seen.append(_shown(caught.value))
    assert "password authentication failed" in seen[-1]
    assert "and the user name and password" in seen[-1]
    for text in seen:
        assert "127.0.0.1" in text  # the rest of the URL is shown, so the user can check it
    for text in seen + shown_on_success:
        assert password not in text
        assert "wr@ng/pa:ss" not in text and "wr%40ng" not in text


def test_period_reads_only_the_months_asked_for(db):
    january = read_sql(
        db, table="feedback", period={"column": "Responded_At", "start": "2026-01-01", "end": "2026-02-01"}
    )
    assert january.frame["response_id"].tolist() == [1, 2]  # NULL time and February left in the database
    assert any("pushed down to the database" in n for n in january.notes)
    upto = read_sql(db, table="feedback", period={"column": "responded_at", "start": None, "end": "2026-03-01"})
    assert upto.frame["response_id"].tolist() == [1, 2, 4]
    # A text column is not compared with timestamps in the database (PostgreSQL refuses): read whole.
    text = read_sql(db, table="late_ids", period={"column": "label", "start": None, "end": "2026-03-01"})
    assert len(text.frame) == 2 and any("applied after reading" in n for n in text.notes)


# --------------------------------------------------------------------------- read only (issue 24)

REFUSED = {
    "COPY (SELECT 1) TO 'x.csv'; SELECT 1": "more than one statement",
    "SELECT 1; DROP TABLE feedback": "more than one statement",
    "SELECT 1; -- ok\nSELECT 2": "more than one statement",
    "COPY feedback TO 'x.csv'": "starts with 'COPY'",
    "ATTACH 'other.duckdb' AS o": "starts with 'ATTACH'",
    "INSTALL httpfs": "starts with 'INSTALL'",
    "LOAD httpfs": "starts with 'LOAD'",
    "PRAGMA database_list": "starts with 'PRAGMA'",
    "CALL pragma_version()": "starts with 'CALL'",
    "SET enable_external_access = true": "starts with 'SET'",
    "DELETE FROM feedback": "starts with 'DELETE'",
    "WITH d AS (DELETE FROM feedback RETURNING *) SELECT * FROM d": "DELETE writes",
    "SELECT * INTO copy_of_feedback FROM feedback": "INTO writes",
    "SELECT * FROM feedback FOR UPDATE": "UPDATE writes",
    "SELECT * FROM read_csv('/etc/passwd')": "read_csv(...) reads files",
    "SELECT * FROM READ_PARQUET ('s3://bucket/x.parquet')": "READ_PARQUET(...) reads files",
    "SELECT * FROM '/etc/passwd'": "FROM '/etc/passwd' reads a file",
    "SELECT * FROM feedback JOIN 'other.csv' USING (response_id)": "JOIN 'other.csv' reads a file",
    "SELECT * FROM query('COPY (SELECT 1) TO ''x.csv''')": "query(...) reads files",
    "SELECT pg_read_file('/etc/passwd')": "pg_read_file(...) reads files",
    "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(x int)": "dblink(...) reads files",
    "SELECT 'unterminated": "quote is not closed",
    "SELECT 1 /* unterminated": "comment is not closed",
    "SELECT $x$ unterminated": "quoted string is not closed",
}

ACCEPTED = [
    "SELECT 1",
    "select 1;",
    "  (SELECT 1) UNION ALL (SELECT 2) ;; ",
    "WITH m AS (SELECT * FROM feedback) SELECT * FROM m",
    "VALUES (1), (2)",
    "FROM feedback SELECT nps",  # DuckDB's FROM-first SELECT
    # the words and characters below are inside strings, quoted names, comments, casts,
    # qualified names and placeholders: data, not statements
    'SELECT comment, "update", "copy" FROM feedback WHERE comment = \'x; DROP TABLE feedback; COPY\'',
    "SELECT $$; DELETE FROM t$$, $tag$ ' ; $tag$ AS s",
    "SELECT E'it\\'s; DROP' AS s",
    "SELECT 'it''s; DROP' AS s",
    "SELECT t.load, t.call FROM feedback AS t WHERE t.nps > :copy",
    "SELECT responded_at::date FROM feedback -- ; DROP TABLE feedback\n",
    "SELECT 1 /* ; COPY /* nested ; */ DELETE */",
    "SELECT replace(comment, 'a', 'b'), upper(comment) FROM feedback",
]


@pytest.mark.parametrize("query", sorted(REFUSED))
def test_only_one_reading_statement_is_accepted(query):
    with pytest.raises(SourceError) as caught:
        check_query(query, "duckdb:///cx.duckdb query")
    message = str(caught.value)
    assert message.startswith("duckdb:///cx.duckdb query: refused: ")  # names the source
    assert REFUSED[query] in message
    assert "cxkit only reads" in message or "catalog source (path: ...)" in message  # and the fix


@pytest.mark.parametrize("query", ACCEPTED)
def test_reading_statements_and_look_alikes_are_accepted(query):
    check_query(query)


def test_refused_query_sends_nothing_and_writes_no_file(db, tmp_path, monkeypatch, executed_sql):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SourceError, match="query: refused: it holds more than one statement"):
        read_sql(db, query="COPY (SELECT 1) TO 'x.csv'; SELECT * FROM feedback")
    assert not any("COPY" in statement for statement in executed_sql)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def unchecked(monkeypatch):
    """Queries sent without cxkit's statement check: the database's own read-only mode is the
    second wall, tested on its own here."""
    monkeypatch.setattr(sql_module, "check_query", lambda query, where="query": None)


DUCKDB_ESCAPES = [
    "COPY (SELECT 1 AS x) TO '{dir}/copied.csv'",
    "SELECT * FROM read_csv('{dir}/secret.csv')",
    "SELECT * FROM '{dir}/secret.csv'",
    "ATTACH '{dir}/other.duckdb' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "SELECT * FROM query('SELECT * FROM read_csv(''{dir}/secret.csv'')')",
]


@pytest.mark.parametrize("statement", DUCKDB_ESCAPES)
@pytest.mark.parametrize("where", ["file", "memory"])
def test_duckdb_refuses_files_and_network_even_unchecked(duckdb_url, tmp_path, unchecked, statement, where):
    (tmp_path / "secret.csv").write_text("password\nhunter2\n")
    url = duckdb_url if where == "file" else "duckdb:///:memory:"
    with pytest.raises(SourceError) as caught:
        read_sql(url, query=statement.format(dir=tmp_path))
    assert "hunter2" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.csv"]  # nothing written


def test_duckdb_files_are_never_written_even_unchecked(duckdb_url, unchecked):
    for statement in ("CREATE TABLE written AS SELECT 1 AS x", "DELETE FROM feedback RETURNING response_id"):
        with pytest.raises(SourceError, match="read-only mode"):
            read_sql(duckdb_url, query=statement)
    names = read_sql(duckdb_url, query="SELECT table_name FROM information_schema.tables").frame["table_name"]
    assert "written" not in names.tolist() and len(read_sql(duckdb_url, table="feedback").frame) == len(FEEDBACK)


@pytest.mark.postgres
def test_postgres_sessions_are_read_only_even_unchecked(pg_url, unchecked):
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:  # a function that writes, called from a plain SELECT
            conn.execute(sa.text("CREATE TABLE audit_log (at TIMESTAMP)"))
            conn.execute(
                sa.text(
                    "CREATE FUNCTION log_read() RETURNS INTEGER LANGUAGE sql AS "
                    "$$ INSERT INTO audit_log VALUES (now()); SELECT 1 $$"
                )
            )
        assert read_sql(pg_url, query="SELECT current_setting('transaction_read_only') AS ro").frame["ro"][0] == "on"
        for statement in (
            "SELECT log_read() AS x",
            "WITH d AS (DELETE FROM feedback RETURNING *) SELECT count(*) AS n FROM d",
            "SELECT * INTO feedback_copy FROM feedback",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM feedback RETURNING 1 AS x",
        ):
            with pytest.raises(SourceError, match="read-only transaction"):
                read_sql(pg_url, query=statement)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == 0
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP FUNCTION IF EXISTS log_read(); DROP TABLE IF EXISTS audit_log"))
        engine.dispose()
    assert len(read_sql(pg_url, table="feedback").frame) == len(FEEDBACK)


def test_sqlite_files_are_opened_read_only(tmp_path, unchecked):
    import sqlite3

    path = tmp_path / "cx.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE feedback (response_id INTEGER, nps INTEGER)")
        conn.execute("INSERT INTO feedback VALUES (1, 9), (2, 3)")
        conn.commit()
    url = f"sqlite:///{path}"
    assert read_sql(url, table="feedback").frame["nps"].tolist() == [9, 3]
    with pytest.raises(SourceError, match="readonly database"):
        read_sql(url, query="DELETE FROM feedback RETURNING response_id")
    assert len(read_sql(url, query="SELECT * FROM feedback").frame) == 2


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_secrets_never_appear_in_messages(backend, request):
    url = request.getfixturevalue({"duckdb": "duckdb_url", "postgres": "pg_url"}[backend])
    token = "tok_LIVE_abc123"
    calls = [
        dict(query="SELECT * FROM feedback WHERE comment = :token", params={"token": token}),  # no rows
        dict(query="SELECT * FROM feedback WHERE nps = CAST(:token AS INTEGER)", params={"token": token}),
        dict(query=f"SELECT * FROM feedback WHERE nps = CAST('{token}' AS INTEGER)"),  # in the SQL text
        dict(query=f"SELECT * FROM feedbak WHERE comment = '{token}'"),
    ]
    for call in calls:
        with pytest.raises(SourceError) as caught:
            read_sql(url, secrets=[token], **call)
        shown = _shown(caught.value)
        assert token not in shown and "***" in shown, shown
    with pytest.raises(SourceError) as caught:  # without secrets= the value is shown (it is the caller's)
        read_sql(url, **calls[0])
    assert token in str(caught.value)
