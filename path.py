"""Every path the project reads or writes, in one place.

Scripts take these as defaults for their command-line flags, so each one can be
overridden without editing this file (e.g. `python main.py --train my.txt`).
"""
import os

ROOT = os.path.dirname(os.path.abspath(__file__))

DATA_DIR = os.path.join(ROOT, 'data')
ALL_PATH = os.path.join(DATA_DIR, 'all.txt')
TRAIN_PATH = os.path.join(DATA_DIR, 'train.txt')
VAL_PATH = os.path.join(DATA_DIR, 'val.txt')
TEST_PATH = os.path.join(DATA_DIR, 'test.txt')
# The names of the classes, `id<TAB>name` a line; main.py reads the labels.txt
# beside the training file, so another dataset brings its own.
LABELS_PATH = os.path.join(DATA_DIR, 'labels.txt')
# Labelled texts written independently of preprocess/synthesize.py: the
# out-of-distribution check (README). Never train on it.
CHECK_PATH = os.path.join(DATA_DIR, 'ood_check.txt')
# A second such set, written later by another writer and kept sealed: scored
# once per data or recipe change, never looked at to change either.
HOLDOUT_PATH = os.path.join(DATA_DIR, 'ood_holdout.txt')

# albert_tiny_google_zh/ holds the model config and vocabulary; drop the real
# pretrained albert_model.ckpt.* files in here to fine-tune instead of training
# from scratch.
ALBERT_DIR = os.path.join(ROOT, 'albert_tiny_google_zh')

WEIGHTS_DIR = os.path.join(ROOT, 'weights')
WEIGHTS_PATH = os.path.join(WEIGHTS_DIR, 'albert_tiny.h5')
# export.py's SavedModels, one numbered folder a version (TF Serving's layout)
EXPORT_DIR = os.path.join(WEIGHTS_DIR, 'albert_tiny_savedmodel')

LOG_DIR = os.path.join(ROOT, 'log')
IMAGES_DIR = os.path.join(ROOT, 'images')

# The page feature_importance.py fills in: log/feature_importance.html
REPORT_TEMPLATE_PATH = os.path.join(ROOT, 'utils', 'feature_importance.html')

# Anatomy, procedure and diagnosis terms the word segmenter keeps whole (feature_importance.py --unit word)
USER_DICT_PATH = os.path.join(ROOT, 'utils', 'gi_words.txt')
