"""One shared list of test specs: members of the RAC family and the partitions to try.

Every test module that runs over "the members" imports from here, so a new member (a cell,
a width pattern, a dilation) is added once. Each spec is small (T <= 12, widths <= 6):
fast enough for exact ranks, min-cuts and brute-force oracles.
"""

from tnrnn import RACSpec

#: Members of the family: per-layer widths, ``cp:K`` and ``full`` cells, bias, dilations,
#: mixed cells, depth 3; plain specs first (one shallow, one deep) as the common case.
MEMBERS = [
    RACSpec(M=2, R=3, L=1, T=6),
    RACSpec(M=2, R=6, L=1, T=8, cell="cp:3"),
    RACSpec(M=3, R=4, L=1, T=6, cell="full"),
    RACSpec(M=2, R=3, L=1, T=6, bias=True),
    RACSpec(M=2, R=3, L=1, T=8, dilations=2),
    RACSpec(M=2, R=3, L=1, T=12, dilations=3),
    RACSpec(M=2, R=2, L=2, T=6),
    RACSpec(M=2, R=(3, 2), L=2, T=6),
    RACSpec(M=2, R=(2, 3), L=2, T=6),
    RACSpec(M=3, R=3, L=2, T=6, cell="cp:2"),
    RACSpec(M=2, R=3, L=2, T=4, cell=("cp:2", "mi")),
    RACSpec(M=2, R=2, L=2, T=6, cell="full"),
    RACSpec(M=2, R=2, L=2, T=6, cell=("full", "cp:3")),
    RACSpec(M=2, R=2, L=2, T=4, bias=True),
    RACSpec(M=2, R=2, L=2, T=8, dilations=(1, 2)),
    RACSpec(M=2, R=2, L=2, T=8, dilations=(2, 1)),
    RACSpec(M=2, R=(2, 3), L=2, T=6, cell=("mi", "cp:2"), dilations=(2, 1)),
    RACSpec(M=2, R=2, L=3, T=4, cell=("mi", "full", "cp:2")),
    RACSpec(M=2, R=(2, 2, 3), L=3, T=4),
]

#: Partitions every bound test tries (a prefix side, none, a one-step prefix).
PARTITIONS = ["start-end", "interleaved", "split:1"]

#: Members that share M, R, L and T and differ only in cell, bias or dilations: their rows,
#: curves and labels must never merge.
TWINS = [
    RACSpec(M=2, R=(3, 2), L=2, T=6),
    RACSpec(M=2, R=(3, 2), L=2, T=6, cell=("mi", "cp:2")),
    RACSpec(M=2, R=(3, 2), L=2, T=6, dilations=(1, 2)),
    RACSpec(M=2, R=(3, 2), L=2, T=6, bias=True),
]


#: Small members for the forward pass, weights, JSON, networks and contraction (outputs K = 2,
#: per-layer dilations, three-layer mixes): cheap enough for every path and both number systems.
SMALL_MEMBERS = [
    RACSpec(M=2, R=3, L=1, T=5, cell="cp:2"),
    RACSpec(M=2, R=3, L=2, T=5, cell="cp:4", K=2),
    RACSpec(M=2, R=2, L=2, T=4, cell="full"),
    RACSpec(M=3, R=2, L=1, T=4, cell="full"),
    RACSpec(M=2, R=3, L=2, T=5, bias=True),
    RACSpec(M=2, R=2, L=1, T=4, bias=True, K=2),
    RACSpec(M=2, R=2, L=2, T=6, dilations=(1, 2)),
    RACSpec(M=2, R=2, L=1, T=7, dilations=3),
    RACSpec(M=2, R=(3, 2), L=2, T=5),
    RACSpec(M=3, R=(2, 3, 2), L=3, T=5, cell=("mi", "cp:2", "full"), dilations=(2, 1, 2)),
    RACSpec(M=2, R=(3, 2), L=2, T=6, bias=True, dilations=(2, 3)),
    RACSpec(M=2, R=(2, 4), L=2, T=5, cell=("full", "cp:3"), dilations=(3, 1), K=2),
]

#: Members for the min-cut, as keyword arguments: bias coordinates and bond dimensions that are
#: distinct primes (2, 3, 5, 7, ...), so a cut's product of dimensions names its edges.
CUT_MEMBERS = [
    dict(M=2, R=4, L=1, T=8, bias=True),            # dims 3, 5
    dict(M=2, R=(4, 6), L=2, T=6, bias=True),       # dims 3, 5, 7: three coordinates
    dict(M=2, R=3, L=1, T=8, cell="cp:5"),          # dims 2, 3, 5
    dict(M=3, R=2, L=2, T=6, cell="cp:5"),
    dict(M=2, R=3, L=2, T=6, cell="full"),
    dict(M=5, R=(2, 3), L=2, T=6, cell=("full", "cp:7")),
    dict(M=2, R=3, L=1, T=8, dilations=2),
    dict(M=3, R=2, L=2, T=8, dilations=(1, 3)),
    dict(M=2, R=(6, 10), L=2, T=4, cell=("mi", "cp:15"), dilations=(2, 1)),   # 2, 6, 10, 15: primes
    dict(M=4, R=(6, 9, 2), L=3, T=4, cell=("mi", "full", "cp:2")),
]
