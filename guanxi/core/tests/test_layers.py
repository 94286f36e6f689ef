"""The layers hold: nothing in a lower app reaches up to a higher one.

    core, accounts                                   0
      ← customers                                    1
        ← sales, orders, analytics, service, marketing, portal   2 (peer domain apps)
          ← integrations                             3
            ← demo                                   4

Every ``.py`` under ``guanxi/<app>/`` (tests included; imports at module level and inside
functions, absolute and relative) and every template under ``guanxi/<app>/templates/``
(``{% include %}`` and ``{% extends %}`` of another app's template, ``{% load %}`` of a tag
library, counted as the app whose ``templatetags/`` holds it) may only reference its own layer
or lower ones. A higher app reaches a lower page through its plug-in points instead (see
docs/architecture.md).

The project-level files — ``guanxi/settings.py``, ``urls.py``, ``api.py``, ``cli.py``,
``wsgi.py`` and the shell templates in ``guanxi/templates/`` (``base.html`` …) — compose every
app and are outside the layers, so they are not checked.

Peer domain apps (layer 2) may call each other's ``selectors`` and ``services`` but:

* their references form no cycle (one would make each unable to change without the other);
* none imports another's ``models`` outside an ``if TYPE_CHECKING:`` block: another app's rows
  are read and written through the owning app's selectors and services (foreign keys name the
  model as a string). Tests are exempt from this one: they may build or check a peer's rows.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # guanxi/
LAYER = {"core": 0, "accounts": 0, "customers": 1, "sales": 2, "orders": 2, "analytics": 2,
         "service": 2, "marketing": 2, "portal": 2, "integrations": 3, "demo": 4}
PEERS = {app for app, layer in LAYER.items() if layer == 2}

INCLUDE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _apps() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name in LAYER)


def _app_of_module(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) > 1 and parts[0] == "guanxi" and parts[1] in LAYER:
        return parts[1]
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if hasattr(sub, "lineno"):
                        lines.add(sub.lineno)
    return lines


@cache
def python_references() -> list[tuple[str, int, str, str, bool]]:
    """(file, line, module imported, its app, under TYPE_CHECKING) for every import of
    another app anywhere in an app's Python files."""
    out = []
    for app in _apps():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            typing_only = _type_checking_lines(tree)
            here = _module_name(path).split(".")
            package = here if _is_package(path) else here[:-1]
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        base = ".".join(package[:len(package) - node.level + 1]
                                        + ([base] if base else []))
                    names = [base] + [f"{base}.{a.name}" for a in node.names]
                for name in names:
                    target = _app_of_module(name)
                    if target and target != app:
                        out.append((str(path.relative_to(ROOT)), node.lineno, name, target,
                                    node.lineno in typing_only))
    return out


def _template_owners() -> dict[str, str]:
    owners = {}
    for app in _apps():
        base = ROOT / app / "templates"
        for path in base.rglob("*.html") if base.exists() else []:
            owners[str(path.relative_to(base))] = app
    return owners


def _library_owners() -> dict[str, str]:
    return {path.stem: path.parent.parent.name
            for app in _apps() for path in (ROOT / app / "templatetags").glob("*.py")
            if path.stem != "__init__"}


@cache
def template_references() -> list[tuple[str, int, str, str]]:
    """(file, line, what it names, owning app) for includes, extends and loads of another
    app's template or tag library."""
    templates, libraries = _template_owners(), _library_owners()
    out = []
    for app in _apps():
        base = ROOT / app / "templates"
        for path in sorted(base.rglob("*.html")) if base.exists() else []:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in INCLUDE.finditer(line):
                    owner = templates.get(match.group(1))
                    if owner and owner != app:
                        out.append((str(path.relative_to(ROOT)), number, match.group(1), owner))
                for match in LOAD.finditer(line):
                    words = match.group(1).split()
                    names = words[words.index("from") + 1:] if "from" in words else words
                    for name in names:
                        owner = libraries.get(name)
                        if owner and owner != app:
                            out.append((str(path.relative_to(ROOT)), number,
                                        f"{{% load {name} %}}", owner))
    return out


def _source_app(file: str) -> str:
    return file.split("/", 1)[0]


def test_no_app_reaches_up_a_layer() -> None:
    upward = []
    for file, line, name, target, _typing in python_references():
        if LAYER[target] > LAYER[_source_app(file)]:
            upward.append((file, line, name, target))
    for file, line, name, target in template_references():
        if LAYER[target] > LAYER[_source_app(file)]:
            upward.append((file, line, name, target))
    assert upward == [], "\n".join(f"{f}:{n}: {s} (layer {LAYER[t]})"
                                   for f, n, s, t in upward)


def _peer_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for file, _line, _name, target, typing_only in python_references():
        source = _source_app(file)
        if source in PEERS and target in PEERS and not typing_only:
            graph[source].add(target)
    for file, _line, _name, target in template_references():
        source = _source_app(file)
        if source in PEERS and target in PEERS:
            graph[source].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` (as the apps along it), or [] when it has none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_find_cycle_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) == []


def test_peer_domain_apps_reference_each_other_without_a_cycle() -> None:
    graph = _peer_graph()
    assert find_cycle(graph) == [], f"peer apps in a cycle: {dict(graph)}"


def test_peer_domain_apps_use_no_other_apps_models() -> None:
    lines = []
    for file, line, name, target, typing_only in python_references():
        source = _source_app(file)
        if (source in PEERS and target in PEERS and not typing_only
                and "/tests/" not in f"/{file}" and name.split(".")[2:3] == ["models"]):
            lines.append(f"{file}:{line}: {name}")
    assert lines == [], "use the owning app's selectors or services:\n" + "\n".join(lines)


def test_the_checks_see_function_level_imports_and_loads() -> None:
    """The walkers find what they are meant to: a guard against a check that passes because
    it looks at nothing."""
    refs = python_references()
    assert any(f.startswith("integrations/") and t == "sales" for f, _l, _n, t, _ty in refs)
    assert any(t == "customers" and f.startswith("sales/plugins.py") for f, _l, _n, t, _ty in refs)
    loads = template_references()
    assert any(n == "{% load guanxi_ui %}" and t == "core" for _f, _l, n, t in loads)
