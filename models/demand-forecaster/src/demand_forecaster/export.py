"""ONNX export of QuantileNet (one graph: preprocessing, MLP, non-crossing non-negative head) and the manifest."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import METRICS, QUANTILES
from .features import N_FEATURES, SPECS, feature_names
from .model import N_LOG, NM, NQ, QuantileNet
from .residual import F2, HW0, R_CLIP, T_MAT, U_MAT, ResidualQuantileNet

OPSET = 17



def _model(nodes, name: str, n_features: int, inits) -> onnx.ModelProto:
    """The graph of `nodes` as a checked ONNX model: features [N, n_features] in, quantiles [N, 4, 9] out."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info("quantiles", TensorProto.FLOAT, ["N", NM, NQ])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="clonecast-demand-forecaster")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model

def to_onnx(net) -> onnx.ModelProto:
    from .mixture import MixResidualNet
    if isinstance(net, MixResidualNet):
        return to_onnx_v3(net)
    if isinstance(net, ResidualQuantileNet):
        return to_onnx_v2(net)
    Ws, bs = net.folded()
    inits = [
        numpy_helper.from_array(np.array([0], np.int64), "c0"),
        numpy_helper.from_array(np.array([N_LOG], np.int64), "cL"),
        numpy_helper.from_array(np.array([N_FEATURES], np.int64), "cF"),
        numpy_helper.from_array(np.array([1], np.int64), "c1"),
        numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one"),
        numpy_helper.from_array(np.array([-1, NM, NQ], np.int64), "shape"),
        numpy_helper.from_array(np.array(2, np.int64), "qaxis"),
    ]
    nodes = [
        helper.make_node("Slice", ["features", "c0", "cL", "c1"], ["xl"]),
        helper.make_node("Slice", ["features", "cL", "cF", "c1"], ["xr"]),
        helper.make_node("Max", ["xl", "zero"], ["xl0"]),
        helper.make_node("Add", ["xl0", "one"], ["xl1"]),
        helper.make_node("Log", ["xl1"], ["xlog"]),
        helper.make_node("Concat", ["xlog", "xr"], ["x"], axis=1),
    ]
    h = "x"
    for i, (W, b) in enumerate(zip(Ws, bs)):
        inits += [numpy_helper.from_array(W.astype(np.float32), f"W{i}"),
                  numpy_helper.from_array(b.astype(np.float32), f"b{i}")]
        nodes += [helper.make_node("MatMul", [h, f"W{i}"], [f"m{i}"]), helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"])]
        if i < len(Ws) - 1:
            nodes.append(helper.make_node("Relu", [f"a{i}"], [f"h{i}"]))
            h = f"h{i}"
    last = f"a{len(Ws) - 1}"
    nodes += [
        helper.make_node("Reshape", [last, "shape"], ["raw"]),
        helper.make_node("Softplus", ["raw"], ["inc"]),  # base >= 0 and increments >= 0
        helper.make_node("CumSum", ["inc", "qaxis"], ["quantiles"]),  # non-decreasing along the quantile axis
    ]
    return _model(nodes, "demand_forecaster", N_FEATURES, inits)


def to_onnx_v2(net: ResidualQuantileNet) -> onnx.ModelProto:
    """featureSpec v2: log1p of columns 0-31 and 63-98, MLP (standardisation folded in), residual head on the
    baseline quantiles hw (columns 63-98), see residual.py."""
    Ws, bs = net.folded()
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)  # noqa: E731
    f32 = lambda name, v: numpy_helper.from_array(np.asarray(v, np.float32), name)  # noqa: E731
    inits = [i64("c0", [0]), i64("cL", [N_LOG]), i64("cH", [HW0]), i64("cF", [F2]), i64("c1", [1]),
             i64("c2", [2]), i64("ax1", [1]), i64("ax2", [2]), i64("shape4", [-1, NM, 2, NQ]),
             i64("shape3", [-1, NM, NQ]), f32("zero", 0.0), f32("one", 1.0), f32("rlo", -R_CLIP), f32("rhi", R_CLIP),
             f32("T", T_MAT), f32("U", U_MAT)]
    nodes = [
        helper.make_node("Slice", ["features", "c0", "cL", "ax1"], ["xl"]),
        helper.make_node("Slice", ["features", "cL", "cH", "ax1"], ["xm"]),
        helper.make_node("Slice", ["features", "cH", "cF", "ax1"], ["hw"]),
        helper.make_node("Max", ["xl", "zero"], ["xl0"]), helper.make_node("Add", ["xl0", "one"], ["xl1"]),
        helper.make_node("Log", ["xl1"], ["xlog"]),
        helper.make_node("Max", ["hw", "zero"], ["hw0"]), helper.make_node("Add", ["hw0", "one"], ["hw1"]),
        helper.make_node("Log", ["hw1"], ["hwlog"]),
        helper.make_node("Concat", ["xlog", "xm", "hwlog"], ["x"], axis=1),
    ]
    h = "x"
    for i, (W, b) in enumerate(zip(Ws, bs)):
        inits += [f32(f"W{i}", W), f32(f"b{i}", b)]
        nodes += [helper.make_node("MatMul", [h, f"W{i}"], [f"m{i}"]),
                  helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"])]
        if i < len(Ws) - 1:
            nodes.append(helper.make_node("Relu", [f"a{i}"], [f"h{i}"]))
            h = f"h{i}"
    last = f"a{len(Ws) - 1}"
    nodes += [
        helper.make_node("Reshape", [last, "shape4"], ["rc"]),
        helper.make_node("Slice", ["rc", "c0", "c1", "ax2"], ["r4"]),
        helper.make_node("Slice", ["rc", "c1", "c2", "ax2"], ["c4"]),
        helper.make_node("Reshape", ["r4", "shape3"], ["r_raw"]),
        helper.make_node("Reshape", ["c4", "shape3"], ["c"]),
        helper.make_node("Clip", ["r_raw", "rlo", "rhi"], ["r"]),
        helper.make_node("Exp", ["r"], ["er"]),
        helper.make_node("Reshape", ["hw", "shape3"], ["B"]),
        helper.make_node("MatMul", ["B", "T"], ["D"]),  # median and baseline increments
        helper.make_node("Mul", ["D", "er"], ["De"]),
        helper.make_node("Add", ["De", "c"], ["pre_v"]),
        helper.make_node("Relu", ["pre_v"], ["v"]),  # median >= 0, increments >= 0
        helper.make_node("MatMul", ["v", "U"], ["pre_o"]),  # median +- cumulative increments
        helper.make_node("Relu", ["pre_o"], ["quantiles"]),  # >= 0; order kept (increments >= 0)
    ]
    return _model(nodes, "demand_forecaster_v2", F2, inits)


def calibration_nodes(reshaped: bool = False) -> list:
    """The v2 calibration on the mixed slots D ([N, 36]) with r_raw and c: v = relu(D * exp(clip(r_raw, rlo, rhi)) + c),
    then o = relu(v @ U36) (median +- cumulative increments), shared by the v3 and v4 (regime.py) graphs. `reshaped`:
    the last Relu writes the output "quantiles" [N, 4, 9] itself (pre_o reshaped by "shape3" before it), instead of
    a Reshape of o copying it there (v3's graph keeps that layout)."""
    return [
        helper.make_node("Clip", ["r_raw", "rlo", "rhi"], ["r"]),
        helper.make_node("Exp", ["r"], ["er"]),
        helper.make_node("Mul", ["D", "er"], ["De"]),
        helper.make_node("Add", ["De", "c"], ["pre_v"]),
        helper.make_node("Relu", ["pre_v"], ["v"]),  # median >= 0, increments >= 0
        helper.make_node("MatMul", ["v", "U36"], ["pre_o"]),  # median +- cumulative increments
        *([helper.make_node("Reshape", ["pre_o", "shape3"], ["pre_o3"]),
           helper.make_node("Relu", ["pre_o3"], ["quantiles"])] if reshaped else
          [helper.make_node("Relu", ["pre_o"], ["o"])]),
    ]


def to_onnx_v3(net) -> onnx.ModelProto:
    """featureSpec v3 (mixture.py): one masked linear layer (standardisation folded in; only the columns it reads are
    gathered; a constant when every weight is zero) gives r, c and the block logits z; per block the median and
    increments D_k = B_k T, a softmax over the blocks, the convex mixture D, then the v2 calibration head. Everything
    after the linear layer works on [N, 36] tensors (metric-major, quantile-minor) with element-wise ops, the output
    columns of the linear layer being permuted to [r | c | z_hw | z_hd7 | z_l24 | z_l168] for that."""
    from .mixture import BLOCK_COLS, K, NOUT, NOUT_RC, out_index
    Ws, bs = net.folded()
    W, b = Ws[0], bs[0]
    F3 = W.shape[0]
    MQ = NM * NQ
    perm = ([out_index("r", m, q) for m in range(NM) for q in range(NQ)]
            + [out_index("c", m, q) for m in range(NM) for q in range(NQ)]
            + [out_index("z", m, q, k) for k in range(K) for m in range(NM) for q in range(NQ)])
    assert sorted(perm) == list(range(NOUT))
    W, b = W[:, perm], b[perm]
    logmask = np.zeros(F3, dtype=bool)
    logmask[net.log_cols] = True
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)  # noqa: E731
    f32 = lambda name, v: numpy_helper.from_array(np.asarray(v, np.float32), name)  # noqa: E731
    T36, U36 = np.kron(np.eye(NM), T_MAT), np.kron(np.eye(NM), U_MAT)  # per metric, block-diagonal
    inits = [i64("ax1", [1]), i64("shape3", [-1, NM, NQ]), f32("zero", 0.0),
             f32("rlo", -R_CLIP), f32("rhi", R_CLIP), f32("T36", T36), f32("U36", U36), f32("b", b)]
    nodes = []
    used = np.nonzero(np.abs(W).sum(axis=1) > 0)[0]
    if len(used):  # only the columns some output reads (a Gather keeps the matmul small)
        inits += [i64("used", used), numpy_helper.from_array(logmask[None, used], "logmask"), f32("W", W[used]),
                  f32("one", 1.0)]
        nodes += [
            helper.make_node("Gather", ["features", "used"], ["xu"], axis=1),
            helper.make_node("Max", ["xu", "zero"], ["x0"]), helper.make_node("Add", ["x0", "one"], ["x1"]),
            helper.make_node("Log", ["x1"], ["xlog"]),
            helper.make_node("Where", ["logmask", "xlog", "xu"], ["x"]),
            helper.make_node("MatMul", ["x", "W"], ["m"]), helper.make_node("Add", ["m", "b"], ["A"]),
        ]
    else:  # constant head: A = b for every row (no matmul)
        inits += [i64("c0", [0]), i64("c1", [1])]
        nodes += [helper.make_node("Slice", ["features", "c0", "c1", "ax1"], ["f0"]),
                  helper.make_node("Mul", ["f0", "zero"], ["f00"]), helper.make_node("Add", ["f00", "b"], ["A"])]

    def cols(name, lo, hi):
        inits.extend([i64(f"{name}_lo", [lo]), i64(f"{name}_hi", [hi])])
        return [f"{name}_lo", f"{name}_hi", "ax1"]

    nodes += [helper.make_node("Slice", ["A", *cols("r", 0, MQ)], ["r_raw"]),
              helper.make_node("Slice", ["A", *cols("c", MQ, 2 * MQ)], ["c"])]
    for k in range(K):
        lo = NOUT_RC + k * MQ
        b0 = int(BLOCK_COLS[k][0])
        nodes += [helper.make_node("Slice", ["A", *cols(f"z{k}", lo, lo + MQ)], [f"z{k}"]),
                  helper.make_node("Slice", ["features", *cols(f"B{k}", b0, b0 + MQ)], [f"B{k}"]),
                  helper.make_node("MatMul", [f"B{k}", "T36"], [f"D{k}"])]  # median and increments, >= 0
    nodes += [helper.make_node("Max", [f"z{k}" for k in range(K)], ["zmax"])]
    for k in range(K):
        nodes += [helper.make_node("Sub", [f"z{k}", "zmax"], [f"zs{k}"]),
                  helper.make_node("Exp", [f"zs{k}"], [f"e{k}"]),
                  helper.make_node("Mul", [f"e{k}", f"D{k}"], [f"eD{k}"])]
    nodes += [
        helper.make_node("Sum", [f"e{k}" for k in range(K)], ["esum"]),
        helper.make_node("Sum", [f"eD{k}" for k in range(K)], ["eDsum"]),
        helper.make_node("Div", ["eDsum", "esum"], ["D"]),  # softmax-weighted (convex) mixture over the blocks
        *calibration_nodes(),
    ]
    calib = getattr(net, "calib", None)
    if calib is not None:  # post-hoc interval calibration (calibrate.py): relu(med + f * (o - med)) per metric, quantile
        from .residual import MED
        Mmed = np.kron(np.eye(NM), np.outer(np.eye(NQ)[MED], np.ones(NQ)))  # [36, 36]: each metric's median
        inits += [f32("Mmed", Mmed), f32("F36m1", np.asarray(calib, np.float64).reshape(NM * NQ) - 1.0)]
        nodes += [helper.make_node("MatMul", ["o", "Mmed"], ["med"]),
                  helper.make_node("Sub", ["o", "med"], ["dist"]),
                  helper.make_node("Mul", ["dist", "F36m1"], ["fdist"]),  # (f - 1): f = 1 is exactly the identity
                  helper.make_node("Add", ["o", "fdist"], ["pre_cal"]),
                  helper.make_node("Relu", ["pre_cal"], ["o_cal"]),  # >= 0; order kept (f >= 0, non-decreasing outwards)
                  helper.make_node("Reshape", ["o_cal", "shape3"], ["quantiles"])]
    else:
        nodes += [helper.make_node("Reshape", ["o", "shape3"], ["quantiles"])]
    return _model(nodes, "demand_forecaster_v3", F3, inits)


