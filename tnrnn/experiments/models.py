"""Stacked recurrent networks of depth L in PyTorch: RAC, scoRNN, tanh RNN, GRU and LSTM.

Every model reads one-hot inputs (the representation ``f(x^t)`` of the theory, M = vocabulary)
and a linear readout: ``y = W^O h^L_T`` at the last step, or ``y_t = W^O h^L_t`` at every step.

The RAC cell is the theory's: ``h^l_t = (W^{H,l} h^l_{t-1}) * (W^{I,l} h^{l-1}_t)`` with learned
initial states ``h^l_0`` and no bias anywhere; :func:`rac_from_weights` builds it from a
:class:`tnrnn.RACWeights` so that it computes exactly :func:`tnrnn.forward` (tested in float64).

What keeps the RAC stable in training
-------------------------------------
A RAC multiplies T factors, so its states' size drifts geometrically with T. Two choices:

- *Near-identity initialisation* (always): ``W^{H,l} = I + noise``, ``W^{I,1}`` with entries
  ``1 + noise`` (so ``W^{I,1} f(x)`` is close to the all-ones vector for every symbol),
  ``W^{I,l} = I + noise`` for l >= 2 and ``h^l_0 = 1``; noise is Gaussian with standard deviation
  ``init_noise / sqrt(fan_in)`` (default ``init_noise = 0.1``; fan-in R for the R x R
  matrices and 1 for ``W^{I,1}``, whose one-hot input has a single non-zero entry). Each
  state starts as the all-ones vector times products of factors close to 1: the network
  starts as an element-wise multiplicative memory that keeps its past, and short sequences
  stay in range. Long deep ones still drift out of float32 range (see the next point).
- *RMS normalisation* (option ``rac_norm="rms"``, the default for training; not in the theory):
  after every step each layer's state is divided by its root mean square,
  ``h <- h / sqrt(mean(h^2) + 1e-12)``. Because a RAC is *linear in each of its two inputs*,
  scaling ``h^l_{t-1}`` or ``h^{l-1}_t`` by ``c > 0`` scales ``h^l_t`` by ``c``; so the normalised
  network's output is the pure RAC's output times a positive number that depends on the input.
  The predicted class (argmax) is therefore exactly the pure RAC's: the normalisation changes
  only the softmax temperature per sequence, not the decision function. ``rac_norm="none"``
  trains the pure RAC: it works on short sequences (T = 10), but a depth-3 RAC at T = 80
  overflows float32 in its very first forward pass (the record then says ``"diverged"``),
  since ``f(x^t)`` enters layer 3 with degree C(T-t+2, 2), thousands of near-1 factors.

Gradient clipping (in :mod:`tnrnn.experiments.train`) bounds the remaining spikes.
The tanh RNN, GRU and LSTM are ``torch.nn.RNN/GRU/LSTM`` with PyTorch's default initialisation
and zero initial states, except that the LSTM's forget gates start with bias ``forget_bias``
(default 1, as in the authors' TensorFlow ``LSTMCell`` and the usual recommendation; the
input-side bias of the forget gate is set to it and the hidden-side one to 0).

``scornn`` (:class:`ScoRNNStack`) is the authors' default cell, the scaled Cayley orthogonal RNN
(Helfrich, Willmott and Ye 2018): ``h_t = modReLU(U x_t + h_{t-1} W + b)`` with the orthogonal
``W = (I + A)^{-1} (I - A) D``, ``A`` skew-symmetric (its R(R-1)/2 upper entries are the
parameters), ``D`` fixed diagonal with R//2 entries +1 and the rest -1 (as in their code) and
``modReLU(z) = sign(z) relu(|z| + b)``. ``A`` starts as in their code (2x2 rotation blocks with
angles uniform in [0, pi/2]), ``U`` uniform in [-0.01, 0.01], ``b = 0``. The gradient reaches
``A`` through the Cayley transform by autograd (their code applies the same chain rule by hand);
training gives ``A`` its own learning rate (``hidden_lr``, theirs 1e-4). Initial states are zero
(theirs: drawn uniformly in +-sqrt(3/R) for every batch).

Widths are matched across depths by parameter count: :func:`param_count` gives the exact count
(checked against the built models in the tests) and :func:`match_width` the width whose count is
closest to a budget.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import InputError
from ..weights import RACWeights

__all__ = ["CELLS", "RACStack", "ScoRNNStack", "TorchRNN", "build_model", "rac_from_weights", "param_count",
           "match_width", "cayley"]

CELLS = ("rac", "scornn", "tanh", "gru", "lstm")
_GATES = {"tanh": 1, "gru": 3, "lstm": 4}


class RACStack(nn.Module):
    """A depth-L RAC with R channels on one-hot inputs of size M and K outputs.

    Parameters
    ----------
    M, R, L, K : int
    per_step : bool
        Output at every step (N, T, K) instead of only the last (N, K).
    norm : {"rms", "none"}
        Per-step RMS normalisation of every state (see module docs).
    init_noise : float
        Scale of the noise around the near-identity initialisation.
    generator : torch.Generator, optional
        Source of the initial noise.
    """

    def __init__(self, M: int, R: int, L: int, K: int, *, per_step: bool = False, norm: str = "rms",
                 init_noise: float = 0.1, generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        if norm not in ("rms", "none"):
            raise InputError(f"rac_norm must be 'rms' or 'none', got {norm!r}")
        self.M, self.R, self.L, self.K = M, R, L, K
        self.per_step, self.norm = per_step, norm

        def noise(*shape: int, fan_in: int) -> torch.Tensor:
            z = torch.randn(*shape, generator=generator, dtype=dtype)
            return z * (init_noise / fan_in**0.5)

        eye = torch.eye(R, dtype=dtype)
        self.W_H = nn.ParameterList([nn.Parameter(eye + noise(R, R, fan_in=R)) for _ in range(L)])
        w_i = [nn.Parameter(1.0 + noise(R, M, fan_in=1))]
        w_i += [nn.Parameter(eye + noise(R, R, fan_in=R)) for _ in range(L - 1)]
        self.W_I = nn.ParameterList(w_i)
        self.h0 = nn.ParameterList([nn.Parameter(torch.ones(R, dtype=dtype)) for _ in range(L)])
        bound = 1.0 / R**0.5
        w_o = (torch.rand(K, R, generator=generator, dtype=dtype) * 2 - 1) * bound
        self.W_O = nn.Parameter(w_o)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: one-hot inputs (N, T, M). Returns (N, K), or (N, T, K) when ``per_step``."""
        n, steps, _ = x.shape
        # parameters fetched and transposed once per call (a measurable saving per step)
        w_h = [w.t() for w in self.W_H]
        w_i = [w.t() for w in self.W_I]
        proj = (x @ w_i[0]).unbind(1)  # T tensors (N, R)
        h = [h0.expand(n, self.R) for h0 in self.h0]
        rms = self.norm == "rms"
        rms_norm = torch.nn.functional.rms_norm
        tops = []
        for t in range(steps):
            below = proj[t]
            for l in range(self.L):
                if l > 0:
                    below = h[l - 1] @ w_i[l]
                new = (h[l] @ w_h[l]) * below
                h[l] = rms_norm(new, (self.R,), eps=1e-12) if rms else new
            if self.per_step:
                tops.append(h[-1])
        if self.per_step:
            return torch.stack(tops, dim=1) @ self.W_O.t()
        return h[-1] @ self.W_O.t()


