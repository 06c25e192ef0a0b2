"""Atomic writes: the old file survives a failure; new files get the usual permissions."""

import os

import pytest

from tnrnn._io import atomic_write, write_text_atomic


def test_failure_keeps_old_content_and_leaves_no_temp(tmp_path):
    path = tmp_path / "a.txt"
    write_text_atomic(path, "old")
    with pytest.raises(RuntimeError):
        with atomic_write(path) as handle:
            handle.write("half")
            raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_mode_follows_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_text_atomic(tmp_path / "sub" / "b.txt", "x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_the_target_keeps_its_old_content_until_the_rename(tmp_path, monkeypatch):
    """What makes a write atomic: nothing touches the target before one final rename."""
    path = tmp_path / "a.txt"
    write_text_atomic(path, "old")
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((path.read_text(), open(src).read()))  # the target, the finished temp file
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_text_atomic(path, "new" * 1000)
    assert seen == [("old", "new" * 1000)] and path.read_text() == "new" * 1000


def _fail_on_replace(monkeypatch):
    import errno

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)


@pytest.mark.parametrize("writer", ["figure", "tikz", "json", "text"])
def test_every_writer_is_atomic_and_names_the_target(tmp_path, monkeypatch, writer):
    from tnrnn import RACSpec, compile_network

    net = compile_network(RACSpec(M=2, R=2, L=1, T=2))
    suffix = {"figure": ".svg", "tikz": ".tex", "json": ".json", "text": ".txt"}[writer]
    path = tmp_path / f"out{suffix}"
    path.write_text("old")
    _fail_on_replace(monkeypatch)
    with pytest.raises(OSError) as info:
        if writer == "figure":
            from tnrnn.drawing import write_figure

            write_figure(net, path)
        elif writer == "tikz":
            from tnrnn.drawing import write_tikz

            write_tikz(net, path)
        elif writer == "json":
            from tnrnn.network import write_json

            write_json(net, path)
        else:
            write_text_atomic(path, "new")
    assert info.value.filename == str(path) and "No space" in str(info.value)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_folder_in_the_way_is_refused_before_writing(tmp_path):
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(IsADirectoryError) as info:
        write_text_atomic(tmp_path / "d.txt", "x")
    assert info.value.filename == str(tmp_path / "d.txt")
