"""A database written before migration 090 (answers, comments and attributes in long form, with the ids spelled out)
upgrades to compact answers (090) and keyed comments and attributes (092) without a change."""

import shutil
from contextlib import closing
from pathlib import Path

import pytest

from cjx.store import db

OLD_ANSWERS = [
    # source, response, column, metric, touchpoint, value, score, is_na
    ("survey", "r1", "q_nps", "nps", "tp_checkout", 9.0, 9.0, False),
    ("survey", "r1", "q_ces", "ces", None, 2.0, 6.0, False),
    ("survey", "r2", "q_nps", "nps", "tp_checkout", None, None, True),
    ("survey", "r2", "q_ces", "ces", None, 7.0, 1.0, False),
    ("manual", "m1", "q_csat", "csat", "tp_delivery", 4.0, 4.0, False),
]
OLD_COMMENTS = [  # source, response, column, touchpoint, comment
    ("survey", "r1", "q_why", "tp_checkout", "Hurtig levering"),
    ("survey", "r2", "q_why", None, "Pakken kom for sent"),
    ("manual", "m1", "q_why", None, "Ok"),
]
OLD_ATTRIBUTES = [  # source, response, column, value
    ("survey", "r1", "channel", "web"),
    ("survey", "r2", "channel", "app"),
]


