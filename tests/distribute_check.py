"""Run in a fresh process by test_distribute.py (LOGICAL_CPUS=2 must act before TensorFlow starts).

One training step (gradient penalty, FGM and clipping on) on the same batch,
from the same weights, under MirroredStrategy and with no strategy; prints one
JSON line per batch: the replicas, the largest difference of the two updates,
of the losses and of the probabilities, and the size of the update. Then,
given the arguments of a main.py run and of a continue_fit.py run (JSON), it
makes them in this same process (TensorFlow starts once).

    LOGICAL_CPUS=2 python tests/distribute_check.py albert_tiny_google_zh/vocab.txt [RUNS_JSON]
"""
import json
import os
import sys

sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.path.dirname(os.path.abspath(__file__))]

import continue_fit  # noqa: E402
import main  # noqa: E402
import model as M  # noqa: E402
import trainer  # noqa: E402

strategy = trainer.make_strategy('mirrored')  # first: splits the CPU as LOGICAL_CPUS says

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from bert4keras.backend import keras  # noqa: E402

from conftest import LABELS, TEXTS, TINY_ALBERT_CONFIG, TOY_LABEL_NAMES  # noqa: E402
from data_process import encode  # noqa: E402


def stepper(strategy, max_tokens):
    """A fresh seeded model built under strategy, and (batch) -> (loss, probs, update) from its first weights."""
    tf.keras.utils.set_random_seed(0)
    with strategy.scope():
        model = M.build_model(TINY_ALBERT_CONFIG, TOY_LABEL_NAMES)
        optimizer = keras.optimizers.SGD(0.1, global_clipnorm=0.5)  # no state: every step is a first step
    start = model.get_weights()
    step = trainer.make_train_step(model, optimizer, gradient_penalty=1.0, adversarial=0.5, max_tokens=max_tokens)

    def update(token_ids, segment_ids, labels):
        model.set_weights(start)
        ce, probs = step(token_ids, segment_ids, labels)
        return ce, probs, [w - s for w, s in zip(model.get_weights(), start)]
    return start, update


tokenizer = M.load_tokenizer(sys.argv[1])
token_ids, segment_ids = encode(TEXTS, tokenizer)
labels = np.array(LABELS, dtype='int32')
max_tokens = 4 * token_ids.shape[1]  # 4 rows a replica at a time
start, mirrored = stepper(strategy, max_tokens)
single_start, single = stepper(tf.distribute.get_strategy(), max_tokens)
batches = {
    '7 rows': np.arange(0, 28, 4),  # not divisible by the replicas
    '1 row': np.arange(1),  # fewer rows than replicas: one replica gets none
    '30 rows in rounds': np.arange(30),  # 4 rounds of 8 rows at most
}
for name, rows in batches.items():
    batch = token_ids[rows], segment_ids[rows], labels[rows]
    (ce, probs, moves), (ce1, probs1, moves1) = mirrored(*batch), single(*batch)
    print(json.dumps({
        'batch': name, 'replicas': strategy.num_replicas_in_sync, 'rows': len(rows), 'probs_rows': len(probs),
        'same_start': all(np.array_equal(a, b) for a, b in zip(start, single_start)),
        'moved': float(max(np.abs(m).max() for m in moves1)),
        'update_diff': float(max(np.abs(m - m1).max() for m, m1 in zip(moves, moves1))),
        'loss_diff': abs(ce - ce1), 'probs_diff': float(np.abs(probs - probs1).max())}), flush=True)
if len(sys.argv) > 2:
    main_argv, resume_argv = json.loads(sys.argv[2])
    main.matmul_gflops = continue_fit.matmul_gflops = lambda: 100.0  # the speed yardstick (3 s a run) is not under test
    main.main(main_argv)  # the same strategy: make_strategy keeps one per process
    continue_fit.main(resume_argv)
