"""Objects that must cross the sandbox boundary whole: torch models, optimisers and generators; arrays and
tensors that student code changes in place.

Grader -> sandbox (a test hands student code a model or an optimiser to change in place, as ps06 does):
the grader's objects are pickled, which is safe in this direction only (the sandbox may unpickle what the trusted
grader sends; the grader never unpickles anything). After the call the sandbox reports their state as plain data
(`state_of`), and the grader checks it (every name, shape, dtype and type) and writes it back into its own objects
(`apply_state`). The test then inspects its own model, as it would in the notebook.

Arrays and tensors go to the sandbox by value; the ones student code changes in place come back after the call
(`snapshot`, `changed_in_place`) and are written into the test's own (`write_back`), so a test can check that its
input was left alone, or was changed as asked.

Sandbox -> grader (a test looks at `head.hidden` of the student's model): a layer whose class is torch.nn's own
(nn.Linear, nn.Dropout, an nn.Sequential of such) crosses by value (`layer_value`, `rebuild_layer`). The grader
builds a genuine torch.nn object from plain data, so `isinstance(head.hidden, nn.Linear)` holds and calling it runs
torch's code, not the student's.

Imported by the grader as `llmcourse.autograde.mirror` and by the sandbox's kernel as the sibling module `mirror`.
"""
from __future__ import annotations

import sys

if __package__:
    from llmcourse.autograde import wire
else:  # the sandbox's kernel imports its sibling modules without the llmcourse package
    import wire

MAX_LAYER_VALUES = 4_000_000  # bigger torch.nn layers stay in the student's process (handles)


class StateError(Exception):
    """The state the sandbox reported does not fit the grader's object (student code replaced or reshaped it)."""


def _torch():
    return sys.modules.get("torch")


# ---- grader -> sandbox: state written back after a call ----------------------------------------------------------
def state_of(obj):
    """Plain-data state of a model, optimiser or generator after student code ran on it (None: nothing to report)."""
    torch = _torch()
    if torch is None:
        return None
    if isinstance(obj, torch.nn.Module):
        return {"kind": "module",
                "parameters": {name: [p.detach(), p.requires_grad, None if p.grad is None else p.grad.detach()]
                               for name, p in obj.named_parameters()},
                "buffers": {name: b.detach() for name, b in obj.named_buffers()},
                "training": [m.training for m in obj.modules()]}
    if isinstance(obj, torch.optim.Optimizer):
        saved = obj.state_dict()
        return {"kind": "optimizer", "state": [[key, value] for key, value in saved["state"].items()],
                "param_groups": saved["param_groups"]}
    if isinstance(obj, torch.Generator):
        return {"kind": "generator", "state": obj.get_state()}
    return None


def gradients_of(objects: list) -> list[tuple]:
    """(parameter, its .grad) for the lent models' and optimisers' parameters that have one: pickling a tensor
    drops its .grad, so these pairs travel beside the objects (the pickle keeps them the same tensors)."""
    torch = _torch()
    if torch is None:
        return []
    pairs, seen = [], set()
    for obj in objects:
        if isinstance(obj, torch.nn.Module):
            parameters = list(obj.parameters())
        elif isinstance(obj, torch.optim.Optimizer):
            parameters = [p for group in obj.param_groups for p in group["params"]]
        else:
            continue
        for parameter in parameters:
            if parameter.grad is not None and id(parameter) not in seen:
                seen.add(id(parameter))
                pairs.append((parameter, parameter.grad))
    return pairs


def apply_state(obj, state) -> None:
    """Write a state reported by the sandbox into the grader's own object; check everything first, so a state
    that does not fit changes nothing."""
    if state is None:
        return
    torch = _torch()
    if torch is None or type(state) is not dict:
        raise StateError("an object the test passed in came back unreadable")
    kind = state.get("kind")
    if isinstance(obj, torch.nn.Module) and kind == "module":
        _apply_module_state(torch, obj, state)
    elif isinstance(obj, torch.optim.Optimizer) and kind == "optimizer":
        _apply_optimizer_state(obj, state)
    elif isinstance(obj, torch.Generator) and kind == "generator":
        value = state.get("state")
        current = obj.get_state()
        if not (isinstance(value, torch.Tensor) and value.dtype == torch.uint8 and value.shape == current.shape):
            raise StateError("the random generator the test passed in came back changed beyond its state")
        obj.set_state(value)
    else:
        raise StateError(f"the {type(obj).__name__} the test passed in came back as something else")


