"""Entry point: ``python -m vae_teach.student`` writes the student notebooks (see ``tools.student``)."""

import sys

from .tools.student import main

if __name__ == "__main__":
    sys.exit(main())
