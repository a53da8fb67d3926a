"""The book's visual language, shared by every figure and (as a copy in static/core.js) the explorers."""

from __future__ import annotations

#: The colour of each digit 0-9 in every latent map: Paul Tol's colour-blind-safe "muted"
#: scheme (nine colours) with a dark grey as the tenth. The explorers' DIGIT_COLOURS
#: (vae_teach/explore/static/core.js) is the same list; a test keeps them equal.
DIGIT_COLOURS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
                 "#DDCC77", "#CC6677", "#882255", "#AA4499", "#555555")

#: Radii, in standard deviations, of the circles that draw the prior N(0, I) on a 2-D latent map.
PRIOR_RADII = (1.0, 2.0)
