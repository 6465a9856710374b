"""binrnn_helpers: the post's binary-addition RNN, written to be read.  Import as ``bh``.

The core (encoding, model, training, fast, evaluation, analysis, storage) needs only numpy.
The views -- one ``show_*`` module per notebook, ``widgets`` and ``style`` -- need matplotlib
and ipywidgets and are imported on first use (``bh.show_forward``), not by ``import binrnn_helpers``.
"""
import importlib

from .encoding import addition_batch, all_pairs, carries, from_bits, one_sum, ripple_carry, to_bits
from .model import (Params, Trace, backward, backward_steps, cross_entropy_loss, forward, gradient_check,
                    gradient_check_table, init_params, loss, numerical_gradient, relative_error,
                    sigmoid)
from .training import LogEntry, format_log, train_like_the_post
from .evaluation import (add, bit_accuracy, correct_sums, exhaustive_accuracy, long_sum_accuracy,
                         long_sums, predict_bits, random_pairs, tree_forward, tree_outputs, tree_pairs)
from .fast import History, train_fast
from .storage import load_params, save_params
from .analysis import Automaton, CarryProbe, carry_probe, extract_automaton
from .exercises import compare
from . import analysis, evaluation, exercises, fast, model, training

_VIEWS = ("show_start", "show_encoding", "show_forward", "show_backprop", "show_training",
          "show_learned", "widgets", "style")


def __getattr__(name):
    """``bh.show_forward`` and the other views load matplotlib/ipywidgets only when first used."""
    if name in _VIEWS:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_VIEWS))
