"""The tests' own layout: shared scenarios live in tests/scenarios.py (browser ones in tests/e2e/helpers.py,
factories in the factories modules), so no module under tests/ imports a test module or a conftest."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _forbidden(module: str) -> bool:
    """A test module (tests.<any>.test_<name>) or a conftest (tests.conftest, tests.<any>.conftest)."""
    parts = module.split(".")
    return parts[0] == "tests" and (parts[-1] == "conftest" or parts[-1].startswith("test_"))


def forbidden_imports(path: Path, root: Path = TESTS) -> list[str]:
    """'<path>:<line> <module>' for each import in the file of a test module or a conftest."""
    package = list(path.relative_to(root.parent).parent.parts)  # e.g. ["tests", "jobs"]
    name = path.relative_to(root.parent)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):  # imports inside functions too
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # `from tests.jobs import conftest` names the module in what it imports
            modules = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [f"{name}:{node.lineno} {m}" for m in modules if _forbidden(m)]
    return found


def test_no_module_imports_a_test_module_or_a_conftest():
    found = [hit for path in sorted(TESTS.rglob("*.py")) for hit in forbidden_imports(path)]
    assert found == [], "import shared helpers from tests/scenarios.py instead:\n" + "\n".join(found)


def test_the_check_sees_each_way_of_writing_such_an_import(tmp_path):
    (tmp_path / "tests" / "jobs").mkdir(parents=True)
    bad = tmp_path / "tests" / "jobs" / "test_bad.py"
    bad.write_text(
        "from tests.shipping.test_shipping import produce\n"
        "from tests.conftest import is_postgres\n"
        "from tests.jobs import conftest\n"
        "import tests.api.test_sales_api\n"
        "from .test_services import approved_order\n"
        "from ..e2e.conftest import DESKTOP\n"
        "def helper():\n"
        "    from tests.jobs.conftest import approved_order\n"
        "from tests.scenarios import ship\n"
        "from tests.jobs.factories import give_routing\n"
        "from . import factories\n"
    )
    assert sorted(forbidden_imports(bad, root=tmp_path / "tests")) == [
        "tests/jobs/test_bad.py:1 tests.shipping.test_shipping",
        "tests/jobs/test_bad.py:2 tests.conftest",
        "tests/jobs/test_bad.py:3 tests.jobs.conftest",
        "tests/jobs/test_bad.py:4 tests.api.test_sales_api",
        "tests/jobs/test_bad.py:5 tests.jobs.test_services",
        "tests/jobs/test_bad.py:6 tests.e2e.conftest",
        "tests/jobs/test_bad.py:8 tests.jobs.conftest",
    ]
