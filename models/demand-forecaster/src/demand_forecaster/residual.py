"""featureSpec v2 model: a residual quantile head on the hour-of-week baseline (numpy forward, backprop, Adam).

Per row and metric m, B = hw_{m,q} (feature columns 63 + 9m + qi: the baseline's quantiles / s_m, >= 0 and
non-decreasing in q). The baseline is split into "slots" D = B @ T:
    D_4 = B_4 (median),  D_k = B_{k+1} - B_k (k < 4, lower increments),  D_k = B_k - B_{k-1} (k > 4, upper increments)
The network (MLP on the 99 features, last layer zero-initialised) outputs r, c [4, 9] and
    v_k = relu(D_k * exp(clip(r_k, -R, R)) + c_k)            (each slot >= 0)
    out = relu(v @ U):  out_4 = v_4,  out_k = v_4 + sum_{j=5..k} v_j (k > 4),  out_k = relu(v_4 - sum_{j=k..3} v_j) (k < 4)
so the output is non-negative and non-decreasing in q for any weights, and with r = c = 0 (untrained) it is exactly
the baseline: out_k = B_k. Input transform (also in the ONNX graph): log1p(max(x, 0)) of columns 0-31 and 63-98,
standardisation, event columns 42-47 masked to 0 (declared uplift is applied by the caller, as in v1).
"""
from __future__ import annotations

import numpy as np

from . import METRICS, QUANTILES
from .features import N_FEATURES, SPECS
from .model import StandardisedLayers

NM, NQ = len(METRICS), len(QUANTILES)
MED = QUANTILES.index(0.5)
HW0 = N_FEATURES  # first hw column (63)
F2 = SPECS["v2"]  # 99
LOG_COLS = np.r_[np.arange(0, 32), np.arange(HW0, F2)]
EVENT_COLS = np.arange(42, 48)
R_CLIP = 4.0


def slot_matrices() -> tuple[np.ndarray, np.ndarray]:
    T = np.zeros((NQ, NQ))
    U = np.zeros((NQ, NQ))
    for k in range(NQ):
        if k < MED:
            T[k + 1, k], T[k, k] = 1.0, -1.0
            U[MED, k] = 1.0
            U[k:MED, k] = -1.0
        elif k == MED:
            T[k, k] = 1.0
            U[MED, k] = 1.0
        else:
            T[k, k], T[k - 1, k] = 1.0, -1.0
            U[MED, k] = 1.0
            U[MED + 1:k + 1, k] = 1.0
    return T, U


T_MAT, U_MAT = slot_matrices()


class ResidualQuantileNet(StandardisedLayers):
    spec = "v2"

    def __init__(self, hidden: tuple[int, ...], seed: int, bias_only: bool = False, n_in: int = F2):
        rng = np.random.default_rng(seed)
        self.hidden = tuple(hidden)
        self.bias_only = bias_only
        sizes = [n_in, *hidden, NM * 2 * NQ]
        self.W = [rng.normal(0, np.sqrt(2.0 / a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros(b) for b in sizes[1:]]
        self.W[-1][...] = 0.0  # zero residual: the untrained model is the baseline
        self.mu = np.zeros(n_in)
        self.sd = np.ones(n_in)
        self.colmask = np.ones(n_in)
        self.colmask[EVENT_COLS] = 0.0

    @staticmethod
    def transform(X):
        X = np.asarray(X, dtype=np.float64).copy()
        X[:, LOG_COLS] = np.log1p(np.maximum(X[:, LOG_COLS], 0.0))
        return X

    def forward(self, X, cache: bool = False):
        X = np.asarray(X)
        h = self._inputs(X)
        acts = [h]
        for i in range(len(self.W) - 1):
            h = np.maximum(h @ self.W[i] + self.b[i], 0.0)
            acts.append(h)
        a = (h @ self.W[-1] + self.b[-1]).reshape(-1, NM, 2, NQ)
        r_raw, c = a[:, :, 0, :], a[:, :, 1, :]
        r = np.clip(r_raw, -R_CLIP, R_CLIP)
        B = np.asarray(X[:, HW0:F2], dtype=np.float64).reshape(-1, NM, NQ)
        D = B @ T_MAT
        e = np.exp(r)
        pre_v = D * e + c
        v = np.maximum(pre_v, 0.0)
        pre_o = v @ U_MAT
        y = np.maximum(pre_o, 0.0)
        if cache:
            return y, (acts, r_raw, D, e, pre_v, pre_o)
        return y

    def predict(self, X):
        return self.forward(X)

    def backward(self, gy, cache, weight_decay):
        acts, r_raw, D, e, pre_v, pre_o = cache
        n = len(gy)
        g_pre_o = gy * (pre_o >= 0)
        g_v = g_pre_o @ U_MAT.T
        g_pre_v = g_v * (pre_v >= 0)
        g_r = g_pre_v * D * e * (np.abs(r_raw) < R_CLIP)
        g = np.stack([g_r, g_pre_v], axis=2).reshape(n, -1)
        nW = len(self.W)
        gW, gb = [None] * nW, [None] * nW
        for i in range(nW - 1, -1, -1):
            gW[i] = acts[i].T @ g + weight_decay * self.W[i]
            if self.bias_only:
                gW[i] = np.zeros_like(self.W[i])
            gb[i] = g.sum(axis=0)
            if i:
                g = (g @ self.W[i].T) * (acts[i] > 0)
        return gW + gb



def train_residual(net: ResidualQuantileNet, X, Y, w, *, epochs=10, batch=1024, lr=1e-3, seed=0, val=None,
                   log=print, weight_decay=1e-4, patience=3):
    """Adam on the pinball loss with cosine decay; early stopping on the validation loss (keeps the best epoch,
    including the untrained baseline itself as epoch -1)."""
    from .model import pinball_grad
    rng = np.random.default_rng(seed)
    params = net.params()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    history = []
    best = (np.inf, None, -1)
    if val is not None:
        v0 = pinball_grad(net.forward(val[0]), val[1], val[2])[0]
        best = (v0, [p.copy() for p in params], -1)
        history.append({"epoch": -1, "val": v0})
        log(f"  untrained (= baseline) val {v0:.5f}")
    for ep in range(epochs):
        order = rng.permutation(len(X))
        lr_ep = lr * (0.5 * (1 + np.cos(np.pi * ep / epochs)))
        tot = 0.0
        for s in range(0, len(X), batch):
            idx = order[s:s + batch]
            y, cache = net.forward(X[idx], cache=True)
            loss, gy = pinball_grad(y, Y[idx], w[idx])
            tot += loss * len(idx)
            grads = net.backward(gy, cache, weight_decay)
            step += 1
            for p, gr, mm, vv in zip(params, grads, m, v):
                mm *= b1; mm += (1 - b1) * gr
                vv *= b2; vv += (1 - b2) * gr * gr
                p -= lr_ep * (mm / (1 - b1 ** step)) / (np.sqrt(vv / (1 - b2 ** step)) + eps)
        rec = {"epoch": ep, "train": tot / len(X)}
        if val is not None:
            rec["val"] = pinball_grad(net.forward(val[0]), val[1], val[2])[0]
            if rec["val"] < best[0]:
                best = (rec["val"], [p.copy() for p in params], ep)
        history.append(rec)
        log(f"  epoch {ep:2d} train {rec['train']:.5f}" + (f" val {rec['val']:.5f}" if "val" in rec else ""))
        if val is not None and ep - best[2] >= patience:
            log(f"  early stop (best epoch {best[2]})")
            break
    if best[1] is not None:
        for p, bp in zip(params, best[1]):
            p[...] = bp
    return history