def _check_tensor(torch, value, like, what: str):
    if not (isinstance(value, torch.Tensor) and value.shape == like.shape and value.dtype == like.dtype):
        raise StateError(f"your code replaced or reshaped {what} of the model the test passed in")
    return value


def _apply_module_state(torch, module, state: dict) -> None:
    parameters, buffers = dict(module.named_parameters()), dict(module.named_buffers())
    theirs, their_buffers, training = state.get("parameters"), state.get("buffers"), state.get("training")
    if type(theirs) is not dict or set(theirs) != set(parameters):
        raise StateError("your code added, removed or renamed parameters of the model the test passed in")
    if type(their_buffers) is not dict or set(their_buffers) != set(buffers):
        raise StateError("your code added, removed or renamed buffers of the model the test passed in")
    modules = list(module.modules())
    if type(training) is not list or len(training) != len(modules) or any(type(t) is not bool for t in training):
        raise StateError("your code changed the layers of the model the test passed in")
    updates = []
    for name, parameter in parameters.items():
        entry = theirs[name]
        if type(entry) is not list or len(entry) != 3 or type(entry[1]) is not bool:
            raise StateError(f"parameter {name} came back unreadable")
        value = _check_tensor(torch, entry[0], parameter, f"parameter {name}")
        grad = None if entry[2] is None else _check_tensor(torch, entry[2], parameter, f"the gradient of {name}")
        updates.append((parameter, value, entry[1], grad))
    for name, buffer in buffers.items():
        _check_tensor(torch, their_buffers[name], buffer, f"buffer {name}")
    with torch.no_grad():
        for parameter, value, requires_grad, grad in updates:
            parameter.copy_(value)
            parameter.requires_grad_(requires_grad)
            parameter.grad = grad
        for name, buffer in buffers.items():
            buffer.copy_(their_buffers[name])
    for layer, flag in zip(modules, training):
        layer.training = flag


def _apply_optimizer_state(optimizer, state: dict) -> None:
    entries, groups = state.get("state"), state.get("param_groups")
    if type(entries) is not list or type(groups) is not list or len(groups) != len(optimizer.param_groups):
        raise StateError("the optimiser the test passed in came back changed beyond its state")
    saved = {}
    for entry in entries:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not int or type(entry[1]) is not dict:
            raise StateError("the optimiser's state came back unreadable")
        saved[entry[0]] = entry[1]
    try:
        optimizer.load_state_dict({"state": saved, "param_groups": groups})
    except Exception as error:
        raise StateError(f"the optimiser's state came back unusable ({type(error).__name__}: {error})") from None


# ---- arrays and tensors passed in, changed in place --------------------------------------------------------------
def snapshot(arrays: list) -> list:
    """Copies of a call's array arguments (`wire.array_leaves`), taken before student code runs."""
    return [a.detach().clone() if hasattr(a, "detach") else a.copy() for a in arrays]


def changed_in_place(arrays: list, before: list) -> list:
    """[position, new value] of every array argument that student code changed in place."""
    changed = []
    for number, (array, old) in enumerate(zip(arrays, before)):
        now = array.detach() if hasattr(array, "detach") else array
        if now.shape != old.shape or now.dtype != old.dtype or _bytes(now) != _bytes(old):
            changed.append([number, now])
    return changed


def _bytes(array) -> bytes:
    return (array.contiguous().numpy() if hasattr(array, "contiguous") else array).tobytes()


