"""Parameters mean one thing by every route (render, plain papermill, JupyterLab), scheduled sets
cannot drift with a notebook's saved defaults, and no error message floods a log."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys

import nbformat
import papermill
import pytest

from casualty_report.errors import ParameterError
from casualty_report.errors import ParameterError as RenderParameterError
from casualty_report.inputs import shown
from casualty_report.parameters import PARAMETERS, check_notebook, defaults, load_parameter_sets, problems
from casualty_report.paths import REPO_ROOT
from casualty_report.publishing.notebooks import find_notebooks
from casualty_report.publishing.render import render

from .test_render import tree

#: A 300-byte file that stands for about 4^6 nested lists when its aliases are expanded.
ALIAS_BOMB = (
    "a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: &d [*c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d]\nf: &f [*e, *e, *e, *e]\nscope: [*f, *f, *f, *f]\n"
)
LONGEST_MESSAGE = 400  # characters: "a few hundred" at most, whatever the input


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casualty_report", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_notebook_declares_the_specs_defaults():
    for path in find_notebooks():
        declared = papermill.inspect_notebook(str(path))
        for name, spec in PARAMETERS.items():
            assert ast.literal_eval(declared[name]["default"]) == spec.default, (path.name, name)


def test_every_notebook_checks_its_parameters_first():
    for path in find_notebooks():
        cells = nbformat.read(path, as_version=4).cells
        first = next(i for i, cell in enumerate(cells) if "parameters" in cell.metadata.get("tags", []))
        after = next(cell for cell in cells[first + 1 :] if cell.cell_type == "code")
        assert "check_notebook(globals())" in after.source, path.name


def test_plain_papermill_refuses_a_bad_as_of_in_renders_words(tmp_path):
    with pytest.raises(RenderParameterError) as refused:
        render(tmp_path / "reports", {"as_of": "10/01/2022"}, log=lambda _: None)
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        papermill.execute_notebook(
            str(find_notebooks()[3]),
            str(tmp_path / "out.ipynb"),
            parameters={"as_of": "10/01/2022"},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(REPO_ROOT),
        )
    assert failed.value.ename == "ParameterError"
    assert str(refused.value).endswith(failed.value.evalue)  # render prefixes the set's name
    assert failed.value.evalue == (
        "parameter 'as_of': got '10/01/2022'; expected a date written YYYY-MM-DD, not in the future, or null"
    )


def test_the_notebook_check_is_the_render_check():
    """What JupyterLab runs on the notebook's namespace."""
    namespace = {**defaults(), "output_dir": "anywhere", "as_of": "2031-01-01", "other": 1}
    with pytest.raises(ParameterError, match="parameter 'as_of': got '2031-01-01'; expected a date"):
        check_notebook(namespace)
    check_notebook({**defaults(), "output_dir": "anywhere", "scope": "Almaty", "as_of": "2022-01-10"})


