"""The project's own conventions: pins in step, notebooks papermill and nbval can run, and the
known traps of papermill, nbval and matplotlib (listed in the team guide) kept out."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from casualty_report.paths import REPO_ROOT
from casualty_report.publishing.notebooks import find_notebooks

NOTEBOOKS = find_notebooks()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO_ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[normalise(name)] = version
    return pins


def conda_pins() -> dict[str, str]:
    spec = yaml.safe_load((REPO_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pins = {}
    for dependency in spec["dependencies"]:
        if isinstance(dependency, str):
            name, _, version = dependency.partition("=")
            pins[normalise(name)] = version
        else:  # the pip: section, "name==version" (and the project itself, "-e .")
            for requirement in dependency["pip"]:
                if "==" in requirement:
                    name, _, version = requirement.partition("==")
                    pins[normalise(name)] = version
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_yml_pins_the_same_versions_as_the_lock():
    conda, lock = conda_pins(), lock_pins()
    assert conda.pop("python") == "3.11"
    assert conda.pop("pip") == ""
    assert {name: lock.get(name) for name in conda} == conda


def test_every_declared_dependency_is_in_both_files():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {normalise(re.split(r"[<>=!~\[ ]", requirement)[0]) for requirement in declared}
    assert names <= set(conda_pins()), names - set(conda_pins())
    assert names <= set(lock_pins()), names - set(lock_pins())


def test_there_are_notebooks_named_in_run_order():
    assert [nb.name for nb in NOTEBOOKS] == [
        "01-build-claim-tables.ipynb",
        "02-compare-death-tolls.ipynb",
        "03-chart-injuries-and-arrests.ipynb",
        "04-trace-figures-over-time.ipynb",
        "05-check-the-first-report.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_can_be_run_by_papermill_and_nbval(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    parameters = papermill.inspect_notebook(str(path))
    assert list(parameters) == ["dataset", "data_dir", "scope", "as_of", "output_dir", "figure_formats"]
    assert all(parameter["help"] for parameter in parameters.values())  # papermill --help-notebook
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.source.rstrip().endswith(";"), "nbval shows a ';'-hidden repr anyway"
            assert "../" not in cell.source, "paths are resolved by the package"
            assert cell.execution_count is not None, "the committed outputs are nbval's baseline"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_a_lede_and_keeps_no_run_metadata(path):
    notebook = nbformat.read(path, as_version=4)
    lede = notebook.cells[0]
    assert lede.cell_type == "markdown" and lede.source.startswith("# ")
    for section in ("**The question.**", "**The main caveat.**"):
        assert section in lede.source
    # Nothing event-specific is written into a notebook: it comes from the dataset.
    text = " ".join(cell.source for cell in notebook.cells)
    for word in ("Kazakh", "Almaty", "Tokayev", "164", "5,800"):
        assert word not in text.replace('"kazakhstan-2022-01"', ""), word
    assert "papermill" not in notebook.metadata
    assert all("execution" not in cell.metadata for cell in notebook.cells)


def test_no_file_sets_the_matplotlib_backend_globally():
    for name in ("Makefile", "pyproject.toml", ".ci/run"):
        assert not re.search(r"MPLBACKEND\s*=", (REPO_ROOT / name).read_text(encoding="utf-8")), name


def test_the_readme_set_up_is_two_commands():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(?:\$ )?(make \w+)$", setup, flags=re.MULTILINE)
    assert commands == ["make report", "make test"]


def test_the_schedules_call_the_same_command_as_people():
    workflow = yaml.safe_load(
        (REPO_ROOT / ".github" / "workflows" / "scheduled-report.yml").read_text(encoding="utf-8")
    )
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads "on" as true
    assert triggers["schedule"][0]["cron"] == "0 6 * * *"
    jobs = workflow["jobs"]
    steps = jobs["build"]["steps"]
    assert {
        "name": "Render",
        "id": "render",
        "continue-on-error": True,
        "run": "deploy/scheduled-render --timeout 240",
    } in steps
    # Least privilege (issue 23): nothing by default; the build reads, deploy only publishes
    # Pages, keep only writes the site branch.
    assert workflow["permissions"] == {}
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["keep"]["permissions"] == {"contents": "write"}
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", use) for use in uses), uses
    # The published site is the history: fetched before the render, logs and failures kept out
    # of the package, old runs pruned.
    names = [step.get("name", step.get("uses", "")) for step in steps]
    assert names.index("Start from the published site") < names.index("Render")
    private = next(
        step["run"] for step in steps if step.get("name") == "Keep logs and failed notebooks out of the site"
    )
    assert all(f"{kept}" in private for kept in ("render.log", "logs", "failed")) and "prune" in private
    assert names.index("Keep logs and failed notebooks out of the site") < names.index("Package the site")
    cron = [
        line
        for line in (REPO_ROOT / "deploy" / "crontab.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "CRON_TZ"))
    ]
    assert (
        len(cron) == 1 and cron[0].startswith("0 6 * * * ") and cron[0].endswith("/deploy/scheduled-render")
    )
    script = (REPO_ROOT / "deploy" / "scheduled-render").read_text(encoding="utf-8")
    assert "git pull --ff-only" in script and 'render --params params/*.yml "$@"' in script
    # What `make report` would run (make -n prints it, expanded, without running it).
    planned = subprocess.run(
        ["make", "-n", "--no-print-directory", "report", "VENV=.venv"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert planned[-1] == ".venv/bin/casualty-report render --params params/*.yml ", planned


def test_the_parameter_spec_matches_the_notebooks():
    from casualty_report.parameters import PARAMETERS

    for path in NOTEBOOKS:
        assert list(papermill.inspect_notebook(str(path))) == list(PARAMETERS), path.name


def test_environment_yml_is_what_make_lock_writes():
    script = REPO_ROOT / "requirements" / "environment.py"
    written = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    assert (REPO_ROOT / "environment.yml").read_text(encoding="utf-8") == written, "run make lock"


PACKAGE = REPO_ROOT / "src" / "casualty_report"


#: The package's layers, lowest first (docs/architecture.md): a module imports its own layer and
#: those below it, never one above. The root holds the shared contract (errors, paths, inputs,
#: conventions, parameters) and, on top of everything, the entry points.
LAYERS = ("contract", "ledger", "content", "publishing", "entry")
ENTRY_POINTS = {"casualty_report", "casualty_report.cli", "casualty_report.__main__"}


def layer_of(module: str) -> str:
    """``casualty_report.ledger.files`` -> "ledger"; a root module -> "contract" or "entry"."""
    if module in ENTRY_POINTS:
        return "entry"
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or parts[1] in LAYERS else "contract"


def imports_of(package: Path) -> dict[str, set[str]]:
    """Each module of the package (dotted, subfolders included) -> the package's modules it
    imports, at any depth of the file (a function-local import is still a dependency). A name
    imported from a package is a module if the package has one by that name."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for module, path in modules.items():
        imported = set()
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:  # from ..publishing import site
                base = ".".join(here.split(".")[: len(here.split(".")) - node.level + 1])
                node.module, node.level = ".".join(filter(None, (base, node.module))), 0
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package.name):
                named = {f"{node.module}.{alias.name}" for alias in node.names}
                imported |= named & modules.keys()
                if named - modules.keys():  # names defined in the module itself
                    imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names} & modules.keys()
        graph[module] = imported - {module}
    return graph