def session(path_or_bytes, threads: int = 1):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    src = str(path_or_bytes) if isinstance(path_or_bytes, Path) else path_or_bytes
    return ort.InferenceSession(src, so, providers=["CPUExecutionProvider"])


def onnx_predict(sess, X: np.ndarray, batch: int = 65536) -> np.ndarray:
    out = [sess.run(["quantiles"], {"features": np.ascontiguousarray(X[i:i + batch], np.float32)})[0]
           for i in range(0, len(X), batch)]
    return np.concatenate(out) if out else np.zeros((0, NM, NQ), np.float32)


def sha256_file(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def write_version(out_dir: Path, net, *, version: str, priors, widening, training_data, family,
                  extra=None, created_at: str) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    model = to_onnx(net)
    onnx_path = out_dir / "model.onnx"
    onnx_path.write_bytes(model.SerializeToString())
    spec = getattr(net, "spec", "v1")
    nf = SPECS[spec]
    np.savez_compressed(out_dir / "weights.npz", *net.W, *net.b, mu=net.mu, sd=net.sd, hidden=np.array(net.hidden),
             spec=np.array(spec), **({"mask": net.mask, "bmask": net.bmask} if spec == "v3" else {}),
             **({"calib": net.calib} if getattr(net, "calib", None) is not None else {}))
    manifest = {
        "version": version,
        "onnx": "model.onnx",
        "sha256": sha256_file(onnx_path),
        "family": family,
        "inputs": [{"name": "features", "dtype": "float32", "shape": ["N", nf]}],
        "outputs": [{"name": "quantiles", "dtype": "float32", "shape": ["N", NM, NQ],
                     "units": "normalised (multiply by s_m)"}],
        "featureSpec": spec,
        "featureNames": feature_names(spec),
        "quantiles": list(QUANTILES),
        "metrics": list(METRICS),
        "maxHorizon": 168,
        "scalePriors": priors,
        "coldStartWidening": {str(q): float(f) for q, f in zip(QUANTILES, widening)},
        "eventUplift": "applied-by-caller",
        "trainingData": training_data,
        "evaluation": {},
        "createdAt": created_at,
        **(extra or {}),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_net(version_dir: Path):
    z = np.load(Path(version_dir) / "weights.npz")
    hidden = tuple(int(x) for x in z["hidden"])
    n = len(hidden) + 1
    spec = str(z["spec"]) if "spec" in z.files else "v1"
    if spec == "v3":
        from .mixture import MixResidualNet
        net = MixResidualNet(z["mask"])
        net.bmask = z["bmask"]
        net.W, net.b = [z["arr_0"]], [z["arr_1"]]
        net.mu, net.sd = z["mu"], z["sd"]
        net.calib = z["calib"] if "calib" in z.files else None
        return net
    net = ResidualQuantileNet(hidden, 0) if spec == "v2" else QuantileNet(N_FEATURES, hidden, 0)
    net.W = [z[f"arr_{i}"] for i in range(n)]
    net.b = [z[f"arr_{n + i}"] for i in range(n)]
    net.mu, net.sd = z["mu"], z["sd"]
    return net
