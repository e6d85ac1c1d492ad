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

The ONNX graph (``to_onnx``) is the v3 layout plus: one MatMul from the 144 block columns (as [4N, 36]) to the
widths / medians of every block and metric, Relu, + e, Log, a MatMul to the 24 differences, Clip, a MatMul and a bias
each for r and c.

Domain of the step: the model is defined on the feature spec's grid, step = h / 168 for an integer h (all the feature
builders, Python and TypeScript, produce; valid rows have h in 0..167). Any other value is read as the nearest grid
point of its clip to [0, 1]: h = round(clip(step, 0, 1) * 168), computed in float32 and rounded half to even, both in
``RegimeMixNet.transform`` (numpy) and in the graph, so the two agree within 1e-4 for any finite input (a NaN step is
outside the domain: NaN from numpy, an index error from the graph). When the block logits read only the step (the
released v4), the graph therefore needs no logits at all: the softmax weights over the blocks at the 169 grid steps
are computed at export (float64, max subtracted, stored float32) as one table per block [169, 36] and gathered by h.
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
STEPS = 168  # the step grid: step = h / STEPS, h = 0..STEPS (after the clip to [0, 1])
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
        T[:, STEP] = grid_index(T[:, STEP]) / STEPS  # the step on its grid h / 168, as the graph reads it
        return np.concatenate([T, regime_features(X)], axis=1)


def grid_index(step) -> np.ndarray:
    """h = round(clip(step, 0, 1) * 168) exactly as the graph computes it (float32 Clip, Mul, Round half to even), as
    float64; h / 168 for a grid step h / 168 (NaN stays NaN)."""
    s = np.clip(np.asarray(step, dtype=np.float32), np.float32(0.0), np.float32(1.0))
    return np.rint(s * np.float32(STEPS)).astype(np.float64)


def step_weights(net: RegimeMixNet):
    """The block weights softmax_k(z) at every grid step h / 168, h = 0..168: [169, K * NM * NQ] float64, block-major
    then metric-major and quantile-minor (the layout of the graph's D_k), from the folded weights in float64 with the
    max subtracted (exact for logits of any size); None when a block logit reads a column other than the step (or a
    regime column)."""
    Ws, bs = net.folded()
    W, b = Ws[0], bs[0]
    z_idx = [out_index("z", m, q, k) for k in range(K) for m in range(NM) for q in range(NQ)]
    zW = W[:, z_idx]
    reads = np.nonzero(np.abs(zW).sum(axis=1) > 0)[0]
    if len(reads) and list(reads) != [STEP]:
        return None
    s = np.arange(STEPS + 1, dtype=np.float64) / STEPS
    z = (s[:, None] * zW[STEP][None] + b[z_idx]).reshape(STEPS + 1, K, NM * NQ)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).reshape(STEPS + 1, K * NM * NQ)


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


def _widths_medians():
    """[9, 2]: the 9 quantiles of one (block, metric) -> its width B_0.9 - B_0.1 and its median B_0.5."""
    LW = np.zeros((NQ, 2))
    LW[Q90, 0], LW[Q10, 0], LW[MED, 1] = 1.0, -1.0, 1.0
    return LW


