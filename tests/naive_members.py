"""Independent nested-loop implementations for the RAC family (tests only).

Written from the equations of issue 17, with Python floats or integers, one sequence and
one channel at a time; shared by the member test files.
"""

from __future__ import annotations


def _vec(a, cast):
    return [cast(v) for v in a.tolist()]


def naive_member_forward(weights, inputs, p=None):
    """y for every sequence of inputs (N, T, M): a list of N lists of K values."""
    s = weights.spec
    cast = int if p is not None else float
    red = (lambda v: v % p) if p is not None else (lambda v: v)
    out = []
    for n in range(inputs.shape[0]):
        # hist[l][t] = h^l_t for t = 0..T; h^l_s = h^l_0 for s <= 0
        hist = [{0: _vec(weights.h0[l], cast)} for l in range(s.L)]
        for t in range(1, s.T + 1):
            below = [cast(v) for v in inputs[n, t - 1].tolist()]
            for l in range(s.L):
                d = s.dilations[l]
                prev = hist[l][max(t - d, 0)]
                new = naive_cell(weights, l, prev, below, red)
                hist[l][t] = new
                below = new
        top = hist[-1][s.T]
        W_O = weights.W_O.tolist()
        out.append([red(sum(W_O[k][j] * top[j] for j in range(len(top)))) for k in range(s.K)])
    return out


def naive_cell(weights, l, prev, below, red):
    s = weights.spec
    cell = s.cells[l]
    R = s.widths[l]
    if cell == "full":
        A = weights.A[l].tolist()
        return [red(sum(A[c][a][b] * prev[a] * below[b] for a in range(R) for b in range(len(below))))
                for c in range(R)]
    WH, WI = weights.W_H[l].tolist(), weights.W_I[l].tolist()
    inner = len(WH)
    a = [sum(WH[i][j] * prev[j] for j in range(R)) for i in range(inner)]
    b = [sum(WI[i][j] * below[j] for j in range(len(below))) for i in range(inner)]
    if s.bias:
        a = [a[i] + weights.b_H[l].tolist()[i] for i in range(inner)]
        b = [b[i] + weights.b_I[l].tolist()[i] for i in range(inner)]
    prod = [red(a[i] * b[i]) for i in range(inner)]
    if cell == "mi":
        return prod
    U = weights.U[l].tolist()
    return [red(sum(U[c][k] * prod[k] for k in range(inner))) for c in range(R)]
