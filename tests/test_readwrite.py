"""JSON round trips, validation of malformed files, and networkx export."""

import json

import numpy as np
import pytest

from tnrnn import RACSpec, compile_network, from_json, read_json, to_json, to_networkx, write_json
from tnrnn.errors import TnrnnError
from tnrnn.network import NodeKind

FIELDS = ("node_kind", "node_layer", "node_step", "node_copy",
          "edge_u", "edge_u_leg", "edge_v", "edge_v_leg", "edge_dim")


def _same(a, b):
    assert a.spec == b.spec and a.merged == b.merged
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L,T,K", [(1, 1, 1), (1, 5, 2), (2, 4, 3), (3, 3, 1), (4, 2, 2)])
def test_round_trip(L, T, K, merged, tmp_path):
    net = compile_network(RACSpec(M=2, R=3, L=L, T=T, K=K), merged=merged)
    _same(from_json(to_json(net)), net)
    path = write_json(net, tmp_path / "sub" / "net.json")
    _same(read_json(path), net)
    assert not [p for p in path.parent.iterdir() if p.name != "net.json"]  # no temp files left


def _doc(**changes):
    net = compile_network(RACSpec(M=2, R=3, L=2, T=3, K=2))
    data = json.loads(to_json(net))
    for dotted, value in changes.items():
        *head, last = dotted.split(".")
        target = data
        for key in head:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return json.dumps(data)


_DELETE = object()


def _set_item(field, index, value):
    data = json.loads(to_json(compile_network(RACSpec(M=2, R=3, L=2, T=3, K=2))))
    group, key = field.split(".")
    data[group][key][index] = value
    return json.dumps(data)


BAD = {
    "not json": ("{nodes: [", "not valid JSON"),
    "a list": ("[1, 2]", "must be an object"),
    "wrong format": (_doc(format="other"), "format"),
    "wrong version": (_doc(version=3), "version must be 1 or 2"),
    "version 2 with version-1 kinds": (_doc(version=2), "kinds must list .* in version 2"),
    "missing spec": (_doc(spec=_DELETE), "missing \\['spec'\\]"),
    "extra key": (_doc(extra=1), "unexpected \\['extra'\\]"),
    "spec float": (_doc(**{"spec.R": 3.0}), "spec.R must be an integer"),
    "spec zero": (_doc(**{"spec.T": 0}), "T must be a positive integer"),
    "merged int": (_doc(merged=1), "merged"),
    "kinds": (_doc(kinds=["A"]), "kinds"),
    "node list missing": (_doc(**{"nodes.copy": _DELETE}), "missing \\['copy'\\]"),
    "string in list": (_set_item("nodes.step", 2, "3"), "only integers"),
    "bool in list": (_set_item("edges.dim", 0, True), "only integers"),
    "float in list": (_set_item("edges.dim", 0, 3.0), "only integers"),
    "negative": (_set_item("nodes.layer", 0, -1), "outside"),
    "too large": (_set_item("nodes.kind", 0, 300), "outside"),
    "huge": (_set_item("edges.u", 0, 2**70), "outside"),
    "bad kind": (_set_item("nodes.kind", 0, 9), "NodeKind"),
    "short list": (_doc(**{"edges.dim": [3]}), "equal lengths"),
    "node out of range": (_set_item("edges.v", 0, 10_000), "outside"),
    "wrong dim": (_set_item("edges.dim", 0, 5), "dimension"),
    "leg reused": (_set_item("edges.v_leg", 0, 0), "leg"),
    "copy changed": (_set_item("nodes.copy", 3, 7), "does not match its spec"),
    "spec changed": (_doc(**{"spec.M": 3}), "dimension"),
    "spec T changed": (_doc(**{"spec.T": 4}), "does not match its spec"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_files_are_rejected(case):
    text, pattern = BAD[case]
    with pytest.raises(TnrnnError, match=pattern) as info:
        from_json(text)
    assert "invalid tnrnn network JSON" in str(info.value)


def test_check_spec_can_be_skipped():
    text = _set_item("nodes.copy", 3, 7)
    net = from_json(text, check_spec=False)
    assert net.node_copy[3] == 7


def test_bad_file_on_disk(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "tnrnn.network"}')
    with pytest.raises(TnrnnError, match="missing"):
        read_json(path)


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("L,T", [(1, 4), (2, 3), (3, 3)])
def test_to_networkx(L, T, merged):
    import networkx as nx

    spec = RACSpec(M=2, R=3, L=L, T=T, K=2)
    net = compile_network(spec, merged=merged)
    g = to_networkx(net)
    assert isinstance(g, nx.Graph) and not g.is_multigraph()
    assert g.number_of_nodes() == net.n_nodes and g.number_of_edges() == net.n_edges
    assert nx.is_tree(g)
    for i in range(net.n_nodes):
        attrs = g.nodes[i]
        assert attrs["kind"] == NodeKind(net.node_kind[i]).name
        assert (attrs["layer"], attrs["step"], attrs["copy"]) == (
            net.node_layer[i], net.node_step[i], net.node_copy[i])
    for e in range(net.n_edges):
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        data = g.edges[u, v]
        assert data["dim"] == net.edge_dim[e] and data["producer"] == u
        assert data["legs"] == {u: net.edge_u_leg[e], v: net.edge_v_leg[e]}
    assert g.graph["spec"]["T"] == T and g.graph["output"] == (net.output_node, 0, 2)
    degrees = dict(g.degree())
    assert all(degrees[i] == 1 for i in net.input_nodes)


# --------------------------------------------------------------------------- robustness
@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe{}", "not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"format": ' + b"1" * 5000 + b"}", "unreadable JSON value"),
    (b'{"format": 1' + b"0" * 400 + b"}", "the top level must have keys"),
    (b"", "not valid JSON"),
])
def test_read_json_bad_files_are_tnrnn_errors_naming_the_path(tmp_path, content, message):
    path = tmp_path / "net.json"
    path.write_bytes(content)
    with pytest.raises(TnrnnError, match=message) as info:
        read_json(path)
    assert str(info.value).startswith(repr(str(path)))


