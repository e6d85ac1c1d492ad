"""featureSpec v3 model: quantile averaging of baseline-like blocks + the v2 residual (calibration) head.

Per row and metric m there are K = 4 quantile blocks B_k [9] (feature columns, already / s_m, each >= 0 and
non-decreasing in q): hw (hour of week, v2), hd7 (same hour of day over the last week), l24 (last 24 h), l168 (last
168 h). With the v2 slot transform D_k = B_k @ T (median and non-negative increments):

    a = softmax_k(z)                        (per metric and slot: convex weights over the blocks)
    D = sum_k a_k D_k                        (mixture of medians and of increments, all >= 0)
    v = relu(D * exp(clip(r, +-R)) + c)      (v2 calibration)
    out = relu(v @ U)                        (median +- cumulative increments: >= 0 and non-crossing)

z [M,K,Q], r [M,Q], c [M,Q] are linear in the (transformed, standardised) features through a fixed sparsity mask
(each output may only read its allowed columns, e.g. its own metric's calibration features), so the whole model is
one masked matrix product: small and fast in ONNX. Input transform: log1p(max(x, 0)) of the level / quantile
columns, standardisation, event columns masked (declared uplift is applied by the caller).
"""
from __future__ import annotations

import numpy as np

from . import METRICS, QUANTILES
from .features import N_FEATURES, SPECS, feature_names
from .features_v3 import BLOCKS
from .model import StandardisedLayers
from .residual import R_CLIP, T_MAT, U_MAT

NM, NQ = len(METRICS), len(QUANTILES)
F3 = SPECS["v3"]
HW0 = N_FEATURES
BLOCK_COLS = [np.arange(HW0 + 36 * k, HW0 + 36 * (k + 1)) for k in range(1 + len(BLOCKS))]  # hw, hd7, l24, l168
K = len(BLOCK_COLS)
EVENT_COLS = np.arange(42, 48)


def log_cols(spec: str = "v3") -> np.ndarray:
    names = feature_names(spec)
    return np.r_[np.arange(0, 32), np.arange(HW0, HW0 + 36 * K),
                 np.asarray([i for i, n in enumerate(names) if n.startswith("pitpb_")], dtype=np.int64)].astype(np.int64)


LOG_COLS = log_cols("v3")
NOUT_RC = NM * 2 * NQ
NOUT = NM * (2 + K) * NQ


def out_index(kind: str, m: int, q: int, k: int = 0) -> int:
    """column of the linear layer's output: r/c at m*2*NQ + {0,1}*NQ + q; gate logits after NOUT_RC."""
    if kind == "r":
        return m * 2 * NQ + q
    if kind == "c":
        return m * 2 * NQ + NQ + q
    return NOUT_RC + (m * K + k) * NQ + q


def metric_cols(m: str, groups: tuple[str, ...], spec: str = "v3") -> list[int]:
    """feature columns of metric m in the named groups (name prefixes), plus shared columns named in groups."""
    out = []
    for i, n in enumerate(feature_names(spec)):
        for g in groups:
            if g.endswith("*"):  # shared column, exact name without the star
                if n == g[:-1]:
                    out.append(i)
            elif n.startswith(g + "_" + m) and (n == f"{g}_{m}" or n.startswith(f"{g}_{m}_")):
                out.append(i)
    return out


def build_mask(rc_groups: tuple[str, ...], gate_groups: tuple[str, ...] | None, spec: str = "v3") -> np.ndarray:
    """[F, NOUT] 0/1: which feature column each output reads (biases are always free).
    gate_groups None -> the gate is constant (bias only)."""
    Mk = np.zeros((SPECS[spec], NOUT))
    for mi, m in enumerate(METRICS):
        rc = metric_cols(m, rc_groups, spec)
        for q in range(NQ):
            Mk[rc, out_index("r", mi, q)] = 1.0
            Mk[rc, out_index("c", mi, q)] = 1.0
        if gate_groups:
            gc = metric_cols(m, gate_groups, spec)
            for k in range(K):
                for q in range(NQ):
                    Mk[gc, out_index("z", mi, q, k)] = 1.0
    return Mk