def _old_database(path: Path, migrations: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Apply only the migrations before 090 and write answers the way the old loader did."""
    for sql in sorted(db.MIGRATIONS.glob("*.sql")):
        if sql.stem < "090":
            shutil.copy(sql, migrations / sql.name)
    with monkeypatch.context() as patch:
        patch.setattr(db, "MIGRATIONS", migrations)
        with closing(db.connect(path)) as con:
            db.migrate(con)
            assert "090_compact_answers" not in {r[0] for r in con.sql("FROM ops.schema_migrations").fetchall()}
            con.execute(
                "INSERT INTO raw.files (file_id, source_id, file_seq, file_name, format, landed_at) "
                "VALUES ('f1', 'survey', 3, 'survey.csv', 'csv', TIMESTAMP '2026-01-01')"
            )
            con.execute(
                "INSERT INTO core.responses VALUES "
                "('survey', 'r1', 'p1', TIMESTAMP '2026-01-02', 'f1', 1),"
                "('survey', 'r2', 'p2', TIMESTAMP '2026-01-03', 'f1', 2),"
                # put in by hand: its file is not in raw.files
                "('manual', 'm1', 'p3', TIMESTAMP '2026-01-04', 'by-hand', 1)"
            )
            con.executemany("INSERT INTO core.answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", OLD_ANSWERS)
            con.executemany("INSERT INTO core.comments VALUES (?, ?, ?, ?, ?)", OLD_COMMENTS)
            con.executemany("INSERT INTO core.response_attributes VALUES (?, ?, ?, ?)", OLD_ATTRIBUTES)


@pytest.fixture
def old_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database on the migrations before 090, holding rows written the way the old loaders did."""
    path = tmp_path / "old.duckdb"
    (tmp_path / "migrations").mkdir()
    _old_database(path, tmp_path / "migrations", monkeypatch)
    return path


def test_old_long_answers_migrate_to_the_same_answers_with_unique_keys(old_db: Path) -> None:
    with closing(db.connect(old_db)) as con:
        assert "090_compact_answers" in db.migrate(con)  # the real migrations: 090 and later run now
        assert con.sql("SELECT table_type FROM information_schema.tables WHERE table_name = 'answers'").fetchall() == [
            ("VIEW",)
        ]
        answers = con.sql("FROM core.answers ORDER BY source_id, response_id, column_name").fetchall()
        keys = dict(con.sql("SELECT response_id, response_key FROM core.responses").fetchall())

    assert answers == sorted(OLD_ANSWERS, key=lambda a: (a[0], a[1], a[2]))
    # a file's responses are keyed file_seq * 2^32 + row_number; the one put in by hand gets a negative key
    assert keys == {"r1": 3 * 2**32 + 1, "r2": 3 * 2**32 + 2, "m1": -1}


def test_old_comments_and_attributes_migrate_to_the_same_rows_keyed_by_response(old_db: Path) -> None:
    with closing(db.connect(old_db)) as con:
        assert "092_keyed_comments_attributes" in db.migrate(con)
        kinds = dict(
            con.sql(
                "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'core' AND table_name "
                "IN ('comments', 'response_attributes', 'comment_texts', 'attribute_values')"
            ).fetchall()
        )
        comments = con.sql("FROM core.comments ORDER BY source_id, response_id, column_name").fetchall()
        attributes = con.sql("FROM core.response_attributes ORDER BY source_id, response_id, column_name").fetchall()
        stored = con.sql("SELECT response_key, comment FROM core.comment_texts ORDER BY response_key").fetchall()

    assert kinds == {
        "comments": "VIEW",
        "response_attributes": "VIEW",
        "comment_texts": "BASE TABLE",
        "attribute_values": "BASE TABLE",
    }
    assert comments == sorted(OLD_COMMENTS, key=lambda c: (c[0], c[1], c[2]))
    assert attributes == sorted(OLD_ATTRIBUTES, key=lambda a: (a[0], a[1], a[2]))
    # stored by their response's key: the one put in by hand (-1) and the file's rows (file_seq 3 * 2^32 + row)
    assert stored == [(-1, "Ok"), (3 * 2**32 + 1, "Hurtig levering"), (3 * 2**32 + 2, "Pakken kom for sent")]


def _database_before(path: Path, migrations: Path, monkeypatch: pytest.MonkeyPatch, stem: str) -> None:
    for sql in sorted(db.MIGRATIONS.glob("*.sql")):
        if sql.stem < stem:
            shutil.copy(sql, migrations / sql.name)
    with monkeypatch.context() as patch:
        patch.setattr(db, "MIGRATIONS", migrations)
        with closing(db.connect(path)) as con:
            db.migrate(con)


def _zstd_columns(con, table: str) -> set[str]:
    """The columns of core.<table> whose catalog entry asks for ZSTD (USING COMPRESSION in the table's SQL)."""
    sql = con.execute("SELECT sql FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = ?", [table])
    text = sql.fetchall()[0][0]
    body = text[text.index("(") + 1 : text.rindex(")")]
    return {part.split()[0].strip('"') for part in body.split(", ") if "USING COMPRESSION ZSTD" in part.upper()}


def test_ids_pseudonyms_and_verbatims_move_to_zstd_with_every_row_and_default_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "before093.duckdb"
    (tmp_path / "migrations").mkdir()
    _database_before(path, tmp_path / "migrations", monkeypatch, "093")
    tables = ("responses", "respondents", "comment_texts", "events")
    with closing(db.connect(path)) as con:
        con.execute(
            "INSERT INTO core.responses VALUES ('survey', 'r1', 'p1', TIMESTAMP '2026-01-02', 'f1', 1, 4294967297), "
            "('survey', 'r2', 'p2', TIMESTAMP '2026-01-03', 'f1', 2, 4294967298)"
        )
        con.execute(
            "INSERT INTO core.respondents VALUES ('p1', TIMESTAMP '2026-01-02'), ('p2', TIMESTAMP '2026-01-03')"
        )
        con.execute("INSERT INTO core.comment_texts VALUES (4294967297, 'q_why', NULL, 'Hurtig levering')")
        con.execute(
            "INSERT INTO core.events VALUES ('orders', 'o1', 'order', NULL, 'p1', TIMESTAMP '2026-01-01', 'f2', 1)"
        )
        before = {t: con.sql(f"FROM core.{t} ORDER BY ALL").fetchall() for t in tables}
        assert all(not _zstd_columns(con, t) for t in tables)
        comments = {
            t: con.sql(f"SELECT comment FROM duckdb_tables() WHERE table_name = '{t}'").fetchall() for t in tables
        }

        assert "093_zstd_distinct_text" in db.migrate(con)
        after = {t: con.sql(f"FROM core.{t} ORDER BY ALL").fetchall() for t in tables}
        zstd = {t: _zstd_columns(con, t) for t in tables}
        kept = {t: con.sql(f"SELECT comment FROM duckdb_tables() WHERE table_name = '{t}'").fetchall() for t in tables}
        con.execute(
            "INSERT INTO core.responses (source_id, response_id, respondent_id, responded_at, file_id, "
            "row_number) VALUES ('manual', 'm1', 'p3', TIMESTAMP '2026-01-04', 'by-hand', 1)"
        )
        manual = con.sql("SELECT response_key FROM core.responses WHERE response_id = 'm1'").fetchall()

    assert after == before
    assert kept == comments
    assert zstd == {
        "responses": {"response_id", "respondent_id"},
        "respondents": {"respondent_id"},
        "comment_texts": {"comment"},
        "events": {"event_id", "respondent_id"},
    }
    assert manual == [(-1,)]  # a row put in by hand still takes the descending sequence (migration 090)
