"""The architecture as a test: the layers contract in pyproject.toml ([tool.importlinter]) holds,
lists no exceptions, and the package has no import cycle between modules."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_layers_contract_passes():
    command = "import sys; from importlinter.cli import lint_imports_command as lint; sys.exit(lint())"
    done = subprocess.run([sys.executable, "-c", command, "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_contract_lists_no_exceptions_and_covers_every_room():
    contracts = _contracts()
    assert contracts, "no import contract in pyproject.toml"
    for contract in contracts:
        assert not contract.get("ignore_imports"), f"{contract['name']} lists exceptions"
        assert not contract.get("unmatched_ignore_imports_alerting")
    named = {room.strip() for contract in contracts for layer in contract.get("layers", [])
             for room in layer.split("|")}
    rooms = {f"pipeline.{path.stem if path.is_file() else path.name}"
             for path in (ROOT / "pipeline").iterdir()
             if (path.suffix == ".py" and path.stem != "__init__")
             or (path.is_dir() and (path / "__init__.py").exists())}
    assert rooms - named == set(), f"rooms missing from the layers contract: {rooms - named}"


def test_no_import_cycle_between_modules():
    import grimp

    graph = grimp.build_graph("pipeline", cache_dir=None)
    modules = sorted(graph.modules)
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == module or not imported.startswith("pipeline"):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            assert back is None, f"import cycle: {module} -> {' -> '.join(back)}"
