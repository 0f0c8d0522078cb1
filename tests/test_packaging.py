"""Packaging: the wheel holds graphtrace (cli/ as graphtrace.cli) and no top-level `cli`; import stays light."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_graphtrace_is_light():
    code = "import graphtrace, sys; print(sorted(m for m in ('torch', 'networkx', 'click', 'graphviz', 'graphtrace.cli') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_wheel_maps_cli_into_the_package_and_lists_every_subpackage(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("graphtrace-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert not any(t == "cli" or t.startswith("cli.") for t in top_level)
    assert "graphtrace/cli/main.py" in names
    source_packages = {
        "graphtrace/" + str(p.parent.relative_to(ROOT / "graphtrace")).replace(".", "") + "/"
        for p in (ROOT / "graphtrace").rglob("__init__.py")
    }
    for package in source_packages:
        package = package.replace("//", "/")
        assert f"{package}__init__.py" in names, f"{package} is missing from pyproject's package list"
    entry_points = [n for n in names if n.endswith("entry_points.txt")]
    assert entry_points and "graphtrace = graphtrace.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points[0]).decode()
