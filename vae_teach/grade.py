"""Entry point: ``python -m vae_teach.grade DIR`` grades a folder of student notebooks (see ``tools.grade``)."""

import sys

from .tools.grade import main

if __name__ == "__main__":
    sys.exit(main())
