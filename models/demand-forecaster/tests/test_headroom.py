import numpy as np

from demand_forecaster import HOUR_MS, MAX_HORIZON, QUANTILES
from demand_forecaster.data import Entity
from demand_forecaster.headroom import (best_in_hindsight, best_scale_in_hindsight, day_type_block,
                                        future_distribution, is_weekend, pinball_sums)

H, NQ = MAX_HORIZON, len(QUANTILES)


def constant(value, w=2):
    return np.full((w, H, 4, NQ), float(value))


def test_the_epoch_started_on_a_thursday():
    fri, sat, sun_23h, mon = 1 * 24, 2 * 24, 3 * 24 + 23, 4 * 24
    assert is_weekend(np.asarray([fri, sat, sun_23h, mon])).tolist() == [False, True, True, False]


def test_best_in_hindsight_picks_per_window_and_metric_the_candidate_nearest_the_actuals():
    Y = np.zeros((2, H, 4))
    Y[0] = 1.0
    Y[1, :, :2] = 3.0
    Y[1, :, 2:] = 1.0
    Y[1, 5, 3] = np.nan  # a missing actual is no cell
    out = best_in_hindsight([constant(1), constant(3)], Y)
    assert (out[0] == 1).all() and (out[1, :, :2] == 3).all() and (out[1, :, 2:] == 1).all()
    assert pinball_sums(out, Y).sum() == 0.0


def test_best_scale_in_hindsight_recovers_the_factor_from_the_grid():
    rng = np.random.default_rng(0)
    pred = np.sort(rng.uniform(1, 2, (1, H, 4, NQ)), axis=-1)
    Y = pred[..., QUANTILES.index(0.5)] * np.exp(0.5)  # the grid exp(linspace(-1.5, 1.5, 61)) holds exp(0.5)
    out = best_scale_in_hindsight(pred, Y)
    np.testing.assert_allclose(out, pred * np.exp(0.5))


def test_the_future_distribution_is_the_empirical_quantiles_of_the_window_constant_over_the_steps():
    Y = np.tile(np.arange(H, dtype=float)[None, :, None], (1, 1, 4))
    Y[0, :, 3] = np.nan  # no actual: the fallback stays
    out = future_distribution(Y, constant(-1, 1))
    np.testing.assert_allclose(out[0, 7, 0], np.quantile(np.arange(H), QUANTILES))
    assert (out[0, :, 0] == out[0, 0, 0]).all() and (out[0, :, 3] == -1).all()


def test_the_day_type_block_reads_only_the_same_day_type_and_hour_of_day():
    start_h = 4 * 24 * 7  # 1970-01-29, a Thursday
    hours = start_h + np.arange(21 * 24)
    v = np.where(is_weekend(hours), 100.0, 1.0) + (hours % 24 == 12) * 10.0
    e = Entity("bb-1", "bb-1", "business-critical", [], start_h * HOUR_MS, {m: v for m in ("cpu", "memory",
               "storage", "network")}, "validation")
    origin = (start_h + len(v)) * HOUR_MS  # a Thursday 00:00
    out = day_type_block([(e, origin)], constant(-1, 1))[0, :, 0]
    step_hours = start_h + len(v) + np.arange(H)
    for h in (0, 11, 12, 13, 60, 2 * 24 + 12, 3 * 24 + 5):
        wk = bool(is_weekend(step_hours[h:h + 1])[0])
        lo = 100.0 if wk else 1.0
        if step_hours[h] % 24 in (11, 12, 13):  # +-1 h of noon: the sample holds noon's values too
            assert out[h, 0] == lo and out[h, -1] == lo + 10.0
        else:
            assert (out[h] == lo).all()
