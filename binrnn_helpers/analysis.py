"""What a trained network learned: the carry in its hidden state, and the automaton it runs.

- ``carry_probe(params, width=8)``: how well the hidden state predicts the carry (a ``CarryProbe``).
- ``pca(points, k=2)``: principal components with numpy's SVD.
- ``extract_automaton(params, width=8)``: the finite machine the network runs (an ``Automaton``),
  found by Moore's partition refinement on the hidden states it visits.

Shapes: T time steps (bits), N pairs, H hidden units.  Input pairs are numbered
``i = 2 * a_bit + b_bit``: 0 = (0, 0), 1 = (0, 1), 2 = (1, 0), 3 = (1, 1).
"""
from dataclasses import dataclass, field

import numpy as np

from .encoding import addition_batch, all_pairs, carries, check_int, one_sum
from .evaluation import BIT_PAIRS, tree_forward
from .model import check_params, forward, sigmoid


# --------------------------------------------------------------------------- the carry probe

@dataclass
class CarryProbe:
    """What ``carry_probe`` measured, on all N * T (state, carry) samples.

    A sample is the hidden state h_t (H,) after reading bit t of a pair (``trace.hidden[t + 1]``,
    as in notebook 02), and the carry out of step t (0 or 1), the carry that state must remember
    for step t + 1.

    correlations (H,): Pearson correlation of each hidden unit's activation with the carry (0 for a
      unit that never changes).
    readout_weights (H,), readout_bias: the least-squares fit carry ~ h @ weights + bias.
    readout_accuracy: fraction of samples where (h @ weights + bias > 0.5) equals the carry.
    best_unit: the unit whose activation, cut at one threshold, predicts the carry best;
    best_threshold, best_sign: it predicts carry 1 where sign * (h[best_unit] - threshold) > 0
      (sign +1: the unit is high when the carry is 1); best_unit_accuracy: its fraction right.
    unit_accuracy (H,): the same best one-threshold accuracy for every unit.
    n_samples: N * T; carry_fraction: the fraction of samples with carry 1.
    """
    correlations: np.ndarray
    readout_weights: np.ndarray
    readout_bias: float
    readout_accuracy: float
    best_unit: int
    best_threshold: float
    best_sign: int
    best_unit_accuracy: float
    unit_accuracy: np.ndarray
    n_samples: int
    carry_fraction: float

    def readout(self, hidden):
        """Predicted carry (uint8) for hidden states (..., H) with the least-squares readout."""
        return (np.asarray(hidden) @ self.readout_weights + self.readout_bias > 0.5).astype(np.uint8)


def hidden_and_carry(params, width=8):
    """The samples ``carry_probe`` uses, over all pairs: hidden (T, N, H), where hidden[t] is h_t
    (``forward(...).hidden[1:]``, without the start state h_{-1} = 0), and carry (T, N)."""
    check_params(params)
    width = check_int(width, "width", minimum=2, maximum=10)
    a, b = all_pairs(width)
    x, _ = addition_batch(a, b, width)
    return forward(params, x).hidden[1:], carries(a, b, width)


