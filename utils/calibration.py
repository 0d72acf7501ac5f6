"""Temperature scaling and the measures of calibration, on numpy arrays (no TensorFlow).

A model is calibrated when, of the texts it gives probability 0.9, nine in ten
are right. Temperature scaling (Guo et al. 2017) divides the logits by one
number T, fitted on held-out data to minimise the negative log-likelihood:
T > 1 softens overconfident probabilities, T < 1 sharpens timid ones, and the
predicted labels never change. The expected calibration error (ECE) bins the
texts by confidence (the top probability) and averages |accuracy − confidence|
over the bins, weighted by their size.
"""
import numpy as np

ECE_BINS = 15


def softmax(logits, temperature=1.0):
    z = np.asarray(logits, dtype='float64') / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def negative_log_likelihood(logits, labels, temperature=1.0):
    """Mean −log p(gold label) of softmax(logits / temperature)."""
    z = np.asarray(logits, dtype='float64') / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def fit_temperature(logits, labels, low=0.05, high=20.0, iterations=100):
    """The T in [low, high] that minimises the NLL of softmax(logits / T) on (logits, labels).

    The NLL is convex in 1/T, so it has one minimum along T, found by golden-section
    search on log T; a minimum at a bound returns the bound itself. Data with few or
    no misses pushes T towards `low` (sharper is always better there), hence
    config.TEMPERATURE_RANGE.
    """
    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5) - 1) / 2
    nll = lambda log_t: negative_log_likelihood(logits, labels, np.exp(log_t))  # noqa: E731
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = nll(c), nll(d)
    for _ in range(iterations):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = nll(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = nll(d)
    found = float(np.exp((a + b) / 2))
    return min((found, low, high), key=lambda t: (negative_log_likelihood(logits, labels, t), t != found))


def reliability_bins(probs, labels, bins=ECE_BINS):
    """Per confidence bin of equal width over [0, 1]: (mean confidence, accuracy, count); empty bins give nan."""
    probs = np.asarray(probs)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(index, minlength=bins)
    with np.errstate(invalid='ignore', divide='ignore'):
        mean_confidence = np.bincount(index, weights=confidence, minlength=bins) / count
        accuracy = np.bincount(index, weights=correct, minlength=bins) / count
    return mean_confidence, accuracy, count


def expected_calibration_error(probs, labels, bins=ECE_BINS):
    confidence, accuracy, count = reliability_bins(probs, labels, bins)
    filled = count > 0
    return float(np.sum(np.abs(accuracy[filled] - confidence[filled]) * count[filled]) / count.sum())


def calibration_report(logits, labels, temperature):
    """ECE and NLL before (T = 1) and after temperature scaling, for the metrics file."""
    labels = np.asarray(labels)
    return {'texts': int(len(labels)),
            'ece_before': expected_calibration_error(softmax(logits), labels),
            'ece_after': expected_calibration_error(softmax(logits, temperature), labels),
            'nll_before': negative_log_likelihood(logits, labels),
            'nll_after': negative_log_likelihood(logits, labels, temperature)}


def coverage_curve(confidence, correct, thresholds):
    """For each threshold P: (P, coverage, accuracy on the kept texts, kept count).

    confidence is each text's top probability and correct whether its label was
    right. A text is kept when its confidence is at least P; the rest are unsure,
    for a person to read. Accuracy is nan when nothing is kept.
    """
    confidence, correct = np.asarray(confidence, dtype='float64'), np.asarray(correct, dtype=bool)
    rows = []
    for threshold in thresholds:
        kept = confidence >= threshold
        rows.append((float(threshold), float(kept.mean()) if len(kept) else float('nan'),
                     float(correct[kept].mean()) if kept.any() else float('nan'), int(kept.sum())))
    return rows