def layering_faults(package: Path) -> list[str]:
    """Every import cycle and every import of a higher layer, in words."""
    graph = imports_of(package)
    faults = [
        f"{module} ({layer_of(module)}) imports {imported} ({layer_of(imported)})"
        for module, imports in graph.items()
        for imported in sorted(imports)
        if LAYERS.index(layer_of(imported)) > LAYERS.index(layer_of(module))
    ]
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            faults.append("import cycle: " + " -> ".join((*path[path.index(module) :], module)))
        elif module not in done:
            for imported in sorted(graph.get(module, ())):
                visit(imported, (*path, module))
            done.add(module)

    for module in sorted(graph):
        visit(module, ())
    return faults


def test_the_package_is_layered_with_no_cycle_and_no_module_much_over_350_lines():
    """issues 11 and 22: modules split by concern stay small ("about 350 lines": at most 365), in
    a folder per layer, none importing a layer above it or one that needs it back, and the top
    folder holds at most eight modules beside the layer folders."""
    graph = imports_of(PACKAGE)
    assert graph["casualty_report.publishing.render"] >= {
        "casualty_report.publishing.fingerprint",
        "casualty_report.publishing.publish",
    }  # the graph is real
    assert {layer_of(module) for module in graph} == set(LAYERS)
    assert layering_faults(PACKAGE) == []
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert max(sizes.values()) <= 365, sorted(sizes.items(), key=lambda item: -item[1])[:3]
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    assert sorted(
        path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"
    ) == [
        "content",
        "ledger",
        "publishing",
    ]


