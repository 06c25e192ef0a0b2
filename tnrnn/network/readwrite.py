"""Exports of a :class:`RACNetwork`: networkx graphs and a validated JSON form.

The JSON form (``format = "tnrnn.network"``) holds the spec, the merged flag and the node
and edge arrays as lists of integers. ``version = 1``: the plain RAC (spec keys M, R, L,
T, K; the seven node kinds DELTA..CORE); plain networks are still written as version 1,
and a file without ``version`` is read as version 1. ``version = 2``: members of the family
(:mod:`tnrnn.spec`): the spec also has ``cell`` (a string or one per layer), ``bias`` and
``dilations`` (one per layer), ``R`` may be a list, and ``kinds`` adds ``U``. Reading it never evaluates code:
it checks the schema, the types and ranges of every value, the leg structure
(:meth:`RACNetwork.validate`) and, by default, that the network is exactly the one its
spec compiles to.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._io import write_text_atomic
from ..errors import TnrnnError
from ..spec import RACSpec
from .members import spec_network_size
from .model import _DTYPES, _EDGE_FIELDS, _NODE_FIELDS, NodeKind, RACNetwork

__all__ = ["to_networkx", "to_json", "from_json", "write_json", "read_json"]

FORMAT = "tnrnn.network"
VERSION = 2
_SPEC_KEYS = ("M", "R", "L", "T", "K")
_MEMBER_KEYS = _SPEC_KEYS + ("cell", "bias", "dilations")
_KINDS_V1 = [k.name for k in NodeKind][:7]
_NODE_KEYS = tuple(f[len("node_"):] for f in _NODE_FIELDS)
_EDGE_KEYS = tuple(f[len("edge_"):] for f in _EDGE_FIELDS)
_TOP_KEYS = {"format", "version", "kinds", "spec", "merged", "nodes", "edges"}


def to_networkx(network: RACNetwork) -> Any:
    """The network as a networkx graph (a ``MultiGraph`` only if two nodes share two edges).

    Node attributes: ``kind`` (the :class:`NodeKind` name), ``layer``, ``step``, ``copy``.
    Edge attributes: ``dim``, ``legs`` (``{node: leg}`` for both ends) and ``producer``
    (the node the data flows from). Graph attributes: ``spec`` (a dict), ``merged`` and
    ``output`` = ``(W_O node, leg 0, K)``, the open output leg.

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_network
    >>> g = to_networkx(compile_network(RACSpec(M=2, R=3, L=1, T=2)))
    >>> g.number_of_nodes(), g.nodes[0]["kind"]
    (10, 'H0')
    """
    import networkx as nx

    u, v = network.edge_u, network.edge_v
    pair = np.minimum(u, v) * network.n_nodes + np.maximum(u, v)
    graph = nx.MultiGraph() if np.unique(pair).size != pair.size else nx.Graph()
    spec = network.spec
    graph.graph.update(
        spec=_spec_dict(spec),
        merged=network.merged,
        output=(network.output_node, 0, spec.K),
    )
    names = [k.name for k in NodeKind]
    graph.add_nodes_from(
        (i, {"kind": names[k], "layer": l, "step": s, "copy": c})
        for i, (k, l, s, c) in enumerate(zip(network.node_kind.tolist(), network.node_layer.tolist(),
                                             network.node_step.tolist(), network.node_copy.tolist()))
    )
    graph.add_edges_from(
        (a, b, {"dim": d, "legs": {a: al, b: bl}, "producer": a})
        for a, al, b, bl, d in zip(u.tolist(), network.edge_u_leg.tolist(), v.tolist(),
                                   network.edge_v_leg.tolist(), network.edge_dim.tolist())
    )
    return graph


def _spec_dict(spec: RACSpec) -> dict:
    """The spec as JSON values: the five plain keys, plus cell, bias, dilations for members."""
    if spec.plain:
        return {k: getattr(spec, k) for k in _SPEC_KEYS}
    return spec.fields()


def _as_dict(network: RACNetwork) -> dict:
    spec = network.spec
    plain = spec.plain
    return {
        "format": FORMAT,
        "version": 1 if plain else VERSION,
        "kinds": _KINDS_V1 if plain else [k.name for k in NodeKind],
        "spec": _spec_dict(spec),
        "merged": bool(network.merged),
        "nodes": {k: getattr(network, f"node_{k}").tolist() for k in _NODE_KEYS},
        "edges": {k: getattr(network, f"edge_{k}").tolist() for k in _EDGE_KEYS},
    }


def to_json(network: RACNetwork) -> str:
    """The network as JSON text (see the module docstring); :func:`from_json` reads it back."""
    if not isinstance(network, RACNetwork):
        raise TnrnnError(f"to_json needs a RACNetwork, got {type(network).__name__}")
    return json.dumps(_as_dict(network), separators=(",", ":"))


def _fail(msg: str) -> TnrnnError:
    return TnrnnError(f"invalid tnrnn network JSON: {msg}")


def _int_array(where: str, values: Any, field: str) -> np.ndarray:
    if not isinstance(values, list):
        raise _fail(f"{where} must be a list of integers, got {type(values).__name__}")
    bad = next((v for v in values if type(v) is not int), None)
    if bad is not None:
        raise _fail(f"{where} must hold only integers, found {bad!r}")
    arr = np.asarray(values, dtype=object if not values else None)
    if arr.size == 0:
        return np.zeros(0, dtype=_DTYPES[field])
    info = np.iinfo(_DTYPES[field])
    if arr.dtype == object or int(arr.min()) < max(info.min, 0) or int(arr.max()) > info.max:
        raise _fail(f"{where} holds values outside 0..{info.max}")
    return arr.astype(_DTYPES[field])


def _check_keys(where: str, obj: Any, keys: set) -> None:
    if not isinstance(obj, dict):
        raise _fail(f"{where} must be an object, got {type(obj).__name__}")
    if set(obj) != keys:
        missing, extra = sorted(keys - set(obj)), sorted(set(obj) - keys)
        raise _fail(f"{where} must have keys {sorted(keys)}; missing {missing}, unexpected {extra}")


def parse_spec(obj: Any, version: int) -> RACSpec:
    keys = _SPEC_KEYS if version == 1 else _MEMBER_KEYS
    _check_keys("spec", obj, set(keys))
    for key in ("M", "L", "T", "K"):
        if type(obj[key]) is not int:
            raise _fail(f"spec.{key} must be an integer, got {obj[key]!r}")
    values = dict(obj)
    if version == 1 or type(obj["R"]) is int:
        if type(obj["R"]) is not int:
            raise _fail(f"spec.R must be an integer, got {obj['R']!r}")
    elif not isinstance(obj["R"], list) or not all(type(v) is int for v in obj["R"]):
        raise _fail(f"spec.R must be an integer or a list of integers, got {obj['R']!r}")
    if version == 2:
        if not (isinstance(obj["cell"], str) or (isinstance(obj["cell"], list)
                                                 and all(isinstance(c, str) for c in obj["cell"]))):
            raise _fail(f"spec.cell must be a string or a list of strings, got {obj['cell']!r}")
        if type(obj["bias"]) is not bool:
            raise _fail(f"spec.bias must be true or false, got {obj['bias']!r}")
        if not isinstance(obj["dilations"], list) or not all(type(v) is int for v in obj["dilations"]):
            raise _fail(f"spec.dilations must be a list of integers, got {obj['dilations']!r}")
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()}
    return RACSpec(**values)


def _parse(data: Any) -> RACNetwork:
    if not isinstance(data, dict):
        raise _fail(f"the top level must be an object, got {type(data).__name__}")
    if "version" not in data:  # files written before the version field: version 1
        data = dict(data, version=1)
    _check_keys("the top level", data, _TOP_KEYS)
    if data["format"] != FORMAT:
        raise _fail(f"format must be {FORMAT!r}, got {data['format']!r}")
    version = data["version"]
    if type(version) is not int or version not in (1, VERSION):
        raise _fail(f"version must be 1 or {VERSION}, got {version!r}; this tnrnn reads versions 1 and {VERSION}")
    kinds = _KINDS_V1 if version == 1 else [k.name for k in NodeKind]
    if data["kinds"] != kinds:
        raise _fail(f"kinds must list {kinds} in version {version}, got {data['kinds']!r}")
    spec = parse_spec(data["spec"], version)
    if type(data["merged"]) is not bool:
        raise _fail(f"merged must be true or false, got {data['merged']!r}")
    _check_keys("nodes", data["nodes"], set(_NODE_KEYS))
    _check_keys("edges", data["edges"], set(_EDGE_KEYS))
    arrays = {f"node_{k}": _int_array(f"nodes.{k}", data["nodes"][k], f"node_{k}") for k in _NODE_KEYS}
    arrays.update({f"edge_{k}": _int_array(f"edges.{k}", data["edges"][k], f"edge_{k}") for k in _EDGE_KEYS})
    for group, keys in (("node", _NODE_KEYS), ("edge", _EDGE_KEYS)):
        sizes = {k: arrays[f"{group}_{k}"].size for k in keys}
        if len(set(sizes.values())) != 1:
            raise _fail(f"the {group} lists must have equal lengths, got {sizes}")
    return RACNetwork(spec=spec, merged=data["merged"], **arrays)


def from_json(text: str | bytes, *, check_spec: bool = True) -> RACNetwork:
    """Read a network written by :func:`to_json`, validating everything.

    Parameters
    ----------
    text : str or bytes
    check_spec : bool, default True
        Also require the network to be exactly ``compile_network(spec, merged=merged)``.

    Raises
    ------
    TnrnnError
        On malformed JSON, a wrong schema or type, an inconsistent leg structure, or a
        network that does not match its spec.

    Examples
    --------
    >>> from tnrnn import RACSpec, compile_network
    >>> net = compile_network(RACSpec(M=2, R=3, L=2, T=3))
    >>> from_json(to_json(net))
    RACNetwork(RACSpec(M=2, R=3, L=2, T=3, K=1), full, nodes=38, edges=37)
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as err:
            raise _fail(f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    if not isinstance(text, str):
        raise _fail(f"expected JSON text (str or bytes), got {type(text).__name__}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _fail(f"not valid JSON ({err})") from None
    except RecursionError:
        raise _fail("nested too deeply to be a tnrnn network") from None
    except ValueError as err:  # e.g. an integer past Python's 4300-digit limit
        raise _fail(f"unreadable JSON value ({str(err)[:120]})") from None
    try:
        network = _parse(data).validate()
    except TnrnnError as err:
        msg = str(err)
        raise (err if msg.startswith("invalid tnrnn") else _fail(msg)) from None
    if check_spec:
        _check_matches_spec(network)
    else:
        _check_size_matches_spec(network)
    return network


def _check_size_matches_spec(network: RACNetwork) -> None:
    """Cheap consistency even with ``check_spec=False``: node and edge counts of the spec."""
    spec = network.spec
    least = sum(-(-spec.T // d) for d in spec.dilations)
    if least > max(network.n_nodes, 1):  # every layer has at least T (T / d_l) sites
        nodes = None
    else:
        nodes, edges = spec_network_size(spec, merged=network.merged)
        if (nodes, edges) == (network.n_nodes, network.n_edges):
            return
    raise _fail(
        f"the network has {network.n_nodes:,} nodes and {network.n_edges:,} edges, but its spec {spec} "
        + (f"compiles to {nodes:,} nodes and {edges:,} edges" if nodes is not None else "needs far more nodes")
    )


def _check_matches_spec(network: RACNetwork) -> None:
    from .compile import compile_network

    ref = compile_network(network.spec, merged=network.merged)
    for name in _NODE_FIELDS + _EDGE_FIELDS:
        a, b = getattr(network, name), getattr(ref, name)
        if a.shape != b.shape:
            raise _fail(
                f"the network does not match its spec {network.spec}: {name} has {a.size} "
                f"entries, compile_network gives {b.size}"
            )
        diff = np.flatnonzero(a != b)
        if diff.size:
            i = int(diff[0])
            raise _fail(
                f"the network does not match its spec {network.spec}: {name}[{i}] is "
                f"{int(a[i])}, compile_network gives {int(b[i])} (pass check_spec=False to skip)"
            )


def write_json(network: RACNetwork, path: str | os.PathLike) -> Path:
    """Write :func:`to_json` of the network to ``path`` atomically; returns the path."""
    return write_text_atomic(path, to_json(network))


def read_json(path: str | os.PathLike, *, check_spec: bool = True) -> RACNetwork:
    """Read and validate a network file written by :func:`write_json`.

    Every problem with the file raises :class:`~tnrnn.errors.TnrnnError` naming the path:
    a missing file or a folder, bytes that are not UTF-8, malformed or absurdly nested
    JSON, and everything :func:`from_json` checks.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise TnrnnError(f"cannot read the network file {str(path)!r}: {err.strerror or err}") from None
    try:
        return from_json(data, check_spec=check_spec)
    except TnrnnError as err:
        raise TnrnnError(f"{str(path)!r}: {err}") from None
