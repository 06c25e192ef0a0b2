"""The explorer, driven headlessly: changing widget values changes the output, and the
numbers it shows equal the API's (independently recomputed)."""

import pytest

pytest.importorskip("ipywidgets")

from tnrnn import Partition, RACSpec, mincut_bound, separation_rank  # noqa: E402
from tnrnn.explorer import Explorer, explore  # noqa: E402


def _bound(ex):
    return int(ex.numbers.value.split("min-cut bound: ")[1].split()[0].replace(",", ""))


def _rank(ex):
    return int(ex.numbers.value.split("exact separation rank (over F_p): <b>")[1].split("<")[0].replace(",", ""))


def test_sliders_change_the_drawing_and_the_numbers():
    ex = Explorer(M=2, R=2, L=1, T=4)
    assert ex.image.value[:4] == b"\x89PNG" and _bound(ex) == 2 and _rank(ex) == 2
    before = ex.image.value
    ex.sliders["L"].value = 2
    spec = RACSpec(M=2, R=2, L=2, T=4)
    assert _bound(ex) == mincut_bound(spec, "start-end").bound
    assert _rank(ex) == separation_rank(spec, "start-end", rng=0).rank == 6
    assert ex.image.value != before and ex.image.value[:4] == b"\x89PNG"
    ex.sliders["T"].value = 5  # odd: Start-End no longer applies
    assert "even T" in ex.numbers.value and ex.image.value == b""
    ex.mode.value = "split"
    assert len(ex.steps) == 5 and ex.sliders["k"].max == 4
    assert _bound(ex) == mincut_bound(RACSpec(M=2, R=2, L=2, T=5), Partition.split(5, 2)).bound


def test_partition_picker_and_clicked_steps():
    ex = Explorer(M=2, R=3, L=2, T=6)
    ex.mode.value = "interleaved"
    spec = RACSpec(M=2, R=3, L=2, T=6)
    assert "interleaved" in ex.numbers.value
    assert _bound(ex) == mincut_bound(spec, "interleaved").bound
    assert [b.value for b in ex.steps] == [True, False] * 3
    ex.steps[1].value = True  # click step 2 into side A
    assert ex.mode.value == "clicked"
    assert ex.partition() == Partition.from_sets([1, 2, 3, 5], 6)
    assert _bound(ex) == mincut_bound(spec, Partition.from_sets([1, 2, 3, 5], 6)).bound
    for b in ex.steps:  # everything in A: no partition, said in one line, nothing drawn
        b.value = True
    assert "non-empty" in ex.numbers.value and ex.image.value == b""


def test_large_cases_are_described_not_computed():
    ex = Explorer(M=4, R=4, L=3, T=12)
    assert "not computed live" in ex.numbers.value
    assert type(explore()).__name__ == "VBox"


def test_snapshot_is_a_static_image_of_the_current_state():
    """The fallback picture for GitHub: the widget's PNG and numbers, as a plain image output."""
    from tnrnn import compile_network
    from tnrnn.drawing import draw
    from tnrnn.drawing.figure import figure_bytes

    ex = Explorer(M=2, R=2, L=2, T=6)
    ex.sliders["T"].value = 8
    ex.mode.value = "split"
    ex.sliders["k"].value = 3
    snap = ex.snapshot()
    bundle = snap._repr_mimebundle_()
    assert bundle["image/png"] == bytes(ex.image.value) and bundle["image/png"][:4] == b"\x89PNG"
    net = compile_network(RACSpec(M=2, R=2, L=2, T=8))
    cut = mincut_bound(net, Partition.split(8, 3))
    assert bundle["image/png"] == figure_bytes(draw(net, Partition.split(8, 3), cut=cut, style=ex.style), "png")
    assert f"min-cut bound: {cut.bound}" in bundle["text/plain"] and "<" not in bundle["text/plain"]
    ex.sliders["L"].value = 1  # a later change does not alter the snapshot taken before
    assert snap._repr_mimebundle_()["image/png"] == bundle["image/png"] != bytes(ex.image.value)