def test_read_json_missing_file_and_folder(tmp_path):
    with pytest.raises(TnrnnError, match="cannot read the network file .*No such file"):
        read_json(tmp_path / "missing.json")
    with pytest.raises(TnrnnError, match="cannot read the network file .*Is a directory"):
        read_json(tmp_path)


def test_check_spec_false_still_refuses_a_spec_that_does_not_fit(tmp_path):
    net = compile_network(RACSpec(M=2, R=3, L=2, T=8))
    data = json.loads(to_json(net))
    data["spec"]["T"] = 10**9
    with pytest.raises(TnrnnError, match="but its spec .*T=1000000000.* needs far more nodes"):
        from_json(json.dumps(data), check_spec=False)
    data["spec"]["T"] = 9
    with pytest.raises(TnrnnError, match="compiles to"):
        from_json(json.dumps(data), check_spec=False)
    assert from_json(to_json(net), check_spec=False).n_nodes == net.n_nodes


MEMBER_SPECS = [
    RACSpec(M=2, R=(3, 2), L=2, T=4, cell=("cp:2", "full"), dilations=(1, 2)),
    RACSpec(M=2, R=3, L=1, T=3, bias=True, K=2),
    RACSpec(M=2, R=2, L=2, T=4, cell="cp:3"),
]


@pytest.mark.parametrize("spec", MEMBER_SPECS, ids=repr)
@pytest.mark.parametrize("merged", [False, True])
def test_member_networks_round_trip_as_version_2(spec, merged):
    net = compile_network(spec, merged=merged)
    data = json.loads(to_json(net))
    assert data["version"] == 2 and data["kinds"][-1] == "U"
    assert data["spec"]["dilations"] == list(spec.dilations) and data["spec"]["bias"] == spec.bias
    back = from_json(to_json(net))
    assert back.spec == spec and back.merged == merged
    assert np.array_equal(back.edge_dim, net.edge_dim) and np.array_equal(back.node_kind, net.node_kind)
    assert from_json(to_json(net), check_spec=False).n_nodes == net.n_nodes


def test_plain_networks_stay_version_1_and_old_files_without_version_load():
    net = compile_network(RACSpec(M=2, R=3, L=2, T=3))
    data = json.loads(to_json(net))
    assert data["version"] == 1 and len(data["kinds"]) == 7 and set(data["spec"]) == {"M", "R", "L", "T", "K"}
    del data["version"]
    assert from_json(json.dumps(data)).spec == net.spec


def test_member_file_with_bad_spec_fields_is_rejected():
    data = json.loads(to_json(compile_network(MEMBER_SPECS[0])))
    for key, value, pattern in [("bias", 1, "spec.bias"), ("dilations", 2, "spec.dilations"),
                                ("cell", 3, "spec.cell"), ("R", [3, "2"], "spec.R"),
                                ("cell", ["cp:0", "full"], "cp:0")]:
        bad = json.loads(json.dumps(data))
        bad["spec"][key] = value
        with pytest.raises(TnrnnError, match=pattern):
            from_json(json.dumps(bad))
    bad = json.loads(json.dumps(data))
    bad["spec"]["dilations"] = [1, 1]
    with pytest.raises(TnrnnError, match="does not match its spec|dimension|has"):
        from_json(json.dumps(bad))
