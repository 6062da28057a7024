"""Objects lent to student code and written back (mirror.py), and torch.nn layers returned by value: unit tests,
then ps06 graded end to end, whose tests hand models and optimisers to the student's functions."""
from __future__ import annotations

import copy
import json
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from torch import nn

from llmcourse.autograde import mirror, wire
from llmcourse.autograde.notebooks import load_template
from llmcourse.autograde.sandbox import Limits
from llmcourse.autograde.verdicts import grade_notebook
from llmcourse.authoring.nbgrader_cells import SOLUTIONS_DIR


def tiny_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.1), nn.Linear(4, 2))


def across(state):
    """What the grader receives: the sandbox's state through the wire (JSON text in between)."""
    return wire.decode(json.loads(json.dumps(wire.encode(state))))


def lend_and_train(model: nn.Module, optimizer) -> tuple[nn.Module, object]:
    """Do what the sandbox does with a lent model and optimiser: unpickle copies, change them in place."""
    their_model, their_optimizer = pickle.loads(pickle.dumps([model, optimizer]))
    their_model.train()
    their_model[0].weight.requires_grad_(False)
    loss = their_model(torch.randn(5, 3)).pow(2).sum()
    loss.backward()
    their_optimizer.step()
    their_model.eval()
    return their_model, their_optimizer


# ---- grader -> sandbox -> grader ----------------------------------------------------------------------------------
def test_state_written_back_equals_what_student_code_did():
    model = tiny_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1)
    their_model, their_optimizer = lend_and_train(model, optimizer)
    mirror.apply_state(model, across(mirror.state_of(their_model)))
    mirror.apply_state(optimizer, across(mirror.state_of(their_optimizer)))
    for (name, ours), theirs in zip(model.named_parameters(), their_model.parameters()):
        assert torch.equal(ours, theirs), name
        assert ours.requires_grad == theirs.requires_grad, name
        assert (ours.grad is None) == (theirs.grad is None)
        assert ours.grad is None or torch.equal(ours.grad, theirs.grad)
    assert not model.training and not any(m.training for m in model.modules())
    assert not model[0].weight.requires_grad
    ours, theirs = optimizer.state_dict(), their_optimizer.state_dict()
    assert ours["state"].keys() == theirs["state"].keys()
    for key in ours["state"]:
        assert torch.equal(ours["state"][key]["exp_avg"], theirs["state"][key]["exp_avg"])
    # the optimiser still drives the grader's own parameters
    before = model[3].weight.detach().clone()
    model(torch.randn(2, 3)).sum().backward()
    optimizer.step()
    assert not torch.equal(before, model[3].weight)


def test_generator_state_written_back():
    generator = torch.Generator().manual_seed(3)
    theirs = pickle.loads(pickle.dumps(generator))
    torch.randint(0, 10, (5,), generator=theirs)
    mirror.apply_state(generator, across(mirror.state_of(theirs)))
    assert torch.equal(torch.rand(3, generator=generator), torch.rand(3, generator=theirs))


def _tamper(state: dict, how: str) -> dict:
    state = copy.deepcopy(state)
    parameters = state["parameters"]
    if how == "renamed":
        parameters["extra.weight"] = parameters.pop("3.weight")
    elif how == "reshaped":
        parameters["3.weight"][0] = torch.zeros(7)
    elif how == "retyped":
        parameters["3.weight"][0] = parameters["3.weight"][0].double()
    elif how == "not_a_tensor":
        parameters["3.weight"][0] = [[0.0] * 4] * 2
    elif how == "flag_not_bool":
        parameters["3.weight"][1] = 1
    elif how == "bad_gradient":
        parameters["3.weight"][2] = torch.zeros(4, 2)
    elif how == "layers_changed":
        state["training"] = state["training"][:-1]
    return state


@pytest.mark.parametrize("how", ["renamed", "reshaped", "retyped", "not_a_tensor", "flag_not_bool", "bad_gradient",
                                 "layers_changed"])
def test_state_that_does_not_fit_is_refused_and_changes_nothing(how):
    model = tiny_model()
    their_model, _ = lend_and_train(model, torch.optim.SGD(model.parameters(), lr=0.5))
    state = _tamper(across(mirror.state_of(their_model)), how)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(mirror.StateError):
        mirror.apply_state(model, state)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert model.training and all(p.requires_grad and p.grad is None for p in model.parameters())