def correlation(values, target):
    """Pearson correlation of every column of ``values`` (M, H) with ``target`` (M,); 0 where a
    column (or the target) is constant."""
    v = np.asarray(values, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    vc, yc = v - v.mean(axis=0), y - y.mean()
    denom = np.sqrt((vc ** 2).sum(axis=0) * (yc ** 2).sum())
    num = vc.T @ yc
    return np.divide(num, denom, out=np.zeros_like(num), where=denom > 0)


def best_threshold(values, target):
    """For each column of ``values`` (M, H): the best accuracy of predicting the 0/1 ``target`` with
    one threshold in either direction.  Returns (accuracy (H,), threshold (H,), sign (H,))."""
    v = np.asarray(values, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    M = len(y)
    acc, thr, sign = np.empty(v.shape[1]), np.empty(v.shape[1]), np.empty(v.shape[1], dtype=int)
    for j in range(v.shape[1]):
        order = np.argsort(v[:, j], kind="stable")
        vs, ys = v[order, j], y[order]
        # cut after position k (k = 0..M): "1 above the cut" is right for zeros below and ones above
        zeros_below = np.concatenate([[0.0], np.cumsum(1 - ys)])
        ones_above = ys.sum() - np.concatenate([[0.0], np.cumsum(ys)])
        up = zeros_below + ones_above
        ok = np.ones(M + 1, dtype=bool)                    # only cut between different values
        ok[1:M] = vs[1:] != vs[:-1]
        score = np.where(ok, np.maximum(up, M - up), -1)
        k = int(np.argmax(score))
        cuts = np.concatenate([[vs[0] - 1.0], (vs[:-1] + vs[1:]) / 2, [vs[-1] + 1.0]])
        acc[j], thr[j] = score[k] / M, cuts[k]
        sign[j] = 1 if up[k] >= M - up[k] else -1
    return acc, thr, sign


def carry_probe(params, width=8):
    """How the hidden state holds the carry, measured on every pair a, b < 2**(width-1).

    Uses the N * T samples (hidden state after step t, carry out of step t) over all pairs
    (16,384 pairs x 8 steps for width 8).  Returns a ``CarryProbe`` (see its docstring).  Hidden
    units that never change (all-zero weights) hold nothing of the carry: the readout is then the
    least-squares fit of least norm, which always guesses the commoner carry, 0.
    """
    hidden, carry = hidden_and_carry(params, width)
    H = hidden.shape[2]
    h, c = hidden.reshape(-1, H), carry.ravel().astype(np.float64)
    design = np.column_stack([h, np.ones(len(h))])          # (M, H+1): the last column is the bias
    try:
        coef = np.linalg.solve(design.T @ design, design.T @ c)  # least squares (normal equations)
    except np.linalg.LinAlgError:   # units that copy each other or never change (all-zero weights):
        coef = np.linalg.lstsq(design, c, rcond=None)[0]         # the least-squares fit of least norm
    readout_acc = float(np.mean((design @ coef > 0.5) == (c > 0.5)))
    unit_acc, thr, sign = best_threshold(h, c)
    best = int(np.argmax(unit_acc))
    return CarryProbe(correlations=correlation(h, c), readout_weights=coef[:H],
                      readout_bias=float(coef[H]), readout_accuracy=readout_acc, best_unit=best,
                      best_threshold=float(thr[best]), best_sign=int(sign[best]),
                      best_unit_accuracy=float(unit_acc[best]), unit_accuracy=unit_acc,
                      n_samples=int(len(c)), carry_fraction=float(c.mean()))


def pca(points, k=2):
    """Project ``points`` (M, D) on their first k principal components with numpy's SVD.

    Returns (projected (M, k), explained (k,) fraction of the variance of each component,
    components (k, D), mean (D,)).  Signs are fixed so that each component's largest |entry|
    is positive (the SVD alone leaves them arbitrary).
    """
    X = np.asarray(points, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2:
        raise ValueError(f"points must have shape (M, D) with M >= 2, got {X.shape}")
    k = check_int(k, "k", minimum=1, maximum=X.shape[1])
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    comps = vt[:k] * np.sign(vt[:k][np.arange(k), np.argmax(np.abs(vt[:k]), axis=1)])[:, None]
    return (X - mean) @ comps.T, (s[:k] ** 2) / np.sum(s ** 2), comps, mean


# --------------------------------------------------------------------------- the automaton

@dataclass
class Automaton:
    """A Mealy machine: in state s, reading input pair i = 2 * a_bit + b_bit, it outputs
    ``outputs[s, i]`` and moves to ``transitions[s, i]``.

    n_states; transitions (n_states, 4) int; outputs (n_states, 4) uint8; start: the state before
    the first bit.  From ``extract_automaton`` also: stable (the partition refinement stopped
    changing within ``depth`` look-ahead steps, so the table is deterministic on the visited
    states), closed (every successor of a visited state behaves like one of the states),
    depth, n_visited (distinct hidden states grouped), message (the verdict in words).
    """
    transitions: np.ndarray
    outputs: np.ndarray
    start: int = 0
    stable: bool = True
    closed: bool = True
    depth: int = 0
    n_visited: int = 0
    message: str = ""
    _params: object = field(default=None, repr=False)
    _signatures: tuple = field(default=None, repr=False)

    def __post_init__(self):
        t = np.asarray(self.transitions)
        o = np.asarray(self.outputs)
        if t.ndim != 2 or t.shape[1] != 4 or t.shape[0] < 1 or t.dtype.kind not in "iu":
            raise ValueError(f"transitions must be an integer array of shape (n_states, 4), got {t.shape} {t.dtype}")
        if o.shape != t.shape or not np.isin(o, (0, 1)).all():
            raise ValueError(f"outputs must have shape {t.shape} and hold only 0 and 1, got {o.shape}")
        if t.min() < 0 or t.max() >= len(t):
            raise ValueError(f"transitions must name states 0..{len(t) - 1}, got values {t.min()}..{t.max()}")
        self.transitions = t.astype(np.int64)
        self.outputs = o.astype(np.uint8)
        self.start = check_int(self.start, "start", minimum=0, maximum=len(t) - 1)

    @property
    def n_states(self):
        return len(self.transitions)

    def run(self, a_bits, b_bits):
        """Feed bit pairs (LSB first) from the start state; returns (output bits, states visited
        after each step), two lists."""
        s, out, states = self.start, [], []
        for x, y in zip(a_bits, b_bits):
            i = 2 * int(x) + int(y)
            out.append(int(self.outputs[s, i]))
            s = int(self.transitions[s, i])
            states.append(s)
        return out, states

    def add(self, a, b):
        """a + b computed by the automaton alone, for non-negative Python ints of any size.

        Like ``bh.add``: max(a.bit_length(), b.bit_length()) + 1 steps, LSB first (one extra step
        for the final carry); the answer is the integer the output bits spell."""
        x, _ = one_sum(a, b)
        out, _ = self.run(x[:, 0, 0], x[:, 0, 1])
        return sum(bit << t for t, bit in enumerate(out))

    def add_many(self, a, b, width):
        """The automaton's ``width`` output bits for arrays of pairs, vectorised: (N,) int64 sums
        read from the first ``width`` outputs (a, b: (N,) non-negative ints with a + b < 2**width)."""
        x, _ = addition_batch(a, b, width)
        inp = (2 * x[..., 0] + x[..., 1]).astype(np.int64)          # (T, N)
        s = np.full(inp.shape[1], self.start)
        total = np.zeros(inp.shape[1], dtype=np.int64)
        for t in range(width):
            total |= self.outputs[s, inp[t]].astype(np.int64) << t
            s = self.transitions[s, inp[t]]
        return total

    def state_of(self, hidden):
        """The automaton state whose behaviour each hidden state (M, H) shows (-1: none of them).
        Only for an automaton from ``extract_automaton``."""
        if self._params is None:
            raise ValueError("state_of needs an automaton made by extract_automaton")
        h = np.atleast_2d(np.asarray(hidden, dtype=np.float64))
        sig = _signatures(self._params, h, self.depth)
        return _lookup(self._signatures, sig)

    def table(self):
        """The transition table as text: one line per state, one column per input pair 'ab',
        each entry 'next/output'."""
        lines = ["state | " + " | ".join(f"ab={i >> 1}{i & 1}" for i in range(4))]
        for s in range(self.n_states):
            cells = " | ".join(f"{self.transitions[s, i]}/{self.outputs[s, i]}  " for i in range(4))
            lines.append(f"{s:>5}{'*' if s == self.start else ' '}| {cells}")
        lines.append("(entry: next state/output bit; * = start)")
        return "\n".join(lines)


def full_adder_automaton():
    """The carry machine of column addition, written by hand: state = the carry (start 0);
    reading (a_bit, b_bit) it outputs (a + b + carry) mod 2 and moves to (a + b + carry) // 2."""
    total = np.array([[(i >> 1) + (i & 1) + c for i in range(4)] for c in (0, 1)])
    return Automaton(transitions=total // 2, outputs=(total % 2).astype(np.uint8), start=0,
                     message="written by hand")


def step_states(params, hidden):
    """The network's next hidden states and output bits from states ``hidden`` (M, H) for each of
    the four input pairs: (next (M, 4, H), output bits (M, 4) uint8)."""
    xu = BIT_PAIRS @ params.U                                     # (4, H)
    nxt = sigmoid(xu[None, :, :] + (hidden @ params.W)[:, None, :])
    return nxt, ((nxt @ params.V)[..., 0] > 0).astype(np.uint8)   # sigmoid(z) > 0.5  <=>  z > 0


def _signatures(params, hidden, depth, chunk=2048):
    """(M, 4 + 16 + ... + 4**depth) uint8: the network's output bit after every input sequence of
    length 1..depth fed from each hidden state (sequences in breadth-first order)."""
    rows = []
    for i in range(0, len(hidden), chunk):
        h, parts = hidden[i:i + chunk], []
        for _ in range(depth):
            h, out = step_states(params, h)                      # (m * 4**d, 4, H), (.., 4)
            parts.append(out.reshape(len(hidden[i:i + chunk]), -1))
            h = h.reshape(-1, h.shape[-1])
        rows.append(np.concatenate(parts, axis=1))
    return np.concatenate(rows)


def _row_keys(sig):
    """One hashable, sortable key per row of a 0/1 array (M, K): the row packed into bytes."""
    packed = np.ascontiguousarray(np.packbits(sig.astype(np.uint8), axis=1))
    return packed.view(f"V{packed.shape[1]}").ravel()


def _lookup(known, sig):
    """The group number of each row of ``sig`` (M, K) in ``known`` = (sorted keys, group of each
    key); -1 for a row that matches no group."""
    keys, groups = known
    k = _row_keys(sig)
    pos = np.minimum(np.searchsorted(keys, k), len(keys) - 1)
    return np.where(keys[pos] == k, groups[pos], -1)


def _blocks(sig):
    """Block number of each row of ``sig`` (equal rows, same block; numbered by first occurrence)."""
    _, first, inverse = np.unique(_row_keys(sig), return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse.ravel()]


def visited_states(params, width=8):
    """The distinct hidden states (M, H) the network passes through on all pairs a, b <
    2**(width-1), the start state h_{-1} = 0 first: ``tree_forward``'s rows, 38,229 for width 8."""
    check_params(params)
    width = check_int(width, "width", minimum=2, maximum=10)
    hidden, _ = tree_forward(params, width)
    return np.concatenate([np.zeros((1, params.hidden_size))] + hidden)


def extract_automaton(params, width=8, max_depth=3):
    """The finite machine the network runs, by Moore's partition refinement on its hidden states.

    1. Collect the distinct hidden states the network visits on all pairs a, b < 2**(width-1)
       (the start state h_{-1} = 0 included).
    2. Group them by behaviour: two states are in one group at depth d when, fed any sequence of
       1..d input pairs, the network outputs the same bits from both (each state's "signature").
       Depth 1 groups by the four output bits of the next step; each further step splits groups
       whose members' successors behave differently.  This is Moore's algorithm: the groups at
       depth d + 1 refine those at depth d, and when a step splits nothing (same number of
       groups), it never will again: the groups are the states of the minimal machine.
    3. Read the machine off: state = group; output on input i = the next output bit of its
       members; next state = the group whose behaviour the members' successors show.

    Stops at ``max_depth`` if the groups are still splitting (then ``stable`` is False: the
    network is not a small finite machine on these states, and the table is only an
    approximation; ``message`` says so).  Returns an ``Automaton``.
    """
    check_params(params)
    width = check_int(width, "width", minimum=2, maximum=10)
    max_depth = check_int(max_depth, "max_depth", minimum=1, maximum=5)
    states = visited_states(params, width)
    counts, depth, stable = [], max_depth, False
    for d in range(1, max_depth + 1):               # refine until a step splits nothing
        sig = _signatures(params, states, d + 1)
        widths = np.cumsum([4 ** k for k in range(1, d + 2)])       # columns up to depth k
        if not counts:
            counts.append(len(np.unique(_row_keys(sig[:, :widths[0]]))))
        counts.append(len(np.unique(_row_keys(sig))))
        if counts[-1] == counts[-2]:
            depth, stable = d, True
            break
    here = sig[:, :widths[depth - 1]]                # every state's signature at depth `depth`
    block = _blocks(here)
    n = int(block.max()) + 1
    # the successor on input i: its depth-`depth` signature is the part of this state's
    # depth-(depth+1) signature whose sequences start with i (breadth-first, first input major)
    succ_sig = np.stack([np.concatenate([sig[:, widths[k - 1] + i * 4 ** k: widths[k - 1] + (i + 1) * 4 ** k]
                                         for k in range(1, depth + 1)], axis=1)
                         for i in range(4)], axis=1)                 # (M, 4, widths[depth-1])
    keys, first = np.unique(_row_keys(here), return_index=True)      # each group's signature
    known = (keys, block[first])
    nxt = _lookup(known, succ_sig.reshape(len(states) * 4, -1)).reshape(-1, 4)   # (M, 4), -1: unknown
    closed = bool((nxt >= 0).all())
    outputs = sig[:, :4]
    transitions = np.zeros((n, 4), dtype=np.int64)
    out_table = np.zeros((n, 4), dtype=np.uint8)
    deterministic = True
    for s in range(n):
        members = block == s
        for i in range(4):
            vals, cnt = np.unique(nxt[members, i], return_counts=True)
            vals_ok = vals[vals >= 0]
            transitions[s, i] = vals_ok[np.argmax(cnt[vals >= 0])] if len(vals_ok) else s
            deterministic &= len(vals) == 1
            out_table[s, i] = outputs[members, i][0]
    stable = stable and deterministic
    if stable and closed:
        message = (f"{n} state{'s' if n != 1 else ''}: Moore's refinement of {len(states):,} visited hidden "
                   f"states stopped changing at look-ahead depth {depth}; deterministic and closed")
    else:
        why = []
        if not stable:
            why.append(f"the groups were still splitting at look-ahead depth {max_depth} "
                       f"(groups at depth 1, 2, ...: {counts})")
        if not closed:
            why.append(f"{int((nxt < 0).sum())} successors behave like none of the groups")
        message = (f"not a small finite machine: {'; '.join(why)}. The {n}-state table is an "
                   f"approximation (majority vote), not the network")
    return Automaton(transitions=transitions, outputs=out_table, start=int(block[0]), stable=stable,
                     closed=closed, depth=depth, n_visited=len(states), message=message,
                     _params=params, _signatures=known)