def test_an_edited_notebook_default_does_not_change_a_shipped_set(published, tmp_path):
    """A scope saved in JupyterLab once published the Almaty comparison as `everything`.

    The notebook's page, tables and figures must be byte for byte the shared render's: this is
    also the check that two renders of the same inputs, in two kernels, are byte-identical."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO_ROOT / "notebooks", notebooks)
    edited = notebooks / "02-compare-death-tolls.ipynb"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace(
            'scope: \\"Optional[str]\\" = None', 'scope: \\"Optional[str]\\" = \\"Almaty\\"'
        ),
        encoding="utf-8",
    )
    assert '= \\"Almaty\\"' in edited.read_text(encoding="utf-8")
    (run,) = load_parameter_sets([REPO_ROOT / "params" / "everything.yml"])
    result = render(
        tmp_path / "reports", run.parameters, name="everything", notebooks=[edited], log=lambda _: None
    )
    manifest = json.loads((result.directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == {**defaults(), **run.parameters}  # the full set, recorded
    made = tree(result.directory)
    outputs = sorted(name for name in made if name.startswith(("tables/", "figures/", "02-")))
    assert "tables/death-toll-comparison.csv" in outputs and "figures/death-tolls.svg" in outputs, outputs
    shipped = tree(published)  # not Almaty's, and the same bytes:
    assert [name for name in outputs if made[name] != shipped.get(name)] == []


def test_a_parameter_on_top_of_a_file_is_another_set():
    (national,) = load_parameter_sets([REPO_ROOT / "params" / "national.yml"])
    (moved,) = load_parameter_sets([REPO_ROOT / "params" / "national.yml"], {"scope": "Almaty"})
    assert national.name == "national"
    assert moved.name == "national-scope-almaty" and moved.parameters["scope"] == "Almaty"


def test_a_long_value_is_quoted_in_one_short_line():
    assert shown("x" * 100_000).endswith("(100,000 characters)") and len(shown("x" * 100_000)) < 120
    assert shown([[1] * 10] * 1000).endswith("(1,000 items)")
    assert shown("Almaty") == "'Almaty'"
    (problem,) = problems({"scope": 7 * 10**100})
    assert len(problem) < 200


def test_a_yaml_alias_bomb_in_a_parameter_file_is_refused_briefly(tmp_path):
    bomb = tmp_path / "bomb.yml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    result = cli("render", "--params", str(bomb), "--out", str(tmp_path / "reports"))
    assert result.returncode == 2
    assert "more than 20 aliases" in result.stderr and len(result.stderr) < LONGEST_MESSAGE, result.stderr[
        :500
    ]
    huge = tmp_path / "huge.yml"
    huge.write_text("scope: " + "x" * 200_000 + "\n", encoding="utf-8")
    result = cli("render", "--params", str(huge), "--out", str(tmp_path / "reports"))
    assert (
        result.returncode == 2
        and "larger than the 65,536 bytes allowed" in result.stderr
        and len(result.stderr) < LONGEST_MESSAGE
    )


def test_a_yaml_alias_bomb_in_dataset_yml_is_refused_briefly(ledger_copy):
    (ledger_copy / "dataset.yml").write_text(ALIAS_BOMB, encoding="utf-8")
    result = cli("validate", "--data-dir", str(ledger_copy))
    assert result.returncode == 1
    assert "more than 20 aliases" in result.stdout + result.stderr
    assert len(result.stdout + result.stderr) < LONGEST_MESSAGE


def test_validate_quotes_a_huge_cell_briefly(ledger_copy):
    claims = ledger_copy / "claims.csv"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace(",164,,at_least,", "," + "9" * 100_000 + ",,at_least,", 1),
        encoding="utf-8",
    )
    result = cli("validate", "--data-dir", str(ledger_copy))
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "(100,000 characters)" in output and len(output) < LONGEST_MESSAGE, output[:500]


# --- parameters within bounds (issue 23) --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("scope: Almaty\nscope: Taraz\n", "line 2: key 'scope' is set twice"),
        ("as_of: " + "1" * 5000 + "\n", "a number of more than 30 digits"),
        ("figure_formats: " + "[" * 3000 + "]" * 3000 + "\n", "nested deeper than 20 levels"),
    ],
    ids=["duplicate-key", "huge-number", "deep-nesting"],
)
def test_a_parameter_file_out_of_bounds_names_the_file(tmp_path, text, said):
    path = tmp_path / "odd.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RenderParameterError, match=said) as caught:
        load_parameter_sets([path])
    assert str(path) in str(caught.value)


def test_a_huge_or_endless_parameter_file_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.yml"
    with huge.open("wb") as handle:
        handle.truncate(300 * 2**20)
    with pytest.raises(RenderParameterError, match="larger than the 65,536 bytes allowed"):
        load_parameter_sets([huge])
    endless = tmp_path / "endless.yml"
    endless.symlink_to("/dev/zero")
    with pytest.raises(RenderParameterError, match="a symbolic link"):
        load_parameter_sets([endless])


@pytest.mark.parametrize("value", ["9" * 5000, "[" * 5000 + "]" * 5000])
def test_a_command_line_value_out_of_bounds_names_its_key(value):
    from casualty_report.parameters import parse_parameter

    with pytest.raises(
        RenderParameterError, match="parameter 'scope': a number too long or a value nested too deep"
    ):
        parse_parameter(f"scope={value}")


def test_a_shipped_set_name_cannot_carry_other_parameters():
    """`--name national -p scope=Almaty` would replace the shipped national report and latest."""
    with pytest.raises(
        RenderParameterError, match="'national' is the shipped parameter set params/national.yml"
    ):
        load_parameter_sets((), {"scope": "Almaty"}, "national")
    import yaml

    own = yaml.safe_load((REPO_ROOT / "params" / "national.yml").read_text(encoding="utf-8"))
    assert load_parameter_sets((), own, "national")[0].name == "national"  # its own parameters: fine