class MixResidualNet(StandardisedLayers):
    spec = "v3"

    def __init__(self, mask: np.ndarray, seed: int = 0, gate_init=(0.0, -2.0, -2.0, -2.0), blocks=K):
        self.hidden = ()
        self.mask = np.asarray(mask, dtype=np.float64)
        n_in = self.mask.shape[0]
        self.spec = next(k for k, v in SPECS.items() if v == n_in and k.startswith("v3"))
        self.log_cols = log_cols(self.spec)
        self.W = [np.zeros((n_in, NOUT))]
        b = np.zeros(NOUT)
        for mi in range(NM):
            for k in range(K):
                for q in range(NQ):
                    b[out_index("z", mi, q, k)] = gate_init[k] if k < blocks else -30.0
        self.b = [b]
        self.blocks = blocks
        self.bmask = np.ones(NOUT)  # disabled blocks keep their -30 logit
        for mi in range(NM):
            for k in range(blocks, K):
                for q in range(NQ):
                    self.bmask[out_index("z", mi, q, k)] = 0.0
        self.mu = np.zeros(n_in)
        self.sd = np.ones(n_in)
        self.colmask = np.ones(n_in)
        self.colmask[EVENT_COLS] = 0.0
        self.calib = None  # [M, Q] post-hoc interval calibration (calibrate.py), None = identity; not trained

    def transform(self, X):
        X = np.asarray(X, dtype=np.float64).copy()
        X[:, self.log_cols] = np.log1p(np.maximum(X[:, self.log_cols], 0.0))
        return X

    def effective(self):
        return self.W[0] * self.mask

    def folded(self):
        scale = self.colmask / self.sd
        W = self.effective()
        W0 = W * scale[:, None]
        b0 = self.b[0] - (self.mu * scale) @ W
        return [W0], [b0]

    def forward(self, X, cache: bool = False):
        X = np.asarray(X)
        h = self._inputs(X)
        A = h @ self.effective() + self.b[0]
        n = len(X)
        rc = A[:, :NOUT_RC].reshape(n, NM, 2, NQ)
        r_raw, c = rc[:, :, 0], rc[:, :, 1]
        z = A[:, NOUT_RC:].reshape(n, NM, K, NQ)
        z = z - z.max(axis=2, keepdims=True)
        ez = np.exp(z)
        a = ez / ez.sum(axis=2, keepdims=True)
        B = np.stack([np.asarray(X[:, cols], dtype=np.float64).reshape(n, NM, NQ) for cols in BLOCK_COLS], axis=2)
        Dk = B @ T_MAT  # [n, M, K, Q]
        D = (a * Dk).sum(axis=2)
        r = np.clip(r_raw, -R_CLIP, R_CLIP)
        e = np.exp(r)
        pre_v = D * e + c
        v = np.maximum(pre_v, 0.0)
        pre_o = v @ U_MAT
        y = np.maximum(pre_o, 0.0)
        if cache:
            assert self.calib is None, "the interval calibration is post-hoc: train without it"
            return y, (h, r_raw, a, Dk, D, e, pre_v, pre_o)
        if self.calib is not None:
            from .calibrate import apply_calibration
            y = apply_calibration(y, self.calib)
        return y

    def predict(self, X, batch: int = 200_000):
        return np.concatenate([self.forward(X[i:i + batch]) for i in range(0, len(X), batch)]) if len(X) else \
            np.zeros((0, NM, NQ))

    def backward(self, gy, cache, weight_decay):
        h, r_raw, a, Dk, D, e, pre_v, pre_o = cache
        n = len(gy)
        g_pre_o = gy * (pre_o >= 0)
        g_v = g_pre_o @ U_MAT.T
        g_pre_v = g_v * (pre_v >= 0)
        g_r = g_pre_v * D * e * (np.abs(r_raw) < R_CLIP)
        g_D = g_pre_v * e
        g_a = g_D[:, :, None, :] * Dk
        g_z = a * (g_a - (a * g_a).sum(axis=2, keepdims=True))
        gA = np.concatenate([np.stack([g_r, g_pre_v], axis=2).reshape(n, -1), g_z.reshape(n, -1)], axis=1)
        gW = (h.T @ gA) * self.mask + weight_decay * self.W[0] * self.mask
        gb = gA.sum(axis=0) * self.bmask
        return [gW, gb]
