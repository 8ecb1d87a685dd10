"""A reader of a file answers a statement it has just answered from what it kept (Warehouse.frame): a page's
reports share parts. Never an answer of other data: a write to the file is seen on the next call; a server's
reader, and a writer, always ask the database."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, func, select

from data_access.warehouse.connection import Warehouse

numbers = Table("numbers", MetaData(), Column("n", Integer))


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "numbers.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE numbers (n INTEGER)")
    con.executemany("INSERT INTO numbers VALUES (?)", [(1,), (2,), (3,)])
    con.commit()
    con.close()
    return path


def _counting(wh: Warehouse) -> list:
    sent = []
    event.listen(wh.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


def test_the_same_statement_is_sent_once_and_each_answer_is_a_copy(sqlite_file):
    wh = Warehouse(f"sqlite:///{sqlite_file}")
    sent = _counting(wh)
    first = wh.frame(select(numbers.c.n).where(numbers.c.n >= 2))
    first["n"] = 0  # a caller changes its frame: the kept answer stays as it was
    again = wh.frame(select(numbers.c.n).where(numbers.c.n >= 2))  # a new but equal statement
    assert list(again["n"]) == [2, 3] and len(sent) == 1
    other = wh.frame(select(numbers.c.n).where(numbers.c.n >= 3))  # other parameters: asked
    assert list(other["n"]) == [3] and len(sent) == 2
    wh.engine.dispose()


def test_a_write_to_the_file_is_read_at_once(sqlite_file):
    wh = Warehouse(f"sqlite:///{sqlite_file}")
    total = select(func.sum(numbers.c.n))
    assert wh.scalar(total) == 6
    con = sqlite3.connect(sqlite_file)
    con.execute("INSERT INTO numbers VALUES (10)")
    con.commit()
    con.close()
    assert wh.scalar(total) == 16  # no generation() call in between: the file's stat() decides
    wh.engine.dispose()


def test_a_file_swapped_between_the_look_and_the_query_is_never_kept_as_the_new_one(sqlite_file, tmp_path):
    """A rebuild swaps the file just after the reader's generation() and before its query, which the engine's
    open connection answers from the old file: that answer must not be kept as the new file's."""
    wh = Warehouse(f"sqlite:///{sqlite_file}")
    total = select(func.sum(numbers.c.n))
    wh.generation()
    assert wh.scalar(total) == 6  # the pool now holds a connection to this file
    new = tmp_path / "new.sqlite"
    con = sqlite3.connect(new)
    con.execute("CREATE TABLE numbers (n INTEGER)")
    con.execute("INSERT INTO numbers VALUES (100)")
    con.commit()
    con.close()
    wh.generation()
    os.replace(new, sqlite_file)  # the rebuild's swap, between the look and the query
    wh.scalar(total)  # the old connection may still read the old file: either answer, but not kept as the new
    wh.generation()  # the next look sees the new file and starts over on a new engine
    assert wh.scalar(total) == 100
    wh.engine.dispose()


def test_a_writer_always_asks(sqlite_file):
    wh = Warehouse(f"sqlite:///{sqlite_file}", read_only=False)
    sent = _counting(wh)
    wh.frame(select(numbers.c.n))
    wh.frame(select(numbers.c.n))
    assert len(sent) == 2
    wh.engine.dispose()
