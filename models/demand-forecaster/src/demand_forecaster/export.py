"""ONNX export of QuantileNet (one graph: preprocessing, MLP, non-crossing non-negative head) and the manifest."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import METRICS, QUANTILES
from .features import N_FEATURES, feature_names
from .model import N_LOG, NM, NQ, QuantileNet

OPSET = 17


def to_onnx(net: QuantileNet) -> onnx.ModelProto:
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
    graph = helper.make_graph(
        nodes, "demand_forecaster",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", N_FEATURES])],
        [helper.make_tensor_value_info("quantiles", TensorProto.FLOAT, ["N", NM, NQ])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="clonecast-demand-forecaster")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


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


def write_version(out_dir: Path, net: QuantileNet, *, version: str, priors, widening, training_data, family,
                  extra=None, created_at: str) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    model = to_onnx(net)
    onnx_path = out_dir / "model.onnx"
    onnx_path.write_bytes(model.SerializeToString())
    np.savez(out_dir / "weights.npz", *net.W, *net.b, mu=net.mu, sd=net.sd, hidden=np.array(net.hidden))
    manifest = {
        "version": version,
        "onnx": "model.onnx",
        "sha256": sha256_file(onnx_path),
        "family": family,
        "inputs": [{"name": "features", "dtype": "float32", "shape": ["N", N_FEATURES]}],
        "outputs": [{"name": "quantiles", "dtype": "float32", "shape": ["N", NM, NQ],
                     "units": "normalised (multiply by s_m)"}],
        "featureSpec": "v1",
        "featureNames": feature_names(),
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


def load_net(version_dir: Path) -> QuantileNet:
    z = np.load(Path(version_dir) / "weights.npz")
    hidden = tuple(int(x) for x in z["hidden"])
    n = len(hidden) + 1
    net = QuantileNet(N_FEATURES, hidden, 0)
    net.W = [z[f"arr_{i}"] for i in range(n)]
    net.b = [z[f"arr_{n + i}"] for i in range(n)]
    net.mu, net.sd = z["mu"], z["sd"]
    return net
