"""The layers of docs/architecture.md, checked from the code's own imports (module-level and inside functions).

- a module imports only its own app or apps of lower layers (the API layer on top may import anything);
- no import circles between modules;
- nothing outside the API layer imports DRF, drf-spectacular, `frontend_api` or `ApiError`;
- nothing imports `config` (it is the one place that knows every app);
- an import inside a function says why on its line or the line above (the app registry, usually).

Reading the source with `ast` keeps this test free of import side effects, so it also catches imports that
only run inside functions."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "accounts",
    "studios",
    "crm",
    "galleries",
    "bookings",
    "contracts",
    "billing",
    "workflows",
    "proposals",
    "cms",
    "studio_settings",
    "frontend_api",
)
API = 9
# Lower number = lower layer. Plan limits are billing's bottom half: every feature may ask them.
LAYERS = {
    "accounts": 1,
    "studios": 1,
    "billing.limits": 2,
    "billing.models": 2,
    "crm": 3,
    "galleries": 4,
    "bookings": 4,
    "contracts": 5,
    "billing": 6,
    "workflows": 7,
    "proposals": 7,
    "cms": 8,
    "studio_settings": 8,
    "frontend_api": API,
}
API_ONLY = ("rest_framework", "drf_spectacular", "frontend_api")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


SOURCES = _sources()


def layer_of(module: str) -> int | None:
    """The layer of a project module, None for config (outside the layers: it knows every app)."""
    parts = module.split(".")
    if parts[0] == "config":
        return None
    if "api" in parts[1:]:
        return API
    for depth in (2, 1):
        key = ".".join(parts[:depth])
        if key in LAYERS:
            return LAYERS[key]
    raise AssertionError(f"{module} belongs to no layer: add its app to LAYERS and docs/architecture.md")


class _Imports(ast.NodeVisitor):
    """(line, imported module, names, inside a function) for every import statement."""

    def __init__(self, module: str, is_package: bool):
        self.module, self.is_package = module, is_package
        self.found: list[tuple[int, str, list[str], bool]] = []
        self._depth = 0

    def _function(self, node):
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node):
        for alias in node.names:
            self.found.append((node.lineno, alias.name, [], self._depth > 0))

    def visit_ImportFrom(self, node):
        if node.level:
            package = self.module.split(".")
            package = package if self.is_package else package[:-1]
            base = package[: len(package) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        self.found.append((node.lineno, target, [a.name for a in node.names], self._depth > 0))


def imports_of(module: str):
    path = SOURCES[module]
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(), filename=str(path)))
    return visitor.found


def _resolve(target: str, names: list[str]) -> set[str]:
    """The project modules an import statement loads (`from pkg import module` loads pkg.module)."""
    loaded = set()
    if target in SOURCES:
        loaded.add(target)
    for name in names:
        if f"{target}.{name}" in SOURCES:
            loaded.add(f"{target}.{name}")
    if not loaded:
        parts = target.split(".")
        while parts and ".".join(parts) not in SOURCES:
            parts.pop()
        if parts:
            loaded.add(".".join(parts))
    return loaded


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module in SOURCES:
        edges = set()
        for _line, target, names, _inside in imports_of(module):
            if target.split(".")[0] in APPS:
                edges |= _resolve(target, names) - {module}
        graph[module] = edges
    return graph


GRAPH = _graph()


def _app(module: str) -> str:
    return module.split(".")[0]


def test_every_module_belongs_to_a_layer():
    for module in SOURCES:
        layer_of(module)


def climbs(module: str, target: str) -> str | None:
    """Why `module` may not import `target`, or None when it may."""
    mine, theirs = layer_of(module), layer_of(target)
    if mine is None:
        return None  # config knows every app
    if theirs is None:
        return "nothing imports config"
    if mine == API or theirs < mine or (theirs == mine and _app(module) == _app(target)):
        return None
    return f"layer {mine} imports layer {theirs}"


def test_imports_only_run_down_the_layers():
    upward = [
        f"{module} -> {target}: {reason}"
        for module, targets in GRAPH.items()
        for target in targets
        if (reason := climbs(module, target))
    ]
    assert not upward, "Imports that climb or cross a layer:\n" + "\n".join(sorted(upward))


def test_no_import_circles():
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(GRAPH[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not circles, "Import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_only_the_api_layer_speaks_http():
    leaks = []
    for module in SOURCES:
        if layer_of(module) in (API, None):
            continue
        for line, target, names, _inside in imports_of(module):
            if target.split(".")[0] in API_ONLY or "ApiError" in names:
                leaks.append(f"{SOURCES[module].relative_to(ROOT)}:{line} imports {target}")
    assert not leaks, "Below the API layer but importing DRF, frontend_api or ApiError:\n" + "\n".join(leaks)


def _has_reason(lines: list[str], line: int) -> bool:
    """A comment on the import's line, or above it across the block of imports (and blank lines) it is in."""
    if "#" in lines[line - 1]:
        return True
    for above in reversed(lines[: line - 1]):
        text = above.strip()
        if text.startswith("#"):
            return True
        if text and not text.startswith(("from ", "import ")):
            return False
    return False


def test_function_level_imports_say_why():
    silent = []
    for module, path in SOURCES.items():
        lines = path.read_text().splitlines()
        for line, target, _names, inside in imports_of(module):
            if not inside:
                continue
            if not _has_reason(lines, line):
                silent.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not silent, "Imports inside functions without a reason:\n" + "\n".join(silent)


@pytest.mark.parametrize(
    ("module", "target", "allowed"),
    [
        ("studios.tenancy", "galleries.models", False),
        ("galleries.models", "billing.limits", True),
        ("galleries.models", "billing.invoicing", False),
        ("bookings.scheduling", "contracts.issuing", False),
        ("bookings.scheduling", "galleries.models", False),
        ("contracts.issuing", "bookings.models", True),
        ("cms.blocks", "frontend_api.renditions", False),
        ("bookings.api.views", "billing.invoicing", True),
        ("billing.limits", "billing.invoicing", False),
        ("cms.models", "studio_settings.team", False),
        ("studios.models", "config.settings.base", False),
    ],
)
def test_the_layer_rule_itself(module, target, allowed):
    """The checker refuses what the layers forbid (so a green run means something)."""
    assert (climbs(module, target) is None) is allowed
