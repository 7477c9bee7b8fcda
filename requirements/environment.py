"""Write environment.yml from pyproject.toml's direct dependencies and requirements/lock.txt's pins.

`make lock` runs this after re-resolving the lock, so conda users get the same versions as .venv.
Usage: python requirements/environment.py > environment.yml
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not on conda-forge (or not in step with PyPI there): installed by pip inside the conda env.
PIP_ONLY = {
    "playwright": "the browser test drives the system's Chromium (Debian: apt-get install chromium)",
    "axe-playwright-python": "ships axe-core, so the accessibility audit runs offline",
}
# conda-forge spells a few names differently from PyPI.
CONDA_NAMES = {"jupyter-client": "jupyter_client"}
# Not direct dependencies, but pinned for conda too: outputs are compared byte for byte.
ALSO_PINNED = ("numpy",)
HEADER = """\
# For people who use conda:  conda env create -f environment.yml && conda activate casualty-report
# Without conda, `make report` builds .venv from requirements/lock.txt with the same pins.
# Written by `make lock` (requirements/environment.py) from pyproject.toml and the lock;
# tests/test_project.py checks that every version here equals the lock's.
name: casualty-report
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
"""


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def pins() -> dict[str, str]:
    lines = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))
    return {name.strip().lower().replace("_", "-"): version.strip() for name, version in pairs}


def render() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [_name(r) for r in project["dependencies"]]
    dev = [_name(r) for r in project["optional-dependencies"]["dev"]]
    locked = pins()
    missing = [name for name in runtime + dev if name not in locked]
    if missing:
        raise SystemExit(f"requirements/lock.txt has no pin for {', '.join(missing)}: run make lock")
    out = [HEADER.rstrip("\n")]
    for heading, names in (("runtime", [*runtime, *ALSO_PINNED]), ("notebooks and tests", dev)):
        out.append(f"  # {heading}")
        out += [f"  - {CONDA_NAMES.get(name, name)}={locked[name]}" for name in names if name not in PIP_ONLY]
    out.append("  - pip:")
    for name, why in PIP_ONLY.items():
        out += [f"      # {why}", f"      - {name}=={locked[name]}"]
    out.append("      - -e .")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
