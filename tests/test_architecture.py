"""The limits issue 13 set on the code's shape, checked on every run (the
import rules are import-linter's, in ``pyproject.toml``): a thin window, no
class that grows into a god object, SQL only in ``storage/``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("desktop", "widgets", "storage")
#: An SQL statement in a string, written as this code base writes SQL: an
#: upper-case keyword that opens a statement, then a clause that only SQL has
#: (so that "Delete the passage" or "Select articles" in a label are not SQL),
#: or transaction control on its own.
SQL = re.compile(r"^\s*(?:(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|REPLACE)\s"
                 r"[\s\S]*\b(?:FROM|INTO|SET|TABLE|INDEX|TRIGGER|VIEW|AS)\b"
                 r"|(?:BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|VACUUM|ANALYZE)\b)")


def _modules(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_the_main_window_stays_thin():
    lines = (ROOT / "desktop" / "gui" / "main_window.py").read_text().count("\n")
    assert lines < 400


def test_no_class_has_more_than_40_methods():
    big = [(f"{path.relative_to(ROOT)}:{node.name}", count)
           for path, tree in _modules(*PACKAGES)
           for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
           if (count := sum(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                            for item in node.body)) > 40]
    assert big == []


def _sql_strings(tree: ast.AST) -> list[str]:
    """String constants (f-strings' literal parts included) that read as SQL
    statements, docstrings aside."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and SQL.match(node.value)]


def test_no_sql_outside_storage():
    found = {str(path.relative_to(ROOT)): strings
             for path, tree in _modules("desktop", "widgets")
             if (strings := _sql_strings(tree))}
    assert found == {}


def test_the_sql_check_sees_sql():
    """(The check above must be able to fail.)"""
    tree = ast.parse('db.execute("SELECT id, text FROM articles ORDER BY id")\n'
                     'db.execute(f"DELETE FROM passages WHERE id = {x}")\n'
                     'conn.execute("BEGIN")\n'
                     'label = "Select the articles to export"\n'
                     'hint = "delete articles with their passages"\n')
    assert len(_sql_strings(tree)) == 3


def test_no_transaction_outside_storage():
    """Transactions are opened by ``storage/`` (journal steps, the writer's
    transactions), never by the window or the command line."""
    opened = [f"{path.relative_to(ROOT)}:{node.lineno}"
              for path, tree in _modules("desktop", "widgets")
              for node in ast.walk(tree)
              if isinstance(node, ast.Attribute)
              and node.attr in ("atomic", "write_transaction", "transaction", "commit",
                                "rollback")]
    assert opened == []
