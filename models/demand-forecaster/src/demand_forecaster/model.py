"""Global quantile network in numpy (forward, backprop, Adam) with a non-crossing, non-negative head.

Input transform (also inside the ONNX graph): columns 0-31 (normalised levels) -> log1p(max(x, 0)); then
standardisation; event columns 42-47 are masked to 0 (no labelled events: declared uplift is applied by the caller).
Head: a[N, 4, Q] -> softplus -> cumulative sum over Q (base >= 0 plus non-negative increments).
"""
from __future__ import annotations

import numpy as np

from . import METRICS, QUANTILES

N_LOG = 32
EVENT_COLS = np.arange(42, 48)
NM, NQ = len(METRICS), len(QUANTILES)


def softplus(a):
    return np.logaddexp(0.0, a)


def sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


class StandardisedLayers:
    """Dense layers W, b behind a standardisation (mu, sd) and a column mask: what the ONNX export needs."""

    W: list
    b: list
    mu: np.ndarray
    sd: np.ndarray
    colmask: np.ndarray

    def transform(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def fit_standardiser(self, X: np.ndarray) -> None:
        T = self.transform(X)
        self.mu = T.mean(axis=0)
        sd = T.std(axis=0)
        self.sd = np.where(sd > 1e-6, sd, 1.0)

    def _inputs(self, X):
        return (self.transform(X) - self.mu) / self.sd * self.colmask

    def folded(self):
        """First-layer weights with standardisation and the column mask folded in (used by the ONNX export)."""
        scale = self.colmask / self.sd
        W0 = self.W[0] * scale[:, None]
        b0 = self.b[0] - (self.mu * scale) @ self.W[0]
        return [W0, *self.W[1:]], [b0, *self.b[1:]]

    def params(self):
        return self.W + self.b


class QuantileNet(StandardisedLayers):
    def __init__(self, n_in: int, hidden: tuple[int, ...], seed: int):
        rng = np.random.default_rng(seed)
        self.hidden = tuple(hidden)
        sizes = [n_in, *hidden, NM * NQ]
        self.W = [rng.normal(0, np.sqrt(2.0 / a), (a, b)).astype(np.float64) for a, b in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros(b) for b in sizes[1:]]
        self.W[-1] *= 0.1
        head = np.full((NM, NQ), np.log(np.expm1(0.08)))
        head[:, 0] = np.log(np.expm1(0.3))
        self.b[-1] = head.reshape(-1)
        self.mu = np.zeros(n_in)
        self.sd = np.ones(n_in)
        self.colmask = np.ones(n_in)
        self.colmask[EVENT_COLS] = 0.0

    # -- preprocessing
    @staticmethod
    def transform(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64).copy()
        X[:, :N_LOG] = np.log1p(np.maximum(X[:, :N_LOG], 0.0))
        return X

    # -- forward
    def forward(self, X: np.ndarray, cache: bool = False):
        h = self._inputs(X)
        acts = [h]
        for i in range(len(self.W) - 1):
            h = np.maximum(h @ self.W[i] + self.b[i], 0.0)
            acts.append(h)
        a = (h @ self.W[-1] + self.b[-1]).reshape(-1, NM, NQ)
        y = np.cumsum(softplus(a), axis=2)
        return (y, a, acts) if cache else y

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)



def pinball_grad(y_pred, y_true, w):
    """Mean pinball loss and d loss / d y_pred. y_pred [N,M,Q], y_true [N,M] (NaN = no target), w [N]."""
    q = np.asarray(QUANTILES)[None, None, :]
    valid = np.isfinite(y_true)
    yt = np.where(valid, y_true, 0.0)[:, :, None]
    diff = yt - y_pred
    ww = (w[:, None] * valid)[:, :, None]
    denom = max(ww.sum() * NQ, 1e-12)
    loss = (np.maximum(q * diff, (q - 1) * diff) * ww).sum() / denom
    g = np.where(diff > 0, -q, 1 - q) * ww / denom
    return loss, g


def train_net(net: QuantileNet, X, Y, w, *, epochs=20, batch=4096, lr=2e-3, seed=0, val=None, log=print,
              weight_decay=1e-5):
    """Adam on the pinball loss; keeps the parameters of the best validation epoch when ``val`` is given."""
    rng = np.random.default_rng(seed)
    params = net.params()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    nW = len(net.W)
    best = (np.inf, None)
    history = []
    for ep in range(epochs):
        order = rng.permutation(len(X))
        lr_ep = lr * (0.5 * (1 + np.cos(np.pi * ep / epochs)))
        tot = 0.0
        for s in range(0, len(X), batch):
            idx = order[s:s + batch]
            y, a, acts = net.forward(X[idx], cache=True)
            loss, gy = pinball_grad(y, Y[idx], w[idx])
            tot += loss * len(idx)
            # back through cumsum: reverse cumulative sum
            ga = np.cumsum(gy[:, :, ::-1], axis=2)[:, :, ::-1] * sigmoid(a)
            g = ga.reshape(len(idx), -1)
            gW, gb = [None] * nW, [None] * nW
            for i in range(nW - 1, -1, -1):
                gW[i] = acts[i].T @ g + weight_decay * net.W[i]
                gb[i] = g.sum(axis=0)
                if i:
                    g = (g @ net.W[i].T) * (acts[i] > 0)
            grads = gW + gb
            step += 1
            for p, gr, mm, vv in zip(params, grads, m, v):
                mm *= b1; mm += (1 - b1) * gr
                vv *= b2; vv += (1 - b2) * gr * gr
                p -= lr_ep * (mm / (1 - b1 ** step)) / (np.sqrt(vv / (1 - b2 ** step)) + eps)
        rec = {"epoch": ep, "train": tot / len(X)}
        if val is not None:
            Xv, Yv, wv = val
            rec["val"] = pinball_grad(net.forward(Xv), Yv, wv)[0]
            if rec["val"] < best[0]:
                best = (rec["val"], [p.copy() for p in params])
        history.append(rec)
        log(f"  epoch {ep:2d} train {rec['train']:.5f}" + (f" val {rec['val']:.5f}" if "val" in rec else ""))
    if best[1] is not None:
        for p, bp in zip(params, best[1]):
            p[...] = bp
    return history
