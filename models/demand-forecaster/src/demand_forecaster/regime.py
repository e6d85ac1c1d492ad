"""featureSpec v3 "regime" head (v4): the v3 mixture head (mixture.py) whose calibration r, c also reads, per metric,
six log ratios of the history's own quantile blocks (its volatility and level regime).

Same input as v3 (the 207 featureSpec v3 columns; the TypeScript features are unchanged). Per metric m, with the
blocks hw, hd7, l24, l168 (already / s_m), width(B) = B_0.9 - B_0.1 and med(B) = B_0.5:

    g_1 = log(width(l168) + e) - log(width(hw) + e)    last week's spread vs the hour-of-week spread
    g_2 = log(med(l24) + e)    - log(med(hw) + e)      last day's level vs the hour-of-week level
    g_3 = log(width(l24) + e)  - log(width(l168) + e)  last day's spread vs last week's
    g_4 = log(width(hd7) + e)  - log(width(hw) + e)    same-hour spread of the last week vs the hour-of-week one
    g_5 = log(width(hw) + e)   - log(med(hw) + e)      relative spread of the hour-of-week sample
    g_6 = log(med(l168) + e)   - log(med(hw) + e)      last week's level vs the hour-of-week level

with e = 0.05, widths and medians clamped >= 0 first and every g clipped to [-5, 5]. The g columns are appended after
the 207 transformed inputs, standardised with the other columns, and read through the same masked linear layer: by
default only by metric m's r and c (dispersion and shift of the calibration), optionally by its block logits. Output
guarantees are those of the v3 head (non-negative, non-crossing for any weights).

The ONNX graph (``to_onnx``) is the v3 layout plus: a Gather of the 44 block columns read, one MatMul to the 28
distinct widths / medians, Relu, + e, Log, a MatMul to the 24 differences, Clip, a MatMul to the 72 r/c columns, Add.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from . import METRICS, QUANTILES
from .features import SPECS, feature_names
from .mixture import BLOCK_COLS, HW0, K, NM, NOUT, NOUT_RC, NQ, MixResidualNet, build_mask, out_index
from .residual import MED, R_CLIP, T_MAT, U_MAT

EPS = 0.05
G_CLIP = 5.0
Q10, Q90 = QUANTILES.index(0.1), QUANTILES.index(0.9)
BLOCK_NAMES = ("hw", "hd7", "l24", "l168")
# (numerator, denominator), each (block, "width" | "median")
REGIME = (
    (("l168", "width"), ("hw", "width")),
    (("l24", "median"), ("hw", "median")),
    (("l24", "width"), ("l168", "width")),
    (("hd7", "width"), ("hw", "width")),
    (("hw", "width"), ("hw", "median")),
    (("l168", "median"), ("hw", "median")),
)
NG = len(REGIME)
STEP = feature_names("v3").index("step")
Z_BOUND = 60.0  # |block logit| below this for every input: the graph's softmax needs no max subtraction
NB = 36 * K  # the 144 block columns (hw, hd7, l24, l168), contiguous from HW0


def _matrices():
    """The distinct widths / medians the ratios need: QCOLS (the block columns read, relative to HW0), LQ
    [len(QCOLS), n_quantities] (columns -> widths / medians) and DIFF [n_quantities, NM * NG] (log numerator - log
    denominator), metric-major."""
    quants = []
    for m in range(NM):
        for pair in REGIME:
            for q in pair:
                if (m, *q) not in quants:
                    quants.append((m, *q))
    full = np.zeros((NB, len(quants)))
    for i, (m, blk, kind) in enumerate(quants):
        base = BLOCK_NAMES.index(blk) * 36 + m * NQ
        if kind == "width":
            full[base + Q90, i], full[base + Q10, i] = 1.0, -1.0
        else:
            full[base + MED, i] = 1.0
    qcols = np.nonzero(np.abs(full).sum(axis=1))[0]
    diff = np.zeros((len(quants), NM * NG))
    for m in range(NM):
        for j, (num, den) in enumerate(REGIME):
            diff[quants.index((m, *num)), m * NG + j] += 1.0
            diff[quants.index((m, *den)), m * NG + j] -= 1.0
    return qcols, full[qcols], diff


QCOLS, LQ, DIFF = _matrices()


def regime_features(X) -> np.ndarray:
    """[N, NM * NG] (metric-major) from the raw featureSpec v3 rows."""
    B = np.asarray(X, dtype=np.float64)[:, HW0 + QCOLS]
    return np.clip(np.log(np.maximum(B @ LQ, 0.0) + EPS) @ DIFF, -G_CLIP, G_CLIP)


def regime_names() -> list[str]:
    return [f"g{j + 1}_{m}" for m in METRICS for j in range(NG)]


class RegimeMixNet(MixResidualNet):
    """MixResidualNet with the NM*NG regime columns appended to its (transformed) inputs."""
    head = "regime"

    def __init__(self, rc_groups=(), gate_groups=("step*",), seed: int = 0, *, regime_rc: bool = True,
                 regime_gate: bool = False):
        super().__init__(build_mask(tuple(rc_groups), tuple(gate_groups) if gate_groups else None, "v3"), seed)
        ext = np.zeros((NM * NG, NOUT))
        for m in range(NM):
            rows = slice(m * NG, (m + 1) * NG)
            for q in range(NQ):
                if regime_rc:
                    ext[rows, out_index("r", m, q)] = ext[rows, out_index("c", m, q)] = 1.0
                if regime_gate:
                    for k in range(K):
                        ext[rows, out_index("z", m, q, k)] = 1.0
        self.n_raw = self.mask.shape[0]
        self.mask = np.vstack([self.mask, ext])
        self.W = [np.zeros(self.mask.shape)]
        self.colmask = np.r_[self.colmask, np.ones(NM * NG)]
        self.mu, self.sd = np.zeros(len(self.mask)), np.ones(len(self.mask))

    def transform(self, X):
        T = super().transform(X)
        T[:, STEP] = np.clip(T[:, STEP], 0.0, 1.0)  # h / 168 (valid rows are in [0, 1)): keeps the block logits bounded
        return np.concatenate([T, regime_features(X)], axis=1)


def _block_matrices():
    """Per block k: the [36, n_k] matrix from its slice B_k to the widths / medians it provides, and the order of the
    concatenated quantities in DIFF's rows (the graph reads the B_k slices it slices for the mixture anyway)."""
    full = np.zeros((NB, LQ.shape[1]))
    full[QCOLS] = LQ
    mats, order = [], []
    for k in range(K):
        part = full[36 * k:36 * (k + 1)]
        cols_k = np.nonzero(np.abs(part).sum(axis=0))[0]
        mats.append(part[:, cols_k])
        order += list(cols_k)
    assert sorted(order) == list(range(LQ.shape[1]))
    return mats, DIFF[order]


