"""Make bert4keras 0.11.5 run on TensorFlow 2.21. Import this before bert4keras.

bert4keras is written for Keras 2. TensorFlow >= 2.16 ships Keras 3, on which
bert4keras fails to build models, so we route tf.keras to the tf-keras package
(Keras 2.x, same version as TensorFlow) and tell bert4keras to use tf.keras.
The environment variables must be set before TensorFlow is first imported.
"""
import contextlib
import os
import sys

# bert4keras aliases sys.modules['keras'] to tf.keras and then imports
# keras.layers; if TensorFlow was imported first without TF_USE_LEGACY_KERAS,
# Keras 3's keras.layers is already loaded and bert4keras silently mixes the two.
if 'tensorflow' in sys.modules and os.environ.get('TF_USE_LEGACY_KERAS') != '1':
    raise ImportError('import utils.compat (or model) before tensorflow, '
                      'or set TF_USE_LEGACY_KERAS=1 in the environment')

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')  # tf.keras -> tf-keras (Keras 2)
os.environ.setdefault('TF_KERAS', '1')  # bert4keras: use tf.keras, not standalone keras


@contextlib.contextmanager
def quiet_stderr():
    """Silence file descriptor 2 for a while: TensorFlow's C++ runtime writes there directly.

    Used around TensorFlow's import (oneDNN notices, "failed call to cuInit"
    on machines without a GPU) and the TensorFlow Lite converter's MLIR
    messages, which come before or outside its logging. Python errors still
    show once the block ends. Set TF_CPP_MIN_LOG_LEVEL yourself to see everything.
    """
    try:
        stderr_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced, e.g. by a test runner
        stderr_fd = None
    if stderr_fd is None or os.environ.get('TF_CPP_MIN_LOG_LEVEL', '2') not in ('2', '3'):
        yield
        return
    sys.stderr.flush()
    saved, devnull = os.dup(stderr_fd), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stderr_fd)
    try:
        yield
    finally:
        os.dup2(saved, stderr_fd)
        os.close(saved)
        os.close(devnull)


def _import_tensorflow_quietly():
    if 'TF_CPP_MIN_LOG_LEVEL' in os.environ:
        import tensorflow  # noqa: F401
        return
    os.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'
    with quiet_stderr():
        import tensorflow
        tensorflow.config.list_physical_devices()  # the GPU probe prints here too


_import_tensorflow_quietly()
import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel('ERROR')

# bert4keras gives each attention layer one TruncatedNormal instance for its
# query, key, value and output kernels. tf-keras >= 2.13 makes an unseeded
# initializer instance return the same values on every call, so those four
# kernels would start identical, which only matters without a pretrained
# checkpoint, i.e. when training from scratch. This initializer draws fresh values on
# every call from TensorFlow's global generator, so tf.random.set_seed still
# makes the initial weights reproducible.
from bert4keras import models as _bert4keras_models  # noqa: E402
from bert4keras.backend import keras as _keras  # noqa: E402


class FreshTruncatedNormal(_keras.initializers.TruncatedNormal):
    def __call__(self, shape, dtype=None, **kwargs):
        return tf.random.truncated_normal(shape, mean=self.mean, stddev=self.stddev,
                                          dtype=tf.as_dtype(dtype or _keras.backend.floatx()))


_bert4keras_models.Transformer.initializer = property(lambda self: FreshTruncatedNormal(stddev=0.02))