def test_optimiser_state_of_the_wrong_shape_is_refused():
    model = tiny_model()
    optimizer = torch.optim.AdamW(model.parameters())
    state = {"kind": "optimizer", "state": [], "param_groups": []}
    with pytest.raises(mirror.StateError, match="optimiser"):
        mirror.apply_state(optimizer, state)
    with pytest.raises(mirror.StateError, match="came back as something else"):
        mirror.apply_state(model, {"kind": "optimizer", "state": [], "param_groups": []})


# ---- arrays changed in place ---------------------------------------------------------------------------------------
def test_arrays_changed_in_place_are_written_back_and_the_others_left_alone():
    import numpy as np

    ours = [torch.arange(6.0).reshape(2, 3), {"ids": np.arange(4), "keep": np.ones(2)}, (torch.zeros(3),)]
    ours_before = [a.clone() if hasattr(a, "clone") else a.copy() for a in wire.array_leaves(ours)]
    theirs = across(ours)  # what the sandbox decodes
    arrays = wire.array_leaves(theirs)
    assert [tuple(a.shape) for a in arrays] == [(2, 3), (4,), (2,), (3,)]
    before = mirror.snapshot(arrays)
    arrays[0].mul_(2)       # a tensor changed in place
    arrays[1][0] = 99       # an array changed in place
    changed = mirror.changed_in_place(arrays, before)
    assert [number for number, _ in changed] == [0, 1]
    mirror.write_back(wire.array_leaves(ours), across(changed))
    assert torch.equal(ours[0], torch.arange(6.0).reshape(2, 3) * 2)
    assert ours[1]["ids"].tolist() == [99, 1, 2, 3]
    assert np.array_equal(ours[1]["keep"], ours_before[2]) and torch.equal(ours[2][0], ours_before[3])


@pytest.mark.parametrize("changed", [[[0, torch.zeros(5)]], [[7, torch.zeros(2, 3)]], [[0, [1, 2]]], "x"],
                         ids=["reshaped", "no_such_argument", "not_an_array", "malformed"])
def test_in_place_changes_that_do_not_fit_are_refused(changed):
    ours = [torch.ones(2, 3)]
    with pytest.raises(mirror.StateError):
        mirror.write_back(ours, changed)
    assert torch.equal(ours[0], torch.ones(2, 3))


# ---- sandbox -> grader: torch.nn layers by value --------------------------------------------------------------------
def test_torch_layers_come_back_as_genuine_torch_objects():
    model = tiny_model().eval()
    rebuilt = mirror.rebuild_layer(across(mirror.layer_value(model)))
    assert type(rebuilt) is nn.Sequential and type(rebuilt[0]) is nn.Linear and type(rebuilt[2]) is nn.Dropout
    assert not rebuilt.training and rebuilt[2].p == 0.1
    x = torch.randn(4, 3)
    assert torch.equal(rebuilt(x), model(x))
    assert isinstance(rebuilt[0].weight, nn.Parameter) and rebuilt[0].weight.requires_grad


def test_layers_with_hooks_or_foreign_classes_stay_in_the_sandbox():
    hooked = nn.Linear(2, 2)
    hooked.register_forward_hook(lambda *args: None)
    assert mirror.layer_value(hooked) is None

    class Mine(nn.Linear):
        pass

    assert mirror.layer_value(Mine(2, 2)) is None
    assert mirror.layer_value(nn.Sequential(nn.Linear(2, 2), Mine(2, 2))) is None
    assert mirror.layer_value(nn.Embedding(10_000, 500)) is None  # over the size limit: a handle instead


@pytest.mark.parametrize("tamper", [
    lambda v: v.update({"class": "BertModel"}),
    lambda v: v.update({"class": "Popen"}),
    lambda v: v["attrs"].update({"forward": "x"}),
    lambda v: v["attrs"].update({"__class__": "x"}),
    lambda v: v["attrs"].update({"in_features": {"__handle__": 3}}),
    lambda v: v["attrs"].update({"_parameters": {"__dict__": {}}}),
    lambda v: v.update({"training": 1}),
    lambda v: v["parameters"].update({"weight": [1.0, 2.0]}),
], ids=["unknown_class", "not_torch", "shadows_method", "dunder", "handle_inside", "internal", "flag", "not_tensor"])
def test_forged_layers_are_refused(tamper):
    value = across(mirror.layer_value(nn.Linear(2, 3)))
    tamper(value)
    with pytest.raises(wire.WireError):
        mirror.rebuild_layer(value)