def to_onnx(net: RegimeMixNet) -> onnx.ModelProto:
    """The v3 head's graph (same maths as export.to_onnx_v3, element-wise on [N, 36] tensors, metric-major and
    quantile-minor) with the regime columns: widths / medians from the block slices B_k (MatMul each, Concat), Relu,
    + e, Log, MatMul to the 24 log ratios, Clip. The linear layer is split by output: block logits z (from the raw
    columns they read, e.g. `step`) and r, c (from the regime columns), each one MatMul + bias and one Split."""
    from .export import _model
    Ws, bs = net.folded()
    W, b = Ws[0], bs[0]
    F = net.n_raw
    MQ = NM * NQ
    rc_idx = ([out_index("r", m, q) for m in range(NM) for q in range(NQ)]
              + [out_index("c", m, q) for m in range(NM) for q in range(NQ)])
    z_idx = [out_index("z", m, q, k) for k in range(K) for m in range(NM) for q in range(NQ)]
    logmask = np.zeros(F, dtype=bool)
    logmask[net.log_cols] = True
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)  # noqa: E731
    f32 = lambda name, v: numpy_helper.from_array(np.asarray(v, np.float32), name)  # noqa: E731
    T36, U36 = np.kron(np.eye(NM), T_MAT), np.kron(np.eye(NM), U_MAT)
    inits = [i64("ax1", [1]), i64("shape3", [-1, NM, NQ]), f32("rlo", -R_CLIP), f32("rhi", R_CLIP), f32("T36", T36),
             f32("U36", U36), f32("eps", EPS), f32("Dg", _block_matrices()[1]), f32("glo", -G_CLIP),
             f32("ghi", G_CLIP)]
    nodes = []

    def cols(name, lo, hi):
        inits.extend([i64(f"{name}_lo", [lo]), i64(f"{name}_hi", [hi])])
        return [f"{name}_lo", f"{name}_hi", "ax1"]

    # block slices, their median / increments (D_k = B_k T) and the regime columns g
    assert [int(c[0]) for c in BLOCK_COLS] == [HW0 + MQ * k for k in range(K)] and HW0 + NB == F
    inits.append(i64("split_f", [HW0] + [MQ] * K))
    nodes.append(helper.make_node("Split", ["features", "split_f"], ["f_head"] + [f"B{k}" for k in range(K)], axis=1))
    for k in range(K):
        inits.append(f32(f"L{k}", _block_matrices()[0][k]))
        nodes += [helper.make_node("MatMul", [f"B{k}", "T36"], [f"D{k}"]),
                  helper.make_node("MatMul", [f"B{k}", f"L{k}"], [f"q{k}"])]
    nodes += [helper.make_node("Concat", [f"q{k}" for k in range(K)], ["q_raw"], axis=1),
              helper.make_node("Relu", ["q_raw"], ["q_pos"]), helper.make_node("Add", ["q_pos", "eps"], ["q_e"]),
              helper.make_node("Log", ["q_e"], ["q_log"]), helper.make_node("MatMul", ["q_log", "Dg"], ["g_raw"]),
              helper.make_node("Clip", ["g_raw", "glo", "ghi"], ["g"])]
    # the raw columns read (transformed as in MixResidualNet.transform)
    used = np.nonzero(np.abs(W[:F]).sum(axis=1) > 0)[0]
    if len(used):
        if len(used) == used[-1] - used[0] + 1:
            nodes += [helper.make_node("Slice", ["features", *cols("xu", int(used[0]), int(used[-1]) + 1)], ["xu"])]
        else:
            inits.append(i64("used", used))
            nodes += [helper.make_node("Gather", ["features", "used"], ["xu"], axis=1)]
        if logmask[used].any():
            inits += [numpy_helper.from_array(logmask[None, used], "logmask"), f32("zero", 0.0), f32("one", 1.0)]
            nodes += [helper.make_node("Max", ["xu", "zero"], ["x0"]), helper.make_node("Add", ["x0", "one"], ["x1"]),
                      helper.make_node("Log", ["x1"], ["xlog"]),
                      helper.make_node("Where", ["logmask", "xlog", "xu"], ["xt"])]
        else:
            nodes += [helper.make_node("Identity", ["xu"], ["xt"])]
        if list(used) == [STEP]:  # step clipped to [0, 1] as in RegimeMixNet.transform
            inits += [f32("s_lo", 0.0), f32("s_hi", 1.0)]
            nodes += [helper.make_node("Clip", ["xt", "s_lo", "s_hi"], ["x"])]
        elif STEP in used:
            big = np.float32(3e38)
            lo = np.where(used == STEP, 0.0, -big)[None]
            hi = np.where(used == STEP, 1.0, big)[None]
            inits += [f32("x_lo", lo), f32("x_hi", hi)]
            nodes += [helper.make_node("Max", ["xt", "x_lo"], ["xt0"]), helper.make_node("Min", ["xt0", "x_hi"], ["x"])]
        else:
            nodes += [helper.make_node("Identity", ["xt"], ["x"])]

    def linear(name, out_cols, out=None):
        """[N, len(out_cols)] = x W_x + g W_g + b over the inputs that reach these outputs (a constant row if none)."""
        terms = []
        for src, Wpart in (("x", W[used][:, out_cols] if len(used) else None), ("g", W[F:][:, out_cols])):
            if Wpart is not None and np.abs(Wpart).sum() > 0:
                inits.append(f32(f"W{name}{src}", Wpart))
                nodes.append(helper.make_node("MatMul", [src, f"W{name}{src}"], [f"{name}_{src}"]))
                terms.append(f"{name}_{src}")
        inits.append(f32(f"b{name}", b[out_cols]))
        if not terms:  # constant: broadcast the bias over the rows through g * 0
            inits.append(f32(f"Z{name}", np.zeros((W.shape[0] - F, len(out_cols)))))
            nodes.append(helper.make_node("MatMul", ["g", f"Z{name}"], [f"{name}_0"]))
            terms.append(f"{name}_0")
        if len(terms) == 2:
            nodes.append(helper.make_node("Add", terms, [f"{name}_xg"]))
            terms = [f"{name}_xg"]
        nodes.append(helper.make_node("Add", [terms[0], f"b{name}"], [out or f"A{name}"]))
        return out or f"A{name}"

    r_idx, c_idx = rc_idx[:MQ], rc_idx[MQ:]
    linear("r", r_idx, "r_raw")
    linear("c", c_idx, "c")
    # the block logits: when they read only the clipped step, |z| <= |b| + |w| bounds them and, that bound being
    # small, the softmax needs no max subtraction (same value, fewer ops): e_k = exp(step * w_k + b_k) per block;
    # otherwise the v3 form (one linear layer, Split, max subtraction)
    zW = W[:F][:, z_idx]
    bounded = set(used[np.abs(zW[used]).sum(axis=1) > 0]) <= {STEP} and not np.abs(W[F:][:, z_idx]).any()
    bound = np.abs(b[z_idx]) + np.abs(zW[STEP])
    if bounded and bound.max() < Z_BOUND:
        step_in = "x" if list(used) == [STEP] else None
        if step_in is None:  # the step column alone, clipped
            inits += [f32("s_lo", 0.0), f32("s_hi", 1.0)]
            nodes += [helper.make_node("Slice", ["features", *cols("st", STEP, STEP + 1)], ["st_raw"]),
                      helper.make_node("Clip", ["st_raw", "s_lo", "s_hi"], ["st"])]
            step_in = "st"
        for k in range(K):
            sl = slice(k * MQ, (k + 1) * MQ)
            inits += [f32(f"wz{k}", zW[STEP, sl][None]), f32(f"bz{k}", b[z_idx][sl])]
            nodes += [helper.make_node("Gemm", [step_in, f"wz{k}", f"bz{k}"], [f"z{k}"]),
                      helper.make_node("Exp", [f"z{k}"], [f"e{k}"])]
    else:
        Az = linear("z", z_idx)
        inits.append(i64("split4", [MQ] * K))
        nodes += [helper.make_node("Split", [Az, "split4"], [f"z{k}" for k in range(K)], axis=1),
                  helper.make_node("Max", [f"z{k}" for k in range(K)], ["zmax"])]
        for k in range(K):
            nodes += [helper.make_node("Sub", [f"z{k}", "zmax"], [f"zs{k}"]),
                      helper.make_node("Exp", [f"zs{k}"], [f"e{k}"])]
    nodes += [helper.make_node("Mul", [f"e{k}", f"D{k}"], [f"eD{k}"]) for k in range(K)]
    nodes += [
        helper.make_node("Sum", [f"e{k}" for k in range(K)], ["esum"]),
        helper.make_node("Sum", [f"eD{k}" for k in range(K)], ["eDsum"]),
        helper.make_node("Div", ["eDsum", "esum"], ["D"]),  # convex mixture over the blocks
        helper.make_node("Clip", ["r_raw", "rlo", "rhi"], ["r"]),
        helper.make_node("Exp", ["r"], ["er"]),
        helper.make_node("Mul", ["D", "er"], ["De"]),
        helper.make_node("Add", ["De", "c"], ["pre_v"]),
        helper.make_node("Relu", ["pre_v"], ["v"]),  # median >= 0, increments >= 0
        helper.make_node("MatMul", ["v", "U36"], ["pre_o"]),  # median +- cumulative increments
        helper.make_node("Relu", ["pre_o"], ["o"]),
        helper.make_node("Reshape", ["o", "shape3"], ["quantiles"]),
    ]
    return _model(nodes, "demand_forecaster_v4_regime", F, inits)


