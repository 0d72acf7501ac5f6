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
# out-of-distribution check (docs/data.md). Never train on it.
CHECK_PATH = os.path.join(DATA_DIR, 'ood_check.txt')
# A second such set, written later by another writer and kept sealed: scored
# once per data or recipe change, never looked at to change either.
HOLDOUT_PATH = os.path.join(DATA_DIR, 'ood_holdout.txt')
# The check set in Traditional script (preprocess/traditional_copy.py, OpenCC s2twp): the model must read
# any Chinese script as well as simplified.
CHECK_TRADITIONAL_PATH = os.path.join(DATA_DIR, 'ood_check_traditional.txt')
# Short clinical names and strings (diagnosis, procedure, symptom names, the classes' own words,
# Taiwan and Hong Kong wording), written independently of the generator and its terminology.
TERMS_CHECK_PATH = os.path.join(DATA_DIR, 'terms_check.txt')
CHECK_PATHS = (CHECK_PATH, CHECK_TRADITIONAL_PATH, TERMS_CHECK_PATH)  # what main.py scores at the end of a run on the shipped task
HELD_OUT_PATHS = CHECK_PATHS + (HOLDOUT_PATH,)  # never in the training data (synthesize.py drops any copy)

# albert_tiny_google_zh/ holds the model config and vocabulary; drop the real
# pretrained albert_model.ckpt.* files in here to fine-tune instead of training
# from scratch.
ALBERT_DIR = os.path.join(ROOT, 'albert_tiny_google_zh')

WEIGHTS_DIR = os.path.join(ROOT, 'weights')
WEIGHTS_PATH = os.path.join(WEIGHTS_DIR, 'albert_tiny.h5')


def export_dir(weights_path):
    """export.py's SavedModels of a model, one numbered folder a version (TF Serving's layout):
    weights/mine.h5 -> weights/mine_savedmodel, so that another model's versions never join the shipped model's."""
    return os.path.splitext(weights_path)[0] + '_savedmodel'


EXPORT_DIR = export_dir(WEIGHTS_PATH)  # weights/albert_tiny_savedmodel

LOG_DIR = os.path.join(ROOT, 'log')
IMAGES_DIR = os.path.join(ROOT, 'images')


def report_dirs(weights_path):
    """(log folder, images folder) of a training run's report: log/ and images/ for the shipped
    weights, log/<stem>/ and images/<stem>/ for any other, so that no run writes over another
    model's records."""
    if os.path.abspath(weights_path) == WEIGHTS_PATH:
        return LOG_DIR, IMAGES_DIR
    stem = os.path.splitext(os.path.basename(weights_path))[0]
    return os.path.join(LOG_DIR, stem), os.path.join(IMAGES_DIR, stem)


# The page feature_importance.py fills in: log/feature_importance.html
REPORT_TEMPLATE_PATH = os.path.join(ROOT, 'utils', 'feature_importance.html')

# Anatomy, procedure and diagnosis terms the word segmenter keeps whole (feature_importance.py --unit word)
USER_DICT_PATH = os.path.join(ROOT, 'utils', 'gi_words.txt')


# --- the files that travel with a model's weights ---------------------------
# Beside weights/albert_tiny.h5 main.py keeps albert_tiny.config.json (the ALBERT
# config, label names, maxlen, temperature), albert_tiny.vocab.txt and, for a
# from-scratch model trained with --unk-rate, albert_tiny.seen.txt; its
# checkpoints go in albert_tiny.resume/. Functions, not constants: every
# --weights path has its own.

def sidecar_paths(weights_path):
    """(config path, vocabulary path) beside the weights."""
    stem = os.path.splitext(weights_path)[0]
    return stem + '.config.json', stem + '.vocab.txt'


def seen_path(weights_path):
    """The tokens a from-scratch model saw in training, one a line, beside its weights."""
    return os.path.splitext(weights_path)[0] + '.seen.txt'


def model_files(weights_path):
    """The weights and the files that travel with them: config, vocabulary, seen tokens."""
    return [weights_path, *sidecar_paths(weights_path), seen_path(weights_path)]


def resume_dir(weights_path):
    """The folder of a training run's checkpoints (continue_fit.py resumes from it)."""
    return os.path.splitext(weights_path)[0] + '.resume'


def state_path(weights_path):
    """The run's settings and progress, beside its checkpoints."""
    return os.path.join(resume_dir(weights_path), 'state.json')
