"""How much work the model does, and how fast this machine can do it: the yardsticks of every speed figure.

FLOPs are counted as 2 per multiply-add of the matrix products, at each text's
own length (padding is not work done). matmul_gflops measures this machine's
float32 matrix-product speed, which varies from day to day, so speed figures
are given as a share of it, measured in the same run.
"""
import time

import numpy as np

import utils.compat  # noqa: F401  (before TensorFlow: tf.keras must be Keras 2)
import tensorflow as tf


def forward_flops_per_token(albert_config, seq_len):
    """Floating-point operations of one forward pass, per token, for a sequence of seq_len tokens.

    Counts the matrix multiplications (2 FLOPs per multiply-add): the embedding
    mapping, and per layer the Q/K/V/output projections, the feed-forward
    network and the attention scores and weighted sum. ALBERT shares one
    layer's weights across its layers, but each layer still runs.
    """
    h, ff, layers = albert_config['hidden_size'], albert_config['intermediate_size'], albert_config['num_hidden_layers']
    mapping = albert_config.get('embedding_size', h) * h
    per_layer = 4 * h * h + 2 * h * ff + 2 * seq_len * h
    return 2 * (mapping + layers * per_layer)


def forward_flops(albert_config, lengths):
    """Forward FLOPs of texts of the given token lengths (numpy array), each at its own length."""
    lengths = np.asarray(lengths, dtype='float64')
    return float(np.sum(forward_flops_per_token(albert_config, lengths) * lengths))


def prediction_flops(albert_config, lengths, num_classes):
    """The FLOPs a prediction needs for texts of the given token lengths: the useful work of make_forward.

    forward_flops counts every position of every layer; a prediction reads
    only [CLS]'s row at the end, so its last layer needs the keys and values
    of every token but the query, attention, output and feed-forward of
    [CLS] alone (make_forward computes the last layer's Q for every token all
    the same, and the Keras graph the whole forward: work this does not count).
    """
    h, ff, layers = albert_config['hidden_size'], albert_config['intermediate_size'], albert_config['num_hidden_layers']
    lengths = np.asarray(lengths, dtype='float64')
    all_but_last = dict(albert_config, num_hidden_layers=layers - 1)
    keys_values = 2 * 2 * h * h * lengths
    cls_row = 2 * (h * h + 2 * lengths * h + h * h + 2 * h * ff + h * num_classes)  # Q, attention, output, FFN, classifier
    return float(np.sum(forward_flops_per_token(all_but_last, lengths) * lengths + keys_values + cls_row))


def train_step_passes(gradient_penalty=0.0, adversarial=0.0):
    """A training step's cost in forward passes: forward + backward (twice a forward) = 3.

    The gradient penalty differentiates a gradient: the inner backward (2) and
    the outer backward through forward and inner backward (2 x 3) make 9, 3x a
    plain step. FGM runs the whole step a second time.
    """
    return 3 * (3 if gradient_penalty else 1) * (2 if adversarial else 1)


def matmul_gflops(n=2048, repeats=5, rounds=3):
    """This machine's float32 matmul speed in GFLOP/s (TensorFlow, n x n matrices), best of a few rounds.

    The yardstick for every speed figure: this machine's speed varies from day
    to day, so figures are given as a share of it, measured in the same run.
    """
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    matmul = tf.function(lambda a, b: tf.matmul(a, b))
    matmul(a, b).numpy()
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeats):
            c = matmul(a, b)
        c.numpy()
        best = max(best, 2 * n ** 3 * repeats / (time.perf_counter() - started) / 1e9)
    return best
