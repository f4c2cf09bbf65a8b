"""Functions in plugins/ stay under 50 lines and files under 450, data tables excepted."""

import ast
import os

from harness.ansible import ROOT

MAX_FUNCTION = 50
MAX_FILE = 450
DATA_TABLES = ("plugins/module_utils/catalog/instance_data.py",)


def _python_files():
    for dirpath, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                yield os.path.relpath(path, ROOT), path


def test_no_function_over_50_lines():
    long = []
    for rel, path in _python_files():
        with open(path) as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION:
                    long.append("%s:%d %s (%d lines)" % (rel, node.lineno, node.name, length))
    assert long == []


def test_no_file_over_450_lines_but_data_tables():
    big = []
    for rel, path in _python_files():
        with open(path) as handle:
            lines = handle.read().count("\n")
        if lines > MAX_FILE and rel not in DATA_TABLES:
            big.append("%s (%d lines)" % (rel, lines))
    assert big == []