def write_version(out_dir: Path, net: RegimeMixNet, **kw) -> dict:
    """export.write_version for the regime head: its own graph and weights (mask, regime flags); manifest as v3's
    plus "head": "regime"."""
    from . import export
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / "model.onnx"
    onnx_path.write_bytes(to_onnx(net).SerializeToString())
    np.savez_compressed(out_dir / "weights.npz", W=net.W[0], b=net.b[0], mu=net.mu, sd=net.sd, mask=net.mask,
                        bmask=net.bmask, spec=np.array("v3"), head=np.array("regime"))
    man = _manifest(onnx_path, export.sha256_file(onnx_path), **kw)
    (out_dir / "manifest.json").write_text(json.dumps(man, indent=2) + "\n")
    return man


def _manifest(onnx_path, sha, *, version, priors, widening, training_data, family, extra=None, created_at):
    nf = SPECS["v3"]
    return {
        "version": version, "onnx": onnx_path.name, "sha256": sha, "family": family, "head": "regime",
        "inputs": [{"name": "features", "dtype": "float32", "shape": ["N", nf]}],
        "outputs": [{"name": "quantiles", "dtype": "float32", "shape": ["N", NM, NQ],
                     "units": "normalised (multiply by s_m)"}],
        "featureSpec": "v3", "featureNames": feature_names("v3"), "quantiles": list(QUANTILES),
        "metrics": list(METRICS), "maxHorizon": 168, "scalePriors": priors,
        "coldStartWidening": {m: {str(q): float(f) for q, f in zip(QUANTILES, widening[m])} for m in METRICS},
        "eventUplift": "applied-by-caller", "trainingData": training_data, "evaluation": {}, "createdAt": created_at,
        **(extra or {}),
    }


def load_net(version_dir: Path) -> RegimeMixNet:
    z = np.load(Path(version_dir) / "weights.npz")
    net = RegimeMixNet()
    net.mask, net.bmask = z["mask"], z["bmask"]
    net.W, net.b = [z["W"]], [z["b"]]
    net.mu, net.sd = z["mu"], z["sd"]
    return net