def _diff_of_widths_medians():
    """DIFF with its rows on the graph's [N, 32] widths / medians (block, metric, then width, median); zero rows for
    the medians no ratio reads."""
    quants = list(dict.fromkeys((m, *q) for m in range(NM) for pair in REGIME for q in pair))  # _matrices' order
    out = np.zeros((2 * NB // NQ, DIFF.shape[1]))
    for i, (m, blk, kind) in enumerate(quants):
        out[2 * (BLOCK_NAMES.index(blk) * NM + m) + (kind == "median")] = DIFF[i]
    return out


def to_onnx(net: RegimeMixNet, step_table: bool = True) -> onnx.ModelProto:
    """The v3 head's graph (same maths as export.to_onnx_v3, element-wise on [N, 36] tensors, metric-major and
    quantile-minor) with the regime columns: widths / medians from the block slices B_k (MatMul each, Concat), Relu,
    + e, Log, MatMul to the 24 log ratios, Clip. r and c: each one MatMul + bias from the columns they read. The block
    weights: when the logits read only the step (``step_weights``), one Gather of the [169, 4 * 36] weight table by
    h = Round(Clip(step, 0, 1) * 168) (no logits, Exp or division in the graph), and the input read as one Slice of
    the 144 block columns viewed as [4N, 36], so that D_k = B_k T and the widths / medians are one MatMul each for
    all four blocks (the Split of all 207 columns, eight MatMuls and four Gathers were a fifth of the graph's time;
    the outputs are the same to the bit: the same products summed with exact zeros); otherwise the v3 form (one
    linear layer on the grid step, Split, max subtraction, Exp, division by the sum; also with ``step_table=False``,
    the reference the table layout is checked against)."""
    from .export import _model, calibration_nodes
    Ws, bs = net.folded()
    W, b = Ws[0], bs[0]
    F = net.n_raw
    MQ = NM * NQ
    rc_idx = ([out_index("r", m, q) for m in range(NM) for q in range(NQ)]
              + [out_index("c", m, q) for m in range(NM) for q in range(NQ)])
    z_idx = [out_index("z", m, q, k) for k in range(K) for m in range(NM) for q in range(NQ)]
    table = step_weights(net) if step_table else None
    logmask = np.zeros(F, dtype=bool)
    logmask[net.log_cols] = True
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)  # noqa: E731
    f32 = lambda name, v: numpy_helper.from_array(np.asarray(v, np.float32), name)  # noqa: E731
    T36, U36 = np.kron(np.eye(NM), T_MAT), np.kron(np.eye(NM), U_MAT)
    inits = [i64("shape3", [-1, NM, NQ]), f32("rlo", -R_CLIP), f32("rhi", R_CLIP), f32("U36", U36), f32("eps", EPS),
             f32("glo", -G_CLIP), f32("ghi", G_CLIP)]
    # the raw columns read by the linear layer (by r / c only when the block weights come from the table)
    outs = rc_idx if table is not None else rc_idx + z_idx
    used = np.nonzero(np.abs(W[:F][:, outs]).sum(axis=1) > 0)[0]
    if table is not None or STEP in used:  # the step's grid index is computed
        inits += [f32("s_lo", 0.0), f32("s_hi", 1.0), f32("s_n", float(STEPS))]
    nodes = []

    def cols(name, lo, hi):
        if "ax1" not in {i.name for i in inits}:
            inits.append(i64("ax1", [1]))
        inits.extend([i64(f"{name}_lo", [lo]), i64(f"{name}_hi", [hi])])
        return [f"{name}_lo", f"{name}_hi", "ax1"]

    def grid(src, out):
        """h = Round(Clip(step, 0, 1) * 168), the step's grid index as in RegimeMixNet.transform."""
        nodes.extend([helper.make_node("Clip", [src, "s_lo", "s_hi"], [f"{out}_c"]),
                      helper.make_node("Mul", [f"{out}_c", "s_n"], [f"{out}_x"]),
                      helper.make_node("Round", [f"{out}_x"], [f"{out}_h"])])
        return f"{out}_h"

    # block slices, their median / increments (D_k = B_k T) and the regime columns g
    assert [int(c[0]) for c in BLOCK_COLS] == [HW0 + MQ * k for k in range(K)] and HW0 + NB == F
    if table is not None:
        # only the 144 block columns copied out of the input (not all 207), as [4N, 36] (a block of a row per row):
        # D = B T and the widths / medians of every (block, metric) by one MatMul each for the four blocks (the same
        # sums as per block: one or two entries ±1, the rest 0)
        inits += [i64("b_lo", [HW0]), i64("b_hi", [F]), i64("ax1", [1]), i64("shape_b", [-1, MQ]), f32("T36", T36),
                  i64("shape_n", [-1, NB]), f32("LW", np.kron(np.eye(NM), _widths_medians())),
                  i64("shape_q", [-1, 2 * NB // NQ]), f32("Dg", _diff_of_widths_medians())]
        nodes += [helper.make_node("Slice", ["features", "b_lo", "b_hi", "ax1"], ["B"]),
                  helper.make_node("Reshape", ["B", "shape_b"], ["B4"]),
                  helper.make_node("MatMul", ["B4", "T36"], ["D4"]),
                  helper.make_node("Reshape", ["D4", "shape_n"], ["Dn"]),
                  helper.make_node("MatMul", ["B4", "LW"], ["q4"]),
                  helper.make_node("Reshape", ["q4", "shape_q"], ["q_raw"])]
    else:
        inits += [f32("T36", T36), f32("Dg", _block_matrices()[1]), i64("split_f", [HW0] + [MQ] * K)]
        nodes.append(helper.make_node("Split", ["features", "split_f"], ["f_head"] + [f"B{k}" for k in range(K)],
                                      axis=1))
        for k in range(K):
            inits.append(f32(f"L{k}", _block_matrices()[0][k]))
            nodes += [helper.make_node("MatMul", [f"B{k}", "T36"], [f"D{k}"]),
                      helper.make_node("MatMul", [f"B{k}", f"L{k}"], [f"q{k}"])]
        nodes.append(helper.make_node("Concat", [f"q{k}" for k in range(K)], ["q_raw"], axis=1))
    nodes += [helper.make_node("Relu", ["q_raw"], ["q_pos"]), helper.make_node("Add", ["q_pos", "eps"], ["q_e"]),
              helper.make_node("Log", ["q_e"], ["q_log"]), helper.make_node("MatMul", ["q_log", "Dg"], ["g_raw"]),
              helper.make_node("Clip", ["g_raw", "glo", "ghi"], ["g"])]
    # the raw columns read, transformed as in MixResidualNet.transform, the step put on its grid as in
    # RegimeMixNet.transform
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
        if STEP in used:  # the step column replaced by its grid value h / 168
            j = int(np.nonzero(used == STEP)[0][0])
            inits.append(numpy_helper.from_array((used == STEP)[None], "is_step"))
            nodes.append(helper.make_node("Slice", ["xt", *cols("xs", j, j + 1)], ["xs"]))
            nodes += [helper.make_node("Div", [grid("xs", "xs"), "s_n"], ["xs_grid"]),
                      helper.make_node("Where", ["is_step", "xs_grid", "xt"], ["x"])]
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
    if table is not None:
        # a_k = table_k[h], h = Round(Clip(step, 0, 1) * 168) as an index; weights already normalised
        inits.append(i64("step_col", STEP))
        nodes.append(helper.make_node("Gather", ["features", "step_col"], ["st_raw"], axis=1))
        nodes.append(helper.make_node("Cast", [grid("st_raw", "st")], ["st_i"], to=onnx.TensorProto.INT64))
        # one Gather of the four blocks' weights, one Mul, then the blocks apart for their Sum
        inits += [f32("A", table), i64("split4", [MQ] * K)]
        nodes += [helper.make_node("Gather", ["A", "st_i"], ["a"], axis=0),
                  helper.make_node("Mul", ["a", "Dn"], ["aD"]),
                  helper.make_node("Split", ["aD", "split4"], [f"aD{k}" for k in range(K)], axis=1),
                  helper.make_node("Sum", [f"aD{k}" for k in range(K)], ["D"])]  # convex mixture over the blocks
    else:
        Az = linear("z", z_idx)
        inits.append(i64("split4", [MQ] * K))
        nodes += [helper.make_node("Split", [Az, "split4"], [f"z{k}" for k in range(K)], axis=1),
                  helper.make_node("Max", [f"z{k}" for k in range(K)], ["zmax"])]
        for k in range(K):
            nodes += [helper.make_node("Sub", [f"z{k}", "zmax"], [f"zs{k}"]),
                      helper.make_node("Exp", [f"zs{k}"], [f"e{k}"]),
                      helper.make_node("Mul", [f"e{k}", f"D{k}"], [f"eD{k}"])]
        nodes += [helper.make_node("Sum", [f"e{k}" for k in range(K)], ["esum"]),
                  helper.make_node("Sum", [f"eD{k}" for k in range(K)], ["eDsum"]),
                  helper.make_node("Div", ["eDsum", "esum"], ["D"])]  # convex mixture over the blocks
    nodes += calibration_nodes(reshaped=True)
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


def reexport(version_dir: Path) -> str:
    """Rewrites <version_dir>/model.onnx from its weights.npz with the current ``to_onnx`` (no retraining: the weights,
    the rest of the manifest and training.json stay as they are) and the manifest's sha256; returns the new sha256.
    Then regenerate the vectors, evaluate and the card (``bash models/run.sh reexport --version vN`` does all four)."""
    from .export import sha256_file
    version_dir = Path(version_dir)
    onnx_path = version_dir / "model.onnx"
    onnx_path.write_bytes(to_onnx(load_net(version_dir)).SerializeToString())
    man_path = version_dir / "manifest.json"
    man = json.loads(man_path.read_text())
    assert man.get("head") == "regime", f"{version_dir} is not a regime-head version"
    man["sha256"] = sha256_file(onnx_path)
    man_path.write_text(json.dumps(man, indent=2) + "\n")
    return man["sha256"]


if __name__ == "__main__":
    import argparse
    from .data import PACKAGE_ROOT
    ap = argparse.ArgumentParser(description="python -m demand_forecaster.regime --version vN: " + reexport.__doc__)
    ap.add_argument("--version", required=True)
    a = ap.parse_args()
    print(f"re-exported {a.version}/model.onnx, sha256 {reexport(PACKAGE_ROOT / a.version)}")