def write_back(arrays: list, changed) -> None:
    """Write what student code did in place to the test's own arrays (same shape required), as in the notebook."""
    if changed is None:
        return
    if type(changed) is not list:
        raise StateError("the arrays the test passed in came back unreadable")
    updates = []
    for entry in changed:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not int or \
                not 0 <= entry[0] < len(arrays):
            raise StateError("the arrays the test passed in came back unreadable")
        target, value = arrays[entry[0]], entry[1]
        if type(value).__name__ not in ("Tensor", "ndarray") or tuple(value.shape) != tuple(target.shape):
            raise StateError("your code changed the shape of an array the test passed in")
        updates.append((target, value))
    for target, value in updates:
        if hasattr(target, "copy_"):
            import torch

            with torch.no_grad():
                target.copy_(value if isinstance(value, torch.Tensor) else torch.from_numpy(value))
        elif target.flags.writeable:
            import numpy as np

            np.copyto(target, np.asarray(value), casting="unsafe")


# ---- sandbox -> grader: torch.nn layers by value -----------------------------------------------------------------
def _torch_layer_class(torch, name):
    cls = getattr(torch.nn, name, None) if type(name) is str else None
    if isinstance(cls, type) and issubclass(cls, torch.nn.Module) and cls.__module__.startswith("torch.nn.modules."):
        return cls
    return None


def layer_value(obj, budget: list | None = None):
    """A torch.nn layer (of torch's own class, no hooks, plain attributes) as plain data, or None."""
    torch = _torch()
    if torch is None or not isinstance(obj, torch.nn.Module) or _torch_layer_class(torch, type(obj).__name__) \
            is not type(obj):
        return None
    budget = budget if budget is not None else [MAX_LAYER_VALUES]
    internal = set(vars(torch.nn.Module()))
    fields = vars(obj)
    if any("hook" in key and fields.get(key) for key in internal):
        return None
    try:
        attrs = {key: wire.encode(value) for key, value in fields.items() if key not in internal}
    except wire.WireError:
        return None
    tensors = {}
    for group in ("_parameters", "_buffers"):
        tensors[group] = {}
        for name, tensor in fields[group].items():
            if tensor is not None:
                budget[0] -= tensor.numel()
            tensors[group][name] = None if tensor is None else wire.encode(tensor)
    children = {}
    for name, child in fields["_modules"].items():
        children[name] = None if child is None else layer_value(child, budget)
        if child is not None and children[name] is None:
            return None
    if budget[0] < 0:
        return None
    return {"class": type(obj).__name__, "training": bool(obj.training), "attrs": attrs,
            "parameters": tensors["_parameters"], "buffers": tensors["_buffers"], "children": children}


def rebuild_layer(value, depth: int = 0):
    """The grader's genuine torch.nn object for `layer_value`'s data (strict: anything odd is a WireError)."""
    import inspect

    import torch

    if type(value) is not dict or depth > 16:
        raise wire.WireError("malformed layer")
    cls = _torch_layer_class(torch, value.get("class"))
    if cls is None or type(value.get("training")) is not bool:
        raise wire.WireError("a layer of an unknown class may not cross")
    layer = cls.__new__(cls)
    torch.nn.Module.__init__(layer)
    internal = set(vars(layer))
    for group in ("attrs", "parameters", "buffers", "children"):
        if type(value.get(group)) is not dict:
            raise wire.WireError("malformed layer")
    for key, data in value["attrs"].items():
        static = inspect.getattr_static(cls, key, None)
        if (not key.isidentifier() or key.startswith("__") or key in internal or callable(static)
                or hasattr(static, "__get__")):
            raise wire.WireError(f"a layer attribute {key[:40]!r} may not cross")
        layer.__dict__[key] = wire.decode(data)
    for group, target in (("parameters", layer._parameters), ("buffers", layer._buffers)):
        for key, data in value[group].items():
            tensor = None if data is None else wire.decode(data)
            if tensor is not None and not isinstance(tensor, torch.Tensor):
                raise wire.WireError("malformed layer tensor")
            if tensor is not None and group == "parameters":
                tensor = torch.nn.Parameter(tensor.detach(), requires_grad=tensor.requires_grad)
            target[str(key)] = tensor
    for key, data in value["children"].items():
        layer._modules[str(key)] = None if data is None else rebuild_layer(data, depth + 1)
    layer.training = value["training"]
    return layer
