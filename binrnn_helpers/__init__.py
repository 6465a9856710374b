"""binrnn_helpers: the post's binary-addition RNN, written to be read.  Import as ``bh``."""
from .encoding import addition_batch, all_pairs, from_bits, to_bits
from .model import (Params, Trace, backward, forward, gradient_check, gradient_check_table,
                    init_params, loss, numerical_gradient, relative_error, sigmoid)
from .training import LogEntry, format_log, train_like_the_post
from .fast import History, train_fast
from .evaluation import (add, bit_accuracy, correct_sums, exhaustive_accuracy, long_sum_accuracy,
                         predict_bits, random_pairs)
from .storage import load_params, save_params
from . import exercises, series, style, widgets
from . import show_start, show_encoding, show_forward, show_backprop, show_training
from .analysis import Automaton, CarryProbe, carry_probe, extract_automaton
from . import analysis, show_learned
