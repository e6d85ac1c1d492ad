"""Central finite differences of the pinball loss against a head's analytic gradient (test_mixture, test_regime)."""
import numpy as np

from demand_forecaster.model import pinball_grad


def check_gradient(net, X, Y, w, param: np.ndarray, grad: np.ndarray, indices, eps: float = 1e-6) -> int:
    """Asserts d loss / d param.flat[i] == grad.flat[i] (relative 1e-4) for every i in indices, perturbing `param`
    (one of net's weight arrays) in place and restoring it; returns how many were checked."""
    for i in indices:
        old = param.flat[i]
        param.flat[i] = old + eps
        lp = pinball_grad(net.forward(X), Y, w)[0]
        param.flat[i] = old - eps
        lm = pinball_grad(net.forward(X), Y, w)[0]
        param.flat[i] = old
        assert abs((lp - lm) / (2 * eps) - grad.flat[i]) < 1e-4 * max(1.0, abs(grad.flat[i]))
    return len(indices)
