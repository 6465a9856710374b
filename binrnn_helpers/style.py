"""One look for every figure: text sizes a projector can show, colour-blind-safe colours and maps.

Importing the views (``bh.show_forward`` and the others) applies ``RC`` to matplotlib, so every
figure of the series, and any a reader draws in the same kernel, uses it.
"""
import matplotlib

#: Every figure is drawn at 100 pixels per inch, the notebook's inline figures and the widgets'
#: frames alike, so a size in points means the same number of pixels everywhere.
DPI = 100
#: No text in a figure is smaller than 12 pt: 16.7 px at 100 dpi.  A deck shows a figure at most
#: 942 x 470 px at full size on a 1280 x 720 projector, where 12 pt is 16.4 px, 80 % of the
#: slides' body text (tools/classroom.py, FIGURE_TEXT_MIN_PX; tests/test_figure_text.py checks it).
TEXT = 12
#: Titles one step larger.
TITLE = 13
RC = {"figure.dpi": DPI, "savefig.dpi": "figure", "font.size": TEXT,
      "axes.titlesize": TITLE, "figure.titlesize": TITLE, "axes.labelsize": TEXT, "figure.labelsize": TEXT,
      "xtick.labelsize": TEXT, "ytick.labelsize": TEXT, "legend.fontsize": TEXT,
      "legend.title_fontsize": TEXT}
matplotlib.rcParams.update(RC)

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
COLORS = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
          "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}
#: sequential map for values in [0, 1] (hidden activations, probabilities)
SEQUENTIAL = "viridis"
#: diverging map for signed values (weights, deltas, gradients); ColorBrewer marks it colour-blind safe
DIVERGING = "RdBu_r"
