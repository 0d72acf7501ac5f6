"""Every setting of the recipe, in one place: change them here, or per run with the scripts' flags.

model.py, trainer.py, inference.py and attribution.py build, train and run the
model with these; the scripts take them as the defaults of their flags. Paths are in path.py. What the data decides is not
here: the number of classes and their names come from a labels.txt beside the
data files (else from the labels the data holds), and are saved beside the
weights with MAXLEN, so predict.py and feature_importance.py use the trained
model's own, whatever this file says later. Importing this module imports nothing.
"""

# --- texts ------------------------------------------------------------------
MAXLEN = 200  # tokens per text, [CLS] and [SEP] included; longer texts are cut (the original's maxlen)

# --- training (main.py) -----------------------------------------------------
SEED = 2024       # the split, the shuffling and the initial weights
SPLIT_RATIOS = (8, 1, 1)  # train : val : test, per label (synthesize.py, data_transfer.py)
MAX_EPOCHS = 50   # early stopping usually ends a run long before
PATIENCE = 3      # stop after this many epochs without a lower val_loss

# Fine-tuning a pretrained checkpoint (the original recipe): batches of 128,
# lr 1e-4 reached linearly over steps 0-1000, then down to 1e-5 by step 2000, then flat.
BATCH_SIZE = 128
LEARNING_RATE = 1e-4
LR_SCHEDULE = {1000: 1.0, 2000: 0.1}  # step -> multiple of the learning rate

# Training from scratch (no checkpoint in albert_tiny_google_zh/; docs/training.md,
# "From scratch or from a pretrained checkpoint"). With the recipe above, 3,000 texts
# give 20 steps an epoch, so the warm-up alone would take 50 epochs; and at
# 1e-3 with batches of 128 or 32 the randomly initialised model trained in
# jumps or collapsed back to the class prior. Batches of 32, a warm-up over 80
# steps to 3e-4, decay to a tenth by step 1600 and gradient clipping train it
# steadily; early stopping then waits for val_loss to settle. (Decay by step 800
# stopped the shipped 10,000 texts at epoch 3, before their rarer names were learnt.)
SCRATCH_BATCH_SIZE = 32
SCRATCH_LEARNING_RATE = 3e-4
SCRATCH_LR_SCHEDULE = {80: 1.0, 1600: 0.1}
SCRATCH_CLIPNORM = 1.0  # global gradient norm
# A small set's run is short: 61 texts make 2 steps an epoch, and the warm-up above would outlast
# the run. Each schedule is therefore squeezed, its shape kept, to end (its last step) within this
# share of the run's steps (--epochs x steps an epoch) when it would end later; the shipped data's
# runs are long enough to keep it as written.
SCHEDULE_SHARE = 0.5
# Starting from a trained model (main.py --init-from): the from-scratch schedule, batch size, clipping
# and peak. A lower peak (1e-4) kept the starting weights too close to where they were: it learnt 50,
# 100 and 300 lines of English reports less well (docs/results.md, Your own data).
INIT_FROM_LEARNING_RATE = 3e-4
# ...and the token embeddings learn this many times as fast as the rest: words the starting model
# never read (another script, another language) have embeddings it never trained, and at the body's
# rate they stay where they started while the body forgets what it knew.
INIT_FROM_EMBEDDING_LR_MULTIPLIER = 10.0
# Training batches are grouped by length: the shuffled data is cut into chunks of
# this many batches, each sorted by length, so little of a batch is padding.
LENGTH_BUCKET_BATCHES = 10
# A training batch of more padded tokens than this goes forward and backward in
# parts of rows whose gradients are summed before the one update: the same step,
# with the activations of at most this many tokens alive at a time (of one text,
# if a text is longer): a batch of 32 texts of 200 characters holds far more
# activations than prediction needs (docs/results.md, "Training speed", has the peak memory).
MAX_TRAIN_TOKENS = 2048

