"""One look for every figure: colour-blind-safe colours and colour maps."""

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
COLORS = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
          "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}
#: sequential map for values in [0, 1] (hidden activations, probabilities)
SEQUENTIAL = "viridis"
#: diverging map for signed values (weights, deltas, gradients); ColorBrewer marks it colour-blind safe
DIVERGING = "RdBu_r"