def cayley(A: torch.Tensor, D: torch.Tensor) -> torch.Tensor:
    """``(I + A)^{-1} (I - A) diag(D)``: orthogonal when ``A`` is skew-symmetric and ``D = +-1``."""
    eye = torch.eye(A.shape[0], dtype=A.dtype, device=A.device)
    return torch.linalg.solve(eye + A, eye - A) * D[None, :]


class ScoRNNStack(nn.Module):
    """A depth-L scoRNN (scaled Cayley orthogonal RNN) with modReLU and a linear readout.

    Parameters
    ----------
    M, R, L, K : int
    per_step : bool
    generator : torch.Generator, optional
    """

    def __init__(self, M: int, R: int, L: int, K: int, *, per_step: bool = False,
                 generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.M, self.R, self.L, self.K, self.per_step = M, R, L, K, per_step
        self.register_buffer("D", torch.cat([torch.ones(R // 2), -torch.ones(R - R // 2)]).to(dtype))
        self.register_buffer("iu", torch.triu_indices(R, R, offset=1))
        self.A = nn.ParameterList([nn.Parameter(self._initial_a(generator, dtype)) for _ in range(L)])
        self.U = nn.ParameterList([
            nn.Parameter((torch.rand(R, M if l == 0 else R, generator=generator, dtype=dtype) * 2 - 1) * 0.01)
            for l in range(L)])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(R, dtype=dtype)) for _ in range(L)])
        bound = (6.0 / (R + K)) ** 0.5  # Glorot, as their readout
        self.W_O = nn.Parameter((torch.rand(K, R, generator=generator, dtype=dtype) * 2 - 1) * bound)
        self.b_O = nn.Parameter(torch.zeros(K, dtype=dtype))

    def _initial_a(self, generator, dtype) -> torch.Tensor:
        """The upper entries of A: rotation angles in [0, pi/2] on every other superdiagonal entry."""
        R = self.R
        theta = torch.rand(R // 2, generator=generator, dtype=torch.float64) * (torch.pi / 2)
        s = -torch.sqrt((1 - torch.cos(theta)) / (1 + torch.cos(theta)))
        full = torch.zeros(R, R, dtype=torch.float64)
        idx = torch.arange(R // 2) * 2
        full[idx, idx + 1] = s
        return full[self.iu[0], self.iu[1]].to(dtype)

    def skew(self, l: int) -> torch.Tensor:
        """The skew-symmetric ``A`` of layer ``l``."""
        a = self.A[l]
        full = torch.zeros(self.R, self.R, dtype=a.dtype, device=a.device)
        full = full.index_put((self.iu[0], self.iu[1]), a)
        return full - full.t()

    def recurrent(self, l: int) -> torch.Tensor:
        """The orthogonal recurrent matrix ``W`` of layer ``l``."""
        return cayley(self.skew(l), self.D)

    def hidden_parameters(self) -> list[nn.Parameter]:
        """The parameters of the recurrent matrices (their own learning rate in training)."""
        return list(self.A)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, steps, _ = x.shape
        ws = [self.recurrent(l) for l in range(self.L)]
        inputs = x @ self.U[0].t()
        for l in range(self.L):
            h = torch.zeros(n, self.R, dtype=x.dtype, device=x.device)
            outs = []
            for t in range(steps):
                z = inputs[:, t] + h @ ws[l]
                h = torch.sign(z) * torch.relu(z.abs() + self.b[l])
                outs.append(h)
            states = torch.stack(outs, dim=1)
            if l + 1 < self.L:
                inputs = states @ self.U[l + 1].t()
        top = states if self.per_step else states[:, -1]
        return top @ self.W_O.t() + self.b_O


class TorchRNN(nn.Module):
    """A stacked ``nn.RNN`` (tanh), ``nn.GRU`` or ``nn.LSTM`` with a linear readout."""

    def __init__(self, cell: str, M: int, R: int, L: int, K: int, *, per_step: bool = False,
                 forget_bias: float = 1.0) -> None:
        super().__init__()
        layer = {"tanh": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.cell, self.per_step = cell, per_step
        self.rnn = layer(M, R, num_layers=L, batch_first=True)
        self.out = nn.Linear(R, K)
        if cell == "lstm":  # gate order i, f, g, o: the forget gate's pre-activation starts at forget_bias
            with torch.no_grad():
                for l in range(L):
                    getattr(self.rnn, f"bias_ih_l{l}")[R : 2 * R] = forget_bias
                    getattr(self.rnn, f"bias_hh_l{l}")[R : 2 * R] = 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(x)
        return self.out(states if self.per_step else states[:, -1])


def _check_cell(cell: str) -> None:
    if cell not in CELLS:
        raise InputError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")


def build_model(cell: str, depth: int, width: int, vocab: int, n_out: int, *, per_step: bool,
                rac_norm: str = "rms", init_noise: float = 0.1, seed: int = 0,
                forget_bias: float = 1.0) -> nn.Module:
    """A depth-``depth`` network of ``cell`` cells with ``width`` channels, seeded by ``seed``."""
    _check_cell(cell)
    for name, v in (("depth", depth), ("width", width), ("vocab", vocab), ("n_out", n_out)):
        if int(v) < 1:
            raise InputError(f"{name} must be a positive integer, got {v!r}")
    torch.manual_seed(seed)
    if cell == "rac":
        gen = torch.Generator().manual_seed(seed)
        return RACStack(vocab, width, depth, n_out, per_step=per_step, norm=rac_norm,
                        init_noise=init_noise, generator=gen)
    if cell == "scornn":
        return ScoRNNStack(vocab, width, depth, n_out, per_step=per_step,
                           generator=torch.Generator().manual_seed(seed))
    return TorchRNN(cell, vocab, width, depth, n_out, per_step=per_step, forget_bias=forget_bias)


def rac_from_weights(weights: RACWeights, *, per_step: bool = False,
                     dtype: torch.dtype = torch.float64) -> RACStack:
    """The pure RAC (no normalisation) holding the given float weights.

    Its output on one-hot or any real inputs (N, T, M) equals :func:`tnrnn.forward`.
    """
    if weights.exact:
        raise InputError("rac_from_weights needs float weights; call weights.to_float() first")
    s = weights.spec
    held = {f"{RACStack.__module__}.{RACStack.__name__}"}
    if not (s.plain and all(c.torch_module in held for c in s.cells)):
        raise InputError(f"rac_from_weights holds the paper's RAC (one width, cells with a RACStack, no bias, "
                         f"dilation 1), got {s}")
    model = RACStack(s.M, s.R, s.L, s.K, per_step=per_step, norm="none", dtype=dtype)
    with torch.no_grad():
        for l in range(s.L):
            model.W_H[l].copy_(torch.tensor(weights.W_H[l], dtype=dtype))
            model.W_I[l].copy_(torch.tensor(weights.W_I[l], dtype=dtype))
            model.h0[l].copy_(torch.tensor(weights.h0[l], dtype=dtype))
        model.W_O.copy_(torch.tensor(weights.W_O, dtype=dtype))
    return model


def param_count(cell: str, depth: int, width: int, vocab: int, n_out: int) -> int:
    """The exact number of trainable parameters of :func:`build_model`'s network."""
    _check_cell(cell)
    R = width
    total = 0
    for l in range(depth):
        fan_in = vocab if l == 0 else R
        if cell == "rac":
            total += R * R + R * fan_in + R  # W^H, W^I, h_0
        elif cell == "scornn":
            total += R * (R - 1) // 2 + R * fan_in + R  # A (upper entries), U, b
        else:
            total += _GATES[cell] * (R * fan_in + R * R + 2 * R)  # weights and two biases
    return total + n_out * R + (0 if cell == "rac" else n_out)


def match_width(cell: str, depth: int, budget: int, vocab: int, n_out: int, *, max_width: int = 8192) -> int:
    """The width whose :func:`param_count` is closest to ``budget`` (the smaller on ties)."""
    if int(budget) < 1:
        raise InputError(f"parameter budget must be positive, got {budget!r}")
    best, best_gap = 1, None
    for w in range(1, max_width + 1):
        count = param_count(cell, depth, w, vocab, n_out)
        gap = abs(count - budget)
        if best_gap is None or gap < best_gap:
            best, best_gap = w, gap
        if count > budget:
            break
    return best