# Regularisers, all off by default (docs/training.md, "The recipe and config.py").
GRADIENT_PENALTY = 0.0  # epsilon of the penalty on token-embedding gradients (the original: 1.0; 3x the step cost)
ADVERSARIAL = 0.0       # epsilon of FGM on the token embeddings (the original tried 0.5; 2x the step cost)
# From scratch, a character that never occurs in training keeps its random
# initial embedding. With UNK_RATE > 0 such tokens are read as [UNK] (the seen
# set is saved beside the weights) and training replaces that share of the
# characters with [UNK], so that [UNK] learns to mean "no evidence". Span
# dropout hides one short run of characters in a share of the training texts.
# On the two hand-written check sets, plain training scored as well or better.
UNK_RATE = 0.0      # share of training characters replaced by [UNK] (from scratch only), e.g. 0.05
SPAN_DROPOUT = 0.0  # share of training texts with one span replaced by [UNK], e.g. 0.3
SPAN_MAX = 4        # longest such span, in tokens
# Label smoothing: the training target puts this share of the probability evenly over all
# classes, so the model stops pushing a text's probability towards 1 once it is right. Without
# it, most misses on text unlike the training data came at p > 0.99, out of reach of any
# --min-confidence (docs/training.md, "Unsure rather than wrong").
LABEL_SMOOTHING = 0.1
# Blank texts: this share of the training texts is shown with every character [UNK] and a
# target of equal probabilities, so the model learns that a text it cannot read says nothing.
# That reading is also Integrated Gradients' starting point (attribution.py): the attributions
# then measure the way from "no class" to the prediction, not from whatever class an empty
# input happened to favour (docs/feature_importance.md, "The baseline").
BLANK_RATE = 0.02
# Half of those blank texts keep their punctuation and digits: a text's layout without its words is no
# class either. Otherwise a separator is evidence (a real character that is not a tract's word, so
# "other"), and ； and 、 were among the top keywords of 其他 on the check set. (4% blank texts, half
# of them with their layout, scored lower on all three check sets: docs/results.md.)
BLANK_LAYOUT_SHARE = 0.5

# Calibration (main.py): the temperature is fitted on the validation split within
# these bounds. Below 1 it would sharpen the probabilities; on a validation split
# the model nearly aces, the likelihood always asks for that (measured: T = 0.80
# with 1 miss in 800 raised the check set's NLL from 0.14 to 0.17), so by default
# it only softens.
TEMPERATURE_RANGE = (1.0, 20.0)
# A miss above this probability is a confident miss: no useful --min-confidence sends it to a
# person. The report counts them on each check set.
CONFIDENT_MISS = 0.99

# main.py warns before training on fewer texts than these (a model from scratch learns little
# from them), and about a held-out split this share of whose texts are training texts too; after
# training, about a model that answers one class for this share of the validation split.
FEW_TEXTS = 200
FEW_TEXTS_A_CLASS = 20
REPEATED_SHARE = 0.2
ONE_CLASS_SHARE = 0.9

# --- several machines (main.py and continue_fit.py --distribute multiworker) -----
# How long a worker waits for the others TF_CONFIG names to answer on their ports, and then again for
# TensorFlow to join them, before it stops with one line (--peer-timeout).
PEER_TIMEOUT = 300  # seconds

# --- inference batching (predict.py, evaluation in main.py) ----------------
PREDICT_BATCH_SIZE = 128  # texts per batch at most
PREDICT_CHUNK_TEXTS = 10000  # predict.py --input reads, predicts and writes this many at a time: flat memory
MAX_BATCH_TOKENS = 8192   # padded tokens per batch at most, so long texts go in smaller batches
MIN_REAL_FRACTION = 0.8   # a batch of MIN_BATCH_TEXTS or more closes before padding (beyond rounding) passes 20% of it
MIN_BATCH_TEXTS = 8
PAD_MULTIPLE = 8          # batch widths are rounded up to this: fewer shapes for TensorFlow to set up
# predict.py --tracts cuts a text into clauses at these characters and predicts each one: a report
# with a 胃镜 and a 肠镜 result names both tracts, which its one label cannot say.
CLAUSE_SEPARATORS = '。；;！!？?，,\n'
PRECISIONS = ('float32', 'int8')  # predict.py --precision; int8: a TensorFlow Lite copy with int8 matrix products

# --- Integrated Gradients (feature_importance.py) ---------------------------
IG_STEPS = 20             # points on the path from the baseline to the text
IG_THRESHOLD = 0.2        # scaled score at which a character is part of a keyword
IG_BATCH_ROWS = 256       # interpolation rows (texts x path points) per forward/backward pass
IG_TOKENS_PER_TEXT = 64   # padded tokens per text an IG batch allows on average
IG_MAX_GAP = 0.05         # feature_importance.py explains a text again with twice the steps while its
IG_MAX_STEPS = 160        # completeness gap is over this, up to this many steps
IG_PRECISIONS = ('auto', 'bfloat16', 'float32')
IG_PRECISION = 'auto'     # matrix products of the path: bfloat16 where the CPU has it natively, else float32
IG_SCAN_STEPS = 4         # --method warped: stretches of the path a forward pass measures f on first
IG_WARP_FLOOR = 0.3       # --method warped: the share of points spread evenly, whatever f does
# A file of more texts than this gets its keyword tables from a quick pass: IG_QUICK_STEPS warped points a
# text, more only for a text whose gap is over IG_QUICK_MAX_GAP; only the heatmap texts are then explained
# to IG_MAX_GAP. On data/all.txt the
# per-class top 20 were the exact run's but for one swap at rank 20, in a third of the time
# (docs/results.md, "Keyword tables, faster"; feature_importance.py --exact, --quick).
IG_EXACT_TEXTS = 1000
IG_QUICK_STEPS = 6
IG_QUICK_MAX_GAP = 0.2  # the quick pass explains the few texts (3% of data/all.txt) whose gap is over this again