# ---- end to end: ps06 hands models and optimisers to the student's functions -----------------------------------------
PS06 = SOLUTIONS_DIR / "ps06_fine_tuning" / "ps06_fine_tuning.ipynb"
WRONG = {
    "freeze_counts_layers_from_minus_n": ("freeze_all_but_top", "test_freeze", '''
def freeze_all_but_top(model, n):
    layers = model.encoder.layer
    if not 0 <= n <= len(layers):
        raise ValueError("n out of range")
    for p in model.parameters():
        p.requires_grad = False
    for layer in layers[-n:]:
        for p in layer.parameters():
            p.requires_grad = True
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable
'''),
    "train_step_without_zero_grad": ("train_step", "test_train_step", '''
def train_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    loss = F.cross_entropy(head(hidden, batch["attention_mask"]), batch["labels"])
    loss.backward()
    trainable = [p for m in (encoder, head) for p in m.parameters() if p.requires_grad]
    torch.nn.utils.clip_grad_norm_(trainable, max_grad_norm)
    optimizer.step()
    return float(loss)
'''),
    "train_step_without_clipping": ("train_step", "test_train_step", '''
def train_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.train(); head.train()
    optimizer.zero_grad()
    hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    loss = F.cross_entropy(head(hidden, batch["attention_mask"]), batch["labels"])
    loss.backward()
    optimizer.step()
    return float(loss)
'''),
    "train_step_replaces_a_parameter": ("train_step", "test_train_step", '''
def train_step(encoder, head, batch, optimizer, max_grad_norm=1.0):
    encoder.embeddings.word_embeddings.weight = nn.Parameter(torch.zeros(3, 3))
    return 1.0
'''),
}


def _grade(notebook: dict, source: Path = PS06):
    scratch = Path(tempfile.mkdtemp(prefix="mirror-test-"))
    try:
        return grade_notebook(load_template(source), json.dumps(notebook).encode(), missing_reason="",
                              workdir=scratch / "work", logdir=scratch / "log", hide=[scratch], limits=Limits())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _with_solution(grade_id: str, source: str) -> dict:
    notebook = json.loads(PS06.read_text())
    cell = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    cell["source"] = source.lstrip()
    return notebook


@pytest.fixture(scope="module")
def ps06_verdicts():
    verdicts = {"reference": _grade(json.loads(PS06.read_text()))}
    for name, (grade_id, _, source) in WRONG.items():
        verdicts[name] = _grade(_with_solution(grade_id, source))
    return verdicts


@pytest.mark.slow
def test_ps06_reference_gets_every_test_point_with_tests_outside_the_sandbox(ps06_verdicts):
    reference = ps06_verdicts["reference"]
    failed = {c.grade_id: c.message for c in reference.cells if c.kind == "test" and not c.passed}
    assert not failed
    assert reference.score == 24 and not reference.cell_errors


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG))
def test_ps06_wrong_in_place_changes_lose_exactly_their_cell(ps06_verdicts, name):
    result = ps06_verdicts[name]
    loses = WRONG[name][1]
    lost = {c.grade_id for c in result.cells if c.kind == "test" and not c.passed}
    assert loses in lost, {c.grade_id: c.message for c in result.cells}
    if name == "train_step_replaces_a_parameter":
        message = next(c.message for c in result.cells if c.grade_id == loses)
        assert "replaced or reshaped parameter embeddings.word_embeddings.weight" in message
    untouched = {"test_encode_pairs", "test_pooling", "test_head_forward", "test_evaluate"}
    assert not lost & untouched, lost


PS04 = SOLUTIONS_DIR / "ps04_bert_pretraining" / "ps04_bert_pretraining.ipynb"
CHANGES_INPUT_IN_PLACE = """
_right_mask_tokens = mask_tokens


def mask_tokens(input_ids, *args, **kwargs):
    masked, labels = _right_mask_tokens(input_ids, *args, **kwargs)
    input_ids.copy_(masked)  # the mistake: the caller's tensor is changed
    return masked, labels
"""


@pytest.mark.slow
def test_ps04_input_changed_in_place_is_seen_by_the_test():
    notebook = json.loads(PS04.read_text())
    position = next(i for i, c in enumerate(notebook["cells"])
                    if c["metadata"].get("nbgrader", {}).get("grade_id") == "mask_tokens")
    notebook["cells"].insert(position + 1, {"cell_type": "code", "id": "in-place", "execution_count": None,
                                            "metadata": {}, "outputs": [], "source": CHANGES_INPUT_IN_PLACE})
    verdicts = {c.grade_id: c for c in _grade(notebook, PS04).cells}
    assert not verdicts["test_mask_tokens_invariants"].passed
    assert "Do not change input_ids in place" in verdicts["test_mask_tokens_invariants"].message
