"""Every data set under data/ is exactly what its seeded generator in data/generators/ writes: re-running a
generator reproduces the shipped files byte for byte, and the folder holds nothing the generator did not write.
A generator may also name DERIVED_FILES (model outputs computed from its files, e.g. grocery_search's MiniLM
vectors): floats are not byte-identical across CPUs, so the lecture's own test checks those with a tolerance."""
from __future__ import annotations

import pytest

from datagen import GENERATORS_DIR, load_generator
from llmcourse.paths import DATA_DIR

GENERATORS = sorted(p.stem for p in GENERATORS_DIR.glob("*.py"))


def test_every_data_folder_has_a_generator():
    folders = {p.name for p in DATA_DIR.iterdir() if p.is_dir() and p.name != "generators"}
    assert folders == set(GENERATORS), f"folders without a generator: {folders - set(GENERATORS)}"


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_reproduces_shipped_files_byte_for_byte(name, tmp_path):
    load_generator(name).write(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    derived = set(getattr(load_generator(name), "DERIVED_FILES", ()))
    shipped = sorted(p.name for p in (DATA_DIR / name).iterdir() if p.name not in derived)
    assert derived <= {p.name for p in (DATA_DIR / name).iterdir()}, f"data/{name}/ lacks {derived}"
    assert written == shipped, f"data/{name}/ holds {shipped}, but its generator writes {written}"
    for file in written:
        assert (tmp_path / file).read_bytes() == (DATA_DIR / name / file).read_bytes(), (
            f"data/{name}/{file} differs from what data/generators/{name}.py writes: regenerate it, never edit it")


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_has_a_fixed_seed(name):
    assert hasattr(load_generator(name), "SEED"), f"data/generators/{name}.py should define its SEED"