def test_the_layering_check_finds_an_upward_import_and_a_cycle(tmp_path):
    """The check above can fail: a ledger module that imports the publishing layer, and two
    content modules that import each other, are both reported."""
    package = tmp_path / "casualty_report"
    for folder in ("ledger", "content", "publishing"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "paths.py").write_text("")
    (package / "publishing" / "site.py").write_text("from casualty_report import paths\n")
    (package / "ledger" / "load.py").write_text("def f():\n    from casualty_report.publishing import site\n")
    (package / "content" / "a.py").write_text("from casualty_report.content import b\n")
    (package / "content" / "b.py").write_text("import casualty_report.content.a\n")
    (package / "ledger" / "files.py").write_text("from ..publishing import site\n")  # relative
    assert layering_faults(package) == [
        "casualty_report.ledger.files (ledger) imports casualty_report.publishing.site (publishing)",
        "casualty_report.ledger.load (ledger) imports casualty_report.publishing.site (publishing)",
        "import cycle: casualty_report.content.a -> casualty_report.content.b -> casualty_report.content.a",
    ]
    assert layering_faults(PACKAGE) == []


def test_adding_an_event_takes_the_steps_the_readme_lists(tmp_path):
    """README, *Adding an event*: copy the fixture's folder, write its Data Package, validate,
    add a parameter set, render (the tiny notebooks: the shared render runs the real ones on
    both real events), print its findings. Each step is the command the README names."""
    from .conftest import FIXTURES, TINY_NOTEBOOKS, run_cli

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    steps = readme.split("### Adding an event", 1)[1].split("\n## ", 1)[0]
    for command in (
        'make datapackage ARGS="--dataset <dataset>"',
        'make validate ARGS="--dataset <dataset>"',
        "params/<dataset>.yml",
        "make report",
        "casualty-report findings --dataset <dataset>",
    ):
        assert command in steps, f"the README's steps no longer name {command}"
    data, dataset = tmp_path / "data", "newland-2032"
    shutil.copytree(FIXTURES / "exampleland-2031", data / dataset)  # 1
    where = ("--dataset", dataset, "--data-dir", str(data))
    assert run_cli("datapackage", *where).returncode == 0  # 2
    assert (data / dataset / "datapackage.json").exists()
    validated = run_cli("validate", *where)
    assert validated.returncode == 0 and validated.stdout.startswith("OK:"), (
        validated.stdout + validated.stderr
    )
    params = tmp_path / "params" / f"{dataset}.yml"  # 3
    params.parent.mkdir()
    params.write_text(f"dataset: {dataset}\ndata_dir: {data}\n", encoding="utf-8")
    out = tmp_path / "reports"
    rendered = run_cli(
        "render", "--params", str(params), "--out", str(out), "--notebooks", str(TINY_NOTEBOOKS)
    )
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    run = (out / "latest" / dataset).resolve()
    assert run.name.startswith(f"{dataset}-") and (run / "index.html").exists()
    assert "Exampleland, March 2031" in (out / "index.html").read_text(encoding="utf-8")
    found = run_cli("findings", *where)  # 4
    assert found.returncode == 0, found.stderr
